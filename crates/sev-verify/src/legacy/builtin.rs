//! AMD's SEV-format ARK and ASK of every product generation, built in.

use core::fmt;

use sev_types::legacy::AmdCertificate;

/// Built-in data from this crate's own `data/` directory (byte-identical copies of the
/// workspace's `fixtures/`, checked by `tests/builtin_data.rs`).
macro_rules! cert {
    ($product:literal, $file:literal) => {
        include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/data/sev-legacy/",
            $product,
            "/",
            $file
        ))
    };
}

/// An AMD EPYC generation with its own SEV signing keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Generation {
    /// EPYC 7001 (Zen 1): RSA-2048 ARK/ASK, SHA-256 signatures.
    Naples,
    /// EPYC 7002 (Zen 2): RSA-4096, SHA-384, as all later generations.
    Rome,
    /// EPYC 7003 (Zen 3).
    Milan,
    /// EPYC 9004 (Zen 4), also Bergamo and Siena.
    Genoa,
    /// EPYC 9005 (Zen 5).
    Turin,
}

impl Generation {
    /// Every generation, oldest first.
    pub const ALL: [Generation; 5] = [
        Generation::Naples,
        Generation::Rome,
        Generation::Milan,
        Generation::Genoa,
        Generation::Turin,
    ];

    /// Product name.
    pub const fn name(self) -> &'static str {
        match self {
            Generation::Naples => "Naples",
            Generation::Rome => "Rome",
            Generation::Milan => "Milan",
            Generation::Genoa => "Genoa",
            Generation::Turin => "Turin",
        }
    }

    /// The built-in ARK in AMD's SEV format, as published by AMD.
    pub const fn ark_bytes(self) -> &'static [u8] {
        match self {
            Generation::Naples => cert!("naples", "ark.cert"),
            Generation::Rome => cert!("rome", "ark.cert"),
            Generation::Milan => cert!("milan", "ark.cert"),
            Generation::Genoa => cert!("genoa", "ark.cert"),
            Generation::Turin => cert!("turin", "ark.cert"),
        }
    }

    /// The built-in ASK in AMD's SEV format, as published by AMD.
    pub const fn ask_bytes(self) -> &'static [u8] {
        match self {
            Generation::Naples => cert!("naples", "ask.cert"),
            Generation::Rome => cert!("rome", "ask.cert"),
            Generation::Milan => cert!("milan", "ask.cert"),
            Generation::Genoa => cert!("genoa", "ask.cert"),
            Generation::Turin => cert!("turin", "ask.cert"),
        }
    }

    /// The built-in ARK, parsed.
    ///
    /// ```
    /// use sev_verify::legacy::Generation;
    /// use sev_verify::sev_types::legacy::Usage;
    /// for g in Generation::ALL {
    ///     assert_eq!(g.ark().key_usage(), Usage::Ark);
    ///     assert_eq!(g.ask().certifying_id(), g.ark().key_id());
    /// }
    /// assert_eq!(Generation::Naples.ark().modulus_bits(), 2048);
    /// ```
    pub fn ark(self) -> AmdCertificate<'static> {
        parse_builtin(self.ark_bytes())
    }

    /// The built-in ASK, parsed.
    pub fn ask(self) -> AmdCertificate<'static> {
        parse_builtin(self.ask_bytes())
    }
}

impl fmt::Display for Generation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

fn parse_builtin(bytes: &'static [u8]) -> AmdCertificate<'static> {
    // The built-in files are fixed at compile time; tests parse and verify every one of them.
    AmdCertificate::from_bytes(bytes).expect("built-in AMD certificate parses")
}
