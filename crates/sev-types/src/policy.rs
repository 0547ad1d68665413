//! GUEST_POLICY: the 64-bit SNP guest policy (report offset 0x008, SNP_LAUNCH_START).

bitflags::bitflags! {
    /// The SNP guest policy.
    ///
    /// Bits 7:0 and 15:8 hold the minimum firmware ABI minor and major version
    /// ([`GuestPolicy::abi_minor`], [`GuestPolicy::abi_major`]). Unknown bits are kept
    /// (`from_bits_retain`), never rejected.
    ///
    /// ```
    /// use sev_types::policy::GuestPolicy;
    /// let p = GuestPolicy::from_bits_retain(0x3001f);
    /// assert!(p.contains(GuestPolicy::SMT | GuestPolicy::RESERVED_MBO));
    /// assert!(!p.contains(GuestPolicy::DEBUG));
    /// assert_eq!((p.abi_major(), p.abi_minor()), (0, 0x1f));
    /// ```
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct GuestPolicy: u64 {
        /// The host may use SMT (simultaneous multithreading).
        const SMT = 1 << 16;
        /// Reserved; must be one.
        const RESERVED_MBO = 1 << 17;
        /// The guest may be associated with a migration agent.
        const MIGRATE_MA = 1 << 18;
        /// Host debugging (SNP_DBG_DECRYPT/ENCRYPT) is allowed.
        const DEBUG = 1 << 19;
        /// The guest may run on one socket only.
        const SINGLE_SOCKET = 1 << 20;
        /// CXL may be populated with devices or memory.
        const CXL_ALLOW = 1 << 21;
        /// AES-256-XTS memory encryption is required.
        const MEM_AES_256_XTS = 1 << 22;
        /// Running Average Power Limit (RAPL) must be disabled.
        const RAPL_DIS = 1 << 23;
        /// Ciphertext hiding for DRAM must be enabled.
        const CIPHERTEXT_HIDING = 1 << 24;
        /// Guest pages may not be swapped or moved (ABI 1.58, report v5).
        const PAGE_SWAP_DISABLE = 1 << 25;
    }
}

impl GuestPolicy {
    /// Bits that no ABI revision defines (63:26); they must be zero.
    pub const RESERVED_MASK: u64 = !((1u64 << 26) - 1);

    /// Minimum firmware ABI minor version (bits 7:0).
    #[inline]
    pub const fn abi_minor(self) -> u8 {
        self.bits() as u8
    }

    /// Minimum firmware ABI major version (bits 15:8).
    #[inline]
    pub const fn abi_major(self) -> u8 {
        (self.bits() >> 8) as u8
    }

    /// The same policy with the ABI version replaced.
    #[inline]
    pub const fn with_abi(self, major: u8, minor: u8) -> Self {
        Self::from_bits_retain((self.bits() & !0xFFFF) | ((major as u64) << 8) | minor as u64)
    }

    /// Set bits that no ABI revision defines.
    #[inline]
    pub const fn reserved_bits(self) -> u64 {
        self.bits() & Self::RESERVED_MASK
    }
}

impl core::fmt::Display for GuestPolicy {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{:#x} (abi {}.{}", self.bits(), self.abi_major(), self.abi_minor())?;
        for (name, _) in self.iter_names() {
            write!(f, ", {name}")?;
        }
        if self.reserved_bits() != 0 {
            write!(f, ", reserved bits {:#x}", self.reserved_bits())?;
        }
        f.write_str(")")
    }
}

#[cfg(feature = "serde")]
crate::flags_serde::flags_serde_impl!(GuestPolicy, u64, |p, m| {
    m.serialize_entry("abi_major", &p.abi_major())?;
    m.serialize_entry("abi_minor", &p.abi_minor())
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn abi_fields_and_unknown_bits_survive() {
        let p = GuestPolicy::from_bits_retain(0xF000_0000_0003_0105);
        assert_eq!(p.abi_major(), 1);
        assert_eq!(p.abi_minor(), 5);
        assert_eq!(p.reserved_bits(), 0xF000_0000_0000_0000);
        assert_eq!(p.bits(), 0xF000_0000_0003_0105);
        assert_eq!(p.with_abi(2, 0).bits(), 0xF000_0000_0003_0200);
    }
}
