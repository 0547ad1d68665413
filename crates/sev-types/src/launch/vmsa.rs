//! The VMSA (VM save area): the 4 KiB page that holds a vCPU's register state under SEV-ES and
//! SEV-SNP.
//!
//! For SEV-ES and SNP the hypervisor cannot touch guest registers after launch, so the initial
//! state of every vCPU is encrypted and measured as one page. Its layout follows the AMD APM
//! vol. 2 table B-4 ("VMSA layout, state save area for SEV-ES"); the offsets below are asserted at
//! compile time. Measurement tools fill a handful of fields and leave the rest zero.
//!
//! ```
//! use sev_types::launch::vmsa::{SaveArea, VmcbSegment};
//! use zerocopy::IntoBytes;
//!
//! let mut vmsa = SaveArea::zeroed();
//! vmsa.cs = VmcbSegment::new(0xF000, 0x9B, 0xFFFF, 0xFFFF_0000);
//! vmsa.rip.set(0xFFF0);
//! let page = vmsa.as_bytes();
//! assert_eq!(page.len(), 4096);
//! assert_eq!(&page[0x10..0x12], &[0x00, 0xF0]); // CS selector, little-endian
//! assert_eq!(&page[0x178..0x17A], &[0xF0, 0xFF]); // RIP
//! ```

use zerocopy::{FromBytes, FromZeros, Immutable, IntoBytes, KnownLayout, Unaligned};

use crate::{ParseError, U16, U32, U64};

/// A segment register as the VMCB and VMSA store it (16 bytes): selector, attributes, limit, base.
///
/// The attribute word is the packed form used by SVM: bits 7:0 are the descriptor type/S/DPL/P
/// byte and bits 11:8 are AVL/L/D/G.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct VmcbSegment {
    /// Segment selector.
    pub selector: U16,
    /// Packed attributes.
    pub attrib: U16,
    /// Segment limit.
    pub limit: U32,
    /// Segment base address.
    pub base: U64,
}

const _: () = assert!(size_of::<VmcbSegment>() == 16);

impl VmcbSegment {
    /// A segment with the given selector, attributes, limit and base.
    pub const fn new(selector: u16, attrib: u16, limit: u32, base: u64) -> Self {
        Self {
            selector: U16::new(selector),
            attrib: U16::new(attrib),
            limit: U32::new(limit),
            base: U64::new(base),
        }
    }
}

