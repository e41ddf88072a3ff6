//! Upload progress: an optional callback told how much of each attachment has been handed
//! to the connection, chunk by chunk, while a multipart request is sent.
//!
//! The callback runs inside the request body's stream (`body::Chunks`), on the thread that
//! writes the request, with no lock of this library held. A panic in it is caught here: it is
//! logged, the callback is not called again for the rest of that call, and the upload goes on
//! (its outcome is the server's answer, as without a callback).

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// A function called as each chunk of each attachment is handed to the connection.
pub(crate) type ProgressObserver = Arc<dyn Fn(&UploadProgress) + Send + Sync>;

/// How far the upload of one attachment has gone, as told to the callback set with
/// [`ClientBuilder::on_upload_progress`](crate::builder::Builder::on_upload_progress).
///
/// For each attachment of a request, in order, the callback is told once with `bytes_sent`
/// 0 when the connection starts on it, then after each chunk (64 KiB of the file) is handed
/// to the connection, the last time with `bytes_sent == total_bytes`. `bytes_sent` only grows
/// within one attempt. An attempt that is retried (see [`RetryPolicy`](crate::RetryPolicy))
/// re-opens the files and starts again at 0, with `attempt` one higher; a request whose
/// attempt fails before its body is sent may tell nothing for that attempt.
///
/// "Handed to the connection" means the HTTP layer took the chunk to write it to the socket:
/// the last call says every byte left the file, not that the server has read them all or
/// stored the message — the call's result says that.
///
/// Counts are the file's bytes, also for messages sent in the base64 form (whose request
/// carries 4/3 as many), so `total_bytes` is the file's size.
///
/// # Examples
///
/// ```no_run
/// use commbox::{Attachment, EmailConversation, UploadProgress};
///
/// let client = commbox::blocking::Client::builder()
///     .api_key("my-key")
///     .on_upload_progress(|p: &UploadProgress| {
///         eprintln!(
///             "{} ({}/{}): {} of {} bytes, attempt {}",
///             p.attachment, p.index + 1, p.count, p.bytes_sent, p.total_bytes, p.attempt
///         );
///     })
///     .build()?;
/// client.create_conversation(
///     "STREAM",
///     EmailConversation::new("customer@example.com", "Your invoice", "Attached.")
///         .attachment(Attachment::from_path("invoice.pdf")),
/// )?;
/// # Ok::<(), commbox::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct UploadProgress {
    /// The call's `X-Request-Id` (the same in every attempt, and in the call's error).
    pub request_id: String,
    /// Which attempt of the call this is: 1, then 2 for the first retry, and so on.
    pub attempt: u32,
    /// The attachment's position among the request's attachments, from 0.
    pub index: usize,
    /// How many attachments the request carries.
    pub count: usize,
    /// The attachment's file name, as sent.
    pub attachment: String,
    /// Bytes of the file handed to the connection so far in this attempt.
    pub bytes_sent: u64,
    /// The file's size.
    pub total_bytes: u64,
}

/// One call's progress reporting: the callback, and whether it panicked during this call.
#[derive(Clone)]
pub(crate) struct ProgressSink {
    observer: ProgressObserver,
    request_id: String,
    attempt: u32,
    /// Set when the callback panicked: it is not called again for this call.
    muted: Arc<AtomicBool>,
}

impl ProgressSink {
    /// Reporting for the call `request_id`.
    pub(crate) fn new(observer: ProgressObserver, request_id: &str) -> ProgressSink {
        ProgressSink {
            observer,
            request_id: request_id.to_owned(),
            attempt: 0,
            muted: Arc::new(AtomicBool::new(false)),
        }
    }

    /// Reporting for attempt `attempt` of the same call.
    pub(crate) fn for_attempt(&self, attempt: u32) -> ProgressSink {
        ProgressSink {
            attempt,
            ..self.clone()
        }
    }

