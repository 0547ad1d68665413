//! Derived keys: deterministic, changed by every selected input, unchanged by unselected ones,
//! and refused where the firmware refuses.

use sev_sim::{GuestConfig, Sim, SimError};
use sev_sys::{GuestCommand, GuestTransport};
use sev_types::guest::key::KeyReqV2;
use sev_types::guest::sev_guest::SnpDerivedKeyReq;
use sev_types::guest::{DerivedKey, GuestFieldSelect as F, KeyRequest, KeySelect, RootKeySelect};
use sev_types::status::FirmwareStatus;
use sev_types::tcb::TcbVersion;
use sev_types::{Product, U32, U64};
use zerocopy::IntoBytes;

fn guest() -> GuestConfig {
    let mut cfg = GuestConfig::new(Product::Genoa).with_vmpl(1);
    cfg.guest_svn = 5;
    cfg
}

fn key(cfg: &GuestConfig, req: &KeyRequest) -> [u8; 32] {
    Sim::new(cfg.clone()).unwrap().derive_key(req).unwrap()
}

fn base() -> KeyRequest {
    KeyRequest::new()
        .with_vmpl(1)
        .with_guest_svn(3)
        .with_tcb_version(TcbVersion(0xdb18_0000_0000_0003))
        .with_launch_mit_vector(1)
}

/// A field-select bit and an edit of the value it mixes in.
type Edit<T> = (F, fn(&mut T));

/// Edits of the guest's own values, by the field-select bit that mixes them in.
fn guest_edits() -> Vec<Edit<GuestConfig>> {
    vec![
        (F::POLICY, |c| c.policy ^= 1 << 19),
        (F::IMAGE_ID, |c| c.image_id[3] ^= 1),
        (F::FAMILY_ID, |c| c.family_id[15] ^= 1),
        (F::MEASUREMENT, |c| c.measurement[0] ^= 1),
    ]
}

/// Edits of the request's values, by the field-select bit that mixes them in.
fn request_edits() -> Vec<Edit<KeyRequest>> {
    vec![
        (F::GUEST_SVN, |r| r.guest_svn = 4),
        (F::TCB_VERSION, |r| r.tcb_version = TcbVersion(0xdb18_0000_0000_0004)),
        (F::LAUNCH_MIT_VECTOR, |r| r.launch_mit_vector = Some(3)),
    ]
}

#[test]
fn keys_are_deterministic_and_per_chip() {
    let req = base().with_guest_fields(F::all());
    assert_eq!(key(&guest(), &req), key(&guest(), &req));
    let mut other_chip = guest();
    other_chip.chip_id[0] ^= 1;
    assert_ne!(key(&guest(), &req), key(&other_chip, &req));
}

#[test]
fn every_selected_guest_value_changes_the_key_and_unselected_ones_do_not() {
    for (bit, edit) in guest_edits() {
        let mut edited = guest();
        edit(&mut edited);
        let selected = base().with_guest_fields(bit);
        assert_ne!(key(&guest(), &selected), key(&edited, &selected), "{bit:?} selected");
        let unselected = base().with_guest_fields(F::all() - bit);
        assert_eq!(
            key(&guest(), &unselected),
            key(&edited, &unselected),
            "{bit:?} unselected"
        );
    }
}

#[test]
fn every_selected_request_value_changes_the_key_and_unselected_ones_do_not() {
    for (bit, edit) in request_edits() {
        let selected = base().with_guest_fields(bit);
        let mut edited = selected;
        edit(&mut edited);
        assert_ne!(key(&guest(), &selected), key(&guest(), &edited), "{bit:?} selected");
        let unselected = base().with_guest_fields(F::all() - bit);
        let mut edited = unselected;
        edit(&mut edited);
        assert_eq!(key(&guest(), &unselected), key(&guest(), &edited), "{bit:?} unselected");
    }
}

#[test]
fn selection_root_key_vmpl_and_key_select_always_change_the_key() {
    let req = base().with_guest_fields(F::MEASUREMENT);
    let k = key(&guest(), &req);
    assert_ne!(k, key(&guest(), &req.with_guest_fields(F::MEASUREMENT | F::POLICY)));
    assert_ne!(k, key(&guest(), &req.with_root_key(RootKeySelect::Vmrk)));
    assert_ne!(k, key(&guest(), &req.with_vmpl(2)));
    // AUTO resolves to the loaded key: the VCEK here, the VLEK on a VLEK guest.
    assert_eq!(k, key(&guest(), &req.with_key_select(KeySelect::Vcek)));
    let vlek = guest().with_vlek("csp");
    assert_eq!(key(&vlek, &req), key(&vlek, &req.with_key_select(KeySelect::Vlek)));
    assert_ne!(k, key(&vlek, &req));
}

#[test]
fn invalid_key_requests_are_refused_like_the_firmware_does() {
    let sim = Sim::new(guest()).unwrap();
    let invalid = Err(SimError::Firmware(FirmwareStatus::InvalidParam));
    let ok = base().with_guest_fields(F::all());
    assert!(sim.derive_key(&ok).is_ok());
    assert_eq!(sim.derive_key(&ok.with_vmpl(0)), invalid);
    assert_eq!(sim.derive_key(&ok.with_vmpl(4)), invalid);
    assert_eq!(sim.derive_key(&ok.with_guest_svn(6)), invalid);
    assert_eq!(
        sim.derive_key(&ok.with_tcb_version(TcbVersion(0xdb19_0000_0000_0000))),
        invalid
    );
    assert_eq!(
        sim.derive_key(&ok.with_guest_fields(F::from_bits_retain(1 << 7))),
        invalid
    );
    let v1 = KeyRequest {
        launch_mit_vector: None,
        ..ok
    };
    assert_eq!(sim.derive_key(&v1), invalid);
    assert_eq!(sim.derive_key(&ok.with_key_select(KeySelect::Reserved)), invalid);
    assert_eq!(
        sim.derive_key(&ok.with_key_select(KeySelect::Vlek)),
        Err(SimError::Firmware(FirmwareStatus::InvalidKey))
    );
}

#[test]
fn the_transport_decodes_v1_and_v2_key_requests() {
    let mut sim = Sim::new(guest()).unwrap();
    let v1 = SnpDerivedKeyReq {
        root_key_select: U32::new(1),
        guest_field_select: U64::new((F::MEASUREMENT | F::GUEST_SVN).bits()),
        vmpl: U32::new(2),
        guest_svn: U32::new(4),
        ..SnpDerivedKeyReq::default()
    };
    let mut resp = [0u8; 64];
    sim.guest_request(GuestCommand::DerivedKey, 1, v1.as_bytes(), &mut resp, None)
        .unwrap();
    let expected = KeyRequest::new()
        .with_root_key(RootKeySelect::Vmrk)
        .with_guest_fields(F::MEASUREMENT | F::GUEST_SVN)
        .with_vmpl(2)
        .with_guest_svn(4);
    assert_eq!(
        DerivedKey::from_response(&resp).unwrap().as_bytes(),
        &sim.derive_key(&expected).unwrap()
    );

    let v2: KeyReqV2 = base().with_guest_fields(F::LAUNCH_MIT_VECTOR).to_v2();
    sim.guest_request(GuestCommand::DerivedKey, 2, v2.as_bytes(), &mut resp, None)
        .unwrap();
    assert_eq!(
        DerivedKey::from_response(&resp).unwrap().as_bytes(),
        &sim.derive_key(&base().with_guest_fields(F::LAUNCH_MIT_VECTOR)).unwrap()
    );
}
