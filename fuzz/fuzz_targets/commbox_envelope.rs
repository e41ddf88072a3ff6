//! A CommBox answer (optional `STATUS[ HEADER]` line, then the body) through the envelope
//! decoder and what every CommBox call reads from it; see crates/commbox/src/fuzzing.rs.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| core_api::__fuzz::commbox_answer(data));
