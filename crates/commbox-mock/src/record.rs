//! Request recording: what is kept about each API request, and the streaming body reader
//! that produces both the record and the payload the routes validate.

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use axum::body::Body;
use axum::extract::FromRequestParts;
use axum::http::{header, request, HeaderMap};
use base64::Engine as _;
use futures_util::StreamExt as _;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::api::Api;
use crate::chaos::ChaosKind;
use crate::chatwoot::params as rails;
use crate::faults::Fault;
use crate::state::StoredAttachment;

/// One API request as the mock saw it (`GET /__mock/requests` returns an array of these).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordedRequest {
    /// Position among API requests since start or the last reset, from 1.
    pub seq: u64,
    /// The `x-request-id` (and `x-mock-request-id`) header value of the response; unique for
    /// the server's lifetime.
    pub request_id: u64,
    /// HTTP method.
    pub method: String,
    /// Path exactly as received on the wire (still percent-encoded).
    pub path: String,
    /// Raw query string without `?`, if any.
    pub query: Option<String>,
    /// Headers by lowercase name; repeated headers are joined with `", "`. The credentials of
    /// `authorization` are replaced by `***` (the scheme word is kept).
    pub headers: BTreeMap<String, String>,
    /// Media type of the body without parameters (`multipart/form-data`, no boundary), lowercase.
    pub content_type: Option<String>,
    /// Bytes of body received (0 when the body was never read, e.g. for dropped connections).
    pub body_size: u64,
    /// Parsed JSON body. CommBox form and multipart bodies: the parsed `data` field. Chatwoot
    /// form and multipart bodies: the text fields as Rails params (`a[b]=1` nested as
    /// `{"a":{"b":"1"}}`); files are in `parts` only.
    pub json: Option<Value>,
    /// Multipart parts in order (empty for other bodies).
    pub parts: Vec<RecordedPart>,
    /// HTTP status answered; 0 while in flight or when the connection was dropped.
    pub status: u16,
    /// The fault that applied to this request, if any: a queued one, or the equivalent of a
    /// random one (none for `drop_after`, which has no queued equivalent).
    pub fault: Option<Fault>,
    /// The kind of random fault chaos mode injected into this request, if it did.
    #[serde(default)]
    pub chaos: Option<ChaosKind>,
}

/// One part of a multipart body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordedPart {
    /// Form field name.
    pub name: String,
    /// File name from `Content-Disposition`, for file parts.
    pub filename: Option<String>,
    /// The part's `Content-Type`, if it had one.
    pub content_type: Option<String>,
    /// Size of the part's content in bytes.
    pub size: u64,
    /// Lowercase hex SHA-256 of the part's content.
    pub sha256: String,
}

impl RecordedRequest {
    /// The record of a request whose body has not been read yet.
    pub(crate) fn start(request_id: u64, head: &request::Parts) -> Self {
        let mut headers: BTreeMap<String, String> = BTreeMap::new();
        for (name, value) in &head.headers {
            let mut value = String::from_utf8_lossy(value.as_bytes()).into_owned();
            if name == header::AUTHORIZATION || name == header::PROXY_AUTHORIZATION {
                value = mask_credentials(&value);
            }
            headers
                .entry(name.as_str().to_owned())
                .and_modify(|existing| {
                    existing.push_str(", ");
                    existing.push_str(&value);
                })
                .or_insert(value);
        }
        RecordedRequest {
            seq: 0,
            request_id,
            method: head.method.as_str().to_owned(),
            path: head.uri.path().to_owned(),
            query: head.uri.query().map(str::to_owned),
            headers,
            content_type: media_type(&head.headers),
            body_size: 0,
            json: None,
            parts: Vec::new(),
            status: 0,
            fault: None,
            chaos: None,
        }
    }
}

/// Tokens must never end up in a record that tests print or serialize.
fn mask_credentials(value: &str) -> String {
    match value.trim().split_once(char::is_whitespace) {
        Some((scheme, _)) => format!("{scheme} ***"),
        None => "***".to_owned(),
    }
}

fn media_type(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::CONTENT_TYPE)?;
    let value = String::from_utf8_lossy(value.as_bytes());
    let essence = value.split(';').next().unwrap_or("").trim();
    (!essence.is_empty()).then(|| essence.to_ascii_lowercase())
}

