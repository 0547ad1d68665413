//! Checks every structure, field, bitfield, ioctl number and constant of `sev_sys::uapi` and
//! `sev_sys::ioctls`, and of the `sev_types` payloads their ioctls carry (by kernel name),
//! against the kernel facts in `fixtures/abi/linux-sev-uapi.tsv`, and fails
//! if a TSV row has no counterpart here (unless it is allow-listed with a reason) or if a
//! constant defined in the crate is missing from the table below.
#![cfg(target_os = "linux")]

use std::collections::{BTreeMap, BTreeSet};
use std::mem::{align_of, offset_of, size_of, size_of_val};

use sev_sys::ioctls::*;
use sev_sys::uapi::*;
use sev_types::guest::VlekHashstick;
use sev_types::guest::hashstick::HASHSTICK_LEN;
use sev_types::guest::sev_guest::{SnpDerivedKeyReq, SnpDerivedKeyResp, SnpExtReportReq, SnpReportReq, SnpReportResp};
use sev_types::launch::sev::{
    KvmSevAttestationReport, KvmSevDbg, KvmSevGuestStatus, KvmSevLaunchMeasure, KvmSevLaunchSecret, KvmSevLaunchStart,
    KvmSevLaunchUpdateData, KvmSevReceiveStart, KvmSevReceiveUpdateData, KvmSevSendStart, KvmSevSendUpdateData,
};
use sev_types::launch::snp::{KvmSevInit, KvmSnpLaunchFinish, KvmSnpLaunchStart, KvmSnpLaunchUpdate};
use sev_types::platform::user_data::{
    SevUserDataGetId2, SevUserDataPdhCertExport, SevUserDataPekCertImport, SevUserDataPekCsr, SevUserDataSnpVlekLoad,
};
use sev_types::platform::{
    GetId, MaskId, SevUserDataStatus, SnpConfig, SnpPlatformFlags, SnpPlatformStatus, SnpStatusBits,
};
use sev_types::status::{ExitInfo2, FirmwareStatus, VmmError};
use zerocopy::{FromZeros, IntoBytes};

const TSV: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/abi/linux-sev-uapi.tsv");

struct Row {
    kind: String,
    header: String,
    name: String,
    parent: String,
    value: String,
    size: String,
    note: String,
}

fn rows() -> Vec<Row> {
    let text = std::fs::read_to_string(TSV).expect("read the ABI TSV");
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate().skip(1) {
        let c: Vec<&str> = line.split('\t').collect();
        assert!(c.len() >= 6, "line {}: {} columns", i + 1, c.len());
        out.push(Row {
            kind: c[0].into(),
            header: c[1].into(),
            name: c[2].into(),
            parent: c[3].into(),
            value: c[4].into(),
            size: c[5].into(),
            note: c.get(6).copied().unwrap_or_default().into(),
        });
    }
    assert!(out.len() > 400, "TSV looks truncated: {} rows", out.len());
    out
}

fn num(s: &str) -> i128 {
    match s.strip_prefix("0x") {
        Some(h) => i128::from_str_radix(h, 16).unwrap(),
        None => s.parse().unwrap_or_else(|_| panic!("not a number: {s:?}")),
    }
}

/// One structure as the workspace lays it out: the ioctl envelopes of `sev_sys::uapi` and the
/// payloads of `sev_types`.
struct Layout {
    name: &'static str,
    size: usize,
    align: usize,
    /// A `sev_types` payload: byte-aligned with little-endian fields (the kernel copies it with
    /// `copy_from_user`, which needs no alignment).
    wire: bool,
    /// (TSV field name, byte offset, byte size)
    fields: Vec<(String, usize, usize)>,
}

impl Layout {
    /// Adds a field the Rust type spells as several fields (or none): a byte span.
    fn span(mut self, name: &str, offset: usize, size: usize) -> Self {
        self.fields.push((name.to_string(), offset, size));
        self
    }
}

/// `layout!("struct k" => Ty { field, rust_name => "kernel_name", .. })`.
macro_rules! layout {
    ($kname:literal => $ty:ty { $($f:ident $(=> $tsv:literal)?),* $(,)? }) => {
        Layout {
            name: $kname,
            size: size_of::<$ty>(),
            align: align_of::<$ty>(),
            wire: std::any::type_name::<$ty>().starts_with("sev_types::"),
            fields: vec![$((
                layout!(@name $f $($tsv)?),
                offset_of!($ty, $f),
                { let v = <$ty>::new_zeroed(); size_of_val(&{ v.$f }) },
            )),*],
        }
    };
    (@name $f:ident) => { stringify!($f).trim_end_matches('_').to_string() };
    (@name $f:ident $tsv:literal) => { $tsv.to_string() };
}

