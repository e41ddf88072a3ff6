//! Lenient reads of CommBox JSON fields.
//!
//! The real API is an ASP.NET service: property names match case-insensitively and numeric
//! strings bind to integer fields, so the mock accepts the same.

use serde_json::{Map, Value};

/// The value of `name`, matching the exact spelling first, then any casing. `null` counts as
/// absent, as it does for the real API's optional fields.
pub(crate) fn get<'a>(object: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    object
        .get(name)
        .or_else(|| {
            object
                .iter()
                .find(|(key, _)| key.eq_ignore_ascii_case(name))
                .map(|(_, value)| value)
        })
        .filter(|value| !value.is_null())
}

/// An integer from a JSON integer or a numeric string.
pub(crate) fn as_int(value: &Value) -> Option<i64> {
    match value {
        Value::Number(number) => number.as_i64(),
        Value::String(text) => text.trim().parse().ok(),
        _ => None,
    }
}

/// `Ok(None)` if absent, the integer if valid, `Err("<name> must be an integer")` otherwise.
pub(crate) fn int(object: &Map<String, Value>, name: &str) -> Result<Option<i64>, String> {
    match get(object, name) {
        None => Ok(None),
        Some(value) => as_int(value)
            .map(Some)
            .ok_or_else(|| format!("{name} must be an integer")),
    }
}

/// An integer field for display, after validation made sure it parses.
pub(crate) fn int_or_null(object: &Map<String, Value>, name: &str) -> Value {
    get(object, name)
        .and_then(as_int)
        .map_or(Value::Null, Value::from)
}

/// A string field for display; other JSON types are shown as they are.
pub(crate) fn value_or_null(object: &Map<String, Value>, name: &str) -> Value {
    get(object, name).cloned().unwrap_or(Value::Null)
}

/// A non-empty string field.
pub(crate) fn non_empty_str<'a>(object: &'a Map<String, Value>, name: &str) -> Option<&'a str> {
    get(object, name)
        .and_then(Value::as_str)
        .filter(|text| !text.trim().is_empty())
}

/// A boolean field; `Err` when present with another type.
pub(crate) fn bool(object: &Map<String, Value>, name: &str) -> Result<Option<bool>, String> {
    match get(object, name) {
        None => Ok(None),
        Some(Value::Bool(flag)) => Ok(Some(*flag)),
        Some(_) => Err(format!("{name} must be a boolean")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn map(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(map) => map,
            _ => unreachable!(),
        }
    }

    #[test]
    fn reads_leniently() {
        let object = map(json!({"type": "4", "Message": "hi", "X": null, "F": 1.5, "B": "true"}));
        assert_eq!(int(&object, "Type"), Ok(Some(4)));
        assert_eq!(int(&object, "X"), Ok(None));
        assert_eq!(int(&object, "F"), Err("F must be an integer".to_owned()));
        assert_eq!(non_empty_str(&object, "message"), Some("hi"));
        assert_eq!(bool(&object, "B"), Err("B must be a boolean".to_owned()));
        assert_eq!(bool(&object, "Missing"), Ok(None));
    }
}