/// The body of an API request, read once by the pipeline and shared with the route.
#[derive(Debug, Default)]
pub(crate) struct ParsedBody {
    /// Raw bytes received.
    pub size: u64,
    /// What the record shows as `json`.
    pub json: Option<Value>,
    /// Multipart parts for the record.
    pub parts: Vec<RecordedPart>,
    /// CommBox: the object/child JSON, `data` wrapper removed. Chatwoot: the body's Rails
    /// params (the JSON body, or the form or multipart text fields as a nested object).
    pub payload: Option<Value>,
    /// CommBox files: multipart `file` parts and decoded base64 forms.
    pub attachments: Vec<StoredAttachment>,
    /// Chatwoot files: multipart `attachments[]` file parts.
    pub uploads: Vec<Upload>,
    /// The first thing wrong with the body, as the 400 description a body-taking route returns.
    pub problem: Option<&'static str>,
}

/// A file part as a Rails controller receives it.
#[derive(Debug, Clone)]
pub(crate) struct Upload {
    /// Name, size and hash; the content type is the one sent, else guessed from the name.
    pub file: StoredAttachment,
    /// The part's own `Content-Type`, which Chatwoot's file type is derived from.
    pub sent_content_type: Option<String>,
}

/// Description used when the body cannot be understood at all.
pub(crate) const INVALID_BODY: &str = "Invalid request body";
const DATA_PART_REQUIRED: &str = "data part is required";
const INVALID_BASE64_FILE: &str = "Invalid base64 file";

/// How much of one Chatwoot multipart text field is kept. Text fields are small in practice;
/// the cap only stops a huge field from being held in memory. It is far above 4 bytes times
/// the 150,000-character content limit, so a cut field is still recognised as too long.
const CHATWOOT_TEXT_FIELD_LIMIT: usize = 1024 * 1024;

impl ParsedBody {
    fn flag(&mut self, problem: &'static str) {
        self.problem.get_or_insert(problem);
    }

    /// Records the JSON text of a `data` form field or part and derives the payload from it.
    fn take_data_field(&mut self, text: &[u8]) {
        match serde_json::from_slice::<Value>(text) {
            Ok(value) => {
                self.json = Some(value.clone());
                self.set_payload(value);
            }
            Err(_) => self.flag(INVALID_BODY),
        }
    }

    fn set_payload(&mut self, value: Value) {
        match unwrap_data(value) {
            Some(payload) => self.payload = Some(payload),
            None => self.flag(INVALID_BODY),
        }
    }

    fn take_base64_file(&mut self, text: &[u8]) {
        match decode_base64_file(text) {
            Some(attachment) => self.attachments.push(attachment),
            None => self.flag(INVALID_BASE64_FILE),
        }
    }
}

/// Extractor handing a route the body the pipeline already read.
pub(crate) struct Payload(pub Arc<ParsedBody>);

impl<S: Send + Sync> FromRequestParts<S> for Payload {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut request::Parts, _: &S) -> Result<Self, Infallible> {
        // Absent only if a route runs outside the pipeline; an empty body then fails validation.
        let body = parts
            .extensions
            .get::<Arc<ParsedBody>>()
            .cloned()
            .unwrap_or_default();
        Ok(Payload(body))
    }
}

/// Removes the documented `{"data": ...}` wrapper; a string inside it is the JSON text of the
/// object (the form the docs show for multipart). `None` if that text is not JSON.
fn unwrap_data(value: Value) -> Option<Value> {
    let Value::Object(mut map) = value else {
        return Some(value);
    };
    let key = map
        .keys()
        .find(|key| key.eq_ignore_ascii_case("data"))
        .cloned();
    match key.and_then(|key| map.remove(&key)) {
        Some(Value::String(text)) => serde_json::from_str(&text).ok(),
        Some(inner) => Some(inner),
        None => Some(Value::Object(map)),
    }
}

