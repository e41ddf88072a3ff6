//! Files attached to conversations and messages.
//!
//! An attachment is a path (opened and streamed at send time, never read whole) or bytes in
//! memory with a name. Both can be sent as multipart `file` parts, or in CommBox's base64
//! form `filename:{name};base64:{data}`, which is also streamed.

use crate::error::{Error, Result};
use base64::Engine as _;
use std::fmt;
use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A file to attach.
///
/// ```no_run
/// use commbox::Attachment;
/// let from_disk = Attachment::from_path("invoice.pdf");
/// let in_memory = Attachment::from_bytes("notes.txt", b"hello".to_vec());
/// ```
///
/// JSON form: a path (`"invoice.pdf"`), or an object: `{"path", "name", "content_type"}`
/// for a file on disk (name and content type optional), `{"name", "content_base64",
/// "content_type"}` for bytes given inline.
#[derive(Clone)]
#[must_use]
pub struct Attachment {
    source: Source,
    name: String,
    /// The name came from a path that is not UTF-8: `name` is a lossy copy, which would
    /// store the file under another name, so it must be given with `with_name`.
    name_not_utf8: bool,
    content_type: Option<String>,
}

#[derive(Clone)]
enum Source {
    Path(PathBuf),
    Bytes(Arc<[u8]>),
}

/// An attachment checked and opened for one send: what the multipart and base64 writers read.
pub(crate) struct OpenedAttachment {
    pub name: String,
    pub content_type: String,
    pub len: u64,
    pub reader: Box<dyn Read + Send>,
}

impl Attachment {
    /// A file on disk. Its name is the path's file name and its MIME type is guessed from the
    /// extension; both can be overridden. The file is checked before the request is sent and
    /// streamed while it is sent.
    pub fn from_path(path: impl Into<PathBuf>) -> Attachment {
        let path = path.into();
        let file_name = path.file_name().unwrap_or_default();
        Attachment {
            name: file_name.to_string_lossy().into_owned(),
            name_not_utf8: file_name.to_str().is_none(),
            source: Source::Path(path),
            content_type: None,
        }
    }

    /// Bytes already in memory, sent under `name` (whose extension gives the MIME type).
    pub fn from_bytes(name: impl Into<String>, bytes: impl Into<Vec<u8>>) -> Attachment {
        Attachment {
            source: Source::Bytes(Arc::from(bytes.into())),
            name: name.into(),
            name_not_utf8: false,
            content_type: None,
        }
    }

    /// Sends the file under another name.
    pub fn with_name(mut self, name: impl Into<String>) -> Attachment {
        self.name = name.into();
        self.name_not_utf8 = false;
        self
    }

    /// Sets the MIME type instead of guessing it from the name.
    pub fn with_content_type(mut self, content_type: impl Into<String>) -> Attachment {
        self.content_type = Some(content_type.into());
        self
    }

    /// The file name sent to the server.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The path, for attachments read from disk.
    pub fn path(&self) -> Option<&Path> {
        match &self.source {
            Source::Path(p) => Some(p),
            Source::Bytes(_) => None,
        }
    }

    /// The MIME type that will be sent: the one set, or a guess from the name.
    pub fn content_type(&self) -> String {
        self.content_type.clone().unwrap_or_else(|| {
            mime_guess::from_path(&self.name)
                .first_or_octet_stream()
                .essence_str()
                .to_owned()
        })
    }

    fn field(&self) -> String {
        format!("attachment {:?}", self.display_name())
    }

    fn display_name(&self) -> String {
        match &self.source {
            Source::Path(p) => p.display().to_string(),
            Source::Bytes(_) => self.name.clone(),
        }
    }

