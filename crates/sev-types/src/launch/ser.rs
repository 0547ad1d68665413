//! serde helpers shared by the launch and legacy views: byte fields as lowercase hex, AMD ECDSA
//! structures as `{r, s}` / `{curve, qx, qy}`, and a macro for field-by-field `Serialize` impls.

use serde::ser::{SerializeStruct, Serializer};

use crate::ecdsa::{EcdsaPublicKey, EcdsaSignature};

/// Serializes its bytes as one lowercase hex string.
pub(crate) struct HexBytes<'a>(pub &'a [u8]);

impl serde::Serialize for HexBytes<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        crate::fmt::serde_hex::serialize(&self.0, s)
    }
}

/// Serializes an AMD ECDSA signature as `{r, s}`, each little-endian hex as stored.
pub(crate) struct SigSer<'a>(pub &'a EcdsaSignature);

impl serde::Serialize for SigSer<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("EcdsaSignature", 2)?;
        st.serialize_field("r", &HexBytes(&self.0.r))?;
        st.serialize_field("s", &HexBytes(&self.0.s))?;
        st.end()
    }
}

/// Serializes an AMD ECDSA public key as `{curve, qx, qy}`, coordinates little-endian hex as stored.
pub(crate) struct KeySer<'a>(pub &'a EcdsaPublicKey);

impl serde::Serialize for KeySer<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("EcdsaPublicKey", 3)?;
        st.serialize_field("curve", &self.0.curve())?;
        st.serialize_field("qx", &HexBytes(&self.0.qx))?;
        st.serialize_field("qy", &HexBytes(&self.0.qy))?;
        st.end()
    }
}

/// Implements `Serialize` for a type as a struct whose fields are the given expressions.
macro_rules! serialize_fields {
    ($ty:ty, $name:literal, |$v:ident| { $($key:literal => $val:expr),* $(,)? }) => {
        impl serde::Serialize for $ty {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                use serde::ser::SerializeStruct as _;
                let $v = self;
                let mut st = s.serialize_struct($name, [$($key),*].len())?;
                $( st.serialize_field($key, &$val)?; )*
                st.end()
            }
        }
    };
}
pub(crate) use serialize_fields;
