//! `sev host ok`: the readiness checks that can be read from this host, each PASS, FAIL or
//! SKIP (when a check it depends on failed), with a remedy for every failure.
//!
//! Files are read under `--root` (default `/`), so a copied or fabricated tree can be checked.
//! With `--device sim` the secure processor and KVM are the simulator's; the files are still
//! this host's (or `--root`'s).

use std::fs::OpenOptions;
use std::os::fd::AsFd as _;
use std::path::Path;
use std::process::ExitCode;

use sev_sys::KvmHost;
use sev_sys::seam::PlatformDevice;
use sev_sys::uapi::{
    KVM_CAP_GUEST_MEMFD, KVM_CAP_MEMORY_ATTRIBUTES, KVM_X86_SEV_ES_VM, KVM_X86_SEV_VM, KVM_X86_SNP_VM,
};
use sev_types::platform::PlatformState;

use super::cpuinfo;
use super::device::AnyDevice;
use super::error::device_error;
use super::{Device, HostCmd, under};
use crate::output::{Format, outln};

/// The oldest SNP firmware API the Linux SNP host support accepts (1.51).
pub const MIN_SNP_API: (u8, u8) = (1, 51);

/// `KVM_MEMORY_ATTRIBUTE_PRIVATE`.
const KVM_MEMORY_ATTRIBUTE_PRIVATE: i32 = 1 << 3;

/// The outcome of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// The check passed.
    Pass,
    /// The check failed.
    Fail,
    /// The check could not run because one it depends on failed.
    Skip,
}

/// One check and its outcome.
#[derive(Debug, serde::Serialize)]
pub struct Check {
    /// Short name, e.g. `cpu-sev-snp`.
    pub check: &'static str,
    /// The outcome.
    pub outcome: Outcome,
    /// Whether a failure makes the host not ready.
    pub required: bool,
    /// What was found.
    pub detail: String,
    /// What to do about a failure.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remedy: Option<String>,
}

#[derive(Default)]
struct Checks(Vec<Check>);

impl Checks {
    fn push(&mut self, check: &'static str, outcome: Outcome, detail: impl Into<String>, remedy: Option<&str>) -> bool {
        self.0.push(Check {
            check,
            outcome,
            required: true,
            detail: detail.into(),
            remedy: if outcome == Outcome::Fail {
                remedy.map(str::to_string)
            } else {
                None
            },
        });
        outcome == Outcome::Pass
    }

    fn pass(&mut self, check: &'static str, detail: impl Into<String>) -> bool {
        self.push(check, Outcome::Pass, detail, None)
    }

    fn fail(&mut self, check: &'static str, detail: impl Into<String>, remedy: &str) -> bool {
        self.push(check, Outcome::Fail, detail, Some(remedy))
    }

    fn skip(&mut self, check: &'static str, because: &str) -> bool {
        self.push(check, Outcome::Skip, format!("not checked: {because}"), None)
    }

    fn check(
        &mut self,
        check: &'static str,
        ok: bool,
        pass: impl Into<String>,
        fail: impl Into<String>,
        remedy: &str,
    ) -> bool {
        if ok {
            self.pass(check, pass)
        } else {
            self.fail(check, fail, remedy)
        }
    }

    fn optional(&mut self) {
        if let Some(c) = self.0.last_mut() {
            c.required = false;
        }
    }
}

/// Runs `sev host ok`.
pub fn run(cmd: &HostCmd) -> ExitCode {
    let checks = collect(cmd);
    let failed: Vec<&Check> = checks
        .iter()
        .filter(|c| c.required && c.outcome == Outcome::Fail)
        .collect();
    let ready = failed.is_empty();
    match cmd.format {
        Format::Json => {
            let v = serde_json::json!({ "ready": ready, "checks": checks });
            match serde_json::to_string_pretty(&v) {
                Ok(s) => outln!("{s}"),
                Err(e) => {
                    eprintln!("error: cannot encode the result: {e}; try --format text");
                    return ExitCode::from(1);
                }
            }
        }
        Format::Text => {
            for c in &checks {
                let tag = match c.outcome {
                    Outcome::Pass => "PASS",
                    Outcome::Fail => "FAIL",
                    Outcome::Skip => "SKIP",
                };
                let optional = if c.required { "" } else { " (optional)" };
                match &c.remedy {
                    Some(r) => outln!("[{tag}] {}{optional}: {}; remedy: {r}", c.check, c.detail),
                    None => outln!("[{tag}] {}{optional}: {}", c.check, c.detail),
                }
            }
            if ready {
                outln!("ok: this host is ready for SEV-SNP guests");
            } else {
                let names: Vec<&str> = failed.iter().map(|c| c.check).collect();
                outln!("not ok: {} required check(s) failed: {}", names.len(), names.join(", "));
            }
        }
    }
    if ready { ExitCode::SUCCESS } else { ExitCode::from(1) }
}

