//! The signature and digest half of the aws-lc and ring backends, written once: aws-lc-rs
//! offers ring's API, so both backends expand this macro over their own crate.

/// Implements [`super::EcdsaP384Verifier`], [`super::RsaPssVerifier`] and [`super::Digests`] for
/// `$ty` with the ring-compatible crate `$krate`.
macro_rules! ring_api_impls {
    ($ty:ty, $krate:ident) => {
        impl $crate::crypto::EcdsaP384Verifier for $ty {
            fn verify(
                &self,
                public_key: &[u8],
                hash: $crate::crypto::HashAlg,
                msg: &[u8],
                r_s: &[u8; 96],
            ) -> Result<(), $crate::crypto::BadSignature> {
                use ::$krate::signature;
                match hash {
                    $crate::crypto::HashAlg::Sha384 => {
                        signature::UnparsedPublicKey::new(&signature::ECDSA_P384_SHA384_FIXED, public_key)
                            .verify(msg, r_s)
                    }
                    $crate::crypto::HashAlg::Sha256 => {
                        let (der, len) = $crate::crypto::der_sig::encode(r_s);
                        signature::UnparsedPublicKey::new(&signature::ECDSA_P384_SHA256_ASN1, public_key)
                            .verify(msg, &der[..len])
                    }
                }
                .map_err(|_| $crate::crypto::BadSignature)
            }
        }

        impl $crate::crypto::RsaPssVerifier for $ty {
            fn verify(
                &self,
                modulus: &[u8],
                exponent: &[u8],
                hash: $crate::crypto::HashAlg,
                msg: &[u8],
                sig: &[u8],
            ) -> Result<(), $crate::crypto::BadSignature> {
                use ::$krate::signature;
                let params = match hash {
                    $crate::crypto::HashAlg::Sha256 => &signature::RSA_PSS_2048_8192_SHA256,
                    $crate::crypto::HashAlg::Sha384 => &signature::RSA_PSS_2048_8192_SHA384,
                };
                // The libraries reject non-minimal integers: drop leading zero bytes.
                let trim = |int: &[u8]| -> usize { int.iter().position(|&b| b != 0).unwrap_or(int.len()) };
                signature::RsaPublicKeyComponents {
                    n: &modulus[trim(modulus)..],
                    e: &exponent[trim(exponent)..],
                }
                .verify(params, msg, sig)
                .map_err(|_| $crate::crypto::BadSignature)
            }
        }

        impl $crate::crypto::Digests for $ty {
            fn sha256(&self, parts: &[&[u8]]) -> [u8; 32] {
                let mut ctx = ::$krate::digest::Context::new(&::$krate::digest::SHA256);
                parts.iter().for_each(|p| ctx.update(p));
                let mut out = [0u8; 32];
                out.copy_from_slice(ctx.finish().as_ref());
                out
            }

            fn sha384(&self, parts: &[&[u8]]) -> [u8; 48] {
                let mut ctx = ::$krate::digest::Context::new(&::$krate::digest::SHA384);
                parts.iter().for_each(|p| ctx.update(p));
                let mut out = [0u8; 48];
                out.copy_from_slice(ctx.finish().as_ref());
                out
            }

            fn hmac_sha256(&self, key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
                use ::$krate::hmac;
                let mut ctx = hmac::Context::with_key(&hmac::Key::new(hmac::HMAC_SHA256, key));
                parts.iter().for_each(|p| ctx.update(p));
                let mut out = [0u8; 32];
                out.copy_from_slice(ctx.sign().as_ref());
                out
            }
        }
    };
}
pub(crate) use ring_api_impls;
