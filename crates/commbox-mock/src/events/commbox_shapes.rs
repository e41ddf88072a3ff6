//! CommBox's Object events in the three documented shapes (receiving.md): XML
//! `<Event Subscription Name Brand>`, JSON with an `Event` wrapper, JSON with a `payload`
//! wrapper (the documented example is `OnNew`). Ids are strings, as in CommBox's examples.

use serde_json::{json, Map, Value};

use super::CommBoxShape;

/// The brand the mock's deliveries carry.
const BRAND: &str = "mock";

/// An Object event to deliver.
#[derive(Debug, Clone)]
pub(crate) enum CommBoxObjectEvent {
    /// `OnNew`: a conversation was opened with its first message (`data`: the object sent).
    New {
        stream_id: String,
        object_id: u64,
        data: Value,
    },
    /// `OnNewChild`: a message was added (`data`: the child sent).
    NewChild {
        stream_id: String,
        object_id: u64,
        child_id: u64,
        data: Value,
    },
    /// `OnNewActivity` with activity type 2: the status changed.
    StatusChanged { object_id: u64, status_id: i64 },
}

impl CommBoxObjectEvent {
    pub(crate) fn name(&self) -> &'static str {
        match self {
            CommBoxObjectEvent::New { .. } => "OnNew",
            CommBoxObjectEvent::NewChild { .. } => "OnNewChild",
            CommBoxObjectEvent::StatusChanged { .. } => "OnNewActivity",
        }
    }

    /// The content type and body of this event in `shape`.
    pub(crate) fn render(&self, shape: CommBoxShape) -> (&'static str, String) {
        match (shape, self) {
            (CommBoxShape::Xml, _) => ("application/xml", self.xml()),
            (
                CommBoxShape::Payload,
                CommBoxObjectEvent::New {
                    object_id, data, ..
                },
            ) => {
                let mut payload = message_fields(data);
                payload.insert("Id".into(), json!(object_id.to_string()));
                (
                    "application/json",
                    json!({ "payload": payload }).to_string(),
                )
            }
            _ => ("application/json", self.json_event().to_string()),
        }
    }

    fn json_event(&self) -> Value {
        let object = match self {
            CommBoxObjectEvent::New {
                stream_id,
                object_id,
                data,
            } => {
                let mut object = message_fields(data);
                object.insert("Id".into(), json!(object_id.to_string()));
                object.insert("StreamId".into(), json!(stream_id));
                Value::Object(object)
            }
            CommBoxObjectEvent::NewChild {
                stream_id,
                object_id,
                child_id,
                data,
            } => {
                let mut child = message_fields(data);
                child.insert("Id".into(), json!(child_id.to_string()));
                json!({
                    "Id": object_id.to_string(),
                    "StreamId": stream_id,
                    "Children": [child],
                })
            }
            CommBoxObjectEvent::StatusChanged {
                object_id,
                status_id,
            } => json!({
                "Id": object_id.to_string(),
                "StatusId": status_id.to_string(),
                "Activity": {
                    "ActivityType": "2",
                    "Data": json!({ "statusId": status_id }).to_string(),
                },
            }),
        };
        json!({"Event": {
            "Subscription": "Object",
            "Name": self.name(),
            "Brand": BRAND,
            "Object": object,
        }})
    }

    fn xml(&self) -> String {
        let head = format!(
            r#"<?xml version="1.0" encoding="utf-8"?><Event Subscription="Object" Name="{}" Brand="{BRAND}">"#,
            self.name()
        );
        let object = match self {
            CommBoxObjectEvent::New {
                stream_id,
                object_id,
                data,
            } => format!(
                r#"<Object Id="{object_id}" StreamId="{}">{}</Object>"#,
                attr(stream_id),
                message_elements(data)
            ),
            CommBoxObjectEvent::NewChild {
                stream_id,
                object_id,
                child_id,
                data,
            } => format!(
                r#"<Object Id="{object_id}" StreamId="{}"><Children><Child Id="{child_id}">{}</Child></Children></Object>"#,
                attr(stream_id),
                message_elements(data)
            ),
            CommBoxObjectEvent::StatusChanged {
                object_id,
                status_id,
            } => format!(
                r#"<Object Id="{object_id}" StatusId="{status_id}"><Activity ActivityType="2"><Data>{}</Data></Activity></Object>"#,
                text(&json!({ "statusId": status_id }).to_string())
            ),
        };
        format!("{head}{object}</Event>")
    }
}

/// What an event carries of a sent object or child: its message, content, manager and the
/// customer's identity, with ids and numbers as strings.
fn message_fields(data: &Value) -> Map<String, Value> {
    let get = |key: &str| data.get(key).filter(|v| !v.is_null());
    let as_text = |v: &Value| match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let mut out = Map::new();
    let message = get("Message").map(as_text).unwrap_or_default();
    out.insert("Message".into(), json!(message));
    out.insert(
        "Snippet".into(),
        json!(message.chars().take(100).collect::<String>()),
    );
    out.insert(
        "ManagerId".into(),
        json!(get("UserIdentity")
            .filter(|_| data.get("IsManager") == Some(&Value::Bool(true)))
            .or_else(|| get("ManagerId"))
            .map(as_text)
            .unwrap_or_else(|| "0".into())),
    );
    if let Some(content) = get("Content") {
        out.insert("Content".into(), content.clone());
    }
    let provider_id = get("UserStreamProviderId").map(as_text).unwrap_or_default();
    let provider_type = get("UserStreamProviderType")
        .or_else(|| get("StreamProviderType"))
        .map(as_text)
        .unwrap_or_default();
    let user = data.get("User").cloned().unwrap_or_else(|| json!({}));
    let name = |key: &str| user.get(key).map(as_text).unwrap_or_default();
    out.insert(
        "User".into(),
        json!({
            "Identity": {
                "Id": get("UserIdentity").map(as_text).unwrap_or_default(),
                "StreamProviderId": provider_id,
                "StreamProviderType": provider_type,
                "FirstName": name("FirstName"),
                "LastName": name("LastName"),
            },
            "Email": name("Email"),
            "Phone1": name("Phone1"),
        }),
    );
    out
}

/// The same fields as XML elements (`Content` as JSON text inside its element).
fn message_elements(data: &Value) -> String {
    let fields = message_fields(data);
    let mut out = String::new();
    for key in ["Message", "Snippet", "ManagerId"] {
        let v = fields[key].as_str().unwrap_or_default();
        out.push_str(&format!("<{key}>{}</{key}>", text(v)));
    }
    if let Some(content) = fields.get("Content") {
        out.push_str(&format!(
            "<Content>{}</Content>",
            text(&content.to_string())
        ));
    }
    let identity = &fields["User"]["Identity"];
    out.push_str("<User><Identity>");
    for key in [
        "Id",
        "StreamProviderId",
        "StreamProviderType",
        "FirstName",
        "LastName",
    ] {
        let v = identity[key].as_str().unwrap_or_default();
        out.push_str(&format!("<{key}>{}</{key}>", text(v)));
    }
    out.push_str("</Identity></User>");
    out
}

fn text(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn attr(s: &str) -> String {
    text(s).replace('"', "&quot;")
}
