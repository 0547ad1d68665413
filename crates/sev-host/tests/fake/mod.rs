//! A tiny scripted SNP launch device for unit-level tests of the resume loop and typestate.

use std::collections::{BTreeMap, VecDeque};

use sev_sys::seam::{
    GuestMemfdId, MemoryAttributes, MemorySlot, SnpLaunchDevice, SnpLaunchFinish, SnpUpdateProgress, VmMemory,
};
use sev_sys::{Error, IoctlError};
use sev_types::launch::snp::{KvmPageType, KvmSevInit, KvmSnpLaunchStart};
use sev_types::launch::vmsa::SaveArea;

pub const EINTR: i32 = 4;
pub const EIO: i32 = 5;
pub const EAGAIN: i32 = 11;
pub const PAGE: usize = 4096;

/// What the next `snp_launch_update` call does.
#[derive(Debug, Clone, Copy)]
pub enum Answer {
    /// Consume at most this many pages.
    Pages(u64),
    /// Report this many bytes consumed without checking them (for malformed answers).
    Bytes(u64),
    /// Fail with this errno and firmware status (0 = none).
    Fail(i32, u32),
}

/// Every call the launcher made, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Call {
    Init2 {
        vmsa_features: u64,
        ghcb_version: u16,
    },
    Memfd {
        size: u64,
    },
    Slot {
        slot: u32,
        gpa: u64,
        size: u64,
        memfd: bool,
    },
    Attributes {
        gpa: u64,
        size: u64,
        private: bool,
    },
    Vcpu {
        id: u32,
    },
    Start {
        policy: u64,
    },
    Update {
        gfn: u64,
        pages: u64,
        page_type: KvmPageType,
    },
    Finish {
        host_data: [u8; 32],
        id_block: bool,
    },
    ReqCerts,
}

/// The scripted device: answers come from `script` (then "consume all"), and the bytes of
/// every consumed page are kept by frame number.
#[derive(Debug, Default)]
pub struct FakeSnp {
    pub script: VecDeque<Answer>,
    pub calls: Vec<Call>,
    pub pages: BTreeMap<u64, Vec<u8>>,
    memfds: u32,
}

impl FakeSnp {
    pub fn with_script(script: impl IntoIterator<Item = Answer>) -> Self {
        FakeSnp {
            script: script.into_iter().collect(),
            ..Self::default()
        }
    }

    pub fn updates(&self) -> Vec<(u64, u64)> {
        self.calls
            .iter()
            .filter_map(|c| match c {
                Call::Update { gfn, pages, .. } => Some((*gfn, *pages)),
                _ => None,
            })
            .collect()
    }
}

impl VmMemory for FakeSnp {
    fn create_guest_memfd(&mut self, size: u64, _flags: u64) -> Result<GuestMemfdId, Error> {
        self.calls.push(Call::Memfd { size });
        self.memfds += 1;
        Ok(GuestMemfdId(self.memfds - 1))
    }
    fn add_memory_slot(&mut self, slot: &MemorySlot) -> Result<(), Error> {
        self.calls.push(Call::Slot {
            slot: slot.slot,
            gpa: slot.gpa,
            size: slot.size,
            memfd: slot.guest_memfd.is_some(),
        });
        Ok(())
    }
    fn set_memory_attributes(&mut self, gpa: u64, size: u64, attributes: MemoryAttributes) -> Result<(), Error> {
        self.calls.push(Call::Attributes {
            gpa,
            size,
            private: attributes.contains(MemoryAttributes::PRIVATE),
        });
        Ok(())
    }
    fn write_memory(&mut self, _gpa: u64, _data: &[u8]) -> Result<(), Error> {
        Ok(())
    }
    fn read_memory(&mut self, _gpa: u64, out: &mut [u8]) -> Result<(), Error> {
        out.fill(0);
        Ok(())
    }
}

impl SnpLaunchDevice for FakeSnp {
    fn sev_init2(&mut self, init: &KvmSevInit) -> Result<(), Error> {
        self.calls.push(Call::Init2 {
            vmsa_features: init.vmsa_features.get(),
            ghcb_version: init.ghcb_version.get(),
        });
        Ok(())
    }
    fn add_vcpu(&mut self, id: u32, _state: &SaveArea) -> Result<(), Error> {
        self.calls.push(Call::Vcpu { id });
        Ok(())
    }
    fn snp_launch_start(&mut self, start: &KvmSnpLaunchStart) -> Result<(), Error> {
        self.calls.push(Call::Start {
            policy: start.policy.get(),
        });
        Ok(())
    }
    fn snp_launch_update(
        &mut self,
        gfn_start: u64,
        page_type: KvmPageType,
        src: &[u8],
    ) -> Result<SnpUpdateProgress, Error> {
        let total = (src.len() / PAGE) as u64;
        let answer = self.script.pop_front().unwrap_or(Answer::Pages(u64::MAX));
        let pages = match answer {
            Answer::Fail(errno, fw) => {
                self.calls.push(Call::Update {
                    gfn: gfn_start,
                    pages: 0,
                    page_type,
                });
                return Err(IoctlError::new("KVM_SEV_SNP_LAUNCH_UPDATE", errno)
                    .with_firmware_status(fw)
                    .into());
            }
            Answer::Bytes(bytes) => {
                self.calls.push(Call::Update {
                    gfn: gfn_start,
                    pages: 0,
                    page_type,
                });
                return Ok(SnpUpdateProgress { consumed: bytes });
            }
            Answer::Pages(n) => n.min(total),
        };
        for i in 0..pages {
            let at = (i as usize) * PAGE;
            self.pages.insert(gfn_start + i, src[at..at + PAGE].to_vec());
        }
        self.calls.push(Call::Update {
            gfn: gfn_start,
            pages,
            page_type,
        });
        Ok(SnpUpdateProgress {
            consumed: pages * PAGE as u64,
        })
    }
    fn snp_launch_finish(&mut self, finish: &SnpLaunchFinish<'_>) -> Result<(), Error> {
        self.calls.push(Call::Finish {
            host_data: finish.host_data,
            id_block: finish.id_block.is_some(),
        });
        Ok(())
    }
    fn snp_enable_req_certs(&mut self) -> Result<(), Error> {
        self.calls.push(Call::ReqCerts);
        Ok(())
    }
}
