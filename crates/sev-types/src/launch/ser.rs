//! A macro for field-by-field `Serialize` impls, shared by the launch and legacy views.

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
