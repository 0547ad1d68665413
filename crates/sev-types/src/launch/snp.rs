//! SEV-SNP launch: page types, the SNP_LAUNCH_START / UPDATE / FINISH firmware command buffers,
//! and the payloads of the KVM commands `KVM_SEV_INIT2` and `KVM_SEV_SNP_LAUNCH_*` exactly as the
//! kernel lays them out.
//!
//! ```
//! use sev_types::launch::snp::{KvmPageType, KvmSnpLaunchFinish, KvmSnpLaunchUpdate, PageType};
//! use zerocopy::IntoBytes;
//! let update = KvmSnpLaunchUpdate::new(0x100, 0x7f00_0000_0000, 0x2000, KvmPageType::Normal);
//! assert_eq!(update.as_bytes().len(), 64);
//! assert_eq!(update.page_type(), Some(KvmPageType::Normal));
//! assert_eq!(KvmPageType::try_from(PageType::Vmsa), Err(PageType::Vmsa)); // KVM adds VMSAs itself
//! let finish = KvmSnpLaunchFinish::new([0xAA; 32]).with_vcek_disabled(true);
//! assert_eq!(finish.as_bytes()[19], 0xAA); // host_data sits after vcek_disabled
//! ```

use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout, Unaligned};

use super::{assert_offsets, value_enum};
use crate::policy::GuestPolicy;
use crate::{ParseError, U16, U32, U64};

value_enum! {
    /// The page type of SNP_LAUNCH_UPDATE and PAGE_INFO (firmware values 1..=6).
    pub enum PageType: u8 {
        /// 1: plaintext encrypted in place; measured.
        Normal = 1 => "NORMAL",
        /// 2: a vCPU save area; measured with GPA forced to `0xFFFF_FFFF_F000`.
        Vmsa = 2 => "VMSA",
        /// 3: zero-filled by the firmware.
        Zero = 3 => "ZERO",
        /// 4: encrypted but not measured.
        Unmeasured = 4 => "UNMEASURED",
        /// 5: filled by the firmware with the secrets page.
        Secrets = 5 => "SECRETS",
        /// 6: CPUID table checked by the firmware.
        Cpuid = 6 => "CPUID",
    }
}

/// `KVM_SEV_PAGE_TYPE_INVALID`: the value 0 in `kvm_sev_snp_launch_update.type`.
pub const KVM_PAGE_TYPE_INVALID: u8 = 0;

/// The page types KVM accepts from userspace in `kvm_sev_snp_launch_update.type`.
///
/// [`PageType::Vmsa`] is deliberately absent (KVM adds the VMSAs itself at LAUNCH_FINISH), and
/// 0 is `KVM_SEV_PAGE_TYPE_INVALID`. The values equal the firmware's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum KvmPageType {
    /// 1: `KVM_SEV_SNP_PAGE_TYPE_NORMAL`.
    Normal,
    /// 3: `KVM_SEV_SNP_PAGE_TYPE_ZERO`.
    Zero,
    /// 4: `KVM_SEV_SNP_PAGE_TYPE_UNMEASURED`.
    Unmeasured,
    /// 5: `KVM_SEV_SNP_PAGE_TYPE_SECRETS`.
    Secrets,
    /// 6: `KVM_SEV_SNP_PAGE_TYPE_CPUID`.
    Cpuid,
}

impl KvmPageType {
    /// Every value KVM accepts.
    pub const ALL: [KvmPageType; 5] = [
        KvmPageType::Normal,
        KvmPageType::Zero,
        KvmPageType::Unmeasured,
        KvmPageType::Secrets,
        KvmPageType::Cpuid,
    ];

    /// The raw value.
    pub const fn raw(self) -> u8 {
        self.page_type().raw()
    }

