//! File input (feature `std`): the same arguments as sev-snp-measure, taking paths.
//!
//! Firmware images are read whole (they are a few MiB and every byte is measured); kernel and
//! initrd are hashed by streaming, never held in memory, and concurrently with the firmware
//! pages.
//!
//! ```no_run
//! use sev_measure::files::{MeasureArgs, Mode, measure};
//! let args = MeasureArgs {
//!     vcpus: Some(4),
//!     vcpu_sig: Some(0x00A1_0F10),
//!     guest_features: 0x1,
//!     ..MeasureArgs::new(Mode::Snp, "/usr/share/ovmf/OVMF.fd".as_ref())
//! };
//! let m = measure(&args)?;
//! println!("{}", sev_types::fmt::Hex(&m.digest));
//! # Ok::<(), sev_measure::MeasureError>(())
//! ```

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::str::FromStr;
use std::io::Read;
use std::path::Path;

use sev_types::launch::vmsa::SaveArea;
use sha2::{Digest, Sha256};

use crate::gctx::PageRecord;
use crate::hashes::{SevHashes, cmdline_hash};
use crate::ovmf::Ovmf;
use crate::snp::{SnpInput, SvsmInput, measure_ovmf_pages, measure_snp, measure_svsm, snp_ovmf_hash};
use crate::vmsa::VmmType;
use crate::{Gctx, MeasureError, sev};

fn io_err(path: &Path, e: &std::io::Error) -> MeasureError {
    MeasureError::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    }
}

/// Reads a whole file.
pub fn read_file(path: &Path) -> Result<Vec<u8>, MeasureError> {
    std::fs::read(path).map_err(|e| io_err(path, &e))
}

