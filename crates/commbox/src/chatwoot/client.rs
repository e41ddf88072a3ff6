//! The inbox client and its calls.

use super::message_pages::Pager;
use super::records::{list, Contact, Inbox, InboxConversation, InboxMessage};
use super::requests::{NewContact, NewInboxMessage};
use crate::error::{capped_body, Error, ErrorKind, Result};
use crate::http_error;
use crate::transport::body::{Body, FormPart, PartValue};
use crate::transport::url::{self, PathParam};
use crate::transport::{Request, Response, Transport};
use reqwest::Method;
use serde_json::{json, Value};
use std::fmt;

/// What to add to an error from a contact endpoint: Chatwoot raises an unhandled error
/// (a bare 500) when `identifier_hash` does not match.
const HMAC_HINT: &str = "on the contact endpoints a 500 usually means identity validation \
failed: identifier_hash must be the hex HMAC-SHA256 of identifier keyed by the inbox's HMAC \
token, and it is required when the inbox has identity validation on";

/// A client of one inbox of the Chatwoot public client API. Cheap to clone, safe to share
/// between threads; see the [module docs](super) for an example.
///
/// The inbox and contact identifiers are the API's only access control, so `Debug`, logs
/// and the `on_call` observer show them as `{inbox}` and `{contact}`.
#[derive(Clone)]
pub struct InboxClient {
    transport: Transport,
    inbox_path: String,
}

/// A path to call, and how logs show it.
struct Route {
    path: String,
    display: String,
    contact_endpoint: bool,
}

impl fmt::Debug for InboxClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InboxClient")
            .field("base_url", &self.transport.base())
            .field("inbox_identifier", &"<redacted>")
            .finish()
    }
}

impl InboxClient {
    pub(crate) fn new(transport: Transport, inbox_identifier: &str) -> Result<InboxClient> {
        let inbox = url::segment("inbox_identifier", inbox_identifier)?;
        Ok(InboxClient {
            transport,
            inbox_path: format!("/public/api/v1/inboxes/{inbox}"),
        })
    }

    /// The Chatwoot installation's base URL.
    pub fn base_url(&self) -> &str {
        self.transport.base()
    }

    pub(crate) fn transport(&self) -> &Transport {
        &self.transport
    }

    /// The inbox's settings (`GET /public/api/v1/inboxes/{inbox_identifier}`); a cheap way to
    /// check the identifier and whether identity validation is on.
    ///
    /// # Errors
    ///
    /// As every call fails (see [how calls fail](crate#how-calls-fail)): an unknown inbox
    /// identifier is [`ErrorKind::NotFound`].
    pub async fn inbox(&self) -> Result<Inbox> {
        self.call(Method::GET, self.route(""), Body::Empty, true, |v| {
            Ok(Inbox::from_json(v))
        })
        .await
    }

    /// Creates a contact in the inbox, or returns the existing one when `source_id` is
    /// already known (unchanged). Keep the returned `source_id`: every later call needs it.
    ///
    /// # Errors
    ///
    /// As every call fails (see [how calls fail](crate#how-calls-fail)), and:
    /// - [`ErrorKind::Validation`] for a field of the contact: a blank `source_id`,
    ///   `identifier`, `identifier_hash` or `name`, an `email` that is not an e-mail address, a
    ///   `phone_number` not in E.164, an `avatar_url` that is not http(s), or an `hmac_token`
    ///   that is empty, without `identifier` or with `identifier_hash`;
    /// - [`ErrorKind::Server`] (Chatwoot answers 500) when its identity validation refuses the
    ///   contact: a wrong `identifier_hash`, or none where the inbox requires one; the message
    ///   says so;
    /// - [`ErrorKind::Decode`] when the answer has no contact id or no `source_id`.
    pub async fn create_contact(&self, contact: NewContact) -> Result<Contact> {
        let body = Body::json(&contact.to_json(true)?)?;
        let route = Route {
            contact_endpoint: true,
            ..self.route("/contacts")
        };
        self.call(Method::POST, route, body, false, created_contact_from)
            .await
    }

