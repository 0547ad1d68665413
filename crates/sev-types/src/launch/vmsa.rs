//! The VMSA (VM save area) page, with the fields launch measurement needs.
