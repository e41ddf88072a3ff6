//! Contacts: create, show and update, with Chatwoot's matching, merging, validation and
//! HMAC identity check.

use std::sync::Arc;
use std::time::SystemTime;

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::response::Response;
use serde_json::{Map, Value};

use super::errors::{self, Invalid, Rejection};
use super::params::{self, is_present, Params};
use super::store::{ChatwootStore, Contact, ContactInbox};
use super::{hmac, random, respond, RailsRequest};
use crate::state::MockState;

/// The contact params the controller permits (`identifier_hash` is only for the check).
#[derive(Debug, Default, Clone)]
pub(super) struct ContactParams {
    identifier: Option<String>,
    email: Option<String>,
    name: Option<String>,
    phone_number: Option<String>,
    avatar_url: Option<String>,
    custom_attributes: Option<Map<String, Value>>,
}

impl ContactParams {
    fn permit(params: &Params) -> Self {
        ContactParams {
            identifier: params::scalar(params, "identifier"),
            email: params::scalar(params, "email"),
            name: params::scalar(params, "name"),
            phone_number: params::scalar(params, "phone_number"),
            avatar_url: params::scalar(params, "avatar_url"),
            custom_attributes: params::object(params, "custom_attributes"),
        }
    }
}

/// `POST .../contacts`
pub(super) async fn create(
    State(state): State<Arc<MockState>>,
    path: Result<Path<String>, PathRejection>,
    request: RailsRequest,
) -> Response {
    let Ok(Path(inbox)) = path else {
        return errors::not_found();
    };
    let params = request.params;
    respond(state.chatwoot(|store| {
        let inbox = store.inbox(&inbox)?;
        // On create there is no contact inbox yet, so a valid hash marks nothing verified.
        hmac::check(
            store.inboxes[inbox].hmac_mandatory,
            store.inboxes[inbox].hmac_token,
            &params,
        )?;
        let source_id = params::present(&params, "source_id").unwrap_or_else(random::uuid_v4);
        let contact_inbox =
            store.create_contact(inbox, source_id, ContactParams::permit(&params))?;
        store
            .contact_inbox_view(contact_inbox)
            .ok_or(Rejection::NotFound)
    }))
}

/// `GET .../contacts/{contact_identifier}`
pub(super) async fn show(
    State(state): State<Arc<MockState>>,
    path: Result<Path<(String, String)>, PathRejection>,
    request: RailsRequest,
) -> Response {
    let Ok(Path((inbox, source_id))) = path else {
        return errors::not_found();
    };
    respond(state.chatwoot(|store| {
        let contact_inbox = store.checked_contact_inbox(&inbox, &source_id, &request.params)?;
        store
            .contact_inbox_view(contact_inbox)
            .ok_or(Rejection::NotFound)
    }))
}

/// `PATCH`/`PUT .../contacts/{contact_identifier}`: answers the full contact model.
pub(super) async fn update(
    State(state): State<Arc<MockState>>,
    path: Result<Path<(String, String)>, PathRejection>,
    request: RailsRequest,
) -> Response {
    let Ok(Path((inbox, source_id))) = path else {
        return errors::not_found();
    };
    let mut changes = ContactParams::permit(&request.params);
    // The controller drops `identifier` before updating.
    changes.identifier = None;
    respond(state.chatwoot(|store| {
        let contact_inbox = store.checked_contact_inbox(&inbox, &source_id, &request.params)?;
        let contact_id = store.update_contact(contact_inbox, &changes)?;
        store.contact_model(contact_id).ok_or(Rejection::NotFound)
    }))
}

impl ChatwootStore {
    /// The `before_action`s of show and update: find the contact inbox (404), then run the
    /// HMAC check, whose success marks the contact inbox verified (kept even if the update
    /// then fails, as it is a separate save in Chatwoot).
    fn checked_contact_inbox(
        &mut self,
        inbox: &str,
        source_id: &str,
        params: &Params,
    ) -> Result<usize, Rejection> {
        let inbox = self.inbox(inbox)?;
        let contact_inbox = self.contact_inbox(inbox, source_id)?;
        let verified = hmac::check(
            self.inboxes[inbox].hmac_mandatory,
            self.inboxes[inbox].hmac_token,
            params,
        )?;
        if verified {
            self.contact_inboxes[contact_inbox].hmac_verified = true;
        }
        Ok(contact_inbox)
    }

