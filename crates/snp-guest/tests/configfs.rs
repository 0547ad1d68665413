//! The configfs-tsm backend against the in-memory tree of `sev-sim` and against a plain
//! directory tree through `StdTsmFs`.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use proptest::prelude::*;
use sev_sim::tsm::{MemTsmFs, SimOp, TsmRequest, TsmResponse, errno};
use sev_sys::uapi::tsm::TSM_REPORT_OUTBLOB_MAX;
use sev_sys::{StdTsmFs, TsmFs};
use sev_types::Guid;
use snp_guest::configfs::{
    SvsmService, TsmClient, TsmError, TsmOp, parse_decimal, parse_privlevel_floor, parse_provider, probe,
};
use snp_guest::{Evidence, EvidenceSource, Provider};

const USER_DATA: [u8; 64] = {
    let mut d = [0u8; 64];
    let mut i = 0;
    while i < 64 {
        d[i] = i as u8 ^ 0x5A;
        i += 1;
    }
    d
};

/// A fake report: 0x4A0 bytes with the inblob at offset 0x50 and the privlevel at 0x30.
fn fake_report(r: &TsmRequest) -> Vec<u8> {
    let mut out = vec![0xEE; 0x4A0];
    out[0x30] = r.privlevel as u8;
    out[0x50..0x50 + r.inblob.len()].copy_from_slice(&r.inblob);
    out
}

fn certs() -> Vec<u8> {
    (0..300u32).map(|i| (i * 7) as u8).collect()
}

/// A tree whose provider echoes the inputs into a fake report and attaches [`certs`].
fn sim() -> MemTsmFs {
    MemTsmFs::new(|r| {
        Ok(TsmResponse {
            outblob: fake_report(r),
            auxblob: certs(),
            manifest: r.service_provider.as_ref().map(|p| p.as_bytes().to_vec()),
        })
    })
}

fn assert_clean(fs: &MemTsmFs) {
    assert!(fs.entries().is_empty(), "entries left: {:?}", fs.entries());
    assert_eq!(fs.created_count(), fs.removed_count());
}

/// How many reads a successful request without a service makes.
fn reads_of_happy_path() -> usize {
    let mut c = TsmClient::with_fs(sim());
    c.report(&USER_DATA, 0).unwrap();
    c.fs().read_count()
}

#[test]
fn happy_path_hands_blobs_through() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let fs = MemTsmFs::new(move |r| {
        log.lock().unwrap().push(r.clone());
        Ok(TsmResponse {
            outblob: fake_report(r),
            auxblob: certs(),
            manifest: None,
        })
    });
    let mut client = TsmClient::with_fs(fs);
    let ev = client.report(&USER_DATA, 0).unwrap();
    let req = seen.lock().unwrap()[0].clone();
    assert_eq!(req.inblob, USER_DATA);
    assert_eq!(req.privlevel, 0);
    assert_eq!(req.service_provider, None);
    assert_eq!(ev.report, fake_report(&req));
    assert_eq!(ev.certs, certs());
    assert_eq!(ev.manifest, None);
    assert_eq!(ev.provider, Provider::Configfs("sev_guest".into()));
    let fs = client.fs();
    assert_eq!(fs.generator_calls(), 1, "blobs generated once per generation");
    assert_eq!(fs.created_count(), 1);
    assert_clean(fs);
}

#[test]
fn empty_auxblob_is_handed_through() {
    let fs = MemTsmFs::new(|r| {
        Ok(TsmResponse {
            outblob: fake_report(r),
            ..Default::default()
        })
    });
    let ev = TsmClient::with_fs(fs).report(&USER_DATA, 0).unwrap();
    assert!(ev.certs.is_empty());
}

#[test]
fn entry_names_are_unique() {
    let mut client = TsmClient::with_fs(sim());
    for _ in 0..5 {
        client.report(&USER_DATA, 0).unwrap();
    }
    assert_eq!(client.fs().created_count(), 5);
    assert_clean(client.fs());
}

#[test]
fn evidence_source_is_implemented() {
    fn get<S: EvidenceSource>(s: &mut S) -> Evidence {
        s.evidence(&USER_DATA, 1).unwrap()
    }
    let ev = get(&mut TsmClient::with_fs(sim()));
    assert_eq!(ev.report[0x30], 1);
}