    /// Checks what can be checked without sending: a name, and for paths a readable regular
    /// file.
    pub(crate) fn validate(&self) -> Result<()> {
        let field = self.field();
        if self.name.trim().is_empty() {
            return Err(Error::validation(field, "needs a file name"));
        }
        if self.name_not_utf8 {
            return Err(Error::validation(
                field,
                "the file name is not valid UTF-8; give the attachment a name to send it under",
            ));
        }
        // The name goes into the part's Content-Disposition header: CR or LF would split it,
        // and other control characters make servers refuse the whole body. Tab is allowed.
        if self.name.contains(['\r', '\n', '\0']) {
            return Err(Error::validation(
                field,
                "file name must not contain CR, LF or NUL",
            ));
        }
        if self.name.chars().any(|c| c.is_control() && c != '\t') {
            return Err(Error::validation(
                field,
                "file name must not contain control characters",
            ));
        }
        if let Some(ct) = &self.content_type {
            crate::validate::header_value(&field, ct)?;
            if ct.parse::<mime_guess::mime::Mime>().is_err() {
                return Err(Error::validation(
                    field,
                    format!("{ct:?} is not a MIME type"),
                ));
            }
        }
        if let Source::Path(path) = &self.source {
            // A file that cannot be read is an I/O error (one meaning in every face: C
            // COMMBOX_ERR_IO, Python FileError, exit 13), reported before anything is sent.
            let meta = std::fs::metadata(path).map_err(|e| {
                let why = if e.kind() == io::ErrorKind::NotFound {
                    "no such file".to_owned()
                } else {
                    format!("cannot read: {e}")
                };
                Error::file(&field, why)
            })?;
            if !meta.is_file() {
                return Err(Error::file(field, "not a regular file"));
            }
            // Opening proves readability now, so a permission problem is reported before
            // anything is sent rather than as a broken upload.
            File::open(path).map_err(|e| Error::file(&field, format!("cannot read: {e}")))?;
        }
        Ok(())
    }

    /// Opens the content for one send attempt.
    pub(crate) fn open(&self) -> Result<OpenedAttachment> {
        let (len, reader): (u64, Box<dyn Read + Send>) = match &self.source {
            Source::Path(path) => {
                let file = File::open(path)
                    .map_err(|e| Error::io(format!("{}: cannot open: {e}", self.field()), e))?;
                let len = file
                    .metadata()
                    .map_err(|e| Error::io(format!("{}: {e}", self.field()), e))?
                    .len();
                // `take` pins the length announced in the multipart headers even if the file
                // grows while it is sent.
                (len, Box::new(file.take(len)))
            }
            Source::Bytes(bytes) => (
                bytes.len() as u64,
                Box::new(io::Cursor::new(SharedBytes(bytes.clone()))),
            ),
        };
        Ok(OpenedAttachment {
            name: self.name.clone(),
            content_type: self.content_type(),
            len,
            reader,
        })
    }
}

/// The object form of an attachment's JSON.
#[derive(serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct AttachmentForm {
    /// A file on disk, streamed when sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    path: Option<String>,
    /// The file name sent (default: the path's file name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    /// The content, base64-encoded (instead of `path`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    content_base64: Option<String>,
    /// The MIME type (default: guessed from the name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    content_type: Option<String>,
}

#[derive(serde::Deserialize, schemars::JsonSchema)]
#[serde(
    untagged,
    expecting = "a file path, or an object with \"path\" or \"content_base64\""
)]
enum AttachmentJson {
    /// A file path.
    Path(String),
    /// A file on disk or inline bytes, with options.
    Form(AttachmentForm),
}

impl serde::Serialize for Attachment {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let form = match &self.source {
            Source::Path(p) => AttachmentForm {
                path: Some(p.to_string_lossy().into_owned()),
                name: Some(self.name.clone()),
                content_base64: None,
                content_type: self.content_type.clone(),
            },
            Source::Bytes(b) => AttachmentForm {
                path: None,
                name: Some(self.name.clone()),
                content_base64: Some(base64::engine::general_purpose::STANDARD.encode(b)),
                content_type: self.content_type.clone(),
            },
        };
        form.serialize(s)
    }
}

