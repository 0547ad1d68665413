//! An SEV launch through the C functions with a guest owner (sev-verify's
//! `GuestOwnerSession`): LAUNCH_START with the owner's PDH and session, LAUNCH_UPDATE_DATA,
//! LAUNCH_MEASURE accepted by the owner for the SHA-256 of the launched data, and a secret the
//! owner packages injected with LAUNCH_SECRET; a secret with a broken MAC is refused by the
//! firmware with its status in `fw_error`.
#![cfg(feature = "sim")]

use sev::host::Platform;
use sev::sim::host::{HostConfig, SimHost};
use sev::types::Product;
use sev::types::launch::sev::{LaunchMeasurement, SevPolicy};
use sev::types::legacy::SevCertificate;
use sev::verify::crypto::default_provider;
use sev::verify::legacy::GuestOwnerSession;
use sev_capi::error::{SEV_ERR_FIRMWARE, SEV_OK};
use sev_capi::sev_launch::*;
use sha2::{Digest, Sha256};
use zerocopy::{FromBytes, IntoBytes};

#[test]
fn owner_session_accepts_the_measurement_and_its_secret_is_injected() {
    let provider = default_provider();
    let mut fw = 0u32;
    let mut l = core::ptr::null_mut();
    // SAFETY: every pointer passed below points to a live local with the length given; the
    // handle comes from sev_launcher_new_sim and is freed once, at the end.
    unsafe {
        assert_eq!(sev_launcher_new_sim(&mut l, 0, &mut fw), SEV_OK);
        let mut pdh = vec![0u8; 0x824];
        let mut written = 0usize;
        assert_eq!(
            sev_launcher_sim_pdh(l, pdh.as_mut_ptr(), pdh.len(), &mut written),
            SEV_OK
        );
        assert_eq!(written, 0x824);
        let pdh = SevCertificate::from_bytes(&pdh).unwrap();
        let (session, material) = GuestOwnerSession::start(&provider, &pdh, SevPolicy::NODBG).unwrap();

        assert_eq!(sev_launcher_add_memory(l, 0, 0x10000, &mut fw), SEV_OK);
        let start = sev_launcher_start(
            l,
            material.policy.bits(),
            material.dh_cert.as_ptr(),
            material.dh_cert.len(),
            material.session.as_bytes().as_ptr(),
            material.session.as_bytes().len(),
            &mut fw,
        );
        assert_eq!(start, SEV_OK);
        let data: Vec<u8> = (0..0x2000u32).map(|i| (i * 31) as u8).collect();
        assert_eq!(
            sev_launcher_update_data(l, 0x1000, data.as_ptr(), data.len(), &mut fw),
            SEV_OK
        );
        let mut m = [0u8; SEV_LAUNCH_MEASUREMENT_SIZE];
        assert_eq!(sev_launcher_measure(l, m.as_mut_ptr(), &mut fw), SEV_OK);

        // The launch digest of a plain SEV guest is SHA-256 over the launched data.
        let measurement = LaunchMeasurement::read_from_bytes(&m).unwrap();
        let version = Platform::new(SimHost::new(HostConfig::new(Product::Milan)))
            .platform_version()
            .unwrap();
        let digest: [u8; 32] = Sha256::digest(&data).into();
        session
            .verify_measurement(&provider, &measurement, version, &digest)
            .unwrap();
        let mut other = digest;
        other[0] ^= 1;
        assert!(
            session
                .verify_measurement(&provider, &measurement, version, &other)
                .is_err()
        );

        let secret = session
            .package_secret(&provider, &measurement.measure, &[0x42; 32])
            .unwrap();
        let header = secret.header.as_bytes();
        let (ct, ct_len) = (secret.ciphertext.as_ptr(), secret.ciphertext.len());
        let mut broken = header.to_vec();
        let last = broken.len() - 1;
        broken[last] ^= 1; // one bit of the MAC
        let refused = sev_launcher_inject_secret(l, 0x3000, broken.as_ptr(), broken.len(), ct, ct_len, &mut fw);
        assert_eq!(refused, SEV_ERR_FIRMWARE);
        assert_ne!(fw, 0);
        let injected = sev_launcher_inject_secret(l, 0x3000, header.as_ptr(), header.len(), ct, ct_len, &mut fw);
        assert_eq!((injected, fw), (SEV_OK, 0));
        assert_eq!(sev_launcher_finish(l, &mut fw), SEV_OK);
        sev_launcher_free(l);
    }
}
