//! Rails request params: what Chatwoot's controllers see of a request.
//!
//! Rails merges the body's params with the query string's (the query wins), nests bracketed
//! names (`custom_attributes[plan]=gold`, `attachments[]`), and models read permitted scalars
//! as strings. Reproducing that lets the mock accept exactly the requests the server accepts.

use serde_json::{Map, Value};

use crate::record::{self, ParsedBody};

/// A request's params by name.
pub(crate) type Params = Map<String, Value>;

/// Nests decoded `name=value` pairs like `Rack::Utils.parse_nested_query`:
/// `a[b]=1` is `{"a":{"b":"1"}}`, `a[]=1&a[]=2` is `{"a":["1","2"]}` and `a[][x]=1&a[][x]=2`
/// is `{"a":[{"x":"1"},{"x":"2"}]}`. A later plain value replaces an earlier one.
pub(crate) fn nest(pairs: impl IntoIterator<Item = (String, String)>) -> Value {
    let mut root = Map::new();
    for (name, value) in pairs {
        if let Some((key, path)) = split_name(&name) {
            insert(&mut root, key, &path, Value::String(value));
        }
    }
    Value::Object(root)
}

/// `a[b][]` → (`a`, [`b`, ``]). `None` for names Rack would not nest under a key.
fn split_name(name: &str) -> Option<(String, Vec<String>)> {
    let (key, mut rest) = match name.find('[') {
        Some(0) => return None,
        Some(at) => (&name[..at], &name[at..]),
        None => (name, ""),
    };
    if key.is_empty() {
        return None;
    }
    let mut path = Vec::new();
    while let Some(inner) = rest.strip_prefix('[') {
        let Some(close) = inner.find(']') else { break };
        path.push(inner[..close].to_owned());
        rest = &inner[close + 1..];
    }
    Some((key.to_owned(), path))
}

fn insert(map: &mut Map<String, Value>, key: String, path: &[String], value: Value) {
    let Some((first, rest)) = path.split_first() else {
        map.insert(key, value);
        return;
    };
    let slot = map.entry(key).or_insert(Value::Null);
    if first.is_empty() {
        if !slot.is_array() {
            *slot = Value::Array(Vec::new());
        }
        let Value::Array(items) = slot else { return };
        if rest.is_empty() {
            items.push(value);
            return;
        }
        // `a[][x]=1&a[][y]=2` fills one hash; a repeated `x` starts the next one.
        let reuse = matches!(items.last(), Some(Value::Object(last)) if !has_path(last, rest));
        if !reuse {
            items.push(Value::Object(Map::new()));
        }
        if let Some(Value::Object(last)) = items.last_mut() {
            insert(last, rest[0].clone(), &rest[1..], value);
        }
    } else {
        if !slot.is_object() {
            *slot = Value::Object(Map::new());
        }
        if let Value::Object(inner) = slot {
            insert(inner, first.clone(), rest, value);
        }
    }
}

fn has_path(map: &Map<String, Value>, path: &[String]) -> bool {
    match path.split_first() {
        None => true,
        Some((first, rest)) if first.is_empty() => map.is_empty() && rest.is_empty(),
        Some((first, rest)) => match map.get(first) {
            None => false,
            Some(Value::Object(inner)) => has_path(inner, rest),
            Some(_) => rest.is_empty() || rest[0].is_empty(),
        },
    }
}

/// Rails' `params`: the body's params with the query string's merged over them.
///
/// A JSON body that is not an object is kept under `_json`, as Rails' JSON parser does.
pub(crate) fn request_params(query: Option<&str>, body: &ParsedBody) -> Params {
    let mut params = match &body.payload {
        Some(Value::Object(map)) => map.clone(),
        Some(other) => {
            let mut map = Map::new();
            map.insert("_json".to_owned(), other.clone());
            map
        }
        None => Map::new(),
    };
    if let Value::Object(query) = nest(record::parse_urlencoded(
        query.unwrap_or_default().as_bytes(),
    )) {
        params.extend(query);
    }
    params
}

/// A permitted scalar param as the string a model column would store; `None` when absent,
/// null, or an array or object (which `permit` drops).
pub(crate) fn scalar(params: &Params, name: &str) -> Option<String> {
    scalar_value(params.get(name)?)
}