    /// Decodes a raw `type` byte; `None` for 0 (INVALID), 2 (VMSA) and unknown values.
    pub const fn from_raw(v: u8) -> Option<Self> {
        match PageType::from_raw(v) {
            PageType::Normal => Some(KvmPageType::Normal),
            PageType::Zero => Some(KvmPageType::Zero),
            PageType::Unmeasured => Some(KvmPageType::Unmeasured),
            PageType::Secrets => Some(KvmPageType::Secrets),
            PageType::Cpuid => Some(KvmPageType::Cpuid),
            _ => None,
        }
    }

    /// The firmware page type this becomes.
    pub const fn page_type(self) -> PageType {
        match self {
            KvmPageType::Normal => PageType::Normal,
            KvmPageType::Zero => PageType::Zero,
            KvmPageType::Unmeasured => PageType::Unmeasured,
            KvmPageType::Secrets => PageType::Secrets,
            KvmPageType::Cpuid => PageType::Cpuid,
        }
    }
}

impl From<KvmPageType> for PageType {
    fn from(t: KvmPageType) -> PageType {
        t.page_type()
    }
}

impl TryFrom<PageType> for KvmPageType {
    type Error = PageType;

    /// Fails (returning the input) for [`PageType::Vmsa`] and unknown values.
    fn try_from(t: PageType) -> Result<Self, PageType> {
        KvmPageType::from_raw(t.raw()).ok_or(t)
    }
}

impl PageType {
    /// Whether KVM accepts this type from userspace (see [`KvmPageType`]).
    pub const fn is_kvm_accepted(self) -> bool {
        KvmPageType::from_raw(self.raw()).is_some()
    }
}

impl core::fmt::Display for KvmPageType {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        core::fmt::Display::fmt(&self.page_type(), f)
    }
}

value_enum! {
    /// State of an SNP guest (SNP_GUEST_STATUS).
    pub enum SnpGuestState: u8 {
        /// 0: guest context created, not launched.
        Init = 0 => "INIT",
        /// 1: launch in progress.
        Launch = 1 => "LAUNCH",
        /// 2: running.
        Running = 2 => "RUNNING",
    }
}

bitflags::bitflags! {
    /// Flags word at 0x18 of SNP_LAUNCH_START.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct SnpLaunchStartFlags: u32 {
        /// Associate the guest with a migration agent.
        const MA_EN = 1 << 0;
        /// This launch builds an incoming migration image.
        const IMI_EN = 1 << 1;
    }
}

bitflags::bitflags! {
    /// Flags word at 0x18 of SNP_LAUNCH_FINISH.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct SnpLaunchFinishFlags: u64 {
        /// An ID block is supplied.
        const ID_BLOCK_EN = 1 << 0;
        /// The ID auth info carries an author key.
        const AUTH_KEY_EN = 1 << 1;
        /// The VCEK may not sign this guest's reports (newer ABI).
        const VCEK_DISABLED = 1 << 2;
    }
}

#[cfg(feature = "serde")]
crate::flags_serde::flags_serde_impl!(SnpLaunchStartFlags, u32, |_f, _m| { Ok(()) });
#[cfg(feature = "serde")]
crate::flags_serde::flags_serde_impl!(SnpLaunchFinishFlags, u64, |_f, _m| { Ok(()) });

/// SNP_LAUNCH_START firmware command buffer (0x30 bytes).
#[derive(Debug, Clone, PartialEq, Eq, Default, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct SnpLaunchStart {
    /// 0x00: system physical address of the guest-context page.
    pub gctx_paddr: U64,
    /// 0x08: guest policy.
    pub policy: U64,
    /// 0x10: guest context of the migration agent (when MA_EN).
    pub ma_gctx_paddr: U64,
    /// 0x18: [`SnpLaunchStartFlags`].
    pub flags: U32,
    /// 0x1C: mean guest TSC frequency in kHz for Secure TSC guests (0 otherwise).
    pub desired_tsc_freq: U32,
    /// 0x20: guest-OS-visible workarounds.
    pub gosvw: [u8; 16],
}
assert_offsets!(SnpLaunchStart {
    gctx_paddr: 0x00,
    policy: 0x08,
    ma_gctx_paddr: 0x10,
    flags: 0x18,
    desired_tsc_freq: 0x1C,
    gosvw: 0x20,
});
const _: () = assert!(size_of::<SnpLaunchStart>() == 0x30);

