//! Building request URLs: every path segment percent-encoded exactly once.

use crate::error::{Error, Result};
use crate::validate;
use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use std::borrow::Cow;

/// Everything but RFC 3986 "unreserved" characters is encoded, so `=` in CommBox's encrypted
/// stream ids goes out as `%3D`, as the API asks ("All parameters must be URL-encoded").
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// A value usable as an id in a URL path: strings and integers.
///
/// ```
/// use commbox::PathParam;
/// assert_eq!(42_i64.to_segment(), "42");
/// assert_eq!("abc==".to_segment(), "abc==");
/// ```
pub trait PathParam {
    /// The id as text, before encoding.
    fn to_segment(&self) -> Cow<'_, str>;
}

impl PathParam for str {
    fn to_segment(&self) -> Cow<'_, str> {
        Cow::Borrowed(self)
    }
}

impl PathParam for String {
    fn to_segment(&self) -> Cow<'_, str> {
        Cow::Borrowed(self)
    }
}

impl<T: PathParam + ?Sized> PathParam for &T {
    fn to_segment(&self) -> Cow<'_, str> {
        (**self).to_segment()
    }
}

macro_rules! int_path_param {
    ($($t:ty),*) => {$(
        impl PathParam for $t {
            fn to_segment(&self) -> Cow<'_, str> {
                Cow::Owned(self.to_string())
            }
        }
    )*};
}
int_path_param!(i32, i64, u32, u64, usize);

/// The one id the API's own console shows already percent-encoded.
const STREAM_ID: &str = "stream_id";

/// Validates `value` as the id named `field` and percent-encodes it for a path, as one
/// segment.
///
/// A stream id that is already percent-encoded (CommBox shows them as `…pA%3d%3d`) is
/// decoded first, so it is encoded exactly once either way. Every other id is encoded
/// exactly as given: a Chatwoot source_id may really contain `%41`, which must not become
/// another contact's `A`.
pub(crate) fn segment(field: &str, value: &(impl PathParam + ?Sized)) -> Result<String> {
    let raw = value.to_segment();
    validate::path_id(field, &raw)?;
    let text = if field == STREAM_ID {
        percent_decode_str(&raw)
            .decode_utf8()
            .unwrap_or(Cow::Borrowed(raw.as_ref()))
    } else {
        raw
    };
    Ok(utf8_percent_encode(&text, SEGMENT).to_string())
}

/// Longest path (with its query) the raw request accepts: beyond this servers answer 414.
const MAX_RAW_PATH: usize = 8000;

/// Checks a caller-written path for the raw-request escape hatch: it must be a path on the
/// configured host, not a URL, and contain no dot segments or control characters.
pub(crate) fn raw_path(path: &str) -> Result<()> {
    let field = "path";
    validate::required(field, path)?;
    if path.len() > MAX_RAW_PATH {
        return Err(Error::validation(
            field,
            format!("must be at most {MAX_RAW_PATH} bytes long"),
        ));
    }
    if !path.starts_with('/') || path.starts_with("//") {
        return Err(Error::validation(
            field,
            "must start with a single '/' (a path on the configured base URL)",
        ));
    }
    if path.chars().any(|c| c.is_control() || c == ' ') {
        return Err(Error::validation(
            field,
            "must not contain spaces or control characters (percent-encode them)",
        ));
    }
    let path_only = path.split(['?', '#']).next().unwrap_or("");
    let dot = path_only.split('/').any(|s| {
        let d = percent_decode_str(s).decode_utf8_lossy();
        d == "." || d == ".."
    });
    if dot {
        return Err(Error::validation(
            field,
            "must not contain '.' or '..' segments",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_once() {
        assert_eq!(segment("s", "abc==").unwrap(), "abc%3D%3D");
        assert_eq!(segment("s", "a/b").unwrap(), "a%2Fb");
        assert_eq!(segment("s", "a b?c#d").unwrap(), "a%20b%3Fc%23d");
        assert_eq!(segment("s", "50%off").unwrap(), "50%25off");
        assert_eq!(segment("stream_id", "abc%3d%3d").unwrap(), "abc%3D%3D");
        assert_eq!(segment("contact_identifier", "abc%3d").unwrap(), "abc%253d");
        assert_eq!(segment("s", "שלום").unwrap(), "%D7%A9%D7%9C%D7%95%D7%9D");
        assert_eq!(segment("s", &7_i64).unwrap(), "7");
        assert!(segment("s", "..").is_err());
        assert!(segment("s", "").is_err());
    }

    #[test]
    fn raw_paths() {
        raw_path("/managers").unwrap();
        raw_path("/streams/x/objects/1?includeChilds=true").unwrap();
        for bad in [
            "managers",
            "//evil.com/x",
            "/a/../b",
            "/a/%2e%2e/b",
            "/a b",
            "http://x/y",
            &format!("/{}", "a".repeat(MAX_RAW_PATH)),
        ] {
            assert!(raw_path(bad).is_err(), "{bad}");
        }
    }
}
