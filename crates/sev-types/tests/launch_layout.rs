//! Layouts of the KVM payloads against fixtures/abi/linux-sev-uapi.tsv (size and every field
//! offset), and of the firmware buffers against shared/spec (snp-launch.md, sev-legacy.md).

use std::collections::BTreeMap;
use std::mem::{offset_of, size_of};

use sev_types::launch::cpuid_page::{CpuidEntry, CpuidPage, CpuidPageHeader};
use sev_types::launch::id_block::{IdAuthInfo, IdBlock};
use sev_types::launch::sev::{
    AttestationCmd, KvmSevAttestationReport, KvmSevDbg, KvmSevGuestStatus, KvmSevLaunchMeasure, KvmSevLaunchSecret,
    KvmSevLaunchStart, KvmSevLaunchUpdateData, KvmSevReceiveStart, KvmSevReceiveUpdateData, KvmSevSendStart,
    KvmSevSendUpdateData, LaunchMeasurement, LaunchSecret, LaunchSecretHeader, LaunchStart, LaunchUpdate,
    RawAttestationReport, Session,
};
use sev_types::launch::snp::{
    KvmPageType, KvmSevInit, KvmSnpLaunchFinish, KvmSnpLaunchStart, KvmSnpLaunchUpdate, PageType, SnpLaunchFinish,
    SnpLaunchStart, SnpLaunchUpdate,
};
use sev_types::legacy::{AmdCertHeader, RawRsaPublicKey, RawSevCertificate, RawSignatureSlot};

/// field name → (offset, size).
type Fields = BTreeMap<String, (usize, usize)>;

/// struct name → (size, fields), and const name → value, from the TSV.
struct Abi {
    structs: BTreeMap<String, (usize, Fields)>,
    consts: BTreeMap<String, String>,
}

fn abi() -> Abi {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/abi/linux-sev-uapi.tsv");
    let text = std::fs::read_to_string(path).unwrap();
    let mut structs: BTreeMap<String, (usize, Fields)> = BTreeMap::new();
    let mut consts = BTreeMap::new();
    for line in text.lines().skip(1) {
        let cols: Vec<&str> = line.split('\t').collect();
        match cols[0] {
            // Only the kvm_sev_* rows are needed; other rows may hold symbolic sizes.
            "struct" if cols[2].starts_with("struct kvm_sev") => {
                structs.entry(cols[2].to_string()).or_default().0 = cols[5].parse().unwrap();
            }
            "field" if cols[3].starts_with("struct kvm_sev") => {
                let fields = &mut structs.entry(cols[3].to_string()).or_default().1;
                fields.insert(
                    cols[2].to_string(),
                    (cols[4].parse().unwrap(), cols[5].parse().unwrap()),
                );
            }
            "const" => {
                consts.insert(cols[2].to_string(), cols[4].to_string());
            }
            _ => {}
        }
    }
    Abi { structs, consts }
}

/// Checks that `ours` lists exactly the kernel's fields, each at the kernel's offset and size.
fn check(abi: &Abi, name: &str, size: usize, ours: &[(&str, usize, usize)]) {
    let (ksize, kfields) = abi
        .structs
        .get(name)
        .unwrap_or_else(|| panic!("{name} missing from the TSV"));
    assert_eq!(size, *ksize, "{name} size");
    assert_eq!(ours.len(), kfields.len(), "{name}: field count");
    for &(field, off, len) in ours {
        let k = kfields
            .get(field)
            .unwrap_or_else(|| panic!("{name}.{field} missing from the TSV"));
        assert_eq!((off, len), *k, "{name}.{field} (offset, size)");
    }
}

macro_rules! field {
    ($ty:ty, $kname:literal, $f:ident) => {{
        let v = <$ty>::default();
        ($kname, offset_of!($ty, $f), std::mem::size_of_val(&v.$f))
    }};
}

