//! Upload progress: a C callback told, as each chunk of each attachment is handed to the
//! connection, how much of that file was sent (the core's `on_upload_progress`).

use crate::boundary::{mut_arg, run};
use crate::client::commbox_client_config;
use crate::error::{commbox_error, commbox_status};
use core_api::UploadProgress;
use std::ffi::{c_char, c_void, CString};

/// How far the upload of one attachment has gone; passed to a
/// `commbox_upload_progress_callback`. Valid only during the callback (copy what you keep).
#[repr(C)]
pub struct commbox_upload_progress {
    /// The call's X-Request-Id (the same in every attempt and in the call's error).
    pub request_id: *const c_char,
    /// Which attempt of the call: 1, then 2 for the first retry, and so on. A retried
    /// attempt sends the files again from the start: `bytes_sent` starts again at 0.
    pub attempt: u32,
    /// The attachment's position among the request's attachments, from 0.
    pub index: usize,
    /// How many attachments the request carries.
    pub count: usize,
    /// The attachment's file name, as sent.
    pub attachment: *const c_char,
    /// Bytes of the file handed to the connection so far in this attempt: 0 first, then
    /// after each chunk (64 KiB), lastly `total_bytes`. It never decreases within an attempt.
    pub bytes_sent: u64,
    /// The file's size.
    pub total_bytes: u64,
}

/// Told how far an upload has gone (see `commbox_client_config_set_upload_progress`).
/// `progress` and its strings are valid only during the call; `user_data` is the pointer
/// given to the setter. It must return normally: not longjmp, nor let a C++ exception
/// escape.
pub type commbox_upload_progress_callback =
    Option<unsafe extern "C" fn(progress: *const commbox_upload_progress, user_data: *mut c_void)>;

/// The callback and its pointer, as the core's progress callback.
struct Callback {
    function: unsafe extern "C" fn(*const commbox_upload_progress, *mut c_void),
    user_data: *mut c_void,
}

// SAFETY: the setter's contract: `user_data` may be used from any thread that makes calls,
// for as long as a client made from the config lives; the function pointer is plain code.
unsafe impl Send for Callback {}
// SAFETY: as for Send: the callback may run in several threads at once, which the setter's
// documentation tells the caller (`user_data` must be safe to share).
unsafe impl Sync for Callback {}

impl Callback {
    fn call(&self, p: &UploadProgress) {
        // Names and ids hold no NUL (they are header values); replace one rather than fail.
        let c = |s: &str| CString::new(s.replace('\0', "\u{FFFD}")).unwrap_or_default();
        let (request_id, attachment) = (c(&p.request_id), c(&p.attachment));
        let progress = commbox_upload_progress {
            request_id: request_id.as_ptr(),
            attempt: p.attempt,
            index: p.index,
            count: p.count,
            attachment: attachment.as_ptr(),
            bytes_sent: p.bytes_sent,
            total_bytes: p.total_bytes,
        };
        // SAFETY: the caller's function, with a struct and strings that live until it returns.
        unsafe { (self.function)(&progress, self.user_data) };
    }
}

/// Calls `callback(progress, user_data)` as each chunk of each attachment is handed to the
/// connection, with how much of that file has been sent and its size: for a progress bar.
/// Calls without attachments never call it. NULL `callback` removes it.
///
/// For each attachment and attempt it is called first with `bytes_sent` 0, then after each
/// chunk (64 KiB), lastly with `bytes_sent == total_bytes` (every byte handed to the
/// connection; the call's result says whether the server stored it). A retried attempt
/// starts again at 0, with `attempt` one higher.
///
/// Thread: called on the thread that made the call (`commbox_create_conversation` & co.),
/// while that call runs, with no lock of the library held; with one client in several
/// threads, it is called from each of them, so `user_data` must be safe to share. Keep it
/// short: the upload waits for it. `user_data` must stay valid as long as any client made
/// from this config. The callback must return normally (no longjmp, no C++ exception).
///
/// Example:
///
/// ```c
/// static void on_progress(const commbox_upload_progress *p, void *user_data) {
///     (void)user_data;
///     fprintf(stderr, "\r%s: %llu / %llu bytes", p->attachment,
///             (unsigned long long)p->bytes_sent, (unsigned long long)p->total_bytes);
/// }
/// ...
/// commbox_client_config_set_upload_progress(config, on_progress, NULL, &err);
/// ```
#[no_mangle]
pub extern "C" fn commbox_client_config_set_upload_progress(
    config: *mut commbox_client_config,
    callback: commbox_upload_progress_callback,
    user_data: *mut c_void,
    err: *mut *mut commbox_error,
) -> commbox_status {
    run("commbox_client_config_set_upload_progress", err, || {
        let config = mut_arg(config, "config")?;
        match callback {
            Some(function) => {
                let cb = Callback {
                    function,
                    user_data,
                };
                config.update(|b| b.on_upload_progress(move |p| cb.call(p)));
            }
            // The core then still counts chunks, which costs nothing next to reading them.
            None => config.update(|b| b.on_upload_progress(|_| {})),
        }
        Ok(())
    })
}
