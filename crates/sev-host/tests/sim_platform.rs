//! The platform API against the simulated machine: SEV status and certificates, ownership
//! provisioning with an OCA, chip IDs, and the SNP commands with their checks.

use sev_host::HostError;
use sev_host::platform::{AmdAnchor, OcaKey, Platform, SnpConfigRequest, validate_hashstick};
use sev_sim::host::{HostConfig, SimHost, sim_ark, sim_ask, wrap_vlek_hashstick};
use sev_types::Product;
use sev_types::TcbVersion;
use sev_types::legacy::{PublicKey, SevCertificate, Usage};
use sev_types::platform::{PlatformState, SnpPlatformFlags};
use sev_types::status::FirmwareStatus;
use sev_verify::crypto::default_provider;
use sev_verify::legacy::{Signer, verify_signed_by};
use zerocopy::IntoBytes;

fn machine(product: Product) -> (HostConfig, Platform<SimHost>) {
    let config = HostConfig::new(product);
    (config.clone(), Platform::new(SimHost::new(config)))
}

fn sim_anchor() -> AmdAnchor<'static> {
    AmdAnchor::Trusted {
        ark: sim_ark(),
        ask: sim_ask(),
    }
}

fn key_of(cert: &[u8]) -> [u8; 97] {
    match SevCertificate::from_bytes(cert).unwrap().public_key() {
        PublicKey::Ec(k) => k.p384_sec1_uncompressed().unwrap(),
        other => panic!("not an EC key: {other:?}"),
    }
}

#[test]
fn status_is_decoded_and_a_fresh_platform_is_self_owned() {
    let (_, mut platform) = machine(Product::Milan);
    let status = platform.status().unwrap();
    assert!(!status.externally_owned);
    assert_eq!(status.guest_count, 0);
    assert_ne!(status.state, PlatformState::Uninit);
}

#[test]
fn exported_chain_verifies_under_the_sim_roots_and_not_under_amds() {
    let (_, mut platform) = machine(Product::Milan);
    let certs = platform.pdh_cert_export().unwrap();
    assert_eq!(certs.verify_chain(sim_anchor()).unwrap(), None);
    certs.verify_platform_links().unwrap();
    let err = certs.verify_chain(AmdAnchor::Builtin).unwrap_err();
    assert!(matches!(err, HostError::Legacy { .. }), "{err:?}");
    // A different pair (AMD's Milan ASK/ARK) does not sign the simulated CEK either.
    let (ark, ask) = (
        sev_verify::legacy::Generation::Milan.ark(),
        sev_verify::legacy::Generation::Milan.ask(),
    );
    let err = certs
        .verify_chain(AmdAnchor::Trusted {
            ark: ark.as_bytes(),
            ask: ask.as_bytes(),
        })
        .unwrap_err();
    assert!(matches!(err, HostError::Legacy { .. }), "{err:?}");
}

#[test]
fn provisioning_with_a_generated_oca_takes_ownership() {
    let (_, mut platform) = machine(Product::Milan);
    let csr = platform.pek_csr().unwrap();
    let oca = OcaKey::generate().unwrap();
    let done = platform.provision(&oca).unwrap();
    assert!(done.status.externally_owned);
    // The imported PEK keeps the CSR's key; the platform's OCA is ours.
    assert_eq!(key_of(&done.pek_cert[..]), key_of(&csr[..]));
    assert_eq!(
        key_of(&done.exported.oca[..]),
        oca.public_key().p384_sec1_uncompressed().unwrap()
    );
    // Independently of provision's own checks: PEK under our OCA and the CEK, the whole chain
    // under the simulated AMD roots.
    let provider = default_provider();
    let pek = SevCertificate::from_bytes(&done.exported.pek[..]).unwrap();
    let oca_cert = SevCertificate::from_bytes(&done.oca_cert[..]).unwrap();
    verify_signed_by(&provider, &pek, Signer::Sev(&oca_cert)).unwrap();
    done.exported.verify_chain(sim_anchor()).unwrap();
    // A second import is refused by the firmware, with its status and errno kept.
    let err = platform.provision(&OcaKey::generate().unwrap()).unwrap_err();
    assert_eq!(err.firmware_status(), Some(FirmwareStatus::AlreadyOwned), "{err}");
    assert!(err.errno().is_some());
}

