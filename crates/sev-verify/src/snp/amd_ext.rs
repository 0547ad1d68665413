//! AMD's X.509 extensions in VCEK and VLEK certificates (OID arc `1.3.6.1.4.1.3704.1`).

use alloc::string::{String, ToString};
use alloc::vec::Vec;

use der::Decode;
use der::asn1::{Ia5StringRef, ObjectIdentifier, OctetStringRef, Utf8StringRef};
use sev_types::tcb::{TcbLayout, TcbVersion};
use x509_cert::ext::Extension;

use super::error::SnpError;
use super::role::Role;
use super::x509::{BASIC_CONSTRAINTS, KEY_USAGE};

/// One AMD extension: OID, name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AmdOid {
    /// The OID.
    pub oid: ObjectIdentifier,
    /// Dotted form.
    pub dotted: &'static str,
    /// The name KDS uses.
    pub name: &'static str,
}

macro_rules! amd_oids {
    ($($id:ident = $dotted:literal, $name:literal;)*) => {
        $(
            #[doc = concat!("`", $dotted, "`: ", $name, ".")]
            pub const $id: AmdOid =
                AmdOid { oid: ObjectIdentifier::new_unwrap($dotted), dotted: $dotted, name: $name };
        )*
    };
}

amd_oids! {
    STRUCT_VERSION = "1.3.6.1.4.1.3704.1.1", "structVersion";
    PRODUCT_NAME = "1.3.6.1.4.1.3704.1.2", "productName";
    BL_SPL = "1.3.6.1.4.1.3704.1.3.1", "blSPL";
    TEE_SPL = "1.3.6.1.4.1.3704.1.3.2", "teeSPL";
    SNP_SPL = "1.3.6.1.4.1.3704.1.3.3", "snpSPL";
    SPL_4 = "1.3.6.1.4.1.3704.1.3.4", "spl_4";
    SPL_5 = "1.3.6.1.4.1.3704.1.3.5", "spl_5";
    SPL_6 = "1.3.6.1.4.1.3704.1.3.6", "spl_6";
    SPL_7 = "1.3.6.1.4.1.3704.1.3.7", "spl_7";
    UCODE_SPL = "1.3.6.1.4.1.3704.1.3.8", "ucodeSPL";
    FMC_SPL = "1.3.6.1.4.1.3704.1.3.9", "fmcSPL";
    HW_ID = "1.3.6.1.4.1.3704.1.4", "hwID";
    CSP_ID = "1.3.6.1.4.1.3704.1.5", "cspID";
}

const SPL_OIDS: [AmdOid; 9] = [BL_SPL, TEE_SPL, SNP_SPL, SPL_4, SPL_5, SPL_6, SPL_7, UCODE_SPL, FMC_SPL];

/// The decoded AMD extensions of a certificate. Absent extensions are `None`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AmdExtensions {
    /// structVersion (0 on Milan/Genoa, 1 on Turin).
    pub struct_version: Option<u64>,
    /// productName, e.g. `Milan-B0`, `Genoa`, `Turin`.
    pub product_name: Option<String>,
    /// SPLs in OID order: bl, tee, snp, spl_4, spl_5, spl_6, spl_7, ucode, fmc.
    spls: [Option<u8>; 9],
    /// hwID (64 bytes, or 8 on Turin), with any OCTET STRING wrapper removed.
    pub hw_id: Option<Vec<u8>>,
    /// cspID of a VLEK (the cloud provider).
    pub csp_id: Option<String>,
}

/// A TCB component and the TCB byte it lives in for a layout.
#[derive(Debug, Clone, Copy)]
struct SplSlot {
    index: usize,
    name: &'static str,
    required: bool,
}

impl AmdExtensions {
    /// Boot loader SPL.
    pub fn bl_spl(&self) -> Option<u8> {
        self.spls[0]
    }
    /// TEE SPL.
    pub fn tee_spl(&self) -> Option<u8> {
        self.spls[1]
    }
    /// SNP SPL.
    pub fn snp_spl(&self) -> Option<u8> {
        self.spls[2]
    }
    /// Microcode SPL.
    pub fn ucode_spl(&self) -> Option<u8> {
        self.spls[7]
    }
    /// FMC SPL (Turin and later).
    pub fn fmc_spl(&self) -> Option<u8> {
        self.spls[8]
    }
    /// Reserved SPLs spl_4 ..= spl_7.
    pub fn reserved_spls(&self) -> [Option<u8>; 4] {
        [self.spls[3], self.spls[4], self.spls[5], self.spls[6]]
    }

