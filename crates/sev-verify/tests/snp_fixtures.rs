//! Every real fixture report verifies with its VCEK/VLEK and the built-in roots, on every
//! backend; the negative certificates fail for the right reason.
#![cfg(any(feature = "aws-lc", feature = "ring", feature = "rustcrypto"))]

mod snp_common;

use sev_types::Product;
use sev_types::report::Report;
use sev_verify::crypto::all_providers;
use sev_verify::snp::{
    AmdCert, Endorsement, ErrorKind, Role, SnpError, TrustStore, VerifyOptions, verify_chain, verify_report,
};
use snp_common::{CASES, NOW, fixture};

#[test]
fn every_fixture_report_verifies_on_every_backend() {
    for provider in all_providers() {
        let store = TrustStore::builtin(&provider);
        for case in CASES {
            let bytes = case.report();
            let report = Report::from_bytes(&bytes).unwrap();
            let certs = case.certs();
            let refs: Vec<&[u8]> = certs.iter().map(Vec::as_slice).collect();
            let v = verify_report(&provider, &store, &report, &refs, &VerifyOptions::at(NOW))
                .unwrap_or_else(|e| panic!("{} on {}: {e}", case.dir, provider.name));
            let t = v.reported_tcb();
            assert_eq!(
                (t.fmc, t.bootloader, t.tee, t.snp, t.microcode),
                case.tcb,
                "{}",
                case.dir
            );
            assert_eq!(v.chain().product(), case.product.kds_product(), "{}", case.dir);
            assert_eq!(v.chain().leaf().role(), if case.vlek { Role::Vlek } else { Role::Vcek });
            assert_eq!(v.hwid_checked(), !case.vlek, "{}", case.dir);
            if report.version() >= 3 {
                assert_eq!(v.product(), case.product, "{}", case.dir);
            }
        }
    }
}

#[test]
fn the_vlek_exposes_its_csp_id() {
    let provider = sev_verify::crypto::default_provider();
    let store = TrustStore::builtin(&provider);
    let case = CASES.iter().find(|c| c.vlek).unwrap();
    let bytes = case.report();
    let certs = case.certs();
    let v = verify_report(
        &provider,
        &store,
        &Report::from_bytes(&bytes).unwrap(),
        &[&certs[0]],
        &VerifyOptions::at(NOW),
    )
    .unwrap();
    // PROVENANCE.md: cspID "CN=cc-us-east-2.amazonaws.com".
    assert_eq!(v.csp_id(), Some("CN=cc-us-east-2.amazonaws.com"));
}