#[test]
fn svsm_service_fields_and_manifest() {
    let guid = Guid::from_str_rfc4122("63da758d-e664-4564-adc5-f4b93be8accd").unwrap();
    let fs = MemTsmFs::new(move |r| {
        assert_eq!(r.service_provider.as_deref(), Some("svsm"));
        assert_eq!(r.service_guid, Some(guid));
        assert_eq!(r.service_manifest_version, 2);
        Ok(TsmResponse {
            outblob: fake_report(r),
            auxblob: Vec::new(),
            manifest: Some(b"manifest of all services".to_vec()),
        })
    })
    .with_svsm(true)
    .with_floor(1);
    let mut client = TsmClient::with_fs(fs).with_service(SvsmService::svsm().with_guid(guid).with_manifest_version(2));
    let ev = client.report(&USER_DATA, 1).unwrap();
    assert_eq!(ev.manifest.as_deref(), Some(&b"manifest of all services"[..]));
    assert_eq!(ev.report[0x30], 1);
    assert_clean(client.fs());
}

#[test]
fn svsm_default_service_writes_only_the_provider() {
    let fs = MemTsmFs::new(|r| {
        assert_eq!(r.service_guid, None);
        assert_eq!(r.service_manifest_version, 0);
        Ok(TsmResponse {
            outblob: fake_report(r),
            auxblob: Vec::new(),
            manifest: None,
        })
    })
    .with_svsm(true);
    let ev = TsmClient::with_fs(fs)
        .with_service(SvsmService::svsm())
        .report(&USER_DATA, 0)
        .unwrap();
    assert_eq!(ev.manifest, Some(Vec::new()), "manifest asked for, empty");
}

#[test]
fn svsm_service_unavailable_without_svsm() {
    let mut client = TsmClient::with_fs(sim()).with_service(SvsmService::svsm());
    let err = client.report(&USER_DATA, 0).unwrap_err();
    assert!(
        matches!(
            err,
            TsmError::ServiceUnavailable {
                attr: "service_provider",
                ..
            }
        ),
        "{err}"
    );
    assert_eq!(err.kind(), Some(io::ErrorKind::NotFound));
    assert_clean(client.fs());
}

#[test]
fn privlevel_below_floor_is_an_error() {
    let mut client = TsmClient::with_fs(sim().with_floor(2));
    let err = client.report(&USER_DATA, 0).unwrap_err();
    assert!(
        matches!(err, TsmError::PrivlevelBelowFloor { requested: 0, floor: 2 }),
        "{err}"
    );
    let msg = err.to_string();
    assert!(
        msg.contains("privlevel (VMPL) 0") && msg.contains("privlevel_floor 2"),
        "{msg}"
    );
    assert_eq!(client.fs().generator_calls(), 0);
    assert_clean(client.fs());
    // At and above the floor it works, and the requested level reaches the provider.
    assert_eq!(client.report(&USER_DATA, 2).unwrap().report[0x30], 2);
    assert_eq!(client.report(&USER_DATA, 3).unwrap().report[0x30], 3);
}

#[test]
fn privlevel_above_max_is_an_error() {
    let mut client = TsmClient::with_fs(sim());
    let err = client.report(&USER_DATA, 4).unwrap_err();
    assert!(
        matches!(err, TsmError::PrivlevelAboveMax { requested: 4, max: 3 }),
        "{err}"
    );
    assert_eq!(client.fs().created_count(), 0);
}

#[test]
fn race_is_detected_before_any_read_after_the_baseline() {
    let reads = reads_of_happy_path();
    assert!(reads >= 8, "{reads}");
    for n in 1..=reads {
        let mut client = TsmClient::with_fs(sim().with_race_before_read(n));
        let result = client.report(&USER_DATA, 0);
        if n == 1 {
            // Before the baseline read of `generation`: not a race on our inputs.
            result.unwrap();
        } else {
            let err = result.unwrap_err();
            match err {
                TsmError::Race { expected, found, .. } => assert_eq!(found, expected + 1),
                other => panic!("read {n}: {other}"),
            }
        }
        assert_clean(client.fs());
    }
}

