//! The CommBox API: request types, records, the calls (as methods of [`crate::Client`]) and
//! the envelope every answer comes in.

pub(crate) mod calls;
pub(crate) mod conversation;
pub(crate) mod enums;
pub(crate) mod envelope;
pub(crate) mod message;
mod provider_identity;
pub(crate) mod records;
pub(crate) mod user;