    /// The contact whose `source_id` is `contact_identifier`.
    ///
    /// # Errors
    ///
    /// As every call fails (see [how calls fail](crate#how-calls-fail)), and
    /// [`ErrorKind::Validation`] for a blank or malformed `contact_identifier`,
    /// [`ErrorKind::NotFound`] for an unknown contact, [`ErrorKind::Server`] (Chatwoot answers
    /// 500) when the inbox requires identity validation (use
    /// [`get_verified_contact`](Self::get_verified_contact) there), and [`ErrorKind::Decode`]
    /// when the answer has no contact id.
    pub async fn get_contact(&self, contact_identifier: &str) -> Result<Contact> {
        self.call(
            Method::GET,
            self.contact_route(contact_identifier, "")?,
            Body::Empty,
            true,
            contact_from,
        )
        .await
    }

    /// The contact, on an inbox with identity validation: Chatwoot checks the HMAC on this
    /// call too, so the contact's `identifier` and its `identifier_hash` go along (in the
    /// query; logs show neither). A successful check also marks the contact verified, which
    /// lets it see all of its conversations.
    ///
    /// # Errors
    ///
    /// As [`get_contact`](Self::get_contact), and [`ErrorKind::Validation`] for a blank
    /// `identifier` or `identifier_hash`. A hash that does not match is [`ErrorKind::Server`]
    /// (Chatwoot answers 500); the message says so.
    pub async fn get_verified_contact(
        &self,
        contact_identifier: &str,
        identifier: &str,
        identifier_hash: &str,
    ) -> Result<Contact> {
        crate::validate::required("identifier", identifier)?;
        crate::validate::required("identifier_hash", identifier_hash)?;
        let query = ::url::form_urlencoded::Serializer::new(String::new())
            .append_pair("identifier", identifier)
            .append_pair("identifier_hash", identifier_hash)
            .finish();
        let mut route = self.contact_route(contact_identifier, "")?;
        route.path = format!("{}?{query}", route.path);
        self.call(Method::GET, route, Body::Empty, true, contact_from)
            .await
    }

    /// Updates a contact; returns the full contact model (which has no `source_id`). Chatwoot
    /// may merge it into another contact with the same email or phone number.
    ///
    /// # Errors
    ///
    /// As [`create_contact`](Self::create_contact), and [`ErrorKind::Validation`] for a blank
    /// or malformed `contact_identifier` or a `source_id` in `changes` (it can only be given on
    /// create); an unknown contact is [`ErrorKind::NotFound`].
    pub async fn update_contact(
        &self,
        contact_identifier: &str,
        changes: NewContact,
    ) -> Result<Contact> {
        let body = Body::json(&changes.to_json(false)?)?;
        let route = self.contact_route(contact_identifier, "")?;
        self.call(Method::PATCH, route, body, true, contact_from)
            .await
    }

    /// Opens a conversation for the contact, with optional `custom_attributes`. On an inbox
    /// locked to a single conversation, Chatwoot returns the contact's existing one.
    ///
    /// # Errors
    ///
    /// As every call fails (see [how calls fail](crate#how-calls-fail)), and
    /// [`ErrorKind::Validation`] for a blank or malformed `contact_identifier`,
    /// [`ErrorKind::NotFound`] for an unknown contact, and [`ErrorKind::Decode`] when the
    /// answer has no conversation id. After a [`ErrorKind::Timeout`] or
    /// [`ErrorKind::Connection`] error the conversation may exist: it was not sent again.
    pub async fn create_conversation(
        &self,
        contact_identifier: &str,
        custom_attributes: Option<serde_json::Map<String, Value>>,
    ) -> Result<InboxConversation> {
        let body = match custom_attributes {
            Some(attrs) => Body::json(&json!({ "custom_attributes": attrs }))?,
            None => Body::json(&json!({}))?,
        };
        let route = self.contact_route(contact_identifier, "/conversations")?;
        self.call(Method::POST, route, body, false, conversation_from)
            .await
    }

