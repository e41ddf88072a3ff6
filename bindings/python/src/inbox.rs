//! `NativeInboxClient`: the core's Chatwoot `InboxClient` behind `commbox.InboxClient`.
//!
//! It runs its calls like `NativeClient` (`call::run`: GIL released, one log record, the same
//! error mapping) and is fork-safe the same way (the core's pool is). Two kinds exist:
//!
//! - built alone (`InboxClient(base_url, inbox_identifier)`): its own transport in a
//!   `client_cell::ClientCell`;
//! - made by `Client.inbox()`: it keeps the `NativeClient` and derives the core inbox from
//!   that client's transport at each call (a URL check and a few strings), so it shares the
//!   client's pool and its lifetime: closing the client closes it.
//!
//! The inbox identifier is the API's access control: it is kept here and never shown (the
//! core logs paths as `{inbox}` and `{contact}`).

use crate::call;
use crate::client::{self, Id, NativeClient};
use crate::client_cell::ClientCell;
use crate::errors::{self, guard, CallError};
use crate::json;
use crate::live;
use crate::records;
use crate::requests;
use commbox::blocking::InboxClient;
use commbox::chatwoot;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use std::sync::atomic::{AtomicBool, Ordering};

/// Where the core inbox comes from.
enum Source {
    /// Its own transport (boxed: it is much larger than a shared one).
    Own(Box<ClientCell<InboxClient>>),
    /// The transport of a `commbox.Client`, at each call.
    Shared {
        client: Py<NativeClient>,
        closed: AtomicBool,
    },
}

/// The native Chatwoot inbox client. Use `commbox.InboxClient`, which wraps it with typed
/// methods.
///
/// Safe to share between threads: calls run in parallel with the GIL released. In a forked
/// child the transport is rebuilt on first use.
#[pyclass(frozen, module = "commbox._commbox")]
pub(crate) struct NativeInboxClient {
    source: Source,
    base_url: String,
    /// Never shown.
    inbox_identifier: String,
}

#[pymethods]
impl NativeInboxClient {
    /// Builds the client with its own connection pool from `options` (the core's
    /// `ClientOptions` as a dict, `base_url` the installation; None leaves a setting to its
    /// `COMMBOX_*` variable, then to the default), with the GIL released.
    #[new]
    fn new(
        py: Python<'_>,
        options: &Bound<'_, PyDict>,
        inbox_identifier: String,
    ) -> PyResult<Self> {
        guard(py, || {
            let builder = client::builder(options)?;
            let built = py.detach(|| builder.build_inbox(&inbox_identifier));
            let inbox = built.map_err(|e| errors::to_py(py, e.into()))?;
            Ok(NativeInboxClient {
                base_url: inbox.base_url().to_owned(),
                source: Source::Own(Box::new(ClientCell::new(inbox))),
                inbox_identifier,
            })
        })
    }

    /// The Chatwoot installation requests go to (validated, without a trailing slash).
    #[getter]
    fn base_url(&self) -> &str {
        &self.base_url
    }

    /// True once `close()` was called (or, for an inbox from `Client.inbox()`, the client's).
    #[getter]
    fn closed(&self) -> bool {
        match &self.source {
            Source::Own(own) => own.closed(),
            Source::Shared { client, closed } => {
                closed.load(Ordering::Acquire) || client.get().closed()
            }
        }
    }

