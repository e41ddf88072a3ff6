//! Lenient reading of JSON the APIs emit.
//!
//! CommBox spells the same key `id`, `Id`, `streamid`, `streamId` depending on the endpoint and
//! sends numbers as strings now and then (see shared/reference/api-surface.md §1.2). These
//! helpers look keys up ignoring case and underscores, and read numbers from either form.

use serde_json::{Map, Value};

fn normalized(key: &str) -> impl Iterator<Item = char> + '_ {
    key.chars()
        .filter(|c| *c != '_')
        .map(|c| c.to_ascii_lowercase())
}

/// The value under `key`, matched exactly first, then ignoring ASCII case and underscores.
pub fn get<'a>(obj: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    if let Some(v) = obj.get(key) {
        return Some(v);
    }
    obj.iter()
        .find(|(k, _)| normalized(k).eq(normalized(key)))
        .map(|(_, v)| v)
}

/// The first of `keys` present in `value` (an object), leniently matched.
pub fn field<'a>(value: &'a Value, keys: &[&str]) -> Option<&'a Value> {
    let obj = value.as_object()?;
    keys.iter()
        .find_map(|k| get(obj, k))
        .filter(|v| !v.is_null())
}

/// An integer from a JSON number (integral) or a numeric string.
pub fn as_i64(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => n
            .as_i64()
            .or_else(|| n.as_u64().and_then(|u| i64::try_from(u).ok()))
            .or_else(|| {
                n.as_f64()
                    .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
                    .map(|f| f as i64)
            }),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// A string from a JSON string, or the text of a number or bool.
pub fn as_string(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A bool from `true`/`false`, `"true"`/`"false"` (any case), or 0/1.
pub fn as_bool(value: &Value) -> Option<bool> {
    match value {
        Value::Bool(b) => Some(*b),
        Value::Number(n) => n.as_i64().map(|i| i != 0),
        Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
            "true" | "1" => Some(true),
            "false" | "0" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

/// Shorthand: the integer under one of `keys`.
pub fn int(value: &Value, keys: &[&str]) -> Option<i64> {
    field(value, keys).and_then(as_i64)
}

/// Shorthand: the string under one of `keys`.
pub fn string(value: &Value, keys: &[&str]) -> Option<String> {
    field(value, keys).and_then(as_string)
}

/// Shorthand: the bool under one of `keys`.
pub fn boolean(value: &Value, keys: &[&str]) -> Option<bool> {
    field(value, keys).and_then(as_bool)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn keys_match_ignoring_case_and_underscores() {
        let v = json!({"Id": 5, "streamid": "s", "object_id": 7});
        assert_eq!(int(&v, &["id"]), Some(5));
        assert_eq!(string(&v, &["streamId"]), Some("s".into()));
        assert_eq!(int(&v, &["objectId"]), Some(7));
    }

    #[test]
    fn exact_key_wins() {
        let v = json!({"ID": 1, "id": 2});
        assert_eq!(int(&v, &["id"]), Some(2));
    }

    #[test]
    fn numbers_from_strings() {
        assert_eq!(as_i64(&json!("42")), Some(42));
        assert_eq!(as_i64(&json!(" 42 ")), Some(42));
        assert_eq!(as_i64(&json!(42.0)), Some(42));
        assert_eq!(as_i64(&json!(42.5)), None);
        assert_eq!(as_i64(&json!("x")), None);
        assert_eq!(as_bool(&json!("True")), Some(true));
        assert_eq!(as_bool(&json!(0)), Some(false));
    }

    #[test]
    fn null_is_absent() {
        assert_eq!(field(&json!({"a": null}), &["a"]), None);
    }
}
