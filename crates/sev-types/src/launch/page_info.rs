//! The SNP PAGE_INFO record hashed into the launch digest.
