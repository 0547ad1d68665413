//! Runs a test body once per enabled crypto backend, rustls style: `per_backend!(name, ...)`
//! turns each `fn name(provider: &CryptoProvider)` into one `#[test]` per backend module.

macro_rules! per_backend {
    ($($test:ident),* $(,)?) => {
        #[cfg(feature = "aws-lc")]
        mod aws_lc {
            $( #[test] fn $test() { super::$test(&sev_verify::crypto::aws_lc::provider()) } )*
        }
        #[cfg(feature = "ring")]
        mod ring {
            $( #[test] fn $test() { super::$test(&sev_verify::crypto::ring::provider()) } )*
        }
        #[cfg(feature = "rustcrypto")]
        mod rustcrypto {
            $( #[test] fn $test() { super::$test(&sev_verify::crypto::rustcrypto::provider()) } )*
        }
    };
}