    /// `ContactInboxWithContactBuilder`: an existing contact inbox with `source_id` is
    /// returned unchanged; otherwise the contact is found by identifier, email, then phone
    /// number (without updating it), or created, and gets a new contact inbox.
    fn create_contact(
        &mut self,
        inbox: usize,
        source_id: String,
        attributes: ContactParams,
    ) -> Result<usize, Rejection> {
        if let Some(existing) = self.find_contact_inbox(inbox, &source_id) {
            return Ok(existing);
        }
        let contact_id = match self.find_contact(&attributes) {
            Some(id) => id,
            None => self.insert_contact(attributes)?,
        };
        self.contact_inboxes.push(ContactInbox {
            inbox,
            contact_id,
            source_id,
            pubsub_token: random::secure_token(),
            hmac_verified: false,
        });
        Ok(self.contact_inboxes.len() - 1)
    }

    fn find_contact(&self, attributes: &ContactParams) -> Option<u64> {
        let present = |value: &Option<String>| value.clone().filter(|text| is_present(text));
        let by = |matches: &dyn Fn(&Contact) -> bool| {
            self.contacts
                .iter()
                .find(|contact| matches(contact))
                .map(|contact| contact.id)
        };
        present(&attributes.identifier)
            .and_then(|identifier| by(&|c| c.identifier.as_deref() == Some(identifier.as_str())))
            .or_else(|| {
                // `Contact.from_email` lowercases, and stored emails are lowercase.
                present(&attributes.email).and_then(|email| {
                    let email = email.to_lowercase();
                    by(&|c| c.email.as_deref() == Some(email.as_str()))
                })
            })
            .or_else(|| {
                present(&attributes.phone_number)
                    .and_then(|phone| by(&|c| c.phone_number.as_deref() == Some(phone.as_str())))
            })
    }

    fn insert_contact(&mut self, attributes: ContactParams) -> Result<u64, Rejection> {
        let now = SystemTime::now();
        let mut contact = Contact {
            id: self.next_contact_id,
            // Only a missing name gets a generated one; "" stays "".
            name: attributes.name.unwrap_or_else(random::haikunate),
            email: prepare_email(attributes.email),
            phone_number: attributes.phone_number,
            identifier: attributes.identifier,
            avatar_url: attributes.avatar_url.filter(|url| is_present(url)),
            additional_attributes: Map::new(),
            custom_attributes: attributes.custom_attributes.unwrap_or_default(),
            contact_type: "visitor",
            created_at: now,
            updated_at: now,
            last_activity_at: None,
        };
        sync_contact_type(&mut contact);
        validate(&self.contacts, &contact)?;
        // Counted only once the contact is valid: a rejected insert uses no id in Postgres.
        self.next_contact_id += 1;
        let id = contact.id;
        self.contacts.push(contact);
        Ok(id)
    }

