//! Legacy SEV session crypto against known answers: `sev-legacy.md` §9 (KDF, WRAP_TK, WRAP_MAC,
//! POLICY_MAC, MEASURE) and `fixtures/sev-legacy/launch/vectors.md` (LAUNCH_MEASURE m1–m4,
//! LAUNCH_SECRET s1/s2), on every backend.
#![cfg(any(feature = "aws-lc", feature = "ring", feature = "rustcrypto"))]

#[macro_use]
mod backends;

use base64::Engine as _;
use sev_verify::crypto::CryptoProvider;
use sev_verify::legacy::{
    DISK_PASSPHRASE_GUID, EfiSecretTable, GuestOwnerSession, LegacyError, PlatformVersion, launch_measure,
    master_secret,
};
use sev_verify::sev_types::Guid;
use sev_verify::sev_types::launch::sev::{LaunchMeasurement, SevPolicy};
use zerocopy::IntoBytes;

const LAUNCH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/sev-legacy/launch/");

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("{LAUNCH}{name}")).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn key16(name: &str) -> [u8; 16] {
    fixture(name).try_into().expect("16-byte key file")
}

fn h(s: &str) -> Vec<u8> {
    hex::decode(s).unwrap()
}

fn b64(s: &str) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD.decode(s).unwrap()
}

fn arr<const N: usize>(v: &[u8]) -> [u8; N] {
    v.try_into().unwrap()
}

/// The pure-Rust backend has no random source without `std`: then the operation must say so.
fn lacks_randomness(p: &CryptoProvider) -> bool {
    p.name == "rustcrypto" && !cfg!(feature = "std")
}

fn kdf_master_secret(p: &CryptoProvider) {
    assert_eq!(
        master_secret(p.digests, &[0; 16], &[0; 16]).to_vec(),
        h("ab4d269fcc62bedb4511d56c386ce706")
    );
}

fn wrap_and_policy_macs(p: &CryptoProvider) {
    let (_s, buf) = GuestOwnerSession::from_parts(p, &[0; 16], [0; 16], [0; 16], [0; 16], [0; 16], SevPolicy::empty());
    assert_eq!(
        buf.wrap_tk.to_vec(),
        h("2137bc7f9bb8bd7c3e55a576a15d3454b3856b8ba27afadf46dcfee9f02c02c4")
    );
    assert_eq!(
        buf.wrap_mac.to_vec(),
        h("3176c0752738bd9d5e86689534020f528c088f16238826b000b327dee6aeed7d")
    );
    assert_eq!(
        buf.policy_mac.to_vec(),
        h("aa7855e13839dd767cd5da7c1ff5036540c9264b7a803029315e55375287b4af")
    );
    assert_eq!((buf.nonce, buf.wrap_iv), ([0; 16], [0; 16]));
    assert_eq!(buf.as_bytes().len(), 0x80);
}

