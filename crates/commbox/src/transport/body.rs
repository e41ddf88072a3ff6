//! Request bodies, described so that each attempt can build a fresh one: a multipart body
//! streams from files and cannot be replayed, so a retry re-opens them.

use super::progress::{Encoding, PartMeter, ProgressSink};
use crate::attachment::Attachment;
use crate::error::{Error, Result};
use reqwest::multipart::{Form, Part};
use std::io::Read;

/// A request body, rebuilt for every attempt.
#[derive(Debug, Clone)]
pub(crate) enum Body {
    /// No body.
    Empty,
    /// `application/json`, serialized once.
    Json(Vec<u8>),
    /// `multipart/form-data`.
    Multipart(Vec<FormPart>),
}

/// One multipart part.
#[derive(Debug, Clone)]
pub(crate) struct FormPart {
    pub name: String,
    pub value: PartValue,
}

#[derive(Debug, Clone)]
pub(crate) enum PartValue {
    /// A text field, with an optional content type.
    Text {
        text: String,
        content_type: Option<&'static str>,
    },
    /// A file, streamed with its name and content type.
    File(Attachment),
    /// A file, streamed as the text `filename:{name};base64:{data}`.
    Base64(Attachment),
}

impl Body {
    /// A JSON body, serialized once for all attempts.
    pub(crate) fn json(value: &serde_json::Value) -> Result<Body> {
        serde_json::to_vec(value)
            .map(Body::Json)
            .map_err(crate::error::encode_error)
    }

    /// Builds the reqwest body for one attempt, opening attached files. With `progress`,
    /// each attachment's part tells it how much of the file was handed to the connection.
    pub(crate) fn build(
        &self,
        req: reqwest::RequestBuilder,
        progress: Option<&ProgressSink>,
    ) -> Result<reqwest::RequestBuilder> {
        Ok(match self {
            Body::Empty => req,
            Body::Json(bytes) => req
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(bytes.clone()),
            Body::Multipart(parts) => {
                let mut form = Form::new();
                let count = parts.iter().filter(|p| p.value.is_file()).count();
                let mut index = 0;
                for p in parts {
                    let meter = |name: &str, total: u64, encoding: Encoding| {
                        progress.map(|s| s.meter(index, count, name, total, encoding))
                    };
                    form = form.part(p.name.clone(), p.value.to_part(meter)?);
                    index += usize::from(p.value.is_file());
                }
                req.multipart(form)
            }
        })
    }

    /// Checks every attachment before anything is sent.
    pub(crate) fn validate(&self) -> Result<()> {
        if let Body::Multipart(parts) = self {
            for p in parts {
                if let PartValue::File(a) | PartValue::Base64(a) = &p.value {
                    a.validate()?;
                }
            }
        }
        Ok(())
    }
}

impl PartValue {
    /// Whether the part is an attachment (its progress is reported).
    fn is_file(&self) -> bool {
        matches!(self, PartValue::File(_) | PartValue::Base64(_))
    }

    /// The part for one attempt; `meter` makes an attachment's progress meter from its name,
    /// its size and how its part encodes it (`None` without a progress callback).
    fn to_part(
        &self,
        meter: impl FnOnce(&str, u64, Encoding) -> Option<PartMeter>,
    ) -> Result<Part> {
        Ok(match self {
            PartValue::Text { text, content_type } => {
                let part = Part::text(text.clone());
                match content_type {
                    Some(ct) => part.mime_str(ct).map_err(|e| {
                        Error::new(crate::ErrorKind::Validation, format!("content type: {e}"))
                    })?,
                    None => part,
                }
            }
            PartValue::File(a) => {
                let opened = a.open()?;
                let ct = opened.content_type.clone();
                let meter = meter(&opened.name, opened.len, Encoding::Plain);
                Part::stream_with_length(streamed(opened.reader, meter), opened.len)
                    .file_name(opened.name)
                    .mime_str(&ct)
                    .map_err(|_| {
                        Error::validation(
                            format!("attachment {:?}", a.name()),
                            format!("{ct:?} is not a MIME type"),
                        )
                    })?
            }
            PartValue::Base64(a) => {
                let opened = a.open()?;
                let (name, file_len) = (opened.name.clone(), opened.len);
                let (len, reader) = opened.into_base64_form();
                let prefix = len - file_len.div_ceil(3) * 4;
                let meter = meter(&name, file_len, Encoding::Base64 { prefix });
                Part::stream_with_length(streamed(reader, meter), len)
            }
        })
    }
}

/// How much of an attachment is read per chunk: large enough that a 100 MiB file is a few
/// thousand writes, small enough that memory stays flat.
const CHUNK: usize = 64 * 1024;

/// A reader as a request body, read in chunks while the request is written, by the task
/// that writes the request (for a blocking call, on the caller's thread). With a meter, each
/// chunk is reported as it is handed over.
fn streamed(reader: Box<dyn Read + Send>, meter: Option<PartMeter>) -> reqwest::Body {
    reqwest::Body::wrap_stream(futures_util::stream::iter(Chunks {
        reader: Some(reader),
        meter,
    }))
}

struct Chunks {
    // None after the end or an error: the stream then ends.
    reader: Option<Box<dyn Read + Send>>,
    /// Told of each chunk as the connection takes it (the stream hands out one chunk per
    /// poll, when the connection is ready for more).
    meter: Option<PartMeter>,
}

impl Iterator for Chunks {
    type Item = std::io::Result<Vec<u8>>;

    fn next(&mut self) -> Option<Self::Item> {
        let reader = self.reader.as_mut()?;
        if let Some(meter) = &mut self.meter {
            meter.start();
        }
        // `take` + `read_to_end` fills the chunk (the base64 reader hands out a few bytes per
        // call) and retries interrupted reads.
        let mut buf = Vec::with_capacity(CHUNK);
        match reader.take(CHUNK as u64).read_to_end(&mut buf) {
            Ok(0) => {
                self.reader = None;
                None
            }
            Ok(n) => {
                if let Some(meter) = &mut self.meter {
                    meter.advance(n);
                }
                Some(Ok(buf))
            }
            Err(e) => {
                self.reader = None;
                Some(Err(e))
            }
        }
    }
}
