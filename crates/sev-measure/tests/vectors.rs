//! Every row of `fixtures/measurement/snp-measure-vectors.tsv` and `debian-ovmf-vectors.tsv`
//! must reproduce exactly (digests and error texts). Expected values come from sev-snp-measure
//! 0.0.13 and virtee/sev 8.0 (see fixtures/PROVENANCE.md).
#![cfg(feature = "std")]

use std::path::{Path, PathBuf};

use sev_measure::files::{MeasureArgs, Mode, measure};
use sev_measure::vcpu::VcpuType;
use sev_measure::vmsa::VmmType;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures");

struct Row<'a> {
    cols: Vec<&'a str>,
    header: &'a [&'a str],
}

impl<'a> Row<'a> {
    fn get(&self, name: &str) -> &'a str {
        let i = self
            .header
            .iter()
            .position(|h| *h == name)
            .unwrap_or_else(|| panic!("no column {name}"));
        self.cols.get(i).copied().unwrap_or("")
    }
    /// `-` (not applicable), `(none)` and the empty cell mean "absent".
    fn opt(&self, name: &str) -> Option<&'a str> {
        let v = self.get(name);
        (!(v == "-" || v.is_empty() || v.starts_with("(none"))).then_some(v)
    }
}

fn rows(text: &str) -> (Vec<&str>, Vec<Vec<&str>>) {
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    let header: Vec<&str> = lines.next().unwrap().split('\t').collect();
    (header, lines.map(|l| l.split('\t').collect()).collect())
}

fn empty_file() -> PathBuf {
    let p = Path::new(env!("CARGO_TARGET_TMPDIR")).join("sev-measure-empty.bin");
    std::fs::write(&p, b"").unwrap();
    p
}

fn parse_int(s: &str) -> u64 {
    match s.strip_prefix("0x") {
        Some(h) => u64::from_str_radix(h, 16).unwrap(),
        None => s.parse().unwrap(),
    }
}

fn file_arg(cell: Option<&str>, empty: &Path) -> Option<PathBuf> {
    cell.map(|c| {
        if c == "EMPTY" {
            empty.to_path_buf()
        } else {
            Path::new(FIXTURES).join(c)
        }
    })
}

struct Outcome {
    digest: Result<String, String>,
}

#[allow(clippy::too_many_arguments)]
fn run(
    mode: &str,
    ovmf: &Path,
    row: &Row<'_>,
    kernel: Option<PathBuf>,
    initrd: Option<PathBuf>,
    svsm: Option<PathBuf>,
    vcpu_sig: Option<u32>,
) -> Outcome {
    let mode: Mode = mode.parse().unwrap();
    let append = row.opt("append");
    let vmm = row.opt("vmm").map_or(VmmType::Qemu, |v| v.parse().unwrap());
    let args = MeasureArgs {
        vcpus: row.opt("vcpus").map(|v| v.parse().unwrap()),
        vcpu_sig,
        vmm,
        kernel: kernel.as_deref(),
        initrd: initrd.as_deref(),
        append,
        guest_features: row.opt("guest_features").map_or(0x1, parse_int),
        snp_ovmf_hash: row
            .header
            .contains(&"snp_ovmf_hash")
            .then(|| row.opt("snp_ovmf_hash"))
            .flatten(),
        svsm: svsm.as_deref(),
        vars_size: row
            .header
            .contains(&"vars_size")
            .then(|| row.opt("vars_size").map(parse_int))
            .flatten(),
        ..MeasureArgs::new(mode, ovmf)
    };
    Outcome {
        digest: measure(&args).map(|m| hex::encode(m.digest)).map_err(|e| e.to_string()),
    }
}

fn check(id: &str, expected: &str, got: &Outcome) {
    match expected.strip_prefix("ERROR: ") {
        Some(msg) => assert_eq!(got.digest.as_ref().unwrap_err(), msg, "row {id}"),
        None => assert_eq!(got.digest.as_deref(), Ok(expected), "row {id}"),
    }
}

/// Rows marked "sev-snp-measure only" are reproduced too: for EC2 the two references build
/// different VMSAs (RDX 0x600 against 0) and we follow sev-snp-measure, whose EC2 change was made
/// to match real EC2 launches; GCE and snp:svsm exist only in sev-snp-measure.
#[test]
fn snp_measure_vectors_reproduce() {
    let text = std::fs::read_to_string(format!("{FIXTURES}/measurement/snp-measure-vectors.tsv")).unwrap();
    let (header, all) = rows(&text);
    let empty = empty_file();
    let mut matched = 0;
    for cols in all {
        let row = Row { cols, header: &header };
        let id = row.get("id");
        let ovmf = Path::new(FIXTURES).join(row.get("ovmf"));
        // The vcpu_sig column and the vcpu_type column must agree; use the type name as the CLI would.
        let sig_from_type = row.opt("vcpu_type").map(|t| VcpuType::by_name(t).unwrap().signature());
        let sig_col = row.opt("vcpu_sig").map(|s| parse_int(s) as u32);
        if let (Some(a), Some(b)) = (sig_from_type, sig_col) {
            assert_eq!(a, b, "row {id}: vcpu_type and vcpu_sig disagree");
        }
        let got = run(
            row.get("mode"),
            &ovmf,
            &row,
            file_arg(row.opt("kernel"), &empty),
            file_arg(row.opt("initrd"), &empty),
            file_arg(row.opt("svsm"), &empty),
            sig_from_type.or(sig_col),
        );
        check(id, row.get("expected"), &got);
        matched += 1;
    }
    assert_eq!(matched, 25, "the TSV has 25 rows");
    eprintln!("snp-measure-vectors.tsv: {matched} rows matched");
}

