//! Enums of the glossary with a stable code (database, API) and a Chinese label (UI).

/// Declares a `Copy` enum whose variants each have a stable snake_case code and a Chinese label,
/// with `ALL`, `as_str`, `zh` and `parse` (which accepts either), and a JSON Schema of the codes.
#[macro_export]
macro_rules! labelled {
    ($(#[$meta:meta])* $vis:vis enum $name:ident { $($(#[$vmeta:meta])* $variant:ident = ($code:literal, $zh:literal)),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(rename_all = "snake_case")]
        $vis enum $name { $($(#[$vmeta])* $variant),+ }

        impl $name {
            /// Every variant, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stable snake_case code, as stored in the database and sent by the API.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            /// The Chinese label shown in the UI.
            pub fn zh(self) -> &'static str {
                match self { $($name::$variant => $zh),+ }
            }

            /// The variant whose code or Chinese label is `s`, if any.
            pub fn parse(s: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|v| v.as_str() == s || v.zh() == s)
            }

            /// (code, Chinese label) of every variant, for a form's choices.
            pub fn options() -> Vec<(&'static str, &'static str)> {
                Self::ALL.iter().map(|v| (v.as_str(), v.zh())).collect()
            }
        }

        // Written here, not derived, so that the schema lists the codes (what is sent: serde's
        // snake_case names of the variants are the codes) with their Chinese labels.
        impl ::schemars::JsonSchema for $name {
            fn schema_name() -> ::std::borrow::Cow<'static, str> {
                stringify!($name).into()
            }

            fn schema_id() -> ::std::borrow::Cow<'static, str> {
                concat!(module_path!(), "::", stringify!($name)).into()
            }

            fn json_schema(_: &mut ::schemars::SchemaGenerator) -> ::schemars::Schema {
                ::schemars::json_schema!({
                    "type": "string",
                    "enum": [$($code),+],
                    "description": ([$(concat!($code, ": ", $zh)),+].join("; ")),
                })
            }
        }
    };
}