#[test]
fn kvm_payloads_match_the_kernel_abi() {
    let abi = abi();
    check(
        &abi,
        "struct kvm_sev_snp_launch_start",
        size_of::<KvmSnpLaunchStart>(),
        &[
            field!(KvmSnpLaunchStart, "policy", policy),
            field!(KvmSnpLaunchStart, "gosvw", gosvw),
            field!(KvmSnpLaunchStart, "flags", flags),
            field!(KvmSnpLaunchStart, "pad0", pad0),
            field!(KvmSnpLaunchStart, "pad1", pad1),
        ],
    );
    check(
        &abi,
        "struct kvm_sev_snp_launch_update",
        size_of::<KvmSnpLaunchUpdate>(),
        &[
            field!(KvmSnpLaunchUpdate, "gfn_start", gfn_start),
            field!(KvmSnpLaunchUpdate, "uaddr", uaddr),
            field!(KvmSnpLaunchUpdate, "len", len),
            field!(KvmSnpLaunchUpdate, "type", page_type),
            field!(KvmSnpLaunchUpdate, "pad0", pad0),
            field!(KvmSnpLaunchUpdate, "flags", flags),
            field!(KvmSnpLaunchUpdate, "pad1", pad1),
            field!(KvmSnpLaunchUpdate, "pad2", pad2),
        ],
    );
    check(
        &abi,
        "struct kvm_sev_snp_launch_finish",
        size_of::<KvmSnpLaunchFinish>(),
        &[
            field!(KvmSnpLaunchFinish, "id_block_uaddr", id_block_uaddr),
            field!(KvmSnpLaunchFinish, "id_auth_uaddr", id_auth_uaddr),
            field!(KvmSnpLaunchFinish, "id_block_en", id_block_en),
            field!(KvmSnpLaunchFinish, "auth_key_en", auth_key_en),
            field!(KvmSnpLaunchFinish, "vcek_disabled", vcek_disabled),
            field!(KvmSnpLaunchFinish, "host_data", host_data),
            field!(KvmSnpLaunchFinish, "pad0", pad0),
            field!(KvmSnpLaunchFinish, "flags", flags),
            field!(KvmSnpLaunchFinish, "pad1", pad1),
        ],
    );
    check(
        &abi,
        "struct kvm_sev_init",
        size_of::<KvmSevInit>(),
        &[
            field!(KvmSevInit, "vmsa_features", vmsa_features),
            field!(KvmSevInit, "flags", flags),
            field!(KvmSevInit, "ghcb_version", ghcb_version),
            field!(KvmSevInit, "pad1", pad1),
            field!(KvmSevInit, "pad2", pad2),
        ],
    );
}

/// Checks every listed field of a KVM SEV payload against the kernel row of the same name.
macro_rules! check_all {
    ($abi:expr, $kname:literal => $ty:ty { $($f:ident),* $(,)? }) => {
        check($abi, $kname, size_of::<$ty>(), &[$({
            let v = <$ty>::default();
            (stringify!($f), offset_of!($ty, $f), std::mem::size_of_val(&v.$f))
        }),*])
    };
}

