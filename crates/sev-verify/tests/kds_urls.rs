//! KDS URLs for the real fixture reports, round trips, and hostile URLs.
//!
//! Expected hwIDs and SPLs come from `fixtures/snp/reports.json`; the URL shapes from
//! `shared/spec/kds-and-certs.md` §1.

mod policy_fixtures;

use policy_fixtures::*;
use sev_types::Product;
use sev_types::report::Report;
use sev_types::tcb::Tcb;
use sev_verify::kds::{Endorsement, KdsError, KdsFetch, KdsRequest, Resource, UrlError};

/// The KDS product of a fixture (Bergamo/Siena parts are served as Genoa).
fn kds_name(f: &Fixture) -> &'static str {
    match f.product() {
        Product::Milan => "Milan",
        Product::Genoa | Product::BergamoSiena => "Genoa",
        Product::Turin => "Turin",
        p => panic!("{p:?}"),
    }
}

fn spl(f: &Fixture, c: &str) -> u8 {
    f.tcb("reported_tcb", c).unwrap()
}

fn expected_vcek_url(f: &Fixture) -> String {
    let chip = f.str("chip_id");
    let (hwid, fmc) = match f.product() {
        Product::Turin => (&chip[..16], format!("fmcSPL={:02}&", spl(f, "fmc"))),
        _ => (chip, String::new()),
    };
    format!(
        "https://kdsintf.amd.com/vcek/v1/{}/{hwid}?{fmc}blSPL={:02}&teeSPL={:02}&snpSPL={:02}&ucodeSPL={:02}",
        kds_name(f),
        spl(f, "bootloader"),
        spl(f, "tee"),
        spl(f, "snp"),
        spl(f, "microcode")
    )
}

#[test]
fn vcek_url_of_every_real_report() {
    let mut n = 0;
    for f in all() {
        let r = f.report();
        if r.chip_id_masked() {
            continue;
        }
        let req = KdsRequest::vcek_for_report(&r, Some(f.product())).unwrap();
        assert_eq!(req.url(), expected_vcek_url(&f), "{}", f.name);
        assert_eq!(req.resource(), Resource::Vcek);
        assert_eq!(req.key_type(), Endorsement::Vcek);
        assert_eq!(KdsRequest::parse(&req.url()), Ok(req), "{}", f.name);
        n += 1;
    }
    assert_eq!(n, 13);
}

#[test]
fn fixed_urls_from_the_spec() {
    // Milan v2 report from go-sev-guest: REPORTED_TCB bl 2, tee 0, snp 5, ucode 68.
    let f = by_file(GOSEV);
    let req = KdsRequest::vcek_for_report(&f.report(), Some(Product::Milan)).unwrap();
    assert_eq!(
        req.url(),
        "https://kdsintf.amd.com/vcek/v1/Milan/3ac3fe21e13fb0990eb28a802e3fb6a29483a6b0753590c951bdd3b8e53786184ca39e359669a2b76a1936776b564ea464cdce40c05f63c9b610c5068b006b5d?blSPL=02&teeSPL=00&snpSPL=05&ucodeSPL=68"
    );
    // Turin: the 8-byte hwID and fmcSPL first.
    let f = by_file(TURIN_V5);
    let req = KdsRequest::vcek_for_report(&f.report(), None).unwrap();
    assert_eq!(
        req.url(),
        "https://kdsintf.amd.com/vcek/v1/Turin/3b42092f69c656d3?fmcSPL=00&blSPL=01&teeSPL=00&snpSPL=02&ucodeSPL=71"
    );
    assert_eq!(req.hwid().unwrap().as_bytes().len(), 8);
    // A Bergamo/Siena-class report (CPUID model 0xA0) is served by Genoa.
    let f = by_file("snp/genoa/trustee-e2e-model-a0/report.bin");
    assert_eq!(f.report().product(), Some(Product::BergamoSiena));
    let req = KdsRequest::vcek_for_report(&f.report(), None).unwrap();
    assert_eq!(req.product(), Product::Genoa);
    assert!(
        req.url()
            .starts_with("https://kdsintf.amd.com/vcek/v1/Genoa/371c55d6d15cb50f16dc"),
        "{req}"
    );
}

