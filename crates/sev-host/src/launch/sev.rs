//! [`SevLauncher`]: an SEV or SEV-ES launch over any [`SevLaunchDevice`].

use core::marker::PhantomData;

use sev_sys::seam::{SevGuestStatus, SevLaunchDevice, SevLaunchStart};
use sev_types::launch::sev::{LaunchMeasurement, LaunchSecretHeader, Session, SevPolicy};
use sev_types::launch::vmsa::SaveArea;
use sev_types::legacy::{SEV_CERT_LEN, Usage};
use sev_verify::legacy::{LaunchSecret, LaunchStartMaterial};
use zerocopy::{FromBytes, IntoBytes};

use super::init::check_vcpu_features;
use super::memory::GuestMemoryLayout;
use super::{Finished, Measured, New, PAGE_SIZE, SevInit, SevMode, Started};
use crate::error::{DeviceResultExt, HostError};
use crate::platform::expect_usage;

/// LAUNCH_START parameters: the policy and the guest owner's material.
#[derive(Debug, Clone, Copy)]
pub struct SevStart<'a> {
    /// The guest policy (its ES bit must match the VM's mode; reserved bits clear).
    pub policy: SevPolicy,
    /// The guest owner's DH certificate (an SEV certificate of usage PDH), or empty.
    pub owner_pdh: &'a [u8],
    /// The session blob (0x80 bytes), or empty; present exactly when `owner_pdh` is.
    pub session: &'a [u8],
    /// A guest to share keys with (0 = new keys).
    pub handle: u32,
}

impl<'a> SevStart<'a> {
    /// From the guest owner's [`LaunchStartMaterial`] (`GuestOwnerSession::start`).
    pub fn from_material(material: &'a LaunchStartMaterial) -> Self {
        SevStart {
            policy: material.policy,
            owner_pdh: &material.dh_cert[..],
            session: material.session.as_bytes(),
            handle: 0,
        }
    }

    /// A launch without a guest owner (no PDH, no session): the firmware picks the keys.
    pub fn without_owner(policy: SevPolicy) -> Self {
        SevStart {
            policy,
            owner_pdh: &[],
            session: &[],
            handle: 0,
        }
    }

    fn check(&self, mode: SevMode) -> Result<(), HostError> {
        let es = self.policy.contains(SevPolicy::ES);
        if es != (mode == SevMode::Es) {
            return Err(HostError::invalid(
                "SEV policy ES bit",
                format!(
                    "{} for a {mode:?} VM",
                    if mode == SevMode::Es { "set" } else { "clear" }
                ),
                format!("policy {:#x}", self.policy.bits()),
            ));
        }
        if self.policy.reserved_bits() != 0 {
            return Err(HostError::invalid(
                "SEV policy",
                "bits 15:6 clear",
                format!("{:#x}", self.policy.bits()),
            ));
        }
        match (self.owner_pdh.is_empty(), self.session.is_empty()) {
            (true, true) => Ok(()),
            (false, false) => {
                if self.owner_pdh.len() != SEV_CERT_LEN {
                    return Err(HostError::invalid(
                        "guest owner PDH",
                        "0x824 bytes",
                        format!("{:#x} bytes", self.owner_pdh.len()),
                    ));
                }
                expect_usage("guest owner PDH", self.owner_pdh, Usage::Pdh)?;
                Session::ref_from_bytes(self.session)
                    .map(|_| ())
                    .map_err(|source| HostError::Parse {
                        what: "launch session blob",
                        source,
                    })
            }
            _ => Err(HostError::invalid(
                "guest owner material",
                "both a PDH and a session, or neither",
                "only one of them",
            )),
        }
    }
}

/// An SEV or SEV-ES launch that owns its device; `S` is the launch state ([`New`],
/// [`Started`], [`Measured`], [`Finished`]).
#[derive(Debug)]
pub struct SevLauncher<D, S> {
    dev: D,
    init: SevInit,
    layout: GuestMemoryLayout,
    registered: Vec<(u64, u64)>,
    vcpus: u32,
    handle: u32,
    measurement: Option<LaunchMeasurement>,
    _state: PhantomData<S>,
}

impl<D, S> SevLauncher<D, S> {
    fn into_state<T>(self) -> SevLauncher<D, T> {
        SevLauncher {
            dev: self.dev,
            init: self.init,
            layout: self.layout,
            registered: self.registered,
            vcpus: self.vcpus,
            handle: self.handle,
            measurement: self.measurement,
            _state: PhantomData,
        }
    }