#[test]
fn race_on_the_blob_read_never_returns_torn_evidence() {
    // Read 1: generation, 2-3: provider, 4-5: privlevel_floor, 6: generation after writes,
    // 7: outblob.
    let mut client = TsmClient::with_fs(sim().with_race_before_read(7));
    let err = client.report(&USER_DATA, 0).unwrap_err();
    assert!(matches!(err, TsmError::Race { after: "outblob", .. }), "{err}");
    assert!(err.to_string().contains("another writer"));
    assert_clean(client.fs());
}

#[test]
fn root_absent_is_diagnosed() {
    let mut client = TsmClient::with_fs(sim().without_root());
    let err = client.report(&USER_DATA, 0).unwrap_err();
    assert!(matches!(err, TsmError::RootAbsent));
    let msg = err.to_string();
    assert!(
        msg.contains("/sys/kernel/config") && msg.contains("CONFIG_TSM_REPORTS"),
        "{msg}"
    );
    assert_eq!(client.fs().created_count(), 0);
}

#[test]
fn wrong_provider_is_rejected() {
    let mut client = TsmClient::with_fs(sim().with_provider("tdx_guest"));
    let err = client.report(&USER_DATA, 0).unwrap_err();
    assert!(
        matches!(&err, TsmError::WrongProvider { found } if found == "tdx_guest"),
        "{err}"
    );
    assert_eq!(client.fs().generator_calls(), 0);
    assert_clean(client.fs());
}

#[test]
fn every_io_error_path_removes_the_entry() {
    let reads = [
        "generation",
        "provider",
        "privlevel_floor",
        "outblob",
        "auxblob",
        "manifestblob",
    ];
    let writes = [
        "inblob",
        "privlevel",
        "service_provider",
        "service_guid",
        "service_manifest_version",
    ];
    let guid = Guid::from_str_rfc4122("00000000-0000-0000-0000-000000000001").unwrap();
    let ops = reads
        .iter()
        .map(|a| (SimOp::read(a), TsmOp::Read(a)))
        .chain(writes.iter().map(|a| (SimOp::write(a), TsmOp::Write(a))));
    for (sim_op, op) in ops {
        let fs = sim().with_svsm(true).with_error(sim_op.clone(), errno::EIO);
        let mut client =
            TsmClient::with_fs(fs).with_service(SvsmService::svsm().with_guid(guid).with_manifest_version(1));
        let err = client.report(&USER_DATA, 0).unwrap_err();
        match &err {
            TsmError::Io { op: got, .. } => assert_eq!(*got, op, "{sim_op:?}"),
            other => panic!("{sim_op:?}: {other}"),
        }
        assert_eq!(err.raw_os_error(), Some(errno::EIO));
        assert_clean(client.fs());
    }
}

#[test]
fn firmware_errors_on_outblob_are_diagnosed() {
    for (code, words) in [
        (errno::ENOTTY, "VMPCK"),
        (errno::ETIMEDOUT, "busy"),
        (errno::EINVAL, "INVALID_PARAM"),
        (errno::ENXIO, "firmware"),
        (errno::EACCES, "root"),
    ] {
        let fs = MemTsmFs::new(move |_| Err(io::Error::from_raw_os_error(code)));
        let mut client = TsmClient::with_fs(fs);
        let err = client.report(&USER_DATA, 0).unwrap_err();
        assert_eq!(err.raw_os_error(), Some(code));
        assert!(err.to_string().contains(words), "{err}");
        assert_clean(client.fs());
    }
}