fn measure_spec_vector(p: &CryptoProvider) {
    let tik = arr(&h("66320db73158a35a255d051758e95ed4"));
    let ld = arr(&h("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
    let mnonce = arr(&h("4fbe0bedbad6c86ae8f68971d103e554"));
    let version = PlatformVersion {
        api_major: 0,
        api_minor: 0x12,
        build: 0x0f,
    };
    let m = launch_measure(p.digests, &tik, version, SevPolicy::empty(), &ld, &mnonce);
    assert_eq!(
        m.to_vec(),
        h("6faab2daae389bcd3405a05d6cafe33c0414f7bedd0bae19ba5f38b7fd1664ea")
    );
}

/// vectors.md m1–m4: (api_major, api_minor, build, policy, launch digest, expected blob).
/// One vectors.md row: id, platform version, policy, launch digest, expected blob.
type MeasureVector = (&'static str, PlatformVersion, u32, [u8; 32], Vec<u8>);

fn measure_vectors() -> Vec<MeasureVector> {
    let m1_digest = arr(&b64("xkvRAfyaSizgonxAjZIAkR8TmolUabBKQKb6KJCDDSM="));
    let ovmf = fixture("OVMF.amdsev.fd_trimmed_edk2-ovmf-20220126gitbb1bba3d77-4.el9");
    let m2_digest: [u8; 32] = arr(&h("2f6fc6065f4abc131eb4fb2b5090a542636eae84a94c0db0fdd5f405cb372ff5"));
    let m3_digest = arr(&h("4b47fec6f851487c33714c8a00a832a1b705ad0a7cac4a647388eccfa9f0c570"));
    let m4_digest: [u8; 32] = arr(&h("847b5ab6db136ea67dc5a95478ebe7e5ebbe93e9e74bdb1284165f9007a4e367"));
    // Inputs the digests were made from, re-hashed here with an independent SHA-256.
    let (vmsa0, vmsa1) = (fixture("vmsa0.bin"), fixture("vmsa1.bin"));
    let mut es = ovmf.clone();
    es.extend_from_slice(&vmsa0);
    for _ in 0..3 {
        es.extend_from_slice(&vmsa1);
    }
    assert_eq!(independent_sha256(&ovmf), m2_digest, "m2 digest = SHA-256(OVMF)");
    assert_eq!(
        independent_sha256(&es),
        m4_digest,
        "m4 digest = SHA-256(OVMF ‖ VMSA0 ‖ 3 × VMSA1)"
    );
    let v40 = PlatformVersion {
        api_major: 1,
        api_minor: 40,
        build: 40,
    };
    let v49 = PlatformVersion {
        api_major: 1,
        api_minor: 49,
        build: 6,
    };
    vec![
        (
            "m1",
            v40,
            3,
            m1_digest,
            b64("lswbxWxI9gckya16JQvdFtpYmNO4b+3inAPpqsgoBI7DE/q1EcIWsVBbGy6pkDxA"),
        ),
        (
            "m2",
            v40,
            3,
            m2_digest,
            b64("oMDewIouJSpbpNRHj7Mk3p08H2dPZQdsZMU14qIymBnDE/q1EcIWsVBbGy6pkDxA"),
        ),
        (
            "m3",
            v40,
            3,
            m3_digest,
            b64("h3auYbWQnVW7EGLWN4Hf9SN0oEYMPU2sK4bLnefWPwvDE/q1EcIWsVBbGy6pkDxA"),
        ),
        (
            "m4",
            v49,
            5,
            m4_digest,
            b64("/o0nzDKE5XgtVnUZWPhUea/WZYrTKLExR7KCwuMdbActvpWfXTFk21KMZIAAhQny"),
        ),
    ]
}

/// SHA-256 from the `sha2` crate, independent of the backend under test.
fn independent_sha256(data: &[u8]) -> [u8; 32] {
    use sha2::Digest as _;
    sha2::Sha256::digest(data).into()
}

fn launch_measure_vectors(p: &CryptoProvider) {
    let tik = key16("measure/tik1.bin");
    for (id, version, policy, digest, blob) in measure_vectors() {
        let measurement = LaunchMeasurement::ref_from_bytes(&blob).unwrap();
        let policy = SevPolicy::from_bits_retain(policy);
        let got = launch_measure(p.digests, &tik, version, policy, &digest, &measurement.mnonce);
        assert_eq!(got, measurement.measure, "{id}");
        // The same check through a session holding this TIK, in constant time.
        let (session, _) = GuestOwnerSession::from_parts(p, &[1; 48], [0; 16], [0; 16], [0; 16], tik, policy);
        session
            .verify_measurement(p, measurement, version, &digest)
            .unwrap_or_else(|e| panic!("{id}: {e}"));
        let mut wrong = digest;
        wrong[31] ^= 1;
        assert_eq!(
            session.verify_measurement(p, measurement, version, &wrong),
            Err(LegacyError::MeasurementMismatch)
        );
        let other = PlatformVersion {
            build: version.build + 1,
            ..version
        };
        assert!(
            session.verify_measurement(p, measurement, other, &digest).is_err(),
            "{id}: build is covered"
        );
        let mut bad = measurement.clone();
        bad.mnonce[0] ^= 0x80;
        assert!(
            session.verify_measurement(p, &bad, version, &digest).is_err(),
            "{id}: mnonce is covered"
        );
    }
}

fn secret_vectors(p: &CryptoProvider) {
    let tek = key16("secret/tek1.bin");
    let tik = key16("secret/tik1.bin");
    let iv = arr(&b64("rFR07U3TLH2YnsUj2SVZ7A=="));
    let measure: [u8; 32] = arr(&b64("TLeA7607lZQntLjRY1/i+sbtdSZ+75zxpz4Px9hzpBLwItF5Q2o4prA++3ZZv9ZS")[..32]);
    let secret1 = fixture("secret/secret1.txt");
    let secret2 = fixture("secret/secret2.txt");
    let other_guid = Guid::from_str_efi("736869e5-aaaa-4973-92ec-06879ce3da0b").unwrap();
    let mut s1 = EfiSecretTable::new();
    s1.add(DISK_PASSPHRASE_GUID, &secret1);
    let mut s2 = EfiSecretTable::new();
    s2.add(DISK_PASSPHRASE_GUID, &secret1).add(other_guid, &secret2);
    let cases = [
        (
            "s1",
            s1,
            "AAAAAKxUdO1N0yx9mJ7FI9klWey8FSzeYQ4X8K71VzNKLU/KQsIsQxLjtbhaPUewqshX5Q==",
            "0U3e5PcXv0UW+H4tSBFKOdCYfKE1+j38Bc2fuO16mYiyI+sWx7INfn+lgYj56GL12yyinDa+lVfCCwD/2w5cPA==",
        ),
        (
            "s2",
            s2,
            "AAAAAKxUdO1N0yx9mJ7FI9klWeyZ3r0dOEKHUOhIRqzGYYvTJgdMtBPL1nK6GD9aGET7Ng==",
            "0U3e5PcXv0UW+H4tSBFKObWYfKE1+j38Bc2fuO16mYiyI+sWx7INfn+lgYj56GL12yyinDa+lVfCC+WWs332lpLNUX1ZI3YK7vYgtys4X+uGxEIlkIQ90v8/w8ZFmQMe",
        ),
    ];
    let (session, _) = GuestOwnerSession::from_parts(p, &[1; 48], [0; 16], [0; 16], tek, tik, SevPolicy::empty());
    for (id, table, header, payload) in cases {
        let plaintext = table.to_bytes();
        let packet = session.package_secret_with_iv(p, &measure, iv, &plaintext).unwrap();
        assert_eq!(packet.header.as_bytes(), &b64(header)[..], "{id} header");
        assert_eq!(packet.ciphertext, b64(payload), "{id} payload");
    }
}

fn random_secret_packets_decrypt(p: &CryptoProvider) {
    let (session, _) = GuestOwnerSession::from_parts(p, &[1; 48], [0; 16], [0; 16], [3; 16], [4; 16], SevPolicy::NODBG);
    if lacks_randomness(p) {
        let err = session.package_secret(p, &[9; 32], b"top secret").unwrap_err();
        assert_eq!(
            err,
            LegacyError::Crypto(sev_verify::crypto::CryptoError::RandomUnavailable)
        );
        return;
    }
    let a = session.package_secret(p, &[9; 32], b"top secret").unwrap();
    let b = session.package_secret(p, &[9; 32], b"top secret").unwrap();
    assert_ne!(a.header.iv, b.header.iv, "fresh IV per packet");
    let mut plain = a.ciphertext.clone();
    p.legacy.aes128_ctr(&[3; 16], &a.header.iv, &mut plain).unwrap();
    assert_eq!(plain, b"top secret");
}

per_backend!(
    kdf_master_secret,
    wrap_and_policy_macs,
    measure_spec_vector,
    launch_measure_vectors,
    secret_vectors,
    random_secret_packets_decrypt,
);

#[test]
fn secret_table_layout_matches_vectors_md() {
    let mut t = EfiSecretTable::new();
    t.add(DISK_PASSPHRASE_GUID, b"MY-LUKS-PASSPHRASE");
    let bytes = t.to_bytes();
    let total = 20 + 20 + 18;
    assert_eq!(bytes.len(), 64, "58 bytes padded to a multiple of 16");
    assert_eq!(
        &bytes[..16],
        &h("42f5741edd71664d963eef4287ff173b")[..],
        "header GUID, EFI byte order"
    );
    assert_eq!(&bytes[16..20], &(total as u32).to_le_bytes());
    assert_eq!(
        &bytes[20..36],
        &h("e5696873f0847349 92ec06879ce3da0b".replace(' ', "").as_str())[..]
    );
    assert_eq!(&bytes[36..40], &38u32.to_le_bytes());
    assert_eq!(&bytes[40..58], b"MY-LUKS-PASSPHRASE");
    assert!(bytes[58..].iter().all(|&b| b == 0));
    assert!(EfiSecretTable::new().is_empty());
}
