//! The records inside a CommBox webhook event: the conversation (object), the message
//! (child), the activity, the customer (user) and their identity. Read leniently: keys in
//! any case, ids and numbers as strings or numbers, `Content` and `Data` as JSON objects or
//! as JSON text (the XML shape carries them as text inside the element).

use crate::lenient::{field, get, int, string};
use crate::{ObjectStatusType, ObjectType, StreamProviderType};
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::Value;

open_enum! {
    /// What an `OnNewActivity` event records: CommBox's ObjectActivityType.
    ///
    /// ```
    /// use commbox::events::ActivityType;
    /// assert_eq!(ActivityType::STATUS_CHANGE.value(), 2);
    /// ```
    ActivityType {
        /// 1: a remark.
        REMARK = 1 => "Remark",
        /// 2: the conversation's status changed (`Data {"statusId": N}`).
        STATUS_CHANGE = 2 => "StatusChange",
        /// 3: forwarded.
        FORWARD = 3 => "Forward",
        /// 4: a reply to a forward.
        FORWARD_REPLY = 4 => "ForwardReply",
        /// 5: moved to another stream.
        STREAM_CHANGE = 5 => "StreamChange",
        /// 6: the assigned agent changed.
        ASSIGN_CHANGE = 6 => "AssignChange",
        /// 7: a tag was added or removed.
        UPDATE_OBJECT_TAG = 7 => "UpdateObjectTag",
        /// 8: a follow-up.
        FOLLOW_UP = 8 => "FollowUp",
        /// 9: the intent changed.
        UPDATE_OBJECT_INTENT = 9 => "UpdateObjectIntent",
        /// 10: an attachment.
        ATTACHMENT = 10 => "Attachment",
        /// 19: the participants changed.
        PARTICIPANT_CHANGE = 19 => "ParticipantChange",
    }
}

/// The conversation (CommBox "object") an event is about.
///
/// JSON form: `{"id": 5001, "stream_id": 100, "sub_stream_id": null, "status": 2,
/// "message": "…", "content": {…}, "manager_id": 0, "snippet": "…", "user": CommBoxUser,
/// "raw": {…}}`.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct CommBoxObject {
    /// `Id` (or `ObjectId`), or null (the `payload` shape of `OnNew` may not carry it).
    pub id: Option<i64>,
    /// `StreamId`, or null.
    pub stream_id: Option<i64>,
    /// `SubStreamId`, or null.
    pub sub_stream_id: Option<i64>,
    /// `StatusId` (or `Status`) as its integer, or null.
    pub status: Option<ObjectStatusType>,
    /// `Message`: the first message's text, or null.
    pub message: Option<String>,
    /// `Content`: an object (parsed when it came as JSON text), or null.
    pub content: Option<Value>,
    /// `ManagerId`: the assigned agent (0: none), or null.
    pub manager_id: Option<i64>,
    /// `Snippet`, or null.
    pub snippet: Option<String>,
    /// `User`: the customer, or null.
    pub user: Option<CommBoxUser>,
    /// What was sent for the object (XML: its attributes and elements as strings).
    pub raw: Value,
}

/// A message (CommBox "child") in a conversation: the new one of `OnNewChild`.
///
/// JSON form: `{"id": 7001, "object_id": 5001, "created_date": "26-03-2017 06:36:15",
/// "object_type": 4, "stream_provider_id": "…", "stream_provider_type": 6, "message": "…",
/// "content": {…}, "manager_id": 0, "snippet": "…", "user": CommBoxUser, "raw": {…}}`.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct CommBoxChild {
    /// `Id`, or null.
    pub id: Option<i64>,
    /// `ObjectId`, or the enclosing object's id, or null.
    pub object_id: Option<i64>,
    /// `CreateDate` (or `CreatedTime`), as sent (`26-03-2017 06:36:15`), or null.
    pub created_date: Option<String>,
    /// `Type` (ObjectType) as its integer, or null.
    pub object_type: Option<ObjectType>,
    /// `StreamProviderId`: the channel's identity of the sender, or null.
    pub stream_provider_id: Option<String>,
    /// `StreamProviderType` as its integer, or null.
    pub stream_provider_type: Option<StreamProviderType>,
    /// `Message`: the text, or null.
    pub message: Option<String>,
    /// `Content`: an object (parsed when it came as JSON text), or null.
    pub content: Option<Value>,
    /// `ManagerId`: the agent who wrote it (0 or null: the customer).
    pub manager_id: Option<i64>,
    /// `Snippet`, or null.
    pub snippet: Option<String>,
    /// `User`: who wrote it, or null.
    pub user: Option<CommBoxUser>,
    /// What was sent for the child.
    pub raw: Value,
}