/// The SEV-ES / SEV-SNP save area (one 4 KiB page).
///
/// Field names follow the APM; `reserved_0xNNN` fields are named after their offset.
#[derive(Debug, Clone, PartialEq, Eq, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct SaveArea {
    /// ES segment (0x000).
    pub es: VmcbSegment,
    /// CS segment (0x010).
    pub cs: VmcbSegment,
    /// SS segment (0x020).
    pub ss: VmcbSegment,
    /// DS segment (0x030).
    pub ds: VmcbSegment,
    /// FS segment (0x040).
    pub fs: VmcbSegment,
    /// GS segment (0x050).
    pub gs: VmcbSegment,
    /// GDTR (0x060).
    pub gdtr: VmcbSegment,
    /// LDTR (0x070).
    pub ldtr: VmcbSegment,
    /// IDTR (0x080).
    pub idtr: VmcbSegment,
    /// TR (0x090).
    pub tr: VmcbSegment,
    /// Shadow-stack pointer for VMPL0 (0x0A0).
    pub vmpl0_ssp: U64,
    /// Shadow-stack pointer for VMPL1 (0x0A8).
    pub vmpl1_ssp: U64,
    /// Shadow-stack pointer for VMPL2 (0x0B0).
    pub vmpl2_ssp: U64,
    /// Shadow-stack pointer for VMPL3 (0x0B8).
    pub vmpl3_ssp: U64,
    /// U_CET MSR (0x0C0).
    pub u_cet: U64,
    /// Reserved (0x0C8).
    pub reserved_0x0c8: [u8; 2],
    /// VMPL the vCPU runs at (0x0CA).
    pub vmpl: u8,
    /// Current privilege level (0x0CB).
    pub cpl: u8,
    /// Reserved (0x0CC).
    pub reserved_0x0cc: [u8; 4],
    /// EFER (0x0D0).
    pub efer: U64,
    /// Reserved (0x0D8).
    pub reserved_0x0d8: [u8; 104],
    /// XSS MSR (0x140).
    pub xss: U64,
    /// CR4 (0x148).
    pub cr4: U64,
    /// CR3 (0x150).
    pub cr3: U64,
    /// CR0 (0x158).
    pub cr0: U64,
    /// DR7 (0x160).
    pub dr7: U64,
    /// DR6 (0x168).
    pub dr6: U64,
    /// RFLAGS (0x170).
    pub rflags: U64,
    /// RIP (0x178).
    pub rip: U64,
    /// DR0 (0x180).
    pub dr0: U64,
    /// DR1 (0x188).
    pub dr1: U64,
    /// DR2 (0x190).
    pub dr2: U64,
    /// DR3 (0x198).
    pub dr3: U64,
    /// DR0 address mask (0x1A0).
    pub dr0_addr_mask: U64,
    /// DR1 address mask (0x1A8).
    pub dr1_addr_mask: U64,
    /// DR2 address mask (0x1B0).
    pub dr2_addr_mask: U64,
    /// DR3 address mask (0x1B8).
    pub dr3_addr_mask: U64,
    /// Reserved (0x1C0).
    pub reserved_0x1c0: [u8; 24],
    /// RSP (0x1D8).
    pub rsp: U64,
    /// S_CET MSR (0x1E0).
    pub s_cet: U64,
    /// Shadow-stack pointer (0x1E8).
    pub ssp: U64,
    /// Interrupt SSP table address (0x1F0).
    pub isst_addr: U64,
    /// RAX (0x1F8).
    pub rax: U64,
    /// STAR MSR (0x200).
    pub star: U64,
    /// LSTAR MSR (0x208).
    pub lstar: U64,
    /// CSTAR MSR (0x210).
    pub cstar: U64,
    /// SFMASK MSR (0x218).
    pub sfmask: U64,
    /// KERNEL_GS_BASE MSR (0x220).
    pub kernel_gs_base: U64,
    /// SYSENTER_CS MSR (0x228).
    pub sysenter_cs: U64,
    /// SYSENTER_ESP MSR (0x230).
    pub sysenter_esp: U64,
    /// SYSENTER_EIP MSR (0x238).
    pub sysenter_eip: U64,
    /// CR2 (0x240).
    pub cr2: U64,
    /// Reserved (0x248).
    pub reserved_0x248: [u8; 32],
    /// Guest PAT MSR (0x268).
    pub g_pat: U64,
    /// DBGCTL MSR (0x270).
    pub dbgctl: U64,
    /// BR_FROM (0x278).
    pub br_from: U64,
    /// BR_TO (0x280).
    pub br_to: U64,
    /// LASTEXCPFROM (0x288).
    pub last_excp_from: U64,
    /// LASTEXCPTO (0x290).
    pub last_excp_to: U64,
    /// Reserved (0x298).
    pub reserved_0x298: [u8; 80],
    /// PKRU (0x2E8).
    pub pkru: U32,
    /// TSC_AUX MSR (0x2EC).
    pub tsc_aux: U32,
    /// Reserved (0x2F0).
    pub reserved_0x2f0: [u8; 24],
    /// RCX (0x308).
    pub rcx: U64,
    /// RDX (0x310); at reset it holds the CPUID(1).EAX processor signature.
    pub rdx: U64,
    /// RBX (0x318).
    pub rbx: U64,
    /// Reserved (0x320).
    pub reserved_0x320: U64,
    /// RBP (0x328).
    pub rbp: U64,
    /// RSI (0x330).
    pub rsi: U64,
    /// RDI (0x338).
    pub rdi: U64,
    /// R8 (0x340).
    pub r8: U64,
    /// R9 (0x348).
    pub r9: U64,
    /// R10 (0x350).
    pub r10: U64,
    /// R11 (0x358).
    pub r11: U64,
    /// R12 (0x360).
    pub r12: U64,
    /// R13 (0x368).
    pub r13: U64,
    /// R14 (0x370).
    pub r14: U64,
    /// R15 (0x378).
    pub r15: U64,
    /// Reserved (0x380).
    pub reserved_0x380: [u8; 16],
    /// GUEST_EXIT_INFO1 (0x390).
    pub guest_exit_info_1: U64,
    /// GUEST_EXIT_INFO2 (0x398).
    pub guest_exit_info_2: U64,
    /// GUEST_EXIT_INT_INFO (0x3A0).
    pub guest_exit_int_info: U64,
    /// Guest next RIP (0x3A8).
    pub guest_nrip: U64,
    /// SEV_FEATURES (0x3B0): the guest features chosen at launch.
    pub sev_features: U64,
    /// Virtual interrupt control (0x3B8).
    pub vintr_ctrl: U64,
    /// GUEST_EXIT_CODE (0x3C0).
    pub guest_exit_code: U64,
    /// Virtual top of memory (0x3C8).
    pub virtual_tom: U64,
    /// TLB_ID (0x3D0).
    pub tlb_id: U64,
    /// PCPU_ID (0x3D8).
    pub pcpu_id: U64,
    /// EVENTINJ (0x3E0).
    pub event_inj: U64,
    /// XCR0 (0x3E8).
    pub xcr0: U64,
    /// Reserved (0x3F0).
    pub reserved_0x3f0: [u8; 16],
    /// x87 data pointer (0x400).
    pub x87_dp: U64,
    /// MXCSR (0x408).
    pub mxcsr: U32,
    /// x87 tag word (0x40C).
    pub x87_ftw: U16,
    /// x87 status word (0x40E).
    pub x87_fsw: U16,
    /// x87 control word (0x410).
    pub x87_fcw: U16,
    /// x87 last opcode (0x412).
    pub x87_fop: U16,
    /// x87 data segment (0x414).
    pub x87_ds: U16,
    /// x87 code segment (0x416).
    pub x87_cs: U16,
    /// x87 instruction pointer (0x418).
    pub x87_rip: U64,
    /// x87 registers ST0..ST7, 10 bytes each (0x420).
    pub fpreg_x87: [u8; 80],
    /// XMM0..XMM15 (0x470).
    pub fpreg_xmm: [u8; 256],
    /// Upper halves of YMM0..YMM15 (0x570).
    pub fpreg_ymm: [u8; 256],
    /// The rest of the page (0x670), reserved.
    pub reserved_0x670: [u8; 2448],
}

