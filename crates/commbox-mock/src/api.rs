//! Which of the two mocked APIs a request belongs to.
//!
//! The path alone decides, before routing: the pipeline needs it to parse the body the way
//! that API's server would and to shape faulted answers like that server's errors.

/// Prefix of every Chatwoot public client API path.
pub(crate) const CHATWOOT_PREFIX: &str = "/public/api/v1/";

/// One of the APIs the mock serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Api {
    /// `api.commbox.io`: Bearer key, CommBox envelopes.
    CommBox,
    /// Chatwoot's `/public/api/v1/...`: no token, Rails params and Rails error bodies.
    Chatwoot,
}

impl Api {
    /// The API a request path belongs to. Everything outside the Chatwoot prefix (unknown
    /// paths included) is CommBox, which keeps the mock's older behaviour for those paths.
    pub(crate) fn of_path(path: &str) -> Api {
        if path.starts_with(CHATWOOT_PREFIX) {
            Api::Chatwoot
        } else {
            Api::CommBox
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_paths() {
        assert_eq!(Api::of_path("/public/api/v1/inboxes/x"), Api::Chatwoot);
        assert_eq!(Api::of_path("/public/api/v1"), Api::CommBox);
        assert_eq!(Api::of_path("/streams/s/objects"), Api::CommBox);
        assert_eq!(Api::of_path("/"), Api::CommBox);
    }
}
