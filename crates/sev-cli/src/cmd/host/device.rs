//! The platform device behind every host command: `/dev/sev` or the simulator.

use anyhow::Result;
use sev_sim::host::{HostConfig, SimHost, SimSevVm, SimSnpVm};
use sev_sys::Error;
use sev_sys::seam::{PdhCertExport, PlatformDevice, SevLaunchDevice, SevLaunchStart, SnpLaunchDevice};
use sev_types::Product;
use sev_types::guest::VlekHashstick;
use sev_types::launch::sev::SevPolicy;
use sev_types::launch::snp::{KvmSevInit, KvmSnpLaunchStart};
use sev_types::platform::{SevUserDataStatus, SnpConfig, SnpPlatformStatus};
use sev_types::policy::GuestPolicy;

use super::error::{dev, usage};
use super::{Device, HostCmd, HostSub, under};

/// The product the simulator models when `--product` is not given.
pub const SIM_DEFAULT_PRODUCT: Product = Product::Genoa;

/// `/dev/sev` or a simulated machine.
pub enum AnyDevice {
    /// The real device.
    Dev(sev_sys::SevDevice),
    /// A simulated machine of this product.
    Sim(SimHost, Product),
}

/// Opens the device `cmd` asks for; `write` opens `/dev/sev` for writing.
pub fn open(cmd: &HostCmd, write: bool) -> Result<AnyDevice> {
    match cmd.device {
        Device::Dev => {
            if !cmd.sim_before.is_empty() || cmd.sim_guests != 0 {
                return Err(usage("--sim-before and --sim-guests need --device sim"));
            }
            let path = under(&cmd.root, sev_sys::SevDevice::PATH);
            let d = sev_sys::SevDevice::open_path(&path, write).map_err(dev("cannot use the SEV firmware"))?;
            Ok(AnyDevice::Dev(d))
        }
        Device::Sim => {
            let product = cmd.product.unwrap_or(SIM_DEFAULT_PRODUCT);
            if !product.supports_snp() {
                return Err(usage(format!(
                    "the simulator models SNP machines; {product} has no SNP (try --product Genoa)"
                )));
            }
            if !cmd.quiet_sim_note() {
                eprintln!("note: simulated {product} platform; its keys are test keys trusted by nobody");
            }
            Ok(AnyDevice::Sim(SimHost::new(HostConfig::new(product)), product))
        }
    }
}

impl HostCmd {
    /// JSON output keeps stderr free of the simulator note too, for scripts that merge streams.
    fn quiet_sim_note(&self) -> bool {
        self.format == crate::output::Format::Json
    }
}

/// Guests kept running on a simulated machine for the length of a command.
pub struct Guests {
    _sev: Vec<SimSevVm>,
    _snp: Vec<SimSnpVm>,
}

impl AnyDevice {
    /// The product: `--product`, the simulated one, else the CPU's from `/proc/cpuinfo`.
    pub fn product(&self, cmd: &HostCmd) -> Option<Product> {
        match self {
            AnyDevice::Sim(_, p) => Some(*p),
            AnyDevice::Dev(_) => cmd.product.or_else(|| super::cpuinfo::read(&cmd.root).ok()?.product()),
        }
    }

    /// Starts `n` SEV guests and `n` SNP guests on the simulated machine (launch started, so
    /// the firmware counts them).
    pub fn start_sim_guests(&self, n: u32) -> Result<Guests> {
        let (mut sev, mut snp) = (Vec::new(), Vec::new());
        let AnyDevice::Sim(host, _) = self else {
            return Ok(Guests { _sev: sev, _snp: snp });
        };
        for _ in 0..n {
            let mut vm = host.create_sev_vm(false);
            vm.sev_init2(&KvmSevInit::new(0, 0))
                .map_err(dev("cannot start a simulated SEV guest"))?;
            vm.launch_start(&SevLaunchStart {
                handle: 0,
                policy: SevPolicy::empty(),
                owner_pdh: &[],
                session: &[],
            })
            .map_err(dev("cannot start a simulated SEV guest"))?;
            sev.push(vm);
            let mut vm = host.create_snp_vm();
            vm.sev_init2(&KvmSevInit::new(0, 2))
                .map_err(dev("cannot start a simulated SNP guest"))?;
            vm.snp_launch_start(&KvmSnpLaunchStart::new(GuestPolicy::RESERVED_MBO | GuestPolicy::SMT))
                .map_err(dev("cannot start a simulated SNP guest"))?;
            snp.push(vm);
        }
        Ok(Guests { _sev: sev, _snp: snp })
    }
}

/// Parses one `--sim-before` command line (words split on whitespace).
pub fn parse_before(line: &str) -> Result<HostSub> {
    #[derive(clap::Parser, Debug)]
    #[command(name = "sev host")]
    struct Before {
        #[command(subcommand)]
        command: HostSub,
    }
    let words = std::iter::once("sev host").chain(line.split_whitespace());
    <Before as clap::Parser>::try_parse_from(words)
        .map(|b| b.command)
        .map_err(|e| {
            let first = e.to_string();
            let first = first.lines().next().unwrap_or_default().trim_start_matches("error: ");
            usage(format!("--sim-before {line:?}: {first}"))
        })
}

macro_rules! both {
    ($self:ident, $d:ident => $call:expr) => {
        match $self {
            AnyDevice::Dev($d) => $call,
            AnyDevice::Sim($d, _) => $call,
        }
    };
}

impl PlatformDevice for AnyDevice {
    fn platform_status(&mut self) -> Result<SevUserDataStatus, Error> {
        both!(self, d => PlatformDevice::platform_status(d))
    }
    fn factory_reset(&mut self) -> Result<(), Error> {
        both!(self, d => PlatformDevice::factory_reset(d))
    }
    fn pek_gen(&mut self) -> Result<(), Error> {
        both!(self, d => PlatformDevice::pek_gen(d))
    }
    fn pek_csr(&mut self) -> Result<Vec<u8>, Error> {
        both!(self, d => PlatformDevice::pek_csr(d))
    }
    fn pdh_gen(&mut self) -> Result<(), Error> {
        both!(self, d => PlatformDevice::pdh_gen(d))
    }
    fn pdh_cert_export(&mut self) -> Result<PdhCertExport, Error> {
        both!(self, d => PlatformDevice::pdh_cert_export(d))
    }
    fn pek_cert_import(&mut self, pek_cert: &[u8], oca_cert: &[u8]) -> Result<(), Error> {
        both!(self, d => PlatformDevice::pek_cert_import(d, pek_cert, oca_cert))
    }
    fn get_id(&mut self) -> Result<Vec<u8>, Error> {
        both!(self, d => PlatformDevice::get_id(d))
    }
    fn snp_platform_status(&mut self) -> Result<SnpPlatformStatus, Error> {
        both!(self, d => PlatformDevice::snp_platform_status(d))
    }
    fn snp_commit(&mut self) -> Result<(), Error> {
        both!(self, d => PlatformDevice::snp_commit(d))
    }
    fn snp_set_config(&mut self, config: &SnpConfig) -> Result<(), Error> {
        both!(self, d => PlatformDevice::snp_set_config(d, config))
    }
    fn snp_vlek_load(&mut self, hashstick: &VlekHashstick) -> Result<(), Error> {
        both!(self, d => PlatformDevice::snp_vlek_load(d, hashstick))
    }
}
