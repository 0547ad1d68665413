//! What the firmware does with one page of SNP_LAUNCH_UPDATE: the launch-digest update
//! (through sev-measure's [`Gctx`], the one definition of PAGE_INFO), the CPUID-table check
//! and the secrets page it writes.

use hmac::{KeyInit, Mac};
use sev_measure::Gctx;
use sev_types::Product;
use sev_types::launch::cpuid_page::{CpuidPage, MAX_ENTRIES};
use sev_types::launch::snp::KvmPageType;
use sev_types::status::FirmwareStatus;
use sha2::{Digest, Sha384};
use zerocopy::{FromBytes, IntoBytes};
use zeroize::Zeroizing;

use crate::host::memory::PAGE_SIZE;

/// One guest page.
pub(super) type Page = [u8; PAGE_SIZE as usize];

/// Secrets-page layout version the simulated firmware writes.
const SECRETS_VERSION: u32 = 3;

/// What the firmware puts into the secrets page of one guest.
#[derive(Debug, Clone)]
pub(super) struct SecretsInput {
    pub(super) chip_id: [u8; 64],
    pub(super) product: Product,
    pub(super) serial: u64,
    pub(super) gosvw: [u8; 16],
}

/// A refused page: the firmware status and, for a CPUID page, the table with the values the
/// firmware would accept (the kernel copies it back over the caller's source page).
#[derive(Debug)]
pub(super) struct Refused {
    pub(super) status: FirmwareStatus,
    pub(super) cpuid_correction: Option<Box<Page>>,
}

/// Applies one page of `page_type` at `gpa` with source `src` to `gctx`; returns the page's
/// private contents (for ZERO pages, zeros).
pub(super) fn apply(
    gctx: &mut Gctx,
    page_type: KvmPageType,
    gpa: u64,
    src: &Page,
    secrets: &SecretsInput,
) -> Result<Box<Page>, Refused> {
    let len = PAGE_SIZE;
    let unaligned = |_| Refused {
        status: FirmwareStatus::InvalidAddress,
        cpuid_correction: None,
    };
    match page_type {
        KvmPageType::Normal => {
            gctx.measure_normal_page(gpa, src);
            Ok(Box::new(*src))
        }
        KvmPageType::Zero => {
            gctx.measure_zero_pages(gpa, len).map_err(unaligned)?;
            Ok(Box::new([0; PAGE_SIZE as usize]))
        }
        KvmPageType::Unmeasured => {
            gctx.measure_unmeasured_pages(gpa, len).map_err(unaligned)?;
            Ok(Box::new(*src))
        }
        KvmPageType::Secrets => {
            gctx.measure_secrets_page(gpa);
            Ok(secrets_page(secrets))
        }
        KvmPageType::Cpuid => {
            check_cpuid(src).map_err(|corrected| Refused {
                status: FirmwareStatus::InvalidParam,
                cpuid_correction: Some(corrected),
            })?;
            gctx.measure_cpuid_page(gpa);
            Ok(Box::new(*src))
        }
    }
}

/// The firmware's structural check of a CPUID table: at most 64 entries and every reserved
/// field zero. On failure, returns the table the firmware would accept (count capped at 64,
/// reserved fields cleared). The simulator cannot compare the values with real hardware, so
/// the entries' registers are taken as they are.
fn check_cpuid(src: &Page) -> Result<(), Box<Page>> {
    let Ok(mut table) = CpuidPage::read_from_bytes(src) else {
        unreachable!("a CPUID page is exactly one page")
    };
    let count = table.header.count.get();
    let used = usize::try_from(count).map_or(MAX_ENTRIES, |c| c.min(MAX_ENTRIES));
    let bad_entries = table.entries[..used].iter().any(|e| e.reserved.get() != 0);
    let bad = used as u64 != u64::from(count)
        || table.header.reserved_04.get() != 0
        || table.header.reserved_08.get() != 0
        || bad_entries;
    if !bad {
        return Ok(());
    }
    table.header.count.set(used as u32);
    table.header.reserved_04.set(0);
    table.header.reserved_08.set(0);
    for e in &mut table.entries[..used] {
        e.reserved.set(0);
    }
    let mut out = Box::new([0u8; PAGE_SIZE as usize]);
    out.copy_from_slice(table.as_bytes());
    Err(out)
}

