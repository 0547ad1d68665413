//! The `/dev/sev` command buffers that carry user-space addresses (`include/uapi/linux/psp-sev.h`,
//! all packed): PEK_CSR, PEK_CERT_IMPORT, PDH_CERT_EXPORT, GET_ID2 and SNP_VLEK_LOAD.
//!
//! The address fields are filled in by the caller that owns the memory (`sev-sys`); the
//! length fields are in/out where the firmware reports the size it needs.
//!
//! ```
//! use sev_types::platform::user_data::{SevUserDataPekCertImport, SevUserDataSnpVlekLoad};
//! use zerocopy::IntoBytes;
//! let import = SevUserDataPekCertImport::new((0x1000, 0x824), (0x2000, 0x824));
//! assert_eq!(import.as_bytes().len(), 24);
//! assert_eq!(import.as_bytes()[12..14], [0x00, 0x20]); // oca_cert_address right after pek_cert_len
//! assert_eq!(SevUserDataSnpVlekLoad::new(0x3000).len.get(), 16);
//! ```

use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout, Unaligned};

use crate::guest::assert_offsets;
use crate::{U32, U64};

/// An address/length pair: `struct sev_user_data_pek_csr` (SEV_PEK_CSR) and, with the same
/// layout, `struct sev_user_data_get_id2` (SEV_GET_ID2); 12 bytes.
#[derive(Debug, Clone, PartialEq, Eq, Default, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct SevUserDataPekCsr {
    /// 0: user address of the buffer (0 asks for the needed length).
    pub address: U64,
    /// 8: in: buffer length; out: length written or needed.
    pub length: U32,
}
assert_offsets!(SevUserDataPekCsr { address: 0, length: 8 });
const _: () = assert!(size_of::<SevUserDataPekCsr>() == 12);

/// `struct sev_user_data_get_id2`: same layout as [`SevUserDataPekCsr`].
pub type SevUserDataGetId2 = SevUserDataPekCsr;

impl SevUserDataPekCsr {
    /// A buffer of `length` bytes at user address `address`.
    pub fn new(address: u64, length: u32) -> Self {
        Self {
            address: U64::new(address),
            length: U32::new(length),
        }
    }
}

/// `struct sev_user_data_pek_cert_import`: SEV_PEK_CERT_IMPORT input (24 bytes).
#[derive(Debug, Clone, PartialEq, Eq, Default, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct SevUserDataPekCertImport {
    /// 0: user address of the OCA-signed PEK certificate.
    pub pek_cert_address: U64,
    /// 8: its length.
    pub pek_cert_len: U32,
    /// 12: user address of the OCA certificate.
    pub oca_cert_address: U64,
    /// 20: its length.
    pub oca_cert_len: U32,
}
assert_offsets!(SevUserDataPekCertImport {
    pek_cert_address: 0,
    pek_cert_len: 8,
    oca_cert_address: 12,
    oca_cert_len: 20,
});
const _: () = assert!(size_of::<SevUserDataPekCertImport>() == 24);

impl SevUserDataPekCertImport {
    /// The (user address, length) of the PEK and of the OCA certificate.
    pub fn new(pek: (u64, u32), oca: (u64, u32)) -> Self {
        Self {
            pek_cert_address: U64::new(pek.0),
            pek_cert_len: U32::new(pek.1),
            oca_cert_address: U64::new(oca.0),
            oca_cert_len: U32::new(oca.1),
        }
    }
}

/// `struct sev_user_data_pdh_cert_export`: SEV_PDH_CERT_EXPORT buffers (24 bytes).
#[derive(Debug, Clone, PartialEq, Eq, Default, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct SevUserDataPdhCertExport {
    /// 0: user address of the PDH certificate buffer.
    pub pdh_cert_address: U64,
    /// 8: in: buffer length; out: length written or needed.
    pub pdh_cert_len: U32,
    /// 12: user address of the certificate-chain buffer.
    pub cert_chain_address: U64,
    /// 20: in: buffer length; out: length written or needed.
    pub cert_chain_len: U32,
}
assert_offsets!(SevUserDataPdhCertExport {
    pdh_cert_address: 0,
    pdh_cert_len: 8,
    cert_chain_address: 12,
    cert_chain_len: 20,
});
const _: () = assert!(size_of::<SevUserDataPdhCertExport>() == 24);

impl SevUserDataPdhCertExport {
    /// The (user address, length) of the PDH and of the chain buffer.
    pub fn new(pdh: (u64, u32), chain: (u64, u32)) -> Self {
        Self {
            pdh_cert_address: U64::new(pdh.0),
            pdh_cert_len: U32::new(pdh.1),
            cert_chain_address: U64::new(chain.0),
            cert_chain_len: U32::new(chain.1),
        }
    }
}

/// `struct sev_user_data_snp_vlek_load`: SNP_VLEK_LOAD input (16 bytes).
#[derive(Debug, Clone, PartialEq, Eq, Default, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct SevUserDataSnpVlekLoad {
    /// 0: must be the size of this structure (16).
    pub len: U32,
    /// 4: must be 0.
    pub vlek_wrapped_version: u8,
    /// 5: reserved.
    pub rsvd: [u8; 3],
    /// 8: user address of the wrapped hashstick ([`crate::guest::VlekHashstick`]).
    pub vlek_wrapped_address: U64,
}
assert_offsets!(SevUserDataSnpVlekLoad {
    len: 0,
    vlek_wrapped_version: 4,
    rsvd: 5,
    vlek_wrapped_address: 8,
});
const _: () = assert!(size_of::<SevUserDataSnpVlekLoad>() == 16);

impl SevUserDataSnpVlekLoad {
    /// A load of the hashstick at user address `hashstick_address`, version 0.
    pub fn new(hashstick_address: u64) -> Self {
        Self {
            len: U32::new(size_of::<Self>() as u32),
            vlek_wrapped_version: 0,
            rsvd: [0; 3],
            vlek_wrapped_address: U64::new(hashstick_address),
        }
    }
}
