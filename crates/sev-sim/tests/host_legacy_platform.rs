//! The simulated SEV platform behind `/dev/sev`: status, the exported chain checked by
//! `sev-verify` under the simulator's ARK/ASK (and refused under AMD's), ownership by an
//! external OCA, and key regeneration.

mod host_legacy_support;

use host_legacy_support::*;
use p384::ecdsa::SigningKey;
use p384::ecdsa::signature::hazmat::PrehashSigner;
use p384::elliptic_curve::sec1::ToSec1Point;
use sev_sys::seam::{PlatformDevice, SevLaunchDevice, SevLaunchStart};
use sev_types::Product;
use sev_types::ecdsa::{EcdsaPublicKey, EcdsaSignature};
use sev_types::launch::sev::SevPolicy;
use sev_types::launch::snp::KvmSevInit;
use sev_types::legacy::{Algorithm, PlatformChain, RawSevCertificate, SevCertificate, Usage};
use sev_types::platform::{PlatformState, SevUserDataStatus};
use sev_types::status::FirmwareStatus;
use sev_verify::legacy::{Generation, LegacyError, Signer, verify_platform, verify_platform_with, verify_signed_by};
use sha2::{Digest, Sha256};
use zerocopy::{FromBytes, IntoBytes};

fn status(host: &mut sev_sim::host::SimHost) -> sev_types::platform::SevStatus {
    let s: SevUserDataStatus = host.platform_status().unwrap();
    s.decode()
}

#[test]
fn a_new_machine_is_initialised_self_owned_and_idle() {
    let mut host = machine(Product::Milan, 1);
    let s = status(&mut host);
    let template = sev_sim::GuestConfig::new(Product::Milan);
    assert_eq!(s.state, PlatformState::Init);
    assert!(!s.externally_owned);
    assert!(s.config_es);
    assert_eq!(s.guest_count, 0);
    let (major, minor, build) = template.current_version;
    assert_eq!((s.api_major, s.api_minor, s.build), (major, minor, build));
}

#[test]
fn the_exported_chain_verifies_under_the_sim_roots_and_not_under_amds() {
    let mut host = machine(Product::Genoa, 2);
    let (pdh, chain) = export(&mut host);
    assert_eq!(pdh.len(), 0x824);
    assert_eq!(chain.len(), 3 * 0x824);
    verify_under_sim(&pdh, &chain).unwrap();

    let pdh_cert = SevCertificate::from_bytes(&pdh).unwrap();
    let platform = PlatformChain::from_bytes(&chain).unwrap();
    assert_eq!(pdh_cert.pubkey_usage(), Usage::Pdh);
    assert_eq!(pdh_cert.pubkey_algo(), Algorithm::EcdhSha256);
    assert_eq!(
        [
            platform.pek.pubkey_usage(),
            platform.oca.pubkey_usage(),
            platform.cek.pubkey_usage()
        ],
        [Usage::Pek, Usage::Oca, Usage::Cek]
    );
    // No AMD ASK signed this CEK, and the sim's ARK is no built-in root.
    let p = provider();
    assert_eq!(
        verify_platform(&p, &pdh_cert, &platform),
        Err(LegacyError::UnknownGeneration)
    );
    assert!(matches!(
        verify_platform_with(&p, &pdh_cert, &platform, &sim_amd()),
        Err(LegacyError::UntrustedRoot { .. })
    ));
    for g in Generation::ALL {
        assert!(
            sev_verify::legacy::verify_cek(&p, &platform.cek, &g.ask()).is_err(),
            "{g}"
        );
    }
}

#[test]
fn a_tampered_export_fails_the_chain_check() {
    let mut host = machine(Product::Milan, 3);
    let (mut pdh, chain) = export(&mut host);
    pdh[0x20] ^= 1; // the PDH key's X coordinate
    assert!(verify_under_sim(&pdh, &chain).is_err());
}

