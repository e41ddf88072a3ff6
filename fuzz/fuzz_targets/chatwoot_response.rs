//! A Chatwoot answer (optional `STATUS[ HEADER]` line, then the body) through the Chatwoot
//! decoders; see crates/commbox/src/fuzzing.rs.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| core_api::__fuzz::chatwoot_answer(data));