super::assert_offsets!(SaveArea {
    es: 0x000,
    cs: 0x010,
    ss: 0x020,
    ds: 0x030,
    fs: 0x040,
    gs: 0x050,
    gdtr: 0x060,
    ldtr: 0x070,
    idtr: 0x080,
    tr: 0x090,
    vmpl0_ssp: 0x0A0,
    vmpl1_ssp: 0x0A8,
    vmpl2_ssp: 0x0B0,
    vmpl3_ssp: 0x0B8,
    u_cet: 0x0C0,
    vmpl: 0x0CA,
    cpl: 0x0CB,
    efer: 0x0D0,
    xss: 0x140,
    cr4: 0x148,
    cr3: 0x150,
    cr0: 0x158,
    dr7: 0x160,
    dr6: 0x168,
    rflags: 0x170,
    rip: 0x178,
    dr0: 0x180,
    dr1: 0x188,
    dr2: 0x190,
    dr3: 0x198,
    dr0_addr_mask: 0x1A0,
    dr3_addr_mask: 0x1B8,
    rsp: 0x1D8,
    s_cet: 0x1E0,
    ssp: 0x1E8,
    isst_addr: 0x1F0,
    rax: 0x1F8,
    star: 0x200,
    lstar: 0x208,
    cstar: 0x210,
    sfmask: 0x218,
    kernel_gs_base: 0x220,
    sysenter_cs: 0x228,
    sysenter_esp: 0x230,
    sysenter_eip: 0x238,
    cr2: 0x240,
    g_pat: 0x268,
    dbgctl: 0x270,
    br_from: 0x278,
    br_to: 0x280,
    last_excp_from: 0x288,
    last_excp_to: 0x290,
    pkru: 0x2E8,
    tsc_aux: 0x2EC,
    rcx: 0x308,
    rdx: 0x310,
    rbx: 0x318,
    rbp: 0x328,
    rsi: 0x330,
    rdi: 0x338,
    r8: 0x340,
    r15: 0x378,
    guest_exit_info_1: 0x390,
    guest_exit_info_2: 0x398,
    guest_exit_int_info: 0x3A0,
    guest_nrip: 0x3A8,
    sev_features: 0x3B0,
    vintr_ctrl: 0x3B8,
    guest_exit_code: 0x3C0,
    virtual_tom: 0x3C8,
    tlb_id: 0x3D0,
    pcpu_id: 0x3D8,
    event_inj: 0x3E0,
    xcr0: 0x3E8,
    x87_dp: 0x400,
    mxcsr: 0x408,
    x87_ftw: 0x40C,
    x87_fsw: 0x40E,
    x87_fcw: 0x410,
    x87_fop: 0x412,
    x87_ds: 0x414,
    x87_cs: 0x416,
    x87_rip: 0x418,
    fpreg_x87: 0x420,
    fpreg_xmm: 0x470,
    fpreg_ymm: 0x570,
    reserved_0x670: 0x670,
});
const _: () = assert!(size_of::<SaveArea>() == SaveArea::SIZE);

