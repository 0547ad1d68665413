//! Human-readable and serde output of a whole report.

use core::fmt;

use super::Report;
use crate::Product;
use crate::fmt::Hex;
use crate::tcb::TcbVersion;

/// A report paired with an optional product hint, so that product-dependent fields (TCBs)
/// can be decoded. Implements `Display` (every field, one per line) and, with the `serde`
/// feature, `Serialize` (the keys of AMD's field names in lower case).
#[derive(Clone, Copy, Debug)]
pub struct DescribedReport<'a> {
    report: Report<'a>,
    hint: Option<Product>,
}

impl<'a> DescribedReport<'a> {
    pub(super) fn new(report: Report<'a>, hint: Option<Product>) -> Self {
        Self { report, hint }
    }

    /// The product used for decoding: the report's own CPUID, else the hint.
    pub fn product(&self) -> Option<Product> {
        self.report.product().or(self.hint)
    }

    /// The underlying report.
    pub fn report(&self) -> Report<'a> {
        self.report
    }
}

struct TcbLine<'r>(&'r DescribedReport<'r>, TcbVersion);

impl fmt::Display for TcbLine<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.report.tcb_layout(self.0.hint) {
            Some(layout) => fmt::Display::fmt(&self.1.with_layout(layout), f),
            None => match self.0.hint {
                Some(p) => write!(f, "raw {:#018x} ({p} has no SNP TCB layout)", self.1.0),
                None => write!(f, "raw {:#018x} (layout unknown: give the product)", self.1.0),
            },
        }
    }
}

struct Opt<T>(Option<T>);

impl<T: fmt::LowerHex> fmt::Display for Opt<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Some(v) => write!(f, "{v:#x}"),
            None => f.write_str("(not in this report version)"),
        }
    }
}

impl fmt::Display for DescribedReport<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let r = &self.report;
        let (cma, cmi, cb) = r.current_version();
        let (oma, omi, ob) = r.committed_version();
        writeln!(f, "Attestation report (version {})", r.version())?;
        match (r.product(), self.hint) {
            (Some(p), _) => writeln!(f, "  product            {p} (from CPUID)")?,
            (None, Some(p)) => writeln!(f, "  product            {p} (given)")?,
            (None, None) => writeln!(f, "  product            unknown")?,
        }
        writeln!(f, "  version            {}", r.version())?;
        writeln!(f, "  guest_svn          {}", r.guest_svn())?;
        writeln!(f, "  policy             {}", r.policy())?;
        writeln!(f, "  family_id          {}", Hex(r.family_id()))?;
        writeln!(f, "  image_id           {}", Hex(r.image_id()))?;
        writeln!(f, "  vmpl               {}", r.vmpl())?;
        let algo = if r.signature_algo() == 1 {
            " (ECDSA P-384 with SHA-384)"
        } else {
            " (unknown)"
        };
        writeln!(f, "  sig_algo           {}{algo}", r.signature_algo())?;
        writeln!(f, "  current_tcb        {}", TcbLine(self, r.current_tcb()))?;
        writeln!(f, "  platform_info      {}", r.platform_info())?;
        writeln!(f, "  key_info           {}", r.key_info())?;
        writeln!(f, "  report_data        {}", Hex(r.report_data()))?;
        writeln!(f, "  measurement        {}", Hex(r.measurement()))?;
        writeln!(f, "  host_data          {}", Hex(r.host_data()))?;
        writeln!(f, "  id_key_digest      {}", Hex(r.id_key_digest()))?;
        writeln!(f, "  author_key_digest  {}", Hex(r.author_key_digest()))?;
        writeln!(f, "  report_id          {}", Hex(r.report_id()))?;
        writeln!(f, "  report_id_ma       {}", Hex(r.report_id_ma()))?;
        writeln!(f, "  reported_tcb       {}", TcbLine(self, r.reported_tcb()))?;
        writeln!(f, "  cpuid_fam_id       {}", Opt(r.cpuid_fam_id()))?;
        writeln!(f, "  cpuid_mod_id       {}", Opt(r.cpuid_mod_id()))?;
        writeln!(f, "  cpuid_step         {}", Opt(r.cpuid_step()))?;
        let masked = if r.chip_id_masked() { " (masked)" } else { "" };
        writeln!(f, "  chip_id            {}{masked}", Hex(r.chip_id()))?;
        writeln!(f, "  committed_tcb      {}", TcbLine(self, r.committed_tcb()))?;
        writeln!(f, "  current firmware   {cma}.{cmi} build {cb}")?;
        writeln!(f, "  committed firmware {oma}.{omi} build {ob}")?;
        writeln!(f, "  launch_tcb         {}", TcbLine(self, r.launch_tcb()))?;
        writeln!(f, "  launch_mit_vector  {}", Opt(r.launch_mit_vector()))?;
        writeln!(f, "  current_mit_vector {}", Opt(r.current_mit_vector()))?;
        writeln!(f, "  signature r        {}", Hex(&r.signature().r))?;
        writeln!(f, "  signature s        {}", Hex(&r.signature().s))?;
        let mut any = false;
        for v in r.reserved_violations_for(self.hint) {
            if !any {
                writeln!(f, "  reserved-field warnings:")?;
                any = true;
            }
            writeln!(f, "    {v}")?;
        }
        Ok(())
    }
}

