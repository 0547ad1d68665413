//! The ioctl envelopes of the Linux SEV / SEV-SNP userspace ABI, and its constants.
//!
//! The payloads the envelopes carry are `sev_types` values ([`sev_types::launch::sev`],
//! [`sev_types::launch::snp`], [`sev_types::platform`]); what stays here is how a command
//! reaches the kernel. Layouts follow the kernel headers for x86_64 (see
//! `fixtures/abi/linux-sev-uapi.tsv`):
//!
//! * [`psp_sev`]: `include/uapi/linux/psp-sev.h` (`/dev/sev`, all structures packed);
//! * [`sev_guest`]: `include/uapi/linux/sev-guest.h` (`/dev/sev-guest`);
//! * [`kvm`]: `kvm_sev_cmd` and the memslot, guest_memfd, memory-attribute, device-attribute
//!   and `enable_cap` structures of `linux/kvm.h` and `asm/kvm.h`;
//! * [`tsm`]: kernel-internal limits that shape the configfs-tsm and extended-report protocols.
//!
//! Every structure derives the [`zerocopy`] traits so a buffer can be viewed or built without
//! `unsafe`, and is followed by a `const` block asserting its size, alignment and every field
//! offset, so a wrong layout fails the build. Implicit padding of the C structs is spelled out
//! as `_pad*` fields so that every byte is initialised. Firmware status codes (`SEV_RET_*`) are
//! [`sev_types::status::FirmwareStatus`]; certificate-table GUIDs live in `sev_types`.
//!
//! Packed structures ([`psp_sev`]) must never have references taken to their fields; copy the
//! field out (`{ s.field }`) instead, as the compiler enforces.

/// Asserts at compile time a structure's size, alignment and field offsets.
macro_rules! assert_layout {
    ($ty:ty, size = $size:expr, align = $align:expr, { $($field:ident @ $off:expr),* $(,)? }) => {
        const _: () = {
            assert!(::core::mem::size_of::<$ty>() == $size);
            assert!(::core::mem::align_of::<$ty>() == $align);
            $( assert!(::core::mem::offset_of!($ty, $field) == $off); )*
        };
    };
}

pub mod kvm;
pub mod psp_sev;
pub mod sev_guest;
pub mod tsm;

pub use kvm::*;
pub use psp_sev::*;
pub use sev_guest::*;
pub use tsm::*;
