//! `NativeAsyncClient` and `NativeAsyncInboxClient`: the native halves of `commbox.AsyncClient`
//! and `commbox.AsyncInboxClient`.
//!
//! Each wraps the native sync client of the same Python object (`AsyncClient.sync_client`),
//! so both share one core client, its connection pool, its settings, its log records and its
//! `close()`. Their methods are `async fn`s, which Python sees as awaitables: the arguments
//! are converted by the same functions as the sync methods' (`requests`, `json`), the core's
//! async call runs on the module's runtime (`aio::run`), and records come back through
//! `records::to_py`, as for a sync call.

use crate::aio;
use crate::client::{Id, NativeClient};
use crate::errors::{self, guard, CallError};
use crate::inbox::{self, NativeInboxClient};
use crate::json;
use crate::live;
use crate::records;
use crate::requests;
use pyo3::prelude::*;
use serde::Serialize;

/// Converts a call's arguments with the GIL (the coroutine's first poll holds it already),
/// turning a panic into `CommboxError` like the sync methods do.
pub(crate) fn convert<T>(f: impl FnOnce(Python<'_>) -> PyResult<T>) -> PyResult<T> {
    Python::attach(|py| guard(py, || f(py)))
}

/// A record in its JSON form, as plain Python values (see `records::to_py`).
fn record<T: Serialize>(value: &T) -> PyResult<Py<PyAny>> {
    convert(|py| records::to_py(py, value).map(Bound::unbind))
}

/// The native async client. Use `commbox.AsyncClient`, which wraps it with typed methods.
#[pyclass(frozen, module = "commbox._commbox")]
pub(crate) struct NativeAsyncClient {
    client: Py<NativeClient>,
}

impl NativeAsyncClient {
    /// The core's async client (it fails once the client is closed).
    fn handle(&self) -> Result<commbox::Client, CallError> {
        self.client.get().client().map(|c| c.as_async().clone())
    }
}

#[pymethods]
impl NativeAsyncClient {
    /// The async methods of `client`, on the same core client.
    #[new]
    fn new(client: Py<NativeClient>) -> Self {
        NativeAsyncClient { client }
    }

    /// See `NativeClient.create_conversation`.
    async fn create_conversation(&self, stream_id: Id, form: Py<PyAny>) -> PyResult<i64> {
        let conversation = convert(|py| requests::conversation(form.bind(py)))?;
        aio::run(self.handle(), |c| async move {
            c.create_conversation(&stream_id, conversation).await
        })
        .await
    }

    /// See `NativeClient.create_conversation_json`.
    async fn create_conversation_json(&self, stream_id: Id, object: Py<PyAny>) -> PyResult<i64> {
        let object = convert(|py| json::to_json("object", object.bind(py)))?;
        aio::run(self.handle(), |c| async move {
            c.create_conversation_json(&stream_id, &object).await
        })
        .await
    }

    /// See `NativeClient.create_message`.
    async fn create_message(&self, stream_id: Id, object_id: Id, form: Py<PyAny>) -> PyResult<i64> {
        let message = convert(|py| requests::message(form.bind(py)))?;
        aio::run(self.handle(), |c| async move {
            c.create_message(&stream_id, &object_id, message).await
        })
        .await
    }

    /// See `NativeClient.create_message_json`.
    async fn create_message_json(
        &self,
        stream_id: Id,
        object_id: Id,
        child: Py<PyAny>,
    ) -> PyResult<i64> {
        let child = convert(|py| json::to_json("child", child.bind(py)))?;
        aio::run(self.handle(), |c| async move {
            c.create_message_json(&stream_id, &object_id, &child).await
        })
        .await
    }

    /// See `NativeClient.get_conversation`.
    async fn get_conversation(&self, stream_id: Id, object_id: Id) -> PyResult<Py<PyAny>> {
        let found = aio::run(self.handle(), |c| async move {
            c.get_conversation(&stream_id, &object_id).await
        })
        .await?;
        record(&found)
    }

    /// See `NativeClient.set_conversation_status`.
    async fn set_conversation_status(&self, object_id: Id, status: Py<PyAny>) -> PyResult<()> {
        let status = convert(|py| requests::status(status.bind(py)))?;
        aio::run(self.handle(), |c| async move {
            c.set_conversation_status(&object_id, status).await
        })
        .await
    }

    /// See `NativeClient.managers`.
    async fn managers(&self) -> PyResult<Py<PyAny>> {
        let found = aio::run(self.handle(), |c| async move { c.managers().await }).await?;
        record(&found)
    }

    /// See `NativeClient.system_status`.
    async fn system_status(&self) -> PyResult<Py<PyAny>> {
        let found = aio::run(self.handle(), |c| async move { c.system_status().await }).await?;
        record(&found)
    }

    /// See `NativeClient.raw_request`.
    #[pyo3(signature = (method, path, body = None))]
    async fn raw_request(
        &self,
        method: String,
        path: String,
        body: Option<Py<PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        let body = convert(|py| body.map(|b| json::to_json("body", b.bind(py))).transpose())?;
        let envelope = aio::run(self.handle(), |c| async move {
            c.raw_request(&method, &path, body.as_ref()).await
        })
        .await?;
        record(&envelope)
    }

    fn __repr__(&self) -> String {
        "NativeAsyncClient".to_owned()
    }
}

/// The native async Chatwoot inbox client. Use `commbox.AsyncInboxClient`.
#[pyclass(frozen, module = "commbox._commbox")]
pub(crate) struct NativeAsyncInboxClient {
    inbox: Py<NativeInboxClient>,
}

impl NativeAsyncInboxClient {
    /// The core's async inbox client (it fails once the inbox client is closed).
    fn handle(&self) -> Result<commbox::chatwoot::InboxClient, CallError> {
        self.inbox.get().handle().map(|i| i.as_async().clone())
    }
}

#[pymethods]
impl NativeAsyncInboxClient {
    /// The async methods of `inbox`, on the same core client.
    #[new]
    fn new(inbox: Py<NativeInboxClient>) -> Self {
        NativeAsyncInboxClient { inbox }
    }

    /// See `NativeInboxClient.inbox`.
    async fn inbox(&self) -> PyResult<Py<PyAny>> {
        let found = aio::run(self.handle(), |i| async move { i.inbox().await }).await?;
        record(&found)
    }

    /// See `NativeInboxClient.create_contact`.
    async fn create_contact(&self, form: Py<PyAny>) -> PyResult<Py<PyAny>> {
        let params = convert(|py| requests::chatwoot_contact(form.bind(py)))?;
        let found = aio::run(
            self.handle(),
            |i| async move { i.create_contact(params).await },
        )
        .await?;
        record(&found)
    }

    /// See `NativeInboxClient.get_contact`.
    #[pyo3(signature = (contact, identifier = None, identifier_hash = None, hmac_token = None))]
    async fn get_contact(
        &self,
        contact: String,
        identifier: Option<String>,
        identifier_hash: Option<String>,
        hmac_token: Option<String>,
    ) -> PyResult<Py<PyAny>> {
        let found = aio::run(self.handle(), |i| async move {
            match inbox::contact_lookup(identifier, identifier_hash, hmac_token)? {
                None => i.get_contact(&contact).await,
                Some((identifier, hash)) => {
                    i.get_verified_contact(&contact, &identifier, &hash).await
                }
            }
        })
        .await?;
        record(&found)
    }

    /// See `NativeInboxClient.update_contact`.
    async fn update_contact(&self, contact: String, form: Py<PyAny>) -> PyResult<Py<PyAny>> {
        let changes = convert(|py| requests::chatwoot_contact(form.bind(py)))?;
        let found = aio::run(self.handle(), |i| async move {
            i.update_contact(&contact, changes).await
        })
        .await?;
        record(&found)
    }

    /// See `NativeInboxClient.create_conversation`.
    #[pyo3(signature = (contact, custom_attributes = None))]
    async fn create_conversation(
        &self,
        contact: String,
        custom_attributes: Option<Py<PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        let attrs = convert(|py| {
            custom_attributes
                .map(|v| v.into_bound(py))
                .filter(|v| !v.is_none())
                .map(|v| requests::json_object("custom_attributes", &v))
                .transpose()
        })?;
        let found = aio::run(self.handle(), |i| async move {
            i.create_conversation(&contact, attrs).await
        })
        .await?;
        record(&found)
    }

    /// See `NativeInboxClient.list_conversations`.
    async fn list_conversations(&self, contact: String) -> PyResult<Py<PyAny>> {
        let found = aio::run(self.handle(), |i| async move {
            i.list_conversations(&contact).await
        })
        .await?;
        record(&found)
    }

    /// See `NativeInboxClient.get_conversation`.
    async fn get_conversation(&self, contact: String, conversation_id: Id) -> PyResult<Py<PyAny>> {
        let found = aio::run(self.handle(), |i| async move {
            i.get_conversation(&contact, conversation_id).await
        })
        .await?;
        record(&found)
    }

    /// See `NativeInboxClient.resolve_conversation`.
    async fn resolve_conversation(
        &self,
        contact: String,
        conversation_id: Id,
    ) -> PyResult<Py<PyAny>> {
        let found = aio::run(self.handle(), |i| async move {
            i.resolve_conversation(&contact, conversation_id).await
        })
        .await?;
        record(&found)
    }

    /// See `NativeInboxClient.set_typing`.
    async fn set_typing(&self, contact: String, conversation_id: Id, typing: bool) -> PyResult<()> {
        aio::run(self.handle(), |i| async move {
            i.set_typing(&contact, conversation_id, typing).await
        })
        .await
    }

    /// See `NativeInboxClient.update_last_seen`.
    async fn update_last_seen(&self, contact: String, conversation_id: Id) -> PyResult<()> {
        aio::run(self.handle(), |i| async move {
            i.update_last_seen(&contact, conversation_id).await
        })
        .await
    }

    /// See `NativeInboxClient.create_message`.
    async fn create_message(
        &self,
        contact: String,
        conversation_id: Id,
        form: Py<PyAny>,
    ) -> PyResult<Py<PyAny>> {
        let message = convert(|py| requests::chatwoot_message(form.bind(py)))?;
        let found = aio::run(self.handle(), |i| async move {
            i.create_message(&contact, conversation_id, message).await
        })
        .await?;
        record(&found)
    }

    /// See `NativeInboxClient.list_messages`.
    #[pyo3(signature = (contact, conversation_id, before = None))]
    async fn list_messages(
        &self,
        contact: String,
        conversation_id: Id,
        before: Option<i64>,
    ) -> PyResult<Py<PyAny>> {
        let found = aio::run(self.handle(), |i| async move {
            i.list_messages(&contact, conversation_id, before).await
        })
        .await?;
        record(&found)
    }

    /// See `NativeInboxClient.iter_messages`: the core's stream, each item awaited.
    fn iter_messages(
        &self,
        py: Python<'_>,
        contact: String,
        conversation_id: Id,
    ) -> PyResult<live::NativeAsyncMessages> {
        guard(py, || {
            let inbox = self.handle().map_err(|e| errors::to_py(py, e))?;
            Ok(live::NativeAsyncMessages::new(
                inbox,
                contact,
                conversation_id,
            ))
        })
    }

    /// See `NativeInboxClient.update_message`.
    async fn update_message(
        &self,
        contact: String,
        conversation_id: Id,
        message_id: Id,
        submitted_values: Py<PyAny>,
    ) -> PyResult<Py<PyAny>> {
        let values = convert(|py| json::to_json("submitted_values", submitted_values.bind(py)))?;
        let found = aio::run(self.handle(), |i| async move {
            i.update_message(&contact, conversation_id, message_id, values)
                .await
        })
        .await?;
        record(&found)
    }

    fn __repr__(&self) -> String {
        "NativeAsyncInboxClient".to_owned()
    }
}
