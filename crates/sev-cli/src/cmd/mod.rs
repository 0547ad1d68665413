//! One module per top-level command.

pub mod guest;
pub mod host;
pub mod kds;
pub mod measure;
pub mod report;
pub mod verify;