fn layouts() -> Vec<Layout> {
    vec![
        layout!("struct sev_issue_cmd" => SevIssueCmd { cmd, data, error }),
        layout!("struct sev_user_data_status" => SevUserDataStatus {
            api_major, api_minor, state, flags, build, guest_count }),
        layout!("struct sev_user_data_pek_csr" => SevUserDataPekCsr { address, length }),
        layout!("struct sev_user_data_pek_cert_import" => SevUserDataPekCertImport {
            pek_cert_address, pek_cert_len, oca_cert_address, oca_cert_len }),
        layout!("struct sev_user_data_pdh_cert_export" => SevUserDataPdhCertExport {
            pdh_cert_address, pdh_cert_len, cert_chain_address, cert_chain_len }),
        layout!("struct sev_user_data_get_id" => GetId { socket1, socket2 }),
        layout!("struct sev_user_data_get_id2" => SevUserDataGetId2 { address, length }),
        layout!("struct sev_user_data_snp_status" => SnpPlatformStatus {
            api_major, api_minor, state, status_bits, build_id, flags, guest_count,
            current_tcb => "current_tcb_version", reported_tcb => "reported_tcb_version" }),
        layout!("struct sev_user_data_snp_config" => SnpConfig { reported_tcb, mask_id, reserved => "rsvd1" }),
        layout!("struct sev_user_data_snp_vlek_load" => SevUserDataSnpVlekLoad {
            len, vlek_wrapped_version, rsvd, vlek_wrapped_address }),
        // The kernel treats the hashstick as 432 opaque bytes; sev_types names its parts.
        layout!("struct sev_user_data_snp_wrapped_vlek_hashstick" => VlekHashstick {}).span(
            "data",
            0,
            size_of::<VlekHashstick>(),
        ),
        // The kernel's rsvd[28] is the firmware's KEY_SEL word and reserved bytes.
        layout!("struct snp_report_req" => SnpReportReq { report_data => "user_data", vmpl }).span(
            "rsvd",
            offset_of!(SnpReportReq, key_sel),
            size_of::<SnpReportReq>() - offset_of!(SnpReportReq, key_sel),
        ),
        // The kernel's data[4000]: sev_types names the MSG_REPORT_RSP header and the rest.
        layout!("struct snp_report_resp" => SnpReportResp {}).span("data", 0, size_of::<SnpReportResp>()),
        layout!("struct snp_derived_key_req" => SnpDerivedKeyReq {
            root_key_select, reserved_004 => "rsvd", guest_field_select, vmpl, guest_svn, tcb_version }),
        // The kernel's data[64]: sev_types names the MSG_KEY_RSP status, reserved bytes and key.
        layout!("struct snp_derived_key_resp" => SnpDerivedKeyResp {}).span("data", 0, size_of::<SnpDerivedKeyResp>()),
        layout!("struct snp_guest_request_ioctl" => SnpGuestRequestIoctl {
            msg_version, _pad, req_data, resp_data, exitinfo2 }),
        layout!("struct snp_ext_report_req" => SnpExtReportReq { data, certs_address, certs_len, pad }),
        layout!("struct kvm_sev_cmd" => KvmSevCmd { id, pad0, data, error, sev_fd }),
        layout!("struct kvm_sev_init" => KvmSevInit { vmsa_features, flags, ghcb_version, pad1, pad2 }),
        layout!("struct kvm_sev_launch_start" => KvmSevLaunchStart {
            handle, policy, dh_uaddr, dh_len, pad0, session_uaddr, session_len, pad1 }),
        layout!("struct kvm_sev_launch_update_data" => KvmSevLaunchUpdateData { uaddr, len, pad0 }),
        layout!("struct kvm_sev_launch_secret" => KvmSevLaunchSecret {
            hdr_uaddr, hdr_len, pad0, guest_uaddr, guest_len, pad1, trans_uaddr, trans_len, pad2 }),
        layout!("struct kvm_sev_launch_measure" => KvmSevLaunchMeasure { uaddr, len, pad0 }),
        layout!("struct kvm_sev_guest_status" => KvmSevGuestStatus { handle, policy, state }),
        layout!("struct kvm_sev_dbg" => KvmSevDbg { src_uaddr, dst_uaddr, len, pad0 }),
        layout!("struct kvm_sev_attestation_report" => KvmSevAttestationReport { mnonce, uaddr, len, pad0 }),
        layout!("struct kvm_sev_send_start" => KvmSevSendStart {
            policy, pad0, pdh_cert_uaddr, pdh_cert_len, pad1, plat_certs_uaddr, plat_certs_len, pad2,
            amd_certs_uaddr, amd_certs_len, pad3, session_uaddr, session_len, pad4 }),
        layout!("struct kvm_sev_send_update_data" => KvmSevSendUpdateData {
            hdr_uaddr, hdr_len, pad0, guest_uaddr, guest_len, pad1, trans_uaddr, trans_len, pad2 }),
        layout!("struct kvm_sev_receive_start" => KvmSevReceiveStart {
            handle, policy, pdh_uaddr, pdh_len, pad0, session_uaddr, session_len, pad1 }),
        layout!("struct kvm_sev_receive_update_data" => KvmSevReceiveUpdateData {
            hdr_uaddr, hdr_len, pad0, guest_uaddr, guest_len, pad1, trans_uaddr, trans_len, pad2 }),
        layout!("struct kvm_sev_snp_launch_start" => KvmSnpLaunchStart { policy, gosvw, flags, pad0, pad1 }),
        layout!("struct kvm_sev_snp_launch_update" => KvmSnpLaunchUpdate {
            gfn_start, uaddr, len, page_type => "type", pad0, flags, pad1, pad2 }),
        layout!("struct kvm_sev_snp_launch_finish" => KvmSnpLaunchFinish {
            id_block_uaddr, id_auth_uaddr, id_block_en, auth_key_en, vcek_disabled, host_data, pad0, flags, pad1 }),
        layout!("struct kvm_userspace_memory_region" => KvmUserspaceMemoryRegion {
            slot, flags, guest_phys_addr, memory_size, userspace_addr }),
        layout!("struct kvm_userspace_memory_region2" => KvmUserspaceMemoryRegion2 {
            slot, flags, guest_phys_addr, memory_size, userspace_addr, guest_memfd_offset, guest_memfd, pad1, pad2 }),
        layout!("struct kvm_enc_region" => KvmEncRegion { addr, size }),
        layout!("struct kvm_memory_attributes" => KvmMemoryAttributes { address, size, attributes, flags }),
        layout!("struct kvm_create_guest_memfd" => KvmCreateGuestMemfd { size, flags, reserved }),
        layout!("struct kvm_pre_fault_memory" => KvmPreFaultMemory { gpa, size, flags, padding }),
        layout!("struct kvm_device_attr" => KvmDeviceAttr { flags, group, attr, addr }),
        layout!("struct kvm_enable_cap" => KvmEnableCap { cap, flags, args, pad }),
        layout!("struct kvm_exit_snp_req_certs" => KvmExitSnpReqCerts { gpa, npages, ret }),
    ]
}