    /// The device.
    pub fn device(&self) -> &D {
        &self.dev
    }

    /// Gives the device back (in whatever state the launch left it).
    pub fn into_device(self) -> D {
        self.dev
    }

    /// The INIT2 parameters the VM was initialised with.
    pub fn init(&self) -> &SevInit {
        &self.init
    }

    /// The memory mapped so far.
    pub fn layout(&self) -> &GuestMemoryLayout {
        &self.layout
    }

    /// Number of vCPUs added.
    pub fn vcpus(&self) -> u32 {
        self.vcpus
    }

    /// The guest handle LAUNCH_START returned (0 before it).
    pub fn handle(&self) -> u32 {
        self.handle
    }
}

impl<D: SevLaunchDevice, S> SevLauncher<D, S> {
    /// `KVM_SEV_GUEST_STATUS`.
    pub fn guest_status(&mut self) -> Result<SevGuestStatus, HostError> {
        self.dev.guest_status().step("GUEST_STATUS")
    }
}

impl<D: SevLaunchDevice> SevLauncher<D, New> {
    /// Validates `init` and issues `KVM_SEV_INIT2` on `dev` (an SEV or SEV-ES VM).
    pub fn new(mut dev: D, init: &SevInit) -> Result<Self, HostError> {
        let payload = init.payload()?;
        dev.sev_init2(&payload).step("KVM_SEV_INIT2 (SEV)")?;
        Ok(SevLauncher {
            dev,
            init: *init,
            layout: GuestMemoryLayout::new(),
            registered: Vec::new(),
            vcpus: 0,
            handle: 0,
            measurement: None,
            _state: PhantomData,
        })
    }

    /// Maps `[gpa, gpa + size)` as a memslot of shared memory.
    pub fn add_memory(&mut self, gpa: u64, size: u64) -> Result<(), HostError> {
        self.layout.map(&mut self.dev, "SEV memory region", gpa, size, false)
    }

    /// Maps every region of `layout` ([`Self::add_memory`]).
    pub fn add_layout(&mut self, layout: &GuestMemoryLayout) -> Result<(), HostError> {
        for &(gpa, size) in layout.regions() {
            self.add_memory(gpa, size)?;
        }
        Ok(())
    }

    /// Creates vCPU `id` with initial state `state`; its SEV_FEATURES must be the INIT2
    /// `vmsa_features` (0 for SEV).
    pub fn add_vcpu(&mut self, id: u32, state: &SaveArea) -> Result<(), HostError> {
        check_vcpu_features(self.init.guest_features().bits(), state, "the INIT2 vmsa_features")?;
        self.dev.add_vcpu(id, state).step("KVM_CREATE_VCPU")?;
        self.vcpus += 1;
        Ok(())
    }

    /// `KVM_SEV_LAUNCH_START` after checking the policy and the owner's material.
    pub fn start(mut self, start: &SevStart<'_>) -> Result<SevLauncher<D, Started>, HostError> {
        start.check(self.init.mode)?;
        let args = SevLaunchStart {
            handle: start.handle,
            policy: start.policy,
            owner_pdh: start.owner_pdh,
            session: start.session,
        };
        self.handle = self.dev.launch_start(&args).step("LAUNCH_START")?;
        Ok(self.into_state())
    }
}

impl<D: SevLaunchDevice> SevLauncher<D, Started> {
    /// Writes `data` at `gpa`, registers the pages as an encrypted region and issues
    /// `KVM_SEV_LAUNCH_UPDATE_DATA` over them (encrypted in place and measured). `gpa` and the
    /// length must be multiples of 16, as the firmware requires.
    pub fn update_data(&mut self, gpa: u64, data: &[u8]) -> Result<(), HostError> {
        let len = data.len() as u64;
        if len == 0 || !gpa.is_multiple_of(16) || !len.is_multiple_of(16) || !self.layout.contains(gpa, len) {
            return Err(HostError::invalid(
                "LAUNCH_UPDATE_DATA range",
                "a non-empty, 16-byte aligned range inside one mapped region",
                format!("gpa {gpa:#x}, length {len:#x}"),
            ));
        }
        self.dev.write_memory(gpa, data).step("write guest memory")?;
        let start = gpa - gpa % PAGE_SIZE;
        let end = (gpa + len).div_ceil(PAGE_SIZE) * PAGE_SIZE;
        if !self.registered.iter().any(|&(s, e)| start >= s && end <= e) {
            self.dev
                .register_encrypted_region(start, end - start)
                .step("KVM_MEMORY_ENCRYPT_REG_REGION")?;
            self.registered.push((start, end));
        }
        self.dev.launch_update_data(gpa, len).step("LAUNCH_UPDATE_DATA")
    }