/// An activity on a conversation (`OnNewActivity`).
///
/// JSON form: `{"activity_type": 2, "status": 3, "data": {"statusId": 3},
/// "created_time": null, "raw": {…}}`.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct CommBoxActivity {
    /// `ActivityType` (or `Type`) as its integer, or null.
    pub activity_type: Option<ActivityType>,
    /// For a status change (type 2): the new status, from `Data.statusId`; otherwise null.
    pub status: Option<ObjectStatusType>,
    /// `Data`: an object (parsed when it came as JSON text), the text itself when it is not
    /// JSON, or null.
    pub data: Option<Value>,
    /// `CreatedTime` (or `CreateDate`), as sent, or null.
    pub created_time: Option<String>,
    /// What was sent for the activity.
    pub raw: Value,
}

/// A customer (CommBox "user") as a webhook carries it.
///
/// JSON form: `{"id": 3377699720575710, "unique_id": null, "first_name": null,
/// "last_name": null, "email": null, "phone1": null, "identity": CommBoxIdentity,
/// "raw": {…}}`. Empty strings are kept as sent.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct CommBoxUser {
    /// `Id`, or null.
    pub id: Option<i64>,
    /// `UniqueID`, or null.
    pub unique_id: Option<String>,
    /// `FirstName`, or null.
    pub first_name: Option<String>,
    /// `LastName`, or null.
    pub last_name: Option<String>,
    /// `Email`, or null.
    pub email: Option<String>,
    /// `Phone1`, or null.
    pub phone1: Option<String>,
    /// `Identity`: the channel identity the event came through, or null.
    pub identity: Option<CommBoxIdentity>,
    /// What was sent for the user.
    pub raw: Value,
}

/// A customer's identity on one channel.
///
/// JSON form: `{"id": 3377699720580841, "stream_provider_id": "…",
/// "stream_provider_type": 6, "email": "", "user_name": "", "first_name": "",
/// "last_name": "", "raw": {…}}`.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct CommBoxIdentity {
    /// `Id`, or null.
    pub id: Option<i64>,
    /// `StreamProviderId`: the address on the channel (phone, e-mail, chat id), or null.
    pub stream_provider_id: Option<String>,
    /// `StreamProviderType` as its integer, or null.
    pub stream_provider_type: Option<StreamProviderType>,
    /// `StreamProviderEmail`, or null.
    pub email: Option<String>,
    /// `UserName`, or null.
    pub user_name: Option<String>,
    /// `FirstName`, or null.
    pub first_name: Option<String>,
    /// `LastName`, or null.
    pub last_name: Option<String>,
    /// What was sent for the identity.
    pub raw: Value,
}

/// A value that may be JSON text (the XML shape puts `Content` and `Data` as text inside
/// the element): parsed when it is, kept as it is otherwise; an empty string is null.
pub(crate) fn json_or_text(v: Option<&Value>) -> Option<Value> {
    match v? {
        Value::String(s) if s.trim().is_empty() => None,
        Value::String(s) => Some(
            serde_json::from_str::<Value>(s)
                .ok()
                .filter(|p| p.is_object() || p.is_array())
                .unwrap_or_else(|| Value::String(s.clone())),
        ),
        other => Some(other.clone()),
    }
}

/// The first element of a list, or the value itself.
pub(crate) fn first(v: &Value) -> &Value {
    match v {
        Value::Array(items) => items.first().unwrap_or(v),
        _ => v,
    }
}

