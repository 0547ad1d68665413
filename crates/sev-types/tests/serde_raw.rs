//! The raw wire structures serialize field by field, with values from the real fixtures.
#![cfg(feature = "serde")]

use sev_types::launch::page_info::PageInfo;
use sev_types::launch::vmsa::SaveArea;
use sev_types::report::RawReport;
use zerocopy::FromBytes;

#[test]
fn raw_report_serializes_every_field_as_received() {
    let bytes = include_bytes!("../../../fixtures/snp/turin/routex-v5/report.bin");
    let raw = RawReport::ref_from_bytes(bytes).unwrap();
    let v = serde_json::to_value(raw).unwrap();
    // Values from fixtures/snp/reports.json for this report.
    assert_eq!(v["body"]["version"], 5);
    assert_eq!(v["body"]["cpuid_fam_id"], 0x1a);
    assert_eq!(v["body"]["reported_tcb"], "0x4700000002000100");
    assert_eq!(v["body"]["platform_info"]["raw"], 0x67);
    assert_eq!(
        v["body"]["measurement"],
        "f924dd18f168df60fbea937f0b086284d51b1b376de872bac43694f61134d57967c318018de7335503023dbb50dee624"
    );
    assert_eq!(v["body"]["reserved_208"].as_str().unwrap().len(), 2 * 152);
    assert!(v["signature"]["r"].as_str().unwrap().starts_with("9bf75594b1b5c1f5"));
}

#[test]
fn vmsa_and_page_info_serialize_by_field_name() {
    let mut page = vec![0u8; 0x1000];
    page[0x178..0x180].copy_from_slice(&0xfff0u64.to_le_bytes()); // RIP (measurement.md §5.1)
    let vmsa = SaveArea::ref_from_bytes(&page).unwrap();
    let v = serde_json::to_value(vmsa).unwrap();
    assert_eq!(v["rip"], "f0ff000000000000");
    let info = PageInfo::ref_from_bytes(&[0u8; 0x70]).unwrap();
    let v = serde_json::to_value(info).unwrap();
    assert_eq!(v["gpa"], 0);
    assert_eq!(v["contents"].as_str().unwrap().len(), 96);
}