/// CPUID Fn0000_0001_EAX of the simulated part, as the secrets page's FMS word (0 for a
/// product without SNP).
fn fms(product: Product) -> u32 {
    if !matches!(
        product,
        Product::Milan | Product::Genoa | Product::BergamoSiena | Product::Turin
    ) {
        return 0;
    }
    let (family, model, stepping) = crate::report_spec::cpuid(product);
    let (family, model) = (u32::from(family), u32::from(model));
    let (base_family, ext_family) = if family > 0xF { (0xF, family - 0xF) } else { (family, 0) };
    (ext_family << 20) | ((model >> 4) << 16) | (base_family << 8) | ((model & 0xF) << 4) | u32::from(stepping)
}

/// VMPCK `n` of guest `serial` on chip `chip_id`: TEST keys, deterministic per chip and launch.
fn vmpck(chip_id: &[u8; 64], serial: u64, n: u8) -> Zeroizing<[u8; 32]> {
    let mut h = Sha384::new();
    h.update(b"sev-sim TEST VMPCK root v1\0");
    h.update(chip_id);
    let root = Zeroizing::new(<[u8; 48]>::from(h.finalize()));
    let mut m = <hmac::Hmac<Sha384> as KeyInit>::new_from_slice(&root[..])
        .unwrap_or_else(|_| unreachable!("HMAC accepts any key length"));
    m.update(&serial.to_le_bytes());
    m.update(&[n]);
    let full = Zeroizing::new(<[u8; 48]>::from(m.finalize().into_bytes()));
    let mut key = Zeroizing::new([0u8; 32]);
    key.copy_from_slice(&full[..32]);
    key
}

/// The secrets page the firmware writes: version 3, the product's FMS, GOSVW from
/// SNP_LAUNCH_START and four VMPCKs.
fn secrets_page(s: &SecretsInput) -> Box<Page> {
    let mut page = Box::new([0u8; PAGE_SIZE as usize]);
    page[0..4].copy_from_slice(&SECRETS_VERSION.to_le_bytes());
    page[8..12].copy_from_slice(&fms(s.product).to_le_bytes());
    page[0x10..0x20].copy_from_slice(&s.gosvw);
    for n in 0..4u8 {
        let at = 0x20 + 32 * usize::from(n);
        page[at..at + 32].copy_from_slice(&vmpck(&s.chip_id, s.serial, n)[..]);
    }
    page
}

#[cfg(test)]
mod tests {
    use super::*;
    use sev_types::guest::SecretsPage;
    use sev_types::launch::cpuid_page::CpuidEntry;

    fn input() -> SecretsInput {
        SecretsInput {
            chip_id: [4; 64],
            product: Product::Milan,
            serial: 1,
            gosvw: [0xAB; 16],
        }
    }

    #[test]
    fn secrets_page_has_gosvw_distinct_vmpcks_and_the_milan_fms() {
        let page = secrets_page(&input());
        let s = SecretsPage::from_bytes(&page[..]).unwrap();
        assert_eq!(s.version(), 3);
        // The simulated Milan is family 25 model 1 stepping 1: QEMU's EPYC-Milan signature
        // (spec measurement.md section 6).
        assert_eq!(s.fms(), 0x00A0_0F11);
        assert_eq!(s.gosvw, [0xAB; 16]);
        let keys: Vec<_> = (0..4).map(|n| *s.vmpck(n).unwrap()).collect();
        assert!(keys.iter().all(|k| k != &[0; 32]));
        assert!(keys[0] != keys[1] && keys[1] != keys[2] && keys[2] != keys[3]);
        let other = secrets_page(&SecretsInput { serial: 2, ..input() });
        assert_ne!(page[0x20..0x40], other[0x20..0x40], "another launch gets other keys");
    }

    #[test]
    fn cpuid_tables_with_too_many_entries_or_reserved_bits_are_corrected() {
        let mut good = CpuidPage::new();
        good.push(CpuidEntry::new(0x8000_001F, 0, [1, 2, 3, 4])).unwrap();
        let mut page = [0u8; 4096];
        page.copy_from_slice(good.as_bytes());
        assert!(check_cpuid(&page).is_ok());

        let mut reserved = page;
        reserved[0x10 + 0x28] = 1;
        assert_eq!(&check_cpuid(&reserved).unwrap_err()[..], &page[..]);

        let mut too_many = page;
        too_many[0..4].copy_from_slice(&65u32.to_le_bytes());
        let fixed = check_cpuid(&too_many).unwrap_err();
        assert_eq!(u32::from_le_bytes(fixed[0..4].try_into().unwrap()), 64);
    }
}