/// The owner's OCA: a P-384 key and its self-signed SEV certificate.
fn owner_oca(seed: u8) -> (SigningKey, Vec<u8>) {
    let key = SigningKey::from_slice(&[seed; 48]).unwrap();
    let point = key.verifying_key().as_affine().to_sec1_point(false);
    let b = point.as_bytes();
    let public = EcdsaPublicKey::from_p384_be(b[1..49].try_into().unwrap(), b[49..97].try_into().unwrap());
    let mut cert = RawSevCertificate::new_ec((0, 0), Usage::Oca, Algorithm::EcdsaSha256, &public);
    let sig = sign(&key, cert.signed_bytes());
    cert.sig1.set_ecdsa(Usage::Oca, Algorithm::EcdsaSha256, &sig);
    (key, cert.as_bytes().to_vec())
}

fn sign(key: &SigningKey, msg: &[u8]) -> EcdsaSignature {
    let sig: p384::ecdsa::Signature = key.sign_prehash(&Sha256::digest(msg)).unwrap();
    let (r, s) = sig.split_bytes();
    EcdsaSignature::from_p384_be(&r.into(), &s.into())
}

/// The CSR signed in slot 1 by `oca_key`.
fn sign_csr(csr: &[u8], oca_key: &SigningKey) -> Vec<u8> {
    let mut cert = RawSevCertificate::read_from_bytes(csr).unwrap();
    let sig = sign(oca_key, cert.signed_bytes());
    cert.sig1.set_ecdsa(Usage::Oca, Algorithm::EcdsaSha256, &sig);
    cert.as_bytes().to_vec()
}

#[test]
fn an_external_oca_takes_ownership_and_the_chain_then_ends_at_it() {
    let mut host = machine(Product::Milan, 4);
    let (pdh_before, chain_before) = export(&mut host);
    let csr = host.pek_csr().unwrap();
    let csr_view = SevCertificate::from_bytes(&csr).unwrap();
    assert_eq!(csr_view.pubkey_usage(), Usage::Pek);
    assert!(
        csr_view.sig1().is_empty() && csr_view.sig2().is_empty(),
        "a CSR is unsigned"
    );
    let exported_pek = PlatformChain::from_bytes(&chain_before).unwrap().pek;
    assert_eq!(
        csr_view.raw().pubkey,
        exported_pek.raw().pubkey,
        "the CSR holds the PEK"
    );

    let (oca_key, oca) = owner_oca(7);
    host.pek_cert_import(&sign_csr(&csr, &oca_key), &oca).unwrap();
    assert!(status(&mut host).externally_owned);

    let (pdh, chain) = export(&mut host);
    assert_eq!(pdh, pdh_before, "import keeps the PDH");
    let platform = PlatformChain::from_bytes(&chain).unwrap();
    assert_eq!(platform.oca.as_bytes(), &oca[..]);
    let owner = SevCertificate::from_bytes(&oca).unwrap();
    verify_signed_by(&provider(), &platform.pek, Signer::Sev(&owner)).unwrap();
    verify_under_sim(&pdh, &chain).unwrap();

    // Owned: a second import is refused until PEK_GEN makes the platform self-owned again.
    let (other_key, other) = owner_oca(8);
    let e = host.pek_cert_import(&sign_csr(&csr, &other_key), &other).unwrap_err();
    assert_eq!(fw_status(&e), Some(FirmwareStatus::AlreadyOwned));
    host.pek_gen().unwrap();
    assert!(!status(&mut host).externally_owned);
    let (pdh_new, chain_new) = export(&mut host);
    verify_under_sim(&pdh_new, &chain_new).unwrap();
    let new = PlatformChain::from_bytes(&chain_new).unwrap();
    assert_ne!(
        new.pek.raw().pubkey,
        platform.pek.raw().pubkey,
        "PEK_GEN makes a new PEK"
    );
    assert_ne!(pdh_new, pdh, "and a new PDH");
    assert_ne!(new.oca.as_bytes(), &oca[..], "signed by the firmware's own OCA");
}