#[cfg(feature = "serde")]
mod ser {
    use super::*;
    use serde::ser::{Serialize, SerializeMap, Serializer};

    struct Tcb<'r>(&'r DescribedReport<'r>, TcbVersion);

    impl Serialize for Tcb<'_> {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            match self.0.report.tcb_layout(self.0.hint) {
                Some(layout) => self.1.with_layout(layout).serialize(s),
                None => {
                    let mut m = s.serialize_map(Some(1))?;
                    m.serialize_entry("raw", &format_args!("{:#018x}", self.1.0))?;
                    m.end()
                }
            }
        }
    }

    impl Serialize for DescribedReport<'_> {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            let r = &self.report;
            let mut m = s.serialize_map(None)?;
            m.serialize_entry("product", &self.product())?;
            m.serialize_entry("version", &r.version())?;
            m.serialize_entry("guest_svn", &r.guest_svn())?;
            m.serialize_entry("policy", &r.policy())?;
            m.serialize_entry("family_id", &Hex(r.family_id()))?;
            m.serialize_entry("image_id", &Hex(r.image_id()))?;
            m.serialize_entry("vmpl", &r.vmpl())?;
            m.serialize_entry("sig_algo", &r.signature_algo())?;
            m.serialize_entry("current_tcb", &Tcb(self, r.current_tcb()))?;
            m.serialize_entry("platform_info", &r.platform_info())?;
            m.serialize_entry("flags", &r.key_info())?;
            m.serialize_entry(
                "author_key_en",
                &r.key_info().contains(crate::key_info::KeyInfo::AUTHOR_KEY_EN),
            )?;
            m.serialize_entry(
                "mask_chip_key",
                &r.key_info().contains(crate::key_info::KeyInfo::MASK_CHIP_KEY),
            )?;
            m.serialize_entry("signing_key", &r.signing_key().raw())?;
            m.serialize_entry("report_data", &Hex(r.report_data()))?;
            m.serialize_entry("measurement", &Hex(r.measurement()))?;
            m.serialize_entry("host_data", &Hex(r.host_data()))?;
            m.serialize_entry("id_key_digest", &Hex(r.id_key_digest()))?;
            m.serialize_entry("author_key_digest", &Hex(r.author_key_digest()))?;
            m.serialize_entry("report_id", &Hex(r.report_id()))?;
            m.serialize_entry("report_id_ma", &Hex(r.report_id_ma()))?;
            m.serialize_entry("reported_tcb", &Tcb(self, r.reported_tcb()))?;
            m.serialize_entry("cpuid_fam_id", &r.cpuid_fam_id())?;
            m.serialize_entry("cpuid_mod_id", &r.cpuid_mod_id())?;
            m.serialize_entry("cpuid_step", &r.cpuid_step())?;
            m.serialize_entry("chip_id", &Hex(r.chip_id()))?;
            m.serialize_entry("committed_tcb", &Tcb(self, r.committed_tcb()))?;
            let (cma, cmi, cb) = r.current_version();
            let (oma, omi, ob) = r.committed_version();
            m.serialize_entry("current_build", &cb)?;
            m.serialize_entry("current_minor", &cmi)?;
            m.serialize_entry("current_major", &cma)?;
            m.serialize_entry("committed_build", &ob)?;
            m.serialize_entry("committed_minor", &omi)?;
            m.serialize_entry("committed_major", &oma)?;
            m.serialize_entry("launch_tcb", &Tcb(self, r.launch_tcb()))?;
            m.serialize_entry("launch_mit_vector", &r.launch_mit_vector())?;
            m.serialize_entry("current_mit_vector", &r.current_mit_vector())?;
            m.serialize_entry("sig_r", &Hex(&r.signature().r))?;
            m.serialize_entry("sig_s", &Hex(&r.signature().s))?;
            m.end()
        }
    }
}
