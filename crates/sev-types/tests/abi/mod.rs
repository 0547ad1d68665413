//! Shared by the ABI tests: rows of fixtures/abi/linux-sev-uapi.tsv, looked up by kind,
//! parent and name, and a macro that checks one field's offset and size against its row.
#![allow(dead_code, unused_macros)]

const TSV: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../fixtures/abi/linux-sev-uapi.tsv"
));

pub struct Row<'a> {
    pub kind: &'a str,
    pub name: &'a str,
    pub parent: &'a str,
    pub value: &'a str,
    pub size: &'a str,
}

pub fn rows() -> impl Iterator<Item = Row<'static>> {
    TSV.lines().skip(1).filter_map(|l| {
        let c: Vec<&str> = l.split('\t').collect();
        (c.len() >= 6).then(|| Row {
            kind: c[0],
            name: c[2],
            parent: c[3],
            value: c[4],
            size: c[5],
        })
    })
}

pub fn row(kind: &str, parent: &str, name: &str) -> Row<'static> {
    rows()
        .find(|r| r.kind == kind && r.parent == parent && r.name == name)
        .unwrap_or_else(|| panic!("no TSV {kind} row {parent}.{name}"))
}

pub fn struct_size(name: &str) -> usize {
    row("struct", "", &format!("struct {name}")).size.parse().unwrap()
}

pub fn field(parent: &str, name: &str) -> (usize, usize) {
    let r = row("field", &format!("struct {parent}"), name);
    (r.value.parse().unwrap(), r.size.parse().unwrap())
}

/// Bit position (from the start of the struct) of a one-bit bitfield row.
pub fn bitfield(parent: &str, name: &str) -> u32 {
    let r = row("field", &format!("struct {parent}"), name);
    assert_eq!(r.size, "1 bit", "{parent}.{name}");
    r.value.strip_prefix("bit ").unwrap().parse().unwrap()
}

/// The value column of a const row, as text (GUID rows hold strings).
pub fn constant_text(name: &str) -> &'static str {
    row("const", "", name).value
}

/// The value of a numeric const row.
pub fn constant(name: &str) -> u64 {
    constant_text(name).parse().unwrap()
}

macro_rules! field_size {
    ($ty:ty, $f:ident) => {{
        let v = <$ty>::new_zeroed();
        core::mem::size_of_val(&v.$f)
    }};
}

macro_rules! check_field {
    ($ty:ty, $linux:literal, $tsv_name:literal => $f:ident) => {{
        let (off, size) = field($linux, $tsv_name);
        assert_eq!(offset_of!($ty, $f), off, "{}.{} offset", $linux, $tsv_name);
        assert_eq!(field_size!($ty, $f), size, "{}.{} size", $linux, $tsv_name);
    }};
}
