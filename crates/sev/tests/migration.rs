//! The migration guide (MIGRATION.md) against the published `sev` 8: the paths it names exist
//! (this file compiles only if they do), and the types it calls direct equivalents read the same
//! real report to the same values.
#![cfg(all(feature = "sev", feature = "snp", feature = "std"))]

#[allow(unused_imports)]
mod paths_named_in_the_guide {
    use sev::guest::{DerivedKeyRequest, GuestClient, GuestError};
    use sev::host::launch::{SevLauncher, SevStart, SnpFinish, SnpLauncher, SnpStart};
    use sev::host::platform::SnpStatus;
    use sev::host::{HostError, Platform};
    use sev::measure::hashes::SevHashes;
    use sev::measure::idblock::{default_id_block, key_digest, sign_id_auth, verify_id_auth};
    use sev::measure::ovmf::Ovmf;
    use sev::measure::sev::{sev_launch_digest, seves_launch_digest};
    use sev::measure::snp::{SnpInput, snp_launch_digest, snp_ovmf_hash};
    use sev::measure::vcpu::VcpuType;
    use sev::measure::vmsa::{VmmType, VmsaSet};
    use sev::measure::{Gctx, MeasureError, SnpDigest};
    use sev::sys::{GuestTransport, SevDevice, uapi};
    use sev::types::guest::certs::CertEntry;
    use sev::types::guest::{CertKind, CertTable, KeyRequest, VlekHashstick};
    use sev::types::key_info::KeyInfo;
    use sev::types::launch::id_block::{IdAuthInfo, IdBlock};
    use sev::types::launch::sev::{AttestationReport, LaunchMeasurement, LaunchSecretHeader, Session, SevPolicy};
    use sev::types::launch::snp::KvmPageType;
    use sev::types::launch::vmsa::SaveArea;
    use sev::types::legacy::{AmdCertChain, AmdCertificate, FullChain, PlatformChain, SevCertificate, Usage};
    use sev::types::platform::{ChipId, SevStatus, SnpConfig, SnpPlatformStatus};
    use sev::types::platform_info::PlatformInfo;
    use sev::types::policy::GuestPolicy;
    use sev::types::report::Report;
    use sev::types::status::FirmwareStatus;
    use sev::types::tcb::DecodedTcb;
    use sev::types::{ParseError, TcbVersion};
    use sev::verify::legacy::{
        GuestOwnerSession, LaunchSecret, LegacyError, verify_attestation_report, verify_platform,
    };
    use sev::verify::policy::Policy;
    use sev::verify::snp::{AmdCert, CertBundle, Relaxations, SnpError, TrustStore, Verifier, builtin_cert};
}

use sev::types::report::Report;
use sev::types::{Product, TcbVersion};
use sev8::parser::ByteParser;

const GOSEV: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/snp/milan/gosev/report.bin");
const AZURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/snp/genoa/azure/report.bin");

fn tcb_theirs(t: &sev8::firmware::host::TcbVersion) -> (Option<u8>, u8, u8, u8, u8) {
    (t.fmc, t.bootloader, t.tee, t.snp, t.microcode)
}

fn tcb_ours(t: TcbVersion, product: Product) -> (Option<u8>, u8, u8, u8, u8) {
    let t = t.decode(product.tcb_layout().unwrap());
    (t.fmc, t.bootloader, t.tee, t.snp, t.microcode)
}

/// `firmware::guest::AttestationReport` and `types::report::Report`, with the flag words and TCB
/// versions the guide maps, agree field by field on real reports.
fn same_report(path: &str, product: Product) {
    let bytes = std::fs::read(path).unwrap();
    let theirs = sev8::firmware::guest::AttestationReport::from_bytes(&bytes).unwrap();
    let ours = Report::from_bytes(&bytes).unwrap();

    assert_eq!(ours.version(), theirs.version);
    assert_eq!(ours.guest_svn(), theirs.guest_svn);
    assert_eq!(ours.vmpl(), theirs.vmpl);
    assert_eq!(ours.policy().bits(), u64::from(theirs.policy));
    assert_eq!(ours.platform_info().bits(), u64::from(theirs.plat_info));
    assert_eq!(ours.key_info().bits(), u32::from(theirs.key_info));
    assert_eq!(ours.report_data(), &theirs.report_data);
    assert_eq!(ours.measurement(), &theirs.measurement);
    assert_eq!(ours.host_data(), &theirs.host_data);
    assert_eq!(ours.chip_id(), &theirs.chip_id);
    assert_eq!(tcb_ours(ours.current_tcb(), product), tcb_theirs(&theirs.current_tcb));
    assert_eq!(tcb_ours(ours.reported_tcb(), product), tcb_theirs(&theirs.reported_tcb));
}

#[test]
fn a_milan_report_reads_the_same_in_both_crates() {
    same_report(GOSEV, Product::Milan);
}

#[test]
fn a_genoa_report_reads_the_same_in_both_crates() {
    same_report(AZURE, Product::Genoa);
}
