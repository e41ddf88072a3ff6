//! `commbox-bench-upload FILE PORT [progress]`: one e-mail conversation with FILE attached,
//! through the Rust core; prints the idle RSS and the peak RSS during the upload (KiB, from
//! /proc). With `progress`, an upload progress callback counts the chunks (it must not cost
//! memory) and the bytes it was told are checked against the file's size.

use commbox::blocking::Client;
use commbox::{Attachment, EmailConversation};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

fn status_kib(field: &str) -> u64 {
    let s = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    s.lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches(" kB").parse().ok())
        .expect("field")
}

fn main() -> commbox::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let (file, port) = (&args[1], &args[2]);
    let told = Arc::new(AtomicU64::new(0));
    let mut builder = Client::builder();
    if args.get(3).map(String::as_str) == Some("progress") {
        let told = told.clone();
        builder = builder.on_upload_progress(move |p| told.store(p.bytes_sent, Ordering::Relaxed));
    }
    let client = builder
        .api_key("bench-key")
        .base_url(format!("http://127.0.0.1:{port}"))
        .max_retries(0)
        .timeout(Duration::from_secs(600))
        .build()?;
    let conv = EmailConversation::new("customer@example.com", "file", "attached")
        .attachment(Attachment::from_path(file));
    std::fs::write("/proc/self/clear_refs", "5").expect("clear_refs");
    let baseline = status_kib("VmRSS");
    let id = client.create_conversation("upload", conv)?;
    assert_eq!(id, 67890);
    if args.len() > 3 {
        let size = std::fs::metadata(file).expect("file").len();
        assert_eq!(
            told.load(Ordering::Relaxed),
            size,
            "progress ends at the file's size"
        );
    }
    println!(
        "{{\"baseline_kib\": {baseline}, \"peak_kib\": {}}}",
        status_kib("VmHWM")
    );
    Ok(())
}
