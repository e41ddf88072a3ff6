//! `commbox._commbox`: the native half of the `commbox` Python package.
//!
//! It converts types and nothing else: Python values become the core's request builders,
//! the core's records and errors become Python values. Validation, serialisation, retries
//! and redaction stay in the `commbox` crate. The pure-Python half
//! (`bindings/python/python/commbox`) holds the public classes, the exceptions and the stubs.
//! `NativeClient` is the CommBox client, `NativeInboxClient` the Chatwoot inbox client; both
//! run their calls through `call::run` and keep their core handle in a
//! `client_cell::ClientCell`. `NativeAsyncClient` and `NativeAsyncInboxClient` give the same
//! core clients' async calls to asyncio (`async_client`), run on one tokio runtime (`aio`).
//!
//! Rules every function here keeps:
//! - the GIL is released around all I/O (network and files) and around client construction;
//!   async calls do their I/O on the runtime's thread, which takes the GIL only to wake the
//!   event loop (and to log a cancelled call);
//! - no Rust lock is held while Python code runs, and no Python code runs while a Rust lock
//!   is held, so the GIL, `logging` handlers and the client's mutex cannot deadlock;
//! - a Rust panic reaches Python as `commbox.CommboxError`, never as PyO3's `PanicException`.

mod aio;
mod async_client;
mod call;
mod call_log;
mod client;
mod client_cell;
mod enums;
mod errors;
mod inbox;
mod json;
mod live;
mod progress;
mod records;
mod requests;
mod webhooks;

use pyo3::prelude::*;

/// The native module. Import `commbox` instead: this module is its private half.
#[pymodule]
fn _commbox(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", commbox::VERSION)?;
    m.add_class::<client::NativeClient>()?;
    m.add_class::<inbox::NativeInboxClient>()?;
    m.add_class::<async_client::NativeAsyncClient>()?;
    m.add_class::<async_client::NativeAsyncInboxClient>()?;
    m.add_class::<live::NativeLive>()?;
    m.add_class::<live::NativeMessages>()?;
    m.add_class::<live::NativeAsyncMessages>()?;
    aio::register_exit_hook(m)?;
    m.add_function(wrap_pyfunction!(inbox::chatwoot_identifier_hash, m)?)?;
    m.add_function(wrap_pyfunction!(enums::enum_members, m)?)?;
    // Set, not added: a test hook stays out of `__all__` (and of the stub, which mirrors it).
    #[cfg(feature = "test-hooks")]
    m.setattr(
        "_panic_for_tests",
        wrap_pyfunction!(errors::panic_for_tests, m)?,
    )?;
    m.add("MAX_DELIVERY_BYTES", commbox::events::MAX_DELIVERY_BYTES)?;
    m.add(
        "DEFAULT_TOLERANCE",
        commbox::events::DEFAULT_TOLERANCE.as_secs_f64(),
    )?;
    m.add_function(wrap_pyfunction!(
        webhooks::parse_commbox_delivery_native,
        m
    )?)?;
    m.add_function(wrap_pyfunction!(webhooks::verify_chatwoot_native, m)?)?;
    m.add_function(wrap_pyfunction!(webhooks::parse_chatwoot_event_native, m)?)?;
    Ok(())
}
