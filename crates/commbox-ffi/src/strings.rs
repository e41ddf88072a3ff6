//! Strings the library returns, and the version.

use crate::boundary::run_or;
use crate::error::c_string;
use std::ffi::c_char;

/// Hands a string to the caller, who frees it with `commbox_string_free`.
pub(crate) fn give(s: &str) -> *mut c_char {
    c_string(s).into_raw()
}

/// Hands the JSON form of a core result (a record, a list of records; docs/json-forms.md)
/// to the caller: the same document the CLI prints and Python's objects are built from.
macro_rules! give_json {
    ($value:expr) => {
        $crate::strings::give(
            &serde_json::to_string(&$value).expect("the core's records serialise"),
        )
    };
}
pub(crate) use give_json;

/// Releases a string returned by this library (JSON results). NULL is ignored. Do not
/// release it with `free()`.
#[no_mangle]
pub extern "C" fn commbox_string_free(s: *mut c_char) {
    run_or((), || {
        if !s.is_null() {
            // SAFETY: made by CString::into_raw in `give`; the caller frees it once.
            drop(unsafe { std::ffi::CString::from_raw(s) });
        }
    })
}

static VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), "\0");

/// The library's version, e.g. `"0.1.0"` (the same as `COMMBOX_VERSION_STRING` at build
/// time; compare them to detect a mismatched shared library). Static: never free it.
#[no_mangle]
pub extern "C" fn commbox_version() -> *const c_char {
    VERSION.as_ptr().cast()
}
