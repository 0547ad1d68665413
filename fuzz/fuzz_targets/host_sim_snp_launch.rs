#![no_main]
//! A hostile VMM against the simulated SNP firmware: SNP_VLEK_LOAD of arbitrary or tampered
//! hashsticks, LAUNCH_UPDATE of arbitrary page types and contents (CPUID pages included) at
//! arbitrary frames, and LAUNCH_FINISH with arbitrary or signed-then-tampered ID blocks.
//!
//! Checked: a hashstick is accepted only if it is the machine's own, unchanged; a refused
//! LAUNCH_UPDATE leaves the launch digest and private memory as they were, an accepted one
//! consumes whole pages it then holds (NORMAL pages verbatim); an ID block is accepted only if
//! it is signed, unchanged, names the launch digest and the policy; a refused LAUNCH_FINISH
//! leaves a launch that a plain LAUNCH_FINISH completes with the predicted digest. Every
//! refusal carries an errno or a firmware status.

use std::sync::OnceLock;

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use sev_host::HostError;
use sev_host::platform::Platform;
use sev_measure::gctx::Gctx;
use sev_measure::idblock::{SigningKey, sign_id_auth};
use sev_sim::host::{HostConfig, SimHost, SimSnpVm};
use sev_sys::seam::{MemoryAttributes, MemorySlot, SnpLaunchDevice, SnpLaunchFinish, VmMemory};
use sev_types::Product;
use sev_types::launch::cpuid_page::{CpuidEntry, CpuidPage};
use sev_types::launch::id_block::IdBlock;
use sev_types::launch::snp::{KvmSevInit, KvmSnpLaunchStart};
use sev_types::launch::vmsa::SaveArea;
use sev_types::policy::GuestPolicy;
use zerocopy::{FromZeros, IntoBytes};

const PAGE: usize = 4096;
/// Private frames 0..16, shared frames 16..32, nothing mapped above.
const PRIVATE_PAGES: u64 = 16;

struct Keys {
    id: SigningKey,
    author: SigningKey,
}

static KEYS: OnceLock<Keys> = OnceLock::new();

fn keys() -> &'static Keys {
    KEYS.get_or_init(|| {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/idblock/");
        let load = |name: &str| {
            let pem = std::fs::read_to_string(format!("{dir}{name}")).expect("fixture key");
            SigningKey::from_pem(&pem).expect("test key parses")
        };
        Keys {
            id: load("id_key_test.pem"),
            author: load("author_key_test.pem"),
        }
    })
}

#[derive(Arbitrary, Debug)]
enum Vlek {
    Genuine { csp_id: String, tamper: Option<(u16, u8)> },
    Raw(Vec<u8>),
}

#[derive(Arbitrary, Debug)]
enum PageSrc {
    Fill(u8),
    Bytes(Vec<u8>),
    /// A CPUID table the platform accepts, then edited.
    Cpuid(Vec<(u16, u8)>),
}

#[derive(Arbitrary, Debug)]
struct Update {
    gfn: u8,
    page_type: u8,
    pages: Vec<PageSrc>,
}

#[derive(Arbitrary, Debug)]
enum Finish {
    Plain,
    Raw {
        block: Vec<u8>,
        auth: Vec<u8>,
        auth_key_en: bool,
    },
    Signed {
        right_digest: bool,
        right_policy: bool,
        author: bool,
        auth_key_en: bool,
        family_id: [u8; 16],
        guest_svn: u32,
        tamper: Option<(u8, u8)>,
    },
}

#[derive(Arbitrary, Debug)]
struct Input {
    vlek: Option<Vlek>,
    updates: Vec<Update>,
    finishes: Vec<Finish>,
}

#[track_caller]
fn typed(e: &sev_sys::Error) {
    assert!(
        e.errno().is_some() || e.firmware_status().is_some(),
        "a refusal without errno or firmware status: {e:?}"
    );
}

