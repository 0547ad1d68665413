//! [`SimSevVm`]: a simulated SEV or SEV-ES VM — KVM's checks in front of the firmware's launch
//! commands.

use sev_sys::Error;
use sev_sys::seam::{SevGuestStatus, SevLaunchDevice, SevLaunchStart};
use sev_types::U64;
use sev_types::launch::sev::{ATTESTATION_SIGNED_LEN, LaunchSecretHeader, SevPolicy};
use sev_types::launch::snp::KvmSevInit;
use sev_types::launch::vmsa::SaveArea;
use sev_types::status::FirmwareStatus;
use zerocopy::IntoBytes;
use zeroize::Zeroizing;

use super::launch::GuestLaunch;
use super::session::{self, TransportKeys};
use super::status::{firmware, kernel};
use crate::errno::{EEXIST, EFAULT, EINVAL};
use crate::host::memory::{PAGE_SIZE, SimMemory};
use crate::host::platform::SimHost;

/// `SVM_SEV_FEAT_DEBUG_SWAP`: the one VMSA feature this KVM offers SEV-ES guests.
pub const SEV_ES_DEBUG_SWAP: u64 = 1 << 5;
/// The highest GHCB protocol version KVM speaks (0 in INIT2 means this one).
pub const GHCB_VERSION_MAX: u16 = 2;

/// What `KVM_SEV_INIT2` fixed.
#[derive(Debug, Clone, Copy)]
struct Init {
    vmsa_features: u64,
}

/// A simulated SEV (`es == false`) or SEV-ES VM on a [`SimHost`].
///
/// Behind [`SevLaunchDevice`] it answers as KVM and the firmware do: `ENOTTY`
/// ([`Error::SevUnsupported`]) before `KVM_SEV_INIT2`, `EINVAL`/`EFAULT` for what KVM refuses,
/// and `EIO` with the firmware status (`INVALID_GUEST`, `INVALID_GUEST_STATE`,
/// `POLICY_FAILURE`, `BAD_MEASUREMENT`, …) for what the firmware refuses. The launch digest is
/// SHA-256 over every LAUNCH_UPDATE_DATA range and (SEV-ES) every vCPU's VMSA, in order.
///
/// Guest memory keeps the guest's view (plaintext): LAUNCH_UPDATE_DATA measures it in place
/// and LAUNCH_SECRET writes the decrypted secret there.
///
/// ```
/// use sev_sim::host::{HostConfig, SimHost};
/// use sev_sys::seam::{MemorySlot, SevLaunchDevice, SevLaunchStart, VmMemory};
/// use sev_types::launch::sev::{SevGuestState, SevPolicy};
/// use sev_types::launch::snp::KvmSevInit;
/// use sev_types::Product;
///
/// let host = SimHost::new(HostConfig::new(Product::Milan));
/// let mut vm = host.create_sev_vm(false);
/// vm.sev_init2(&KvmSevInit::new(0, 0))?;
/// vm.add_memory_slot(&MemorySlot { slot: 0, gpa: 0, size: 0x10000, guest_memfd: None })?;
/// vm.write_memory(0x1000, &[0x90; 4096])?;
/// vm.register_encrypted_region(0, 0x10000)?;
/// let start = SevLaunchStart { handle: 0, policy: SevPolicy::NODBG, owner_pdh: &[], session: &[] };
/// vm.launch_start(&start)?;
/// vm.launch_update_data(0x1000, 4096)?;
/// let measurement = vm.launch_measure()?;
/// vm.launch_finish()?;
/// assert_eq!(vm.guest_status()?.state, SevGuestState::Running);
/// assert_eq!(measurement.len(), 48);
/// # Ok::<(), sev_sys::Error>(())
/// ```
#[derive(Debug)]
pub struct SimSevVm {
    host: SimHost,
    es: bool,
    memory: SimMemory,
    init: Option<Init>,
    vcpus: Vec<(u32, SaveArea)>,
    vmsas_encrypted: bool,
    /// `KVM_MEMORY_ENCRYPT_REG_REGION` ranges as `(gpa, end)`.
    regions: Vec<(u64, u64)>,
    launch: Option<GuestLaunch>,
}

impl SimSevVm {
    pub(crate) fn new(host: SimHost, es: bool) -> Self {
        SimSevVm {
            host,
            es,
            memory: SimMemory::new(),
            init: None,
            vcpus: Vec::new(),
            vmsas_encrypted: false,
            regions: Vec::new(),
            launch: None,
        }
    }

    /// KVM answers `ENOTTY` to encryption ops on a VM that is not (yet) an SEV guest.
    fn require_init(&self, op: &'static str) -> Result<Init, Error> {
        self.init.ok_or(Error::SevUnsupported { op })
    }

    /// The launched guest; before LAUNCH_START KVM passes handle 0, which names no guest.
    fn launch(&mut self, op: &'static str) -> Result<&mut GuestLaunch, Error> {
        self.require_init(op)?;
        self.launch.as_mut().ok_or(firmware(op, FirmwareStatus::InvalidGuest))
    }

