//! Chatwoot's identity validation: `identifier_hash` is the hex HMAC-SHA256 of the contact's
//! `identifier`, keyed by the inbox's HMAC token (Settings > Configuration of the inbox).

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The `identifier_hash` Chatwoot expects for `identifier` with the inbox's `hmac_token`:
/// lowercase hex HMAC-SHA256. Compute it on your server: the token must stay secret.
///
/// ```
/// let hash = commbox::chatwoot::identifier_hash("user-42", "inbox-hmac-token");
/// assert_eq!(hash.len(), 64);
/// ```
#[must_use]
pub fn identifier_hash(identifier: &str, hmac_token: &str) -> String {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = Hmac::<Sha256>::new_from_slice(hmac_token.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    mac.update(identifier.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_rfc_4231_test_case_2() {
        // Key "Jefe", data "what do ya want for nothing?".
        assert_eq!(
            identifier_hash("what do ya want for nothing?", "Jefe"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
