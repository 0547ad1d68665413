//! SNP platform commands: status with decoded TCBs, commit, configuration, VLEK load.
//!
//! SNP_PLATFORM_STATUS does not name the product, and the TCB layout depends on it (Turin adds
//! an FMC SPL and moves the others). So the caller names the product: from its configuration,
//! from the simulator's `HostConfig`, or on a real host from the CPU family and model
//! ([`crate::real::host_product`]). Nothing is guessed from the status itself.

use sev_sys::seam::PlatformDevice;
use sev_types::guest::VlekHashstick;
use sev_types::platform::{MaskId, SnpConfig, SnpPlatformStatus};
use sev_types::tcb::TcbLayout;
use sev_types::{Product, Tcb, TcbVersion};

use super::Platform;
use crate::error::{DeviceResultExt, HostError, parsed};

const HASHSTICK_LEN: usize = size_of::<VlekHashstick>();

/// SNP_PLATFORM_STATUS with both TCBs decoded for the platform's product.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnpStatus {
    /// The status as the firmware returned it (API version, state, flags, guest count, ...).
    pub raw: SnpPlatformStatus,
    /// The product the TCBs were decoded for.
    pub product: Product,
    /// The layout of the product's TCB values.
    pub layout: TcbLayout,
    /// The TCB the platform runs (what SNP_COMMIT makes the minimum).
    pub current_tcb: Tcb,
    /// The TCB put into attestation reports (set by SNP_SET_CONFIG).
    pub reported_tcb: Tcb,
}

/// What SNP_SET_CONFIG should set; validated against the platform before it is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SnpConfigRequest {
    /// The TCB to report; it must not exceed the current TCB in any component.
    pub reported_tcb: TcbVersion,
    /// Zero CHIP_ID in reports (`MASK_CHIP_ID`).
    pub mask_chip_id: bool,
    /// Do not sign reports with the VCEK (`MASK_CHIP_KEY`).
    pub mask_chip_key: bool,
}

impl SnpConfigRequest {
    /// The mask word.
    pub fn mask(&self) -> MaskId {
        let mut mask = MaskId::empty();
        mask.set(MaskId::MASK_CHIP_ID, self.mask_chip_id);
        mask.set(MaskId::MASK_CHIP_KEY, self.mask_chip_key);
        mask
    }
}

fn layout_of(product: Product) -> Result<TcbLayout, HostError> {
    product
        .tcb_layout()
        .ok_or_else(|| HostError::invalid("product", "an SNP-capable product", product.name()))
}

fn check_reserved(what: &'static str, tcb: TcbVersion, layout: TcbLayout) -> Result<(), HostError> {
    if tcb.reserved_bytes(layout).any(|b| b != 0) {
        return Err(HostError::invalid(
            what,
            format!("reserved bytes zero for the {layout:?} TCB layout"),
            format!("{:#018x}", tcb.0),
        ));
    }
    Ok(())
}

/// Checks a wrapped VLEK hashstick before SNP_VLEK_LOAD: exactly 0x1B0 bytes, reserved fields
/// (0x00C..0x010 and 0x198..0x1A0) zero, and the TCB's reserved bytes zero for `product`.
pub fn validate_hashstick(bytes: &[u8], product: Product) -> Result<&VlekHashstick, HostError> {
    if bytes.len() != HASHSTICK_LEN {
        return Err(HostError::invalid(
            "VLEK hashstick length",
            format!("{HASHSTICK_LEN:#x} bytes"),
            format!("{:#x} bytes", bytes.len()),
        ));
    }
    let stick = parsed("VLEK hashstick", VlekHashstick::from_bytes(bytes))?;
    for (what, field) in [
        ("VLEK hashstick reserved bytes 0x00C..0x010", &stick.reserved_00c[..]),
        ("VLEK hashstick reserved bytes 0x198..0x1A0", &stick.reserved_198[..]),
    ] {
        if field.iter().any(|&b| b != 0) {
            return Err(HostError::invalid(what, "all zero", format!("{field:02x?}")));
        }
    }
    check_reserved("VLEK hashstick TCB", stick.tcb_version(), layout_of(product)?)?;
    Ok(stick)
}

impl<D: PlatformDevice> Platform<D> {
    /// SNP_PLATFORM_STATUS, with the TCBs decoded for `product`.
    pub fn snp_status(&mut self, product: Product) -> Result<SnpStatus, HostError> {
        let layout = layout_of(product)?;
        let raw = self.dev.snp_platform_status().step("SNP_PLATFORM_STATUS")?;
        Ok(SnpStatus {
            product,
            layout,
            current_tcb: raw.current_tcb().decode(layout),
            reported_tcb: raw.reported_tcb().decode(layout),
            raw,
        })
    }

    /// SNP_COMMIT: the current firmware and TCB become the minimum the platform accepts.
    pub fn snp_commit(&mut self) -> Result<(), HostError> {
        self.dev.snp_commit().step("SNP_COMMIT")
    }

    /// SNP_SET_CONFIG, after checking that the reported TCB has no reserved bits set for
    /// `product` and does not exceed the current TCB in any component.
    pub fn snp_set_config(&mut self, product: Product, request: &SnpConfigRequest) -> Result<SnpConfig, HostError> {
        let status = self.snp_status(product)?;
        check_reserved("reported TCB", request.reported_tcb, status.layout)?;
        let wanted = request.reported_tcb.decode(status.layout);
        if !status.current_tcb.dominates(&wanted) {
            return Err(HostError::invalid(
                "reported TCB",
                format!("at most the current TCB ({})", status.current_tcb),
                wanted.to_string(),
            ));
        }
        let config = SnpConfig::new(request.reported_tcb, request.mask());
        self.dev.snp_set_config(&config).step("SNP_SET_CONFIG")?;
        Ok(config)
    }

    /// SNP_SET_CONFIG back to the defaults: the current TCB reported, nothing masked.
    pub fn snp_reset_config(&mut self, product: Product) -> Result<SnpConfig, HostError> {
        let current = self.snp_status(product)?.raw.current_tcb();
        self.snp_set_config(
            product,
            &SnpConfigRequest {
                reported_tcb: current,
                mask_chip_id: false,
                mask_chip_key: false,
            },
        )
    }

    /// SNP_VLEK_LOAD of a wrapped hashstick, validated by [`validate_hashstick`] first.
    pub fn snp_vlek_load(&mut self, product: Product, hashstick: &[u8]) -> Result<(), HostError> {
        let stick = validate_hashstick(hashstick, product)?;
        self.dev.snp_vlek_load(stick).step("SNP_VLEK_LOAD")
    }
}