/// SHA-256 of a reader's bytes, read in 256 KiB chunks.
pub fn sha256_reader(mut r: impl Read) -> std::io::Result<[u8; 32]> {
    let mut h = Sha256::new();
    let mut buf = alloc::vec![0u8; 256 * 1024];
    loop {
        match r.read(&mut buf) {
            Ok(0) => return Ok(h.finalize().into()),
            Ok(n) => h.update(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}

/// SHA-256 of a file, by streaming.
pub fn sha256_file(path: &Path) -> Result<[u8; 32], MeasureError> {
    let f = std::fs::File::open(path).map_err(|e| io_err(path, &e))?;
    sha256_reader(f).map_err(|e| io_err(path, &e))
}

/// The kernel hashes of files, hashing kernel and initrd concurrently by streaming.
pub fn hashes_from_files(
    kernel: &Path,
    initrd: Option<&Path>,
    append: Option<&str>,
) -> Result<SevHashes, MeasureError> {
    std::thread::scope(|s| {
        let initrd_job = initrd.map(|p| s.spawn(move || sha256_file(p)));
        let kernel_hash = sha256_file(kernel)?;
        let initrd_hash = match initrd_job {
            Some(j) => j.join().unwrap_or_else(|p| std::panic::resume_unwind(p))?,
            None => Sha256::digest([]).into(),
        };
        Ok(SevHashes {
            kernel: kernel_hash,
            initrd: initrd_hash,
            cmdline: cmdline_hash(append),
        })
    })
}

/// sev-snp-measure's `--mode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `sev`: SHA-256 of firmware and hashes table.
    Sev,
    /// `seves`: as `sev`, plus the VMSAs.
    SevEs,
    /// `snp`: the SHA-384 GCTX launch digest.
    Snp,
    /// `snp:ovmf-hash`: the SNP digest after the firmware pages only.
    SnpOvmfHash,
    /// `snp:svsm`: OVMF + Coconut SVSM, QEMU.
    SnpSvsm,
}

impl FromStr for Mode {
    type Err = MeasureError;
    fn from_str(s: &str) -> Result<Self, MeasureError> {
        Ok(match s.to_ascii_lowercase().as_str() {
            "sev" => Self::Sev,
            "seves" | "sev-es" => Self::SevEs,
            "snp" | "sev-snp" => Self::Snp,
            "snp:ovmf-hash" => Self::SnpOvmfHash,
            "snp:svsm" | "sev-snp:svsm" => Self::SnpSvsm,
            _ => {
                return Err(MeasureError::Usage(
                    "unknown mode: expected sev, seves, snp, snp:ovmf-hash or snp:svsm",
                ));
            }
        })
    }
}

/// sev-snp-measure's arguments, with paths.
#[derive(Debug, Clone)]
pub struct MeasureArgs<'a> {
    /// Guest mode.
    pub mode: Mode,
    /// Number of vCPUs (required except in `sev` and `snp:ovmf-hash`).
    pub vcpus: Option<u32>,
    /// vCPU signature (from `--vcpu-type`, `--vcpu-sig` or family/model/stepping).
    pub vcpu_sig: Option<u32>,
    /// VMM profile.
    pub vmm: VmmType,
    /// Firmware image.
    pub ovmf: &'a Path,
    /// Kernel for measured direct boot.
    pub kernel: Option<&'a Path>,
    /// Initrd (with a kernel).
    pub initrd: Option<&'a Path>,
    /// Kernel command line (with a kernel).
    pub append: Option<&'a str>,
    /// Guest features (SNP).
    pub guest_features: u64,
    /// Precomputed OVMF hash, hex (SNP).
    pub snp_ovmf_hash: Option<&'a str>,
    /// SVSM image (`snp:svsm`).
    pub svsm: Option<&'a Path>,
    /// OVMF vars size in bytes (`snp:svsm`).
    pub vars_size: Option<u64>,
    /// Keep the page-by-page log (SNP modes).
    pub explain: bool,
}

impl<'a> MeasureArgs<'a> {
    /// Arguments with sev-snp-measure's defaults (QEMU, guest features 0x1, nothing else).
    pub fn new(mode: Mode, ovmf: &'a Path) -> Self {
        Self {
            mode,
            vcpus: None,
            vcpu_sig: None,
            vmm: VmmType::Qemu,
            ovmf,
            kernel: None,
            initrd: None,
            append: None,
            guest_features: 0x1,
            snp_ovmf_hash: None,
            svsm: None,
            vars_size: None,
            explain: false,
        }
    }
}

/// A computed measurement.
#[derive(Debug, Clone)]
pub struct Measurement {
    /// The digest: 48 bytes for SNP modes, 32 for SEV and SEV-ES.
    pub digest: Vec<u8>,
    /// The VMSAs measured, in vCPU order (SEV-ES and SNP modes).
    pub vmsas: Vec<SaveArea>,
    /// The page-by-page log (SNP modes with `explain`).
    pub log: Option<Vec<PageRecord>>,
}

/// Parses a hex launch digest of exactly 48 bytes.
pub fn parse_digest48(what: &'static str, s: &str) -> Result<[u8; 48], MeasureError> {
    let mut out = [0u8; 48];
    sev_types::fmt::decode_hex_into(s.trim(), &mut out).ok_or_else(|| MeasureError::BadHex {
        what,
        expected: 96,
        found: String::from(s),
    })?;
    Ok(out)
}

/// Computes a measurement as sev-snp-measure does.
pub fn measure(args: &MeasureArgs<'_>) -> Result<Measurement, MeasureError> {
    if args.kernel.is_none() && (args.initrd.is_some() || args.append.is_some()) {
        return Err(MeasureError::Usage("--initrd and --append need --kernel"));
    }
    if args.snp_ovmf_hash.is_some() && args.mode != Mode::Snp {
        return Err(MeasureError::Usage("SNP OVMF hash only works with SNP"));
    }
    let need_vcpus = || {
        args.vcpus
            .ok_or(MeasureError::Usage("missing --vcpus N in this guest mode"))
    };
    let need_sig = || match (args.vcpu_sig, args.vmm) {
        (Some(s), _) => Ok(s),
        (None, VmmType::Qemu) => Err(MeasureError::Usage(
            "missing --vcpu-type or --vcpu-sig or --vcpu-family",
        )),
        (None, _) => Ok(0),
    };
    let image = read_file(args.ovmf)?;
    let ovmf = Ovmf::parse(&image)?;
    let hashes = || {
        args.kernel
            .map(|k| hashes_from_files(k, args.initrd, args.append))
            .transpose()
    };
    match args.mode {
        Mode::Sev => {
            let h = hashes()?;
            Ok(Measurement {
                digest: sev::sev_launch_digest(&ovmf, h.as_ref())?.to_vec(),
                vmsas: Vec::new(),
                log: None,
            })
        }
        Mode::SevEs => {
            let (vcpus, sig) = (need_vcpus()?, need_sig()?);
            let h = hashes()?;
            let d = sev::seves_launch_digest(&ovmf, h.as_ref(), vcpus, sig, args.vmm)?;
            let vmsas = sev::seves_vmsas(&ovmf, vcpus, sig, args.vmm)?.iter().cloned().collect();
            Ok(Measurement {
                digest: d.to_vec(),
                vmsas,
                log: None,
            })
        }
        Mode::SnpOvmfHash => {
            let mut gctx = if args.explain {
                Gctx::new().recording()
            } else {
                Gctx::new()
            };
            measure_ovmf_pages(&ovmf, &mut gctx)?;
            Ok(Measurement {
                digest: gctx.digest().to_vec(),
                vmsas: Vec::new(),
                log: gctx.take_log(),
            })
        }
        Mode::Snp => {
            let (vcpus, sig) = (need_vcpus()?, need_sig()?);
            let seed = args
                .snp_ovmf_hash
                .map(|s| parse_digest48("--snp-ovmf-hash", s))
                .transpose()?;
            let mut input = SnpInput {
                vcpus,
                vcpu_sig: sig,
                vmm: args.vmm,
                guest_features: args.guest_features,
                ovmf_hash: seed,
                ..SnpInput::new(&ovmf)
            };
            // Hash kernel/initrd while the firmware pages are hashed, unless a log is wanted.
            let (h, seed) = if args.explain || seed.is_some() || args.kernel.is_none() {
                (hashes()?, seed)
            } else {
                std::thread::scope(|s| {
                    let job = s.spawn(hashes);
                    let fw = snp_ovmf_hash(&ovmf);
                    let h = job.join().unwrap_or_else(|p| std::panic::resume_unwind(p));
                    Ok::<_, MeasureError>((h?, Some(fw?)))
                })?
            };
            input.ovmf_hash = seed;
            input.kernel_hashes = h.as_ref();
            let mut gctx = match seed {
                Some(s) => Gctx::with_seed(s),
                None => Gctx::new(),
            };
            if args.explain {
                gctx = gctx.recording();
            }
            measure_snp(&input, &mut gctx)?;
            let vmsas = input.vmsas()?.iter().cloned().collect();
            Ok(Measurement {
                digest: gctx.digest().to_vec(),
                vmsas,
                log: gctx.take_log(),
            })
        }
        Mode::SnpSvsm => {
            if args.vmm != VmmType::Qemu {
                return Err(MeasureError::Usage("SVSM mode is only implemented for QEMU"));
            }
            let vcpus = need_vcpus()?;
            let sig = need_sig()?;
            let svsm_path = args.svsm.ok_or(MeasureError::Usage("snp:svsm mode requires --svsm"))?;
            let vars_size = args
                .vars_size
                .ok_or(MeasureError::Usage("snp:svsm mode requires --vars-size or --vars-file"))?;
            let svsm_image = read_file(svsm_path)?;
            let svsm = Ovmf::parse(&svsm_image)?;
            let input = SvsmInput {
                ovmf: &ovmf,
                svsm: &svsm,
                vars_size,
                vcpus,
                vcpu_sig: sig,
            };
            let mut gctx = if args.explain {
                Gctx::new().recording()
            } else {
                Gctx::new()
            };
            measure_svsm(&input, &mut gctx)?;
            let v = input.vmsa()?;
            Ok(Measurement {
                digest: gctx.digest().to_vec(),
                vmsas: (0..vcpus).map(|_| v.clone()).collect(),
                log: gctx.take_log(),
            })
        }
    }
}
