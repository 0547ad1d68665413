#![no_main]
//! sev-host's parsing of what `/dev/sev` returns and of what an operator hands it: the PEK CSR,
//! the PDH export chain, GET_ID, a VLEK hashstick, an OCA PKCS#8 key, `PEK_CERT_IMPORT` and
//! `SNP_SET_CONFIG` arguments (checked before anything reaches the device), and an OVMF launch
//! plan over an arbitrary image (launched on the simulator and compared with sev-measure's
//! independent prediction).
//!
//! The first byte picks the parser, the rest is its input.

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use sev_host::HostError;
use sev_host::launch::ovmf::OvmfLaunch;
use sev_host::launch::{SnpFinish, SnpInit, SnpStart};
use sev_host::platform::{OcaKey, Platform, PlatformCerts, SnpConfigRequest, validate_hashstick};
use sev_measure::ovmf::Ovmf;
use sev_measure::snp::{SnpInput, snp_launch_digest};
use sev_sim::host::{HostConfig, SimHost};
use sev_sys::seam::{PdhCertExport, PlatformDevice};
use sev_types::guest::VlekHashstick;
use sev_types::legacy::{SEV_CERT_LEN, SevCertificate, Usage};
use sev_types::platform::{SevUserDataStatus, SnpConfig, SnpPlatformStatus};
use sev_types::{Product, TcbVersion};
use sev_verify::crypto::default_provider;
use sev_verify::legacy::{Signer, verify_signed_by};
use zerocopy::{FromBytes, FromZeros, IntoBytes};

/// A device that answers with the fuzzer's bytes and records what reaches it.
#[derive(Default)]
struct Fake {
    csr: Vec<u8>,
    export: Option<PdhCertExport>,
    id: Vec<u8>,
    snp_status: Option<SnpPlatformStatus>,
    imported: Option<(Vec<u8>, Vec<u8>)>,
    config: Option<SnpConfig>,
    vlek: Option<Vec<u8>>,
}

impl PlatformDevice for Fake {
    fn platform_status(&mut self) -> Result<SevUserDataStatus, sev_sys::Error> {
        Ok(SevUserDataStatus::new_zeroed())
    }
    fn factory_reset(&mut self) -> Result<(), sev_sys::Error> {
        Ok(())
    }
    fn pek_gen(&mut self) -> Result<(), sev_sys::Error> {
        Ok(())
    }
    fn pek_csr(&mut self) -> Result<Vec<u8>, sev_sys::Error> {
        Ok(self.csr.clone())
    }
    fn pdh_gen(&mut self) -> Result<(), sev_sys::Error> {
        Ok(())
    }
    fn pdh_cert_export(&mut self) -> Result<PdhCertExport, sev_sys::Error> {
        Ok(self.export.clone().unwrap_or(PdhCertExport {
            pdh: Vec::new(),
            chain: Vec::new(),
        }))
    }
    fn pek_cert_import(&mut self, pek_cert: &[u8], oca_cert: &[u8]) -> Result<(), sev_sys::Error> {
        self.imported = Some((pek_cert.to_vec(), oca_cert.to_vec()));
        Ok(())
    }
    fn get_id(&mut self) -> Result<Vec<u8>, sev_sys::Error> {
        Ok(self.id.clone())
    }
    fn snp_platform_status(&mut self) -> Result<SnpPlatformStatus, sev_sys::Error> {
        Ok(self.snp_status.clone().unwrap_or_else(SnpPlatformStatus::new_zeroed))
    }
    fn snp_commit(&mut self) -> Result<(), sev_sys::Error> {
        Ok(())
    }
    fn snp_set_config(&mut self, config: &SnpConfig) -> Result<(), sev_sys::Error> {
        self.config = Some(config.clone());
        Ok(())
    }
    fn snp_vlek_load(&mut self, hashstick: &VlekHashstick) -> Result<(), sev_sys::Error> {
        self.vlek = Some(hashstick.as_bytes().to_vec());
        Ok(())
    }
}

static OCA: OnceLock<OcaKey> = OnceLock::new();

fn oca() -> &'static OcaKey {
    OCA.get_or_init(|| OcaKey::generate().expect("random source"))
}

fn product(b: u8) -> Product {
    Product::ALL[usize::from(b) % Product::ALL.len()]
}

