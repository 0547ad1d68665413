//! Legacy certificates recognised by their content, gathered into one set and verified as far
//! as they reach.

use alloc::vec::Vec;
use core::fmt;

use sev_types::fmt::Hex;
use sev_types::legacy::{AmdCertificate, SevCertificate, Usage};

use super::chain::{builtin_root, detect_generation, verify_ark, verify_ask, verify_cek, verify_signed_by};
use super::{Generation, LegacyError, Signer};
use crate::crypto::CryptoProvider;

/// One certificate of the legacy chain, in whichever of its two formats it came.
///
/// Only [`LegacyCert::recognize_prefix`] and [`split_certificates`] make one, so its usage is
/// always one of PDH, PEK, OCA, CEK (SEV format) or ASK, ARK (AMD format).
#[derive(Clone, Copy)]
pub struct LegacyCert<'a>(Format<'a>);

#[derive(Clone, Copy)]
enum Format<'a> {
    Sev(SevCertificate<'a>),
    Amd(AmdCertificate<'a>),
}

impl<'a> LegacyCert<'a> {
    /// Recognises the certificate at the start of `bytes` by its content, and returns it with
    /// the bytes after it; `None` when `bytes` does not start with one.
    ///
    /// An SEV certificate needs 0x824 bytes, version 1, a PDH, PEK, OCA or CEK usage and a known
    /// key algorithm; an AMD certificate needs version 1, an ARK or ASK usage, a zero reserved
    /// field and a 2048- or 4096-bit key. File names play no part.
    ///
    /// ```
    /// use sev_verify::legacy::LegacyCert;
    /// use sev_verify::sev_types::legacy::Usage;
    /// let bytes = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"),
    ///     "/../../fixtures/sev-legacy/naples/ask_ark_naples.cert"))?;
    /// let (ask, rest) = LegacyCert::recognize_prefix(&bytes).unwrap();
    /// assert_eq!(ask.usage(), Usage::Ask);
    /// assert_eq!(LegacyCert::recognize_prefix(rest).unwrap().0.usage(), Usage::Ark);
    /// assert!(LegacyCert::recognize_prefix(b"-----BEGIN CERTIFICATE-----").is_none());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn recognize_prefix(bytes: &'a [u8]) -> Option<(Self, &'a [u8])> {
        if let Ok((cert, rest)) = SevCertificate::from_prefix(bytes) {
            let usage_ok = matches!(cert.pubkey_usage(), Usage::Pdh | Usage::Pek | Usage::Oca | Usage::Cek);
            if cert.version() == 1 && usage_ok && cert.pubkey_algo().key_kind().is_some() {
                return Some((Self(Format::Sev(cert)), rest));
            }
        }
        let (cert, rest) = AmdCertificate::from_prefix(bytes).ok()?;
        let header = cert.header();
        let usage_ok = matches!(cert.key_usage(), Usage::Ark | Usage::Ask);
        (cert.version() == 1 && usage_ok && header.reserved.iter().all(|&b| b == 0))
            .then_some((Self(Format::Amd(cert)), rest))
    }

    /// The usage of the certified key.
    pub fn usage(&self) -> Usage {
        match &self.0 {
            Format::Sev(c) => c.pubkey_usage(),
            Format::Amd(c) => c.key_usage(),
        }
    }

    /// The certificate's bytes, exactly as received.
    pub fn as_bytes(&self) -> &'a [u8] {
        match &self.0 {
            Format::Sev(c) => c.as_bytes(),
            Format::Amd(c) => c.as_bytes(),
        }
    }

    /// The certificate, if it is in the SEV format (PDH, PEK, OCA, CEK).
    pub fn sev(&self) -> Option<SevCertificate<'a>> {
        match self.0 {
            Format::Sev(c) => Some(c),
            Format::Amd(_) => None,
        }
    }

    /// The certificate, if it is in AMD's format (ARK, ASK).
    pub fn amd(&self) -> Option<AmdCertificate<'a>> {
        match self.0 {
            Format::Amd(c) => Some(c),
            Format::Sev(_) => None,
        }
    }
}

impl fmt::Debug for LegacyCert<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Format::Sev(c) => fmt::Debug::fmt(c, f),
            Format::Amd(c) => fmt::Debug::fmt(c, f),
        }
    }
}

