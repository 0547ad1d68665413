#![no_main]
//! A hostile VMM against the simulated SEV firmware: after a valid INIT2, LAUNCH_START with an
//! arbitrary (or tampered) owner PDH certificate and session blob, then LAUNCH_SECRET with
//! arbitrary headers and transport buffers or tampered guest-owner packets.
//!
//! Checked: a refused LAUNCH_START creates no guest (no handle, platform guest count unchanged,
//! a valid start still works afterwards); a session is only accepted if it is the owner's own
//! (same session bytes, policy and PDH key); a secret is only accepted if the guest owner
//! packaged it unchanged, lands exactly where it was sent, and a refused one leaves guest
//! memory untouched; every refusal carries an errno or a firmware status.

use std::sync::OnceLock;

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use sev_host::platform::Platform;
use sev_sim::host::{HostConfig, SimHost, SimSevVm};
use sev_sys::seam::{MemorySlot, SevLaunchDevice, SevLaunchStart, VmMemory};
use sev_types::Product;
use sev_types::launch::sev::{LaunchSecretHeader, SevPolicy};
use sev_types::launch::snp::KvmSevInit;
use sev_types::launch::vmsa::SaveArea;
use sev_types::legacy::SevCertificate;
use sev_verify::crypto::default_provider;
use sev_verify::legacy::{GuestOwnerSession, LaunchStartMaterial};
use zerocopy::{FromZeros, IntoBytes};

const MEM: u64 = 4 * 4096;

struct Owner {
    session: GuestOwnerSession,
    material: LaunchStartMaterial,
}

struct World {
    host: SimHost,
    sev: Owner,
    es: Owner,
}

static WORLD: OnceLock<World> = OnceLock::new();

fn world() -> &'static World {
    WORLD.get_or_init(|| {
        let host = SimHost::new(HostConfig::new(Product::Milan));
        let certs = Platform::new(host.clone()).pdh_cert_export().expect("PDH export");
        let pdh = certs.pdh_cert().expect("PDH parses");
        let provider = default_provider();
        let owner = |policy| {
            let (session, material) = GuestOwnerSession::start(&provider, &pdh, policy).expect("session");
            Owner { session, material }
        };
        World {
            sev: owner(SevPolicy::NODBG),
            es: owner(SevPolicy::NODBG | SevPolicy::ES),
            host,
        }
    })
}

#[derive(Arbitrary, Debug)]
enum StartInput {
    Valid,
    NoOwner {
        policy: u32,
    },
    Tampered {
        policy: u32,
        pdh: Vec<(u16, u8)>,
        session: Vec<(u8, u8)>,
    },
    Raw {
        policy: u32,
        handle: u32,
        pdh: Vec<u8>,
        session: Vec<u8>,
    },
}

#[derive(Arbitrary, Debug)]
enum SecretInput {
    Packaged {
        gpa: u16,
        iv: [u8; 16],
        plaintext: Vec<u8>,
        tamper: Option<(u16, u8)>,
    },
    Raw {
        gpa: u16,
        flags: u32,
        iv: [u8; 16],
        mac: [u8; 32],
        transport: Vec<u8>,
    },
}

#[derive(Arbitrary, Debug)]
struct Input {
    es: bool,
    start: StartInput,
    secrets: Vec<SecretInput>,
}

#[track_caller]
fn typed(e: &sev_sys::Error) {
    assert!(
        e.errno().is_some() || e.firmware_status().is_some(),
        "a refusal without errno or firmware status: {e:?}"
    );
}

fn guest_count(host: &SimHost) -> u32 {
    Platform::new(host.clone())
        .status()
        .expect("PLATFORM_STATUS")
        .guest_count
}

fn memory(vm: &mut SimSevVm) -> Vec<u8> {
    let mut out = vec![0u8; MEM as usize];
    vm.read_memory(0, &mut out).expect("mapped memory reads");
    out
}

fn same_key(a: &[u8], b: &[u8]) -> bool {
    match (SevCertificate::from_bytes(a), SevCertificate::from_bytes(b)) {
        (Ok(a), Ok(b)) => a.public_key().sec1_uncompressed() == b.public_key().sec1_uncompressed(),
        _ => false,
    }
}