    /// The contact's conversations in this inbox.
    ///
    /// # Errors
    ///
    /// As every call fails (see [how calls fail](crate#how-calls-fail)), and
    /// [`ErrorKind::Validation`] for a blank or malformed `contact_identifier`,
    /// [`ErrorKind::NotFound`] for an unknown contact, and [`ErrorKind::Decode`] when the
    /// answer is not a list.
    pub async fn list_conversations(
        &self,
        contact_identifier: &str,
    ) -> Result<Vec<InboxConversation>> {
        let route = self.contact_route(contact_identifier, "/conversations")?;
        self.call(Method::GET, route, Body::Empty, true, conversations_from)
            .await
    }

    /// One conversation (by its display id) with its messages.
    ///
    /// # Errors
    ///
    /// As every call fails (see [how calls fail](crate#how-calls-fail)), and
    /// [`ErrorKind::Validation`] for a malformed `contact_identifier` or `conversation_id`
    /// (blank, or not positive when a number), [`ErrorKind::NotFound`] for an unknown contact
    /// or conversation, and [`ErrorKind::Decode`] when the answer has no conversation id.
    pub async fn get_conversation(
        &self,
        contact_identifier: &str,
        conversation_id: impl PathParam,
    ) -> Result<InboxConversation> {
        let route = self.conversation_route(contact_identifier, &conversation_id, "")?;
        self.call(Method::GET, route, Body::Empty, true, conversation_from)
            .await
    }

    /// Resolves the conversation (`toggle_status`; already resolved stays resolved).
    ///
    /// # Errors
    ///
    /// As [`get_conversation`](Self::get_conversation).
    pub async fn resolve_conversation(
        &self,
        contact_identifier: &str,
        conversation_id: impl PathParam,
    ) -> Result<InboxConversation> {
        let route =
            self.conversation_route(contact_identifier, &conversation_id, "/toggle_status")?;
        self.call(Method::POST, route, Body::Empty, true, conversation_from)
            .await
    }

    /// Shows (`true`) or hides the contact's typing indicator to agents.
    ///
    /// # Errors
    ///
    /// As every call fails (see [how calls fail](crate#how-calls-fail)), and
    /// [`ErrorKind::Validation`] for a malformed `contact_identifier` or `conversation_id`,
    /// [`ErrorKind::NotFound`] for an unknown contact or conversation. The answer's content is
    /// not used; only an answer that is not JSON is [`ErrorKind::Decode`].
    pub async fn set_typing(
        &self,
        contact_identifier: &str,
        conversation_id: impl PathParam,
        typing: bool,
    ) -> Result<()> {
        let status = if typing { "on" } else { "off" };
        // The swagger marks it both a query parameter and a body field; send both, so forks
        // that read either one agree.
        let route = self.conversation_route(
            contact_identifier,
            &conversation_id,
            &format!("/toggle_typing?typing_status={status}"),
        )?;
        let body = Body::json(&json!({ "typing_status": status }))?;
        self.call(Method::POST, route, body, true, |_| Ok(())).await
    }

    /// Marks the conversation as seen by the contact now.
    ///
    /// # Errors
    ///
    /// As [`set_typing`](Self::set_typing).
    pub async fn update_last_seen(
        &self,
        contact_identifier: &str,
        conversation_id: impl PathParam,
    ) -> Result<()> {
        let route =
            self.conversation_route(contact_identifier, &conversation_id, "/update_last_seen")?;
        self.call(Method::POST, route, Body::Empty, true, |_| Ok(()))
            .await
    }