/// Fields of ours that have no TSV row of their own, each with the reason.
const OUR_EXTRA_FIELDS: &[(&str, &str, &str)] = &[
    (
        "struct sev_user_data_snp_status",
        "status_bits",
        "storage byte of the is_rmp_initialized/rsvd bitfields",
    ),
    (
        "struct sev_user_data_snp_status",
        "flags",
        "storage word of the mask_chip_id..rsvd1 bitfields",
    ),
    (
        "struct sev_user_data_snp_config",
        "mask_id",
        "storage word of the mask_chip_id/mask_chip_key/rsvd bitfields",
    ),
    (
        "struct snp_guest_request_ioctl",
        "_pad",
        "the C struct's implicit 7 padding bytes, made explicit",
    ),
    (
        "struct snp_ext_report_req",
        "pad",
        "the C struct's implicit 4 tail padding bytes, made explicit",
    ),
];

/// TSV structures deliberately not modelled here.
const SKIPPED_STRUCTS: &[(&str, &str)] = &[
    (
        "struct snp_msg_report_resp_hdr",
        "kernel-internal firmware header; parsed from the response bytes",
    ),
    (
        "struct snp_msg_cert_entry",
        "firmware cert-table entry; sev_types::guest parses the table",
    ),
];

/// A bitfield as (storage field offset, mask, storage size in bytes).
fn bitfields() -> BTreeMap<(&'static str, &'static str), (usize, u64)> {
    type F = SnpPlatformFlags;
    let st = "struct sev_user_data_snp_status";
    let cf = "struct sev_user_data_snp_config";
    let rmp = offset_of!(SnpPlatformStatus, status_bits);
    let feat = offset_of!(SnpPlatformStatus, flags);
    let mask = offset_of!(SnpConfig, mask_id);
    // The kernel header names these bits; the rest of each word is its `rsvd*` bitfield.
    let linux_flags = F::MASK_CHIP_ID
        | F::MASK_CHIP_KEY
        | F::VLEK_EN
        | F::FEATURE_INFO
        | F::RAPL_DIS
        | F::CIPHERTEXT_HIDING_CAP
        | F::CIPHERTEXT_HIDING_EN;
    let rmp_init = SnpStatusBits::IS_RMP_INITIALIZED.bits();
    let masks = MaskId::MASK_CHIP_ID | MaskId::MASK_CHIP_KEY;
    let f = |flag: F| u64::from(flag.bits());
    BTreeMap::from([
        ((st, "is_rmp_initialized"), (rmp, u64::from(rmp_init))),
        ((st, "rsvd"), (rmp, u64::from(!rmp_init))),
        ((st, "mask_chip_id"), (feat, f(F::MASK_CHIP_ID))),
        ((st, "mask_chip_key"), (feat, f(F::MASK_CHIP_KEY))),
        ((st, "vlek_en"), (feat, f(F::VLEK_EN))),
        ((st, "feature_info"), (feat, f(F::FEATURE_INFO))),
        ((st, "rapl_dis"), (feat, f(F::RAPL_DIS))),
        ((st, "ciphertext_hiding_cap"), (feat, f(F::CIPHERTEXT_HIDING_CAP))),
        ((st, "ciphertext_hiding_en"), (feat, f(F::CIPHERTEXT_HIDING_EN))),
        ((st, "rsvd1"), (feat, u64::from(!linux_flags.bits()))),
        ((cf, "mask_chip_id"), (mask, u64::from(MaskId::MASK_CHIP_ID.bits()))),
        ((cf, "mask_chip_key"), (mask, u64::from(MaskId::MASK_CHIP_KEY.bits()))),
        ((cf, "rsvd"), (mask, u64::from(!masks.bits()))),
    ])
}