fuzz_target!(|input: Input| {
    let w = world();
    let owner = if input.es { &w.es } else { &w.sev };
    let valid_pdh = &owner.material.dh_cert[..];
    let valid_session = owner.material.session.as_bytes();
    let valid_policy = owner.material.policy;

    let mut vm = w.host.create_sev_vm(input.es);
    vm.add_memory_slot(&MemorySlot {
        slot: 0,
        gpa: 0,
        size: MEM,
        guest_memfd: None,
    })
    .expect("memory slot");
    vm.sev_init2(&KvmSevInit::new(0, 0)).expect("INIT2");
    vm.add_vcpu(0, &SaveArea::new_zeroed()).expect("vCPU");
    vm.register_encrypted_region(0, MEM).expect("encrypted region");

    let (mut pdh, mut session) = (valid_pdh.to_vec(), valid_session.to_vec());
    let (policy, handle) = match input.start {
        StartInput::Valid => (valid_policy, 0),
        StartInput::NoOwner { policy } => {
            pdh.clear();
            session.clear();
            (SevPolicy::from_bits_retain(policy), 0)
        }
        StartInput::Tampered {
            policy,
            pdh: p,
            session: s,
        } => {
            for (at, x) in p {
                if let Some(b) = pdh.get_mut(usize::from(at)) {
                    *b ^= x;
                }
            }
            for (at, x) in s {
                if let Some(b) = session.get_mut(usize::from(at)) {
                    *b ^= x;
                }
            }
            (SevPolicy::from_bits_retain(policy), 0)
        }
        StartInput::Raw {
            policy,
            handle,
            pdh: p,
            session: s,
        } => {
            pdh = p;
            session = s;
            (SevPolicy::from_bits_retain(policy), handle)
        }
    };
    let before = guest_count(&w.host);
    let start = SevLaunchStart {
        handle,
        policy,
        owner_pdh: &pdh,
        session: &session,
    };
    let owner_keys = match vm.launch_start(&start) {
        Ok(_) => {
            if !pdh.is_empty() || !session.is_empty() {
                assert_eq!(session, valid_session, "a session other than the owner's was accepted");
                assert_eq!(policy, valid_policy, "a session was accepted under another policy");
                assert!(same_key(&pdh, valid_pdh), "a session was accepted with another PDH key");
            }
            assert_eq!(guest_count(&w.host), before + 1);
            !pdh.is_empty()
        }
        Err(e) => {
            typed(&e);
            assert!(vm.guest_status().is_err(), "a refused LAUNCH_START left a guest");
            assert_eq!(
                guest_count(&w.host),
                before,
                "a refused LAUNCH_START changed the platform"
            );
            let valid = SevLaunchStart {
                handle: 0,
                policy: valid_policy,
                owner_pdh: valid_pdh,
                session: valid_session,
            };
            vm.launch_start(&valid)
                .expect("a valid LAUNCH_START after a refused one");
            true
        }
    };

    vm.write_memory(0, &[0x5A; 4096]).expect("write");
    vm.launch_update_data(0, 4096).expect("UPDATE_DATA");
    if input.es {
        vm.launch_update_vmsa().expect("UPDATE_VMSA");
    }
    let measurement = vm.launch_measure().expect("MEASURE");
    let mut measure = [0u8; 32];
    measure.copy_from_slice(&measurement[..32]);

    let provider = default_provider();
    for secret in input.secrets.into_iter().take(4) {
        let before = memory(&mut vm);
        let (gpa, header, transport, genuine, plaintext) = match secret {
            SecretInput::Packaged {
                gpa,
                iv,
                mut plaintext,
                tamper,
            } => {
                plaintext.truncate(4096);
                plaintext.resize(plaintext.len().div_ceil(16) * 16, 0);
                let Ok(packet) = owner
                    .session
                    .package_secret_with_iv(&provider, &measure, iv, &plaintext)
                else {
                    continue;
                };
                let (mut header, mut transport) = (packet.header, packet.ciphertext);
                let mut changed = false;
                if let Some((at, x)) = tamper {
                    let at = usize::from(at);
                    let hlen = header.as_bytes().len();
                    if at < hlen {
                        header.as_mut_bytes()[at] ^= x;
                        changed = x != 0;
                    } else if let Some(b) = transport.get_mut(at - hlen) {
                        *b ^= x;
                        changed = x != 0;
                    }
                }
                (u64::from(gpa), header, transport, owner_keys && !changed, plaintext)
            }
            SecretInput::Raw {
                gpa,
                flags,
                iv,
                mac,
                transport,
            } => {
                let mut header = LaunchSecretHeader::new_zeroed();
                header.flags.set(flags);
                header.iv = iv;
                header.mac = mac;
                (u64::from(gpa), header, transport, false, Vec::new())
            }
        };
        let len = transport.len() as u64;
        let placeable = len != 0 && gpa % 4096 + len <= 4096 && gpa + len <= MEM;
        match vm.launch_secret(&header, gpa, &transport) {
            Ok(()) => {
                assert!(genuine, "a secret the guest owner did not package was accepted");
                let after = memory(&mut vm);
                let (g, l) = (gpa as usize, len as usize);
                assert_eq!(
                    &after[g..g + l],
                    &plaintext[..],
                    "the secret is not what the owner sent"
                );
                assert_eq!(after[..g], before[..g]);
                assert_eq!(after[g + l..], before[g + l..]);
            }
            Err(e) => {
                typed(&e);
                assert!(!(genuine && placeable), "a genuine, placeable secret was refused: {e}");
                assert!(memory(&mut vm) == before, "a refused secret changed guest memory");
            }
        }
    }
    vm.launch_finish().expect("FINISH");
});