    /// Whether every byte of `[gpa, end)` lies in registered regions.
    fn registered(&self, gpa: u64, end: u64) -> bool {
        let mut at = gpa;
        while at < end {
            match self
                .regions
                .iter()
                .filter(|&&(s, e)| s <= at && at < e)
                .map(|&(_, e)| e)
                .max()
            {
                Some(e) => at = e,
                None => return false,
            }
        }
        true
    }
}

impl Drop for SimSevVm {
    /// DECOMMISSION: the guest leaves the platform.
    fn drop(&mut self) {
        if let Some(launch) = &self.launch {
            self.host.lock().legacy.decommission(launch.handle);
        }
    }
}

crate::host::memory::delegate_vm_memory!(SimSevVm);

impl SevLaunchDevice for SimSevVm {
    /// Refuses (`EINVAL`) a second INIT2, non-zero flags, VMSA features or a GHCB version on
    /// an SEV VM, and on SEV-ES features other than DEBUG_SWAP or a GHCB version above 2. The
    /// kernel initialises the platform if it is UNINIT.
    fn sev_init2(&mut self, init: &KvmSevInit) -> Result<(), Error> {
        const OP: &str = "KVM_SEV_INIT2";
        let (features, ghcb) = (init.vmsa_features.get(), init.ghcb_version.get());
        let valid = if self.es {
            features & !SEV_ES_DEBUG_SWAP == 0 && ghcb <= GHCB_VERSION_MAX
        } else {
            features == 0 && ghcb == 0
        };
        if self.init.is_some() || init.flags.get() != 0 || !valid {
            return Err(kernel(OP, EINVAL));
        }
        self.host.lock().legacy.ensure_init();
        self.init = Some(Init {
            vmsa_features: features,
        });
        Ok(())
    }

    /// `EEXIST` for an id in use; `EINVAL` once the VMSAs are encrypted.
    fn add_vcpu(&mut self, id: u32, state: &SaveArea) -> Result<(), Error> {
        const OP: &str = "KVM_CREATE_VCPU";
        if self.vmsas_encrypted {
            return Err(kernel(OP, EINVAL));
        }
        if self.vcpus.iter().any(|(v, _)| *v == id) {
            return Err(kernel(OP, EEXIST));
        }
        self.vcpus.push((id, state.clone()));
        Ok(())
    }

    /// `EINVAL` for an empty or wrapping range, `EFAULT` when it is not all guest memory.
    fn register_encrypted_region(&mut self, gpa: u64, size: u64) -> Result<(), Error> {
        const OP: &str = "KVM_MEMORY_ENCRYPT_REG_REGION";
        self.require_init(OP)?;
        let end = gpa.checked_add(size).filter(|_| size != 0).ok_or(kernel(OP, EINVAL))?;
        if self.memory.slot_of(gpa, size).is_none() {
            return Err(kernel(OP, EFAULT));
        }
        self.regions.push((gpa, end));
        Ok(())
    }

    /// Policy: reserved bits 15:6 are INVALID_PARAM; a minimum API above the firmware's, or an
    /// ES bit that does not match the VM type, is POLICY_FAILURE. With a guest owner, TEK and
    /// TIK are unwrapped from the session (see the `session` module); without one the firmware
    /// draws them. A second LAUNCH_START is INVALID_GUEST_STATE.
    fn launch_start(&mut self, start: &SevLaunchStart<'_>) -> Result<u32, Error> {
        const OP: &str = "KVM_SEV_LAUNCH_START";
        self.require_init(OP)?;
        if self.launch.is_some() {
            return Err(firmware(OP, FirmwareStatus::InvalidGuestState));
        }
        let policy = start.policy;
        let host = self.host.clone();
        let mut state = host.lock();
        let platform = &mut state.legacy;
        let (major, minor, _) = platform.api();
        if policy.reserved_bits() != 0 {
            return Err(firmware(OP, FirmwareStatus::InvalidParam));
        }
        if (policy.api_major(), policy.api_minor()) > (major, minor) || policy.contains(SevPolicy::ES) != self.es {
            return Err(firmware(OP, FirmwareStatus::PolicyFailure));
        }
        let keys = match (start.owner_pdh.is_empty(), start.session.is_empty()) {
            (true, true) => TransportKeys::random().ok_or(firmware(OP, FirmwareStatus::HwErrorPlatform))?,
            (false, false) => {
                session::unwrap(platform, start.owner_pdh, start.session, policy).map_err(|s| firmware(OP, s))?
            }
            _ => return Err(firmware(OP, FirmwareStatus::InvalidParam)),
        };
        let handle = platform.activate(OP, start.handle, policy)?;
        drop(state);
        self.launch = Some(GuestLaunch::new(handle, policy, keys));
        Ok(handle)
    }

