//! The CommBox API calls, as async methods of [`crate::Client`] (the blocking client waits
//! on these).

use super::envelope;
use crate::client::Client;
use crate::commbox::conversation::NewConversation;
use crate::commbox::enums::ObjectStatusType;
use crate::commbox::message::NewMessage;
use crate::commbox::records::{Conversation, Envelope, Manager, SystemStatus};
use crate::error::{capped_body, Error, ErrorKind, Result};
use crate::http_error;
use crate::lenient;
use crate::transport::body::{Body, FormPart, PartValue};
use crate::transport::url::{self, PathParam};
use crate::transport::{Request, Response};
use crate::Attachment;
use reqwest::Method;
use serde_json::{json, Value};

impl Client {
    /// Opens a conversation in stream `stream_id` and returns its id (CommBox
    /// `POST /streams/{STREAM_ID}/objects`).
    ///
    /// Sent as JSON, or as `multipart/form-data` (a `data` part with the JSON and one
    /// `file` part per attachment, streamed from disk) when there are attachments. Every
    /// field is validated first: on a validation error nothing is sent. A create is never
    /// sent twice unless the server said it did not process it (429, 503).
    ///
    /// # Errors
    ///
    /// As every call fails (see [how calls fail](crate#how-calls-fail)), and:
    /// - [`ErrorKind::Validation`] for an invalid `stream_id` or a field of the conversation
    ///   ([`NewConversation::to_json`] says which), and [`ErrorKind::Io`] for an attachment
    ///   that cannot be read: nothing was sent;
    /// - [`ErrorKind::NotFound`] for an unknown stream;
    /// - [`ErrorKind::Timeout`] or [`ErrorKind::Connection`] after the request was sent: the
    ///   conversation may exist, and it was not sent again;
    /// - [`ErrorKind::Decode`] when the answer is empty or holds no id.
    ///
    /// ```no_run
    /// # async fn run() -> commbox::Result<()> {
    /// use commbox::{Attachment, Client, EmailConversation};
    /// let client = Client::builder().api_key("KEY").build()?;
    /// let id = client.create_conversation(
    ///     "hNyRN_fLUy7rrOrN9jLpipA==",
    ///     EmailConversation::new("customer@example.com", "Invoice", "Attached.")
    ///         .attachment(Attachment::from_path("invoice.pdf")),
    /// ).await?;
    /// println!("conversation {id}");
    /// # Ok(()) }
    /// ```
    pub async fn create_conversation(
        &self,
        stream_id: impl PathParam,
        conversation: impl Into<NewConversation>,
    ) -> Result<i64> {
        let conversation = conversation.into();
        let path = format!(
            "/streams/{}/objects",
            url::segment("stream_id", &stream_id)?
        );
        let json = conversation.to_json()?;
        let body = data_body(json, conversation.attachments(), false)?;
        self.create(path, body).await
    }

    /// Opens a conversation from JSON you already hold: the object (`{"Type": 5, …}`) or
    /// the documented wrapper (`{"data": {…}}`). Only the shape and `Message` are checked.
    ///
    /// # Errors
    ///
    /// As [`create_conversation`](Self::create_conversation), with only these checks before
    /// sending: [`ErrorKind::Validation`] for an invalid `stream_id`, an `object` (or its
    /// `data`) that is not a JSON object, or a missing, blank or non-string `Message`. The
    /// server judges everything else (a refusal is usually [`ErrorKind::BadRequest`]).
    pub async fn create_conversation_json(
        &self,
        stream_id: impl PathParam,
        object: &Value,
    ) -> Result<i64> {
        let path = format!(
            "/streams/{}/objects",
            url::segment("stream_id", &stream_id)?
        );
        let inner = unwrap_data(object)?;
        require_message(inner)?;
        self.create(path, data_body(inner.clone(), &[], false)?)
            .await
    }