#[test]
fn provisioning_with_a_loaded_pkcs8_key_uses_that_key() {
    let original = OcaKey::generate().unwrap();
    let pem = original.to_pkcs8_pem().unwrap();
    let loaded = OcaKey::from_pkcs8(pem.as_bytes()).unwrap();
    assert_eq!(loaded.public_key(), original.public_key());
    let (_, mut platform) = machine(Product::Rome);
    let done = platform.provision(&loaded).unwrap();
    assert_eq!(
        key_of(&done.exported.oca[..]),
        original.public_key().p384_sec1_uncompressed().unwrap()
    );
    assert!(OcaKey::from_pkcs8(b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n").is_err());
    assert!(matches!(
        OcaKey::from_pkcs8_der(&[0x30, 0x03, 0x02, 0x01, 0x00]),
        Err(HostError::Key(_))
    ));
}

#[test]
fn the_oca_certificate_is_self_signed_in_the_sev_format() {
    let oca = OcaKey::generate().unwrap();
    let bytes = oca.certificate().unwrap();
    let cert = SevCertificate::from_bytes(&bytes[..]).unwrap();
    assert_eq!(cert.pubkey_usage(), Usage::Oca);
    assert_eq!((cert.version(), cert.api_major(), cert.api_minor()), (1, 0, 0));
    assert_eq!(cert.sig1().usage(), Usage::Oca);
    assert!(cert.sig2().is_empty());
    verify_signed_by(&default_provider(), &cert, Signer::Sev(&cert)).unwrap();
}

#[test]
fn only_a_pek_csr_is_signed() {
    let (_, mut platform) = machine(Product::Milan);
    let pdh = platform.pdh_cert_export().unwrap().pdh;
    let err = OcaKey::generate().unwrap().sign_pek(&pdh[..]).unwrap_err();
    assert!(matches!(err, HostError::Invalid { .. }), "{err:?}");
    let err = platform.pek_cert_import(&pdh[..], &pdh[..]).unwrap_err();
    assert!(matches!(err, HostError::Invalid { .. }), "{err:?}");
}

#[test]
fn a_pek_signed_by_another_oca_is_refused_by_the_firmware() {
    let (_, mut platform) = machine(Product::Milan);
    let csr = platform.pek_csr().unwrap();
    let (signer, claimed) = (OcaKey::generate().unwrap(), OcaKey::generate().unwrap());
    let pek = signer.sign_pek(&csr[..]).unwrap();
    let err = platform
        .pek_cert_import(&pek[..], &claimed.certificate().unwrap()[..])
        .unwrap_err();
    assert_eq!(err.firmware_status(), Some(FirmwareStatus::BadSignature), "{err}");
    assert!(!platform.status().unwrap().externally_owned);
}

#[test]
fn factory_reset_and_pek_gen_give_up_ownership() {
    let (_, mut platform) = machine(Product::Milan);
    platform.provision(&OcaKey::generate().unwrap()).unwrap();
    platform.factory_reset().unwrap();
    assert!(!platform.status().unwrap().externally_owned);
    platform.provision(&OcaKey::generate().unwrap()).unwrap();
    let before = platform.pdh_cert_export().unwrap();
    platform.pek_gen().unwrap();
    assert!(!platform.status().unwrap().externally_owned);
    let after = platform.pdh_cert_export().unwrap();
    assert_ne!(key_of(&after.pek[..]), key_of(&before.pek[..]));
    after.verify_chain(sim_anchor()).unwrap();
    platform.pdh_gen().unwrap();
    let regenerated = platform.pdh_cert_export().unwrap();
    assert_ne!(key_of(&regenerated.pdh[..]), key_of(&after.pdh[..]));
    regenerated.verify_chain(sim_anchor()).unwrap();
}

#[test]
fn get_id_returns_the_chip_id() {
    let (config, mut platform) = machine(Product::Genoa);
    let ids = platform.get_id().unwrap();
    assert_eq!(ids.len(), 1);
    assert_eq!(ids[0].as_bytes(), &config.guest_template.chip_id);
}

#[test]
fn snp_status_decodes_the_tcbs_for_the_product() {
    for product in [Product::Milan, Product::Genoa, Product::Turin] {
        let (config, mut platform) = machine(product);
        let status = platform.snp_status(product).unwrap();
        let layout = product.tcb_layout().unwrap();
        assert_eq!(status.current_tcb, config.guest_template.current_tcb.decode(layout));
        assert_eq!(status.reported_tcb, config.guest_template.reported_tcb.decode(layout));
        assert_eq!(status.current_tcb.fmc.is_some(), product == Product::Turin);
    }
    let (_, mut platform) = machine(Product::Genoa);
    assert!(matches!(
        platform.snp_status(Product::Naples),
        Err(HostError::Invalid { .. })
    ));
}

#[test]
fn snp_set_config_is_validated_then_applied_and_reset() {
    let (config, mut platform) = machine(Product::Genoa);
    let layout = Product::Genoa.tcb_layout().unwrap();
    let current = config.guest_template.current_tcb;

    // One component above the current TCB: refused before it is sent.
    let mut above = current.decode(layout);
    above.snp += 1;
    let request = SnpConfigRequest {
        reported_tcb: above.encode(layout),
        mask_chip_id: true,
        mask_chip_key: false,
    };
    assert!(matches!(
        platform.snp_set_config(Product::Genoa, &request),
        Err(HostError::Invalid { .. })
    ));
    // A reserved byte set (byte 2 is reserved in the Milan/Genoa layout).
    let request = SnpConfigRequest {
        reported_tcb: TcbVersion(current.0 | 1 << 16),
        ..request
    };
    assert!(matches!(
        platform.snp_set_config(Product::Genoa, &request),
        Err(HostError::Invalid { .. })
    ));
    assert!(
        !platform
            .snp_status(Product::Genoa)
            .unwrap()
            .raw
            .flags()
            .contains(SnpPlatformFlags::MASK_CHIP_ID)
    );

    let mut lower = current.decode(layout);
    lower.microcode = lower.microcode.saturating_sub(1);
    let request = SnpConfigRequest {
        reported_tcb: lower.encode(layout),
        mask_chip_id: true,
        mask_chip_key: true,
    };
    platform.snp_set_config(Product::Genoa, &request).unwrap();
    let status = platform.snp_status(Product::Genoa).unwrap();
    assert_eq!(status.reported_tcb, lower);
    assert!(
        status
            .raw
            .flags()
            .contains(SnpPlatformFlags::MASK_CHIP_ID | SnpPlatformFlags::MASK_CHIP_KEY)
    );

    platform.snp_reset_config(Product::Genoa).unwrap();
    let status = platform.snp_status(Product::Genoa).unwrap();
    assert_eq!(status.reported_tcb, status.current_tcb);
    assert!(
        !status
            .raw
            .flags()
            .intersects(SnpPlatformFlags::MASK_CHIP_ID | SnpPlatformFlags::MASK_CHIP_KEY)
    );
    platform.snp_commit().unwrap();
}

#[test]
fn vlek_hashsticks_are_validated_before_loading() {
    let (config, mut platform) = machine(Product::Genoa);
    let t = &config.guest_template;
    let stick = wrap_vlek_hashstick(&t.chip_id, t.reported_tcb, "test-csp", [9; 12]);
    let bytes = stick.as_bytes().to_vec();

    let err = platform.snp_vlek_load(Product::Genoa, &bytes[..0x1AF]).unwrap_err();
    assert!(matches!(err, HostError::Invalid { .. }), "{err:?}");
    for reserved in [0x00C, 0x198] {
        let mut bad = bytes.clone();
        bad[reserved] = 1;
        assert!(
            matches!(validate_hashstick(&bad, Product::Genoa), Err(HostError::Invalid { .. })),
            "{reserved:#x}"
        );
    }
    assert!(
        !platform
            .snp_status(Product::Genoa)
            .unwrap()
            .raw
            .flags()
            .contains(SnpPlatformFlags::VLEK_EN)
    );

    platform.snp_vlek_load(Product::Genoa, &bytes).unwrap();
    assert!(
        platform
            .snp_status(Product::Genoa)
            .unwrap()
            .raw
            .flags()
            .contains(SnpPlatformFlags::VLEK_EN)
    );

    // A hashstick for another chip is refused by the firmware, errno and status kept.
    let other = wrap_vlek_hashstick(&[0xEE; 64], t.reported_tcb, "test-csp", [9; 12]);
    let err = platform.snp_vlek_load(Product::Genoa, other.as_bytes()).unwrap_err();
    assert!(err.firmware_status().is_some() && err.errno().is_some(), "{err:?}");
}
