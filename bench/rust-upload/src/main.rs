//! `commbox-bench-upload FILE PORT`: one e-mail conversation with FILE attached, through the
//! Rust core; prints the idle RSS and the peak RSS during the upload (KiB, from /proc).

use commbox::blocking::Client;
use commbox::{Attachment, EmailConversation};
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
    let client = Client::builder()
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
    println!(
        "{{\"baseline_kib\": {baseline}, \"peak_kib\": {}}}",
        status_kib("VmHWM")
    );
    Ok(())
}
