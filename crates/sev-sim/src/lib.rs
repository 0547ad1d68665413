//! A software model of the AMD secure processor, for tests without SEV hardware.
//!
//! Everything it signs is signed with *test* keys committed in this crate: a fake AMD PKI
//! (ARK, ASK, ASVK, VCEK, VLEK) that no real verifier trusts. It plugs in under the same seams
//! as the real devices ([`sev_sys::GuestTransport`], [`sev_sys::TsmFs`]), so the code above the
//! seam is the code under test.