    /// Adds a message to conversation `object_id` and returns the message's id (CommBox
    /// `POST /streams/{STREAM_ID}/objects/{OBJECT_ID}/child`).
    ///
    /// # Errors
    ///
    /// As every call fails (see [how calls fail](crate#how-calls-fail)), and:
    /// - [`ErrorKind::Validation`] for an invalid `stream_id` or `object_id` or a field of the
    ///   message ([`NewMessage::to_json`] says which), and [`ErrorKind::Io`] for an attachment
    ///   that cannot be read: nothing was sent;
    /// - [`ErrorKind::NotFound`] when the stream or the conversation does not exist;
    /// - [`ErrorKind::Timeout`] or [`ErrorKind::Connection`] after the request was sent: the
    ///   message may exist, and it was not sent again;
    /// - [`ErrorKind::Decode`] when the answer is empty or holds no id.
    ///
    /// ```no_run
    /// # async fn run() -> commbox::Result<()> {
    /// use commbox::{Client, NewMessage};
    /// let client = Client::builder().api_key("KEY").build()?;
    /// let id = client.create_message("STREAM", 294159, NewMessage::from_customer("MrDoe@gmail.com", "Thanks!")).await?;
    /// # Ok(()) }
    /// ```
    pub async fn create_message(
        &self,
        stream_id: impl PathParam,
        object_id: impl PathParam,
        message: NewMessage,
    ) -> Result<i64> {
        let path = child_path(&stream_id, &object_id)?;
        let json = message.to_json()?;
        let body = data_body(json, message.attachments(), message.uses_base64())?;
        self.create(path, body).await
    }

    /// Adds a message from JSON you already hold (the child object or `{"data": {…}}`).
    ///
    /// # Errors
    ///
    /// As [`create_message`](Self::create_message), with only these checks before sending:
    /// [`ErrorKind::Validation`] for an invalid `stream_id` or `object_id`, a `child` (or its
    /// `data`) that is not a JSON object, or a missing, blank or non-string `Message`.
    pub async fn create_message_json(
        &self,
        stream_id: impl PathParam,
        object_id: impl PathParam,
        child: &Value,
    ) -> Result<i64> {
        let path = child_path(&stream_id, &object_id)?;
        let inner = unwrap_data(child)?;
        require_message(inner)?;
        self.create(path, data_body(inner.clone(), &[], false)?)
            .await
    }

    /// Fetches a conversation with all its messages
    /// (`GET /streams/{STREAM_ID}/objects/{OBJECT_ID}?includeChilds=true`).
    ///
    /// # Errors
    ///
    /// As every call fails (see [how calls fail](crate#how-calls-fail)), and:
    /// - [`ErrorKind::Validation`] for an invalid `stream_id` or `object_id`;
    /// - [`ErrorKind::NotFound`] for an unknown stream or conversation: a 404, and also a 2xx
    ///   answer whose `data` holds no conversation;
    /// - [`ErrorKind::Decode`] when the conversation in the answer has no `objectId`.
    pub async fn get_conversation(
        &self,
        stream_id: impl PathParam,
        object_id: impl PathParam,
    ) -> Result<Conversation> {
        let path = format!(
            "/streams/{}/objects/{}?includeChilds=true",
            url::segment("stream_id", &stream_id)?,
            url::segment("object_id", &object_id)?
        );
        conversation_of(&self.call(Method::GET, path, Body::Empty, true).await?)
    }

    /// Changes a conversation's status (`POST /objects/{OBJECT_ID}/status/{STATUS_ID}`).
    /// Safe to retry: setting the same status twice changes nothing.
    ///
    /// # Errors
    ///
    /// As every call fails (see [how calls fail](crate#how-calls-fail)):
    /// [`ErrorKind::Validation`] for an invalid `object_id`, [`ErrorKind::NotFound`] for an
    /// unknown conversation.
    pub async fn set_conversation_status(
        &self,
        object_id: impl PathParam,
        status: ObjectStatusType,
    ) -> Result<()> {
        let path = format!(
            "/objects/{}/status/{}",
            url::segment("object_id", &object_id)?,
            status.value()
        );
        self.call(Method::POST, path, Body::Empty, true)
            .await
            .map(drop)
    }