/// An error raised before the device was asked must be one of the input-checking kinds.
#[track_caller]
fn typed_refusal(e: &HostError) {
    assert!(
        matches!(e, HostError::Invalid { .. } | HostError::Parse { .. }),
        "unexpected error kind for a refused input: {e:?}"
    );
}

fn pdh_export(data: &[u8]) {
    let (pdh, chain) = data.split_at(data.len().min(SEV_CERT_LEN));
    let mut platform = Platform::new(Fake {
        export: Some(PdhCertExport {
            pdh: pdh.to_vec(),
            chain: chain.to_vec(),
        }),
        ..Fake::default()
    });
    match platform.pdh_cert_export() {
        Ok(certs) => {
            assert_eq!(&certs.pdh[..], pdh);
            assert_eq!(certs.chain_bytes(), chain);
            assert_eq!(PlatformCerts::from_export(pdh, chain).as_ref().ok(), Some(&certs));
            for (bytes, usage) in [
                (&certs.pdh[..], Usage::Pdh),
                (&certs.pek[..], Usage::Pek),
                (&certs.oca[..], Usage::Oca),
                (&certs.cek[..], Usage::Cek),
            ] {
                let cert = SevCertificate::from_bytes(bytes).expect("accepted certificates parse");
                assert_eq!(cert.pubkey_usage(), usage);
            }
            // Signatures over forged keys: a verdict, never a panic.
            let _ = certs.verify_platform_links();
        }
        Err(e) => typed_refusal(&e),
    }
}

fn pek_csr(data: &[u8]) {
    let mut platform = Platform::new(Fake {
        csr: data.to_vec(),
        ..Fake::default()
    });
    match platform.pek_csr() {
        Ok(csr) => {
            assert_eq!(&csr[..], data);
            // The OCA signs whatever the firmware asked for, and the signature verifies.
            let signed = oca().sign_pek(&csr[..]).expect("an accepted CSR can be signed");
            let oca_cert = oca().certificate().expect("OCA certificate");
            let provider = default_provider();
            let pek = SevCertificate::from_bytes(&signed[..]).expect("signed PEK parses");
            let oca_c = SevCertificate::from_bytes(&oca_cert[..]).expect("OCA parses");
            assert_eq!(pek.pubkey_usage(), Usage::Pek);
            verify_signed_by(&provider, &pek, Signer::Sev(&oca_c)).expect("OCA signature on the PEK verifies");
            assert_eq!(signed[..0x414], csr[..0x414], "signing keeps the header and key");
        }
        Err(e) => {
            typed_refusal(&e);
            assert!(oca().sign_pek(data).is_err(), "sign_pek accepts a CSR pek_csr refused");
        }
    }
}

fn pek_cert_import(data: &[u8]) {
    let (pek, oca_cert) = data.split_at(data.len().min(SEV_CERT_LEN));
    let mut platform = Platform::new(Fake::default());
    let result = platform.pek_cert_import(pek, oca_cert);
    let sent = platform.into_inner().imported;
    match result {
        Ok(()) => {
            assert_eq!(sent, Some((pek.to_vec(), oca_cert.to_vec())));
            let (p, o) = (SevCertificate::from_bytes(pek), SevCertificate::from_bytes(oca_cert));
            assert_eq!(p.map(|c| c.pubkey_usage()).ok(), Some(Usage::Pek));
            assert_eq!(o.map(|c| c.pubkey_usage()).ok(), Some(Usage::Oca));
        }
        Err(e) => {
            typed_refusal(&e);
            assert!(sent.is_none(), "a refused import reached the device");
        }
    }
}

fn get_id(data: &[u8]) {
    let mut platform = Platform::new(Fake {
        id: data.to_vec(),
        ..Fake::default()
    });
    match platform.get_id() {
        Ok(ids) => {
            assert!(!ids.is_empty());
            assert!(ids.len() <= data.len() / 64);
            assert_eq!(ids[0].as_bytes(), &data[..64]);
        }
        Err(e) => typed_refusal(&e),
    }
}

fn hashstick(data: &[u8]) {
    let Some((&p, stick)) = data.split_first() else { return };
    let product = product(p);
    let result = validate_hashstick(stick, product).map(|s| s.as_bytes().to_vec());
    let mut platform = Platform::new(Fake::default());
    let loaded = platform.snp_vlek_load(product, stick);
    let sent = platform.into_inner().vlek;
    match result {
        Ok(bytes) => {
            assert_eq!(bytes, stick);
            assert!(loaded.is_ok());
            assert_eq!(sent.as_deref(), Some(stick));
        }
        Err(e) => {
            typed_refusal(&e);
            assert!(loaded.is_err());
            assert!(sent.is_none(), "a refused hashstick reached the device");
        }
    }
}