#[test]
fn vlek_report_has_no_vcek_but_a_vlek_url() {
    let f = by_file(VLEK_MILAN);
    let r = f.report();
    assert_eq!(KdsRequest::vcek_for_report(&r, None), Err(KdsError::MaskedChipId));
    let req = KdsRequest::vlek_for_report(&r, None).unwrap();
    assert_eq!(
        req.url(),
        "https://kdsintf.amd.com:444/vlek/v1/Milan/cert?blSPL=04&teeSPL=00&snpSPL=24&ucodeSPL=217"
    );
    assert_eq!((req.resource(), req.key_type()), (Resource::Vlek, Endorsement::Vlek));
    assert_eq!(KdsRequest::parse(&req.url()), Ok(req));
    // go-sev-guest's form, without the port, names the same request.
    assert_eq!(
        KdsRequest::parse("https://kdsintf.amd.com/vlek/v1/Milan/cert?blSPL=4&teeSPL=0&snpSPL=24&ucodeSPL=217"),
        Ok(req)
    );
}

#[test]
fn v2_report_needs_a_product() {
    let f = by_file(GOSEV);
    let r = f.report();
    assert_eq!(
        KdsRequest::vcek_for_report(&r, None),
        Err(KdsError::UnknownProduct { version: 2 })
    );
    assert_eq!(
        KdsRequest::vlek_for_report(&r, None),
        Err(KdsError::UnknownProduct { version: 2 })
    );
    // A v3+ report's own CPUID wins over a wrong hint.
    let genoa = by_file(GENOA_V5);
    let req = KdsRequest::vcek_for_report(&genoa.report(), Some(Product::Milan)).unwrap();
    assert_eq!(req.product(), Product::Genoa);
}

#[test]
fn chains_and_crls_for_every_product() {
    let cases = [
        (Product::Milan, "Milan"),
        (Product::Genoa, "Genoa"),
        (Product::BergamoSiena, "Genoa"),
        (Product::Turin, "Turin"),
    ];
    for (p, name) in cases {
        for (key, seg) in [(Endorsement::Vcek, "vcek"), (Endorsement::Vlek, "vlek")] {
            let chain = KdsRequest::cert_chain(p, key).unwrap();
            assert_eq!(
                chain.url(),
                format!("https://kdsintf.amd.com/{seg}/v1/{name}/cert_chain")
            );
            let crl = KdsRequest::crl(p, key).unwrap();
            assert_eq!(crl.url(), format!("https://kdsintf.amd.com/{seg}/v1/{name}/crl"));
            for req in [chain, crl] {
                assert_eq!(KdsRequest::parse(&req.url()), Ok(req));
                assert_eq!((req.key_type(), req.hwid(), req.tcb()), (key, None, None));
            }
        }
    }
    for p in [Product::Naples, Product::Rome] {
        assert_eq!(
            KdsRequest::cert_chain(p, Endorsement::Vcek),
            Err(KdsError::UnsupportedProduct(p))
        );
        assert_eq!(
            KdsRequest::crl(p, Endorsement::Vlek),
            Err(KdsError::UnsupportedProduct(p))
        );
        assert_eq!(
            KdsRequest::vlek(p, Tcb::default()),
            Err(KdsError::UnsupportedProduct(p))
        );
    }
}

#[test]
fn explicit_parameters_are_checked() {
    let turin_chip = by_file(TURIN_V5).hex::<64>("chip_id");
    let turin_tcb = Tcb {
        fmc: Some(0),
        bootloader: 1,
        tee: 0,
        snp: 2,
        microcode: 71,
    };
    let from_8 = KdsRequest::vcek(Product::Turin, &turin_chip[..8], turin_tcb).unwrap();
    let from_64 = KdsRequest::vcek(Product::Turin, &turin_chip, turin_tcb).unwrap();
    assert_eq!(from_8, from_64);
    let mut milan_chip = by_file(MILAN_V3).hex::<64>("chip_id");
    assert_eq!(
        KdsRequest::vcek(Product::Turin, &milan_chip, turin_tcb),
        Err(KdsError::HwidTail {
            product: Product::Turin,
            hwid_len: 8
        })
    );
    let milan_tcb = Tcb {
        fmc: None,
        bootloader: 4,
        tee: 0,
        snp: 24,
        microcode: 219,
    };
    assert!(KdsRequest::vcek(Product::Milan, &milan_chip, milan_tcb).is_ok());
    assert_eq!(
        KdsRequest::vcek(Product::Milan, &milan_chip[..8], milan_tcb),
        Err(KdsError::HwidLength {
            product: Product::Milan,
            expected: 64,
            found: 8
        })
    );
    assert_eq!(
        KdsRequest::vcek(Product::Turin, &turin_chip[..7], turin_tcb),
        Err(KdsError::HwidLength {
            product: Product::Turin,
            expected: 8,
            found: 7
        })
    );
    assert_eq!(
        KdsRequest::vcek(Product::Turin, &turin_chip[..8], milan_tcb),
        Err(KdsError::Fmc {
            product: Product::Turin,
            required: true
        })
    );
    assert_eq!(
        KdsRequest::vlek(Product::Genoa, turin_tcb),
        Err(KdsError::Fmc {
            product: Product::Genoa,
            required: false
        })
    );
    milan_chip[63] ^= 1;
    let other = KdsRequest::vcek(Product::Milan, &milan_chip, milan_tcb).unwrap();
    assert!(other.url().contains(&hex::encode(milan_chip)));
}