impl CommBoxObject {
    pub(crate) fn from_json(v: &Value) -> CommBoxObject {
        CommBoxObject {
            id: int(v, &["Id", "ObjectId"]),
            stream_id: int(v, &["StreamId"]),
            sub_stream_id: int(v, &["SubStreamId"]),
            status: int(v, &["StatusId", "Status"]).map(ObjectStatusType),
            message: string(v, &["Message"]),
            content: json_or_text(field(v, &["Content"])),
            manager_id: int(v, &["ManagerId"]),
            snippet: string(v, &["Snippet"]),
            user: field(v, &["User"]).map(|u| CommBoxUser::from_json(first(u))),
            raw: v.clone(),
        }
    }

    /// The children (messages) the object carries: `Children` as a list, or as
    /// `{"Child": one or a list}` (the XML shape), or `Child`/`Childs` directly.
    pub(crate) fn children(v: &Value) -> Vec<&Value> {
        let Some(list) = field(v, &["Children", "Childs", "Child"]) else {
            return Vec::new();
        };
        let list = match list.as_object().and_then(|o| get(o, "Child")) {
            Some(inner) => inner,
            None => list,
        };
        match list {
            Value::Array(items) => items.iter().filter(|i| i.is_object()).collect(),
            Value::Object(_) => vec![list],
            _ => Vec::new(),
        }
    }
}

impl CommBoxChild {
    pub(crate) fn from_json(v: &Value, object_id: Option<i64>) -> CommBoxChild {
        CommBoxChild {
            id: int(v, &["Id", "ChildId"]),
            object_id: int(v, &["ObjectId"]).or(object_id),
            created_date: string(v, &["CreateDate", "CreatedTime", "CreatedDate"]),
            object_type: int(v, &["Type", "ObjectType"]).map(ObjectType),
            stream_provider_id: string(v, &["StreamProviderId"]),
            stream_provider_type: int(v, &["StreamProviderType"]).map(StreamProviderType),
            message: string(v, &["Message"]),
            content: json_or_text(field(v, &["Content"])),
            manager_id: int(v, &["ManagerId"]),
            snippet: string(v, &["Snippet"]),
            user: field(v, &["User"]).map(|u| CommBoxUser::from_json(first(u))),
            raw: v.clone(),
        }
    }
}

impl CommBoxActivity {
    pub(crate) fn from_json(v: &Value) -> CommBoxActivity {
        let activity_type = int(v, &["ActivityType", "ActivityTypeId", "Type"]).map(ActivityType);
        let data = json_or_text(field(v, &["Data"]));
        let status = if activity_type == Some(ActivityType::STATUS_CHANGE) {
            data.as_ref()
                .and_then(|d| int(d, &["statusId", "status"]))
                .or_else(|| int(v, &["StatusId"]))
                .map(ObjectStatusType)
        } else {
            None
        };
        CommBoxActivity {
            activity_type,
            status,
            data,
            created_time: string(v, &["CreatedTime", "CreateDate", "CreatedDate"]),
            raw: v.clone(),
        }
    }
}

impl CommBoxUser {
    pub(crate) fn from_json(v: &Value) -> CommBoxUser {
        CommBoxUser {
            id: int(v, &["Id", "UserId"]),
            unique_id: string(v, &["UniqueID"]),
            first_name: string(v, &["FirstName"]),
            last_name: string(v, &["LastName"]),
            email: string(v, &["Email"]),
            phone1: string(v, &["Phone1"]),
            identity: field(v, &["Identity"]).map(|i| CommBoxIdentity::from_json(first(i))),
            raw: v.clone(),
        }
    }
}

impl CommBoxIdentity {
    pub(crate) fn from_json(v: &Value) -> CommBoxIdentity {
        CommBoxIdentity {
            id: int(v, &["Id"]),
            stream_provider_id: string(v, &["StreamProviderId"]),
            stream_provider_type: int(v, &["StreamProviderType"]).map(StreamProviderType),
            email: string(v, &["StreamProviderEmail", "Email"]),
            user_name: string(v, &["UserName"]),
            first_name: string(v, &["FirstName"]),
            last_name: string(v, &["LastName"]),
            raw: v.clone(),
        }
    }
}