    /// Posts a message from the contact: JSON, or multipart with `attachments[]` parts
    /// (streamed from disk) when files are attached.
    ///
    /// # Errors
    ///
    /// As every call fails (see [how calls fail](crate#how-calls-fail)), and:
    /// - [`ErrorKind::Validation`] for a malformed `contact_identifier` or `conversation_id`,
    ///   content over [`MAX_CONTENT_CHARS`](super::MAX_CONTENT_CHARS) characters, more than
    ///   [`MAX_ATTACHMENTS`](super::MAX_ATTACHMENTS) attachments, a blank `echo_id`, or an
    ///   attachment without a usable name or MIME type, and [`ErrorKind::Io`] for an attachment
    ///   that cannot be read: nothing was sent;
    /// - [`ErrorKind::NotFound`] for an unknown contact or conversation;
    /// - [`ErrorKind::Timeout`] or [`ErrorKind::Connection`] after the request was sent: the
    ///   message may exist, and it was not sent again;
    /// - [`ErrorKind::Decode`] when the answer has no message id.
    pub async fn create_message(
        &self,
        contact_identifier: &str,
        conversation_id: impl PathParam,
        message: NewInboxMessage,
    ) -> Result<InboxMessage> {
        message.validate()?;
        let route = self.conversation_route(contact_identifier, &conversation_id, "/messages")?;
        let body = if message.files().is_empty() {
            let mut v = json!({ "content": message.content() });
            if let Some(e) = message.echo() {
                v["echo_id"] = e.into();
            }
            Body::json(&v)?
        } else {
            let text = |name: &str, text: &str| FormPart {
                name: name.into(),
                value: PartValue::Text {
                    text: text.into(),
                    content_type: None,
                },
            };
            let mut parts = vec![text("content", message.content())];
            if let Some(e) = message.echo() {
                parts.push(text("echo_id", e));
            }
            parts.extend(message.files().iter().map(|a| FormPart {
                name: "attachments[]".into(),
                value: PartValue::File(a.clone()),
            }));
            Body::Multipart(parts)
        };
        self.call(Method::POST, route, body, false, message_from)
            .await
    }

    /// Up to 20 messages, oldest first: the latest ones, or those before message id `before`
    /// (to page back through a long conversation).
    ///
    /// # Errors
    ///
    /// As every call fails (see [how calls fail](crate#how-calls-fail)), and
    /// [`ErrorKind::Validation`] for a malformed `contact_identifier` or `conversation_id` or a
    /// `before` that is not positive, [`ErrorKind::NotFound`] for an unknown contact or
    /// conversation, and [`ErrorKind::Decode`] when the answer is not a list.
    pub async fn list_messages(
        &self,
        contact_identifier: &str,
        conversation_id: impl PathParam,
        before: Option<i64>,
    ) -> Result<Vec<InboxMessage>> {
        let query = match before {
            Some(id) if id <= 0 => {
                return Err(Error::validation("before", "must be a positive message id"))
            }
            Some(id) => format!("/messages?before={id}"),
            None => "/messages".to_owned(),
        };
        let route = self.conversation_route(contact_identifier, &conversation_id, &query)?;
        self.call(Method::GET, route, Body::Empty, true, messages_from)
            .await
    }