impl SnpLaunchStart {
    /// A buffer for guest context `gctx_paddr` with `policy`, everything else zero.
    pub fn new(gctx_paddr: u64, policy: GuestPolicy) -> Self {
        Self {
            gctx_paddr: U64::new(gctx_paddr),
            policy: U64::new(policy.bits()),
            ..Self::default()
        }
    }

    /// The policy.
    pub fn policy(&self) -> GuestPolicy {
        GuestPolicy::from_bits_retain(self.policy.get())
    }

    /// The flags.
    pub fn flags(&self) -> SnpLaunchStartFlags {
        SnpLaunchStartFlags::from_bits_retain(self.flags.get())
    }
}

/// Page size of an SNP_LAUNCH_UPDATE (bit 0 of its page-info word).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum PageSize {
    /// 4 KiB.
    #[cfg_attr(feature = "serde", serde(rename = "4k"))]
    Size4K,
    /// 2 MiB.
    #[cfg_attr(feature = "serde", serde(rename = "2m"))]
    Size2M,
}

/// SNP_LAUNCH_UPDATE firmware command buffer (0x20 bytes).
#[derive(Debug, Clone, PartialEq, Eq, Default, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct SnpLaunchUpdate {
    /// 0x00: system physical address of the guest-context page.
    pub gctx_paddr: U64,
    /// 0x08: bit 0 PAGE_SIZE, bits 3:1 PAGE_TYPE, bit 4 IMI_PAGE, 31:5 reserved.
    pub page_info: U32,
    /// 0x0C: reserved.
    pub reserved_0c: U32,
    /// 0x10: system physical address of the page (its RMP entry supplies the GPA).
    pub paddr: U64,
    /// 0x18: reserved.
    pub reserved_18: u8,
    /// 0x19: VMPL1 permissions.
    pub vmpl1_perms: u8,
    /// 0x1A: VMPL2 permissions.
    pub vmpl2_perms: u8,
    /// 0x1B: VMPL3 permissions.
    pub vmpl3_perms: u8,
    /// 0x1C: reserved.
    pub reserved_1c: U32,
}
assert_offsets!(SnpLaunchUpdate {
    gctx_paddr: 0x00,
    page_info: 0x08,
    reserved_0c: 0x0C,
    paddr: 0x10,
    reserved_18: 0x18,
    vmpl1_perms: 0x19,
    vmpl2_perms: 0x1A,
    vmpl3_perms: 0x1B,
    reserved_1c: 0x1C,
});
const _: () = assert!(size_of::<SnpLaunchUpdate>() == 0x20);

impl SnpLaunchUpdate {
    const PAGE_SIZE_BIT: u32 = 1 << 0;
    const PAGE_TYPE_SHIFT: u32 = 1;
    const PAGE_TYPE_MASK: u32 = 0b111 << Self::PAGE_TYPE_SHIFT;
    const IMI_BIT: u32 = 1 << 4;

    /// An update of one page of `page_type` and `size` at `paddr`; no IMI, all VMPL permissions 0.
    ///
    /// The page type field is 3 bits wide; only its low 3 bits are stored.
    pub fn new(gctx_paddr: u64, paddr: u64, page_type: PageType, size: PageSize) -> Self {
        let mut u = Self {
            gctx_paddr: U64::new(gctx_paddr),
            paddr: U64::new(paddr),
            ..Self::default()
        };
        u.set_page_type(page_type);
        u.set_page_size(size);
        u
    }

    /// Page size (bit 0).
    pub fn page_size(&self) -> PageSize {
        if self.page_info.get() & Self::PAGE_SIZE_BIT != 0 {
            PageSize::Size2M
        } else {
            PageSize::Size4K
        }
    }

