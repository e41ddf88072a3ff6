//! A CommBox webhook delivery: the three documented shapes, one typed event.

use super::commbox_records::{
    first, json_or_text, ActivityType, CommBoxActivity, CommBoxChild, CommBoxObject, CommBoxUser,
};
use super::xml_to_json::xml_to_json;
use super::{body_text, check_size, decode_error, parse_json};
use crate::error::Result;
use crate::lenient::{field, get, string};
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::{Map, Value};

/// Which of CommBox's documented shapes a delivery came in.
///
/// JSON form: its snake_case name (`"xml"`, `"event_json"`, `"payload_json"`, `"json"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CommBoxFormat {
    /// XML: `<Event Subscription="…" Name="…" Brand="…">…</Event>` (also found inside a
    /// SOAP envelope).
    Xml,
    /// JSON with an `Event` wrapper: `{"Event": {"Subscription", "Name", "Brand", …}}`.
    EventJson,
    /// JSON with a `payload` wrapper (documented for Object `OnNew`): `{"payload": {…}}`.
    PayloadJson,
    /// JSON in none of the documented shapes (the event is `other`).
    Json,
}

/// What happened, by entity and event name. An entity or event this version does not know
/// is [`Other`](CommBoxEventKind::Other): the payload is still in
/// [`CommBoxEvent::data`] and [`CommBoxEvent::raw`].
///
/// JSON form: its snake_case name (`"new_message"`, `"status_changed"`, `"other"`, …).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CommBoxEventKind {
    /// Object `OnNew`: a conversation was opened ([`CommBoxEvent::object`]).
    NewConversation,
    /// Object `OnNewChild`: a message was added ([`CommBoxEvent::child`]).
    NewMessage,
    /// Object `OnNewActivity` with any activity type but 2 ([`CommBoxEvent::activity`]).
    Activity,
    /// Object `OnNewActivity` with activity type 2: the status changed
    /// ([`CommBoxActivity::status`]). CommBox has no separate status event.
    StatusChanged,
    /// Object `OnUpdateTag`: the conversation's tags changed ([`CommBoxEvent::data`]).
    ObjectTagsUpdated,
    /// User `OnNew` ([`CommBoxEvent::user`]).
    UserCreated,
    /// User `OnUpdate` ([`CommBoxEvent::user`]).
    UserUpdated,
    /// User `OnUpdateTag` ([`CommBoxEvent::user`], tags in [`CommBoxEvent::data`]).
    UserTagsUpdated,
    /// Satisfaction `OnSubmit`: a survey was answered ([`CommBoxEvent::data`]).
    SatisfactionSubmitted,
    /// Form `OnSubmit` ([`CommBoxEvent::data`]).
    FormSubmitted,
    /// Chat `OnUserExit`: the customer left the chat ([`CommBoxEvent::data`]).
    ChatUserExited,
    /// Tag `OnAdd` and the like: a tag was defined or changed in the settings
    /// ([`CommBoxEvent::data`]; the event's name says which).
    TagChanged,
    /// Anything else: an entity or event this version does not know.
    Other,
}

/// One CommBox webhook delivery, parsed.
///
/// JSON form: `{"kind": "new_message", "entity": "Object", "name": "OnNewChild",
/// "brand": "acme", "format": "xml", "object": CommBoxObject, "child": CommBoxChild,
/// "activity": null, "user": null, "data": null, "raw": {…}}`. Every key is always present.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct CommBoxEvent {
    /// What happened.
    pub kind: CommBoxEventKind,
    /// The entity (`Subscription`: `Object`, `User`, `Satisfaction`, `Form`, `Chat`, `Tag`),
    /// as sent; `Object` for the `payload` shape, which carries no name (the docs show it
    /// for `OnNew` only); null when the delivery has none.
    pub entity: Option<String>,
    /// The event's name (`Name`: `OnNewChild`, …), as sent; `OnNew` for the `payload` shape;
    /// null when the delivery has none.
    pub name: Option<String>,
    /// `Brand`: the CommBox account, or null.
    pub brand: Option<String>,
    /// The shape the delivery came in.
    pub format: CommBoxFormat,
    /// The conversation (`Object`), for Object events and any other event that carries one.
    pub object: Option<CommBoxObject>,
    /// The message: for `new_message`, the (first) child of the object; for
    /// `new_conversation`, its first message when the object lists children; else null.
    pub child: Option<CommBoxChild>,
    /// The activity, for `activity` and `status_changed`; else null.
    pub activity: Option<CommBoxActivity>,
    /// The customer (`User` of the event), for User events; else null (an Object event's
    /// customer is `object.user` / `child.user`).
    pub user: Option<CommBoxUser>,
    /// The entity's own element for the events whose shape is not typed here (tags of
    /// `object_tags_updated` and `user_tags_updated`; the `Satisfaction`, `Form`, `Chat` or
    /// `Tag` element; for `other`, the element named after the entity or else the whole
    /// event), JSON text parsed; else null.
    pub data: Option<Value>,
    /// The whole delivery as JSON: as sent for JSON; for XML, the document read into JSON
    /// (elements and attributes by name, values as text; see the module docs).
    pub raw: Value,
}