/// Every check, in order.
pub fn collect(cmd: &HostCmd) -> Vec<Check> {
    let mut c = Checks::default();
    let root = cmd.root.as_path();
    cpu(&mut c, root);
    kernel_modules(&mut c, root);
    let sim = cmd.device == Device::Sim;
    kvm(&mut c, root, sim);
    firmware(&mut c, cmd);
    c.0
}

fn cpu(c: &mut Checks, root: &Path) {
    let path = under(root, "/proc/cpuinfo");
    let info = match cpuinfo::read(root) {
        Ok(i) => i,
        Err(e) => {
            c.fail(
                "cpu-vendor",
                format!("cannot read {}: {e}", path.display()),
                "run on Linux with /proc mounted",
            );
            for name in ["cpu-sev", "cpu-sev-es", "cpu-sev-snp"] {
                c.skip(name, "no /proc/cpuinfo");
            }
            return;
        }
    };
    let vendor = info.vendor.clone().unwrap_or_else(|| "no vendor_id".into());
    c.check(
        "cpu-vendor",
        vendor == "AuthenticAMD",
        format!(
            "{vendor}{}",
            info.product().map(|p| format!(" ({p})")).unwrap_or_default()
        ),
        format!("{vendor}, not AuthenticAMD"),
        "SEV needs an AMD EPYC processor (7002 or later for SEV-ES, 7003 or later for SEV-SNP)",
    );
    let flags = [
        (
            "cpu-sev",
            "sev",
            "enable SME and SEV in the BIOS (SMEE, SEV ASID count); the kernel lists `sev` only when \
             the firmware enables it",
        ),
        (
            "cpu-sev-es",
            "sev_es",
            "enable SEV-ES in the BIOS (SEV-ES ASID space limit above 1)",
        ),
        (
            "cpu-sev-snp",
            "sev_snp",
            "enable SEV-SNP in the BIOS (SEV-SNP support, SNP memory coverage, IOMMU) and boot a \
             kernel with SNP host support (Linux 6.11+)",
        ),
    ];
    for (name, flag, remedy) in flags {
        c.check(
            name,
            info.has(flag),
            format!("`{flag}` in /proc/cpuinfo flags"),
            format!("no `{flag}` in /proc/cpuinfo flags"),
            remedy,
        );
    }
}

