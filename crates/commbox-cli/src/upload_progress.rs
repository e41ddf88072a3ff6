//! A progress bar per `--attach` file while it uploads, on stderr when it is a terminal.
//!
//! The core reports each attachment's bytes as they are handed to the connection
//! (`ClientBuilder::on_upload_progress`); this only draws them.

use commbox::builder::Builder;
use commbox::UploadProgress;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::sync::{Mutex, PoisonError};

/// `builder` with upload bars when stderr is a terminal; unchanged otherwise (piped, in a
/// cron job: nothing is drawn). Requests without attachments draw nothing either.
pub fn on_terminal<F>(builder: Builder<F>) -> Builder<F> {
    if !std::io::stderr().is_terminal() {
        return builder;
    }
    let bar = Bar(Mutex::new(None));
    builder.on_upload_progress(move |p| bar.show(p))
}

/// The bar of the file being uploaded (a request sends its files one after the other), with
/// the call and the file's position it is for.
struct Bar(Mutex<Option<((String, usize), ProgressBar)>>);

impl Bar {
    fn show(&self, p: &UploadProgress) {
        let mut current = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let key = (p.request_id.clone(), p.index);
        let bar = match &mut *current {
            Some((k, bar)) if *k == key => bar,
            other => {
                if let Some((_, done)) = other.take() {
                    done.finish_and_clear();
                }
                &mut other.insert((key, new_bar(p))).1
            }
        };
        if p.bytes_sent == 0 {
            // A new attempt (a retry) sends the file again from its start.
            bar.reset();
            bar.set_length(p.total_bytes);
            if p.attempt > 1 {
                bar.set_message(format!("{} (attempt {})", p.attachment, p.attempt));
            }
        }
        bar.set_position(p.bytes_sent);
        if p.bytes_sent >= p.total_bytes {
            // Done: leave the terminal as it was for what the command prints next.
            bar.finish_and_clear();
        }
    }
}

fn new_bar(p: &UploadProgress) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(Some(p.total_bytes), ProgressDrawTarget::stderr())
        .with_message(p.attachment.clone());
    if let Ok(style) = ProgressStyle::with_template(
        "{msg:16!} {wide_bar} {bytes}/{total_bytes} {bytes_per_sec} {eta}",
    ) {
        bar.set_style(style);
    }
    bar
}