    /// Every message of the conversation the API shows (not private or activity ones),
    /// newest first, fetched lazily a page (20) at a time with `before=` as the stream is
    /// read. The stream ends after the oldest message; an error ends it after it is yielded.
    ///
    /// # Errors
    ///
    /// Each item fails as [`list_messages`](Self::list_messages) does, and with
    /// [`ErrorKind::Decode`] when a page holds messages at or after the `before` it was asked
    /// for (a server ignoring `before` would otherwise be walked forever).
    ///
    /// ```no_run
    /// # async fn run(inbox: commbox::chatwoot::InboxClient) -> commbox::Result<()> {
    /// use futures_util::TryStreamExt;
    /// let history: Vec<_> = inbox.messages("SOURCE_ID", 7).try_collect().await?;
    /// # Ok(()) }
    /// ```
    pub fn messages<'a>(
        &'a self,
        contact_identifier: &'a str,
        conversation_id: impl PathParam + Send + Sync + 'a,
    ) -> impl futures_util::Stream<Item = Result<InboxMessage>> + Send + 'a {
        message_stream(self, contact_identifier, conversation_id)
    }

    /// [`messages`](Self::messages) owning its client (a cheap clone) and contact, so the
    /// stream can be kept and read later, or from another task (`'static`): for a binding
    /// that hands it to another language.
    pub fn into_messages(
        self,
        contact_identifier: impl Into<String>,
        conversation_id: impl PathParam + Send + Sync + 'static,
    ) -> impl futures_util::Stream<Item = Result<InboxMessage>> + Send + 'static {
        message_stream(self, contact_identifier.into(), conversation_id)
    }

    /// Answers a bot or CSAT message: `submitted_values` (an array of `{name, title, value}`
    /// or a `{csat_survey_response: {rating, feedback_message}}` object).
    ///
    /// # Errors
    ///
    /// As every call fails (see [how calls fail](crate#how-calls-fail)), and
    /// [`ErrorKind::Validation`] for a malformed `contact_identifier`, `conversation_id` or
    /// `message_id`, or `submitted_values` that is neither an array nor an object;
    /// [`ErrorKind::NotFound`] for an unknown contact, conversation or message;
    /// [`ErrorKind::Decode`] when the answer has no message id.
    pub async fn update_message(
        &self,
        contact_identifier: &str,
        conversation_id: impl PathParam,
        message_id: impl PathParam,
        submitted_values: Value,
    ) -> Result<InboxMessage> {
        if !(submitted_values.is_array() || submitted_values.is_object()) {
            return Err(Error::validation(
                "submitted_values",
                "must be a JSON array or object",
            ));
        }
        let id = url::segment("message_id", &message_id)?;
        let route = self.conversation_route(
            contact_identifier,
            &conversation_id,
            &format!("/messages/{id}"),
        )?;
        let body = Body::json(&json!({ "submitted_values": submitted_values }))?;
        self.call(Method::PATCH, route, body, true, message_from)
            .await
    }

    fn route(&self, rest: &str) -> Route {
        Route {
            path: format!("{}{rest}", self.inbox_path),
            display: format!("/public/api/v1/inboxes/{{inbox}}{rest}"),
            contact_endpoint: false,
        }
    }

    fn contact_route(&self, contact_identifier: &str, rest: &str) -> Result<Route> {
        let contact = url::segment("contact_identifier", contact_identifier)?;
        let base = self.route("");
        Ok(Route {
            path: format!("{}/contacts/{contact}{rest}", base.path),
            display: format!("{}/contacts/{{contact}}{rest}", base.display),
            // Only the contact's own routes check HMAC.
            contact_endpoint: rest.is_empty(),
        })
    }

    fn conversation_route(
        &self,
        contact_identifier: &str,
        conversation_id: &impl PathParam,
        rest: &str,
    ) -> Result<Route> {
        let id = url::segment("conversation_id", conversation_id)?;
        self.contact_route(contact_identifier, &format!("/conversations/{id}{rest}"))
    }

    /// Sends the request and reads the answer with `read`. A decode error is completed with
    /// the answer it is about: its status, raw body and request ids (the ones to quote when
    /// asking about the call), and an empty body is called empty.
    async fn call<T>(
        &self,
        method: Method,
        route: Route,
        body: Body,
        idempotent: bool,
        read: impl FnOnce(&Value) -> Result<T>,
    ) -> Result<T> {
        let req = Request {
            method,
            path: route.path,
            body,
            idempotent,
            display_path: Some(route.display),
        };
        let resp = self.transport.send(&req).await?;
        read(&decode(&resp, route.contact_endpoint)?).map_err(|err| {
            if err.kind() != ErrorKind::Decode {
                err
            } else if http_error::is_blank(&resp.body) {
                http_error::empty_answer(&resp, "Chatwoot")
            } else {
                err.with_http(resp.status, None, Some(capped_body(&resp.body)))
                    .with_request_ids(&resp.request_id, resp.server_request_id.clone())
            }
        })
    }
}