/// (offset, size) of the bytes a setter changes, found by writing all-ones into a zeroed value.
fn touched<T: IntoBytes + zerocopy::Immutable>(v: &T) -> (usize, usize) {
    let b = v.as_bytes();
    let first = b.iter().position(|&x| x != 0).expect("setter changed nothing");
    let last = b.iter().rposition(|&x| x != 0).unwrap();
    (first, last - first + 1)
}

/// Union halves modelled as accessors on one `u64`.
fn union_members() -> BTreeMap<(&'static str, &'static str), (usize, usize)> {
    let mut fw = SnpGuestRequestIoctl::new_zeroed();
    fw.set_fw_error(u32::MAX);
    let mut vmm = SnpGuestRequestIoctl::new_zeroed();
    vmm.set_vmm_error(u32::MAX);
    // The accessors must read back what the setters wrote, and nothing of the other half.
    assert_eq!((fw.fw_error(), fw.vmm_error()), (u32::MAX, 0));
    assert_eq!((vmm.fw_error(), vmm.vmm_error()), (0, u32::MAX));
    BTreeMap::from([
        (("struct snp_guest_request_ioctl", "fw_error"), touched(&fw)),
        (("struct snp_guest_request_ioctl", "vmm_error"), touched(&vmm)),
    ])
}

