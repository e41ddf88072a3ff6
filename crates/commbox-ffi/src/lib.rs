//! The C ABI of libcommbox (`libcommbox.so`, `libcommbox.a`, `include/commbox.h`).
//!
//! Conventions (modelled on rustls-ffi): every symbol starts with `commbox_`; opaque
//! handles are made by `*_new` and released by `*_free` (NULL-safe); inputs come first,
//! then out-parameters, which are written only on success; every fallible call returns a
//! `commbox_status` and fills an optional `commbox_error **`. Every export runs inside one
//! boundary (`boundary::run`) that turns panics, NULL pointers and bad UTF-8 into statuses.
//!
//! This crate converts types and nothing else: validation, serialisation, retries and
//! redaction are the core's (`crates/commbox`).

// Exports take raw pointers from C and check them at the boundary (see boundary.rs), the
// way rustls-ffi does; marking every export `unsafe` would add nothing for C callers.
#![allow(clippy::not_unsafe_ptr_arg_deref)]
#![allow(non_camel_case_types)]

mod boundary;
mod calls;
mod chatwoot;
mod client;
mod conversation;
mod error;
mod events;
mod live;
mod message;
mod progress;
mod strings;

pub use calls::*;
pub use chatwoot::*;
pub use client::*;
pub use conversation::*;
pub use error::*;
pub use events::*;
pub use live::*;
pub use message::*;
pub use progress::*;
pub use strings::*;