impl<'de> serde::Deserialize<'de> for Attachment {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Attachment, D::Error> {
        use serde::de::Error as _;
        let form = match AttachmentJson::deserialize(d)? {
            AttachmentJson::Path(path) => return Ok(Attachment::from_path(path)),
            AttachmentJson::Form(form) => form,
        };
        let mut a = match (form.path, form.content_base64) {
            (Some(path), None) => Attachment::from_path(path),
            (None, Some(data)) => {
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(data.trim())
                    .map_err(|e| D::Error::custom(format!("content_base64: not base64: {e}")))?;
                let name = form
                    .name
                    .clone()
                    .ok_or_else(|| D::Error::custom("inline content needs a \"name\""))?;
                Attachment::from_bytes(name, bytes)
            }
            (Some(_), Some(_)) => {
                return Err(D::Error::custom(
                    "give either \"path\" or \"content_base64\", not both",
                ))
            }
            (None, None) => return Err(D::Error::custom("needs \"path\" or \"content_base64\"")),
        };
        if let Some(name) = form.name {
            a = a.with_name(name);
        }
        if let Some(ct) = form.content_type {
            a = a.with_content_type(ct);
        }
        Ok(a)
    }
}

impl schemars::JsonSchema for Attachment {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Attachment".into()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        AttachmentJson::json_schema(generator)
    }
}

impl fmt::Debug for Attachment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Attachment");
        d.field("name", &self.name);
        match &self.source {
            Source::Path(p) => d.field("path", p),
            Source::Bytes(b) => d.field("bytes", &b.len()),
        };
        d.field("content_type", &self.content_type()).finish()
    }
}

struct SharedBytes(Arc<[u8]>);

impl AsRef<[u8]> for SharedBytes {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl OpenedAttachment {
    /// Turns the content into the streamed text `filename:{name};base64:{data}`, with its
    /// exact length so the request still carries a Content-Length.
    pub(crate) fn into_base64_form(self) -> (u64, Box<dyn Read + Send>) {
        let prefix = format!("filename:{};base64:", self.name).into_bytes();
        let encoded_len = self.len.div_ceil(3) * 4;
        let len = prefix.len() as u64 + encoded_len;
        let reader = io::Cursor::new(prefix).chain(Base64Reader::new(self.reader));
        (len, Box::new(reader))
    }
}

/// Encodes a byte stream to standard padded base64 as it is read, in bounded memory.
struct Base64Reader<R> {
    inner: R,
    raw: Vec<u8>,
    encoded: String,
    pos: usize,
    eof: bool,
}

impl<R: Read> Base64Reader<R> {
    const CHUNK: usize = 48 * 1024; // a multiple of 3: no padding until the end

    fn new(inner: R) -> Self {
        Base64Reader {
            inner,
            raw: vec![0; Self::CHUNK],
            encoded: String::with_capacity(Self::CHUNK / 3 * 4),
            pos: 0,
            eof: false,
        }
    }

