//! Every verification rule, shown to fail with certificates and reports from the fake PKI
//! (sev-testing), which differ from a valid set in exactly one respect.
#![cfg(any(feature = "aws-lc", feature = "ring", feature = "rustcrypto"))]

use sev_testing::{CertSpec, DAY, Ext, FakePki, HwIdEncoding, LeafKey, ReportSpec, Signer, TEST_TIME, amd_oid};
use sev_types::Product;
use sev_types::key_info::SigningKey;
use sev_types::report::Report;
use sev_verify::crypto::{CryptoProvider, default_provider};
use sev_verify::snp::{
    ChainCache, Crl, Endorsement, ErrorKind, Role, SnpError, TrustStore, VerifyOptions, verify_chain, verify_report,
};

struct Fx {
    provider: CryptoProvider,
    pki: FakePki,
    store: TrustStore,
}

impl Fx {
    fn new(product: Product) -> Self {
        let provider = default_provider();
        let pki = FakePki::new(product);
        let store = TrustStore::pinned(&provider, &[pki.ark()], &[pki.ask(), pki.asvk()]).unwrap();
        Fx { provider, pki, store }
    }

    fn vcek(&self, spec: &ReportSpec) -> CertSpec {
        self.pki.vcek_spec(&LeafKey::vcek_a(), &spec.chip_id, spec.reported_tcb)
    }

    fn verify(&self, report: &[u8], certs: &[&[u8]], opts: &VerifyOptions<'_>) -> Result<(), SnpError> {
        let report = Report::from_bytes(report).unwrap();
        verify_report(&self.provider, &self.store, &report, certs, opts).map(|_| ())
    }

    /// Verifies a default report for the PKI's product under a VCEK built from `edit`.
    fn with_vcek(&self, edit: impl FnOnce(&mut CertSpec)) -> Result<(), SnpError> {
        let spec = ReportSpec::new(self.pki.product());
        let mut cert = self.vcek(&spec);
        edit(&mut cert);
        let vcek = self.pki.issue(&cert);
        self.verify(
            &spec.signed(&LeafKey::vcek_a()),
            &[&vcek],
            &VerifyOptions::at(TEST_TIME),
        )
    }

    /// Verifies a report built from `edit` under the default VCEK for the default report.
    fn with_report(&self, edit: impl FnOnce(&mut ReportSpec)) -> Result<(), SnpError> {
        let base = ReportSpec::new(self.pki.product());
        let vcek = self.pki.issue(&self.vcek(&base));
        let mut spec = base.clone();
        edit(&mut spec);
        self.verify(
            &spec.signed(&LeafKey::vcek_a()),
            &[&vcek],
            &VerifyOptions::at(TEST_TIME),
        )
    }
}

fn set_ext(cert: &mut CertSpec, oid: &str, value: Option<Vec<u8>>) {
    let pos = cert.extensions.iter().position(|e| e.oid == oid);
    match (pos, value) {
        (Some(i), Some(v)) => cert.extensions[i].value = v,
        (Some(i), None) => {
            cert.extensions.remove(i);
        }
        (None, Some(v)) => cert.extensions.push(Ext::new(oid, v)),
        (None, None) => {}
    }
}

#[test]
fn a_well_formed_fake_chain_verifies_for_every_product() {
    for product in [Product::Milan, Product::Genoa, Product::BergamoSiena, Product::Turin] {
        let fx = Fx::new(product);
        fx.with_vcek(|_| {}).unwrap_or_else(|e| panic!("{product}: {e}"));
    }
}