#[test]
fn imports_with_bad_signatures_or_a_foreign_pek_are_refused() {
    let mut host = machine(Product::Milan, 5);
    let csr = host.pek_csr().unwrap();
    let (oca_key, oca) = owner_oca(9);
    let (wrong_key, _) = owner_oca(10);

    let e = host.pek_cert_import(&sign_csr(&csr, &wrong_key), &oca).unwrap_err();
    assert_eq!(
        fw_status(&e),
        Some(FirmwareStatus::BadSignature),
        "PEK not signed by this OCA"
    );

    let mut bad_oca = oca.clone();
    bad_oca[0x41C] ^= 1; // the OCA's self-signature R
    let e = host.pek_cert_import(&sign_csr(&csr, &oca_key), &bad_oca).unwrap_err();
    assert_eq!(
        fw_status(&e),
        Some(FirmwareStatus::BadSignature),
        "OCA self-signature broken"
    );

    let foreign_csr = machine(Product::Milan, 6).pek_csr().unwrap();
    let e = host
        .pek_cert_import(&sign_csr(&foreign_csr, &oca_key), &oca)
        .unwrap_err();
    assert_eq!(
        fw_status(&e),
        Some(FirmwareStatus::InvalidCertificate),
        "another chip's PEK"
    );

    let e = host.pek_cert_import(&oca, &sign_csr(&csr, &oca_key)).unwrap_err();
    assert_eq!(
        fw_status(&e),
        Some(FirmwareStatus::InvalidCertificate),
        "certificates swapped"
    );

    let e = host.pek_cert_import(&csr[..100], &oca).unwrap_err();
    assert_eq!(fw_status(&e), Some(FirmwareStatus::InvalidLength));
    assert!(!status(&mut host).externally_owned);
}

#[test]
fn factory_reset_regenerates_every_key_but_the_cek_and_keys_are_reproducible_per_chip() {
    let mut host = machine(Product::Genoa, 11);
    let (pdh, chain) = export(&mut host);
    assert_eq!(export(&mut machine(Product::Genoa, 11)).0, pdh, "same chip, same keys");
    assert_ne!(
        export(&mut machine(Product::Genoa, 12)).0,
        pdh,
        "another chip, other keys"
    );

    host.factory_reset().unwrap();
    assert_eq!(status(&mut host).state, PlatformState::Uninit);
    let (pdh2, chain2) = export(&mut host);
    assert_eq!(
        status(&mut host).state,
        PlatformState::Init,
        "the kernel initialises on demand"
    );
    verify_under_sim(&pdh2, &chain2).unwrap();
    let (a, b) = (
        PlatformChain::from_bytes(&chain).unwrap(),
        PlatformChain::from_bytes(&chain2).unwrap(),
    );
    assert_ne!(pdh2, pdh);
    assert_ne!(a.pek.raw().pubkey, b.pek.raw().pubkey);
    assert_ne!(a.oca.raw().pubkey, b.oca.raw().pubkey);
    assert_eq!(a.cek.raw().pubkey, b.cek.raw().pubkey, "the CEK is the chip's");
}

#[test]
fn pdh_gen_replaces_only_the_pdh() {
    let mut host = machine(Product::Milan, 13);
    let (pdh, chain) = export(&mut host);
    host.pdh_gen().unwrap();
    let (pdh2, chain2) = export(&mut host);
    assert_ne!(pdh2, pdh);
    assert_eq!(chain2, chain);
    verify_under_sim(&pdh2, &chain2).unwrap();
}

#[test]
fn a_running_guest_makes_the_platform_working_and_blocks_reset_and_pek_gen() {
    let mut host = machine(Product::Milan, 14);
    let mut vm = host.create_sev_vm(false);
    vm.sev_init2(&KvmSevInit::new(0, 0)).unwrap();
    let start = SevLaunchStart {
        handle: 0,
        policy: SevPolicy::NODBG,
        owner_pdh: &[],
        session: &[],
    };
    vm.launch_start(&start).unwrap();
    let s = status(&mut host);
    assert_eq!((s.state, s.guest_count), (PlatformState::Working, 1));

    let e = host.factory_reset().unwrap_err();
    assert_eq!(e.errno(), Some(16), "the kernel answers EBUSY in WORKING");
    let e = host.pek_gen().unwrap_err();
    assert_eq!(fw_status(&e), Some(FirmwareStatus::InvalidPlatformState));
    let (oca_key, oca) = owner_oca(15);
    let csr = host.pek_csr().unwrap();
    let e = host.pek_cert_import(&sign_csr(&csr, &oca_key), &oca).unwrap_err();
    assert_eq!(fw_status(&e), Some(FirmwareStatus::InvalidPlatformState));

    drop(vm);
    let s = status(&mut host);
    assert_eq!((s.state, s.guest_count), (PlatformState::Init, 0));
    host.factory_reset().unwrap();
}
