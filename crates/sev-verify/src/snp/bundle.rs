//! Certificates and CRLs gathered from evidence files, recognised by content: DER, PEM, PEM
//! bundles (as KDS `cert_chain` downloads are) and certificate tables. No I/O: callers read the
//! bytes and hand them in with a name for messages.

use alloc::string::{String, ToString};
use alloc::vec::Vec;

use sev_types::guest::{CertKind, CertTable};

use super::cert::AmdCert;
use super::crl::Crl;
use super::error::SnpError;
use super::pem::split_der_or_pem;
use super::strict::Relaxations;

/// The most entries a certificate table may have (real tables have two to five).
pub const MAX_TABLE_ENTRIES: usize = 64;

/// The most bytes a certificate table may span (real tables are a few KiB).
pub const MAX_TABLE_BYTES: usize = 1 << 20;

/// A set of AMD certificates and CRLs, each parsed once, with a record of what was ignored or
/// refused and why.
///
/// ```
/// use sev_verify::snp::{CertBundle, Role};
/// let pem = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/kds/milan_ask_ark_asvk.pem"))?;
/// let mut bundle = CertBundle::new();
/// bundle.add_file(&pem)?;
/// let roles: Vec<Role> = bundle.certs().iter().map(|c| c.role()).collect();
/// assert_eq!(roles, [Role::Ask, Role::Ark, Role::Asvk]);
/// bundle.add_lenient(b"not a certificate", "notes.txt");
/// assert_eq!(bundle.ignored(), ["notes.txt"]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct CertBundle {
    relax: Relaxations,
    certs: Vec<AmdCert>,
    crls: Vec<Crl>,
    ignored: Vec<String>,
    rejected: Vec<(String, SnpError)>,
    crl_errors: Vec<(String, SnpError)>,
}

impl CertBundle {
    /// An empty bundle that parses strictly.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty bundle that parses certificates and CRLs under `relax`.
    pub fn with_relaxations(relax: Relaxations) -> Self {
        CertBundle {
            relax,
            ..Self::default()
        }
    }

    /// A bundle of DER certificates (and CRLs); the first object that is neither is an error.
    pub fn from_der(ders: &[&[u8]]) -> Result<Self, SnpError> {
        let mut b = Self::new();
        for der in ders {
            b.add_der(der)?;
        }
        Ok(b)
    }

    /// A bundle of the certificates and CRLs of a certificate table (see
    /// [`CertBundle::add_table`]).
    pub fn from_table(table: &CertTable<'_>) -> Result<Self, SnpError> {
        let mut b = Self::new();
        b.add_table(table)?;
        Ok(b)
    }

    /// Adds one DER object: an AMD certificate, or else a CRL. If it is neither, the error is
    /// the certificate parser's.
    pub fn add_der(&mut self, der: &[u8]) -> Result<(), SnpError> {
        match AmdCert::from_der_with(der, &self.relax) {
            Ok(c) => {
                self.certs.push(c);
                Ok(())
            }
            Err(e) => match Crl::from_der_with(der, &self.relax) {
                Ok(crl) => {
                    self.crls.push(crl);
                    Ok(())
                }
                Err(_) => Err(e),
            },
        }
    }

    /// Adds every certificate and CRL of a file the caller named explicitly (DER, PEM or a PEM
    /// bundle). Anything in it that is neither is an error.
    pub fn add_file(&mut self, bytes: &[u8]) -> Result<(), SnpError> {
        for der in split_der_or_pem(bytes)? {
            self.add_der(&der)?;
        }
        Ok(())
    }

    /// Adds what a file found in a directory holds. A file that is neither DER nor PEM is
    /// ignored (recorded in [`CertBundle::ignored`]); DER that is neither an AMD certificate
    /// nor a CRL is recorded in [`CertBundle::rejected`].
    pub fn add_lenient(&mut self, bytes: &[u8], name: &str) {
        let pem_text = bytes.windows(11).any(|w| w == b"-----BEGIN ");
        let parsed = if is_der_sequence(bytes) || pem_text {
            split_der_or_pem(bytes).ok()
        } else {
            None
        };
        let Some(ders) = parsed else {
            self.ignored.push(name.to_string());
            return;
        };
        for der in ders {
            if let Err(e) = self.add_der(&der) {
                self.rejected.push((name.to_string(), e));
            }
        }
    }