fn page(src: &PageSrc) -> Vec<u8> {
    match src {
        PageSrc::Fill(b) => vec![*b; PAGE],
        PageSrc::Bytes(b) => {
            let mut p = b.clone();
            p.resize(PAGE, 0);
            p
        }
        PageSrc::Cpuid(edits) => {
            let mut table = CpuidPage::new();
            table
                .push(CpuidEntry::new(0x8000_001F, 0, [0x1_B3EF, 0x51, 0, 0]))
                .expect("one entry fits");
            let mut p = table.as_bytes().to_vec();
            p.resize(PAGE, 0);
            for &(at, x) in edits {
                if let Some(b) = p.get_mut(usize::from(at) % PAGE) {
                    *b ^= x;
                }
            }
            p
        }
    }
}

fn vlek(host: &SimHost, v: Vlek) {
    let (bytes, genuine) = match v {
        Vlek::Genuine { csp_id, tamper } => {
            let mut bytes = host.vlek_hashstick(&csp_id).as_bytes().to_vec();
            let mut changed = false;
            if let Some((at, x)) = tamper {
                let at = usize::from(at) % bytes.len();
                bytes[at] ^= x;
                changed = x != 0;
            }
            (bytes, !changed)
        }
        Vlek::Raw(bytes) => (bytes, false),
    };
    match Platform::new(host.clone()).snp_vlek_load(Product::Genoa, &bytes) {
        Ok(()) => assert!(genuine, "a hashstick that is not the machine's own was loaded"),
        Err(e) => {
            assert!(!genuine, "the machine's own hashstick was refused: {e}");
            match &e {
                HostError::Device { source, .. } => typed(source),
                HostError::Invalid { .. } | HostError::Parse { .. } => {}
                other => panic!("unexpected error kind: {other:?}"),
            }
        }
    }
}

fn private_pages(vm: &SimSnpVm) -> Vec<Option<Vec<u8>>> {
    (0..PRIVATE_PAGES)
        .map(|g| vm.private_page(g).map(<[u8]>::to_vec))
        .collect()
}

fn update(vm: &mut SimSnpVm, u: &Update) {
    let src: Vec<u8> = u.pages.iter().take(4).flat_map(page).collect();
    let gfn = u64::from(u.gfn % 40);
    let (digest, private) = (vm.launch_digest(), private_pages(vm));
    match vm.snp_launch_update_raw(gfn, u.page_type, &src) {
        Ok(progress) => {
            let consumed = progress.consumed as usize;
            assert!(
                consumed > 0 && consumed % PAGE == 0 && consumed <= src.len(),
                "{progress:?}"
            );
            assert_ne!(vm.launch_digest(), digest, "accepted pages left the digest unchanged");
            for (i, chunk) in src[..consumed].chunks_exact(PAGE).enumerate() {
                let g = gfn + i as u64;
                assert!(g < PRIVATE_PAGES, "a page outside private memory was accepted");
                assert!(private[g as usize].is_none(), "a page was populated twice");
                let held = vm.private_page(g).expect("an accepted page is held");
                if u.page_type == 1 {
                    assert_eq!(held, chunk, "a NORMAL page is not held verbatim");
                }
            }
        }
        Err(e) => {
            typed(&e);
            assert_eq!(vm.launch_digest(), digest, "a refused LAUNCH_UPDATE changed the digest");
            assert!(
                private_pages(vm) == private,
                "a refused LAUNCH_UPDATE changed private memory"
            );
        }
    }
}

fn policy() -> GuestPolicy {
    GuestPolicy::RESERVED_MBO | GuestPolicy::SMT
}