#[test]
fn remove_error_is_reported_when_nothing_else_failed() {
    let mut client = TsmClient::with_fs(sim().with_error(SimOp::Remove, errno::EIO));
    let err = client.report(&USER_DATA, 0).unwrap_err();
    assert!(
        matches!(
            err,
            TsmError::Io {
                op: TsmOp::RemoveEntry,
                ..
            }
        ),
        "{err}"
    );
    // With an earlier failure, that one is reported.
    let fs = sim()
        .with_error(SimOp::Remove, errno::EIO)
        .with_error(SimOp::read("outblob"), errno::ENXIO);
    let err = TsmClient::with_fs(fs).report(&USER_DATA, 0).unwrap_err();
    assert!(
        matches!(
            err,
            TsmError::Io {
                op: TsmOp::Read("outblob"),
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn create_errors() {
    let mut client = TsmClient::with_fs(sim().with_error(SimOp::Create, errno::EEXIST));
    let err = client.report(&USER_DATA, 0).unwrap_err();
    assert!(matches!(err, TsmError::NamesExhausted { attempts: 8 }), "{err}");
    let mut client = TsmClient::with_fs(sim().with_error(SimOp::Create, errno::ENXIO));
    let err = client.report(&USER_DATA, 0).unwrap_err();
    assert!(
        matches!(
            err,
            TsmError::Io {
                op: TsmOp::CreateEntry,
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("no TSM provider"), "{err}");
}

/// Fails the first `taken` creations with `AlreadyExists`.
struct Taken {
    inner: MemTsmFs,
    taken: usize,
    wrote_inblob: bool,
    swallow_inblob: bool,
}

impl TsmFs for Taken {
    fn root_exists(&self) -> bool {
        self.inner.root_exists()
    }
    fn create_entry(&mut self, entry: &str) -> io::Result<()> {
        if self.taken > 0 {
            self.taken -= 1;
            return Err(io::ErrorKind::AlreadyExists.into());
        }
        self.inner.create_entry(entry)
    }
    fn remove_entry(&mut self, entry: &str) -> io::Result<()> {
        self.inner.remove_entry(entry)
    }
    fn write_attr(&mut self, entry: &str, attr: &str, value: &[u8]) -> io::Result<()> {
        if attr == "inblob" && self.swallow_inblob {
            self.wrote_inblob = true;
            return Ok(());
        }
        self.inner.write_attr(entry, attr, value)
    }
    fn read_attr(&mut self, entry: &str, attr: &str, max: usize) -> io::Result<Vec<u8>> {
        self.inner.read_attr(entry, attr, max)
    }
}

#[test]
fn taken_names_are_retried() {
    let fs = Taken {
        inner: sim(),
        taken: 3,
        wrote_inblob: false,
        swallow_inblob: false,
    };
    let mut client = TsmClient::with_fs(fs);
    client.report(&USER_DATA, 0).unwrap();
    assert_clean(&client.fs().inner);
}

#[test]
fn a_lost_write_is_detected() {
    let fs = Taken {
        inner: sim(),
        taken: 0,
        wrote_inblob: false,
        swallow_inblob: true,
    };
    let mut client = TsmClient::with_fs(fs);
    let err = client.report(&USER_DATA, 0).unwrap_err();
    assert!(matches!(err, TsmError::WriteLost { .. }), "{err}");
    assert!(client.fs().wrote_inblob);
    assert_clean(&client.fs().inner);
}

#[test]
fn oversized_and_empty_blobs() {
    let fs = MemTsmFs::new(|_| {
        Ok(TsmResponse {
            outblob: vec![1; TSM_REPORT_OUTBLOB_MAX + 1],
            ..Default::default()
        })
    });
    let mut client = TsmClient::with_fs(fs);
    let err = client.report(&USER_DATA, 0).unwrap_err();
    assert!(matches!(err, TsmError::Oversized { attr: "outblob", .. }), "{err}");
    assert_clean(client.fs());

    let fs = sim().with_raw_attr("auxblob", &vec![0; TSM_REPORT_OUTBLOB_MAX + 1]);
    let mut client = TsmClient::with_fs(fs);
    let err = client.report(&USER_DATA, 0).unwrap_err();
    assert!(matches!(err, TsmError::Oversized { attr: "auxblob", .. }), "{err}");
    assert_clean(client.fs());

    let fs = MemTsmFs::new(|_| Ok(TsmResponse::default()));
    let mut client = TsmClient::with_fs(fs);
    assert!(matches!(client.report(&USER_DATA, 0), Err(TsmError::EmptyReport)));
    assert_clean(client.fs());
}

#[test]
fn malformed_text_attributes() {
    for (attr, raw) in [
        ("generation", &b"12x\n"[..]),
        ("generation", b""),
        ("generation", b"-1"),
        ("generation", b"99999999999999999999999"),
        ("privlevel_floor", b"4\n"),
        ("privlevel_floor", b"\xff"),
        ("provider", b"sev guest"),
        ("provider", b"\n"),
    ] {
        let mut client = TsmClient::with_fs(sim().with_raw_attr(attr, raw));
        let err = client.report(&USER_DATA, 0).unwrap_err();
        assert!(
            matches!(err, TsmError::MalformedAttr { attr: a, .. } if a == attr),
            "{attr} {raw:?}: {err}"
        );
        assert_clean(client.fs());
    }
}

#[test]
fn probe_reports_why() {
    let p = probe(&mut sim().with_floor(1));
    assert!(p.usable() && p.root_exists && p.can_create, "{p:?}");
    assert_eq!(p.provider.as_deref(), Some("sev_guest"));
    assert_eq!(p.privlevel_floor, Some(1));

    let p = probe(&mut sim().without_root());
    assert!(!p.usable() && !p.root_exists);
    assert!(matches!(p.problem, Some(TsmError::RootAbsent)));

    let mut fs = sim().with_error(SimOp::Create, errno::EACCES);
    let p = probe(&mut fs);
    assert!(p.root_exists && !p.can_create);
    assert!(p.problem.unwrap().to_string().contains("root"));

    let mut client = TsmClient::with_fs(sim().with_provider("tdx_guest"));
    let p = client.probe();
    assert!(p.can_create);
    assert_eq!(p.provider.as_deref(), Some("tdx_guest"));
    assert!(matches!(p.problem, Some(TsmError::WrongProvider { .. })));
    assert_clean(client.fs());
}

// ---- the real file operations, on a plain directory tree ----

/// `StdTsmFs` on a temporary directory. A plain directory is not configfs: the attribute files
/// are laid out when an entry is made (`outblob`/`auxblob` pre-written, since nothing computes
/// them), `generation` is counted up on each accepted write, and the files are deleted before
/// `rmdir`. Every read, write, mkdir and rmdir itself goes through `StdTsmFs`.
struct DirTree {
    std: StdTsmFs,
    files: Vec<(&'static str, Vec<u8>)>,
}

impl DirTree {
    fn root(&self) -> &Path {
        self.std.root()
    }
}

impl TsmFs for DirTree {
    fn root_exists(&self) -> bool {
        self.std.root_exists()
    }
    fn create_entry(&mut self, entry: &str) -> io::Result<()> {
        self.std.create_entry(entry)?;
        for (name, content) in &self.files {
            std::fs::write(self.root().join(entry).join(name), content)?;
        }
        Ok(())
    }
    fn remove_entry(&mut self, entry: &str) -> io::Result<()> {
        let dir = self.root().join(entry);
        for f in std::fs::read_dir(&dir)? {
            std::fs::remove_file(f?.path())?;
        }
        self.std.remove_entry(entry)
    }
    fn write_attr(&mut self, entry: &str, attr: &str, value: &[u8]) -> io::Result<()> {
        self.std.write_attr(entry, attr, value)?;
        let raw = self.std.read_attr(entry, "generation", 64)?;
        let n: u64 = String::from_utf8_lossy(&raw).trim().parse().unwrap();
        std::fs::write(self.root().join(entry).join("generation"), format!("{}\n", n + 1))
    }
    fn read_attr(&mut self, entry: &str, attr: &str, max: usize) -> io::Result<Vec<u8>> {
        self.std.read_attr(entry, attr, max)
    }
}

struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> Self {
        let p = std::env::temp_dir().join(format!("snp-guest-configfs-{}-{tag}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn is_empty_dir(p: &Path) -> bool {
    std::fs::read_dir(p).unwrap().next().is_none()
}

#[test]
fn std_fs_on_a_directory_tree() {
    let tmp = TempDir::new("happy");
    let report: Vec<u8> = (0..0x4A0u32).map(|i| i as u8).collect();
    let files = vec![
        ("inblob", Vec::new()),
        ("privlevel", Vec::new()),
        ("generation", b"41\n".to_vec()),
        ("provider", b"sev_guest\n".to_vec()),
        ("privlevel_floor", b"0\n".to_vec()),
        ("outblob", report.clone()),
        ("auxblob", certs()),
    ];
    let mut client = TsmClient::with_fs(DirTree {
        std: StdTsmFs::at(&tmp.0),
        files,
    });
    let ev = client.report(&USER_DATA, 0).unwrap();
    assert_eq!(ev.report, report);
    assert_eq!(ev.certs, certs());
    assert_eq!(ev.provider, Provider::Configfs("sev_guest".into()));
    assert!(is_empty_dir(&tmp.0), "entry removed");

    let p = probe(client.fs_mut());
    assert!(p.usable(), "{p:?}");
    assert!(is_empty_dir(&tmp.0));
}

#[test]
fn std_fs_missing_attribute_still_removes_the_entry() {
    let tmp = TempDir::new("missing");
    // A bare directory: mkdir and rmdir work, reading `generation` does not.
    let mut client = TsmClient::at(&tmp.0);
    let err = client.report(&USER_DATA, 0).unwrap_err();
    assert!(
        matches!(
            err,
            TsmError::Io {
                op: TsmOp::Read("generation"),
                ..
            }
        ),
        "{err}"
    );
    assert_eq!(err.kind(), Some(io::ErrorKind::NotFound));
    assert!(is_empty_dir(&tmp.0), "entry removed");
}

#[test]
fn std_fs_root_absent() {
    let tmp = TempDir::new("absent");
    let mut client = TsmClient::at(tmp.0.join("tsm/report"));
    assert!(matches!(client.report(&USER_DATA, 0), Err(TsmError::RootAbsent)));
    assert!(!client.probe().usable());
}

// ---- random inputs never panic ----

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn parsers_never_panic(raw in proptest::collection::vec(any::<u8>(), 0..80)) {
        let _ = parse_decimal("generation", &raw);
        let _ = parse_privlevel_floor(&raw);
        let _ = parse_provider(&raw);
    }

    #[test]
    fn random_attribute_contents_never_panic(
        generation in proptest::option::of(proptest::collection::vec(any::<u8>(), 0..24)),
        floor_raw in proptest::option::of(proptest::collection::vec(any::<u8>(), 0..8)),
        provider_raw in proptest::option::of(proptest::collection::vec(any::<u8>(), 0..16)),
        out_len in 0usize..TSM_REPORT_OUTBLOB_MAX + 64,
        aux_len in 0usize..TSM_REPORT_OUTBLOB_MAX + 64,
        manifest_len in proptest::option::of(0usize..2048),
        floor in 0u32..4,
        vmpl in 0u32..6,
        race in proptest::option::of(1usize..14),
        svsm in any::<bool>(),
        service in any::<bool>(),
        seed in any::<u8>(),
    ) {
        let mut fs = MemTsmFs::new(move |_| Ok(TsmResponse {
            outblob: vec![seed; out_len],
            auxblob: vec![seed ^ 1; aux_len],
            manifest: manifest_len.map(|n| vec![seed ^ 2; n]),
        }))
        .with_floor(floor)
        .with_svsm(svsm);
        if let Some(raw) = &generation { fs = fs.with_raw_attr("generation", raw); }
        if let Some(raw) = &floor_raw { fs = fs.with_raw_attr("privlevel_floor", raw); }
        if let Some(raw) = &provider_raw { fs = fs.with_raw_attr("provider", raw); }
        if let Some(n) = race { fs = fs.with_race_before_read(n); }
        let mut client = TsmClient::with_fs(fs);
        if service {
            client = client.with_service(SvsmService::svsm());
        }
        match client.report(&USER_DATA, vmpl) {
            Ok(ev) => {
                prop_assert_eq!(ev.report.len(), out_len);
                prop_assert_eq!(ev.certs.len(), aux_len);
                prop_assert!(out_len > 0 && out_len <= TSM_REPORT_OUTBLOB_MAX);
                prop_assert!(vmpl >= floor && vmpl <= 3);
            }
            Err(e) => { let _ = e.to_string(); }
        }
        prop_assert!(client.fs().entries().is_empty());
        let _ = probe(client.fs_mut());
        prop_assert!(client.fs().entries().is_empty());
    }
}