    /// Adds the certificates and CRLs of a certificate table (an extended report's, or a
    /// configfs-tsm auxblob).
    ///
    /// The table must have at most [`MAX_TABLE_ENTRIES`] entries, span at most
    /// [`MAX_TABLE_BYTES`], and no two entries may overlap: so every byte is parsed at most once
    /// and memory stays linear in the table's size. Roles come from the certificates, not from
    /// the GUIDs. A blob under an ARK/ASK/VCEK/VLEK GUID that does not parse is recorded in
    /// [`CertBundle::rejected`]; a CRL blob that does not parse in [`CertBundle::crl_errors`];
    /// blobs under other GUIDs are ignored.
    pub fn add_table(&mut self, table: &CertTable<'_>) -> Result<(), SnpError> {
        check_table_limits(table)?;
        for cert in table.iter() {
            let name = || table_entry_name(cert.kind);
            match cert.kind {
                CertKind::Ark | CertKind::Ask | CertKind::Vcek | CertKind::Vlek => {
                    match AmdCert::from_der_with(cert.data, &self.relax) {
                        Ok(c) => self.certs.push(c),
                        Err(e) => self.rejected.push((name(), e)),
                    }
                }
                CertKind::Crl => match Crl::parse_all_with(cert.data, &self.relax) {
                    Ok(mut crls) => self.crls.append(&mut crls),
                    Err(e) => self.crl_errors.push((name(), e)),
                },
                _ => self.ignored.push(name()),
            }
        }
        Ok(())
    }

    /// Every certificate, in the order added.
    pub fn certs(&self) -> &[AmdCert] {
        &self.certs
    }

    /// Every CRL, in the order added.
    pub fn crls(&self) -> &[Crl] {
        &self.crls
    }

    /// Names of inputs that held neither DER nor PEM, and of table entries under unknown GUIDs.
    pub fn ignored(&self) -> &[String] {
        &self.ignored
    }

    /// Inputs that looked like certificates but were refused, with the reason.
    pub fn rejected(&self) -> &[(String, SnpError)] {
        &self.rejected
    }

    /// CRL blobs of a certificate table that did not parse, with the reason.
    pub fn crl_errors(&self) -> &[(String, SnpError)] {
        &self.crl_errors
    }

    /// The relaxations certificates and CRLs are parsed under.
    pub fn relaxations(&self) -> &Relaxations {
        &self.relax
    }

    /// One line: how many certificates (with their roles) and CRLs, and what was ignored.
    pub fn describe(&self) -> String {
        let roles: Vec<&str> = self.certs.iter().map(|c| c.role().name()).collect();
        let mut s = alloc::format!(
            "{} certificate(s) [{}], {} CRL(s)",
            self.certs.len(),
            roles.join(", "),
            self.crls.len()
        );
        if !self.ignored.is_empty() {
            s.push_str("; ignored: ");
            s.push_str(&self.ignored.join(", "));
        }
        s
    }
}

fn table_entry_name(kind: CertKind) -> String {
    match kind.name() {
        Some(n) => alloc::format!("certificate table {n} entry"),
        None => alloc::format!("certificate table entry {}", kind.guid()),
    }
}

/// Entry count, span and overlap limits of a certificate table.
pub(crate) fn check_table_limits(table: &CertTable<'_>) -> Result<(), SnpError> {
    let entries = table.entries();
    if entries.len() > MAX_TABLE_ENTRIES {
        return Err(SnpError::CertTable {
            reason: "too many entries",
            expected: alloc::format!("at most {MAX_TABLE_ENTRIES}"),
            found: entries.len().to_string(),
        });
    }
    let span = entries
        .iter()
        .map(|e| u64::from(e.offset.get()) + u64::from(e.length.get()))
        .max()
        .unwrap_or(0);
    if span > MAX_TABLE_BYTES as u64 {
        return Err(SnpError::CertTable {
            reason: "entries span too many bytes",
            expected: alloc::format!("at most {MAX_TABLE_BYTES}"),
            found: span.to_string(),
        });
    }
    let mut ranges: Vec<(u64, u64)> = entries
        .iter()
        .filter(|e| e.length.get() != 0)
        .map(|e| {
            let start = u64::from(e.offset.get());
            (start, start + u64::from(e.length.get()))
        })
        .collect();
    ranges.sort_unstable();
    for pair in ranges.windows(2) {
        if pair[1].0 < pair[0].1 {
            return Err(SnpError::CertTable {
                reason: "two entries share bytes",
                expected: "disjoint blobs".to_string(),
                found: alloc::format!(
                    "{:#x}..{:#x} and {:#x}..{:#x}",
                    pair[0].0,
                    pair[0].1,
                    pair[1].0,
                    pair[1].1
                ),
            });
        }
    }
    Ok(())
}

/// Whether `b` is exactly one DER SEQUENCE (so that hex text starting with `30` is not taken
/// for DER).
fn is_der_sequence(b: &[u8]) -> bool {
    let (len, header) = match (b.first(), b.get(1)) {
        (Some(0x30), Some(&l)) if l < 0x80 => (usize::from(l), 2),
        (Some(0x30), Some(&l)) if (0x81..=0x83).contains(&l) => {
            let n = usize::from(l - 0x80);
            let Some(bytes) = b.get(2..2 + n) else { return false };
            (bytes.iter().fold(0usize, |acc, &x| (acc << 8) | usize::from(x)), 2 + n)
        }
        _ => return false,
    };
    header + len == b.len()
}