#[test]
fn parser_accepts_plain_and_padded_spls_in_any_order() {
    let f = by_file(TURIN_V5);
    let req = KdsRequest::vcek_for_report(&f.report(), None).unwrap();
    for url in [
        "https://kdsintf.amd.com/vcek/v1/Turin/3b42092f69c656d3?fmcSPL=0&blSPL=1&teeSPL=0&snpSPL=2&ucodeSPL=71",
        "https://kdsintf.amd.com/vcek/v1/Turin/3B42092F69C656D3?ucodeSPL=071&snpSPL=02&teeSPL=000&blSPL=01&fmcSPL=00",
        "https://kdsintf.amd.com:443/vcek/v1/Turin/3b42092f69c656d3?fmcSPL=0&blSPL=1&teeSPL=0&snpSPL=2&ucodSPL=71",
        "HTTPS://KDSINTF.AMD.COM/vcek/v1/Turin/3b42092f69c656d3?fmcSPL=0&blSPL=1&teeSPL=0&snpSPL=2&ucodeSPL=71",
    ] {
        assert_eq!(KdsRequest::parse(url), Ok(req), "{url}");
    }
    assert_eq!(
        req.tcb(),
        Some(Tcb {
            fmc: Some(0),
            bootloader: 1,
            tee: 0,
            snp: 2,
            microcode: 71
        })
    );
}

fn milan_url(query: &str) -> String {
    format!(
        "https://kdsintf.amd.com/vcek/v1/Milan/{}?{query}",
        by_file(GOSEV).str("chip_id")
    )
}

const MILAN_Q: &str = "blSPL=02&teeSPL=00&snpSPL=05&ucodeSPL=68";

