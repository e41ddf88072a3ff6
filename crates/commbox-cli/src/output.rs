//! What the command prints, and its exit codes.

use crate::args::ErrorFormat;
use commbox::{Error, ErrorKind};
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

/// Prints a result as pretty JSON on stdout.
pub fn print_json(value: &Value) -> ExitCode {
    let mut out = std::io::stdout().lock();
    let text = serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string());
    match writeln!(out, "{text}").and_then(|_| out.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        // A closed pipe (`| head`) is not worth a panic; say so and fail.
        Err(e) => {
            eprintln!("commbox: cannot write the result: {e}");
            ExitCode::from(1)
        }
    }
}

/// Reports an error on stderr in the chosen format and returns its exit code.
pub fn report(err: &Error, format: ErrorFormat) -> ExitCode {
    let code = exit_code(err.kind());
    match format {
        ErrorFormat::Json => {
            let v = json!({ "error": {
                "kind": err.kind().as_str(),
                "message": err.message(),
                "field": err.field(),
                "http_status": err.http_status(),
                "description": err.description(),
                "retry_after": err.retry_after().map(|d| d.as_secs_f64()),
                "request_id": err.request_id(),
                "server_request_id": err.server_request_id(),
                "body": err.body(),
                "exit_code": code,
            }});
            eprintln!("{v}");
        }
        ErrorFormat::Text => {
            let mut text = format!("commbox: error: {}\n  kind: {}", err.message(), err.kind());
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