#[test]
fn v2_reports_accept_a_matching_product_hint_and_refuse_another() {
    let provider = sev_verify::crypto::default_provider();
    let store = TrustStore::builtin(&provider);
    let bytes = fixture("snp/milan/gosev/report.bin");
    let vcek = fixture("snp/milan/gosev/vcek.der");
    let report = Report::from_bytes(&bytes).unwrap();
    let mut opts = VerifyOptions::at(NOW);
    opts.product = Some(Product::Milan);
    verify_report(&provider, &store, &report, &[&vcek], &opts).unwrap();
    opts.product = Some(Product::Genoa);
    let err = verify_report(&provider, &store, &report, &[&vcek], &opts).unwrap_err();
    assert!(
        matches!(
            err,
            SnpError::ProductMismatch {
                found: Product::Genoa,
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn negative_trustee_vceks_fail_on_their_signature() {
    for provider in all_providers() {
        let store = TrustStore::builtin(&provider);
        for name in ["vcek-invalid-legacy.der", "vcek-invalid-new.der"] {
            let der = fixture(&format!("snp/milan/trustee/{name}"));
            let cert = AmdCert::from_der(&der).unwrap();
            // Both parse, with hwID 00 01 .. 3f (raw and OCTET STRING forms).
            let expected: Vec<u8> = (0..64).collect();
            assert_eq!(cert.amd_extensions().hw_id.as_deref(), Some(&expected[..]), "{name}");
            let err = verify_chain(&provider, &store, &[&der], Some(Endorsement::Vcek), NOW, None).unwrap_err();
            assert_eq!(
                err,
                SnpError::Signature {
                    what: sev_verify::snp::Subject::Certificate(Role::Vcek),
                    signer: Role::Ask
                }
            );
            assert_eq!(err.kind(), ErrorKind::Signature);
        }
    }
}

#[test]
fn vcek_with_genoa_issuer_and_turin_product_is_refused_as_a_product_mismatch() {
    let der = fixture("snp/turin/negative/vcek-genoa-issuer-turin-product.der");
    let err = AmdCert::from_der(&der).unwrap_err();
    assert!(
        matches!(
            err,
            SnpError::ProductMismatch {
                expected: Product::Genoa,
                found: Product::Turin,
                ..
            }
        ),
        "{err}"
    );
    assert_eq!(err.kind(), ErrorKind::Mismatch);
}

#[test]
fn built_in_roots_match_the_kds_bundles() {
    for (name, product) in [
        ("milan", Product::Milan),
        ("genoa", Product::Genoa),
        ("turin", Product::Turin),
    ] {
        let bundle = sev_verify::snp::pem::split_der_or_pem(&fixture(&format!("kds/{name}_ask_ark_asvk.pem"))).unwrap();
        // PROVENANCE.md: the trustee bundle is [ASK, ARK, ASVK].
        assert_eq!(
            sev_verify::snp::builtin_cert(product, Role::Ask).unwrap(),
            &bundle[0][..]
        );
        assert_eq!(
            sev_verify::snp::builtin_cert(product, Role::Ark).unwrap(),
            &bundle[1][..]
        );
        assert_eq!(
            sev_verify::snp::builtin_cert(product, Role::Asvk).unwrap(),
            &bundle[2][..]
        );
        let roles: Vec<Role> = bundle.iter().map(|d| AmdCert::from_der(d).unwrap().role()).collect();
        assert_eq!(roles, [Role::Ask, Role::Ark, Role::Asvk]);
    }
}

#[test]
fn roles_come_from_contents_for_every_fixture_certificate() {
    // kds-and-certs.md §2: CNs, serials and the ARK/ASK/ASVK validity table.
    let ark = AmdCert::from_der(&fixture("snp/milan/ark.der")).unwrap();
    assert_eq!(
        (ark.role(), ark.subject_cn(), ark.serial()),
        (Role::Ark, "ARK-Milan", &[0x01, 0x00, 0x00][..])
    );
    assert_eq!(ark.not_before(), 1_603_387_385); // 2020-10-22 17:23:05
    let ask = AmdCert::from_der(&fixture("snp/genoa/ask.der")).unwrap();
    assert_eq!(
        (ask.role(), ask.issuer_cn(), ask.serial()),
        (Role::Ask, "ARK-Genoa", &[0x02, 0x00, 0x02][..])
    );
    let turin = AmdCert::from_der(&fixture("snp/turin/routex-v5/vcek.der")).unwrap();
    let ext = turin.amd_extensions();
    assert_eq!(
        (ext.struct_version, ext.product_name.as_deref()),
        (Some(1), Some("Turin"))
    );
    assert_eq!(
        (ext.fmc_spl(), ext.bl_spl(), ext.snp_spl(), ext.ucode_spl()),
        (Some(0), Some(1), Some(2), Some(71))
    );
    assert_eq!(ext.hw_id.as_deref().map(<[u8]>::len), Some(8));
    assert_eq!(turin.serial(), &[0][..], "VCEK serial 0 is tolerated");
}

#[test]
fn the_azure_hcl_chain_bundle_verifies_whatever_the_order() {
    let provider = sev_verify::crypto::default_provider();
    let store = TrustStore::builtin(&provider);
    let certs = sev_verify::snp::pem::split_der_or_pem(&fixture("snp/milan/azure-hcl/vcek-chain.pem")).unwrap();
    assert_eq!(certs.len(), 3);
    let bytes = fixture("snp/milan/azure-hcl/report.bin");
    let report = Report::from_bytes(&bytes).unwrap();
    for order in [[0, 1, 2], [2, 1, 0], [1, 2, 0]] {
        let refs: Vec<&[u8]> = order.iter().map(|&i| certs[i].as_slice()).collect();
        verify_report(&provider, &store, &report, &refs, &VerifyOptions::at(NOW)).unwrap();
    }
}