    /// The inbox's settings, in its JSON form.
    fn inbox<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        guard(py, || {
            let inbox = self.call(py, |i| i.inbox())?;
            records::to_py(py, &inbox)
        })
    }

    /// Creates a contact (or returns the one with this `source_id`) from the JSON form of
    /// the core's `NewContact`.
    fn create_contact<'py>(
        &self,
        py: Python<'py>,
        form: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        guard(py, || {
            let params = requests::chatwoot_contact(form)?;
            let contact = self.call(py, move |i| i.create_contact(params))?;
            records::to_py(py, &contact)
        })
    }

    /// The contact whose `source_id` is `contact`; with `identifier` and its hash (given, or
    /// computed from the inbox's `hmac_token` by the core's rule), the verified lookup.
    #[pyo3(signature = (contact, identifier = None, identifier_hash = None, hmac_token = None))]
    fn get_contact<'py>(
        &self,
        py: Python<'py>,
        contact: String,
        identifier: Option<String>,
        identifier_hash: Option<String>,
        hmac_token: Option<String>,
    ) -> PyResult<Bound<'py, PyAny>> {
        guard(py, || {
            let found = self.call(py, move |i| {
                match contact_lookup(identifier, identifier_hash, hmac_token)? {
                    None => i.get_contact(&contact),
                    Some((identifier, hash)) => {
                        i.get_verified_contact(&contact, &identifier, &hash)
                    }
                }
            })?;
            records::to_py(py, &found)
        })
    }

    /// Updates the contact from the JSON form of the core's `NewContact`; returns the full
    /// contact model.
    fn update_contact<'py>(
        &self,
        py: Python<'py>,
        contact: String,
        form: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        guard(py, || {
            let changes = requests::chatwoot_contact(form)?;
            let updated = self.call(py, move |i| i.update_contact(&contact, changes))?;
            records::to_py(py, &updated)
        })
    }

    /// Opens a conversation for the contact, with optional `custom_attributes` (a dict).
    #[pyo3(signature = (contact, custom_attributes = None))]
    fn create_conversation<'py>(
        &self,
        py: Python<'py>,
        contact: String,
        custom_attributes: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        guard(py, || {
            let attrs = custom_attributes
                .filter(|v| !v.is_none())
                .map(|v| requests::json_object("custom_attributes", v))
                .transpose()?;
            let conversation = self.call(py, move |i| i.create_conversation(&contact, attrs))?;
            records::to_py(py, &conversation)
        })
    }

    /// The contact's conversations, in their JSON form.
    fn list_conversations<'py>(
        &self,
        py: Python<'py>,
        contact: String,
    ) -> PyResult<Bound<'py, PyAny>> {
        guard(py, || {
            let found = self.call(py, move |i| i.list_conversations(&contact))?;
            records::to_py(py, &found)
        })
    }

    /// One conversation with its messages.
    fn get_conversation<'py>(
        &self,
        py: Python<'py>,
        contact: String,
        conversation_id: Id,
    ) -> PyResult<Bound<'py, PyAny>> {
        guard(py, || {
            let found = self.call(py, move |i| i.get_conversation(&contact, conversation_id))?;
            records::to_py(py, &found)
        })
    }

    /// Resolves the conversation; returns it.
    fn resolve_conversation<'py>(
        &self,
        py: Python<'py>,
        contact: String,
        conversation_id: Id,
    ) -> PyResult<Bound<'py, PyAny>> {
        guard(py, || {
            let resolved = self.call(py, move |i| {
                i.resolve_conversation(&contact, conversation_id)
            })?;
            records::to_py(py, &resolved)
        })
    }

    /// Shows or hides the contact's typing indicator.
    fn set_typing(
        &self,
        py: Python<'_>,
        contact: String,
        conversation_id: Id,
        typing: bool,
    ) -> PyResult<()> {
        guard(py, || {
            self.call(py, move |i| i.set_typing(&contact, conversation_id, typing))
        })
    }

    /// Marks the conversation as seen by the contact now.
    fn update_last_seen(
        &self,
        py: Python<'_>,
        contact: String,
        conversation_id: Id,
    ) -> PyResult<()> {
        guard(py, || {
            self.call(py, move |i| i.update_last_seen(&contact, conversation_id))
        })
    }

    /// Posts a message from the contact, from the JSON form of the core's `NewInboxMessage`.
    fn create_message<'py>(
        &self,
        py: Python<'py>,
        contact: String,
        conversation_id: Id,
        form: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        guard(py, || {
            let message = requests::chatwoot_message(form)?;
            let created = self.call(py, move |i| {
                i.create_message(&contact, conversation_id, message)
            })?;
            records::to_py(py, &created)
        })
    }

    /// Up to 20 messages, oldest first: the latest, or those before message id `before`.
    #[pyo3(signature = (contact, conversation_id, before = None))]
    fn list_messages<'py>(
        &self,
        py: Python<'py>,
        contact: String,
        conversation_id: Id,
        before: Option<i64>,
    ) -> PyResult<Bound<'py, PyAny>> {
        guard(py, || {
            let found = self.call(py, move |i| {
                i.list_messages(&contact, conversation_id, before)
            })?;
            records::to_py(py, &found)
        })
    }

    /// Every message of the conversation, newest first, a page fetched as the iterator is
    /// read (the core's blocking iterator; nothing is sent here).
    fn iter_messages(
        &self,
        py: Python<'_>,
        contact: String,
        conversation_id: Id,
    ) -> PyResult<live::NativeMessages> {
        guard(py, || {
            let inbox = self.handle().map_err(|e| errors::to_py(py, e))?;
            Ok(live::NativeMessages::new(inbox, contact, conversation_id))
        })
    }

    /// Subscribes to the live updates of the contact owning `pubsub_token`, with
    /// `options` (the keyword arguments of `commbox.LiveOptions`); the connection is a task
    /// on the module's runtime (nothing is sent before it runs).
    fn live(
        &self,
        py: Python<'_>,
        pubsub_token: String,
        options: &Bound<'_, PyDict>,
    ) -> PyResult<live::NativeLive> {
        guard(py, || {
            let options = live::live_options(options)?;
            let runtime = live::runtime(py)?;
            let opened = py.detach(|| {
                let inbox = self.handle()?;
                live::NativeLive::open(runtime, inbox.as_async(), &pubsub_token, options)
            });
            opened.map_err(|e| errors::to_py(py, e))
        })
    }

    /// Answers a bot or CSAT message with `submitted_values` (a list or a dict).
    fn update_message<'py>(
        &self,
        py: Python<'py>,
        contact: String,
        conversation_id: Id,
        message_id: Id,
        submitted_values: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        guard(py, || {
            let values = json::to_json("submitted_values", submitted_values)?;
            let updated = self.call(py, move |i| {
                i.update_message(&contact, conversation_id, message_id, values)
            })?;
            records::to_py(py, &updated)
        })
    }

    /// Stops this inbox client. One built alone releases its connection pool (calls already
    /// running finish first); one from `Client.inbox()` leaves the client's pool alone.
    /// Closing twice does nothing.
    fn close(&self, py: Python<'_>) -> PyResult<()> {
        guard(py, || {
            match &self.source {
                Source::Own(own) => own.close(py),
                Source::Shared { closed, .. } => closed.store(true, Ordering::Release),
            }
            Ok(())
        })
    }

    fn __repr__(&self) -> String {
        format!("NativeInboxClient(base_url={:?})", self.base_url)
    }
}