    /// Page type (bits 3:1).
    pub fn page_type(&self) -> PageType {
        PageType::from_raw(((self.page_info.get() & Self::PAGE_TYPE_MASK) >> Self::PAGE_TYPE_SHIFT) as u8)
    }

    /// IMI_PAGE (bit 4).
    pub fn imi_page(&self) -> bool {
        self.page_info.get() & Self::IMI_BIT != 0
    }

    /// Bits 31:5 of the page-info word, which are reserved.
    pub fn reserved_page_info_bits(&self) -> u32 {
        self.page_info.get() & !0x1F
    }

    /// Sets the page size.
    pub fn set_page_size(&mut self, size: PageSize) {
        let w = self.page_info.get() & !Self::PAGE_SIZE_BIT;
        self.page_info.set(
            w | if size == PageSize::Size2M {
                Self::PAGE_SIZE_BIT
            } else {
                0
            },
        );
    }

    /// Sets the page type (low 3 bits of its value).
    pub fn set_page_type(&mut self, t: PageType) {
        let w = self.page_info.get() & !Self::PAGE_TYPE_MASK;
        self.page_info
            .set(w | ((u32::from(t.raw()) << Self::PAGE_TYPE_SHIFT) & Self::PAGE_TYPE_MASK));
    }

    /// The same buffer with IMI_PAGE set or cleared.
    pub fn with_imi_page(mut self, imi: bool) -> Self {
        let w = self.page_info.get() & !Self::IMI_BIT;
        self.page_info.set(w | if imi { Self::IMI_BIT } else { 0 });
        self
    }

    /// The same buffer with the VMPL1..3 permission bytes replaced.
    pub fn with_vmpl_perms(mut self, vmpl1: u8, vmpl2: u8, vmpl3: u8) -> Self {
        (self.vmpl1_perms, self.vmpl2_perms, self.vmpl3_perms) = (vmpl1, vmpl2, vmpl3);
        self
    }
}

/// SNP_LAUNCH_FINISH firmware command buffer (0x40 bytes).
#[derive(Debug, Clone, PartialEq, Eq, Default, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct SnpLaunchFinish {
    /// 0x00: system physical address of the guest-context page.
    pub gctx_paddr: U64,
    /// 0x08: system physical address of the ID block.
    pub id_block_paddr: U64,
    /// 0x10: system physical address of the ID auth info.
    pub id_auth_paddr: U64,
    /// 0x18: [`SnpLaunchFinishFlags`].
    pub flags: U64,
    /// 0x20: opaque host data, copied into the report.
    pub host_data: [u8; 32],
}
assert_offsets!(SnpLaunchFinish {
    gctx_paddr: 0x00,
    id_block_paddr: 0x08,
    id_auth_paddr: 0x10,
    flags: 0x18,
    host_data: 0x20
});
const _: () = assert!(size_of::<SnpLaunchFinish>() == 0x40);

impl SnpLaunchFinish {
    /// A finish with `host_data` and no ID block.
    pub fn new(gctx_paddr: u64, host_data: [u8; 32]) -> Self {
        Self {
            gctx_paddr: U64::new(gctx_paddr),
            host_data,
            ..Self::default()
        }
    }

    /// The same buffer with an ID block (and optionally an author key) enabled.
    pub fn with_id_block(mut self, id_block_paddr: u64, id_auth_paddr: u64, auth_key: bool) -> Self {
        self.id_block_paddr.set(id_block_paddr);
        self.id_auth_paddr.set(id_auth_paddr);
        let mut f = self.flags() | SnpLaunchFinishFlags::ID_BLOCK_EN;
        f.set(SnpLaunchFinishFlags::AUTH_KEY_EN, auth_key);
        self.flags.set(f.bits());
        self
    }

    /// The same buffer with VCEK_DISABLED set or cleared.
    pub fn with_vcek_disabled(mut self, disabled: bool) -> Self {
        let mut f = self.flags();
        f.set(SnpLaunchFinishFlags::VCEK_DISABLED, disabled);
        self.flags.set(f.bits());
        self
    }