#[test]
fn the_fake_ark_is_not_trusted_by_the_built_in_store() {
    let fx = Fx::new(Product::Milan);
    let spec = ReportSpec::new(Product::Milan);
    let vcek = fx.pki.issue(&fx.vcek(&spec));
    let builtin = TrustStore::builtin(&fx.provider);
    let report = spec.signed(&LeafKey::vcek_a());
    let r = Report::from_bytes(&report).unwrap();
    let certs: [&[u8]; 3] = [&vcek, fx.pki.ask(), fx.pki.ark()];
    let err = verify_report(&fx.provider, &builtin, &r, &certs, &VerifyOptions::at(TEST_TIME)).unwrap_err();
    assert_eq!(err, SnpError::UntrustedRoot { cn: "ARK-Milan".into() });
    assert_eq!(err.kind(), ErrorKind::UntrustedRoot);
    // Without the fake ASK, the built-in ASK is used and the VCEK's signature fails.
    let err = verify_report(&fx.provider, &builtin, &r, &[&vcek], &VerifyOptions::at(TEST_TIME)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Signature);
}

#[test]
fn hwid_in_an_octet_string_is_accepted_and_a_wrong_hwid_is_not() {
    let fx = Fx::new(Product::Milan);
    fx.with_vcek(|c| {
        let id = c
            .extensions
            .iter()
            .find(|e| e.oid == amd_oid::HW_ID)
            .unwrap()
            .value
            .clone();
        set_ext(c, amd_oid::HW_ID, Some(sev_testing::der_build::octets(&id)));
    })
    .unwrap();
    let err = fx
        .with_vcek(|c| set_ext(c, amd_oid::HW_ID, Some(vec![0x55; 64])))
        .unwrap_err();
    assert!(matches!(err, SnpError::HwIdMismatch { .. }), "{err}");
    let err = fx.with_vcek(|c| set_ext(c, amd_oid::HW_ID, None)).unwrap_err();
    assert!(matches!(err, SnpError::MissingExtension { name: "hwID", .. }), "{err}");
    let err = fx
        .with_vcek(|c| set_ext(c, amd_oid::HW_ID, Some(vec![1; 33])))
        .unwrap_err();
    assert!(matches!(err, SnpError::BadExtension { name: "hwID", .. }), "{err}");
}

#[test]
fn turin_uses_an_eight_byte_hwid_and_fmc() {
    let fx = Fx::new(Product::Turin);
    fx.with_vcek(|c| {
        let id = c
            .extensions
            .iter()
            .find(|e| e.oid == amd_oid::HW_ID)
            .unwrap()
            .value
            .clone();
        assert_eq!(id.len(), 8);
        set_ext(c, amd_oid::HW_ID, Some(sev_testing::der_build::octets(&id)));
    })
    .unwrap();
    let mut long = [0u8; 64];
    long[..8].copy_from_slice(&ReportSpec::new(Product::Turin).chip_id[..8]);
    let err = fx
        .with_vcek(|c| set_ext(c, amd_oid::HW_ID, Some(long.to_vec())))
        .unwrap_err();
    assert!(
        matches!(
            err,
            SnpError::BadExtension {
                name: "hwID",
                reason: "wrong length for the product",
                ..
            }
        ),
        "{err}"
    );
    let err = fx
        .with_vcek(|c| set_ext(c, amd_oid::FMC_SPL, Some(sev_testing::der_build::uint(9))))
        .unwrap_err();
    assert_eq!(
        err,
        SnpError::TcbMismatch {
            component: "fmc",
            cert: 9,
            report: 3
        }
    );
    let err = fx.with_vcek(|c| set_ext(c, amd_oid::FMC_SPL, None)).unwrap_err();
    assert!(
        matches!(err, SnpError::MissingExtension { name: "fmcSPL", .. }),
        "{err}"
    );
}

