//! `GuestClient` against `sev-sim`, the software secure processor: the same client code as on a
//! real guest, with signed reports, the host's certificate table, derived keys, firmware
//! refusals and injected driver failures.

use sev_sim::{Fault, GuestConfig, Sim};
use sev_sys::GuestCommand;
use sev_types::Product;
use sev_types::guest::{CertKind, GuestFieldSelect, KeyRequest, RootKeySelect};
use sev_types::status::{FirmwareStatus, VmmError};
use snp_guest::{DerivedKeyRequest, GuestClient, GuestError, Provider, RetryPolicy};

fn sim_client(config: GuestConfig) -> GuestClient<Sim> {
    GuestClient::new(Sim::new(config).unwrap()).with_retry(RetryPolicy::no_delay(4))
}

#[test]
fn report_and_ext_report_from_the_simulator() {
    let mut c = sim_client(GuestConfig::new(Product::Genoa));
    let ev = c.report(&[0x5A; 64], 0).unwrap();
    assert_eq!(ev.provider, Provider::Ioctl);
    assert_eq!(ev.parsed_report().unwrap().report_data(), &[0x5A; 64]);
    assert!(ev.certs.is_empty());

    let ext = c.ext_report(&[0x5B; 64], 1).unwrap();
    let r = ext.parsed_report().unwrap();
    assert_eq!((r.report_data(), r.vmpl()), (&[0x5B; 64], 1));
    let table = ext.cert_table().unwrap();
    assert!(table.get(CertKind::Vcek).is_some());
    assert_eq!(ext.certs.len() % 4096, 0);
}

#[cfg(feature = "verify")]
#[test]
fn simulated_evidence_verifies_under_the_fake_ark() {
    use sev_sim::pki::TEST_TIME;
    use sev_verify::crypto::default_provider;
    use sev_verify::snp::{TrustStore, Verifier};
    let mut c = sim_client(GuestConfig::new(Product::Milan));
    let ev = c.ext_report(&[3; 64], 0).unwrap();
    let provider = default_provider();
    let pki = c.transport().pki();
    let store = TrustStore::pinned(&provider, &[pki.ark()], &[pki.ask(), pki.asvk()]).unwrap();
    let verifier = Verifier::new(provider, store).with_product(Product::Milan);
    ev.verify(&verifier, TEST_TIME).unwrap();
    assert!(!ev.cert_bundle().unwrap().certs().is_empty());
    // AMD's real roots do not trust the fake PKI.
    let builtin = Verifier::builtin(default_provider());
    assert!(ev.verify(&builtin, TEST_TIME).is_err());
}

#[test]
fn derived_keys_from_the_simulator() {
    let mut c = sim_client(GuestConfig::new(Product::Turin));
    let base = KeyRequest::new().with_guest_fields(GuestFieldSelect::MEASUREMENT);
    let a = c.derived_key(&DerivedKeyRequest::new(base)).unwrap();
    let b = c.derived_key(&DerivedKeyRequest::new(base)).unwrap();
    assert_eq!(a.as_bytes(), b.as_bytes(), "deterministic");
    let vmrk = c
        .derived_key(&DerivedKeyRequest::new(base.with_root_key(RootKeySelect::Vmrk)))
        .map(|k| *k.as_bytes());
    if let Ok(k) = vmrk {
        assert_ne!(&k, a.as_bytes());
    }
    let policy = c
        .derived_key(&DerivedKeyRequest::new(
            base.with_guest_fields(GuestFieldSelect::POLICY),
        ))
        .unwrap();
    assert_ne!(policy.as_bytes(), a.as_bytes());
}

#[test]
fn a_vmpl_below_the_guests_own_is_invalid_param() {
    let mut c = sim_client(GuestConfig::new(Product::Genoa).with_vmpl(1));
    let e = c.report(&[0; 64], 0).unwrap_err();
    assert!(
        matches!(
            e,
            GuestError::ResponseStatus {
                status: FirmwareStatus::InvalidParam,
                ..
            }
        ),
        "{e:?}"
    );
    assert!(e.diagnosis().contains("VMPL"), "{}", e.diagnosis());
    assert!(c.report(&[0; 64], 1).is_ok(), "the firmware refusal cost no VMPCK");
}

#[test]
fn injected_busy_is_retried() {
    // The Linux driver retries host-BUSY itself and wipes the VMPCK when it gives up; a BUSY
    // reaching userspace is modelled with the simulator's wiping turned off.
    let mut c = sim_client(GuestConfig::new(Product::Genoa));
    c.transport_mut().set_wipe_on_error(false);
    c.transport_mut().inject(
        GuestCommand::Report,
        Fault::vmm(VmmError::Busy).with_errno(libc::EIO),
        2,
    );
    assert!(c.report(&[0; 64], 0).is_ok());
}

#[test]
fn injected_failure_then_lockout() {
    let mut c = sim_client(GuestConfig::new(Product::Genoa));
    c.transport_mut()
        .inject(GuestCommand::Report, Fault::firmware(FirmwareStatus::InvalidParam), 1);
    let e = c.report(&[0; 64], 0).unwrap_err();
    assert_eq!(e.firmware_status(), Some(FirmwareStatus::InvalidParam));
    assert!(e.is_vmpck_disabled());
    let e = c.ext_report(&[0; 64], 0).unwrap_err();
    assert_eq!(e.errno(), Some(libc::ENOTTY));
    assert!(e.diagnosis().contains("reboot the guest"), "{}", e.diagnosis());
}
