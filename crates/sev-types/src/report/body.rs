//! The fixed 0x4A0-byte ATTESTATION_REPORT layout.

use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout, Unaligned};

use crate::ecdsa::EcdsaSignature;
use crate::tcb::RawTcb;
use crate::view::assert_offsets;
use crate::{U32, U64};

/// The signed part of an attestation report (bytes 0x000..0x2A0), field by field.
///
/// Fields that only some versions define are stored raw here; [`super::Report`] exposes them as
/// `Option`s according to the report's version. Reserved ranges are kept as bytes so that strict
/// validation ([`super::Report::reserved_violations`]) can inspect them.
#[derive(Clone, PartialEq, Eq, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
#[allow(missing_docs)]
pub struct ReportBody {
    /// 0x000: report format version.
    pub version: U32,
    /// 0x004: guest SVN from the ID block.
    pub guest_svn: U32,
    /// 0x008: guest policy.
    pub policy: U64,
    /// 0x010: family ID from the ID block.
    pub family_id: [u8; 16],
    /// 0x020: image ID from the ID block.
    pub image_id: [u8; 16],
    /// 0x030: VMPL requested for the report.
    pub vmpl: U32,
    /// 0x034: signature algorithm (1 = ECDSA P-384 with SHA-384).
    pub signature_algo: U32,
    /// 0x038: TCB currently running.
    pub current_tcb: RawTcb,
    /// 0x040: platform configuration.
    pub platform_info: U64,
    /// 0x048: signing key and author-key flags.
    pub key_info: U32,
    /// 0x04C: reserved.
    pub reserved_04c: U32,
    /// 0x050: guest-supplied data.
    pub report_data: [u8; 64],
    /// 0x090: launch digest.
    pub measurement: [u8; 48],
    /// 0x0C0: host-supplied data from SNP_LAUNCH_FINISH.
    pub host_data: [u8; 32],
    /// 0x0E0: SHA-384 of the ID public key.
    pub id_key_digest: [u8; 48],
    /// 0x110: SHA-384 of the author public key.
    pub author_key_digest: [u8; 48],
    /// 0x140: report ID of the guest.
    pub report_id: [u8; 32],
    /// 0x160: report ID of the migration agent.
    pub report_id_ma: [u8; 32],
    /// 0x180: TCB the VCEK was derived from.
    pub reported_tcb: RawTcb,
    /// 0x188: CPUID family (v3+; reserved before).
    pub cpuid_fam_id: u8,
    /// 0x189: CPUID model (v3+; reserved before).
    pub cpuid_mod_id: u8,
    /// 0x18A: CPUID stepping (v3+; reserved before).
    pub cpuid_step: u8,
    /// 0x18B: reserved.
    pub reserved_18b: [u8; 21],
    /// 0x1A0: chip identifier (zero when masked).
    pub chip_id: [u8; 64],
    /// 0x1E0: committed TCB.
    pub committed_tcb: RawTcb,
    /// 0x1E8: running firmware build.
    pub current_build: u8,
    /// 0x1E9: running firmware minor version.
    pub current_minor: u8,
    /// 0x1EA: running firmware major version.
    pub current_major: u8,
    /// 0x1EB: reserved.
    pub reserved_1eb: u8,
    /// 0x1EC: committed firmware build.
    pub committed_build: u8,
    /// 0x1ED: committed firmware minor version.
    pub committed_minor: u8,
    /// 0x1EE: committed firmware major version.
    pub committed_major: u8,
    /// 0x1EF: reserved.
    pub reserved_1ef: u8,
    /// 0x1F0: TCB at launch.
    pub launch_tcb: RawTcb,
    /// 0x1F8: mitigation vector verified at launch (v5+; reserved before).
    pub launch_mit_vector: U64,
    /// 0x200: mitigation vector verified now (v5+; reserved before).
    pub current_mit_vector: U64,
    /// 0x208: reserved.
    pub reserved_208: [u8; 152],
}

/// A whole report: the signed body followed by the signature (0x4A0 bytes).
#[derive(Clone, PartialEq, Eq, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct RawReport {
    /// Bytes 0x000..0x2A0.
    pub body: ReportBody,
    /// Bytes 0x2A0..0x4A0.
    pub signature: EcdsaSignature,
}