    /// Reads the AMD extensions out of `extensions`. Other extensions are ignored, except that
    /// any OID appearing twice is an error.
    pub fn parse(extensions: &[Extension], role: Role) -> Result<Self, SnpError> {
        let mut out = AmdExtensions::default();
        for (i, ext) in extensions.iter().enumerate() {
            if extensions[..i].iter().any(|e| e.extn_id == ext.extn_id) {
                let known = known(&ext.extn_id);
                let (name, oid) = match known {
                    Some(k) => (k.name, k.dotted),
                    None if ext.extn_id == KEY_USAGE => ("keyUsage", "2.5.29.15"),
                    None if ext.extn_id == BASIC_CONSTRAINTS => ("basicConstraints", "2.5.29.19"),
                    None => ("X.509", "(non-AMD)"),
                };
                return Err(SnpError::DuplicateExtension { name, oid });
            }
            let value = ext.extn_value.as_bytes();
            let bad = |name, reason| SnpError::BadExtension { role, name, reason };
            if ext.extn_id == STRUCT_VERSION.oid {
                out.struct_version = Some(u64::from_der(value).map_err(|_| bad("structVersion", "not a DER INTEGER"))?);
            } else if ext.extn_id == PRODUCT_NAME.oid {
                out.product_name = Some(der_string(value).ok_or(bad("productName", "not a DER IA5String"))?);
            } else if ext.extn_id == HW_ID.oid {
                out.hw_id =
                    Some(unwrap_hwid(value).ok_or(bad("hwID", "not 8 or 64 bytes, raw or in an OCTET STRING"))?);
            } else if ext.extn_id == CSP_ID.oid {
                out.csp_id = Some(der_string(value).ok_or(bad("cspID", "not a DER IA5String"))?);
            } else if let Some(pos) = SPL_OIDS.iter().position(|o| o.oid == ext.extn_id) {
                let v = u8::from_der(value).map_err(|_| bad(SPL_OIDS[pos].name, "not a DER INTEGER in 0..=255"))?;
                out.spls[pos] = Some(v);
            }
        }
        Ok(out)
    }

    /// Checks every SPL against `reported` decoded with `layout`, by component name.
    ///
    /// The boot loader, TEE, SNP and microcode SPLs (and FMC on Turin) must be present; the
    /// reserved `spl_4..spl_7`, where present, must equal the reserved TCB bytes they stand for.
    pub fn check_tcb(&self, role: Role, reported: TcbVersion, layout: TcbLayout) -> Result<(), SnpError> {
        let bytes = reported.to_le_bytes();
        for slot in slots(layout) {
            let oid = SPL_OIDS[slot.index];
            let report_value = match slot_byte(layout, slot.index) {
                Some(b) => bytes[b],
                None => 0,
            };
            match self.spls[slot.index] {
                Some(cert) if cert != report_value => {
                    return Err(SnpError::TcbMismatch {
                        component: slot.name,
                        cert,
                        report: report_value,
                    });
                }
                Some(_) => {}
                None if slot.required => {
                    return Err(SnpError::MissingExtension {
                        role,
                        name: oid.name,
                        oid: oid.dotted,
                    });
                }
                None => {}
            }
        }
        if !layout.has_fmc() && self.spls[8].is_some() {
            return Err(SnpError::BadExtension {
                role,
                name: "fmcSPL",
                reason: "present on a product without FMC",
            });
        }
        Ok(())
    }
}