#[test]
fn hostile_urls_are_rejected_with_the_reason() {
    let hwid = by_file(GOSEV).str("chip_id").to_string();
    type Case = (String, fn(&UrlError) -> bool);
    let cases: Vec<Case> = vec![
        ("http://kdsintf.amd.com/vcek/v1/Milan/crl".into(), |e| {
            matches!(e, UrlError::Scheme { .. })
        }),
        ("ftp:".into(), |e| matches!(e, UrlError::Scheme { .. })),
        ("".into(), |e| matches!(e, UrlError::Scheme { .. })),
        ("https://kdsintf.amd.com.evil.example/vcek/v1/Milan/crl".into(), |e| {
            matches!(e, UrlError::Host { .. })
        }),
        ("https://evil.example/kdsintf.amd.com/vcek/v1/Milan/crl".into(), |e| {
            matches!(e, UrlError::Host { .. })
        }),
        ("https://kdsintf.amd.com@evil.example/vcek/v1/Milan/crl".into(), |e| {
            matches!(e, UrlError::Character { found: '@' })
        }),
        ("https://kdsintf.amd.com:8080/vcek/v1/Milan/crl".into(), |e| {
            matches!(e, UrlError::Port { .. })
        }),
        ("https://kdsintf.amd.com:/vcek/v1/Milan/crl".into(), |e| {
            matches!(e, UrlError::Port { .. })
        }),
        ("https://kdsintf.amd.com/vcek/v1/Milan/crl#x".into(), |e| {
            matches!(e, UrlError::Character { found: '#' })
        }),
        ("https://kdsintf.amd.com/vcek/v1/%4dilan/crl".into(), |e| {
            matches!(e, UrlError::Character { found: '%' })
        }),
        ("https://kdsintf.amd.com/vcek/v1/Milan/crl ".into(), |e| {
            matches!(e, UrlError::Character { found: ' ' })
        }),
        ("https://kdsintf.amd.com/vcek/v1/Milän/crl".into(), |e| {
            matches!(e, UrlError::Character { found: 'ä' })
        }),
        ("https://kdsintf.amd.com".into(), |e| matches!(e, UrlError::Path { .. })),
        ("https://kdsintf.amd.com/".into(), |e| {
            matches!(e, UrlError::Path { .. })
        }),
        ("https://kdsintf.amd.com/vcek/v1/Milan/crl/".into(), |e| {
            matches!(e, UrlError::Path { .. })
        }),
        ("https://kdsintf.amd.com/vcek/v1/Milan/".into(), |e| {
            matches!(e, UrlError::Path { .. })
        }),
        ("https://kdsintf.amd.com/vcek/v2/Milan/crl".into(), |e| {
            matches!(e, UrlError::Path { .. })
        }),
        ("https://kdsintf.amd.com/cek/v1/Milan/crl".into(), |e| {
            matches!(e, UrlError::Path { .. })
        }),
        ("https://kdsintf.amd.com//vcek/v1/Milan/crl".into(), |e| {
            matches!(e, UrlError::Path { .. })
        }),
        ("https://kdsintf.amd.com/vcek/v1/../Milan/crl".into(), |e| {
            matches!(e, UrlError::Path { .. })
        }),
        ("https://kdsintf.amd.com/vlek/v1/Milan/hash_sticks".into(), |e| {
            matches!(e, UrlError::Path { .. })
        }),
        ("https://kdsintf.amd.com/vlek/v1/Milan/".into(), |e| {
            matches!(e, UrlError::Path { .. })
        }),
        ("https://kdsintf.amd.com/vcek/v1/milan/crl".into(), |e| {
            matches!(e, UrlError::Product { .. })
        }),
        ("https://kdsintf.amd.com/vcek/v1/Siena/crl".into(), |e| {
            matches!(e, UrlError::Product { .. })
        }),
        ("https://kdsintf.amd.com/vcek/v1/Rome/crl".into(), |e| {
            matches!(e, UrlError::Product { .. })
        }),
        ("https://kdsintf.amd.com/vcek/v1/Milan/crl?x=1".into(), |e| {
            matches!(e, UrlError::UnexpectedQuery { .. })
        }),
        ("https://kdsintf.amd.com/vcek/v1/Milan/cert_chain?".into(), |e| {
            matches!(e, UrlError::UnexpectedQuery { .. })
        }),
        (
            format!("https://kdsintf.amd.com/vcek/v1/Milan/{}?{MILAN_Q}", &hwid[..126]),
            |e| matches!(e, UrlError::Hwid { expected: 128, .. }),
        ),
        (format!("https://kdsintf.amd.com/vcek/v1/Turin/{hwid}?{MILAN_Q}"), |e| {
            matches!(e, UrlError::Hwid { expected: 16, .. })
        }),
        (
            format!("https://kdsintf.amd.com/vcek/v1/Milan/{}zz?{MILAN_Q}", &hwid[..126]),
            |e| matches!(e, UrlError::Hwid { .. }),
        ),
        (milan_url("blSPL=02&teeSPL=00&snpSPL=05"), |e| {
            matches!(e, UrlError::MissingParam { name: "ucodeSPL" })
        }),
        (milan_url(""), |e| matches!(e, UrlError::MissingParam { name: "blSPL" })),
        (format!("https://kdsintf.amd.com/vcek/v1/Milan/{hwid}"), |e| {
            matches!(e, UrlError::MissingParam { .. })
        }),
        (milan_url(&format!("{MILAN_Q}&fmcSPL=00")), |e| {
            matches!(e, UrlError::UnknownParam { .. })
        }),
        (milan_url(&format!("{MILAN_Q}&blSPL=02")), |e| {
            matches!(e, UrlError::DuplicateParam { name: "blSPL" })
        }),
        (milan_url(&format!("{MILAN_Q}&ucodSPL=68")), |e| {
            matches!(e, UrlError::DuplicateParam { name: "ucodeSPL" })
        }),
        (milan_url(&format!("{MILAN_Q}&")), |e| {
            matches!(e, UrlError::UnknownParam { .. })
        }),
        (milan_url(&format!("{MILAN_Q}&x=1")), |e| {
            matches!(e, UrlError::UnknownParam { .. })
        }),
        (milan_url("blSPL=02&teeSPL=00&snpSPL=05&ucodeSPL=256"), |e| {
            matches!(e, UrlError::BadSpl { name: "ucodeSPL", .. })
        }),
        (milan_url("blSPL=0002&teeSPL=00&snpSPL=05&ucodeSPL=68"), |e| {
            matches!(e, UrlError::BadSpl { name: "blSPL", .. })
        }),
        (milan_url("blSPL=+2&teeSPL=00&snpSPL=05&ucodeSPL=68"), |e| {
            matches!(e, UrlError::BadSpl { .. })
        }),
        (milan_url("blSPL=-2&teeSPL=00&snpSPL=05&ucodeSPL=68"), |e| {
            matches!(e, UrlError::BadSpl { .. })
        }),
        (milan_url("blSPL=&teeSPL=00&snpSPL=05&ucodeSPL=68"), |e| {
            matches!(e, UrlError::BadSpl { .. })
        }),
        (milan_url("blSPL&teeSPL=00&snpSPL=05&ucodeSPL=68"), |e| {
            matches!(e, UrlError::BadSpl { .. })
        }),
        (milan_url("blSPL=0x2&teeSPL=00&snpSPL=05&ucodeSPL=68"), |e| {
            matches!(e, UrlError::BadSpl { .. })
        }),
        (
            "https://kdsintf.amd.com/vlek/v1/Turin/cert?blSPL=1&teeSPL=0&snpSPL=2&ucodeSPL=71".into(),
            |e| matches!(e, UrlError::MissingParam { name: "fmcSPL" }),
        ),
    ];
    for (url, ok) in &cases {
        match KdsRequest::parse(url) {
            Err(e) => assert!(ok(&e), "{url}: wrong error {e:?}"),
            Ok(r) => panic!("accepted {url}: {r:?}"),
        }
    }
    assert!(KdsRequest::parse(&milan_url(MILAN_Q)).is_ok());
}

