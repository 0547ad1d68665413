//! One module per top-level command.

pub mod docs;
pub mod guest;
pub mod host;
pub mod kds;
pub mod kds_fetch;
pub mod measure;
pub mod report;
pub mod verify;