// The decoders below are free functions so that the fuzz targets (crate::__fuzz) run
// exactly what the client runs on an answer.

/// A final answer of the transport as JSON, or the error it stands for.
pub(crate) fn decode(resp: &Response, contact_endpoint: bool) -> Result<Value> {
    if !resp.is_success() {
        let hint = (contact_endpoint && resp.status == 500).then_some(HMAC_HINT);
        return Err(http_error::from_response(resp, "Chatwoot", hint));
    }
    http_error::json_body(resp)
}

fn unexpected(v: &Value, what: &str) -> Error {
    Error::new(
        ErrorKind::Decode,
        format!("unexpected Chatwoot answer: {what}"),
    )
    .with_http(200, None, Some(capped_body(v.to_string().as_bytes())))
}

fn expect_array(v: &Value, what: &str) -> Result<()> {
    if v.is_array() {
        Ok(())
    } else {
        Err(unexpected(v, &format!("{what} are not a list")))
    }
}

pub(crate) fn contact_from(v: &Value) -> Result<Contact> {
    Contact::from_json(v).ok_or_else(|| unexpected(v, "the contact has no id"))
}

/// A created contact must carry the `source_id` every later call needs: an answer without
/// one is not what the API documents (Decode, with the answer), never a validation error,
/// which would say that nothing was sent.
pub(crate) fn created_contact_from(v: &Value) -> Result<Contact> {
    let contact = contact_from(v)?;
    match contact.source_id.as_deref() {
        Some(sid) if !sid.is_empty() => Ok(contact),
        _ => Err(unexpected(v, "the created contact has no source_id")),
    }
}

pub(crate) fn conversation_from(v: &Value) -> Result<InboxConversation> {
    InboxConversation::from_json(v).ok_or_else(|| unexpected(v, "the conversation has no id"))
}

pub(crate) fn message_from(v: &Value) -> Result<InboxMessage> {
    InboxMessage::from_json(v).ok_or_else(|| unexpected(v, "the message has no id"))
}

pub(crate) fn conversations_from(v: &Value) -> Result<Vec<InboxConversation>> {
    expect_array(v, "conversations")?;
    Ok(list(Some(v), InboxConversation::from_json))
}

/// The walk of [`InboxClient::messages`], over a borrowed or an owned client and contact.
fn message_stream<Cl, S, C>(
    client: Cl,
    contact_identifier: S,
    conversation_id: C,
) -> impl futures_util::Stream<Item = Result<InboxMessage>> + Send
where
    Cl: std::borrow::Borrow<InboxClient> + Send + Sync,
    S: AsRef<str> + Send + Sync,
    C: PathParam + Send + Sync,
{
    let state = (
        client,
        contact_identifier,
        conversation_id,
        Pager::default(),
    );
    futures_util::stream::unfold(state, |(client, contact, id, mut pager)| async move {
        loop {
            if let Some(message) = pager.pop() {
                return Some((Ok(message), (client, contact, id, pager)));
            }
            let before = pager.next_page()?;
            let page = client
                .borrow()
                .list_messages(contact.as_ref(), &id, before)
                .await;
            if let Err(e) = page.and_then(|page| pager.take(page)) {
                pager.stop();
                return Some((Err(e), (client, contact, id, pager)));
            }
        }
    })
}

pub(crate) fn messages_from(v: &Value) -> Result<Vec<InboxMessage>> {
    expect_array(v, "messages")?;
    Ok(list(Some(v), InboxMessage::from_json))
}