#[test]
fn kvm_sev_payloads_match_the_kernel_abi() {
    let abi = abi();
    let abi = &abi;
    check_all!(abi, "struct kvm_sev_launch_start" => KvmSevLaunchStart {
        handle, policy, dh_uaddr, dh_len, pad0, session_uaddr, session_len, pad1 });
    check_all!(abi, "struct kvm_sev_launch_update_data" => KvmSevLaunchUpdateData { uaddr, len, pad0 });
    check_all!(abi, "struct kvm_sev_launch_measure" => KvmSevLaunchMeasure { uaddr, len, pad0 });
    check_all!(abi, "struct kvm_sev_launch_secret" => KvmSevLaunchSecret {
        hdr_uaddr, hdr_len, pad0, guest_uaddr, guest_len, pad1, trans_uaddr, trans_len, pad2 });
    check_all!(abi, "struct kvm_sev_send_update_data" => KvmSevSendUpdateData {
        hdr_uaddr, hdr_len, pad0, guest_uaddr, guest_len, pad1, trans_uaddr, trans_len, pad2 });
    check_all!(abi, "struct kvm_sev_receive_update_data" => KvmSevReceiveUpdateData {
        hdr_uaddr, hdr_len, pad0, guest_uaddr, guest_len, pad1, trans_uaddr, trans_len, pad2 });
    check_all!(abi, "struct kvm_sev_guest_status" => KvmSevGuestStatus { handle, policy, state });
    check_all!(abi, "struct kvm_sev_dbg" => KvmSevDbg { src_uaddr, dst_uaddr, len, pad0 });
    check_all!(abi, "struct kvm_sev_attestation_report" => KvmSevAttestationReport { mnonce, uaddr, len, pad0 });
    check_all!(abi, "struct kvm_sev_send_start" => KvmSevSendStart {
        policy, pad0, pdh_cert_uaddr, pdh_cert_len, pad1, plat_certs_uaddr, plat_certs_len, pad2,
        amd_certs_uaddr, amd_certs_len, pad3, session_uaddr, session_len, pad4 });
    check_all!(abi, "struct kvm_sev_receive_start" => KvmSevReceiveStart {
        handle, policy, pdh_uaddr, pdh_len, pad0, session_uaddr, session_len, pad1 });
}

#[test]
fn kvm_page_type_values_match_the_kernel_constants() {
    let abi = abi();
    let k = |n: &str| -> u8 { abi.consts[n].parse().unwrap() };
    assert_eq!(
        k("KVM_SEV_PAGE_TYPE_INVALID"),
        sev_types::launch::snp::KVM_PAGE_TYPE_INVALID
    );
    assert_eq!(KvmPageType::from_raw(k("KVM_SEV_PAGE_TYPE_INVALID")), None);
    for (name, t) in [
        ("KVM_SEV_SNP_PAGE_TYPE_NORMAL", KvmPageType::Normal),
        ("KVM_SEV_SNP_PAGE_TYPE_ZERO", KvmPageType::Zero),
        ("KVM_SEV_SNP_PAGE_TYPE_UNMEASURED", KvmPageType::Unmeasured),
        ("KVM_SEV_SNP_PAGE_TYPE_SECRETS", KvmPageType::Secrets),
        ("KVM_SEV_SNP_PAGE_TYPE_CPUID", KvmPageType::Cpuid),
    ] {
        assert_eq!(t.raw(), k(name), "{name}");
        assert_eq!(KvmPageType::from_raw(k(name)), Some(t), "{name}");
    }
    // The TSV notes that 0x2 (VMSA) is not accepted from userspace.
    assert_eq!(KvmPageType::from_raw(2), None);
    assert!(!PageType::Vmsa.is_kvm_accepted());
    assert_eq!(KvmPageType::ALL.len(), PageType::ALL.len() - 1);
}

#[test]
fn snp_firmware_page_types_match_the_spec() {
    // snp-launch.md §3 page-type table.
    let want = [
        (1, "NORMAL"),
        (2, "VMSA"),
        (3, "ZERO"),
        (4, "UNMEASURED"),
        (5, "SECRETS"),
        (6, "CPUID"),
    ];
    assert_eq!(PageType::ALL.len(), want.len());
    for (v, name) in want {
        assert_eq!(PageType::from_raw(v).name(), name);
        assert_eq!(PageType::from_raw(v).raw(), v);
    }
    assert_eq!(PageType::from_raw(0), PageType::Unknown(0));
    assert_eq!(PageType::from_raw(7), PageType::Unknown(7));
}