    /// `ContactIdentifyAction` without `identifier`: an email or phone number that belongs
    /// to another contact merges this one into that contact (which is then the one updated
    /// and returned); then the non-blank attributes are applied and validated. Nothing
    /// changes when validation fails, as in Chatwoot's transaction.
    fn update_contact(
        &mut self,
        contact_inbox: usize,
        changes: &ContactParams,
    ) -> Result<u64, Rejection> {
        let mut contacts = self.contacts.clone();
        let mut merges: Vec<(u64, u64)> = Vec::new();
        let mut current = self.contact_inboxes[contact_inbox].contact_id;
        let email = changes.email.as_deref().filter(|text| is_present(text));
        let phone = changes
            .phone_number
            .as_deref()
            .filter(|text| is_present(text));
        let mut apply_phone = true;

        if let Some(email) = email {
            let email = email.to_lowercase();
            let owner = contacts
                .iter()
                .find(|c| c.email.as_deref() == Some(email.as_str()))
                .map(|c| c.id);
            if let Some(base) = owner.filter(|&base| base != current) {
                merge_contacts(&mut contacts, base, current);
                merges.push((current, base));
                current = base;
            }
        }
        if let Some(phone) = phone {
            let owner = contacts
                .iter()
                .find(|c| c.phone_number.as_deref() == Some(phone));
            if let Some(owner) = owner {
                // `mergable_phone_contact?`: the email param wins over a phone number owned
                // by a contact with another email (compared as sent, not lowercased).
                let conflict = email.is_some_and(|email| {
                    owner
                        .email
                        .as_deref()
                        .is_some_and(|theirs| is_present(theirs) && theirs != email)
                });
                let base = owner.id;
                if conflict {
                    apply_phone = false;
                } else if base != current {
                    merge_contacts(&mut contacts, base, current);
                    merges.push((current, base));
                    current = base;
                }
            }
        }

        let Some(contact) = contacts.iter_mut().find(|c| c.id == current) else {
            return Err(Rejection::NotFound);
        };
        let before = contact.clone();
        if let Some(name) = changes.name.as_deref().filter(|text| is_present(text)) {
            contact.name = name.to_owned();
        }
        if email.is_some() {
            contact.email = prepare_email(changes.email.clone());
        }
        if let Some(phone) = phone.filter(|_| apply_phone) {
            contact.phone_number = Some(phone.to_owned());
        }
        if let Some(custom) = changes.custom_attributes.as_ref().filter(|m| !m.is_empty()) {
            deep_merge(&mut contact.custom_attributes, custom);
        }
        if let Some(url) = changes
            .avatar_url
            .as_deref()
            .filter(|text| is_present(text))
        {
            contact.avatar_url = Some(url.to_owned());
        }
        sync_contact_type(contact);
        let changed = !same_attributes(&before, contact);
        if changed {
            contact.updated_at = SystemTime::now();
        }
        let candidate = contact.clone();
        validate(&contacts, &candidate)?;

        self.contacts = contacts;
        for (mergee, base) in merges {
            self.reassign_contact(mergee, base);
        }
        Ok(current)
    }

    /// `ContactMergeAction`'s moves: the mergee's contact inboxes, conversations and
    /// messages now belong to the base contact.
    fn reassign_contact(&mut self, mergee: u64, base: u64) {
        for ci in &mut self.contact_inboxes {
            if ci.contact_id == mergee {
                ci.contact_id = base;
            }
        }
        for conversation in &mut self.conversations {
            if conversation.contact_id == mergee {
                conversation.contact_id = base;
            }
            for message in &mut conversation.messages {
                if message.sender == Some(mergee) {
                    message.sender = Some(base);
                }
            }
        }
    }
}

/// `prepare_email_attribute`: lowercase when present, else nil.
fn prepare_email(email: Option<String>) -> Option<String> {
    email
        .filter(|text| is_present(text))
        .map(|text| text.to_lowercase())
}

/// `Contacts::SyncAttributes#set_contact_type`: a visitor with an email or phone number is a
/// lead.
fn sync_contact_type(contact: &mut Contact) {
    let has = |value: &Option<String>| value.as_deref().is_some_and(is_present);
    if contact.contact_type == "visitor" && (has(&contact.email) || has(&contact.phone_number)) {
        contact.contact_type = "lead";
    }
}

fn same_attributes(a: &Contact, b: &Contact) -> bool {
    a.name == b.name
        && a.email == b.email
        && a.phone_number == b.phone_number
        && a.identifier == b.identifier
        && a.avatar_url == b.avatar_url
        && a.custom_attributes == b.custom_attributes
        && a.additional_attributes == b.additional_attributes
        && a.contact_type == b.contact_type
}

/// `ContactMergeAction`: removes the mergee; the base keeps its non-blank attributes and
/// takes the mergee's where its own are blank (hashes deep-merged, the base winning).
fn merge_contacts(contacts: &mut Vec<Contact>, base: u64, mergee: u64) {
    let Some(position) = contacts.iter().position(|c| c.id == mergee) else {
        return;
    };
    let mergee = contacts.remove(position);
    let Some(base) = contacts.iter_mut().find(|c| c.id == base) else {
        return;
    };
    let fill = |mine: &mut Option<String>, theirs: &Option<String>| {
        if !mine.as_deref().is_some_and(is_present) && theirs.as_deref().is_some_and(is_present) {
            mine.clone_from(theirs);
        }
    };
    fill(&mut base.identifier, &mergee.identifier);
    fill(&mut base.email, &mergee.email);
    fill(&mut base.phone_number, &mergee.phone_number);
    if !is_present(&base.name) {
        base.name = mergee.name.clone();
    }
    for (mine, theirs) in [
        (&mut base.custom_attributes, &mergee.custom_attributes),
        (
            &mut base.additional_attributes,
            &mergee.additional_attributes,
        ),
    ] {
        let mut merged = theirs.clone();
        deep_merge(&mut merged, mine);
        *mine = merged;
    }
    base.updated_at = SystemTime::now();
}