    /// The flags.
    pub fn flags(&self) -> SnpLaunchFinishFlags {
        SnpLaunchFinishFlags::from_bits_retain(self.flags.get())
    }
}

/// `struct kvm_sev_init`, the payload of `KVM_SEV_INIT2` (48 bytes).
#[derive(Debug, Clone, PartialEq, Eq, Default, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct KvmSevInit {
    /// 0: VMSA SEV features to enable (a subset of what `KVM_X86_SEV_VMSA_FEATURES` reports).
    pub vmsa_features: U64,
    /// 8: must be 0.
    pub flags: U32,
    /// 12: GHCB protocol version (0 = KVM's default).
    pub ghcb_version: U16,
    /// 14: padding.
    pub pad1: U16,
    /// 16: padding.
    pub pad2: [U32; 8],
}
assert_offsets!(KvmSevInit {
    vmsa_features: 0,
    flags: 8,
    ghcb_version: 12,
    pad1: 14,
    pad2: 16
});
const _: () = assert!(size_of::<KvmSevInit>() == 48);

impl KvmSevInit {
    /// An INIT2 payload with the given VMSA features and GHCB version.
    pub fn new(vmsa_features: u64, ghcb_version: u16) -> Self {
        Self {
            vmsa_features: U64::new(vmsa_features),
            ghcb_version: U16::new(ghcb_version),
            ..Self::default()
        }
    }
}

/// `struct kvm_sev_snp_launch_start`, the payload of `KVM_SEV_SNP_LAUNCH_START` (64 bytes).
#[derive(Debug, Clone, PartialEq, Eq, Default, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct KvmSnpLaunchStart {
    /// 0: guest policy.
    pub policy: U64,
    /// 8: guest-OS-visible workarounds.
    pub gosvw: [u8; 16],
    /// 24: must be 0.
    pub flags: U16,
    /// 26: padding.
    pub pad0: [u8; 6],
    /// 32: padding.
    pub pad1: [U64; 4],
}
assert_offsets!(KvmSnpLaunchStart {
    policy: 0,
    gosvw: 8,
    flags: 24,
    pad0: 26,
    pad1: 32
});
const _: () = assert!(size_of::<KvmSnpLaunchStart>() == 64);

impl KvmSnpLaunchStart {
    /// A launch start with `policy` and no workarounds.
    pub fn new(policy: GuestPolicy) -> Self {
        Self {
            policy: U64::new(policy.bits()),
            ..Self::default()
        }
    }

    /// The same payload with GOSVW replaced.
    pub fn with_gosvw(mut self, gosvw: [u8; 16]) -> Self {
        self.gosvw = gosvw;
        self
    }

    /// The policy.
    pub fn policy(&self) -> GuestPolicy {
        GuestPolicy::from_bits_retain(self.policy.get())
    }
}

/// `struct kvm_sev_snp_launch_update`, the payload of `KVM_SEV_SNP_LAUNCH_UPDATE` (64 bytes).
///
/// KVM updates `gfn_start`, `uaddr` and `len` as it consumes pages; retry with the remainder.
#[derive(Debug, Clone, PartialEq, Eq, Default, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct KvmSnpLaunchUpdate {
    /// 0: first guest frame number (in/out).
    pub gfn_start: U64,
    /// 8: userspace address of the source data (in/out).
    pub uaddr: U64,
    /// 16: remaining length in bytes (in/out).
    pub len: U64,
    /// 24: page type (`type` in the kernel; see [`KvmPageType`]).
    pub page_type: u8,
    /// 25: padding.
    pub pad0: u8,
    /// 26: must be 0.
    pub flags: U16,
    /// 28: padding.
    pub pad1: U32,
    /// 32: padding.
    pub pad2: [U64; 4],
}
assert_offsets!(KvmSnpLaunchUpdate {
    gfn_start: 0,
    uaddr: 8,
    len: 16,
    page_type: 24,
    pad0: 25,
    flags: 26,
    pad1: 28,
    pad2: 32
});
const _: () = assert!(size_of::<KvmSnpLaunchUpdate>() == 64);