#[test]
fn every_spl_must_match_the_reported_tcb() {
    let fx = Fx::new(Product::Milan);
    // ReportSpec::new: bl=4 tee=1 snp=24 ucode=219, reserved bytes 0.
    for (oid, name, report) in [
        (amd_oid::BL_SPL, "bootloader", 4),
        (amd_oid::TEE_SPL, "tee", 1),
        (amd_oid::SNP_SPL, "snp", 24),
        (amd_oid::UCODE_SPL, "microcode", 219),
        (amd_oid::SPL_4, "spl_4", 0),
        (amd_oid::SPL_7, "spl_7", 0),
    ] {
        let err = fx
            .with_vcek(|c| set_ext(c, oid, Some(sev_testing::der_build::uint(100))))
            .unwrap_err();
        assert_eq!(
            err,
            SnpError::TcbMismatch {
                component: name,
                cert: 100,
                report
            },
            "{oid}"
        );
        assert_eq!(err.kind(), ErrorKind::Mismatch);
    }
    for oid in [amd_oid::BL_SPL, amd_oid::TEE_SPL, amd_oid::SNP_SPL, amd_oid::UCODE_SPL] {
        let err = fx.with_vcek(|c| set_ext(c, oid, None)).unwrap_err();
        assert!(matches!(err, SnpError::MissingExtension { .. }), "{oid}: {err}");
    }
    // Reserved SPLs may be absent (Turin has no spl_4).
    fx.with_vcek(|c| set_ext(c, amd_oid::SPL_4, None)).unwrap();
    let err = fx
        .with_vcek(|c| set_ext(c, amd_oid::FMC_SPL, Some(sev_testing::der_build::uint(0))))
        .unwrap_err();
    assert!(matches!(err, SnpError::BadExtension { name: "fmcSPL", .. }), "{err}");
    let err = fx
        .with_vcek(|c| set_ext(c, amd_oid::SNP_SPL, Some(vec![0x04, 0x01, 0x18])))
        .unwrap_err();
    assert!(matches!(err, SnpError::BadExtension { name: "snpSPL", .. }), "{err}");
}