assert_offsets!(ReportBody {
    version: 0x000,
    guest_svn: 0x004,
    policy: 0x008,
    family_id: 0x010,
    image_id: 0x020,
    vmpl: 0x030,
    signature_algo: 0x034,
    current_tcb: 0x038,
    platform_info: 0x040,
    key_info: 0x048,
    reserved_04c: 0x04C,
    report_data: 0x050,
    measurement: 0x090,
    host_data: 0x0C0,
    id_key_digest: 0x0E0,
    author_key_digest: 0x110,
    report_id: 0x140,
    report_id_ma: 0x160,
    reported_tcb: 0x180,
    cpuid_fam_id: 0x188,
    cpuid_mod_id: 0x189,
    cpuid_step: 0x18A,
    reserved_18b: 0x18B,
    chip_id: 0x1A0,
    committed_tcb: 0x1E0,
    current_build: 0x1E8,
    current_minor: 0x1E9,
    current_major: 0x1EA,
    reserved_1eb: 0x1EB,
    committed_build: 0x1EC,
    committed_minor: 0x1ED,
    committed_major: 0x1EE,
    reserved_1ef: 0x1EF,
    launch_tcb: 0x1F0,
    launch_mit_vector: 0x1F8,
    current_mit_vector: 0x200,
    reserved_208: 0x208,
});
assert_offsets!(RawReport {
    body: 0x000,
    signature: 0x2A0
});
const _: () = assert!(size_of::<ReportBody>() == 0x2A0);
const _: () = assert!(size_of::<RawReport>() == 0x4A0);

#[cfg(feature = "serde")]
mod ser {
    use super::{RawReport, ReportBody};
    use crate::fmt::Hex;
    use crate::launch::ser::serialize_fields;

    serialize_fields!(ReportBody, "ReportBody", |v| {
        "version" => v.version.get(),
        "guest_svn" => v.guest_svn.get(),
        "policy" => crate::policy::GuestPolicy::from_bits_retain(v.policy.get()),
        "family_id" => Hex(&v.family_id),
        "image_id" => Hex(&v.image_id),
        "vmpl" => v.vmpl.get(),
        "signature_algo" => v.signature_algo.get(),
        "current_tcb" => v.current_tcb,
        "platform_info" => crate::platform_info::PlatformInfo::from_bits_retain(v.platform_info.get()),
        "key_info" => crate::key_info::KeyInfo::from_bits_retain(v.key_info.get()),
        "reserved_04c" => v.reserved_04c.get(),
        "report_data" => Hex(&v.report_data),
        "measurement" => Hex(&v.measurement),
        "host_data" => Hex(&v.host_data),
        "id_key_digest" => Hex(&v.id_key_digest),
        "author_key_digest" => Hex(&v.author_key_digest),
        "report_id" => Hex(&v.report_id),
        "report_id_ma" => Hex(&v.report_id_ma),
        "reported_tcb" => v.reported_tcb,
        "cpuid_fam_id" => v.cpuid_fam_id,
        "cpuid_mod_id" => v.cpuid_mod_id,
        "cpuid_step" => v.cpuid_step,
        "reserved_18b" => Hex(&v.reserved_18b),
        "chip_id" => Hex(&v.chip_id),
        "committed_tcb" => v.committed_tcb,
        "current_build" => v.current_build,
        "current_minor" => v.current_minor,
        "current_major" => v.current_major,
        "reserved_1eb" => v.reserved_1eb,
        "committed_build" => v.committed_build,
        "committed_minor" => v.committed_minor,
        "committed_major" => v.committed_major,
        "reserved_1ef" => v.reserved_1ef,
        "launch_tcb" => v.launch_tcb,
        "launch_mit_vector" => v.launch_mit_vector.get(),
        "current_mit_vector" => v.current_mit_vector.get(),
        "reserved_208" => Hex(&v.reserved_208),
    });
    serialize_fields!(RawReport, "RawReport", |v| {
        "body" => v.body,
        "signature" => v.signature,
    });
}
