//! Request builders and response records of the CommBox API.

pub(crate) mod conversation;
mod identity;
pub(crate) mod message;
pub(crate) mod records;
pub(crate) mod user;