/// Reads the whole body, streaming multipart files through SHA-256 without keeping them.
///
/// `api` decides how the body is understood: CommBox's `data`/`file` forms, or Rails params
/// for Chatwoot.
pub(crate) async fn read_body(headers: &HeaderMap, body: Body, api: Api) -> ParsedBody {
    let received = Arc::new(AtomicU64::new(0));
    let counter = Arc::clone(&received);
    let stream = body.into_data_stream().map(move |chunk| {
        if let Ok(bytes) = &chunk {
            counter.fetch_add(bytes.len() as u64, Ordering::Relaxed);
        }
        chunk
    });

    let mut parsed = ParsedBody::default();
    match media_type(headers).as_deref() {
        Some("multipart/form-data") => {
            let boundary = headers
                .get(header::CONTENT_TYPE)
                .and_then(|value| value.to_str().ok())
                .and_then(|value| multer::parse_boundary(value).ok());
            match boundary {
                Some(boundary) => read_multipart(stream, boundary, api, &mut parsed).await,
                None => {
                    parsed.flag(INVALID_BODY);
                    // Drain anyway so the client gets its 400 instead of a broken pipe.
                    let _ = collect(stream).await;
                }
            }
        }
        Some("application/x-www-form-urlencoded") => match collect(stream).await {
            Some(bytes) => match api {
                Api::CommBox => read_form(&bytes, &mut parsed),
                Api::Chatwoot => {
                    let params = rails::nest(parse_urlencoded(&bytes));
                    parsed.json = Some(params.clone());
                    parsed.payload = Some(params);
                }
            },
            None => parsed.flag(INVALID_BODY),
        },
        // Both real APIs are lenient about content types, so anything else is tried as JSON.
        _ => match collect(stream).await {
            Some(bytes) if bytes.iter().all(u8::is_ascii_whitespace) => {}
            Some(bytes) => match serde_json::from_slice::<Value>(&bytes) {
                Ok(value) => {
                    parsed.json = Some(value.clone());
                    match api {
                        Api::CommBox => parsed.set_payload(value),
                        // Rails takes the JSON as it is; there is no `data` wrapper.
                        Api::Chatwoot => parsed.payload = Some(value),
                    }
                }
                Err(_) => parsed.flag(INVALID_BODY),
            },
            None => parsed.flag(INVALID_BODY),
        },
    }
    parsed.size = received.load(Ordering::Relaxed);
    parsed
}

/// Buffers a non-multipart body; `None` if the client broke off.
async fn collect<S, E>(mut stream: S) -> Option<Vec<u8>>
where
    S: futures_util::Stream<Item = Result<axum::body::Bytes, E>> + Unpin,
{
    let mut buffer = Vec::new();
    while let Some(chunk) = stream.next().await {
        buffer.extend_from_slice(&chunk.ok()?);
    }
    Some(buffer)
}

/// One multipart field after it was read to its end.
struct ReadField {
    size: u64,
    sha256: String,
    /// The start of the content, up to the limit the caller asked for.
    kept: Vec<u8>,
}

/// Reads a field chunk by chunk, hashing all of it and keeping at most `keep` bytes.
async fn read_field(field: &mut multer::Field<'_>, keep: usize) -> Option<ReadField> {
    let mut hasher = Sha256::new();
    let mut size = 0u64;
    let mut kept = Vec::new();
    loop {
        match field.chunk().await {
            Ok(Some(chunk)) => {
                hasher.update(&chunk);
                size += chunk.len() as u64;
                let room = keep.saturating_sub(kept.len());
                kept.extend_from_slice(&chunk[..room.min(chunk.len())]);
            }
            Ok(None) => break,
            Err(_) => return None,
        }
    }
    Some(ReadField {
        size,
        sha256: hex::encode(hasher.finalize()),
        kept,
    })
}

async fn read_multipart<S>(stream: S, boundary: String, api: Api, parsed: &mut ParsedBody)
where
    S: futures_util::Stream<Item = Result<axum::body::Bytes, axum::Error>> + Send + 'static,
{
    let mut multipart = multer::Multipart::new(stream, boundary);
    let mut saw_data = false;
    let mut text_fields = Vec::new();
    loop {
        let mut field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(_) => {
                parsed.flag(INVALID_BODY);
                return;
            }
        };
        let name = field.name().unwrap_or_default().to_owned();
        let filename = part_file_name(field.headers());
        let content_type = field.content_type().map(ToString::to_string);
        // Only text fields are buffered; file contents are hashed chunk by chunk.
        let keep = match api {
            Api::CommBox => {
                let is_data = name == "data" && !saw_data;
                let is_file = name == "file";
                if is_data || (is_file && filename.is_none()) {
                    usize::MAX
                } else {
                    0
                }
            }
            Api::Chatwoot if filename.is_none() => CHATWOOT_TEXT_FIELD_LIMIT,
            Api::Chatwoot => 0,
        };
        let Some(read) = read_field(&mut field, keep).await else {
            parsed.flag(INVALID_BODY);
            return;
        };
        let attachment = |file_name: &str| StoredAttachment {
            name: file_name.to_owned(),
            content_type: content_type
                .clone()
                .unwrap_or_else(|| guess_content_type(file_name).to_owned()),
            size: read.size,
            sha256: read.sha256.clone(),
        };

        match api {
            Api::CommBox => {
                if name == "data" && !saw_data {
                    saw_data = true;
                    parsed.take_data_field(&read.kept);
                } else if name == "file" {
                    match &filename {
                        Some(file_name) => parsed.attachments.push(attachment(file_name)),
                        None => parsed.take_base64_file(&read.kept),
                    }
                }
            }
            Api::Chatwoot => match &filename {
                None => text_fields.push((
                    name.clone(),
                    String::from_utf8_lossy(&read.kept).into_owned(),
                )),
                // Rack drops a file part with an empty file name ("no file selected").
                Some(file_name) if file_name.is_empty() => {}
                // Only `attachments[]` reaches the controller as the attachment list.
                Some(file_name) if name == "attachments[]" => parsed.uploads.push(Upload {
                    file: attachment(file_name),
                    sent_content_type: content_type.clone(),
                }),
                Some(_) => {}
            },
        }
        parsed.parts.push(RecordedPart {
            name,
            filename,
            content_type,
            size: read.size,
            sha256: read.sha256,
        });
    }
    match api {
        Api::CommBox => {
            if !saw_data {
                parsed.flag(DATA_PART_REQUIRED);
            }
        }
        Api::Chatwoot => {
            let params = rails::nest(text_fields);
            parsed.json = Some(params.clone());
            parsed.payload = Some(params);
        }
    }
}