#[test]
fn every_struct_field_and_bitfield_matches_the_tsv() {
    let rows = rows();
    let ours: BTreeMap<&str, Layout> = layouts().into_iter().map(|l| (l.name, l)).collect();
    let bits = bitfields();
    let unions = union_members();
    let skipped: BTreeSet<&str> = SKIPPED_STRUCTS.iter().map(|s| s.0).collect();
    let mut seen_fields = BTreeSet::new();
    let mut seen_structs = BTreeSet::new();
    let mut checked = 0;

    for r in rows.iter().filter(|r| r.kind == "struct") {
        if skipped.contains(r.name.as_str()) {
            continue;
        }
        let l = ours
            .get(r.name.as_str())
            .unwrap_or_else(|| panic!("TSV {} has no Rust counterpart", r.name));
        seen_structs.insert(l.name);
        assert_eq!(l.size as i128, num(&r.size), "{}: size", r.name);
        let align: usize = r
            .note
            .strip_prefix("align=")
            .and_then(|a| a.split(';').next())
            .and_then(|a| a.parse().ok())
            .unwrap_or_else(|| panic!("{}: no align= in note {:?}", r.name, r.note));
        if l.wire {
            // A sev_types payload: byte-aligned by design; it must still tile like the C type.
            assert_eq!(l.align, 1, "{}: sev_types payloads are byte-aligned", r.name);
            assert_eq!(
                l.size % align,
                0,
                "{}: size is not a multiple of the C alignment",
                r.name
            );
        } else {
            assert_eq!(l.align, align, "{}: alignment", r.name);
        }
        checked += 1;
    }

    for r in rows.iter().filter(|r| r.kind == "field") {
        if skipped.contains(r.parent.as_str()) {
            continue;
        }
        let l = ours
            .get(r.parent.as_str())
            .unwrap_or_else(|| panic!("TSV field {}.{}: no struct", r.parent, r.name));
        let key = (l.name, r.name.as_str());
        if let Some(bit) = r.value.strip_prefix("bit ") {
            let (storage, mask) = *bits
                .get(&key)
                .unwrap_or_else(|| panic!("bitfield {}.{} not modelled", r.parent, r.name));
            let width: u32 = r.size.split(' ').next().unwrap().parse().unwrap();
            assert_eq!(
                mask >> mask.trailing_zeros(),
                (1u64 << width) - 1,
                "{}.{}: mask not contiguous",
                r.parent,
                r.name
            );
            assert_eq!(mask.count_ones(), width, "{}.{}: width", r.parent, r.name);
            let pos = storage as u32 * 8 + mask.trailing_zeros();
            assert_eq!(
                pos,
                bit.parse::<u32>().unwrap(),
                "{}.{}: bit position",
                r.parent,
                r.name
            );
        } else if let Some(&(off, size)) = unions.get(&key) {
            assert_eq!(
                (off as i128, size as i128),
                (num(&r.value), num(&r.size)),
                "{}.{}",
                r.parent,
                r.name
            );
        } else {
            let (_, off, size) = l
                .fields
                .iter()
                .find(|f| f.0 == r.name)
                .unwrap_or_else(|| panic!("TSV field {}.{} has no Rust counterpart", r.parent, r.name));
            assert_eq!(*off as i128, num(&r.value), "{}.{}: offset", r.parent, r.name);
            assert_eq!(*size as i128, num(&r.size), "{}.{}: size", r.parent, r.name);
        }
        seen_fields.insert((r.parent.clone(), r.name.clone()));
        checked += 1;
    }

    // The reverse direction: every field we declare is a TSV field or an explained extra.
    for l in ours.values() {
        assert!(seen_structs.contains(l.name), "{} is not in the TSV", l.name);
        for (f, _, _) in &l.fields {
            let explained = OUR_EXTRA_FIELDS.iter().any(|e| e.0 == l.name && e.1 == f);
            assert!(
                seen_fields.contains(&(l.name.to_string(), f.clone())) || explained,
                "{}.{f} is neither in the TSV nor explained",
                l.name
            );
        }
    }
    assert!(checked > 250, "only {checked} rows checked");
}

fn ioctl_table() -> Vec<(&'static str, u32)> {
    vec![
        ("SEV_ISSUE_CMD", SEV_ISSUE_CMD),
        ("SNP_GET_REPORT", SNP_GET_REPORT),
        ("SNP_GET_DERIVED_KEY", SNP_GET_DERIVED_KEY),
        ("SNP_GET_EXT_REPORT", SNP_GET_EXT_REPORT),
        ("KVM_GET_API_VERSION", KVM_GET_API_VERSION),
        ("KVM_CREATE_VM", KVM_CREATE_VM),
        ("KVM_CHECK_EXTENSION", KVM_CHECK_EXTENSION),
        ("KVM_CREATE_VCPU", KVM_CREATE_VCPU),
        ("KVM_RUN", KVM_RUN),
        ("KVM_SET_USER_MEMORY_REGION", KVM_SET_USER_MEMORY_REGION),
        ("KVM_SET_USER_MEMORY_REGION2", KVM_SET_USER_MEMORY_REGION2),
        ("KVM_ENABLE_CAP", KVM_ENABLE_CAP),
        ("KVM_SET_DEVICE_ATTR", KVM_SET_DEVICE_ATTR),
        ("KVM_GET_DEVICE_ATTR", KVM_GET_DEVICE_ATTR),
        ("KVM_HAS_DEVICE_ATTR", KVM_HAS_DEVICE_ATTR),
        ("KVM_MEMORY_ENCRYPT_OP", KVM_MEMORY_ENCRYPT_OP),
        ("KVM_MEMORY_ENCRYPT_REG_REGION", KVM_MEMORY_ENCRYPT_REG_REGION),
        ("KVM_MEMORY_ENCRYPT_UNREG_REGION", KVM_MEMORY_ENCRYPT_UNREG_REGION),
        ("KVM_SET_MEMORY_ATTRIBUTES", KVM_SET_MEMORY_ATTRIBUTES),
        ("KVM_CREATE_GUEST_MEMFD", KVM_CREATE_GUEST_MEMFD),
        ("KVM_PRE_FAULT_MEMORY", KVM_PRE_FAULT_MEMORY),
    ]
}

