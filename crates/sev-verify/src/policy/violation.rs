//! One broken policy rule, with what was expected and what was found.

use alloc::string::String;
use core::fmt;

/// Where the offending value comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum Origin {
    /// A field of the attestation report.
    Report,
    /// A field of the VCEK or VLEK certificate (for example the VLEK's cspID).
    Certificate,
}

/// A policy rule that the evidence does not satisfy.
///
/// `Display` reads "report field MEASUREMENT is 00…, expected one of: b07a…".
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Violation {
    /// Where the value comes from.
    pub origin: Origin,
    /// The field, in the report's own naming (`REPORTED_TCB.microcode`, `POLICY.DEBUG`, ...).
    pub field: &'static str,
    /// What the policy requires, in words.
    pub expected: String,
    /// The value found.
    pub found: String,
}

impl Violation {
    /// A violation of a report field.
    pub fn report(field: &'static str, expected: impl Into<String>, found: impl Into<String>) -> Self {
        Violation {
            origin: Origin::Report,
            field,
            expected: expected.into(),
            found: found.into(),
        }
    }

    /// A violation of a certificate field.
    pub fn certificate(field: &'static str, expected: impl Into<String>, found: impl Into<String>) -> Self {
        Violation {
            origin: Origin::Certificate,
            field,
            expected: expected.into(),
            found: found.into(),
        }
    }
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let origin = match self.origin {
            Origin::Report => "report",
            Origin::Certificate => "certificate",
        };
        write!(
            f,
            "{origin} field {} is {}, expected {}",
            self.field, self.found, self.expected
        )
    }
}

impl core::error::Error for Violation {}