#[test]
fn every_prefix_of_a_vcek_url_is_rejected() {
    let url = milan_url(MILAN_Q);
    let last_value = url.rfind('=').unwrap() + 1;
    for len in 0..last_value {
        assert!(
            KdsRequest::parse(&url[..len]).is_err(),
            "accepted prefix {}",
            &url[..len]
        );
    }
}

#[test]
fn mutated_urls_never_panic_and_round_trip_when_accepted() {
    let seeds = [
        milan_url(MILAN_Q),
        KdsRequest::vcek_for_report(&by_file(TURIN_V5).report(), None)
            .unwrap()
            .url(),
        KdsRequest::vlek_for_report(&by_file(VLEK_MILAN).report(), None)
            .unwrap()
            .url(),
        "https://kdsintf.amd.com/vlek/v1/Genoa/cert_chain".to_string(),
    ];
    let replacements = ['0', '9', 'a', 'Z', '/', '?', '&', '=', ':', '.', '\u{e9}', '\0'];
    let mut accepted = 0;
    for seed in &seeds {
        let chars: Vec<char> = seed.chars().collect();
        for i in 0..chars.len() {
            for &c in &replacements {
                let mut m = chars.clone();
                m[i] = c;
                let s: String = m.iter().collect();
                if let Ok(r) = KdsRequest::parse(&s) {
                    accepted += 1;
                    assert_eq!(KdsRequest::parse(&r.url()), Ok(r), "{s}");
                }
                let mut d = chars.clone();
                d.remove(i);
                let s: String = d.iter().collect();
                if let Ok(r) = KdsRequest::parse(&s) {
                    assert_eq!(KdsRequest::parse(&r.url()), Ok(r), "{s}");
                }
            }
        }
    }
    // Hex digits in the hwID and digits in SPLs are legitimate variations.
    assert!(accepted > 100, "{accepted}");
}

#[test]
fn a_fetcher_receives_the_url() {
    let seen = std::cell::RefCell::new(Vec::new());
    let fetch = |url: &str| -> Result<Vec<u8>, String> {
        seen.borrow_mut().push(url.to_string());
        Ok(url.as_bytes().to_vec())
    };
    let r = by_file(GENOA_V5);
    let req = KdsRequest::vcek_for_report(&Report::from_bytes(&r.bytes).unwrap(), None).unwrap();
    assert_eq!(fetch.fetch(&req).unwrap(), expected_vcek_url(&r).into_bytes());
    assert_eq!(seen.borrow().as_slice(), [expected_vcek_url(&r)]);
}

mod prop {
    use proptest::prelude::*;
    use sev_verify::kds::KdsRequest;

    proptest! {
        #[test]
        fn arbitrary_strings_never_panic(s in "\\PC{0,300}") {
            if let Ok(r) = KdsRequest::parse(&s) {
                prop_assert_eq!(KdsRequest::parse(&r.url()), Ok(r));
            }
        }

        #[test]
        fn kds_shaped_strings_never_panic(
            side in "(vcek|vlek|cek|)",
            product in "(Milan|Genoa|Turin|Venice|Siena|)",
            last in "([0-9a-fA-F]{0,130}|cert|cert_chain|crl)",
            query in "((fmc|bl|tee|snp|ucode|ucod)SPL=[0-9]{0,4}&?){0,7}",
        ) {
            let url = format!("https://kdsintf.amd.com/{side}/v1/{product}/{last}?{query}");
            if let Ok(r) = KdsRequest::parse(&url) {
                prop_assert_eq!(KdsRequest::parse(&r.url()), Ok(r));
            }
        }
    }
}