/// The known-answer table of `shared/spec/measurement.md` §9 lists the same digests as the TSV;
/// this keeps the two in step (the TSV test above reproduces each of them).
#[test]
fn spec_section_9_digests_are_all_in_the_tsv() {
    const SPEC_9: [&str; 18] = [
        "086e2e9149ebf45abdc3445fba5b2da8270bdbb04094d7a2c37faaa4b24af3aa16aff8c374c2a55c467a50da6d466b74",
        "19358ba9a7615534a9a1e2f0dfc29384dcd4dcb7062ff9c6013b26869a5fc6ecabe033c48dd6f6db5d6d76e7c5df632d",
        "e1e1ca029dd7973ab9513295be68198472dcd4fc834bd9af9b63f6e8a1674dbf281a9278a4a2ebe0eed9f22adbcd0e2b",
        "803f691094946e42068aaa3a8f9e26a5c89f36f7b73ecfb28c653360fe4b3aba7e534442e7e1e17895dfe778d0228977",
        "6d287813eb5222d770f75005c664e34c204f385ce832cc2ce7d0d6f354454362f390ef83a92046c042e706363b4b08fa",
        "4953b1fb416fa874980e8442b3706d345926d5f38879134e00813c5d7abcbe78eafe7b422907be0b4698e2414a631942",
        "5061fffb019493a903613d56d54b94912a1a2f9e4502385f5c194616753720a92441310ba6c4933de877c36e23046ad5",
        "28797ae0afaba4005a81e629acebfb59e6687949d6be44007cd5506823b0dd66f146aaae26ff291eed7b493d8a64c385",
        "da0296de8193586a5512078dcd719eccecbd87e2b825ad4148c44f665dc87df21e5b49e21523a9ad993afdb6a30b4005",
        "0ce9ccc06bab55eebe8abc234f3df6514883977a68a591b71052498ab52b2f1aa415db338033946ef93aa8278c0d67fb",
        "0883bd0eeb716e65b7b977a321c278d1e51b33b5c655fab985443bbcc65c086b9c15e8a0bd8811050dec7e24964e5056",
        "5da7106cf14cf46b1725ebab123eb9e53bd46a1e9f400cd0c08e7827b04b688ea8b4e403c8404efed4397ea5d5d0722e",
        "5c5debf100fc339f90276e761ee1f1658d08922c3b20e2a2e6c7a6c3370b2452a15a00eae11886a93d6fd1e7ab81e29d",
        "13810ae661ea11e2bb205621f582fee268f0367c8f97bc297b7fadef3e12002c",
        "0dccbcaba8e90b261bd0d2e1863a2f9da714768b7b2a19363cd6ae35aa90de91",
        "82a3ee5d537c3620628270c292ae30cb40c3c878666a7890ee7ef2a08fb535ff",
        "77f613d7bbcdf12a73782ea9e88b0172aeda50d1a54201cb903594ff52846898",
        "b4c021e085fb83ceffe6571a3d357b4a98773c83c474e47f76c876708fe316da",
    ];
    let text = std::fs::read_to_string(format!("{FIXTURES}/measurement/snp-measure-vectors.tsv")).unwrap();
    for d in SPEC_9 {
        assert!(text.contains(d), "spec §9 digest {d} missing from the TSV");
    }
}

fn sha256_hex(path: &Path) -> Option<String> {
    let bytes = std::fs::read(path).ok()?;
    use sha2::Digest;
    Some(hex::encode(sha2::Sha256::digest(&bytes)))
}

/// Debian 12 `ovmf` 2022.11-6+deb12u2 rows; skipped (with a message) when the package file is
/// absent or a different build.
///
/// Row `deb-code4m-snp`: OVMF_CODE_4M.fd has a footer table but no SEV metadata. virtee/sev
/// rejects it; sev-snp-measure measures the firmware pages and VMSAs and skips the (absent)
/// metadata. We follow sev-snp-measure, because `sev measure` is a drop-in for it and the result
/// is still the digest the firmware would compute for that launch; callers who want to refuse such
/// images check [`sev_measure::ovmf::Ovmf::has_sev_metadata`].
#[test]
fn debian_ovmf_vectors_reproduce() {
    let text = std::fs::read_to_string(format!("{FIXTURES}/measurement/debian-ovmf-vectors.tsv")).unwrap();
    let (header, all) = rows(&text);
    let empty = empty_file();
    let (mut matched, mut skipped) = (0, 0);
    for cols in all {
        let row = Row { cols, header: &header };
        let id = row.get("id");
        let file = Path::new(row.get("package_file"));
        if sha256_hex(file).as_deref() != Some(row.get("file_sha256")) {
            eprintln!(
                "SKIP {id}: {} absent or not the Debian 12 build (apt-get install ovmf)",
                file.display()
            );
            skipped += 1;
            continue;
        }
        let sig = row.opt("vcpu_type").map(|t| VcpuType::by_name(t).unwrap().signature());
        let got = run(
            row.get("mode"),
            file,
            &row,
            file_arg(row.opt("kernel"), &empty),
            file_arg(row.opt("initrd"), &empty),
            None,
            sig,
        );
        let expected = row.get("expected");
        if id == "deb-code4m-snp" {
            assert!(expected.starts_with("ERROR (virtee/sev)"));
            let ssm = row
                .get("note")
                .split(|c: char| !c.is_ascii_hexdigit())
                .find(|w| w.len() == 96)
                .expect("note names sev-snp-measure's digest");
            assert_eq!(got.digest.as_deref(), Ok(ssm), "row {id} (following sev-snp-measure)");
        } else {
            check(id, expected, &got);
        }
        matched += 1;
    }
    eprintln!("debian-ovmf-vectors.tsv: {matched} rows matched, {skipped} skipped");
}
