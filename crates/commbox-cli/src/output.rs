//! What the command prints, and its exit codes.

use crate::args::ErrorFormat;
use crate::arguments::Named;
use commbox::{Error, ErrorKind, RetrySafety};
use serde_json::{json, Value};
use std::io::Write;
use std::process::ExitCode;

/// The exit code for each error kind (listed in `--help` and the README). No wildcard arm:
/// a new core kind does not compile here until it has a code.
pub fn exit_code(kind: ErrorKind) -> u8 {
    match kind {
        ErrorKind::Validation => 3,
        ErrorKind::Authentication => 4,
        ErrorKind::NotFound => 5,
        ErrorKind::RateLimited => 6,
        ErrorKind::BadRequest => 7,
        ErrorKind::Server => 8,
        ErrorKind::Timeout => 9,
        ErrorKind::Connection => 10,
        ErrorKind::Tls => 11,
        ErrorKind::Decode => 12,
        ErrorKind::Io => 13,
    }
}

/// A command's result as it is printed: the JSON form of what the core call returned (the
/// record's `Serialize` impl, docs/json-forms.md), pretty-printed. It is the same document the
/// C library returns for the same call, keys in the same order; a call that returns nothing
/// prints `null`. Made by [`printed!`].
pub struct Printed(pub(crate) String);

/// The [`Printed`] form of a value of the core (a record, a list of records, `()`).
macro_rules! printed {
    ($value:expr) => {
        $crate::output::Printed(
            serde_json::to_string_pretty(&$value).expect("the core's results serialise"),
        )
    };
}
pub(crate) use printed;

/// Prints a result on stdout.
pub fn print_json(value: &Printed) -> ExitCode {
    let mut out = std::io::stdout().lock();
    match writeln!(out, "{}", value.0).and_then(|_| out.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        // A closed pipe (`| head`) is not worth a panic; say so and fail.
        Err(e) => {
            eprintln!("commbox: cannot write the result: {e}");
            ExitCode::from(1)
        }
    }
}

/// Reports an error on stderr in the chosen format and returns its exit code. `named` is how
/// the command line names it ([`crate::arguments::name`]): its message names the flag or
/// variable as well as the core's field. The JSON format is `{"error": <the error's JSON
/// form>}` with that message, the flag or variable as `argument` (null when the error is
/// about none) and the exit code as `exit_code`; `field` and `reason` stay the core's, and
/// `retry_safety` (`safe` or `may_duplicate`) tells a script whether running the same
/// command again can create a record twice. The text format says it in words.
pub fn report(err: &Error, named: &Named, format: ErrorFormat) -> ExitCode {
    let code = exit_code(err.kind());
    match format {
        ErrorFormat::Json => {
            let mut error = serde_json::to_value(err).unwrap_or_default();
            if let Value::Object(fields) = &mut error {
                fields.insert("message".into(), named.message.clone().into());
                fields.insert("argument".into(), named.argument.clone().into());
                fields.insert("exit_code".into(), code.into());
            }
            eprintln!("{}", json!({ "error": error }));
        }
        ErrorFormat::Text => {
            let mut text = format!("commbox: error: {}\n  kind: {}", named.message, err.kind());
            text.push_str(match err.retry_safety() {
                RetrySafety::Safe => "\n  retry safety: safe (running it again cannot duplicate it)",
                RetrySafety::MayDuplicate => {
                    "\n  retry safety: may_duplicate (it may have been processed: check before running it again)"
                }
            });
            if let Some(s) = err.http_status() {
                text.push_str(&format!("\n  http status: {s}"));
            }
            if let Some(d) = err.retry_after() {
                text.push_str(&format!("\n  retry after: {} s", d.as_secs_f64()));
            }
            if let Some(id) = err.request_id() {
                text.push_str(&format!("\n  request id: {id}"));
            }
            if let Some(id) = err.server_request_id() {
                text.push_str(&format!("\n  server request id: {id}"));
            }
            eprintln!("{text}");
        }
    }
    ExitCode::from(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_its_own_code() {
        let mut codes: Vec<u8> = ErrorKind::ALL.iter().map(|k| exit_code(*k)).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes, (3..=13).collect::<Vec<u8>>());
    }
}