impl SaveArea {
    /// Size of the page in bytes.
    pub const SIZE: usize = 4096;

    /// An all-zero save area.
    pub fn zeroed() -> Self {
        <Self as FromZeros>::new_zeroed()
    }

    /// Views exactly 4096 bytes (for example a dumped `vmsa0.bin`) as a save area.
    pub fn ref_from_bytes(bytes: &[u8]) -> Result<&Self, ParseError> {
        super::exact("VMSA", bytes)
    }

    /// Copies exactly 4096 bytes into an owned save area.
    pub fn read_from_bytes(bytes: &[u8]) -> Result<Self, ParseError> {
        Self::ref_from_bytes(bytes).cloned()
    }

    /// The names, offsets and sizes of every field whose bytes differ between `self` and
    /// `other`, in offset order.
    ///
    /// Useful to explain why two VMSA pages hash differently.
    pub fn diff_fields<'a>(&'a self, other: &'a SaveArea) -> impl Iterator<Item = FieldSpan> + 'a {
        let (a, b) = (self.as_bytes(), other.as_bytes());
        fields().filter(move |f| a[f.offset..f.offset + f.size] != b[f.offset..f.offset + f.size])
    }
}

/// A field of the save area: its name, byte offset and size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldSpan {
    /// APM field name (`reserved_0xNNN` for reserved ranges).
    pub name: &'static str,
    /// Byte offset in the page.
    pub offset: usize,
    /// Size in bytes.
    pub size: usize,
}

macro_rules! field_offsets {
    ($($name:ident),* $(,)?) => {
        const FIELD_OFFSETS: &[(&str, usize)] = &[$((stringify!($name), core::mem::offset_of!(SaveArea, $name)),)*];
    };
}

