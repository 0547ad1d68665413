#![no_main]
//! `sev host cert-table export` then `import` of the exported files, on table bytes from a
//! file: the CLI's naming and encoding steps (the same sev-types / sev-verify calls), checked
//! to give back the table's entries.
//!
//! Checked: every exported file name maps back to its entry's kind; a PEM export decodes to
//! the entry's bytes, and so does a DER export that starts as DER; a table with one entry per
//! kind re-imports (kind order, as the CLI builds it) to a table with the same entries.

use std::collections::BTreeMap;

use libfuzzer_sys::fuzz_target;
use sev_types::guest::CertKind;
use sev_types::guest::certs::{CertTable, CertTableBuilder};
use sev_types::guid::Guid;
use sev_verify::snp::pem;

/// The kind a file name stands for, as `sev host cert-table import` reads it.
fn kind_of(name: &str) -> Option<CertKind> {
    let (stem, ext) = name.rsplit_once('.')?;
    match ext.to_ascii_lowercase().as_str() {
        "bin" => Guid::from_str_rfc4122(stem).map(CertKind::from_guid),
        "pem" | "der" | "cert" | "crt" | "crl" => match CertKind::from_name(stem)? {
            CertKind::Unknown(_) => None,
            k => Some(k),
        },
        _ => None,
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(table) = CertTable::from_bytes(data) else { return };
    if table.is_empty() {
        return;
    }
    let mut by_kind: BTreeMap<CertKind, &[u8]> = BTreeMap::new();
    let mut duplicate = false;
    for cert in table.iter() {
        let kind = cert.kind;
        let file = match kind.name() {
            None => format!("{}.bin", kind.guid()),
            Some(name) => format!("{name}.pem"),
        };
        assert_eq!(
            kind_of(&file),
            Some(kind),
            "exported {file} does not name its kind back"
        );
        let imported = match kind.name() {
            None => cert.data.to_vec(),
            Some(_) => {
                let label = if kind == CertKind::Crl {
                    "X509 CRL"
                } else {
                    "CERTIFICATE"
                };
                let text = pem::encode(label, cert.data);
                if !cert.data.is_empty() {
                    assert!(!text.is_empty(), "PEM export of {} bytes is empty", cert.data.len());
                }
                if cert.data.first() == Some(&0x30) {
                    let der = pem::split_der_or_pem(cert.data).expect("DER export re-imports");
                    assert_eq!(der, vec![cert.data.to_vec()]);
                }
                match pem::split_der_or_pem(text.as_bytes()) {
                    Ok(mut ders) if ders.len() == 1 => ders.remove(0),
                    other => {
                        assert!(cert.data.is_empty(), "PEM export does not re-import: {other:?}");
                        continue;
                    }
                }
            }
        };
        assert_eq!(imported, cert.data, "{file} re-imports to other bytes");
        duplicate |= by_kind.insert(kind, cert.data).is_some();
    }
    if duplicate || by_kind.len() != table.iter().count() {
        return;
    }
    let built = by_kind
        .iter()
        .fold(CertTableBuilder::new(), |b, (k, d)| b.push(*k, d))
        .page_aligned(data.len() % 2 == 0)
        .build()
        .expect("a table that parsed fits when rebuilt");
    let again = CertTable::from_bytes(&built).expect("the imported table parses");
    let entries: Vec<(CertKind, &[u8])> = again.iter().map(|c| (c.kind, c.data)).collect();
    let expected: Vec<(CertKind, &[u8])> = by_kind.into_iter().collect();
    assert_eq!(entries, expected, "import does not give back the exported entries");
});
