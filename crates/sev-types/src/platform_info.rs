//! PLATFORM_INFO: how the platform was configured when the report was made (report offset 0x040).

bitflags::bitflags! {
    /// Platform configuration bits. Unknown bits are kept, never rejected: real Turin firmware
    /// sets bit 6, which the published ABI calls reserved.
    ///
    /// ```
    /// use sev_types::platform_info::PlatformInfo;
    /// let turin = PlatformInfo::from_bits_retain(0x67);
    /// assert!(turin.contains(PlatformInfo::BIT6 | PlatformInfo::ALIAS_CHECK_COMPLETE));
    /// assert_eq!(turin.bits(), 0x67);
    /// ```
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct PlatformInfo: u64 {
        /// SMT is enabled.
        const SMT_EN = 1 << 0;
        /// Transparent SME is enabled.
        const TSME_EN = 1 << 1;
        /// The platform uses ECC memory.
        const ECC_EN = 1 << 2;
        /// RAPL is disabled.
        const RAPL_DIS = 1 << 3;
        /// Ciphertext hiding is enabled for DRAM.
        const CIPHERTEXT_HIDING_EN = 1 << 4;
        /// Memory-alias detection completed since the last reset and found no aliasing (report v3+).
        const ALIAS_CHECK_COMPLETE = 1 << 5;
        /// Reserved in the published ABI but set by real Turin firmware (PLATFORM_INFO 0x67).
        const BIT6 = 1 << 6;
        /// SEV-TIO is enabled (report v5).
        const TIO_EN = 1 << 7;
    }
}

impl PlatformInfo {
    /// Bits no ABI revision names (63:8).
    pub const RESERVED_MASK: u64 = !0xFF;

    /// Set bits that no ABI revision names.
    #[inline]
    pub const fn reserved_bits(self) -> u64 {
        self.bits() & Self::RESERVED_MASK
    }
}

impl core::fmt::Display for PlatformInfo {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{:#x}", self.bits())?;
        let mut sep = " (";
        for (name, _) in self.iter_names() {
            write!(f, "{sep}{name}")?;
            sep = ", ";
        }
        if self.reserved_bits() != 0 {
            write!(f, "{sep}reserved bits {:#x}", self.reserved_bits())?;
            sep = ", ";
        }
        if sep == ", " { f.write_str(")") } else { Ok(()) }
    }
}

#[cfg(feature = "serde")]
crate::flags_serde::flags_serde_impl!(PlatformInfo, u64, |_p, _m| { Ok(()) });