/// The `filename` parameter of a part's `Content-Disposition`, as its sender meant it.
///
/// A quoted file name may carry quoted-pairs: reqwest writes `\\` for `\` and `\"` for `"`.
/// multer keeps a `\\` doubled and loses a name that ends in `\`, so the mock reads the
/// header itself and, like Rack, undoes the escapes unless the name also holds a backslash
/// that escapes nothing (a browser that sent `C:\dir\a.txt` unescaped).
fn part_file_name(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::CONTENT_DISPOSITION)?;
    let value = String::from_utf8_lossy(value.as_bytes());
    let mut rest = value.split_once(';')?.1;
    loop {
        let (name, after) = rest.split_once('=')?;
        let after = after.trim_start();
        let (raw, next) = match after.strip_prefix('"') {
            Some(quoted) => {
                let end = closing_quote(quoted)?;
                (
                    &quoted[..end],
                    quoted[end + 1..].split_once(';').map(|(_, n)| n),
                )
            }
            None => match after.split_once(';') {
                Some((token, n)) => (token.trim_end(), Some(n)),
                None => (after.trim_end(), None),
            },
        };
        if name.trim().eq_ignore_ascii_case("filename") {
            return Some(unescape_quoted_pairs(raw));
        }
        rest = next?;
    }
}

/// The index of the `"` that ends a quoted string whose opening quote was already read.
fn closing_quote(quoted: &str) -> Option<usize> {
    let mut escaped = false;
    for (i, c) in quoted.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '"' => return Some(i),
            _ => {}
        }
    }
    None
}

fn unescape_quoted_pairs(raw: &str) -> String {
    let mut chars = raw.chars();
    let mut only_pairs = true;
    while let Some(c) = chars.next() {
        if c == '\\' && !matches!(chars.next(), Some('\\' | '"')) {
            only_pairs = false;
        }
    }
    if !only_pairs {
        return raw.to_owned();
    }
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        out.push(if c == '\\' {
            chars.next().unwrap_or(c)
        } else {
            c
        });
    }
    out
}

fn read_form(bytes: &[u8], parsed: &mut ParsedBody) {
    let mut saw_data = false;
    for (name, value) in parse_urlencoded(bytes) {
        if name == "data" && !saw_data {
            saw_data = true;
            parsed.take_data_field(value.as_bytes());
        } else if name == "file" {
            parsed.take_base64_file(value.as_bytes());
        }
    }
    if !saw_data {
        parsed.flag(INVALID_BODY);
    }
}

/// Splits `a=1&b=x+y` into decoded pairs (`+` is a space, as in HTML forms).
pub(crate) fn parse_urlencoded(bytes: &[u8]) -> Vec<(String, String)> {
    let decode = |raw: &[u8]| {
        let spaced: Vec<u8> = raw
            .iter()
            .map(|&b| if b == b'+' { b' ' } else { b })
            .collect();
        percent_encoding::percent_decode(&spaced)
            .decode_utf8_lossy()
            .into_owned()
    };
    bytes
        .split(|&b| b == b'&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| match pair.iter().position(|&b| b == b'=') {
            Some(eq) => (decode(&pair[..eq]), decode(&pair[eq + 1..])),
            None => (decode(pair), String::new()),
        })
        .collect()
}