fn slots(layout: TcbLayout) -> impl Iterator<Item = SplSlot> {
    let has_fmc = layout.has_fmc();
    [
        SplSlot {
            index: 0,
            name: "bootloader",
            required: true,
        },
        SplSlot {
            index: 1,
            name: "tee",
            required: true,
        },
        SplSlot {
            index: 2,
            name: "snp",
            required: true,
        },
        SplSlot {
            index: 3,
            name: "spl_4",
            required: false,
        },
        SplSlot {
            index: 4,
            name: "spl_5",
            required: false,
        },
        SplSlot {
            index: 5,
            name: "spl_6",
            required: false,
        },
        SplSlot {
            index: 6,
            name: "spl_7",
            required: false,
        },
        SplSlot {
            index: 7,
            name: "microcode",
            required: true,
        },
        SplSlot {
            index: 8,
            name: "fmc",
            required: has_fmc,
        },
    ]
    .into_iter()
    .filter(move |s| s.index != 8 || has_fmc)
}

/// TCB byte of SPL slot `index` for `layout` (`None`: the slot has no byte and must be 0).
fn slot_byte(layout: TcbLayout, index: usize) -> Option<usize> {
    match layout {
        TcbLayout::Turin => [
            Some(1),
            Some(2),
            Some(3),
            None,
            Some(4),
            Some(5),
            Some(6),
            Some(7),
            Some(0),
        ][index],
        _ => [
            Some(0),
            Some(1),
            Some(6),
            Some(2),
            Some(3),
            Some(4),
            Some(5),
            Some(7),
            None,
        ][index],
    }
}

fn known(oid: &ObjectIdentifier) -> Option<AmdOid> {
    [STRUCT_VERSION, PRODUCT_NAME, HW_ID, CSP_ID]
        .into_iter()
        .chain(SPL_OIDS)
        .find(|k| k.oid == *oid)
}

fn der_string(value: &[u8]) -> Option<String> {
    if let Ok(s) = Ia5StringRef::from_der(value) {
        return Some(s.as_str().to_string());
    }
    Utf8StringRef::from_der(value).ok().map(|s| s.as_str().to_string())
}

/// hwID: raw 64 or 8 bytes (as KDS has always issued), or the same wrapped in a DER OCTET STRING.
/// The two forms differ in length (8/64 against 10/66), so the choice is unambiguous.
fn unwrap_hwid(value: &[u8]) -> Option<Vec<u8>> {
    match value.len() {
        8 | 64 => Some(value.to_vec()),
        10 | 66 => {
            let inner = <&OctetStringRef>::from_der(value).ok()?.as_bytes();
            matches!(inner.len(), 8 | 64).then(|| inner.to_vec())
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hwid_accepts_raw_and_wrapped_forms_only() {
        let raw: Vec<u8> = (0..64).collect();
        assert_eq!(unwrap_hwid(&raw).unwrap(), raw);
        let mut wrapped = alloc::vec![0x04, 0x40];
        wrapped.extend_from_slice(&raw);
        assert_eq!(unwrap_hwid(&wrapped).unwrap(), raw);
        assert_eq!(
            unwrap_hwid(&[0x04, 0x08, 1, 2, 3, 4, 5, 6, 7, 8]).unwrap(),
            [1, 2, 3, 4, 5, 6, 7, 8]
        );
        assert!(unwrap_hwid(&raw[..63]).is_none());
        assert!(unwrap_hwid(&[0x05, 0x08, 1, 2, 3, 4, 5, 6, 7, 8]).is_none());
        let mut bad_len = wrapped.clone();
        bad_len[1] = 0x3f;
        assert!(unwrap_hwid(&bad_len).is_none());
    }

    #[test]
    fn slot_bytes_follow_the_spec_table() {
        // kds-and-certs.md §3: Milan/Genoa bl 0, tee 1, snp 6, spl_4..7 = 2..5, ucode 7;
        // Turin fmc 0, bl 1, tee 2, snp 3, spl_5..7 = 4..6, ucode 7.
        let milan: Vec<_> = (0..9).map(|i| slot_byte(TcbLayout::MilanGenoa, i)).collect();
        assert_eq!(
            milan,
            [
                Some(0),
                Some(1),
                Some(6),
                Some(2),
                Some(3),
                Some(4),
                Some(5),
                Some(7),
                None
            ]
        );
        let turin: Vec<_> = (0..9).map(|i| slot_byte(TcbLayout::Turin, i)).collect();
        assert_eq!(
            turin,
            [
                Some(1),
                Some(2),
                Some(3),
                None,
                Some(4),
                Some(5),
                Some(6),
                Some(7),
                Some(0)
            ]
        );
    }
}