    fn refill(&mut self) -> io::Result<()> {
        let mut filled = 0;
        while filled < self.raw.len() {
            let n = self.inner.read(&mut self.raw[filled..])?;
            if n == 0 {
                self.eof = true;
                break;
            }
            filled += n;
        }
        self.encoded.clear();
        self.pos = 0;
        base64::engine::general_purpose::STANDARD
            .encode_string(&self.raw[..filled], &mut self.encoded);
        Ok(())
    }
}

impl<R: Read> Read for Base64Reader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.pos == self.encoded.len() {
            if self.eof {
                return Ok(0);
            }
            self.refill()?;
        }
        let n = buf.len().min(self.encoded.len() - self.pos);
        buf[..n].copy_from_slice(&self.encoded.as_bytes()[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_form_streams_exact_length() {
        for size in [0usize, 1, 2, 3, 4, 100_000, 48 * 1024, 48 * 1024 + 1] {
            let data: Vec<u8> = (0..size).map(|i| (i * 7 % 251) as u8).collect();
            let opened = Attachment::from_bytes("a.bin", data.clone())
                .open()
                .unwrap();
            let (len, mut reader) = opened.into_base64_form();
            let mut out = String::new();
            reader.read_to_string(&mut out).unwrap();
            assert_eq!(out.len() as u64, len, "size {size}");
            let expected = format!(
                "filename:a.bin;base64:{}",
                base64::engine::general_purpose::STANDARD.encode(&data)
            );
            assert_eq!(out, expected, "size {size}");
        }
    }

    #[test]
    fn mime_from_name() {
        assert_eq!(
            Attachment::from_path("/x/report.pdf").content_type(),
            "application/pdf"
        );
        assert_eq!(
            Attachment::from_bytes("blob", vec![]).content_type(),
            "application/octet-stream"
        );
        assert_eq!(
            Attachment::from_bytes("a.pdf", vec![])
                .with_content_type("text/plain")
                .content_type(),
            "text/plain"
        );
    }

    #[test]
    fn path_checks() {
        let dir = std::env::temp_dir();
        let e = Attachment::from_path(&dir).validate().unwrap_err();
        assert!(e.to_string().ends_with("not a regular file"), "{e}");
        let e = Attachment::from_path("/no/such/file.pdf")
            .validate()
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "attachment \"/no/such/file.pdf\": no such file"
        );
        assert_eq!(e.kind(), crate::ErrorKind::Io);
        assert_eq!(e.field(), Some("attachment \"/no/such/file.pdf\""));
    }

    #[test]
    fn json_forms() {
        let a: Attachment = serde_json::from_str("\"/x/report.pdf\"").unwrap();
        assert_eq!(
            (a.name(), a.path()),
            ("report.pdf", Some(Path::new("/x/report.pdf")))
        );
        let a: Attachment = serde_json::from_str(
            r#"{"path": "/x/r.pdf", "name": "q.pdf", "content_type": "text/plain"}"#,
        )
        .unwrap();
        assert_eq!(
            (a.name(), a.content_type().as_str()),
            ("q.pdf", "text/plain")
        );
        let a: Attachment =
            serde_json::from_str(r#"{"name": "n.txt", "content_base64": "aGk="}"#).unwrap();
        assert_eq!(
            serde_json::to_value(&a).unwrap(),
            serde_json::json!({"name": "n.txt", "content_base64": "aGk="})
        );
        for bad in [
            r#"{"name": "n.txt"}"#,
            r#"{"path": "a", "content_base64": "aGk="}"#,
            r#"{"content_base64": "aGk="}"#,
            r#"{"name": "n", "content_base64": "!!"}"#,
            r#"{"path": "a", "size": 1}"#,
            "3",
        ] {
            assert!(serde_json::from_str::<Attachment>(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn names_bound_for_a_header() {
        let reason = |name: &str| {
            let e = Attachment::from_bytes(name, vec![1])
                .validate()
                .unwrap_err();
            e.reason().unwrap().to_owned()
        };
        assert_eq!(
            reason("a\r\nb.txt"),
            "file name must not contain CR, LF or NUL"
        );
        assert_eq!(
            reason("a\u{1}b.txt"),
            "file name must not contain control characters"
        );
        assert_eq!(
            reason("a\u{7f}.txt"),
            "file name must not contain control characters"
        );
        Attachment::from_bytes("tab\there \"q\";\\ שלום 😀.txt", vec![1])
            .validate()
            .unwrap();
    }

    #[test]
    fn a_path_whose_name_is_not_utf8_needs_a_name() {
        use std::os::unix::ffi::OsStrExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir
            .path()
            .join(std::ffi::OsStr::from_bytes(b"bad\xffname.txt"));
        std::fs::write(&path, "x").unwrap();
        let e = Attachment::from_path(&path).validate().unwrap_err();
        assert!(
            e.to_string()
                .ends_with("not valid UTF-8; give the attachment a name to send it under"),
            "{e}"
        );
        Attachment::from_path(&path)
            .with_name("bad-name.txt")
            .validate()
            .unwrap();
    }
}