/// Parses a CommBox webhook delivery from its raw body and its `Content-Type` (when the
/// request had one): XML when the type says `xml`, JSON when it says `json`, else whatever
/// the body starts with (`<` or not).
///
/// Lenient: keys in any case, ids as strings or numbers, JSON text inside XML elements;
/// an unknown entity or event is an event of kind [`Other`](CommBoxEventKind::Other), never
/// an error. CommBox signs nothing: authenticate the request yourself (a secret in the URL).
///
/// ```
/// use commbox::events::{parse_commbox_delivery, CommBoxEventKind};
/// let xml = br#"<Event Subscription="Object" Name="OnNewChild" Brand="acme">
///   <Object Id="5001" StreamId="100"><Children><Child Id="7001">
///     <Message>Hello</Message><Content>{"k": 1}</Content></Child></Children></Object></Event>"#;
/// let event = parse_commbox_delivery(xml, Some("text/xml"))?;
/// assert_eq!(event.kind, CommBoxEventKind::NewMessage);
/// let child = event.child.unwrap();
/// assert_eq!((child.id, child.object_id), (Some(7001), Some(5001)));
/// assert_eq!(child.content.unwrap()["k"], 1);
/// # Ok::<(), commbox::Error>(())
/// ```
///
/// # Errors
///
/// [`Decode`](crate::ErrorKind::Decode), the message starting with `body:`, when the body is
/// over [`MAX_DELIVERY_BYTES`](super::MAX_DELIVERY_BYTES), not UTF-8, not valid JSON, or
/// not well-formed XML (truncated, mismatched, a DOCTYPE, an entity other than the five
/// predefined ones, nested deeper than 64 elements).
pub fn parse_commbox_delivery(body: &[u8], content_type: Option<&str>) -> Result<CommBoxEvent> {
    check_size(body)?;
    let text = body_text(body)?;
    let content_type = content_type.unwrap_or("").to_ascii_lowercase();
    let is_xml = if content_type.contains("xml") {
        true
    } else if content_type.contains("json") {
        false
    } else {
        text.trim_start().starts_with('<')
    };
    if is_xml {
        let doc = xml_to_json(text.as_bytes())?;
        return Ok(match find_event(&doc, 0) {
            Some(event) => from_event(event, CommBoxFormat::Xml, doc.clone()),
            None => other(CommBoxFormat::Xml, doc),
        });
    }
    if text.trim().is_empty() {
        return Err(decode_error("body", "empty"));
    }
    let doc = parse_json("body", text)?;
    let Some(obj) = doc.as_object() else {
        return Ok(other(CommBoxFormat::Json, doc));
    };
    if let Some(event) = get(obj, "Event").filter(|e| e.is_object()) {
        return Ok(from_event(event, CommBoxFormat::EventJson, doc.clone()));
    }
    if let Some(payload) = get(obj, "payload").filter(|p| p.is_object()) {
        return Ok(from_payload(payload, doc.clone()));
    }
    if field(&doc, &["Subscription"]).is_some() && field(&doc, &["Name"]).is_some() {
        // An event without its wrapper: read it as one, say it was in no documented shape.
        return Ok(from_event(&doc, CommBoxFormat::Json, doc.clone()));
    }
    Ok(other(CommBoxFormat::Json, doc))
}

/// The `Event` element: the root, or inside a wrapper such as a SOAP envelope (the shape
/// of SOAP deliveries is not documented; this finds the event wherever it is).
fn find_event(v: &Value, depth: usize) -> Option<&Value> {
    let obj = v.as_object()?;
    if let Some(event) = obj.get("Event").filter(|e| e.is_object()) {
        return Some(event);
    }
    if depth >= 4 {
        return None;
    }
    obj.values().find_map(|child| find_event(child, depth + 1))
}

fn other(format: CommBoxFormat, raw: Value) -> CommBoxEvent {
    CommBoxEvent {
        kind: CommBoxEventKind::Other,
        entity: None,
        name: None,
        brand: None,
        format,
        object: None,
        child: None,
        activity: None,
        user: None,
        data: Some(raw.clone()),
        raw,
    }
}

fn is(value: Option<&str>, expected: &str) -> bool {
    value.is_some_and(|v| v.trim().eq_ignore_ascii_case(expected))
}

/// The element of `event` that holds `key`'s data, JSON text parsed.
fn element(event: &Value, keys: &[&str]) -> Option<Value> {
    json_or_text(field(event, keys).map(first))
}

/// The event's own keys removed: what is left is its data.
fn without_header(event: &Value) -> Value {
    let mut map: Map<String, Value> = event.as_object().cloned().unwrap_or_default();
    for key in ["Subscription", "Name", "Brand"] {
        let found: Vec<String> = map
            .keys()
            .filter(|k| k.eq_ignore_ascii_case(key))
            .cloned()
            .collect();
        for k in found {
            map.remove(&k);
        }
    }
    Value::Object(map)
}