/// Splits input holding one or more legacy certificates back to back: a single certificate, the
/// PEK ‖ OCA ‖ CEK chain of PDH_CERT_EXPORT, AMD's ASK ‖ ARK bundle, a full
/// PDH ‖ PEK ‖ OCA ‖ CEK ‖ ASK ‖ ARK export, or any other concatenation.
///
/// Returns `Ok(None)` when `bytes` does not start with a legacy certificate (it is something
/// else), and [`LegacyError::Unrecognized`] when it does but what follows is not a whole number
/// of certificates.
///
/// ```
/// use sev_verify::legacy::split_certificates;
/// use sev_verify::sev_types::legacy::Usage;
/// let bytes = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"),
///     "/../../fixtures/sev-legacy/naples/platform-early/pek_oca_cek.cert"))?;
/// let certs = split_certificates(&bytes)?.unwrap();
/// let usages: Vec<Usage> = certs.iter().map(|c| c.usage()).collect();
/// assert_eq!(usages, [Usage::Pek, Usage::Oca, Usage::Cek]);
/// assert!(split_certificates(&bytes[..5000]).is_err());
/// assert!(split_certificates(b"not a certificate")?.is_none());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn split_certificates(bytes: &[u8]) -> Result<Option<Vec<LegacyCert<'_>>>, LegacyError> {
    let mut certs = Vec::new();
    let mut rest = bytes;
    while !rest.is_empty() {
        match LegacyCert::recognize_prefix(rest) {
            Some((cert, tail)) => {
                certs.push(cert);
                rest = tail;
            }
            None if certs.is_empty() => return Ok(None),
            None => {
                return Err(LegacyError::Unrecognized {
                    offset: bytes.len() - rest.len(),
                    len: rest.len(),
                });
            }
        }
    }
    Ok((!certs.is_empty()).then_some(certs))
}

/// The legacy certificates of one platform gathered from any number of inputs: at most one of
/// each usage (PDH, PEK, OCA, CEK, ASK, ARK).
///
/// [`CertSet::verify`] checks every link among them, with the built-in ASK and ARK standing in
/// for absent ones, and refuses any root that is not built in.
///
/// ```
/// # #[cfg(any(feature = "aws-lc", feature = "ring", feature = "rustcrypto"))] {
/// use sev_verify::{crypto::default_provider, legacy::{CertSet, Generation, split_certificates}};
/// let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/sev-legacy/milan/platform/");
/// let files: Vec<Vec<u8>> = ["pdh", "pek", "oca", "cek"]
///     .iter()
///     .map(|f| std::fs::read(format!("{dir}{f}.cert")).unwrap())
///     .collect();
/// let mut set = CertSet::new();
/// for bytes in &files {
///     for cert in split_certificates(bytes)?.unwrap() {
///         set.insert(cert)?;
///     }
/// }
/// let verified = set.verify(&default_provider())?;
/// assert_eq!(verified.generation(), Some(Generation::Milan));
/// assert_eq!(
///     verified.to_string(),
///     "PDH \u{2190} PEK \u{2190} (OCA, CEK) \u{2190} ASK \u{2190} ARK (Milan; ASK and ARK built in)"
/// );
/// # }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct CertSet<'a> {
    pdh: Option<SevCertificate<'a>>,
    pek: Option<SevCertificate<'a>>,
    oca: Option<SevCertificate<'a>>,
    cek: Option<SevCertificate<'a>>,
    ask: Option<AmdCertificate<'a>>,
    ark: Option<AmdCertificate<'a>>,
}

/// The usages a [`CertSet`] holds, leaf first.
const ORDER: [Usage; 6] = [Usage::Pdh, Usage::Pek, Usage::Oca, Usage::Cek, Usage::Ask, Usage::Ark];

