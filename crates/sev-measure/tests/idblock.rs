//! ID-block vectors from `fixtures/idblock/vectors.md` (sev-snp-measure 0.0.13) and the
//! generated ID auth block it produced.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use sev_measure::idblock::{
    IdAuthInfo, IdBlock, IdBlockError, SigningKey, default_id_block, key_digest, public_key_from_pem, sign_id_auth,
    verify_id_auth,
};
use zerocopy::IntoBytes;

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/idblock");

fn read(name: &str) -> Vec<u8> {
    std::fs::read(format!("{DIR}/{name}")).unwrap()
}
fn read_str(name: &str) -> String {
    std::fs::read_to_string(format!("{DIR}/{name}")).unwrap()
}

const LD_B64: &str = "B28FLQi9p6cAqipgjFyqawDrrSl7bWioWkWx5mmlWLZ+G5HShKMB/mPE+gdQRn7t";
const ID_BLOCK_HEX: &str = "076f052d08bda7a700aa2a608c5caa6b00ebad297b6d68a85a45b1e669a558b67e1b91d284a301fe63c4fa0750467eed000000000000000000000000000000000000000000000000000000000000000001000000000000000000030000000000";
const ID_KEY_DIGEST_B64: &str = "hwt+NcU/inLQ0yL3WrKvgmJ5Kq9leWIs5BMcPyHyied8sFYKXjuQs5MuZ07HCcsU";
const AUTHOR_KEY_DIGEST_B64: &str = "YxEcNLv8Ckk4+aAJvQdJgNgXIyPmFZnJ/TNtqGcySOHcqY0L6PdjdqEGuK/UwKBX";

fn ld() -> [u8; 48] {
    B64.decode(LD_B64).unwrap().try_into().unwrap()
}

#[test]
fn id_block_matches_the_vector_and_the_generated_file() {
    let block = default_id_block(ld());
    assert_eq!(hex::encode(block.as_bytes()), ID_BLOCK_HEX);
    assert_eq!(block.as_bytes(), &read("generated/id_block.bin")[..]);
}

#[test]
fn key_digests_match_the_vectors() {
    let id = SigningKey::from_pem(&read_str("id_key_test.pem")).unwrap();
    let author = SigningKey::from_pem(&read_str("author_key_test.pem")).unwrap();
    assert_eq!(B64.encode(id.key_digest()), ID_KEY_DIGEST_B64);
    assert_eq!(B64.encode(author.key_digest()), AUTHOR_KEY_DIGEST_B64);
}

#[test]
fn pkcs8_and_public_pem_forms_give_the_same_digests() {
    // id_key_test.pkcs8.pem = `openssl pkcs8 -topk8 -nocrypt` of id_key_test.pem;
    // author_key_test.pub.pem = `openssl ec -pubout` of author_key_test.pem.
    let id = SigningKey::from_pem(&read_str("id_key_test.pkcs8.pem")).unwrap();
    assert_eq!(B64.encode(id.key_digest()), ID_KEY_DIGEST_B64);
    let author_pub = public_key_from_pem(&read_str("author_key_test.pub.pem")).unwrap();
    assert_eq!(B64.encode(key_digest(&author_pub)), AUTHOR_KEY_DIGEST_B64);
    assert_eq!(
        SigningKey::from_pem(&read_str("author_key_test.pub.pem")).unwrap_err(),
        IdBlockError::BadPrivateKey
    );
    assert_eq!(public_key_from_pem("not a key").unwrap_err(), IdBlockError::BadKey);
}

#[test]
fn generated_id_auth_verifies_and_has_the_documented_structure() {
    let raw = read("generated/id_auth.bin");
    let auth = IdAuthInfo::ref_from_bytes(&raw).unwrap();
    assert_eq!(auth.id_key_algo.get(), 1);
    assert_eq!(auth.author_key_algo.get(), 1);
    assert!(raw[0x08..0x40].iter().all(|&b| b == 0));
    assert!(raw[0x644..0x680].iter().all(|&b| b == 0));
    assert!(raw[0xC84..].iter().all(|&b| b == 0));
    let block_raw = read("generated/id_block.bin");
    let block = IdBlock::ref_from_bytes(&block_raw).unwrap();
    let v = verify_id_auth(block, auth).unwrap();
    assert_eq!(B64.encode(v.id_key_digest), ID_KEY_DIGEST_B64);
    assert_eq!(
        v.author_key_digest.map(|d| B64.encode(d)).as_deref(),
        Some(AUTHOR_KEY_DIGEST_B64)
    );
    // The public keys in the block are those of the test keys.
    let id = SigningKey::from_pem(&read_str("id_key_test.pem")).unwrap();
    assert_eq!(auth.id_key, id.public_key());
}

#[test]
fn any_tampering_with_the_generated_auth_block_fails() {
    let block_raw = read("generated/id_block.bin");
    let block = IdBlock::ref_from_bytes(&block_raw).unwrap();
    let good = read("generated/id_auth.bin");
    // A bit flip in each signed or signing field breaks verification.
    for off in [0x40, 0x40 + 0x48, 0x244, 0x240 + 0x4C, 0x680, 0x680 + 0x48, 0x884] {
        let mut bad = good.clone();
        bad[off] ^= 1;
        let auth = IdAuthInfo::ref_from_bytes(&bad).unwrap();
        assert!(verify_id_auth(block, auth).is_err(), "flip at {off:#x} accepted");
    }
    let mut other = block.clone();
    other.guest_svn.set(1);
    let auth = IdAuthInfo::ref_from_bytes(&good).unwrap();
    assert_eq!(
        verify_id_auth(&other, auth).unwrap_err(),
        IdBlockError::BadSignature("ID block signature")
    );
    let mut algo = good.clone();
    algo[0] = 2;
    assert!(matches!(
        verify_id_auth(block, IdAuthInfo::ref_from_bytes(&algo).unwrap()),
        Err(IdBlockError::BadAlgorithm {
            field: "ID_KEY_ALGO",
            found: 2
        })
    ));
    assert!(IdAuthInfo::ref_from_bytes(&good[..0xFFF]).is_err());
}

#[test]
fn our_signatures_verify_with_and_without_author_key() {
    let id = SigningKey::from_pem(&read_str("id_key_test.pem")).unwrap();
    let author = SigningKey::from_pem(&read_str("author_key_test.pem")).unwrap();
    let block = default_id_block(ld());
    let auth = sign_id_auth(&block, &id, Some(&author));
    let v = verify_id_auth(&block, &auth).unwrap();
    assert_eq!(B64.encode(v.author_key_digest.unwrap()), AUTHOR_KEY_DIGEST_B64);
    // The author signature is over the 0x404-byte ID key, as in the generated file: the ID key
    // signature of the generated block verifies against our ID key bytes too.
    assert_eq!(
        auth.id_key,
        IdAuthInfo::ref_from_bytes(&read("generated/id_auth.bin"))
            .unwrap()
            .id_key
    );
    let alone = sign_id_auth(&block, &id, None);
    assert!(alone.author_key.as_bytes().iter().all(|&b| b == 0));
    assert_eq!(verify_id_auth(&block, &alone).unwrap().author_key_digest, None);
}