    /// `KVM_SEV_LAUNCH_UPDATE_VMSA`: encrypts and measures every vCPU's VMSA (SEV-ES only).
    pub fn update_vmsa(&mut self) -> Result<(), HostError> {
        if self.init.mode != SevMode::Es {
            return Err(HostError::invalid("LAUNCH_UPDATE_VMSA", "an SEV-ES VM", "an SEV VM"));
        }
        self.dev.launch_update_vmsa().step("LAUNCH_UPDATE_VMSA")
    }

    /// `KVM_SEV_LAUNCH_MEASURE`: the measurement for the guest owner to check.
    pub fn measure(mut self) -> Result<(SevLauncher<D, Measured>, LaunchMeasurement), HostError> {
        let bytes = self.dev.launch_measure().step("LAUNCH_MEASURE")?;
        let m = LaunchMeasurement::read_from_bytes(&bytes[..])
            .map_err(|_| HostError::invalid("LAUNCH_MEASURE output", "48 bytes", format!("{} bytes", bytes.len())))?;
        self.measurement = Some(m.clone());
        Ok((self.into_state(), m))
    }

    /// `KVM_SEV_LAUNCH_FINISH` without a measurement (no secret can be injected then).
    pub fn finish(mut self) -> Result<SevLauncher<D, Finished>, HostError> {
        self.dev.launch_finish().step("LAUNCH_FINISH")?;
        Ok(self.into_state())
    }
}

impl<D: SevLaunchDevice> SevLauncher<D, Measured> {
    /// The measurement LAUNCH_MEASURE returned.
    pub fn measurement(&self) -> Option<&LaunchMeasurement> {
        self.measurement.as_ref()
    }

    /// `KVM_SEV_LAUNCH_SECRET`: `transport` (encrypted by the guest owner) decrypted by the
    /// firmware into guest memory at `gpa` (16-byte aligned, within one page, inside mapped
    /// memory: KVM copies the secret into a single page).
    pub fn inject_secret(&mut self, gpa: u64, header: &LaunchSecretHeader, transport: &[u8]) -> Result<(), HostError> {
        let len = transport.len() as u64;
        let in_one_page = (gpa % PAGE_SIZE).saturating_add(len) <= PAGE_SIZE;
        if len == 0
            || !gpa.is_multiple_of(16)
            || !len.is_multiple_of(16)
            || !in_one_page
            || !self.layout.contains(gpa, len)
        {
            return Err(HostError::invalid(
                "LAUNCH_SECRET target",
                "a non-empty, 16-byte aligned range within one page of mapped memory",
                format!("gpa {gpa:#x}, length {len:#x}"),
            ));
        }
        self.dev.launch_secret(header, gpa, transport).step("LAUNCH_SECRET")
    }

    /// `KVM_SEV_GET_ATTESTATION_REPORT` with `mnonce`: the PEK-signed report bytes.
    pub fn attestation_report(&mut self, mnonce: [u8; 16]) -> Result<Vec<u8>, HostError> {
        self.dev.attestation_report(mnonce).step("ATTESTATION")
    }

    /// Injects a packet from `GuestOwnerSession::package_secret`.
    pub fn inject(&mut self, gpa: u64, secret: &LaunchSecret) -> Result<(), HostError> {
        self.inject_secret(gpa, &secret.header, &secret.ciphertext)
    }

    /// `KVM_SEV_LAUNCH_FINISH`.
    pub fn finish(mut self) -> Result<SevLauncher<D, Finished>, HostError> {
        self.dev.launch_finish().step("LAUNCH_FINISH")?;
        Ok(self.into_state())
    }
}

impl<D: SevLaunchDevice> SevLauncher<D, Finished> {
    /// `KVM_SEV_GET_ATTESTATION_REPORT` with `mnonce`: the PEK-signed report bytes.
    pub fn attestation_report(&mut self, mnonce: [u8; 16]) -> Result<Vec<u8>, HostError> {
        self.dev.attestation_report(mnonce).step("ATTESTATION")
    }

    /// The device, to run the guest.
    pub fn device_mut(&mut self) -> &mut D {
        &mut self.dev
    }
}
