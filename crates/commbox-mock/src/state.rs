//! Everything the mock remembers: CommBox conversations, the Chatwoot store, recorded
//! requests, queued faults, id counters.

use std::collections::{BTreeMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::chaos::Chaos;
use crate::chatwoot::{ChatwootState, ChatwootStore};
use crate::clock;
use crate::faults::Fault;
use crate::record::RecordedRequest;

/// First id handed out for conversations (objects); shared across all streams.
pub(crate) const FIRST_OBJECT_ID: u64 = 100_001;
/// First id handed out for messages (children).
pub(crate) const FIRST_CHILD_ID: u64 = 500_001;

/// A stored conversation (CommBox object), as `GET /__mock/objects` shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredObject {
    /// Object id returned by create.
    pub id: u64,
    /// Stream id from the path, percent-decoded.
    pub stream_id: String,
    /// Current ObjectStatusType (`StatusId` at creation, default 1, then set-status calls).
    pub status_id: i64,
    /// The object JSON as received (inside the `data` wrapper, if one was used).
    pub data: Value,
    /// Files sent with the create call.
    pub attachments: Vec<StoredAttachment>,
    /// Messages, oldest first.
    pub children: Vec<StoredChild>,
}

/// A stored message (CommBox child).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredChild {
    /// Child id returned by create.
    pub id: u64,
    /// The child JSON as received (inside the `data` wrapper, if one was used).
    pub data: Value,
    /// Files sent with the message (multipart files and decoded base64 forms).
    pub attachments: Vec<StoredAttachment>,
}

/// Metadata of an uploaded file; the content itself is never kept.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredAttachment {
    /// File name as sent.
    pub name: String,
    /// Content type as sent, or guessed from the extension when none was sent.
    pub content_type: String,
    /// Size in bytes.
    pub size: u64,
    /// Lowercase hex SHA-256 of the content.
    pub sha256: String,
}

/// An object plus the bits the API shows but the inspection view does not.
struct ObjectEntry {
    object: StoredObject,
    created_time: String,
    child_created_times: Vec<String>,
}

/// A consistent copy of one object for rendering a `GET` answer outside the lock.
pub(crate) struct ObjectSnapshot {
    pub object: StoredObject,
    pub created_time: String,
    pub child_created_times: Vec<String>,
}

struct QueuedFault {
    fault: Fault,
    remaining: u32,
}

struct Stores {
    objects: BTreeMap<u64, ObjectEntry>,
    next_object_id: u64,
    next_child_id: u64,
    requests: Vec<RecordedRequest>,
    next_seq: u64,
    faults: VecDeque<QueuedFault>,
    // Under the same lock as the rest, so a reset clears both APIs' data at one instant.
    chatwoot: ChatwootStore,
}

/// Shared state of one running mock.
pub(crate) struct MockState {
    api_key: String,
    // Outside the mutex: every response needs an id, including inspection ones.
    request_ids: AtomicU64,
    stores: Mutex<Stores>,
    /// Random faults; its own lock, taken once per request.
    pub(crate) chaos: Chaos,
    /// Webhook subscriptions and deliveries, cable subscribers; their own locks.
    pub(crate) events: crate::events::Events,
}

impl MockState {
    pub(crate) fn new(api_key: String) -> Self {
        MockState {
            api_key,
            request_ids: AtomicU64::new(1),
            stores: Mutex::new(Stores {
                objects: BTreeMap::new(),
                next_object_id: FIRST_OBJECT_ID,
                next_child_id: FIRST_CHILD_ID,
                requests: Vec::new(),
                next_seq: 1,
                faults: VecDeque::new(),
                chatwoot: ChatwootStore::new(),
            }),
            chaos: Chaos::default(),
            events: crate::events::Events::default(),
        }
    }

    pub(crate) fn api_key(&self) -> &str {
        &self.api_key
    }

    fn stores(&self) -> MutexGuard<'_, Stores> {
        // A panic while holding the lock cannot leave the stores half-updated in a way that
        // matters to a mock, so keep serving rather than poisoning every later request.
        self.stores.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Next value for the `x-request-id` (and `x-mock-request-id`) header; never reset.
    pub(crate) fn next_request_id(&self) -> u64 {
        self.request_ids.fetch_add(1, Ordering::Relaxed)
    }

    /// Appends a request record, assigning its `seq`.
    pub(crate) fn begin_request(&self, mut request: RecordedRequest) {
        let mut stores = self.stores();
        request.seq = stores.next_seq;
        stores.next_seq += 1;
        stores.requests.push(request);
    }