    /// A meter for one attachment of this attempt.
    pub(crate) fn meter(
        &self,
        index: usize,
        count: usize,
        attachment: &str,
        total_bytes: u64,
        encoding: Encoding,
    ) -> PartMeter {
        PartMeter {
            sink: self.clone(),
            progress: UploadProgress {
                request_id: self.request_id.clone(),
                attempt: self.attempt,
                index,
                count,
                attachment: attachment.to_owned(),
                bytes_sent: 0,
                total_bytes,
            },
            encoding,
            part_bytes: 0,
            started: false,
        }
    }
}

/// How a part's bytes relate to the file's.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Encoding {
    /// The part is the file.
    Plain,
    /// The part is `filename:{name};base64:` (`prefix` bytes) then the file in base64.
    Base64 { prefix: u64 },
}

/// The progress of one attachment in one attempt; told to the callback as its part's chunks
/// are handed over.
pub(crate) struct PartMeter {
    sink: ProgressSink,
    progress: UploadProgress,
    encoding: Encoding,
    /// Bytes of the part handed over.
    part_bytes: u64,
    started: bool,
}

impl PartMeter {
    /// The connection asks for the part's first chunk: tells 0.
    pub(crate) fn start(&mut self) {
        if !self.started {
            self.started = true;
            self.emit();
        }
    }

    /// `n` more bytes of the part were handed over: tells the file's bytes if they grew.
    pub(crate) fn advance(&mut self, n: usize) {
        self.part_bytes += n as u64;
        let file_bytes = match self.encoding {
            Encoding::Plain => self.part_bytes,
            // 4 base64 characters per 3 bytes; the last group covers the file's end.
            Encoding::Base64 { prefix } => self.part_bytes.saturating_sub(prefix) / 4 * 3,
        }
        .min(self.progress.total_bytes);
        if file_bytes > self.progress.bytes_sent {
            self.progress.bytes_sent = file_bytes;
            self.emit();
        }
    }

    fn emit(&self) {
        if self.sink.muted.load(Ordering::Relaxed) {
            return;
        }
        let observer = &self.sink.observer;
        if catch_unwind(AssertUnwindSafe(|| observer(&self.progress))).is_err() {
            self.sink.muted.store(true, Ordering::Relaxed);
            log::warn!(
                target: "commbox",
                "the upload progress callback panicked; it is not called again for request {} (the upload goes on)",
                self.progress.request_id
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    fn recording() -> (ProgressObserver, Arc<Mutex<Vec<u64>>>) {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let s = seen.clone();
        let observer: ProgressObserver =
            Arc::new(move |p: &UploadProgress| s.lock().unwrap().push(p.bytes_sent));
        (observer, seen)
    }

    #[test]
    fn base64_counts_the_file_bytes() {
        let (observer, seen) = recording();
        let sink = ProgressSink::new(observer, "id").for_attempt(1);
        // 10 bytes: prefix 5, then 16 characters of base64.
        let mut m = sink.meter(0, 1, "a", 10, Encoding::Base64 { prefix: 5 });
        m.start();
        m.advance(5);
        m.advance(4);
        m.advance(8);
        m.advance(4);
        assert_eq!(*seen.lock().unwrap(), vec![0, 3, 9, 10]);
    }

    #[test]
    fn a_panicking_callback_is_muted_for_the_call() {
        let calls = Arc::new(AtomicBool::new(false));
        let c = calls.clone();
        let observer: ProgressObserver = Arc::new(move |_: &UploadProgress| {
            assert!(!c.swap(true, Ordering::SeqCst), "called after its panic");
            panic!("boom");
        });
        let sink = ProgressSink::new(observer, "id");
        let mut m = sink.for_attempt(1).meter(0, 2, "a", 10, Encoding::Plain);
        m.start();
        m.advance(10);
        let mut m = sink.for_attempt(2).meter(1, 2, "b", 10, Encoding::Plain);
        m.start();
        assert!(calls.load(Ordering::SeqCst));
    }
}