impl<'a> CertSet<'a> {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `cert`. The same certificate twice is kept once; a different certificate for a
    /// usage already held is [`LegacyError::Duplicate`].
    pub fn insert(&mut self, cert: LegacyCert<'a>) -> Result<(), LegacyError> {
        fn put<'a, T: Copy>(
            slot: &mut Option<T>,
            new: T,
            bytes: impl Fn(&T) -> &'a [u8],
            usage: Usage,
        ) -> Result<(), LegacyError> {
            match slot {
                Some(old) if bytes(old) != bytes(&new) => Err(LegacyError::Duplicate { usage }),
                Some(_) => Ok(()),
                None => {
                    *slot = Some(new);
                    Ok(())
                }
            }
        }
        let usage = cert.usage();
        match cert.0 {
            Format::Sev(c) => {
                let slot = match usage {
                    Usage::Pdh => &mut self.pdh,
                    Usage::Pek => &mut self.pek,
                    Usage::Oca => &mut self.oca,
                    _ => &mut self.cek,
                };
                put(slot, c, |c| c.as_bytes(), usage)
            }
            Format::Amd(c) => {
                let slot = if usage == Usage::Ark {
                    &mut self.ark
                } else {
                    &mut self.ask
                };
                put(slot, c, |c| c.as_bytes(), usage)
            }
        }
    }

    /// The certificate held for `usage`, if any.
    pub fn get(&self, usage: Usage) -> Option<LegacyCert<'a>> {
        let sev = |c: Option<SevCertificate<'a>>| c.map(|c| LegacyCert(Format::Sev(c)));
        let amd = |c: Option<AmdCertificate<'a>>| c.map(|c| LegacyCert(Format::Amd(c)));
        match usage {
            Usage::Pdh => sev(self.pdh),
            Usage::Pek => sev(self.pek),
            Usage::Oca => sev(self.oca),
            Usage::Cek => sev(self.cek),
            Usage::Ask => amd(self.ask),
            Usage::Ark => amd(self.ark),
            _ => None,
        }
    }

    /// The usages held, leaf first (PDH, PEK, OCA, CEK, ASK, ARK).
    pub fn usages(&self) -> impl Iterator<Item = Usage> + '_ {
        ORDER.into_iter().filter(|&u| self.get(u).is_some())
    }

    /// Whether the set holds nothing.
    pub fn is_empty(&self) -> bool {
        self.usages().next().is_none()
    }

    /// Whether the set holds any of the platform's own certificates (PDH, PEK, OCA, CEK).
    pub fn has_platform(&self) -> bool {
        self.pdh.is_some() || self.pek.is_some() || self.oca.is_some() || self.cek.is_some()
    }

    /// Verifies every link among the certificates held, from the root down to the lowest one.
    ///
    /// * Nothing between the lowest certificate and the AMD pair may be absent: a PDH needs the
    ///   PEK, a PEK needs the OCA and the CEK, and something must reach an AMD root (a CEK, ASK
    ///   or ARK); otherwise [`LegacyError::Missing`], before any signature is checked.
    /// * The root: an ARK must be byte-identical to a built-in one; an ASK without an ARK must be
    ///   certified by a built-in ARK; with neither, the built-in ASK that signs the CEK decides
    ///   the generation ([`detect_generation`]). Any other root is
    ///   [`LegacyError::UntrustedRoot`].
    /// * Then ARK self-signed, ARK → ASK, ASK → CEK (the built-in ASK and ARK of the generation
    ///   standing in for absent ones), OCA self-signed, OCA → PEK, CEK → PEK, PEK → PDH; the
    ///   first link that fails is the error.
    pub fn verify(&self, provider: &CryptoProvider) -> Result<VerifiedLegacyChain, LegacyError> {
        let missing = |usage, needed_by| LegacyError::Missing { usage, needed_by };
        self.check_complete()?;
        let generation = match (&self.ark, &self.ask, &self.cek) {
            (Some(ark), _, _) => {
                let generation = builtin_root(ark)?;
                verify_ark(provider, ark)?;
                generation
            }
            (None, Some(ask), _) => Generation::ALL
                .into_iter()
                .find(|g| g.ark().key_id() == ask.certifying_id())
                .ok_or(LegacyError::UntrustedRoot {
                    key_id: *ask.certifying_id(),
                })?,
            (None, None, Some(cek)) => detect_generation(provider, cek)?,
            (None, None, None) => return Err(missing(Usage::Cek, None)),
        };
        let ask = match &self.ask {
            Some(ask) => {
                verify_ask(provider, ask, &generation.ark())?;
                *ask
            }
            None => generation.ask(),
        };
        // Without an ARK or ASK, `detect_generation` has just verified the CEK.
        let cek_checked = self.ark.is_none() && self.ask.is_none();
        self.verify_platform_links(provider, &ask, cek_checked)?;
        Ok(self.verified(LegacyRoot::BuiltIn(generation)))
    }

    /// Verifies the set as [`CertSet::verify`] does, but trusting only `ark`, a root the caller
    /// pins (for example a test root such as `sev-sim`'s): the set's own ARK, if any, must be
    /// byte-identical to it, and the set must hold the ASK it signed.
    ///
    /// An ARK that does not verify itself, an ASK it did not sign, or a set without an ASK is
    /// refused; the links below are the same as [`CertSet::verify`]'s.
    pub fn verify_pinned(
        &self,
        provider: &CryptoProvider,
        ark: &AmdCertificate<'_>,
    ) -> Result<VerifiedLegacyChain, LegacyError> {
        self.check_complete()?;
        if let Some(own) = &self.ark
            && own.as_bytes() != ark.as_bytes()
        {
            return Err(LegacyError::UntrustedRoot { key_id: *own.key_id() });
        }
        let ask = self.ask.ok_or(LegacyError::Missing {
            usage: Usage::Ask,
            needed_by: self.cek.map(|_| Usage::Cek),
        })?;
        verify_ark(provider, ark)?;
        verify_ask(provider, &ask, ark)?;
        self.verify_platform_links(provider, &ask, false)?;
        Ok(self.verified(LegacyRoot::Pinned { key_id: *ark.key_id() }))
    }

    fn check_complete(&self) -> Result<(), LegacyError> {
        let missing = |usage, needed_by| LegacyError::Missing { usage, needed_by };
        if self.pdh.is_some() && self.pek.is_none() {
            return Err(missing(Usage::Pek, Some(Usage::Pdh)));
        }
        if self.pek.is_some() {
            if self.oca.is_none() {
                return Err(missing(Usage::Oca, Some(Usage::Pek)));
            }
            if self.cek.is_none() {
                return Err(missing(Usage::Cek, Some(Usage::Pek)));
            }
        }
        Ok(())
    }

    fn verified(&self, root: LegacyRoot) -> VerifiedLegacyChain {
        let supplied = self.usages().fold(0u8, |bits, u| bits | bit(u));
        VerifiedLegacyChain { root, supplied }
    }

    /// ASK → CEK (unless already checked), OCA self-signed, OCA → PEK, CEK → PEK, PEK → PDH.
    fn verify_platform_links(
        &self,
        provider: &CryptoProvider,
        ask: &AmdCertificate<'_>,
        cek_checked: bool,
    ) -> Result<(), LegacyError> {
        if let Some(cek) = &self.cek
            && !cek_checked
        {
            verify_cek(provider, cek, ask)?;
        }
        if let Some(oca) = &self.oca {
            verify_signed_by(provider, oca, Signer::Sev(oca))?;
        }
        if let (Some(pek), Some(oca), Some(cek)) = (&self.pek, &self.oca, &self.cek) {
            verify_signed_by(provider, pek, Signer::Sev(oca))?;
            verify_signed_by(provider, pek, Signer::Sev(cek))?;
        }
        if let (Some(pdh), Some(pek)) = (&self.pdh, &self.pek) {
            verify_signed_by(provider, pdh, Signer::Sev(pek))?;
        }
        Ok(())
    }
}