#[test]
fn every_ioctl_number_matches_the_tsv() {
    let ours: BTreeMap<&str, u32> = ioctl_table().into_iter().collect();
    let mut n = 0;
    for r in rows().iter().filter(|r| r.kind == "ioctl") {
        let v = *ours
            .get(r.name.as_str())
            .unwrap_or_else(|| panic!("TSV ioctl {} has no constant", r.name));
        assert_eq!(i128::from(v), num(&r.value), "{}: {v:#x} vs {}", r.name, r.value);
        assert_eq!(i128::from((v >> 16) & 0x3fff), num(&r.size), "{}: encoded size", r.name);
        n += 1;
    }
    assert_eq!(n, ours.len(), "every ioctl constant of ours is in the TSV");
}

/// Every `pub const` of ours, with its value.
fn const_table() -> Vec<(&'static str, i128)> {
    macro_rules! c {
        ($($n:ident),* $(,)?) => { vec![$((stringify!($n), $n as i128)),*] };
    }
    c![
        SEV_IOC_TYPE,
        SEV_FACTORY_RESET,
        SEV_PLATFORM_STATUS,
        SEV_PEK_GEN,
        SEV_PEK_CSR,
        SEV_PDH_GEN,
        SEV_PDH_CERT_EXPORT,
        SEV_PEK_CERT_IMPORT,
        SEV_GET_ID,
        SEV_GET_ID2,
        SNP_PLATFORM_STATUS,
        SNP_COMMIT,
        SNP_SET_CONFIG,
        SNP_VLEK_LOAD,
        SEV_MAX,
        SEV_STATUS_FLAGS_CONFIG_ES,
        SEV_STATE_UNINIT,
        SEV_STATE_INIT,
        SEV_STATE_WORKING,
        SNP_GUEST_REQ_IOC_TYPE,
        SNP_REPORT_USER_DATA_SIZE,
        SNP_GUEST_FW_ERR_MASK,
        SNP_GUEST_VMM_ERR_SHIFT,
        SNP_GUEST_VMM_ERR_INVALID_LEN,
        SNP_GUEST_VMM_ERR_BUSY,
        KVMIO,
        KVM_API_VERSION,
        KVM_MEM_LOG_DIRTY_PAGES,
        KVM_MEM_READONLY,
        KVM_MEM_GUEST_MEMFD,
        KVM_MEMORY_ATTRIBUTE_PRIVATE,
        GUEST_MEMFD_FLAG_MMAP,
        GUEST_MEMFD_FLAG_INIT_SHARED,
        KVM_EXIT_HYPERCALL,
        KVM_EXIT_SYSTEM_EVENT,
        KVM_EXIT_MEMORY_FAULT,
        KVM_EXIT_SNP_REQ_CERTS,
        KVM_SYSTEM_EVENT_SEV_TERM,
        KVM_MEMORY_EXIT_FLAG_PRIVATE,
        KVM_EXIT_HYPERCALL_LONG_MODE,
        KVM_CAP_DEVICE_CTRL,
        KVM_CAP_ENABLE_CAP_VM,
        KVM_CAP_VM_ATTRIBUTES,
        KVM_CAP_CHECK_EXTENSION_VM,
        KVM_CAP_VM_COPY_ENC_CONTEXT_FROM,
        KVM_CAP_EXIT_HYPERCALL,
        KVM_CAP_VM_MOVE_ENC_CONTEXT_FROM,
        KVM_CAP_SYS_ATTRIBUTES,
        KVM_CAP_USER_MEMORY2,
        KVM_CAP_MEMORY_FAULT_INFO,
        KVM_CAP_MEMORY_ATTRIBUTES,
        KVM_CAP_GUEST_MEMFD,
        KVM_CAP_VM_TYPES,
        KVM_CAP_PRE_FAULT_MEMORY,
        KVM_CAP_GUEST_MEMFD_FLAGS,
        KVM_X86_DEFAULT_VM,
        KVM_X86_SW_PROTECTED_VM,
        KVM_X86_SEV_VM,
        KVM_X86_SEV_ES_VM,
        KVM_X86_SNP_VM,
        KVM_X86_TDX_VM,
        KVM_X86_GRP_SYSTEM,
        KVM_X86_XCOMP_GUEST_SUPP,
        KVM_X86_GRP_SEV,
        KVM_X86_SEV_VMSA_FEATURES,
        KVM_X86_SNP_POLICY_BITS,
        KVM_X86_SEV_SNP_REQ_CERTS,
        KVM_SEV_INIT,
        KVM_SEV_ES_INIT,
        KVM_SEV_LAUNCH_START,
        KVM_SEV_LAUNCH_UPDATE_DATA,
        KVM_SEV_LAUNCH_UPDATE_VMSA,
        KVM_SEV_LAUNCH_SECRET,
        KVM_SEV_LAUNCH_MEASURE,
        KVM_SEV_LAUNCH_FINISH,
        KVM_SEV_SEND_START,
        KVM_SEV_SEND_UPDATE_DATA,
        KVM_SEV_SEND_UPDATE_VMSA,
        KVM_SEV_SEND_FINISH,
        KVM_SEV_RECEIVE_START,
        KVM_SEV_RECEIVE_UPDATE_DATA,
        KVM_SEV_RECEIVE_UPDATE_VMSA,
        KVM_SEV_RECEIVE_FINISH,
        KVM_SEV_GUEST_STATUS,
        KVM_SEV_DBG_DECRYPT,
        KVM_SEV_DBG_ENCRYPT,
        KVM_SEV_CERT_EXPORT,
        KVM_SEV_GET_ATTESTATION_REPORT,
        KVM_SEV_SEND_CANCEL,
        KVM_SEV_INIT2,
        KVM_SEV_SNP_LAUNCH_START,
        KVM_SEV_SNP_LAUNCH_UPDATE,
        KVM_SEV_SNP_LAUNCH_FINISH,
        KVM_SEV_SNP_ENABLE_REQ_CERTS,
        KVM_SEV_NR_MAX,
        KVM_SEV_PAGE_TYPE_INVALID,
        KVM_SEV_SNP_PAGE_TYPE_NORMAL,
        KVM_SEV_SNP_PAGE_TYPE_ZERO,
        KVM_SEV_SNP_PAGE_TYPE_UNMEASURED,
        KVM_SEV_SNP_PAGE_TYPE_SECRETS,
        KVM_SEV_SNP_PAGE_TYPE_CPUID,
        KVM_SEV_SNP_ID_BLOCK_SIZE,
        KVM_SEV_SNP_ID_AUTH_SIZE,
        KVM_SEV_SNP_FINISH_DATA_SIZE,
        TSM_REPORT_INBLOB_MAX,
        TSM_REPORT_OUTBLOB_MAX,
        TSM_REPORT_PRIVLEVEL_MAX,
        SEV_FW_BLOB_MAX_SIZE,
        SNP_REQ_MAX_RETRY_DURATION_S,
        SNP_REQ_RETRY_DELAY_S,
    ]
}