field_offsets!(
    es,
    cs,
    ss,
    ds,
    fs,
    gs,
    gdtr,
    ldtr,
    idtr,
    tr,
    vmpl0_ssp,
    vmpl1_ssp,
    vmpl2_ssp,
    vmpl3_ssp,
    u_cet,
    reserved_0x0c8,
    vmpl,
    cpl,
    reserved_0x0cc,
    efer,
    reserved_0x0d8,
    xss,
    cr4,
    cr3,
    cr0,
    dr7,
    dr6,
    rflags,
    rip,
    dr0,
    dr1,
    dr2,
    dr3,
    dr0_addr_mask,
    dr1_addr_mask,
    dr2_addr_mask,
    dr3_addr_mask,
    reserved_0x1c0,
    rsp,
    s_cet,
    ssp,
    isst_addr,
    rax,
    star,
    lstar,
    cstar,
    sfmask,
    kernel_gs_base,
    sysenter_cs,
    sysenter_esp,
    sysenter_eip,
    cr2,
    reserved_0x248,
    g_pat,
    dbgctl,
    br_from,
    br_to,
    last_excp_from,
    last_excp_to,
    reserved_0x298,
    pkru,
    tsc_aux,
    reserved_0x2f0,
    rcx,
    rdx,
    rbx,
    reserved_0x320,
    rbp,
    rsi,
    rdi,
    r8,
    r9,
    r10,
    r11,
    r12,
    r13,
    r14,
    r15,
    reserved_0x380,
    guest_exit_info_1,
    guest_exit_info_2,
    guest_exit_int_info,
    guest_nrip,
    sev_features,
    vintr_ctrl,
    guest_exit_code,
    virtual_tom,
    tlb_id,
    pcpu_id,
    event_inj,
    xcr0,
    reserved_0x3f0,
    x87_dp,
    mxcsr,
    x87_ftw,
    x87_fsw,
    x87_fcw,
    x87_fop,
    x87_ds,
    x87_cs,
    x87_rip,
    fpreg_x87,
    fpreg_xmm,
    fpreg_ymm,
    reserved_0x670,
);

/// Every field of [`SaveArea`], reserved ranges included, in offset order.
pub fn fields() -> impl Iterator<Item = FieldSpan> {
    FIELD_OFFSETS.iter().enumerate().map(|(i, &(name, offset))| {
        let end = FIELD_OFFSETS.get(i + 1).map_or(SaveArea::SIZE, |&(_, next)| next);
        FieldSpan {
            name,
            offset,
            size: end - offset,
        }
    })
}

/// Serializes as `{selector, attrib, limit, base}`.
#[cfg(feature = "serde")]
impl serde::Serialize for VmcbSegment {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("VmcbSegment", 4)?;
        st.serialize_field("selector", &self.selector.get())?;
        st.serialize_field("attrib", &self.attrib.get())?;
        st.serialize_field("limit", &self.limit.get())?;
        st.serialize_field("base", &self.base.get())?;
        st.end()
    }
}

/// Serializes every named field of [`fields`] as lowercase hex of its bytes as stored
/// (little-endian), reserved ranges included, so two dumps can be compared field by field.
#[cfg(feature = "serde")]
impl serde::Serialize for SaveArea {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        use zerocopy::IntoBytes as _;
        let bytes = self.as_bytes();
        let mut m = s.serialize_map(None)?;
        for f in fields() {
            m.serialize_entry(f.name, &crate::fmt::Hex(&bytes[f.offset..f.offset + f.size]))?;
        }
        m.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_table_is_ordered_and_sized_by_type() {
        let all: std::vec::Vec<_> = fields().collect();
        assert_eq!(all[0].offset, 0);
        assert!(all.windows(2).all(|w| w[0].offset < w[1].offset));
        let size = |n: &str| all.iter().find(|f| f.name == n).unwrap().size;
        assert_eq!(size("cs"), 16);
        assert_eq!(size("vmpl"), 1);
        assert_eq!(size("mxcsr"), 4);
        assert_eq!(size("x87_fcw"), 2);
        assert_eq!(size("rip"), 8);
        assert_eq!(size("fpreg_xmm"), 256);
        assert_eq!(size("reserved_0x670"), 2448);
    }

    #[test]
    fn diff_names_changed_fields_only() {
        let a = SaveArea::zeroed();
        let mut b = a.clone();
        b.rdx.set(0x800F12);
        b.cs.attrib.set(0x9A);
        let names: std::vec::Vec<_> = a.diff_fields(&b).map(|f| f.name).collect();
        assert_eq!(names, ["cs", "rdx"]);
    }

    #[test]
    fn wrong_lengths_are_errors() {
        assert!(matches!(
            SaveArea::ref_from_bytes(&[0; 4095]),
            Err(ParseError::Truncated {
                need: 4096,
                got: 4095,
                ..
            })
        ));
        assert!(matches!(
            SaveArea::ref_from_bytes(&[0; 4097]),
            Err(ParseError::BadLength { .. })
        ));
        assert!(SaveArea::ref_from_bytes(&[0; 4096]).is_ok());
    }
}
