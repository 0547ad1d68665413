//! Pure-Rust AES-128-CTR (RustCrypto `aes` + `ctr`), used by the backends without a raw
//! AES-CTR API of their own: ring exposes AES only inside its AEADs.

use super::CryptoError;
use ctr::cipher::{KeyIvInit, StreamCipher};

/// AES-128-CTR with a 128-bit big-endian counter, in place.
pub(crate) fn aes128_ctr(key: &[u8; 16], counter: &[u8; 16], data: &mut [u8]) -> Result<(), CryptoError> {
    let mut cipher = ctr::Ctr128BE::<aes::Aes128>::new(key.into(), counter.into());
    cipher.try_apply_keystream(data).map_err(|_| CryptoError::Backend)
}
