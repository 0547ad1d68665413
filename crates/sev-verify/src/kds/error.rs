//! Why a KDS request cannot be built, or a URL is not a KDS URL.

use alloc::string::String;

use sev_types::Product;

/// Why a [`super::KdsRequest`] cannot be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KdsError {
    /// KDS serves no SNP certificates for this product.
    #[error("KDS serves no SNP certificates for {0}; expected Milan, Genoa, Bergamo, Siena, Turin or later")]
    UnsupportedProduct(Product),
    /// The report names no product (v2 reports carry no CPUID) and none was given.
    #[error("the report does not name its product (report version {version}); give the product")]
    UnknownProduct {
        /// The report's version.
        version: u32,
    },
    /// The report's CHIP_ID is all zero, so it names no VCEK.
    #[error("the report's CHIP_ID is masked (all zero); fetch the VCEK from the host's certificate table instead")]
    MaskedChipId,
    /// The hwID has the wrong length for the product.
    #[error("hwID for {product} must be {expected} bytes, got {found}")]
    HwidLength {
        /// The product.
        product: Product,
        /// Required length.
        expected: usize,
        /// Given length.
        found: usize,
    },
    /// A 64-byte CHIP_ID given for an 8-byte-hwID product has non-zero bytes past the hwID.
    #[error("CHIP_ID for {product} must be zero after its first {hwid_len} bytes")]
    HwidTail {
        /// The product.
        product: Product,
        /// The hwID length.
        hwid_len: usize,
    },
    /// An FMC SPL was given for a product without one, or is missing for a product with one.
    #[error("{product} {} an FMC SPL", if *.required { "requires" } else { "has no" })]
    Fmc {
        /// The product.
        product: Product,
        /// Whether the product's TCB has an FMC SPL.
        required: bool,
    },
}

/// Why a string is not a KDS URL this crate understands.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum UrlError {
    /// The URL does not start with `https://`.
    #[error("KDS URLs use https://, got {found:?}")]
    Scheme {
        /// The start of the URL.
        found: String,
    },
    /// The host is not `kdsintf.amd.com`.
    #[error("host {found:?} is not kdsintf.amd.com")]
    Host {
        /// The host (and port) found.
        found: String,
    },
    /// The port is not 443 or 444.
    #[error("port {found:?} is not 443 or 444")]
    Port {
        /// The port text found.
        found: String,
    },
    /// The URL holds a character KDS URLs never use (`%`, `#`, `@`, `\`, space, control, non-ASCII).
    #[error("character {found:?} is not allowed in a KDS URL")]
    Character {
        /// The offending character.
        found: char,
    },
    /// The path is not one of the KDS endpoints.
    #[error(
        "path {found:?} is not a KDS endpoint; expected /vcek/v1/PRODUCT/HWID, /vlek/v1/PRODUCT/cert, /{{vcek,vlek}}/v1/PRODUCT/cert_chain or /{{vcek,vlek}}/v1/PRODUCT/crl"
    )]
    Path {
        /// The path found.
        found: String,
    },
    /// The product segment names no product KDS serves.
    #[error("product {found:?} is not a KDS product; expected Milan, Genoa or Turin")]
    Product {
        /// The segment found.
        found: String,
    },
    /// The hwID is not hex of the product's hwID length.
    #[error("hwID {found:?} is not {expected} hex digits")]
    Hwid {
        /// Required number of hex digits.
        expected: usize,
        /// The segment found.
        found: String,
    },
    /// A query parameter this endpoint does not take.
    #[error("unknown query parameter {found:?}")]
    UnknownParam {
        /// The parameter name found.
        found: String,
    },
    /// A query parameter appears twice.
    #[error("query parameter {name} appears more than once")]
    DuplicateParam {
        /// The parameter.
        name: &'static str,
    },
    /// A required query parameter is missing.
    #[error("query parameter {name} is missing")]
    MissingParam {
        /// The parameter.
        name: &'static str,
    },
    /// An SPL value is not a decimal number 0..=255.
    #[error("{name}={found:?} is not a decimal SPL 0..=255")]
    BadSpl {
        /// The parameter.
        name: &'static str,
        /// The value found.
        found: String,
    },
    /// A query string on an endpoint that takes none (cert_chain, crl).
    #[error("{endpoint} takes no query string")]
    UnexpectedQuery {
        /// The endpoint.
        endpoint: &'static str,
    },
}
