//! A CommBox webhook delivery (optional `Content-Type: …` line, then the body) through the
//! CommBox delivery parser (XML and JSON); see crates/commbox/src/fuzzing.rs.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| core_api::__fuzz::commbox_delivery(data));