    /// KVM: `EINVAL` for an empty range, `EFAULT` unless it lies in registered regions.
    /// Firmware: INVALID_ADDRESS / INVALID_LENGTH unless 16-byte aligned, INVALID_GUEST_STATE
    /// after LAUNCH_MEASURE.
    fn launch_update_data(&mut self, gpa: u64, len: u64) -> Result<(), Error> {
        const OP: &str = "KVM_SEV_LAUNCH_UPDATE_DATA";
        self.launch(OP)?;
        let end = gpa.checked_add(len).filter(|_| len != 0).ok_or(kernel(OP, EINVAL))?;
        if !self.registered(gpa, end) {
            return Err(kernel(OP, EFAULT));
        }
        if !gpa.is_multiple_of(16) {
            return Err(firmware(OP, FirmwareStatus::InvalidAddress));
        }
        if !len.is_multiple_of(16) {
            return Err(firmware(OP, FirmwareStatus::InvalidLength));
        }
        let launch = self.launch(OP)?;
        launch.accepts_updates().map_err(|s| firmware(OP, s))?;
        let size = usize::try_from(len).map_err(|_| kernel(OP, EINVAL))?;
        let mut plaintext = Zeroizing::new(vec![0u8; size]);
        self.memory.read(gpa, &mut plaintext)?;
        self.launch(OP)?.update(&plaintext).map_err(|s| firmware(OP, s))
    }

    /// SEV-ES only (`ENOTTY` on SEV). Measures each vCPU's VMSA page in creation order, with
    /// SEV_FEATURES set to INIT2's VMSA features as KVM writes it; a second call is `EINVAL`.
    fn launch_update_vmsa(&mut self) -> Result<(), Error> {
        const OP: &str = "KVM_SEV_LAUNCH_UPDATE_VMSA";
        let init = self.require_init(OP)?;
        if !self.es {
            return Err(Error::SevUnsupported { op: OP });
        }
        self.launch(OP)?.accepts_updates().map_err(|s| firmware(OP, s))?;
        if self.vmsas_encrypted {
            return Err(kernel(OP, EINVAL));
        }
        let Some(launch) = self.launch.as_mut() else {
            return Err(firmware(OP, FirmwareStatus::InvalidGuest));
        };
        for (_, vmsa) in &self.vcpus {
            let mut page = vmsa.clone();
            page.sev_features = U64::new(init.vmsa_features);
            launch.update(page.as_bytes()).map_err(|s| firmware(OP, s))?;
        }
        self.vmsas_encrypted = true;
        Ok(())
    }

    fn launch_measure(&mut self) -> Result<[u8; 48], Error> {
        const OP: &str = "KVM_SEV_LAUNCH_MEASURE";
        self.launch(OP)?;
        let api = self.host.lock().legacy.api();
        self.launch(OP)?.measure(api).map_err(|s| firmware(OP, s))
    }

    /// KVM: `EINVAL` for an empty secret or one crossing a page. Firmware: the header MAC must
    /// verify (else BAD_MEASUREMENT), and only in LSECRET.
    fn launch_secret(&mut self, header: &LaunchSecretHeader, gpa: u64, transport: &[u8]) -> Result<(), Error> {
        const OP: &str = "KVM_SEV_LAUNCH_SECRET";
        self.launch(OP)?;
        let len = transport.len() as u64;
        if len == 0 || (gpa % PAGE_SIZE).saturating_add(len) > PAGE_SIZE {
            return Err(kernel(OP, EINVAL));
        }
        if self.memory.slot_of(gpa, len).is_none() {
            return Err(kernel(OP, EFAULT));
        }
        let plaintext = Zeroizing::new(
            self.launch(OP)?
                .open_secret(header, transport)
                .map_err(|s| firmware(OP, s))?,
        );
        self.memory.write(gpa, &plaintext)
    }

    fn launch_finish(&mut self) -> Result<(), Error> {
        const OP: &str = "KVM_SEV_LAUNCH_FINISH";
        self.launch(OP)?.finish().map_err(|s| firmware(OP, s))
    }

    fn guest_status(&mut self) -> Result<SevGuestStatus, Error> {
        const OP: &str = "KVM_SEV_GUEST_STATUS";
        let launch = self.launch(OP)?;
        Ok(SevGuestStatus {
            handle: launch.handle,
            policy: launch.policy,
            state: launch.state,
        })
    }

    /// The report (0xD0 bytes) with `mnonce`, the launch digest and the policy, signed with
    /// the PEK (ECDSA P-384, SHA-256); after LAUNCH_MEASURE only.
    fn attestation_report(&mut self, mnonce: [u8; 16]) -> Result<Vec<u8>, Error> {
        const OP: &str = "KVM_SEV_GET_ATTESTATION_REPORT";
        let mut report = self.launch(OP)?.report_body(mnonce).map_err(|s| firmware(OP, s))?;
        let sig = self
            .host
            .lock()
            .legacy
            .pek_sign(&report.as_bytes()[..ATTESTATION_SIGNED_LEN]);
        report.sig_r = sig.r;
        report.sig_s = sig.s;
        Ok(report.as_bytes().to_vec())
    }
}
