//! The simulated guest: every value the secure processor puts into its reports and mixes into
//! its derived keys.

use sev_types::Product;
use sev_types::platform_info::PlatformInfo;
use sev_types::policy::GuestPolicy;
use sev_types::tcb::{TcbLayout, TcbVersion};

/// Which endorsement key signs the guest's reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endorser {
    /// The chip's VCEK (certificate from the fake ASK, hwID = CHIP_ID).
    Vcek,
    /// A VLEK loaded by a cloud provider: reports carry SIGNING_KEY = 1 and a masked (all-zero)
    /// CHIP_ID; the certificate comes from the fake ASVK and names `csp_id`.
    Vlek {
        /// The cspID extension of the VLEK certificate.
        csp_id: String,
    },
}

/// Everything the simulated secure processor knows about one guest. All fields are public:
/// change any of them (through [`crate::Sim::config_mut`] once the simulator exists).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GuestConfig {
    /// The processor (Milan, Genoa, Bergamo/Siena or Turin): CPUID fields, TCB layout, PKI.
    pub product: Product,
    /// Report VERSION: 2 (no CPUID), 3 (CPUID) or 5 (CPUID and mitigation vectors).
    pub report_version: u32,
    /// Guest POLICY.
    pub policy: u64,
    /// Launch MEASUREMENT.
    pub measurement: [u8; 48],
    /// HOST_DATA.
    pub host_data: [u8; 32],
    /// FAMILY_ID from the ID block.
    pub family_id: [u8; 16],
    /// IMAGE_ID from the ID block.
    pub image_id: [u8; 16],
    /// ID_KEY_DIGEST.
    pub id_key_digest: [u8; 48],
    /// AUTHOR_KEY_DIGEST; `Some` also sets KEY_INFO.AUTHOR_KEY_EN.
    pub author_key_digest: Option<[u8; 48]>,
    /// GUEST_SVN from the ID block (derived-key requests may ask for at most this).
    pub guest_svn: u32,
    /// CURRENT_TCB.
    pub current_tcb: TcbVersion,
    /// REPORTED_TCB (the TCB the VCEK/VLEK certificate is issued for).
    pub reported_tcb: TcbVersion,
    /// COMMITTED_TCB (derived-key requests may ask for at most this, component by component).
    pub committed_tcb: TcbVersion,
    /// LAUNCH_TCB.
    pub launch_tcb: TcbVersion,
    /// PLATFORM_INFO.
    pub platform_info: u64,
    /// The VMPL the guest runs at: report and key requests for a lower (more privileged) VMPL
    /// are refused with INVALID_PARAM.
    pub vmpl: u32,
    /// The key that signs reports.
    pub endorser: Endorser,
    /// The chip's CHIP_ID (also the hwID of the VCEK; masked in VLEK reports).
    pub chip_id: [u8; 64],
    /// REPORT_ID.
    pub report_id: [u8; 32],
    /// REPORT_ID_MA.
    pub report_id_ma: [u8; 32],
    /// Running firmware (major, minor, build).
    pub current_version: (u8, u8, u8),
    /// Committed firmware (major, minor, build).
    pub committed_version: (u8, u8, u8),
    /// LAUNCH_MIT_VECTOR (report v5).
    pub launch_mit_vector: u64,
    /// CURRENT_MIT_VECTOR (report v5).
    pub current_mit_vector: u64,
    /// Whether the certificate table of extended reports ends with a CRL from the fake ARK.
    pub include_crl: bool,
    /// The platform's MASK_CHIP_ID (SNP_SET_CONFIG): CHIP_ID is all zero in every report (the
    /// VCEK certificate keeps the real hwID).
    pub mask_chip_id: bool,
    /// The platform's MASK_CHIP_KEY (SNP_SET_CONFIG): KEY_INFO.MASK_CHIP_KEY is set and the
    /// VCEK signs nothing; a report the VCEK would sign comes back unsigned (SIGNING_KEY 7,
    /// zero signature).
    pub mask_chip_key: bool,
    /// VCEK_DISABLED from SNP_LAUNCH_FINISH: reports that need the VCEK (KEY_SEL VCEK, or AUTO
    /// without a loaded VLEK) are refused with INVALID_KEY.
    pub vcek_disabled: bool,
}

impl GuestConfig {
    /// A VCEK-signed v5 guest on `product` at VMPL 0: policy 0x30000 (SMT allowed, bit 17),
    /// measurement `0x11…`, host data `0x22…`, CHIP_ID `01 02 03 …` over the product's hwID
    /// length, TCB bl=4 tee=1 snp=24 ucode=219 (Turin: fmc=3 bl=4 tee=1 snp=24 ucode=219) for
    /// all four TCBs, firmware 1.55.3, and a certificate table without CRL.
    pub fn new(product: Product) -> Self {
        let mut chip_id = [0u8; 64];
        for (i, b) in chip_id[..product.hwid_len().min(64)].iter_mut().enumerate() {
            *b = i as u8 + 1;
        }
        let tcb = match product.tcb_layout() {
            Some(TcbLayout::Turin) => TcbVersion(0xdb00_0000_1801_0403),
            _ => TcbVersion(0xdb18_0000_0000_0104),
        };
        GuestConfig {
            product,
            report_version: 5,
            policy: (GuestPolicy::RESERVED_MBO | GuestPolicy::SMT).bits(),
            measurement: [0x11; 48],
            host_data: [0x22; 32],
            family_id: [0; 16],
            image_id: [0; 16],
            id_key_digest: [0; 48],
            author_key_digest: None,
            guest_svn: 0,
            current_tcb: tcb,
            reported_tcb: tcb,
            committed_tcb: tcb,
            launch_tcb: tcb,
            platform_info: (PlatformInfo::SMT_EN | PlatformInfo::ECC_EN).bits(),
            vmpl: 0,
            endorser: Endorser::Vcek,
            chip_id,
            report_id: [0x33; 32],
            report_id_ma: [0xFF; 32],
            current_version: (1, 55, 3),
            committed_version: (1, 55, 3),
            launch_mit_vector: 0,
            current_mit_vector: 0,
            include_crl: false,
            mask_chip_id: false,
            mask_chip_key: false,
            vcek_disabled: false,
        }
    }

    /// The same guest with reports signed by a VLEK issued to `csp_id`.
    pub fn with_vlek(mut self, csp_id: &str) -> Self {
        self.endorser = Endorser::Vlek {
            csp_id: csp_id.to_string(),
        };
        self
    }

    /// The same guest with report VERSION `version`.
    pub fn with_report_version(mut self, version: u32) -> Self {
        self.report_version = version;
        self
    }

    /// The same guest running at `vmpl`.
    pub fn with_vmpl(mut self, vmpl: u32) -> Self {
        self.vmpl = vmpl;
        self
    }
}