/// Constants of ours without a TSV `const` row, each checked against the TSV another way.
fn derived_consts(rows: &[Row]) -> Vec<(&'static str, i128, i128)> {
    let struct_size = |n: &str| num(&rows.iter().find(|r| r.kind == "struct" && r.name == n).unwrap().size);
    let field_size = |p: &str, n: &str| {
        num(&rows
            .iter()
            .find(|r| r.kind == "field" && r.parent == p && r.name == n)
            .unwrap()
            .size)
    };
    vec![
        (
            "HASHSTICK_LEN",
            HASHSTICK_LEN as i128,
            struct_size("struct sev_user_data_snp_wrapped_vlek_hashstick"),
        ),
        (
            "SNP_REPORT_RESP_SIZE",
            SNP_REPORT_RESP_SIZE as i128,
            field_size("struct snp_report_resp", "data"),
        ),
        (
            "SNP_DERIVED_KEY_RESP_SIZE",
            SNP_DERIVED_KEY_RESP_SIZE as i128,
            field_size("struct snp_derived_key_resp", "data"),
        ),
        // The TSV note says msg_version "must be non-zero (1)".
        ("SNP_GUEST_MSG_VERSION", SNP_GUEST_MSG_VERSION as i128, 1),
    ]
}

/// TSV `const` rows deliberately without a constant here.
const SKIPPED_CONSTS: &[(&str, &str)] = &[
    ("CERT_GUID_VCEK", "certificate-table GUIDs live in sev_types"),
    ("CERT_GUID_VLEK", "certificate-table GUIDs live in sev_types"),
    ("CERT_GUID_ASK", "certificate-table GUIDs live in sev_types"),
    ("CERT_GUID_ARK", "certificate-table GUIDs live in sev_types"),
];