    /// Updates the record of request `request_id`, if a reset has not discarded it meanwhile.
    pub(crate) fn update_request(
        &self,
        request_id: u64,
        update: impl FnOnce(&mut RecordedRequest),
    ) {
        let mut stores = self.stores();
        // In-flight requests are at the end; searching backwards keeps this cheap.
        if let Some(record) = stores
            .requests
            .iter_mut()
            .rev()
            .find(|record| record.request_id == request_id)
        {
            update(record);
        }
    }

    pub(crate) fn requests(&self) -> Vec<RecordedRequest> {
        self.stores().requests.clone()
    }

    pub(crate) fn request_count(&self) -> usize {
        self.stores().requests.len()
    }

    /// Queues faults; returns how many requests are now going to be faulted.
    pub(crate) fn push_faults(&self, faults: impl IntoIterator<Item = Fault>) -> u64 {
        let mut stores = self.stores();
        for fault in faults {
            let remaining = fault.count;
            if remaining > 0 {
                stores.faults.push_back(QueuedFault { fault, remaining });
            }
        }
        stores
            .faults
            .iter()
            .map(|queued| u64::from(queued.remaining))
            .sum()
    }

    /// Takes the fault that applies to the next API request.
    pub(crate) fn next_fault(&self) -> Option<Fault> {
        let mut stores = self.stores();
        let front = stores.faults.front_mut()?;
        let fault = front.fault.clone();
        front.remaining = front.remaining.saturating_sub(1);
        if front.remaining == 0 {
            stores.faults.pop_front();
        }
        Some(fault)
    }

    /// Stores a new conversation and returns its id.
    pub(crate) fn create_object(
        &self,
        stream_id: String,
        status_id: i64,
        data: Value,
        attachments: Vec<StoredAttachment>,
    ) -> u64 {
        let mut stores = self.stores();
        let id = stores.next_object_id;
        stores.next_object_id += 1;
        let object = StoredObject {
            id,
            stream_id,
            status_id,
            data,
            attachments,
            children: Vec::new(),
        };
        stores.objects.insert(
            id,
            ObjectEntry {
                object,
                created_time: clock::now(),
                child_created_times: Vec::new(),
            },
        );
        id
    }

    /// Adds a message to object `object_id` of `stream_id`; `None` if there is no such object.
    pub(crate) fn add_child(
        &self,
        stream_id: &str,
        object_id: u64,
        data: Value,
        attachments: Vec<StoredAttachment>,
    ) -> Option<u64> {
        let mut stores = self.stores();
        let id = stores.next_child_id;
        let entry = stores
            .objects
            .get_mut(&object_id)
            .filter(|entry| entry.object.stream_id == stream_id)?;
        entry.object.children.push(StoredChild {
            id,
            data,
            attachments,
        });
        entry.child_created_times.push(clock::now());
        stores.next_child_id += 1;
        Some(id)
    }

    /// A copy of object `object_id` if it lives in `stream_id`.
    pub(crate) fn object(&self, stream_id: &str, object_id: u64) -> Option<ObjectSnapshot> {
        let stores = self.stores();
        let entry = stores
            .objects
            .get(&object_id)
            .filter(|entry| entry.object.stream_id == stream_id)?;
        Some(ObjectSnapshot {
            object: entry.object.clone(),
            created_time: entry.created_time.clone(),
            child_created_times: entry.child_created_times.clone(),
        })
    }

    /// Changes an object's status; `false` if the object does not exist.
    pub(crate) fn set_status(&self, object_id: u64, status_id: i64) -> bool {
        match self.stores().objects.get_mut(&object_id) {
            Some(entry) => {
                entry.object.status_id = status_id;
                true
            }
            None => false,
        }
    }

    pub(crate) fn objects(&self) -> Vec<StoredObject> {
        self.stores()
            .objects
            .values()
            .map(|entry| entry.object.clone())
            .collect()
    }

    /// Runs `action` on the Chatwoot store while holding the state lock.
    pub(crate) fn chatwoot<R>(&self, action: impl FnOnce(&mut ChatwootStore) -> R) -> R {
        action(&mut self.stores().chatwoot)
    }

    pub(crate) fn chatwoot_state(&self) -> ChatwootState {
        self.stores().chatwoot.snapshot()
    }

    /// Forgets objects, Chatwoot contacts and conversations, requests, faults and chaos mode
    /// (the seeded inboxes stay). Id counters keep going so that ids from before a reset can
    /// never be confused with new ones.
    pub(crate) fn reset(&self) {
        let mut stores = self.stores();
        stores.objects.clear();
        stores.chatwoot.clear();
        stores.requests.clear();
        stores.next_seq = 1;
        stores.faults.clear();
        self.chaos.set(None);
        drop(stores);
        self.events.clear();
    }
}