fn bit(usage: Usage) -> u8 {
    ORDER.iter().position(|&u| u == usage).map_or(0, |i| 1 << i)
}

/// What [`CertSet::verify`] or [`CertSet::verify_pinned`] established: the root the chain ends at,
/// and which certificates came from the inputs.
///
/// Its `Display` names the verified path, e.g.
/// `PDH ← PEK ← (OCA, CEK) ← ASK ← ARK (Milan; ASK and ARK built in)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VerifiedLegacyChain {
    root: LegacyRoot,
    supplied: u8,
}

/// The root a verified legacy chain ends at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LegacyRoot {
    /// One of AMD's ARKs built into this crate.
    BuiltIn(Generation),
    /// An ARK the caller pinned ([`CertSet::verify_pinned`]), by its key ID.
    Pinned {
        /// The pinned ARK's key ID.
        key_id: [u8; 16],
    },
}

impl VerifiedLegacyChain {
    /// The generation whose built-in ARK the chain ends at (`None` for a pinned root).
    pub fn generation(&self) -> Option<Generation> {
        match self.root {
            LegacyRoot::BuiltIn(g) => Some(g),
            LegacyRoot::Pinned { .. } => None,
        }
    }

    /// The root the chain ends at.
    pub fn root(&self) -> LegacyRoot {
        self.root
    }

    /// Whether the inputs held the certificate for `usage` (for the ASK and ARK: `false` means
    /// the built-in one was used).
    pub fn supplied(&self, usage: Usage) -> bool {
        self.supplied & bit(usage) != 0
    }
}

impl fmt::Display for VerifiedLegacyChain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.supplied(Usage::Pdh) {
            f.write_str("PDH \u{2190} ")?;
        }
        if self.supplied(Usage::Pek) {
            f.write_str("PEK \u{2190} (OCA, CEK) \u{2190} ")?;
        } else if self.supplied(Usage::Cek) {
            f.write_str("CEK \u{2190} ")?;
        }
        match self.root {
            LegacyRoot::BuiltIn(g) => write!(f, "ASK \u{2190} ARK ({g}")?,
            LegacyRoot::Pinned { key_id } => write!(f, "ASK \u{2190} pinned ARK (key ID {}", Hex(&key_id))?,
        }
        match (self.supplied(Usage::Ask), self.supplied(Usage::Ark)) {
            (false, false) => f.write_str("; ASK and ARK built in")?,
            (false, true) => f.write_str("; ASK built in")?,
            (true, false) => f.write_str("; ARK built in")?,
            (true, true) => {}
        }
        f.write_str(")")?;
        if self.supplied(Usage::Oca) && !self.supplied(Usage::Pek) {
            f.write_str("; OCA self-signed")?;
        }
        Ok(())
    }
}
