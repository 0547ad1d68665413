//! Raw Linux ioctl bindings for AMD SEV (work in progress).
