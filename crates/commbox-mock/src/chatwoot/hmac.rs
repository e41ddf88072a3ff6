//! Chatwoot's identity validation (`process_hmac` in the public contacts controller).

use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::errors::Rejection;
use super::params::{self, Params};

/// `OpenSSL::HMAC.hexdigest('sha256', key, message)`.
pub(crate) fn hexdigest(key: &str, message: &str) -> String {
    // HMAC takes keys of any length, so this never fails; an empty digest would simply never
    // match.
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key.as_bytes()) else {
        return String::new();
    };
    mac.update(message.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// Runs the check when `identifier_hash` is present or the inbox makes it mandatory.
///
/// `Ok(true)`: checked and valid (show and update then mark the contact inbox verified);
/// `Ok(false)`: not checked. A mismatch is a [`Rejection::Crash`]: the real server raises an
/// unhandled `StandardError` ("HMAC failed"), which Rails answers with a 500.
pub(crate) fn check(mandatory: bool, token: &str, params: &Params) -> Result<bool, Rejection> {
    if params::is_blank(params.get("identifier_hash")) && !mandatory {
        return Ok(false);
    }
    // `params[:identifier].to_s`: nil is "".
    let identifier = params::scalar(params, "identifier").unwrap_or_default();
    let expected = hexdigest(token, &identifier);
    // A plain `==` on the param: an uppercase or non-string hash fails too.
    match params.get("identifier_hash") {
        Some(serde_json::Value::String(given)) if *given == expected => Ok(true),
        _ => Err(Rejection::Crash),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn rfc4231_case_2() {
        assert_eq!(
            hexdigest("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn check_rules() {
        let params = |value: serde_json::Value| value.as_object().unwrap().clone();
        let good = hexdigest("k", "u1");
        assert_eq!(check(false, "k", &params(json!({}))), Ok(false));
        assert_eq!(
            check(false, "k", &params(json!({"identifier_hash": ""}))),
            Ok(false)
        );
        assert_eq!(
            check(
                false,
                "k",
                &params(json!({"identifier": "u1", "identifier_hash": good}))
            ),
            Ok(true)
        );
        assert_eq!(
            check(
                false,
                "k",
                &params(json!({"identifier": "u1", "identifier_hash": good.to_uppercase()}))
            ),
            Err(Rejection::Crash)
        );
        assert_eq!(check(true, "k", &params(json!({}))), Err(Rejection::Crash));
        // Mandatory with the hash of "" and no identifier passes, as in Chatwoot.
        let empty = hexdigest("k", "");
        assert_eq!(
            check(true, "k", &params(json!({"identifier_hash": empty}))),
            Ok(true)
        );
    }
}