impl KvmSnpLaunchUpdate {
    /// An update of `len` bytes at `uaddr` into the guest from frame `gfn_start`.
    pub fn new(gfn_start: u64, uaddr: u64, len: u64, page_type: KvmPageType) -> Self {
        Self {
            gfn_start: U64::new(gfn_start),
            uaddr: U64::new(uaddr),
            len: U64::new(len),
            page_type: page_type.raw(),
            ..Self::default()
        }
    }

    /// The page type, or `None` for a value KVM does not accept.
    pub fn page_type(&self) -> Option<KvmPageType> {
        KvmPageType::from_raw(self.page_type)
    }
}

/// `struct kvm_sev_snp_launch_finish`, the payload of `KVM_SEV_SNP_LAUNCH_FINISH` (88 bytes).
///
/// Note the `vcek_disabled` byte at 18: `host_data` starts at 19.
#[derive(Debug, Clone, PartialEq, Eq, Default, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct KvmSnpLaunchFinish {
    /// 0: userspace address of the 96-byte ID block.
    pub id_block_uaddr: U64,
    /// 8: userspace address of the 4096-byte ID auth info.
    pub id_auth_uaddr: U64,
    /// 16: non-zero to use the ID block.
    pub id_block_en: u8,
    /// 17: non-zero when the ID auth info carries an author key.
    pub auth_key_en: u8,
    /// 18: non-zero to forbid VCEK-signed reports for the guest.
    pub vcek_disabled: u8,
    /// 19: opaque host data, copied into the report.
    pub host_data: [u8; 32],
    /// 51: padding.
    pub pad0: [u8; 3],
    /// 54: must be 0.
    pub flags: U16,
    /// 56: padding.
    pub pad1: [U64; 4],
}
assert_offsets!(KvmSnpLaunchFinish {
    id_block_uaddr: 0,
    id_auth_uaddr: 8,
    id_block_en: 16,
    auth_key_en: 17,
    vcek_disabled: 18,
    host_data: 19,
    pad0: 51,
    flags: 54,
    pad1: 56,
});
const _: () = assert!(size_of::<KvmSnpLaunchFinish>() == 88);

impl KvmSnpLaunchFinish {
    /// A finish with `host_data` and no ID block.
    pub fn new(host_data: [u8; 32]) -> Self {
        Self {
            host_data,
            ..Self::default()
        }
    }

    /// The same payload with an ID block at `id_block_uaddr` and its auth info at
    /// `id_auth_uaddr`; `auth_key` says whether the auth info carries an author key.
    pub fn with_id_block(mut self, id_block_uaddr: u64, id_auth_uaddr: u64, auth_key: bool) -> Self {
        self.id_block_uaddr.set(id_block_uaddr);
        self.id_auth_uaddr.set(id_auth_uaddr);
        self.id_block_en = 1;
        self.auth_key_en = auth_key.into();
        self
    }

    /// The same payload with `vcek_disabled` set or cleared.
    pub fn with_vcek_disabled(mut self, disabled: bool) -> Self {
        self.vcek_disabled = disabled.into();
        self
    }

    /// Whether the ID block is used.
    pub fn id_block_en(&self) -> bool {
        self.id_block_en != 0
    }

    /// Whether an author key is supplied.
    pub fn auth_key_en(&self) -> bool {
        self.auth_key_en != 0
    }

    /// Whether VCEK signing is disabled.
    pub fn vcek_disabled(&self) -> bool {
        self.vcek_disabled != 0
    }

    /// The equivalent firmware flags.
    pub fn firmware_flags(&self) -> SnpLaunchFinishFlags {
        let mut f = SnpLaunchFinishFlags::empty();
        f.set(SnpLaunchFinishFlags::ID_BLOCK_EN, self.id_block_en());
        f.set(SnpLaunchFinishFlags::AUTH_KEY_EN, self.auth_key_en());
        f.set(SnpLaunchFinishFlags::VCEK_DISABLED, self.vcek_disabled());
        f
    }
}

