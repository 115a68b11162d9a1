//! JSON Schema for the values that travel as text (`SEV-1`, `INC-42`, exact numbers): a
//! string with the pattern its parser accepts, so the published schema says what the reader
//! will refuse.

/// Implements `schemars::JsonSchema` for a type serialised as a string matching `pattern`.
macro_rules! string_schema {
    ($type:ty, $pattern:expr, $description:expr) => {
        impl schemars::JsonSchema for $type {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                stringify!($type).into()
            }

            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                schemars::json_schema!({
                    "type": "string",
                    "pattern": $pattern,
                    "description": $description
                })
            }
        }
    };
}
pub(crate) use string_schema;
