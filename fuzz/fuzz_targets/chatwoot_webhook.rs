//! A Chatwoot webhook delivery (header lines, an empty line, the body) through the
//! signature verifier and the event parser; see crates/commbox/src/fuzzing.rs.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| core_api::__fuzz::chatwoot_webhook(data));