impl NativeInboxClient {
    /// The inbox of `Client.inbox()`: checks the URL and identifier now (nothing is sent),
    /// then derives the core inbox from the client at each call.
    pub(crate) fn shared(
        py: Python<'_>,
        client: Py<NativeClient>,
        base_url: String,
        inbox_identifier: String,
    ) -> PyResult<NativeInboxClient> {
        let checked = py.detach(|| {
            client
                .get()
                .client()
                .and_then(|c| Ok(c.inbox(&base_url, &inbox_identifier)?))
        });
        let inbox = checked.map_err(|f| errors::to_py(py, f))?;
        Ok(NativeInboxClient {
            base_url: inbox.base_url().to_owned(),
            source: Source::Shared {
                client,
                closed: AtomicBool::new(false),
            },
            inbox_identifier,
        })
    }

    /// The core inbox. Runs with the GIL released (or for a moment, without calling Python).
    pub(crate) fn handle(&self) -> Result<InboxClient, CallError> {
        match &self.source {
            Source::Own(own) => own.get(),
            Source::Shared { client, closed } => {
                if closed.load(Ordering::Acquire) {
                    return Err(CallError::Closed);
                }
                let client = client.get().client()?;
                Ok(client.inbox(&self.base_url, &self.inbox_identifier)?)
            }
        }
    }

    /// Runs one core call with the GIL released, then logs it with the GIL held.
    fn call<T: Send>(
        &self,
        py: Python<'_>,
        op: impl FnOnce(&InboxClient) -> commbox::Result<T> + Send,
    ) -> PyResult<T> {
        call::run(py, || self.handle(), op)
    }
}

/// Which lookup `get_contact` makes: `None` the plain one, else the verified one with this
/// identifier and hash (given, or computed from `hmac_token` by the core's rule). Either half
/// given means the caller wants the verified lookup; the core names whichever is missing.
pub(crate) fn contact_lookup(
    identifier: Option<String>,
    identifier_hash: Option<String>,
    hmac_token: Option<String>,
) -> commbox::Result<Option<(String, String)>> {
    let hash = chatwoot::identifier_hash_to_send(
        identifier.as_deref(),
        identifier_hash.as_deref(),
        hmac_token.as_deref(),
    )?;
    Ok(match (identifier, hash) {
        (None, None) => None,
        (identifier, hash) => Some((identifier.unwrap_or_default(), hash.unwrap_or_default())),
    })
}

/// `identifier_hash` for `identifier` with the inbox's HMAC token: lowercase hex
/// HMAC-SHA256, as Chatwoot's identity validation expects.
#[pyfunction]
pub(crate) fn chatwoot_identifier_hash(identifier: &str, hmac_token: &str) -> String {
    chatwoot::identifier_hash(identifier, hmac_token)
}
