//! A user's address on a provider (`UserStreamProviderId` + `UserStreamProviderType`):
//! checked and normalized by its type.

use crate::commbox::enums::StreamProviderType;
use crate::error::Result;
use crate::validate;

/// An identity value, normalized for the wire.
pub(crate) struct Identity(pub String);

/// The type an identity most likely has: an `@` makes it e-mail, anything else a phone.
pub(crate) fn infer_type(identity: &str) -> StreamProviderType {
    if identity.contains('@') {
        StreamProviderType::MAIL
    } else {
        StreamProviderType::TELEPHONE
    }
}

/// Phone types become digits with country code (a leading `+` stripped); mail types must
/// be e-mail addresses; other providers' ids are passed through, non-empty.
pub(crate) fn normalize(field: &str, value: &str, kind: StreamProviderType) -> Result<Identity> {
    if kind.is_phone() {
        return validate::phone(field, value).map(Identity);
    }
    if kind.is_mail() {
        validate::email(field, value)?;
    } else {
        validate::required(field, value)?;
    }
    Ok(Identity(value.to_owned()))
}