macro_rules! from_bytes_fns {
    ($($ty:ty => $what:literal),* $(,)?) => {$(
        impl $ty {
            /// Size in bytes.
            pub const SIZE: usize = size_of::<$ty>();

            /// Views exactly [`Self::SIZE`] bytes as this structure.
            pub fn ref_from_bytes(bytes: &[u8]) -> Result<&Self, ParseError> {
                super::exact($what, bytes)
            }
        }
    )*};
}
from_bytes_fns!(
    SnpLaunchStart => "SNP_LAUNCH_START buffer",
    SnpLaunchUpdate => "SNP_LAUNCH_UPDATE buffer",
    SnpLaunchFinish => "SNP_LAUNCH_FINISH buffer",
    KvmSevInit => "kvm_sev_init",
    KvmSnpLaunchStart => "kvm_sev_snp_launch_start",
    KvmSnpLaunchUpdate => "kvm_sev_snp_launch_update",
    KvmSnpLaunchFinish => "kvm_sev_snp_launch_finish",
);

#[cfg(feature = "serde")]
mod serde_impls {
    use super::*;
    use crate::fmt::Hex as HexBytes;
    use crate::launch::ser::serialize_fields;

    serialize_fields!(SnpLaunchStart, "SnpLaunchStart", |v| {
        "gctx_paddr" => v.gctx_paddr.get(),
        "policy" => v.policy(),
        "ma_gctx_paddr" => v.ma_gctx_paddr.get(),
        "flags" => v.flags(),
        "desired_tsc_freq" => v.desired_tsc_freq.get(),
        "gosvw" => HexBytes(&v.gosvw),
    });
    serialize_fields!(SnpLaunchUpdate, "SnpLaunchUpdate", |v| {
        "gctx_paddr" => v.gctx_paddr.get(),
        "page_size" => v.page_size(),
        "page_type" => v.page_type(),
        "imi_page" => v.imi_page(),
        "paddr" => v.paddr.get(),
        "vmpl1_perms" => v.vmpl1_perms,
        "vmpl2_perms" => v.vmpl2_perms,
        "vmpl3_perms" => v.vmpl3_perms,
    });
    serialize_fields!(SnpLaunchFinish, "SnpLaunchFinish", |v| {
        "gctx_paddr" => v.gctx_paddr.get(),
        "id_block_paddr" => v.id_block_paddr.get(),
        "id_auth_paddr" => v.id_auth_paddr.get(),
        "flags" => v.flags(),
        "host_data" => HexBytes(&v.host_data),
    });
    serialize_fields!(KvmSevInit, "KvmSevInit", |v| {
        "vmsa_features" => v.vmsa_features.get(),
        "flags" => v.flags.get(),
        "ghcb_version" => v.ghcb_version.get(),
    });
    serialize_fields!(KvmSnpLaunchStart, "KvmSnpLaunchStart", |v| {
        "policy" => v.policy(),
        "gosvw" => HexBytes(&v.gosvw),
        "flags" => v.flags.get(),
    });
    serialize_fields!(KvmSnpLaunchUpdate, "KvmSnpLaunchUpdate", |v| {
        "gfn_start" => v.gfn_start.get(),
        "uaddr" => v.uaddr.get(),
        "len" => v.len.get(),
        "type" => PageType::from_raw(v.page_type),
        "flags" => v.flags.get(),
    });
    serialize_fields!(KvmSnpLaunchFinish, "KvmSnpLaunchFinish", |v| {
        "id_block_uaddr" => v.id_block_uaddr.get(),
        "id_auth_uaddr" => v.id_auth_uaddr.get(),
        "id_block_en" => v.id_block_en(),
        "auth_key_en" => v.auth_key_en(),
        "vcek_disabled" => v.vcek_disabled(),
        "host_data" => HexBytes(&v.host_data),
        "flags" => v.flags.get(),
    });
}