#[test]
fn snp_firmware_buffers_match_the_spec() {
    // snp-launch.md §2, §3, §6.
    assert_eq!(size_of::<SnpLaunchStart>(), 0x30);
    assert_eq!(
        [
            offset_of!(SnpLaunchStart, policy),
            offset_of!(SnpLaunchStart, ma_gctx_paddr),
            offset_of!(SnpLaunchStart, flags)
        ],
        [0x08, 0x10, 0x18]
    );
    assert_eq!(
        (
            offset_of!(SnpLaunchStart, desired_tsc_freq),
            offset_of!(SnpLaunchStart, gosvw)
        ),
        (0x1C, 0x20)
    );
    assert_eq!(size_of::<SnpLaunchUpdate>(), 0x20);
    assert_eq!(
        [
            offset_of!(SnpLaunchUpdate, page_info),
            offset_of!(SnpLaunchUpdate, paddr),
            offset_of!(SnpLaunchUpdate, vmpl1_perms),
            offset_of!(SnpLaunchUpdate, vmpl2_perms),
            offset_of!(SnpLaunchUpdate, vmpl3_perms),
        ],
        [0x08, 0x10, 0x19, 0x1A, 0x1B]
    );
    assert_eq!(size_of::<SnpLaunchFinish>(), 0x40);
    assert_eq!(
        [
            offset_of!(SnpLaunchFinish, id_block_paddr),
            offset_of!(SnpLaunchFinish, id_auth_paddr),
            offset_of!(SnpLaunchFinish, flags),
            offset_of!(SnpLaunchFinish, host_data)
        ],
        [0x08, 0x10, 0x18, 0x20]
    );
    // §7, §8, §5.
    assert_eq!(size_of::<IdBlock>(), 0x60);
    assert_eq!(
        (
            offset_of!(IdBlock, version),
            offset_of!(IdBlock, guest_svn),
            offset_of!(IdBlock, policy)
        ),
        (0x50, 0x54, 0x58)
    );
    assert_eq!(size_of::<IdAuthInfo>(), 0x1000);
    assert_eq!(
        [
            offset_of!(IdAuthInfo, id_block_sig),
            offset_of!(IdAuthInfo, id_key),
            offset_of!(IdAuthInfo, id_key_sig),
            offset_of!(IdAuthInfo, author_key)
        ],
        [0x040, 0x240, 0x680, 0x880]
    );
    assert_eq!(
        (
            size_of::<CpuidPageHeader>(),
            size_of::<CpuidEntry>(),
            size_of::<CpuidPage>()
        ),
        (0x10, 48, 0x1000)
    );
    assert_eq!(
        (
            offset_of!(CpuidEntry, eax),
            offset_of!(CpuidEntry, edx),
            offset_of!(CpuidEntry, reserved)
        ),
        (0x18, 0x24, 0x28)
    );
}

#[test]
fn snp_launch_update_packs_the_page_info_word() {
    use sev_types::launch::snp::PageSize;
    let u = SnpLaunchUpdate::new(0x1000, 0x2000, PageType::Vmsa, PageSize::Size2M)
        .with_imi_page(true)
        .with_vmpl_perms(1, 2, 3);
    let bytes = zerocopy::IntoBytes::as_bytes(&u);
    // bit 0 PAGE_SIZE, bits 3:1 PAGE_TYPE, bit 4 IMI_PAGE (snp-launch.md §3)
    assert_eq!(bytes[0x08], (1 << 4) | (2 << 1) | 1);
    assert_eq!(&bytes[0x19..0x1C], &[1, 2, 3]);
    assert_eq!(
        (u.page_type(), u.page_size(), u.imi_page()),
        (PageType::Vmsa, PageSize::Size2M, true)
    );
    let finish = SnpLaunchFinish::new(0, [0; 32])
        .with_id_block(0x10, 0x20, true)
        .with_vcek_disabled(true);
    assert_eq!(finish.flags.get(), 0b111); // ID_BLOCK_EN | AUTH_KEY_EN | VCEK_DISABLED (§6)
    let kvm = KvmSnpLaunchFinish::new([7; 32])
        .with_id_block(0x10, 0x20, true)
        .with_vcek_disabled(true);
    assert_eq!(kvm.firmware_flags(), finish.flags());
    let kb = zerocopy::IntoBytes::as_bytes(&kvm);
    assert_eq!((kb[16], kb[17], kb[18], kb[19], kb[50], kb[51]), (1, 1, 1, 7, 7, 0));
}