/// Decodes the documented alternative to a file part, `filename:{name};base64:{data}`.
fn decode_base64_file(text: &[u8]) -> Option<StoredAttachment> {
    let text = std::str::from_utf8(text).ok()?.trim();
    let rest = text.strip_prefix("filename:")?;
    let (name, data) = rest.split_once(";base64:")?;
    let name = name.trim();
    if name.is_empty() {
        return None;
    }
    // Line-wrapped base64 (MIME style) is common when people paste encoded files.
    let compact: Vec<u8> = data.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    let engines = [
        &base64::engine::general_purpose::STANDARD,
        &base64::engine::general_purpose::STANDARD_NO_PAD,
        &base64::engine::general_purpose::URL_SAFE,
        &base64::engine::general_purpose::URL_SAFE_NO_PAD,
    ];
    let bytes = engines
        .iter()
        .find_map(|engine| engine.decode(&compact).ok())?;
    Some(StoredAttachment {
        name: name.to_owned(),
        content_type: guess_content_type(name).to_owned(),
        size: bytes.len() as u64,
        sha256: hex::encode(Sha256::digest(&bytes)),
    })
}

/// Content type for a file name, for files sent without one.
pub(crate) fn guess_content_type(name: &str) -> &'static str {
    let extension = name
        .rsplit_once('.')
        .map(|(_, ext)| ext.to_ascii_lowercase())
        .unwrap_or_default();
    match extension.as_str() {
        "pdf" => "application/pdf",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "txt" => "text/plain",
        "csv" => "text/csv",
        "json" => "application/json",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "pptx" => "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "zip" => "application/zip",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_token_keeps_scheme() {
        assert_eq!(mask_credentials("Bearer secret"), "Bearer ***");
        assert_eq!(mask_credentials("secret"), "***");
        assert_eq!(mask_credentials(""), "***");
    }

    #[test]
    fn file_names_with_quoted_pairs() {
        let name = |disposition: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(
                header::CONTENT_DISPOSITION,
                axum::http::HeaderValue::from_bytes(disposition.as_bytes()).unwrap(),
            );
            part_file_name(&headers)
        };
        let cases = [
            (r#"form-data; name="file"; filename="a.txt""#, Some("a.txt")),
            (
                r#"form-data; name="file"; filename="say \"hi\".txt""#,
                Some(r#"say "hi".txt"#),
            ),
            (
                r#"form-data; name="file"; filename="a\\b.txt""#,
                Some(r"a\b.txt"),
            ),
            (r#"form-data; name="file"; filename="end\\""#, Some("end\\")),
            (
                r#"form-data; name="file"; filename="a;b=c.txt""#,
                Some("a;b=c.txt"),
            ),
            (
                r#"form-data; name="file"; filename="C:\dir\a.txt""#,
                Some(r"C:\dir\a.txt"),
            ),
            (
                "form-data; name=\"file\"; filename=\"שלום 😀.txt\"",
                Some("שלום 😀.txt"),
            ),
            (
                "form-data; filename=plain.txt; name=file",
                Some("plain.txt"),
            ),
            (r#"form-data; name="filename""#, None),
            (r#"form-data; name="data""#, None),
            (r#"form-data; name="file"; filename="""#, Some("")),
        ];
        for (disposition, want) in cases {
            assert_eq!(name(disposition).as_deref(), want, "{disposition}");
        }
    }

    #[test]
    fn decodes_base64_form() {
        let attachment = decode_base64_file(b"filename:hello.txt;base64:aGVsbG8=").unwrap();
        assert_eq!(attachment.name, "hello.txt");
        assert_eq!(attachment.content_type, "text/plain");
        assert_eq!(attachment.size, 5);
        assert_eq!(
            attachment.sha256,
            "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
        );
        assert!(decode_base64_file(b"filename:a.txt;base64:!!!").is_none());
        assert!(decode_base64_file(b"hello").is_none());
        assert!(decode_base64_file(b"filename:;base64:aGVsbG8=").is_none());
        assert!(decode_base64_file(&[0xff, 0xfe]).is_none());
    }

    #[test]
    fn unwraps_data() {
        let inner = serde_json::json!({"Message": "hi"});
        assert_eq!(
            unwrap_data(serde_json::json!({"data": inner.clone()})),
            Some(inner.clone())
        );
        assert_eq!(unwrap_data(inner.clone()), Some(inner.clone()));
        assert_eq!(
            unwrap_data(serde_json::json!({"data": "{\"Message\":\"hi\"}"})),
            Some(inner)
        );
        assert_eq!(unwrap_data(serde_json::json!({"data": "nope"})), None);
    }

    #[test]
    fn parses_urlencoded() {
        assert_eq!(
            parse_urlencoded(b"a=1&data=%7B%22x%22%3A+1%7D&flag"),
            vec![
                ("a".to_owned(), "1".to_owned()),
                ("data".to_owned(), "{\"x\": 1}".to_owned()),
                ("flag".to_owned(), String::new()),
            ]
        );
    }
}
