//! A 50 MB attachment streams from disk: the bytes arrive intact and memory stays flat.
//! Alone in its own test binary so no other test disturbs the peak-RSS reading.

mod common;

use commbox::*;
use common::*;

fn status_kib(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

#[test]
fn fifty_megabytes_stream_with_flat_memory() {
    let (mock, client) = setup();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.bin");
    const SIZE: usize = 50 * 1024 * 1024;
    let sha = write_file(&path, SIZE);
    // Warm the connection pool and the mock, then reset the peak-RSS mark (Linux: writing
    // 5 to clear_refs resets VmHWM) so only the upload is measured.
    client.system_status().unwrap();
    let resettable = std::fs::write("/proc/self/clear_refs", "5").is_ok();
    let before = status_kib("VmRSS:");
    let id = client
        .create_conversation(
            "s",
            EmailConversation::new("a@b.co", "big", "see attached")
                .attachment(Attachment::from_path(&path)),
        )
        .unwrap();
    let peak = status_kib("VmHWM:");
    let objects = mock.objects();
    let stored = &objects[0];
    assert_eq!(stored.id as i64, id);
    assert_eq!(stored.attachments[0].size, SIZE as u64);
    assert_eq!(stored.attachments[0].sha256, sha);
    if resettable {
        let growth_mib = peak.saturating_sub(before) / 1024;
        eprintln!("peak RSS growth during the 50 MB upload: {growth_mib} MiB");
        // The client and the in-process mock both stream; a read-whole-file bug shows as 50+.
        assert!(growth_mib < 24, "peak RSS grew by {growth_mib} MiB");
    }
}
