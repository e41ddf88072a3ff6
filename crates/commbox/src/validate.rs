//! Field checks run before any I/O. Each returns a validation [`Error`] naming the field.

use crate::error::{Error, Result};

/// Rejects an empty or blank string.
pub fn required(field: &str, value: &str) -> Result<()> {
    if value.trim().is_empty() {
        return Err(Error::validation(field, "required"));
    }
    Ok(())
}

/// Longest value accepted for a header (API key, User-Agent suffix, MIME type): proxies such
/// as nginx refuse header lines over 8 KiB with a 400 or 431 that would name no field.
pub const MAX_HEADER_VALUE: usize = 8000;

/// Longest id accepted in a URL path segment. Real ids are tens of characters; a huge one
/// would make a URL that the HTTP stack cannot build or the server refuses (414).
pub const MAX_PATH_ID_CHARS: usize = 1024;

/// The ids that are numbers on the server: when given as a number they must be positive.
/// Other ids (stream ids, Chatwoot identifiers and source ids) are free text.
const NUMERIC_IDS: [&str; 3] = ["object_id", "conversation_id", "message_id"];

/// Rejects a value that would let a header be split or smuggled, or that is too long to
/// pass a proxy. The value itself is never echoed: it may be a secret.
pub fn header_value(field: &str, value: &str) -> Result<()> {
    if value.len() > MAX_HEADER_VALUE {
        return Err(Error::validation(
            field,
            format!("must be at most {MAX_HEADER_VALUE} bytes long"),
        ));
    }
    if value.contains(['\r', '\n']) {
        return Err(Error::validation(field, "must not contain CR or LF"));
    }
    if value.chars().any(|c| c.is_control() && c != '\t') {
        return Err(Error::validation(
            field,
            "must not contain control characters",
        ));
    }
    Ok(())
}

/// An id used as a URL path segment: non-empty, not too long, no control characters, and not
/// a dot segment (URL parsers resolve `.` and `..`, even percent-encoded, so they could reach
/// another route).
pub fn path_id(field: &str, value: &str) -> Result<()> {
    required(field, value)?;
    let chars = value.chars().count();
    if chars > MAX_PATH_ID_CHARS {
        return Err(Error::validation(
            field,
            format!("{chars} characters; ids have at most {MAX_PATH_ID_CHARS}"),
        ));
    }
    if value.chars().any(char::is_control) {
        return Err(Error::validation(
            field,
            "must not contain control characters",
        ));
    }
    let decoded = percent_encoding::percent_decode_str(value).decode_utf8_lossy();
    if decoded == "." || decoded == ".." {
        return Err(Error::validation(field, "must not be '.' or '..'"));
    }
    // Numeric ids are positive; 0 is what an unset integer id looks like in C and Python.
    // Text ids ("0" as a Chatwoot source_id) may be anything.
    if NUMERIC_IDS.contains(&field) && decoded.trim().parse::<i64>().is_ok_and(|n| n <= 0) {
        return Err(Error::validation(field, "must be a positive id"));
    }
    Ok(())
}

/// A well-formed e-mail address: one `@`, a local part, a dotted domain, no spaces.
/// Deliberately simple: the server is the authority; this catches typos and wrong fields.
pub fn email(field: &str, value: &str) -> Result<()> {
    required(field, value)?;
    let bad = |why: &str| {
        Err(Error::validation(
            field,
            format!("not an e-mail address ({why})"),
        ))
    };
    if value.len() > 254 {
        return bad("longer than 254 characters");
    }
    if value.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return bad("contains white space");
    }
    let Some((local, domain)) = value.rsplit_once('@') else {
        return bad("no '@'");
    };
    if local.is_empty() || local.contains('@') {
        return bad("bad local part");
    }
    let labels: Vec<&str> = domain.split('.').collect();
    if labels.len() < 2
        || labels.iter().any(|l| {
            l.is_empty() || l.starts_with('-') || l.ends_with('-') || l.contains(['[', ']', ','])
        })
    {
        return bad("bad domain");
    }
    Ok(())
}

/// A phone number as CommBox wants it: digits with the country code, no `+` or spaces
/// ("numeric string(20)"). A leading `+` is stripped; any other non-digit is an error.
pub fn phone(field: &str, value: &str) -> Result<String> {
    required(field, value)?;
    let digits = value.strip_prefix('+').unwrap_or(value);
    if let Some(bad) = digits.chars().find(|c| !c.is_ascii_digit()) {
        return Err(Error::validation(
            field,
            format!(
                "phone numbers are digits with the country code, e.g. 972541234567 (found {bad:?})"
            ),
        ));
    }
    if digits.is_empty() || digits.len() > 20 {
        return Err(Error::validation(
            field,
            "phone numbers have 1 to 20 digits",
        ));
    }
    Ok(digits.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones() {
        assert_eq!(phone("to", "+972541234567").unwrap(), "972541234567");
        assert_eq!(phone("to", "972541234567").unwrap(), "972541234567");
        for bad in [
            "",
            " ",
            "+",
            "972-54",
            "97254 123",
            "++972",
            "abc",
            "1234567890123456789012",
        ] {
            let e = phone("to[0]", bad).unwrap_err();
            assert_eq!(e.field(), Some("to[0]"), "{bad}");
        }
    }

    #[test]
    fn emails() {
        for ok in ["a@b.co", "john.doe+x@mail.example.com", "x@a-b.io"] {
            email("to", ok).unwrap();
        }
        for bad in [
            "",
            "a",
            "a@b",
            "@b.com",
            "a@.com",
            "a b@c.com",
            "a@b..com",
            "a@-b.com",
        ] {
            assert!(email("to", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn path_ids() {
        path_id("stream_id", "abc==").unwrap();
        path_id("stream_id", "a/b").unwrap();
        assert!(path_id("stream_id", "..").is_err());
        assert!(path_id("stream_id", "%2e%2E").is_err());
        assert!(path_id("stream_id", " ").is_err());
        assert!(path_id("stream_id", "a\nb").is_err());
        assert_eq!(
            path_id("object_id", "0").unwrap_err().to_string(),
            "object_id: must be a positive id"
        );
        assert!(path_id("object_id", "-3").is_err());
        path_id("object_id", "007").unwrap();
        path_id("contact_identifier", "0").unwrap();
        path_id("stream_id", &"é".repeat(MAX_PATH_ID_CHARS)).unwrap();
        let e = path_id("stream_id", &"a".repeat(MAX_PATH_ID_CHARS + 1)).unwrap_err();
        assert_eq!(
            e.to_string(),
            "stream_id: 1025 characters; ids have at most 1024"
        );
    }

    #[test]
    fn header_values() {
        assert!(header_value("api_key", "abc\r\nX: y").is_err());
        header_value("api_key", "abc").unwrap();
        header_value("api_key", &"k".repeat(MAX_HEADER_VALUE)).unwrap();
        let e = header_value("api_key", &"k".repeat(MAX_HEADER_VALUE + 1)).unwrap_err();
        assert_eq!(e.to_string(), "api_key: must be at most 8000 bytes long");
    }
}
