//! Launch command buffers for SEV, SEV-ES and SEV-SNP, plus the ID block, PAGE_INFO and VMSA.

pub mod page_info;
pub mod vmsa;
