//! AMD SEV and SEV-SNP on the host: platform management and guest launch.
#![forbid(unsafe_code)]