/// Ruby's `Hash#deep_merge`: `extra` wins, nested hashes are merged.
fn deep_merge(target: &mut Map<String, Value>, extra: &Map<String, Value>) {
    for (key, value) in extra {
        match (target.get_mut(key), value) {
            (Some(Value::Object(mine)), Value::Object(theirs)) => deep_merge(mine, theirs),
            _ => {
                target.insert(key.clone(), value.clone());
            }
        }
    }
}

/// Contact validations in Chatwoot's order: email (unique ignoring case, Devise format),
/// identifier (unique), phone number (unique, E.164). Blank values are not checked.
fn validate(contacts: &[Contact], candidate: &Contact) -> Result<(), Invalid> {
    let others = || contacts.iter().filter(|c| c.id != candidate.id);
    let present = |value: &Option<String>| value.clone().filter(|text| is_present(text));
    let mut invalid = Invalid::default();
    if let Some(email) = present(&candidate.email) {
        let lower = email.to_lowercase();
        if others().any(|c| c.email.as_deref().map(str::to_lowercase) == Some(lower.clone())) {
            invalid.add("email", "has already been taken");
        }
        if !is_email(&email) {
            invalid.add("email", "Invalid email");
        }
    }
    if let Some(identifier) = present(&candidate.identifier) {
        if others().any(|c| c.identifier.as_deref() == Some(identifier.as_str())) {
            invalid.add("identifier", "has already been taken");
        }
    }
    if let Some(phone) = present(&candidate.phone_number) {
        if others().any(|c| c.phone_number.as_deref() == Some(phone.as_str())) {
            invalid.add("phone_number", "has already been taken");
        }
        if !is_e164(&phone) {
            invalid.add("phone_number", "should be in e164 format");
        }
    }
    invalid.into_result()
}

/// Devise's `email_regexp`, `\A[^@\s]+@[^@\s]+\z`.
fn is_email(text: &str) -> bool {
    let Some((local, domain)) = text.split_once('@') else {
        return false;
    };
    let part_ok = |part: &str| {
        !part.is_empty() && !part.contains('@') && !part.chars().any(params::is_ruby_space)
    };
    part_ok(local) && part_ok(domain)
}

/// `\A\+[1-9]\d{1,14}\z`.
fn is_e164(text: &str) -> bool {
    let Some(digits) = text.strip_prefix('+') else {
        return false;
    };
    (2..=15).contains(&digits.len())
        && digits.bytes().all(|b| b.is_ascii_digit())
        && !digits.starts_with('0')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert!(is_email("a@b"));
        assert!(is_email("alice+x@acme.inc"));
        assert!(!is_email("alice"));
        assert!(!is_email("a@b@c"));
        assert!(!is_email("a b@c"));
        assert!(!is_email("@c"));
        assert!(is_e164("+12"));
        assert!(is_e164("+123456789012345"));
        assert!(!is_e164("+1234567890123456"));
        assert!(!is_e164("+1"));
        assert!(!is_e164("+0123"));
        assert!(!is_e164("12345"));
        assert!(!is_e164("+12a"));
    }

    #[test]
    fn deep_merges() {
        let mut target = serde_json::json!({"a": {"x": 1, "y": 2}, "b": 1});
        let extra = serde_json::json!({"a": {"y": 3}, "c": 4});
        deep_merge(target.as_object_mut().unwrap(), extra.as_object().unwrap());
        assert_eq!(
            target,
            serde_json::json!({"a": {"x": 1, "y": 3}, "b": 1, "c": 4})
        );
    }
}