    /// Lists agents and admins (`GET /managers`); an agent's `id` is the `UserIdentity`
    /// for [`NewMessage::from_agent`].
    ///
    /// # Errors
    ///
    /// As every call fails (see [how calls fail](crate#how-calls-fail)), and
    /// [`ErrorKind::Decode`] when `data` is not a list of managers or one of them has no id.
    pub async fn managers(&self) -> Result<Vec<Manager>> {
        managers_of(
            &self
                .call(Method::GET, "/managers".into(), Body::Empty, true)
                .await?,
        )
    }

    /// Checks that CommBox is up and the key is accepted (`GET /core/systemstatus`).
    ///
    /// # Errors
    ///
    /// As every call fails (see [how calls fail](crate#how-calls-fail)): a refused key is
    /// [`ErrorKind::Authentication`], an API that is down [`ErrorKind::Server`] (or
    /// [`ErrorKind::Connection`], [`ErrorKind::Timeout`]), and an answer that is not JSON
    /// [`ErrorKind::Decode`].
    pub async fn system_status(&self) -> Result<SystemStatus> {
        let env = self
            .call(Method::GET, "/core/systemstatus".into(), Body::Empty, true)
            .await?;
        Ok(system_status_of(env))
    }

    /// Sends any request to the API, for endpoints the typed methods do not cover yet, and
    /// returns the decoded envelope. `path` is below the base URL, already encoded, and may
    /// carry a query (`/streams/X/objects?unixStartTime=…`). GET, PUT and DELETE are retried
    /// like reads, POST and PATCH like creates.
    ///
    /// # Errors
    ///
    /// As every call fails (see [how calls fail](crate#how-calls-fail)), and
    /// [`ErrorKind::Validation`] before sending for a `method` other than GET, POST, PUT, PATCH
    /// or DELETE, or a `path` that is blank, not a single-`/` path on the base URL, longer than
    /// 8000 bytes, or holds spaces, control characters or `.`/`..` segments. Any 2xx JSON
    /// answer is accepted, so [`ErrorKind::Decode`] means only that the answer is not JSON.
    ///
    /// ```no_run
    /// # async fn run() -> commbox::Result<()> {
    /// # let client = commbox::Client::builder().api_key("KEY").build()?;
    /// let env = client.raw_request("GET", "/users/123", None).await?;
    /// println!("{}", env.data);
    /// # Ok(()) }
    /// ```
    pub async fn raw_request(
        &self,
        method: &str,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Envelope> {
        let method = match method.to_ascii_uppercase().as_str() {
            "GET" => Method::GET,
            "POST" => Method::POST,
            "PUT" => Method::PUT,
            "PATCH" => Method::PATCH,
            "DELETE" => Method::DELETE,
            _ => {
                return Err(Error::validation(
                    "method",
                    format!("{method:?} is not one of GET, POST, PUT, PATCH, DELETE"),
                ))
            }
        };
        url::raw_path(path)?;
        let idempotent = matches!(method, Method::GET | Method::PUT | Method::DELETE);
        let body = match body {
            Some(v) => Body::json(v)?,
            None => Body::Empty,
        };
        self.call(method, path.to_owned(), body, idempotent).await
    }

    async fn create(&self, path: String, body: Body) -> Result<i64> {
        let resp = self.send(Method::POST, path, body, false).await?;
        if resp.is_success() && http_error::is_blank(&resp.body) {
            return Err(http_error::empty_answer(&resp, "CommBox"));
        }
        created_id(&envelope::decode(resp)?)
    }

    async fn call(
        &self,
        method: Method,
        path: String,
        body: Body,
        idempotent: bool,
    ) -> Result<Envelope> {
        envelope::decode(self.send(method, path, body, idempotent).await?)
    }

    async fn send(
        &self,
        method: Method,
        path: String,
        body: Body,
        idempotent: bool,
    ) -> Result<Response> {
        let req = Request {
            method,
            path,
            body,
            idempotent,
            display_path: None,
        };
        self.transport().send(&req).await
    }
}

// What each call reads from a decoded envelope; free functions so that the fuzz targets
// (crate::__fuzz) run exactly what the client runs on an answer.

/// The id a create answered with: `data.id` (`objectId`, `childId`), or `data` itself.
pub(crate) fn created_id(env: &Envelope) -> Result<i64> {
    let id = match &env.data {
        Value::Object(_) => lenient::int(&env.data, &["id", "objectId", "childId"]),
        other => lenient::as_i64(other),
    };
    id.ok_or_else(|| decode_error(env, "the answer has no data.id"))
}

/// The conversation in a get-conversation answer.
pub(crate) fn conversation_of(env: &Envelope) -> Result<Conversation> {
    // CommBox returns `data` as an array even for one object.
    let object = match &env.data {
        Value::Array(items) => items.first(),
        other @ Value::Object(_) => Some(other),
        _ => None,
    };
    match object {
        Some(o) => Conversation::from_json(o)
            .ok_or_else(|| decode_error(env, "the conversation has no objectId")),
        None => Err(Error::new(
            ErrorKind::NotFound,
            "CommBox returned no conversation for that stream and id",
        )
        .with_http(env.http_status, env.description.clone(), None)
        .with_request_ids(&env.request_id, None)),
    }
}

/// The agents in a `/managers` answer.
pub(crate) fn managers_of(env: &Envelope) -> Result<Vec<Manager>> {
    match &env.data {
        Value::Array(items) => items
            .iter()
            .map(|m| Manager::from_json(m).ok_or_else(|| decode_error(env, "a manager has no id")))
            .collect(),
        Value::Null => Ok(Vec::new()),
        _ => Err(decode_error(env, "data is not a list of managers")),
    }
}

/// The system status from a `/core/systemstatus` answer.
pub(crate) fn system_status_of(env: Envelope) -> SystemStatus {
    SystemStatus {
        http_status: env.http_status,
        description: env.description.unwrap_or_default(),
        response_time: env.response_time,
        raw: env.raw,
    }
}

fn child_path(stream_id: &impl PathParam, object_id: &impl PathParam) -> Result<String> {
    Ok(format!(
        "/streams/{}/objects/{}/child",
        url::segment("stream_id", stream_id)?,
        url::segment("object_id", object_id)?
    ))
}

/// `{"data": object}` as JSON, or multipart with a `data` part and `file` parts.
fn data_body(object: Value, attachments: &[Attachment], base64: bool) -> Result<Body> {
    if attachments.is_empty() {
        return Body::json(&json!({ "data": object }));
    }
    let mut parts = vec![FormPart {
        name: "data".into(),
        value: PartValue::Text {
            text: object.to_string(),
            content_type: Some("application/json"),
        },
    }];
    parts.extend(attachments.iter().map(|a| FormPart {
        name: "file".into(),
        value: if base64 {
            PartValue::Base64(a.clone())
        } else {
            PartValue::File(a.clone())
        },
    }));
    Ok(Body::Multipart(parts))
}

fn unwrap_data(v: &Value) -> Result<&Value> {
    let inner = match v.get("data") {
        Some(d) if v.as_object().is_some_and(|o| o.len() == 1) => d,
        _ => v,
    };
    if !inner.is_object() {
        return Err(Error::validation("data", "must be a JSON object"));
    }
    Ok(inner)
}

fn require_message(object: &Value) -> Result<()> {
    match lenient::field(object, &["Message"]) {
        Some(Value::String(s)) if !s.trim().is_empty() => Ok(()),
        Some(Value::String(_)) | None => Err(Error::validation("Message", "required")),
        Some(_) => Err(Error::validation("Message", "must be a string")),
    }
}

fn decode_error(env: &Envelope, what: &str) -> Error {
    Error::new(
        ErrorKind::Decode,
        format!("unexpected CommBox answer: {what}"),
    )
    .with_http(
        env.http_status,
        env.description.clone(),
        Some(capped_body(env.data.to_string().as_bytes())),
    )
    .with_request_ids(&env.request_id, None)
}
