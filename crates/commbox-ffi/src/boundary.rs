//! The one boundary every export goes through: panics become `COMMBOX_STATUS_PANIC`, NULL
//! pointers `COMMBOX_STATUS_NULL_ARGUMENT`, bad UTF-8 `COMMBOX_STATUS_INVALID_UTF8`, and
//! core errors their own status, each with an optional `commbox_error` for the caller.

use crate::error::{commbox_error, commbox_status};
use std::ffi::{c_char, CStr};

/// Why an export failed.
pub(crate) enum Failure {
    /// An error of the core library.
    Core(core_api::Error),
    /// A required pointer argument was NULL.
    Null(&'static str),
    /// A string argument was not UTF-8.
    Utf8(&'static str),
    /// A Rust panic was caught; carries its message.
    Panic(String),
}

impl From<core_api::Error> for Failure {
    fn from(e: core_api::Error) -> Self {
        Failure::Core(e)
    }
}

pub(crate) type FfiResult<T = ()> = Result<T, Failure>;

/// Runs `body`, catching panics, and reports a failure through `err_out` (if not NULL).
pub(crate) fn run(
    function: &'static str,
    err_out: *mut *mut commbox_error,
    body: impl FnOnce() -> FfiResult,
) -> commbox_status {
    let outcome = match std::panic::catch_unwind(std::panic::AssertUnwindSafe(body)) {
        Ok(r) => r,
        Err(panic) => Err(Failure::Panic(panic_message(panic.as_ref()))),
    };
    match outcome {
        Ok(()) => commbox_status::COMMBOX_STATUS_OK,
        Err(failure) => {
            let err = commbox_error::new(function, failure);
            let status = err.status;
            if !err_out.is_null() {
                // SAFETY: the caller passes either NULL (checked above) or a valid pointer to
                // a `commbox_error *` it owns; we hand it a freshly boxed error.
                unsafe { *err_out = Box::into_raw(Box::new(err)) };
            }
            status
        }
    }
}

/// Runs an infallible `body` that returns a value (pointers, numbers); a panic yields
/// `fallback` instead of unwinding into C.
pub(crate) fn run_or<T>(fallback: T, body: impl FnOnce() -> T) -> T {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(body)).unwrap_or(fallback)
}

fn panic_message(p: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = p.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = p.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic".to_owned()
    }
}

/// The builder a C handle holds, changed in place by setters that take it by value. It is
/// empty only if a setter panicked half-way; every later use then reports that, instead of
/// sending a half-built request.
pub(crate) struct Slot<T>(Option<T>);

impl<T> Slot<T> {
    pub(crate) fn new(value: T) -> Slot<T> {
        Slot(Some(value))
    }

    pub(crate) fn get(&self) -> FfiResult<&T> {
        self.0.as_ref().ok_or_else(broken)
    }

    pub(crate) fn get_mut(&mut self) -> FfiResult<&mut T> {
        self.0.as_mut().ok_or_else(broken)
    }

    pub(crate) fn edit(&mut self, f: impl FnOnce(T) -> T) -> FfiResult {
        let value = self.0.take().ok_or_else(broken)?;
        self.0 = Some(f(value));
        Ok(())
    }
}

fn broken() -> Failure {
    Failure::Panic("this handle was left unusable by an earlier internal error".into())
}

/// A required, NUL-terminated UTF-8 string argument.
pub(crate) fn str_arg<'a>(p: *const c_char, name: &'static str) -> FfiResult<&'a str> {
    if p.is_null() {
        return Err(Failure::Null(name));
    }
    // SAFETY: non-NULL, and the C API requires NUL-terminated strings that stay valid for
    // the duration of the call.
    let bytes = unsafe { CStr::from_ptr(p) };
    bytes.to_str().map_err(|_| Failure::Utf8(name))
}

/// An optional string argument: NULL means "not given".
pub(crate) fn opt_str_arg<'a>(p: *const c_char, name: &'static str) -> FfiResult<Option<&'a str>> {
    if p.is_null() {
        Ok(None)
    } else {
        str_arg(p, name).map(Some)
    }
}

/// A required handle the call only reads.
pub(crate) fn ref_arg<'a, T>(p: *const T, name: &'static str) -> FfiResult<&'a T> {
    // SAFETY: the C API requires handles made by this library's `_new` functions and not yet
    // freed; NULL is checked by `as_ref`.
    unsafe { p.as_ref() }.ok_or(Failure::Null(name))
}

/// A required handle the call changes.
pub(crate) fn mut_arg<'a, T>(p: *mut T, name: &'static str) -> FfiResult<&'a mut T> {
    // SAFETY: as for `ref_arg`; the header states that one handle must not be changed from
    // two threads at once.
    unsafe { p.as_mut() }.ok_or(Failure::Null(name))
}

/// A required out-parameter; checked before any work so nothing is sent when it is NULL.
pub(crate) fn out_arg<T>(p: *mut T, name: &'static str) -> FfiResult<Out<T>> {
    if p.is_null() {
        Err(Failure::Null(name))
    } else {
        Ok(Out(p))
    }
}

/// An optional out-parameter: NULL means the caller does not want the value.
pub(crate) fn opt_out_arg<T>(p: *mut T) -> Option<Out<T>> {
    (!p.is_null()).then_some(Out(p))
}

/// A checked, non-NULL out-parameter, written once on success.
pub(crate) struct Out<T>(*mut T);

impl<T> Out<T> {
    pub(crate) fn write(self, value: T) {
        // SAFETY: checked non-NULL by `out_arg`; the caller owns the pointed-to storage.
        unsafe { self.0.write(value) }
    }
}

/// A byte buffer argument: `data` may be NULL only when `len` is 0.
pub(crate) fn bytes_arg<'a>(
    data: *const u8,
    len: usize,
    name: &'static str,
) -> FfiResult<&'a [u8]> {
    if len == 0 {
        return Ok(&[]);
    }
    if data.is_null() {
        return Err(Failure::Null(name));
    }
    // SAFETY: non-NULL, and the caller guarantees `len` readable bytes at `data` for the
    // duration of the call.
    Ok(unsafe { std::slice::from_raw_parts(data, len) })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{commbox_error_free, commbox_error_message, commbox_error_status};

    #[test]
    fn a_panic_becomes_a_status_with_a_message() {
        let mut err: *mut commbox_error = std::ptr::null_mut();
        let status = run("commbox_test", &mut err, || panic!("boom"));
        assert_eq!(status, commbox_status::COMMBOX_STATUS_PANIC);
        assert_eq!(
            commbox_error_status(err),
            commbox_status::COMMBOX_STATUS_PANIC
        );
        // SAFETY: a NUL-terminated string owned by `err`, read before it is freed.
        let msg = unsafe { CStr::from_ptr(commbox_error_message(err)) };
        assert_eq!(
            msg.to_str().unwrap(),
            "commbox_test: internal error (please report it): boom"
        );
        commbox_error_free(err);
        // Without an error out-parameter the status alone comes back.
        let status = run("commbox_test", std::ptr::null_mut(), || panic!("boom"));
        assert_eq!(status, commbox_status::COMMBOX_STATUS_PANIC);
        assert_eq!(run_or(7, || panic!("boom")), 7);
    }
}