/// Tries one LAUNCH_FINISH; returns whether the launch is finished.
fn finish(vm: &mut SimSnpVm, f: &Finish, final_digest: &[u8; 48]) -> bool {
    let (block, auth, auth_key_en, genuine) = match f {
        Finish::Plain => {
            vm.snp_launch_finish(&SnpLaunchFinish::default())
                .expect("a plain LAUNCH_FINISH");
            assert_eq!(
                &vm.launch_digest(),
                final_digest,
                "the final digest is not the predicted one"
            );
            return true;
        }
        Finish::Raw {
            block,
            auth,
            auth_key_en,
        } => {
            let mut b = block.clone();
            b.resize(96, 0);
            let mut a = auth.clone();
            a.resize(4096, 0);
            (b, a, *auth_key_en, false)
        }
        Finish::Signed {
            right_digest,
            right_policy,
            author,
            auth_key_en,
            family_id,
            guest_svn,
            tamper,
        } => {
            let mut ld = *final_digest;
            if !right_digest {
                ld[0] ^= 1;
            }
            let p = if *right_policy {
                policy()
            } else {
                policy() | GuestPolicy::DEBUG
            };
            let block = IdBlock::new(ld, p)
                .with_family_id(*family_id)
                .with_guest_svn(*guest_svn);
            let k = keys();
            let auth = sign_id_auth(&block, &k.id, author.then_some(&k.author));
            let mut b = block.as_bytes().to_vec();
            let mut changed = false;
            if let Some((at, x)) = tamper {
                b[usize::from(*at) % 96] ^= x;
                changed = *x != 0;
            }
            let ok = *right_digest && *right_policy && !changed && (*author || !*auth_key_en);
            (b, auth.as_bytes().to_vec(), *auth_key_en, ok)
        }
    };
    let (Ok(b), Ok(a)) = (<&[u8; 96]>::try_from(&block[..]), <&[u8; 4096]>::try_from(&auth[..])) else {
        unreachable!("sized above")
    };
    let result = vm.snp_launch_finish(&SnpLaunchFinish {
        id_block: Some((b, a)),
        auth_key_en,
        ..SnpLaunchFinish::default()
    });
    match result {
        Ok(()) => {
            assert!(genuine, "an ID block that is not signed for this launch was accepted");
            assert_eq!(&vm.launch_digest(), final_digest);
            true
        }
        Err(e) => {
            typed(&e);
            assert!(!genuine, "a genuine ID block was refused: {e}");
            assert_eq!(
                &vm.launch_digest(),
                final_digest,
                "a refused LAUNCH_FINISH changed the digest"
            );
            false
        }
    }
}

fuzz_target!(|input: Input| {
    let host = SimHost::new(HostConfig::new(Product::Genoa));
    if let Some(v) = input.vlek {
        vlek(&host, v);
    }

    let mut vm = host.create_snp_vm();
    let fd = vm.create_guest_memfd(PRIVATE_PAGES * 4096, 0).expect("guest_memfd");
    vm.add_memory_slot(&MemorySlot {
        slot: 0,
        gpa: 0,
        size: PRIVATE_PAGES * 4096,
        guest_memfd: Some((fd, 0)),
    })
    .expect("private slot");
    vm.set_memory_attributes(0, PRIVATE_PAGES * 4096, MemoryAttributes::PRIVATE)
        .expect("private");
    vm.add_memory_slot(&MemorySlot {
        slot: 1,
        gpa: PRIVATE_PAGES * 4096,
        size: PRIVATE_PAGES * 4096,
        guest_memfd: None,
    })
    .expect("shared slot");
    vm.sev_init2(&KvmSevInit::new(0, 0)).expect("INIT2");
    vm.add_vcpu(0, &SaveArea::new_zeroed()).expect("vCPU");
    vm.snp_launch_start(&KvmSnpLaunchStart::new(policy()))
        .expect("LAUNCH_START");

    for u in input.updates.iter().take(8) {
        update(&mut vm, u);
    }

    // What LAUNCH_FINISH measures next: the vCPU's VMSA with the launch's SEV_FEATURES.
    let mut vmsa = SaveArea::new_zeroed();
    vmsa.sev_features.set(vm.vmsa_features());
    let mut gctx = Gctx::with_seed(vm.launch_digest());
    gctx.measure_vmsa(&vmsa);
    let final_digest = *gctx.digest();

    for f in input.finishes.iter().take(3) {
        if finish(&mut vm, f, &final_digest) {
            let again = vm.snp_launch_finish(&SnpLaunchFinish::default());
            let e = again.expect_err("a second LAUNCH_FINISH");
            typed(&e);
            return;
        }
    }
    finish(&mut vm, &Finish::Plain, &final_digest);
});