#[test]
fn sev_firmware_buffers_match_the_spec() {
    // sev-legacy.md §6.
    assert_eq!(size_of::<LaunchStart>(), 0x24);
    assert_eq!(
        [
            offset_of!(LaunchStart, dh_cert_paddr),
            offset_of!(LaunchStart, dh_cert_len),
            offset_of!(LaunchStart, session_paddr),
            offset_of!(LaunchStart, session_len)
        ],
        [0x08, 0x10, 0x18, 0x20]
    );
    assert_eq!(
        (
            size_of::<LaunchUpdate>(),
            offset_of!(LaunchUpdate, paddr),
            offset_of!(LaunchUpdate, len)
        ),
        (0x14, 0x08, 0x10)
    );
    assert_eq!(size_of::<LaunchSecret>(), 0x34);
    assert_eq!(
        [
            offset_of!(LaunchSecret, hdr_paddr),
            offset_of!(LaunchSecret, hdr_len),
            offset_of!(LaunchSecret, guest_paddr),
            offset_of!(LaunchSecret, guest_len),
            offset_of!(LaunchSecret, trans_paddr),
            offset_of!(LaunchSecret, trans_len)
        ],
        [0x08, 0x10, 0x18, 0x20, 0x28, 0x30]
    );
    assert_eq!(size_of::<AttestationCmd>(), 0x24);
    assert_eq!(
        (offset_of!(AttestationCmd, mnonce), offset_of!(AttestationCmd, len)),
        (0x10, 0x20)
    );
    assert_eq!(size_of::<Session>(), 0x80);
    assert_eq!(
        [
            offset_of!(Session, wrap_tk),
            offset_of!(Session, wrap_iv),
            offset_of!(Session, wrap_mac),
            offset_of!(Session, policy_mac)
        ],
        [0x10, 0x30, 0x40, 0x60]
    );
    assert_eq!(
        (size_of::<LaunchMeasurement>(), offset_of!(LaunchMeasurement, mnonce)),
        (0x30, 0x20)
    );
    assert_eq!(size_of::<LaunchSecretHeader>(), 0x34);
    assert_eq!(
        (offset_of!(LaunchSecretHeader, iv), offset_of!(LaunchSecretHeader, mac)),
        (0x04, 0x14)
    );
    assert_eq!(size_of::<RawAttestationReport>(), 0xD0);
    assert_eq!(
        [
            offset_of!(RawAttestationReport, launch_digest),
            offset_of!(RawAttestationReport, policy),
            offset_of!(RawAttestationReport, sig_usage),
            offset_of!(RawAttestationReport, sig_algo),
            offset_of!(RawAttestationReport, sig_r)
        ],
        [0x10, 0x30, 0x34, 0x38, 0x40]
    );
    // §3, §4.
    assert_eq!(size_of::<RawSevCertificate>(), 0x824);
    assert_eq!(
        [
            offset_of!(RawSevCertificate, pubkey_usage),
            offset_of!(RawSevCertificate, pubkey_algo),
            offset_of!(RawSevCertificate, pubkey),
            offset_of!(RawSevCertificate, sig1),
            offset_of!(RawSevCertificate, sig2)
        ],
        [0x008, 0x00C, 0x010, 0x414, 0x61C]
    );
    assert_eq!(size_of::<RawSignatureSlot>(), 0x208);
    assert_eq!(
        (size_of::<RawRsaPublicKey>(), offset_of!(RawRsaPublicKey, modulus)),
        (0x404, 0x204)
    );
    assert_eq!(size_of::<AmdCertHeader>(), 0x40);
    assert_eq!(
        [
            offset_of!(AmdCertHeader, key_usage),
            offset_of!(AmdCertHeader, pubexp_size),
            offset_of!(AmdCertHeader, modulus_size)
        ],
        [0x24, 0x38, 0x3C]
    );
}