fn from_event(event: &Value, format: CommBoxFormat, raw: Value) -> CommBoxEvent {
    use CommBoxEventKind as K;
    let entity = string(event, &["Subscription", "Entity"]);
    let name = string(event, &["Name", "EventName"]);
    let brand = string(event, &["Brand"]);
    let object_value = field(event, &["Object"]).map(first);
    let object = object_value.map(CommBoxObject::from_json);
    let object_id = object.as_ref().and_then(|o| o.id);
    let first_child = || {
        object_value
            .and_then(|o| CommBoxObject::children(o).into_iter().next())
            .or_else(|| field(event, &["Child"]).map(first))
            .map(|c| CommBoxChild::from_json(c, object_id))
    };
    let tags = |holder: Option<&Value>| {
        holder
            .and_then(|h| element(h, &["Tags", "Tag"]))
            .or_else(|| element(event, &["Tags", "Tag"]))
    };
    let (e, n) = (entity.as_deref(), name.as_deref());
    let mut parsed = CommBoxEvent {
        kind: K::Other,
        entity: entity.clone(),
        name: name.clone(),
        brand,
        format,
        object,
        child: None,
        activity: None,
        user: None,
        data: None,
        raw,
    };
    if is(e, "Object") {
        if is(n, "OnNew") {
            parsed.kind = K::NewConversation;
            parsed.child = first_child();
        } else if is(n, "OnNewChild") {
            parsed.kind = K::NewMessage;
            parsed.child = first_child();
        } else if is(n, "OnNewActivity") {
            let activity = CommBoxActivity::from_json(find_activity(event, object_value));
            parsed.kind = if activity.activity_type == Some(ActivityType::STATUS_CHANGE) {
                K::StatusChanged
            } else {
                K::Activity
            };
            parsed.activity = Some(activity);
        } else if is(n, "OnUpdateTag") {
            parsed.kind = K::ObjectTagsUpdated;
            parsed.data = tags(object_value);
        }
    } else if is(e, "User") {
        let user_value = field(event, &["User"]).map(first);
        parsed.user = user_value.map(CommBoxUser::from_json);
        if is(n, "OnNew") {
            parsed.kind = K::UserCreated;
        } else if is(n, "OnUpdate") {
            parsed.kind = K::UserUpdated;
        } else if is(n, "OnUpdateTag") {
            parsed.kind = K::UserTagsUpdated;
            parsed.data = tags(user_value);
        }
    } else if is(e, "Satisfaction") && is(n, "OnSubmit") {
        parsed.kind = K::SatisfactionSubmitted;
    } else if is(e, "Form") && is(n, "OnSubmit") {
        parsed.kind = K::FormSubmitted;
    } else if is(e, "Chat") && is(n, "OnUserExit") {
        parsed.kind = K::ChatUserExited;
    } else if is(e, "Tag") {
        parsed.kind = K::TagChanged;
    }
    if matches!(
        parsed.kind,
        K::SatisfactionSubmitted | K::FormSubmitted | K::ChatUserExited | K::TagChanged | K::Other
    ) {
        // The element named after the entity (`"Tag": {…}`), or everything but the header.
        parsed.data = entity
            .as_deref()
            .and_then(|e| element(event, &[e]))
            .or_else(|| Some(without_header(event)));
    }
    parsed
}

/// Where an `OnNewActivity` event keeps its activity. Not documented beyond "activity type
/// 2 and `Data {"statusId": N}`": an `Activity` (or `Activities`/`ActivityLog` list) in the
/// object or the event, else the object itself when it carries the activity's keys, else
/// the event.
fn find_activity<'a>(event: &'a Value, object: Option<&'a Value>) -> &'a Value {
    let listed = |holder: &'a Value| -> Option<&'a Value> {
        let found = field(holder, &["Activity", "Activities", "ActivityLog"])?;
        let found = found
            .as_object()
            .and_then(|o| get(o, "Activity"))
            .unwrap_or(found);
        Some(first(found)).filter(|a| a.is_object())
    };
    let has_keys = |v: &Value| field(v, &["ActivityType", "ActivityTypeId", "Data"]).is_some();
    object
        .and_then(listed)
        .or_else(|| listed(event))
        .or_else(|| object.filter(|o| has_keys(o)))
        .unwrap_or(event)
}

fn from_payload(payload: &Value, raw: Value) -> CommBoxEvent {
    if field(payload, &["Subscription"]).is_some() && field(payload, &["Name"]).is_some() {
        return from_event(payload, CommBoxFormat::PayloadJson, raw);
    }
    // The documented example of this shape is Object `OnNew`: the payload is the new
    // conversation itself (Message, Content, ManagerId, Snippet, User).
    let object = CommBoxObject::from_json(payload);
    let child = CommBoxObject::children(payload)
        .into_iter()
        .next()
        .map(|c| CommBoxChild::from_json(c, object.id));
    CommBoxEvent {
        kind: CommBoxEventKind::NewConversation,
        entity: Some("Object".into()),
        name: Some("OnNew".into()),
        brand: string(payload, &["Brand"]),
        format: CommBoxFormat::PayloadJson,
        object: Some(object),
        child,
        activity: None,
        user: None,
        data: None,
        raw,
    }
}