/// A boolean module parameter: `Some(true)` for `Y`/`1`, `None` when the file is absent.
fn module_param(root: &Path, module: &str, param: &str) -> Option<Result<bool, String>> {
    let path = under(root, &format!("/sys/module/{module}/parameters/{param}"));
    match std::fs::read_to_string(&path) {
        Ok(v) => Some(Ok(matches!(v.trim(), "Y" | "y" | "1"))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => Some(Err(format!("cannot read {}: {e}", path.display()))),
    }
}

fn kernel_modules(c: &mut Checks, root: &Path) {
    let ccp = under(root, "/sys/module/ccp");
    c.check(
        "ccp-module",
        ccp.is_dir(),
        "the ccp (AMD secure processor) driver is loaded",
        format!("no {}", ccp.display()),
        "load the PSP driver: modprobe ccp (it provides /dev/sev)",
    );
    let kvm_amd = under(root, "/sys/module/kvm_amd");
    let loaded = c.check(
        "kvm-amd-module",
        kvm_amd.is_dir(),
        "kvm_amd is loaded",
        format!("no {}", kvm_amd.display()),
        "load KVM for AMD: modprobe kvm_amd",
    );
    let params = [
        ("kvm-amd-sev", "sev", "Linux 4.16+"),
        ("kvm-amd-sev-es", "sev_es", "Linux 5.11+"),
        ("kvm-amd-sev-snp", "sev_snp", "Linux 6.11+"),
    ];
    for (name, param, since) in params {
        if !loaded {
            c.skip(name, "kvm_amd is not loaded");
            continue;
        }
        let enable = format!(
            "load kvm_amd with {param}=1 (modprobe kvm_amd {param}=1, or kvm_amd.{param}=1 on the \
             kernel command line); it stays off when the CPU or BIOS lacks the feature"
        );
        match module_param(root, "kvm_amd", param) {
            Some(Ok(true)) => c.pass(name, format!("kvm_amd {param}=Y")),
            Some(Ok(false)) => c.fail(name, format!("kvm_amd {param}=N"), &enable),
            Some(Err(e)) => c.fail(name, e, "run as a user that can read /sys/module"),
            None => c.fail(
                name,
                format!("kvm_amd has no `{param}` parameter"),
                &format!("a kernel with this support is needed ({since})"),
            ),
        };
    }
}

fn kvm(c: &mut Checks, root: &Path, sim: bool) {
    let names = [
        "kvm-sev-vm",
        "kvm-sev-es-vm",
        "kvm-snp-vm",
        "kvm-guest-memfd",
        "kvm-memory-attributes",
    ];
    if sim {
        c.pass("dev-kvm", "simulated KVM");
        for name in names {
            c.pass(name, "simulated KVM");
        }
        return;
    }
    let path = under(root, "/dev/kvm");
    let file = match OpenOptions::new().read(true).write(true).open(&path) {
        Ok(f) => {
            c.pass("dev-kvm", format!("{} is open", path.display()));
            f
        }
        Err(e) => {
            c.fail(
                "dev-kvm",
                format!("cannot open {}: {e}", path.display()),
                "load kvm and kvm_amd, and run as root or as a member of the kvm group",
            );
            for name in names {
                c.skip(name, "no /dev/kvm");
            }
            return;
        }
    };
    let kvm = KvmHost::from_fd(file.as_fd());
    match kvm.supported_vm_types() {
        Ok(types) => {
            let vm_types = [
                (
                    "kvm-sev-vm",
                    KVM_X86_SEV_VM,
                    "KVM_X86_SEV_VM",
                    "Linux 6.10+ with kvm_amd sev=1",
                ),
                (
                    "kvm-sev-es-vm",
                    KVM_X86_SEV_ES_VM,
                    "KVM_X86_SEV_ES_VM",
                    "Linux 6.10+ with kvm_amd sev_es=1",
                ),
                (
                    "kvm-snp-vm",
                    KVM_X86_SNP_VM,
                    "KVM_X86_SNP_VM",
                    "Linux 6.11+ with kvm_amd sev_snp=1",
                ),
            ];
            for (name, ty, label, need) in vm_types {
                c.check(
                    name,
                    types.contains(ty),
                    format!("{label} supported"),
                    format!("{label} not among the VM types ({:#x})", types.0),
                    &format!("needs {need}"),
                );
            }
        }
        Err(e) => {
            let detail = format!("KVM_CAP_VM_TYPES: {e}");
            for name in &names[..3] {
                c.fail(name, detail.clone(), "needs Linux 6.10+ on an AMD host");
            }
        }
    }
    match kvm.check_extension(KVM_CAP_GUEST_MEMFD) {
        Ok(v) => c.check(
            "kvm-guest-memfd",
            v > 0,
            "KVM_CAP_GUEST_MEMFD",
            "KVM_CAP_GUEST_MEMFD not supported",
            "guest_memfd needs Linux 6.8+ built with KVM private-memory support",
        ),
        Err(e) => c.fail("kvm-guest-memfd", e.to_string(), "needs Linux 6.8+"),
    };
    match kvm.check_extension(KVM_CAP_MEMORY_ATTRIBUTES) {
        Ok(v) => c.check(
            "kvm-memory-attributes",
            v & KVM_MEMORY_ATTRIBUTE_PRIVATE != 0,
            "KVM_MEMORY_ATTRIBUTE_PRIVATE supported",
            format!("KVM_CAP_MEMORY_ATTRIBUTES is {v:#x}, without PRIVATE"),
            "private memory attributes need Linux 6.8+ built with KVM private-memory support",
        ),
        Err(e) => c.fail("kvm-memory-attributes", e.to_string(), "needs Linux 6.8+"),
    };
    match kvm.snp_req_certs_supported() {
        Ok(true) => c.pass("kvm-snp-req-certs", "KVM_SEV_SNP_ENABLE_REQ_CERTS available"),
        Ok(false) => c.fail(
            "kvm-snp-req-certs",
            "KVM_X86_SEV_SNP_REQ_CERTS not offered",
            "guests cannot fetch certificates from the host through KVM; needs Linux 7.0+",
        ),
        Err(e) => c.fail("kvm-snp-req-certs", e.to_string(), "needs Linux 7.0+"),
    };
    c.optional();
}

fn firmware(c: &mut Checks, cmd: &HostCmd) {
    let names = ["sev-platform", "snp-platform", "snp-firmware-version"];
    let opened = match cmd.device {
        Device::Sim => super::device::open(cmd, true).map_err(|e| super::error::describe(&e).1),
        Device::Dev => {
            let path = under(&cmd.root, sev_sys::SevDevice::PATH);
            sev_sys::SevDevice::open_path(&path, true)
                .map(AnyDevice::Dev)
                .map_err(|e| e.to_string())
        }
    };
    let mut dev = match opened {
        Ok(d) => {
            let detail = match &d {
                AnyDevice::Sim(_, p) => format!("simulated {p} platform"),
                AnyDevice::Dev(_) => format!("{} is open for writing", under(&cmd.root, "/dev/sev").display()),
            };
            c.pass("dev-sev", detail);
            d
        }
        Err(detail) => {
            c.fail(
                "dev-sev",
                detail,
                "load the ccp module on an SEV-enabled host; /dev/sev appears when the PSP driver \
                 finds SEV firmware; state-changing commands need it writable (root)",
            );
            for name in names {
                c.skip(name, "no /dev/sev");
            }
            return;
        }
    };
    match dev.platform_status() {
        Ok(s) => {
            let d = s.decode();
            c.pass(
                "sev-platform",
                format!(
                    "SEV API {}.{} build {}, state {}",
                    d.api_major, d.api_minor, d.build, d.state
                ),
            )
        }
        Err(e) => c.fail(
            "sev-platform",
            device_error(&e).message,
            "the SEV firmware does not answer PLATFORM_STATUS; check dmesg for ccp errors",
        ),
    };
    match dev.snp_platform_status() {
        Ok(s) => {
            let ready = s.state() == PlatformState::Init && s.is_rmp_initialized();
            c.check(
                "snp-platform",
                ready,
                format!("SNP state {}, RMP initialised", s.state()),
                format!(
                    "SNP state {}, RMP {}initialised",
                    s.state(),
                    if s.is_rmp_initialized() { "" } else { "not " }
                ),
                "SNP is not initialised: enable SEV-SNP in the BIOS and load kvm_amd with sev_snp=1 \
                 (the kernel initialises SNP and the RMP when KVM loads)",
            );
            let version = (s.api_major, s.api_minor);
            c.check(
                "snp-firmware-version",
                version >= MIN_SNP_API,
                format!(
                    "SNP API {}.{} (minimum {}.{})",
                    version.0, version.1, MIN_SNP_API.0, MIN_SNP_API.1
                ),
                format!(
                    "SNP API {}.{} is older than {}.{}",
                    version.0, version.1, MIN_SNP_API.0, MIN_SNP_API.1
                ),
                "update the SEV firmware (a BIOS update, or AMD's amd_sev_fam*.sbin in \
                 /lib/firmware/amd, loaded by ccp)",
            );
        }
        Err(e) => {
            c.fail(
                "snp-platform",
                device_error(&e).message,
                "SNP_PLATFORM_STATUS failed: this kernel or firmware has no SNP host support (Linux \
                 6.11+, SEV-SNP enabled in the BIOS)",
            );
            c.skip("snp-firmware-version", "no SNP platform status");
        }
    }
}