fn pkcs8(data: &[u8]) {
    match OcaKey::from_pkcs8(data) {
        Ok(key) => {
            let pem = key.to_pkcs8_pem().expect("a loaded key encodes");
            let again = OcaKey::from_pkcs8(pem.as_bytes()).expect("an encoded key loads");
            assert_eq!(again.public_key(), key.public_key());
            let cert = key.certificate().expect("self-signed OCA certificate");
            let c = SevCertificate::from_bytes(&cert[..]).expect("OCA parses");
            verify_signed_by(&default_provider(), &c, Signer::Sev(&c)).expect("OCA self-signature verifies");
        }
        Err(e) => assert!(matches!(e, HostError::Key(_)), "{e:?}"),
    }
}

fn set_config(data: &[u8]) {
    let status_len = size_of::<SnpPlatformStatus>();
    if data.len() < 1 + 8 + 1 + status_len {
        return;
    }
    let (head, rest) = data.split_at(10);
    let Ok(status) = SnpPlatformStatus::read_from_bytes(&rest[..status_len]) else {
        return;
    };
    let product = product(head[0]);
    let mut tcb = [0u8; 8];
    tcb.copy_from_slice(&head[1..9]);
    let request = SnpConfigRequest {
        reported_tcb: TcbVersion(u64::from_le_bytes(tcb)),
        mask_chip_id: head[9] & 1 != 0,
        mask_chip_key: head[9] & 2 != 0,
    };
    let mut platform = Platform::new(Fake {
        snp_status: Some(status),
        ..Fake::default()
    });
    let result = platform.snp_set_config(product, &request);
    let sent = platform.into_inner().config;
    match result {
        Ok(config) => {
            assert_eq!(sent.as_ref(), Some(&config));
            assert_eq!(config, SnpConfig::new(request.reported_tcb, request.mask()));
        }
        Err(e) => {
            typed_refusal(&e);
            assert!(sent.is_none(), "a refused configuration reached the device");
        }
    }
}

fn ovmf_plan(data: &[u8]) {
    let Some((&knobs, image)) = data.split_first() else {
        return;
    };
    let Ok(ovmf) = Ovmf::parse(image) else { return };
    let vcpus = u32::from(knobs & 3);
    let plan = OvmfLaunch {
        vcpus,
        vcpu_sig: 0x00A1_0F10,
        ram_size: 16 << 20,
        ..OvmfLaunch::new(&ovmf)
    };
    if let Ok(gpa) = plan.firmware_gpa() {
        assert_eq!(gpa + image.len() as u64, 1 << 32);
    }
    let _ = plan.layout();
    if let Ok(states) = plan.vcpu_states(1) {
        assert_eq!(states.len(), vcpus as usize);
    }
    if let Ok(Some((gpa, _))) = plan.secret_area() {
        assert_ne!(gpa, 0);
    }
    if knobs & 4 == 0 || image.len() > (1 << 20) {
        return;
    }
    // The launch on the simulator against sev-measure's prediction of the same launch.
    let host = SimHost::new(HostConfig::new(Product::Genoa));
    let launched = plan.launch_snp(
        host.create_snp_vm(),
        &SnpInit::default(),
        &SnpStart::default(),
        &SnpFinish::default(),
    );
    let predicted = snp_launch_digest(&SnpInput {
        vcpus,
        vcpu_sig: 0x00A1_0F10,
        ..SnpInput::new(&ovmf)
    });
    if let (Ok(launched), Ok(predicted)) = (&launched, &predicted) {
        assert_eq!(
            launched.device().launch_digest(),
            *predicted,
            "simulated launch != prediction"
        );
    }
    if launched.is_ok() {
        assert!(
            predicted.is_ok(),
            "launched an image sev-measure cannot predict: {predicted:?}"
        );
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&which, rest)) = data.split_first() else {
        return;
    };
    match which % 8 {
        0 => pdh_export(rest),
        1 => pek_csr(rest),
        2 => pek_cert_import(rest),
        3 => get_id(rest),
        4 => hashstick(rest),
        5 => pkcs8(rest),
        6 => set_config(rest),
        _ => ovmf_plan(rest),
    }
});