/// [`scalar`] for a value already at hand.
pub(crate) fn scalar_value(value: &Value) -> Option<String> {
    match value {
        Value::String(text) => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        Value::Bool(flag) => Some(flag.to_string()),
        Value::Null | Value::Array(_) | Value::Object(_) => None,
    }
}

/// Ruby's `blank?`: nil, false, a whitespace-only string, an empty array or hash.
pub(crate) fn is_blank(value: Option<&Value>) -> bool {
    match value {
        None | Some(Value::Null) | Some(Value::Bool(false)) => true,
        Some(Value::String(text)) => text.chars().all(is_ruby_space),
        Some(Value::Array(items)) => items.is_empty(),
        Some(Value::Object(map)) => map.is_empty(),
        Some(Value::Bool(true)) | Some(Value::Number(_)) => false,
    }
}

/// A scalar param that is `present?` (not blank), as a string.
pub(crate) fn present(params: &Params, name: &str) -> Option<String> {
    (!is_blank(params.get(name)))
        .then(|| scalar(params, name))
        .flatten()
}

/// A string that is `present?`.
pub(crate) fn is_present(text: &str) -> bool {
    !text.chars().all(is_ruby_space)
}

/// Characters Ruby's `\s` and `blank?` treat as whitespace.
pub(crate) fn is_ruby_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0b' | '\x0c')
}

/// The integer an id column casts a param to (Ruby's `to_i`: leading digits, `None` when
/// there are none, which matches no record).
pub(crate) fn id(text: &str) -> Option<u64> {
    let text = text.trim_start_matches(is_ruby_space);
    let text = text.strip_prefix('+').unwrap_or(text);
    let digits = text.bytes().take_while(u8::is_ascii_digit).count();
    text[..digits].parse().ok()
}

/// A hash param permitted with `name: {}`: any object, else nothing.
pub(crate) fn object(params: &Params, name: &str) -> Option<Map<String, Value>> {
    match params.get(name) {
        Some(Value::Object(map)) => Some(map.clone()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
        items
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn nests_like_rack() {
        assert_eq!(
            nest(pairs(&[
                ("content", "hi"),
                ("custom_attributes[plan]", "gold"),
                ("custom_attributes[tier][level]", "2"),
                ("tags[]", "a"),
                ("tags[]", "b"),
                ("sv[][title]", "t1"),
                ("sv[][value]", "v1"),
                ("sv[][title]", "t2"),
                ("[odd]", "x"),
                ("content", "again"),
            ])),
            json!({
                "content": "again",
                "custom_attributes": {"plan": "gold", "tier": {"level": "2"}},
                "tags": ["a", "b"],
                "sv": [{"title": "t1", "value": "v1"}, {"title": "t2"}],
            })
        );
    }

    #[test]
    fn query_wins_over_body() {
        let body = ParsedBody {
            payload: Some(json!({"a": "body", "b": "body"})),
            ..ParsedBody::default()
        };
        let params = request_params(Some("a=query&c[]=1"), &body);
        assert_eq!(
            Value::Object(params),
            json!({"a": "query", "b": "body", "c": ["1"]})
        );
        let array_body = ParsedBody {
            payload: Some(json!([1])),
            ..ParsedBody::default()
        };
        assert_eq!(request_params(None, &array_body)["_json"], json!([1]));
    }

    #[test]
    fn scalars_and_blanks() {
        let params = json!({"s": "x", "n": 5, "b": true, "o": {}, "a": [1], "z": null, "w": " \t"});
        let params = params.as_object().unwrap();
        assert_eq!(scalar(params, "s").as_deref(), Some("x"));
        assert_eq!(scalar(params, "n").as_deref(), Some("5"));
        assert_eq!(scalar(params, "b").as_deref(), Some("true"));
        assert_eq!(scalar(params, "o"), None);
        assert_eq!(scalar(params, "a"), None);
        assert_eq!(scalar(params, "z"), None);
        assert_eq!(present(params, "w"), None);
        assert_eq!(present(params, "s").as_deref(), Some("x"));
        assert!(is_blank(params.get("missing")));
        assert!(!is_blank(params.get("n")));
    }

    #[test]
    fn ids_cast_like_ruby() {
        assert_eq!(id("12"), Some(12));
        assert_eq!(id(" 7abc"), Some(7));
        assert_eq!(id("abc"), None);
        assert_eq!(id(""), None);
    }
}