#[test]
fn duplicated_and_unknown_critical_extensions_are_refused() {
    let fx = Fx::new(Product::Milan);
    let err = fx
        .with_vcek(|c| {
            let dup = c.extensions.iter().find(|e| e.oid == amd_oid::SNP_SPL).unwrap().clone();
            c.extensions.push(dup);
        })
        .unwrap_err();
    assert_eq!(
        err,
        SnpError::DuplicateExtension {
            name: "snpSPL",
            oid: amd_oid::SNP_SPL
        }
    );
    let err = fx
        .with_vcek(|c| {
            c.extensions.push(Ext {
                oid: "1.2.3.4".into(),
                critical: true,
                value: vec![5, 0],
            })
        })
        .unwrap_err();
    assert!(
        matches!(
            err,
            SnpError::Unexpected {
                field: "critical extension",
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn product_name_must_agree_with_the_issuer_and_the_report() {
    let fx = Fx::new(Product::Milan);
    fx.with_vcek(|c| set_ext(c, amd_oid::PRODUCT_NAME, Some(sev_testing::der_build::ia5("Milan-B0"))))
        .unwrap();
    fx.with_vcek(|c| set_ext(c, amd_oid::PRODUCT_NAME, None)).unwrap();
    let err = fx
        .with_vcek(|c| set_ext(c, amd_oid::PRODUCT_NAME, Some(sev_testing::der_build::ia5("Genoa"))))
        .unwrap_err();
    assert!(
        matches!(
            err,
            SnpError::ProductMismatch {
                expected: Product::Milan,
                found: Product::Genoa,
                ..
            }
        ),
        "{err}"
    );
    let err = fx
        .with_vcek(|c| set_ext(c, amd_oid::PRODUCT_NAME, Some(sev_testing::der_build::ia5("Potato"))))
        .unwrap_err();
    assert!(matches!(err, SnpError::UnknownProduct { .. }), "{err}");
    // The report's CPUID says Genoa, the chain is Milan.
    let err = fx.with_report(|r| r.cpuid_product = Some(Product::Genoa)).unwrap_err();
    assert!(
        matches!(
            err,
            SnpError::ProductMismatch {
                what: "report CPUID",
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn key_type_extensions_are_exclusive() {
    let fx = Fx::new(Product::Milan);
    let err = fx
        .with_vcek(|c| set_ext(c, amd_oid::CSP_ID, Some(sev_testing::der_build::ia5("x"))))
        .unwrap_err();
    assert!(matches!(err, SnpError::BadExtension { name: "cspID", .. }), "{err}");
    let spec = ReportSpec::new(Product::Milan).vlek();
    let mut vlek = fx.pki.vlek_spec(&LeafKey::vlek_a(), spec.reported_tcb, "CN=test-csp");
    set_ext(&mut vlek, amd_oid::HW_ID, Some(vec![1; 64]));
    let err = fx.verify(
        &spec.signed(&LeafKey::vlek_a()),
        &[&fx.pki.issue(&vlek)],
        &VerifyOptions::at(TEST_TIME),
    );
    assert!(
        matches!(err, Err(SnpError::BadExtension { name: "hwID", .. })),
        "{err:?}"
    );
}

#[test]
fn validity_periods_are_enforced_against_the_given_time() {
    let fx = Fx::new(Product::Milan);
    let err = fx.with_vcek(|c| c.not_after = TEST_TIME - 1).unwrap_err();
    assert_eq!(
        err,
        SnpError::Expired {
            role: Role::Vcek,
            not_after: TEST_TIME - 1,
            now: TEST_TIME
        }
    );
    let err = fx.with_vcek(|c| c.not_before = TEST_TIME + DAY).unwrap_err();
    assert!(matches!(err, SnpError::NotYetValid { role: Role::Vcek, .. }), "{err}");
    assert_eq!(err.kind(), ErrorKind::Validity);
    // An expired ASK, supplied by the caller (the store's valid one is not used instead).
    let mut ask = fx.pki.ask_spec();
    ask.not_after = TEST_TIME - DAY;
    let ask = fx.pki.issue(&ask);
    let spec = ReportSpec::new(Product::Milan);
    let vcek = fx.pki.issue(&fx.vcek(&spec));
    let err = fx
        .verify(
            &spec.signed(&LeafKey::vcek_a()),
            &[&vcek, &ask],
            &VerifyOptions::at(TEST_TIME),
        )
        .unwrap_err();
    assert!(matches!(err, SnpError::Expired { role: Role::Ask, .. }), "{err}");
    // Far future: the whole chain has expired.
    let err = fx.verify(
        &spec.signed(&LeafKey::vcek_a()),
        &[&vcek],
        &VerifyOptions::at(TEST_TIME + 20_000 * DAY),
    );
    assert!(matches!(err, Err(SnpError::Expired { .. })), "{err:?}");
}

#[test]
fn signatures_and_algorithms_are_checked() {
    let fx = Fx::new(Product::Milan);
    let err = fx.with_vcek(|c| c.signature = Some(vec![0x42; 512])).unwrap_err();
    assert!(matches!(err, SnpError::Signature { signer: Role::Ask, .. }), "{err}");
    let err = fx.with_vcek(|c| c.signer = Signer::Asvk).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Signature);
    use sev_testing::der_build::{SHA256, SHA384, pss_alg};
    for alg in [
        pss_alg(SHA384, SHA384, 32),
        pss_alg(SHA384, SHA256, 48),
        pss_alg(SHA256, SHA384, 32),
    ] {
        let err = fx
            .with_vcek(|c| {
                c.tbs_alg = alg.clone();
                c.outer_alg = alg.clone();
            })
            .unwrap_err();
        assert!(
            matches!(
                err,
                SnpError::Unexpected {
                    field: "signatureAlgorithm",
                    ..
                }
            ),
            "{err}"
        );
        assert_eq!(err.kind(), ErrorKind::MalformedCertificate);
    }
    let err = fx.with_vcek(|c| c.outer_alg = pss_alg(SHA256, SHA256, 32)).unwrap_err();
    assert!(
        matches!(
            err,
            SnpError::Unexpected {
                field: "signatureAlgorithm",
                ..
            }
        ),
        "{err}"
    );
    // A CA signed by another product's ARK.
    let genoa = FakePki::new(Product::Genoa);
    let mut ask = fx.pki.ask_spec();
    ask.signer = Signer::Key(Box::new(genoa.key(&Signer::Ark)));
    let ask = fx.pki.issue(&ask);
    let spec = ReportSpec::new(Product::Milan);
    let vcek = fx.pki.issue(&fx.vcek(&spec));
    let err = fx
        .verify(
            &spec.signed(&LeafKey::vcek_a()),
            &[&vcek, &ask],
            &VerifyOptions::at(TEST_TIME),
        )
        .unwrap_err();
    assert!(matches!(err, SnpError::Signature { signer: Role::Ark, .. }), "{err}");
}

#[test]
fn report_fields_that_select_the_key_and_algorithm_are_checked() {
    let fx = Fx::new(Product::Genoa);
    let err = fx.with_report(|r| r.signature_algo = 2).unwrap_err();
    assert_eq!(err, SnpError::UnsupportedSignatureAlgo { found: 2 });
    let err = fx.with_report(|r| r.signing_key = SigningKey::None).unwrap_err();
    assert_eq!(err, SnpError::UnsupportedSigningKey(SigningKey::None));
    let err = fx.with_report(|r| r.signing_key = SigningKey::Reserved(3)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Mismatch);
    // A report signed by another VCEK key under this VCEK certificate.
    let spec = ReportSpec::new(Product::Genoa);
    let vcek = fx.pki.issue(&fx.vcek(&spec));
    let err = fx
        .verify(
            &spec.signed(&LeafKey::vcek_b()),
            &[&vcek],
            &VerifyOptions::at(TEST_TIME),
        )
        .unwrap_err();
    assert_eq!(err, SnpError::ReportSignature { signer: Role::Vcek });
}

#[test]
fn masked_chip_id_verifies_through_a_vlek_or_a_vcek_with_the_hwid_check_skipped() {
    let fx = Fx::new(Product::Milan);
    let spec = ReportSpec::new(Product::Milan).vlek();
    let vlek = fx
        .pki
        .issue(&fx.pki.vlek_spec(&LeafKey::vlek_a(), spec.reported_tcb, "CN=test-csp"));
    let r = spec.signed(&LeafKey::vlek_a());
    fx.verify(&r, &[&vlek], &VerifyOptions::at(TEST_TIME)).unwrap();
    // The same masked report as a VCEK report.
    let mut vspec = spec.clone();
    vspec.signing_key = SigningKey::Vcek;
    let base = ReportSpec::new(Product::Milan);
    let vcek = fx.pki.issue(&fx.vcek(&base));
    let masked = vspec.signed(&LeafKey::vcek_a());
    let err = fx.verify(&masked, &[&vcek], &VerifyOptions::at(TEST_TIME)).unwrap_err();
    assert_eq!(err, SnpError::ChipIdMasked);
    let mut opts = VerifyOptions::at(TEST_TIME);
    opts.skip_hwid_check = true;
    fx.verify(&masked, &[&vcek], &opts).unwrap();
}

#[test]
fn crls_revoke_and_must_be_current_and_ark_signed() {
    let fx = Fx::new(Product::Milan);
    let spec = ReportSpec::new(Product::Milan);
    let vcek = fx.pki.issue(&fx.vcek(&spec));
    let report = spec.signed(&LeafKey::vcek_a());
    let run = |crl: &sev_testing::CrlSpec, allow_stale: bool| {
        let der = fx.pki.issue_crl(crl);
        let crls = Crl::parse_all(&der)?;
        let mut opts = VerifyOptions::at(TEST_TIME);
        opts.crls = &crls;
        opts.allow_stale_crl = allow_stale;
        fx.verify(&report, &[&vcek], &opts)
    };
    let base = fx.pki.crl_spec();
    run(&base, false).unwrap();
    let mut revoked = base.clone();
    revoked.revoked = vec![vec![0x05], sev_testing::der_build::uint_content(0x10001)];
    let err = run(&revoked, false).unwrap_err();
    assert!(matches!(err, SnpError::Revoked { role: Role::Ask, .. }), "{err}");
    assert_eq!(err.kind(), ErrorKind::Revoked);
    let mut vcek_revoked = base.clone();
    vcek_revoked.revoked = vec![vec![0]];
    assert!(matches!(
        run(&vcek_revoked, false),
        Err(SnpError::Revoked { role: Role::Vcek, .. })
    ));
    let mut stale = base.clone();
    stale.next_update = Some(TEST_TIME - 1);
    assert_eq!(
        run(&stale, false).unwrap_err(),
        SnpError::CrlStale {
            next_update: Some(TEST_TIME - 1),
            now: TEST_TIME
        }
    );
    run(&stale, true).unwrap();
    let mut future = base.clone();
    future.this_update = TEST_TIME + DAY;
    assert!(matches!(run(&future, false), Err(SnpError::CrlNotYetValid { .. })));
    let mut no_next = base.clone();
    no_next.next_update = None;
    assert!(matches!(
        run(&no_next, false),
        Err(SnpError::CrlStale { next_update: None, .. })
    ));
    let mut by_ask = base.clone();
    by_ask.signer = Signer::Ask;
    let err = run(&by_ask, false).unwrap_err();
    assert!(matches!(err, SnpError::Signature { signer: Role::Ark, .. }), "{err}");
    assert_eq!(err.kind(), ErrorKind::Crl);
    let mut bad_sig = base.clone();
    bad_sig.signature = Some(vec![7; 512]);
    assert_eq!(run(&bad_sig, false).unwrap_err().kind(), ErrorKind::Crl);
    let mut other = base.clone();
    other.issuer_cn = "ARK-Genoa".into();
    let err = run(&other, false).unwrap_err();
    assert!(matches!(err, SnpError::CrlIssuer { .. }), "{err}");
    assert_eq!(err.kind(), ErrorKind::Crl);
    // PEM form, and a revoked ASVK for a VLEK chain.
    let pem = sev_testing::pem("X509 CRL", &fx.pki.issue_crl(&revoked));
    assert_eq!(Crl::parse_all(pem.as_bytes()).unwrap()[0].revoked_serials().len(), 2);
    let mut asvk_revoked = base.clone();
    asvk_revoked.revoked = vec![sev_testing::der_build::uint_content(0x10101)];
    let crls = Crl::parse_all(&fx.pki.issue_crl(&asvk_revoked)).unwrap();
    let vspec = ReportSpec::new(Product::Milan).vlek();
    let vlek = fx
        .pki
        .issue(&fx.pki.vlek_spec(&LeafKey::vlek_a(), vspec.reported_tcb, "CN=csp"));
    let mut opts = VerifyOptions::at(TEST_TIME);
    opts.crls = &crls;
    let err = fx
        .verify(&vspec.signed(&LeafKey::vlek_a()), &[&vlek], &opts)
        .unwrap_err();
    assert!(matches!(err, SnpError::Revoked { role: Role::Asvk, .. }), "{err}");
}

#[test]
fn the_cache_never_accepts_what_a_full_check_refuses() {
    let fx = Fx::new(Product::Milan);
    let cache = ChainCache::new(8);
    let spec = ReportSpec::new(Product::Milan);
    let vcek = fx.pki.issue(&fx.vcek(&spec));
    let report = spec.signed(&LeafKey::vcek_a());
    let mut opts = VerifyOptions::at(TEST_TIME);
    opts.cache = Some(&cache);
    fx.verify(&report, &[&vcek], &opts).unwrap();
    // ARK self-signature and ARK → ASK were checked when the store was built; ASK → VCEK is cached.
    assert_eq!((cache.chains(), cache.signatures()), (1, 1));
    fx.verify(&report, &[&vcek], &opts).unwrap();
    // Same bytes, another store: the fake ARK is not trusted there.
    let builtin = TrustStore::builtin(&fx.provider);
    let r = Report::from_bytes(&report).unwrap();
    let certs: [&[u8]; 3] = [&vcek, fx.pki.ask(), fx.pki.ark()];
    let err = verify_report(&fx.provider, &builtin, &r, &certs, &opts).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UntrustedRoot);
    // A cached chain is still checked for time, CRLs and the report binding.
    let mut later = opts;
    later.now = TEST_TIME + 20_000 * DAY;
    assert_eq!(
        fx.verify(&report, &[&vcek], &later).unwrap_err().kind(),
        ErrorKind::Validity
    );
    let crls = Crl::parse_all(&fx.pki.issue_crl(&{
        let mut c = fx.pki.crl_spec();
        c.revoked = vec![vec![0]];
        c
    }))
    .unwrap();
    let mut with_crl = opts;
    with_crl.crls = &crls;
    assert_eq!(
        fx.verify(&report, &[&vcek], &with_crl).unwrap_err().kind(),
        ErrorKind::Revoked
    );
    let mut tampered = report.clone();
    tampered[0x60] ^= 0x80;
    assert_eq!(
        fx.verify(&tampered, &[&vcek], &opts).unwrap_err().kind(),
        ErrorKind::Signature
    );
    // A bounded cache stays bounded.
    for i in 0..20u8 {
        let mut s = spec.clone();
        s.chip_id[0] = i;
        let v = fx.pki.issue(&fx.vcek(&s));
        verify_chain(
            &fx.provider,
            &fx.store,
            &[&v],
            Some(Endorsement::Vcek),
            TEST_TIME,
            Some(&cache),
        )
        .unwrap();
    }
    assert_eq!(cache.chains(), 8);
}

#[test]
fn missing_certificates_are_named() {
    let fx = Fx::new(Product::Turin);
    let empty = TrustStore::pinned(&fx.provider, &[fx.pki.ark()], &[]).unwrap();
    let spec = ReportSpec::new(Product::Turin);
    let vcek = fx.pki.issue(&fx.vcek(&spec));
    let r = spec.signed(&LeafKey::vcek_a());
    let r = Report::from_bytes(&r).unwrap();
    let err = verify_report(&fx.provider, &empty, &r, &[&vcek], &VerifyOptions::at(TEST_TIME)).unwrap_err();
    assert_eq!(err, SnpError::MissingCertificate(Role::Ask));
    assert_eq!(err.kind(), ErrorKind::MissingCertificate);
    let no_ark = TrustStore::pinned(&fx.provider, &[], &[fx.pki.ask()]).unwrap();
    let err = verify_report(&fx.provider, &no_ark, &r, &[&vcek], &VerifyOptions::at(TEST_TIME)).unwrap_err();
    assert_eq!(err, SnpError::MissingCertificate(Role::Ark));
    let err = verify_report(&fx.provider, &fx.store, &r, &[], &VerifyOptions::at(TEST_TIME)).unwrap_err();
    assert_eq!(err, SnpError::MissingCertificate(Role::Vcek));
    // Two different VCEKs supplied.
    let mut other = spec.clone();
    other.chip_id[0] ^= 1;
    let vcek2 = fx.pki.issue(&fx.vcek(&other));
    let err = verify_report(
        &fx.provider,
        &fx.store,
        &r,
        &[&vcek, &vcek2],
        &VerifyOptions::at(TEST_TIME),
    )
    .unwrap_err();
    assert_eq!(err, SnpError::DuplicateCertificate(Role::Vcek));
}

#[test]
fn hwid_encoding_helper_covers_both_forms() {
    let fx = Fx::new(Product::Genoa);
    let spec = ReportSpec::new(Product::Genoa);
    for enc in [HwIdEncoding::Raw, HwIdEncoding::OctetString] {
        let mut cert = fx.vcek(&spec);
        cert.extensions =
            sev_testing::amd_extensions(Product::Genoa, spec.reported_tcb, Some((&spec.chip_id, enc)), None);
        let vcek = fx.pki.issue(&cert);
        fx.verify(
            &spec.signed(&LeafKey::vcek_a()),
            &[&vcek],
            &VerifyOptions::at(TEST_TIME),
        )
        .unwrap();
    }
}

#[test]
fn a_store_never_vouches_for_a_badly_signed_intermediate() {
    let fx = Fx::new(Product::Genoa);
    let mut ask = fx.pki.ask_spec();
    ask.signature = Some(vec![1; 512]);
    let bad_ask = fx.pki.issue(&ask);
    let store = TrustStore::pinned(&fx.provider, &[fx.pki.ark()], &[&bad_ask]).unwrap();
    let spec = ReportSpec::new(Product::Genoa);
    let vcek = fx.pki.issue(&fx.vcek(&spec));
    let r = spec.signed(&LeafKey::vcek_a());
    let r = Report::from_bytes(&r).unwrap();
    let err = verify_report(&fx.provider, &store, &r, &[&vcek], &VerifyOptions::at(TEST_TIME)).unwrap_err();
    assert!(matches!(err, SnpError::Signature { signer: Role::Ark, .. }), "{err}");
    // A pinned ARK whose self-signature is broken is refused too.
    let mut ark = fx.pki.ark_spec();
    ark.signature = Some(vec![2; 512]);
    let bad_ark = fx.pki.issue(&ark);
    let store = TrustStore::pinned(&fx.provider, &[&bad_ark], &[fx.pki.ask()]).unwrap();
    let err = verify_report(&fx.provider, &store, &r, &[&vcek], &VerifyOptions::at(TEST_TIME)).unwrap_err();
    assert!(matches!(err, SnpError::Signature { signer: Role::Ark, .. }), "{err}");
}

#[test]
fn signature_rules_hold_on_every_backend() {
    let pki = FakePki::new(Product::Turin);
    let spec = ReportSpec::new(Product::Turin);
    let vcek = pki.issue(&pki.vcek_spec(&LeafKey::vcek_a(), &spec.chip_id, spec.reported_tcb));
    let mut bad = pki.vcek_spec(&LeafKey::vcek_a(), &spec.chip_id, spec.reported_tcb);
    bad.signature = Some(
        pki.issue(&pki.vcek_spec(&LeafKey::vcek_b(), &spec.chip_id, spec.reported_tcb))[vcek.len() - 512..].to_vec(),
    );
    let bad_vcek = pki.issue(&bad);
    let report = spec.signed(&LeafKey::vcek_a());
    let wrong_key = spec.signed(&LeafKey::vcek_b());
    let mut crl = pki.crl_spec();
    crl.signer = Signer::Asvk;
    let crls = Crl::parse_all(&pki.issue_crl(&crl)).unwrap();
    for provider in sev_verify::crypto::all_providers() {
        let store = TrustStore::pinned(&provider, &[pki.ark()], &[pki.ask(), pki.asvk()]).unwrap();
        let run = |r: &[u8], c: &[u8], crls: &[Crl]| {
            let mut opts = VerifyOptions::at(TEST_TIME);
            opts.crls = crls;
            verify_report(&provider, &store, &Report::from_bytes(r).unwrap(), &[c], &opts).map(|_| ())
        };
        run(&report, &vcek, &[]).unwrap_or_else(|e| panic!("{}: {e}", provider.name));
        assert_eq!(
            run(&report, &bad_vcek, &[]).unwrap_err().kind(),
            ErrorKind::Signature,
            "{}",
            provider.name
        );
        assert_eq!(
            run(&wrong_key, &vcek, &[]).unwrap_err(),
            SnpError::ReportSignature { signer: Role::Vcek },
            "{}",
            provider.name
        );
        assert_eq!(
            run(&report, &vcek, &crls).unwrap_err().kind(),
            ErrorKind::Crl,
            "{}",
            provider.name
        );
    }
}
