//! Integer enums that stay open: CommBox and Chatwoot add values over time, so any integer
//! is accepted and kept, and the known ones have names and constants.

macro_rules! open_enum {
    (
        $(#[$meta:meta])*
        $name:ident { $( $(#[$cmeta:meta])* $konst:ident = $value:expr => $label:expr ),+ $(,)? }
    ) => {
        $(#[$meta])*
        ///
        /// In JSON it is written as its integer; it is read from the integer or from a
        /// documented name (`"open"`, `"In Process"`), so a request may say either.
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<$name, D::Error> {
                let from_name = |n: &str| $name::from_name(n).map($name::value);
                let known = || $name::KNOWN.iter().filter_map(|v| v.name()).collect::<Vec<_>>().join(", ");
                $crate::open_enum::deserialize_open(d, stringify!($name), from_name, known).map($name)
            }
        }

        impl schemars::JsonSchema for $name {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                stringify!($name).into()
            }

            fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
                if generator.contract().is_serialize() {
                    // Written as its integer only (records, and requests as they are sent).
                    let known: Vec<String> = $name::KNOWN
                        .iter()
                        .map(|v| format!("{} {}", v.0, v.name().unwrap_or("?")))
                        .collect();
                    let description = format!(
                        "{}: an integer (known: {}); other integers are kept as they came.",
                        stringify!($name),
                        known.join(", ")
                    );
                    return schemars::json_schema!({"type": "integer", "description": description});
                }
                let names: Vec<&str> = $name::KNOWN.iter().filter_map(|v| v.name()).collect();
                schemars::json_schema!({
                    "description": concat!("A ", stringify!($name), ": its integer, or one of its documented names."),
                    "anyOf": [{"type": "integer"}, {"type": "string", "enum": names}]
                })
            }
        }

        impl $name {
            $( $(#[$cmeta])* pub const $konst: $name = $name($value); )+

            /// Every named value, in numeric order.
            pub const KNOWN: &'static [$name] = &[ $( $name($value) ),+ ];

            /// The integer on the wire.
            pub const fn value(self) -> i64 {
                self.0
            }

            /// The documented name, or `None` for a value this version does not know.
            pub fn name(self) -> Option<&'static str> {
                match self.0 {
                    $( $value => Some($label), )+
                    _ => None,
                }
            }

            /// The value written as text: its integer (`"13"`) or its documented name
            /// (`"sent"`), as a request's JSON may give it; `field` names it in the error.
            ///
            /// # Errors
            ///
            /// A validation error naming `field` and listing the known names.
            pub fn from_text(field: &str, text: &str) -> $crate::Result<$name> {
                use serde::Deserialize as _;
                $name::deserialize(serde_json::Value::from(text))
                    .map_err(|e| $crate::Error::validation(field, e))
            }

            /// The value whose documented name is `name` (ASCII case and spaces ignored).
            pub fn from_name(name: &str) -> Option<$name> {
                let wanted: String = name
                    .chars()
                    .filter(|c| !c.is_whitespace() && *c != '_' && *c != '-')
                    .map(|c| c.to_ascii_lowercase())
                    .collect();
                Self::KNOWN.iter().copied().find(|v| {
                    v.name()
                        .map(|n| n.chars().filter(|c| !c.is_whitespace()).map(|c| c.to_ascii_lowercase()).eq(wanted.chars()))
                        .unwrap_or(false)
                })
            }
        }

        impl From<i64> for $name {
            fn from(v: i64) -> $name {
                $name(v)
            }
        }

        impl From<$name> for i64 {
            fn from(v: $name) -> i64 {
                v.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                match self.name() {
                    Some(n) => f.write_str(n),
                    None => write!(f, "Unknown({})", self.0),
                }
            }
        }

        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "{}({} = {})", stringify!($name), self, self.0)
            }
        }
    };
}

/// Reads an open enum from an integer or from a name that `from_name` knows; an unknown
/// name is an error listing the known ones.
pub(crate) fn deserialize_open<'de, D: serde::Deserializer<'de>>(
    d: D,
    what: &'static str,
    from_name: fn(&str) -> Option<i64>,
    known: fn() -> String,
) -> Result<i64, D::Error> {
    struct V {
        what: &'static str,
        from_name: fn(&str) -> Option<i64>,
        known: fn() -> String,
    }
    impl serde::de::Visitor<'_> for V {
        type Value = i64;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(f, "a {} (an integer or a name)", self.what)
        }
        fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<i64, E> {
            Ok(v)
        }
        fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<i64, E> {
            i64::try_from(v)
                .map_err(|_| E::custom(format!("{v} is out of range for a {}", self.what)))
        }
        fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<i64, E> {
            if let Ok(n) = v.trim().parse::<i64>() {
                return Ok(n);
            }
            (self.from_name)(v).ok_or_else(|| {
                E::custom(format!(
                    "unknown {} {v:?} (known: {})",
                    self.what,
                    (self.known)()
                ))
            })
        }
    }
    d.deserialize_any(V {
        what,
        from_name,
        known,
    })
}