#[test]
fn every_constant_matches_the_tsv() {
    let rows = rows();
    let ours: BTreeMap<&str, i128> = const_table().into_iter().collect();
    let mut used = BTreeSet::new();
    for r in rows.iter().filter(|r| r.kind == "const") {
        if SKIPPED_CONSTS.iter().any(|s| s.0 == r.name) {
            continue;
        }
        let expected = num(&r.value);
        let got = match r.name.as_str() {
            // Function-like macro rows: computed from our constants and sev_types' ExitInfo2.
            "SNP_GUEST_VMM_ERR(SNP_GUEST_VMM_ERR_INVALID_LEN)" => {
                let v = u64::from(SNP_GUEST_VMM_ERR_INVALID_LEN) << SNP_GUEST_VMM_ERR_SHIFT;
                assert_eq!(
                    v,
                    ExitInfo2::new(Some(VmmError::InvalidLength), FirmwareStatus::Success).0
                );
                i128::from(v)
            }
            "SNP_GUEST_VMM_ERR(SNP_GUEST_VMM_ERR_BUSY)" | "SNP_GUEST_ERR(SNP_GUEST_VMM_ERR_BUSY, 0)" => {
                let mut g = SnpGuestRequestIoctl::new(0, 0);
                g.set_vmm_error(SNP_GUEST_VMM_ERR_BUSY);
                assert_eq!(
                    g.exit_info2(),
                    ExitInfo2::new(Some(VmmError::Busy), FirmwareStatus::Success)
                );
                i128::from(g.exitinfo2)
            }
            "SNP_GUEST_FW_ERR(0xffffffffffffffff)" => {
                let mut g = SnpGuestRequestIoctl::new(0, 0);
                g.exitinfo2 = u64::MAX;
                i128::from(g.fw_error())
            }
            n => {
                used.insert(n.to_string());
                *ours
                    .get(n)
                    .unwrap_or_else(|| panic!("TSV const {n} ({}) has no Rust constant", r.header))
            }
        };
        assert_eq!(got, expected, "{}", r.name);
    }
    for n in ours.keys() {
        assert!(used.contains(*n), "our constant {n} is not in the TSV");
    }
    for (n, ours, tsv) in derived_consts(&rows) {
        assert_eq!(ours, tsv, "{n}");
    }
}

#[test]
fn every_sev_ret_code_is_a_named_firmware_status() {
    let rows = rows();
    let mut named = BTreeSet::new();
    for r in rows.iter().filter(|r| r.kind == "errcode") {
        if r.name == "SEV_RET_MAX" {
            // One past the last code; moves between kernel versions, deliberately not modelled.
            assert_eq!(num(&r.value), 64);
            continue;
        }
        let code = num(&r.value) as i32 as u32; // -1 is SEV_RET_NO_FW_CALL = 0xFFFF_FFFF
        let s = FirmwareStatus::from_code(code);
        assert!(
            !matches!(s, FirmwareStatus::Unknown(_)),
            "{} ({code:#x}) is unnamed",
            r.name
        );
        let name = r.name.strip_prefix("SEV_RET_").unwrap();
        let name = if name == "INAVLID_CONFIG" {
            "INVALID_CONFIG"
        } else {
            name
        };
        assert_eq!(s.name(), name, "{code:#x}");
        named.insert(code);
    }
    for s in FirmwareStatus::ALL {
        assert!(named.contains(&s.code()), "{} is not in the TSV", s.name());
    }
}

/// Every top-level `pub const` in the crate's uapi and ioctls sources is in one of the tables.
#[test]
fn no_constant_escapes_the_tables() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src");
    let mut known: BTreeSet<String> = const_table().iter().map(|c| c.0.to_string()).collect();
    known.extend(ioctl_table().iter().map(|c| c.0.to_string()));
    // HASHSTICK_LEN is sev_types' constant, checked in derived_consts but not defined here.
    known.extend(
        derived_consts(&rows())
            .iter()
            .filter(|c| c.0 != "HASHSTICK_LEN")
            .map(|c| c.0.to_string()),
    );
    let mut found = 0;
    for file in [
        "uapi/psp_sev.rs",
        "uapi/sev_guest.rs",
        "uapi/kvm.rs",
        "uapi/tsm.rs",
        "ioctls.rs",
    ] {
        let text = std::fs::read_to_string(format!("{dir}/{file}")).unwrap();
        for line in text.lines() {
            if let Some(rest) = line.strip_prefix("pub const ") {
                let name = rest.split(':').next().unwrap();
                assert!(known.contains(name), "{file}: {name} is not checked against the TSV");
                found += 1;
            }
        }
    }
    assert_eq!(
        found,
        known.len(),
        "tables list constants that the sources do not define"
    );
}
