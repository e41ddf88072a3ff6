//! Reading the core's request types from their documented JSON forms.
//!
//! Every face that takes structured input (the C JSON entry points, Python keyword
//! arguments, `commbox batch` lines) goes through here, so a bad value is reported the same
//! way everywhere: a [`ErrorKind::Validation`](crate::ErrorKind::Validation) error whose
//! field is the JSON path (`to[1]`, `user.email`) and whose reason is what was wrong.

use crate::error::{Error, Result};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

/// Deserialises `value` as a `T`; `what` names the whole value when the error is about it
/// rather than about one of its fields (`conversation: expected an object`).
pub(crate) fn from_value<T: DeserializeOwned>(what: &str, value: Value) -> Result<T> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let field = if path == "." { what.to_owned() } else { path };
        Error::validation(field, e.into_inner())
    })
}

/// Parses JSON text and deserialises it as a `T` (see [`from_value`]).
pub(crate) fn from_str<T: DeserializeOwned>(what: &str, json: &str) -> Result<T> {
    from_value(what, parse(what, json)?)
}

/// [`from_value`] for a type whose JSON form is an object: anything else is refused naming
/// `what` (serde alone would also read a struct from an array of its members, in order).
pub(crate) fn from_object<T: DeserializeOwned>(what: &str, value: Value) -> Result<T> {
    from_value(what, Value::Object(object(what, value)?))
}

/// [`from_str`] for a type whose JSON form is an object (see [`from_object`]).
pub(crate) fn from_object_str<T: DeserializeOwned>(what: &str, json: &str) -> Result<T> {
    from_object(what, parse(what, json)?)
}

fn parse(what: &str, json: &str) -> Result<Value> {
    serde_json::from_str(json).map_err(|e| Error::validation(what, format!("not valid JSON: {e}")))
}

/// The object a request must be, or an error naming `what`.
pub(crate) fn object(what: &str, value: Value) -> Result<Map<String, Value>> {
    match value {
        Value::Object(map) => Ok(map),
        other => Err(Error::validation(
            what,
            format!("expected a JSON object, not {}", type_name(&other)),
        )),
    }
}

/// Moves the entries whose key is in `keys` out of `map` into a map of their own.
pub(crate) fn take_keys(map: &mut Map<String, Value>, keys: &[&str]) -> Map<String, Value> {
    keys.iter()
        .filter_map(|k| map.remove(*k).map(|v| ((*k).to_owned(), v)))
        .collect()
}

/// How a JSON value's type is called in error messages.
pub(crate) fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use serde_json::json;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Probe {
        to: Vec<String>,
        #[serde(default)]
        n: Option<i64>,
    }

    #[test]
    fn errors_name_the_path() {
        let e = from_value::<Probe>("probe", json!({"to": ["a", 3]})).unwrap_err();
        assert_eq!(e.field(), Some("to[1]"));
        assert_eq!(
            e.reason(),
            Some("invalid type: integer `3`, expected a string")
        );
        let e = from_value::<Probe>("probe", json!({"to": [], "m": 1})).unwrap_err();
        assert_eq!(e.field(), Some("m"));
        let e = from_value::<Probe>("probe", json!("x")).unwrap_err();
        assert_eq!(e.field(), Some("probe"));
        let e = from_str::<Probe>("probe", "{").unwrap_err();
        assert_eq!(e.field(), Some("probe"));
        assert!(e.reason().unwrap().starts_with("not valid JSON"));
    }
}
