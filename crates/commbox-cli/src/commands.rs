//! Runs each subcommand through the core library and prints the JSON form of its result.
//! No validation or HTTP logic lives here: the core does it for every face.

use crate::args::*;
use crate::output::{printed, Printed};
use commbox::blocking::{Client, ClientBuilder};
use commbox::{
    Attachment, ClientOptions, Created, Error, NewConversation, NewMessage, ObjectStatusType,
    StreamProviderType,
};
use serde_json::{json, Value};
use std::io::Read;

/// Builds the client from flags, falling back to the `COMMBOX_*` environment variables.
pub fn client(g: &Global) -> Result<Client, Error> {
    builder(g).build()
}

/// The client settings: the flags as the core's options, the `COMMBOX_*` variables for
/// those not given (shared by the Chatwoot commands). Defaults and checks are the core's.
pub fn builder(g: &Global) -> ClientBuilder {
    // A bar per --attach file while it uploads, when stderr is a terminal.
    crate::upload_progress::on_terminal(ClientBuilder::from_options(options(g)).with_env())
}

/// The flags as the core's client options (those not given: `None`); `batch` builds its
/// async client from them.
pub fn options(g: &Global) -> ClientOptions {
    ClientOptions {
        api_key: g.api_key.clone(),
        base_url: g.base_url.clone(),
        timeout: g.timeout,
        connect_timeout: g.connect_timeout,
        max_retries: g.max_retries,
        user_agent_suffix: Some(format!("commbox-cli/{}", env!("CARGO_PKG_VERSION"))),
        ca_file: g.ca_file.clone(),
        proxy: g.proxy.clone(),
        // The flag can only turn it on; without it the variable still applies.
        allow_insecure_http: g.allow_insecure_http.then_some(true),
    }
}

/// Runs an API command and returns what to print: the JSON form of the core's result.
pub fn run(client: &Client, command: Command) -> Result<Printed, Error> {
    match command {
        Command::Email(a) => {
            let to = mailboxes(&a.to);
            let (cc, bcc) = (mailboxes(&a.cc), mailboxes(&a.bcc));
            let fields = json!({"identity": a.identity, "subject": a.subject, "to": to, "cc": cc, "bcc": bcc});
            create(client, "email", fields, &a.common)
        }
        Command::Sms(a) => create(client, "sms", json!({"identity": a.phone}), &a.common),
        Command::BulkSms(a) => {
            let fields = json!({"identity": a.phone, "recipients": a.to,
                                "send_to_client": !a.no_send_to_client});
            create(client, "bulk_sms", fields, &a.common)
        }
        Command::Whatsapp(a) => {
            let fields = json!({"identity": a.phone, "template": a.template, "params": a.param,
                                "language": a.language, "to": a.to});
            create(client, "whatsapp_template", fields, &a.common)
        }
        Command::Chat(a) => {
            let fields = json!({"identity": a.identity, "create_child_object": !a.no_child});
            create(client, "chat", fields, &a.common)
        }
        Command::Message(a) => {
            let body = message_text(a.message, a.message_file.as_deref())?;
            let mut m = match (a.customer, a.agent) {
                (Some(customer), _) => NewMessage::from_customer(customer, body),
                (None, Some(agent)) => {
                    NewMessage::from_agent(agent, a.identity.unwrap_or_default(), body)
                }
                (None, None) => {
                    return Err(Error::validation("--customer", "or --agent is required"))
                }
            };
            if let Some(t) = a.identity_type {
                m = m.identity_type(StreamProviderType(t));
            }
            for p in a.attachments {
                m = m.attachment(Attachment::from_path(p));
            }
            let id =
                client.create_message(&a.stream, &a.object, m.attachments_as_base64(a.base64))?;
            Ok(printed!(Created::from(id)))
        }
        Command::Get(a) => Ok(printed!(client.get_conversation(&a.stream, &a.object)?)),
        Command::Status(a) => {
            let status = ObjectStatusType::from_text("status", &a.status)?;
            client.set_conversation_status(&a.object, status)?;
            Ok(printed!(()))
        }
        Command::Managers => Ok(printed!(client.managers()?)),
        Command::SystemStatus => Ok(printed!(client.system_status()?)),
        Command::Raw(a) => {
            let body = a
                .data
                .as_deref()
                .map(|d| read_json("--data", d))
                .transpose()?;
            Ok(printed!(client.raw_request(
                &a.method,
                &a.path,
                body.as_ref()
            )?))
        }
        Command::Mock(_)
        | Command::Chatwoot(_)
        | Command::Batch(_)
        | Command::Webhooks(_)
        | Command::Completions(_)
        | Command::Man(_) => {
            unreachable!("handled before a CommBox client is built")
        }
    }
}

/// Opens a conversation from the flags: the channel's own `fields` and the common flags,
/// as the core's JSON form (which reads and checks them), plus the files to stream.
fn create(client: &Client, channel: &str, fields: Value, a: &CommonArgs) -> Result<Printed, Error> {
    let mut form = match fields {
        Value::Object(map) => map,
        _ => unreachable!("the channel's fields are an object"),
    };
    form.insert("channel".into(), channel.into());
    form.insert(
        "message".into(),
        message_text(a.message.clone(), a.message_file.as_deref())?.into(),
    );
    let user = json!({"unique_id": a.user_unique_id, "first_name": a.user_first_name,
                      "last_name": a.user_last_name, "phone1": a.user_phone,
                      "email": a.user_email, "remarks": a.user_remarks});
    let common = json!({"status": a.status, "manager_id": a.manager_id,
                        "user_identity": a.user_identity, "sub_stream_id": a.sub_stream_id,
                        "stream_provider_id": a.stream_provider_id, "user": without_nulls(user),
                        "fields": fields_json(&a.fields)?});
    if let Value::Object(common) = without_nulls(common) {
        form.extend(common);
    }
    let mut conversation = NewConversation::from_value(without_nulls(Value::Object(form)))?;
    // Paths go to the core as paths, not as JSON text: a file name need not be UTF-8.
    for p in &a.attachments {
        conversation = conversation.attachment(Attachment::from_path(p));
    }
    let id = client.create_conversation(&a.stream, conversation)?;
    Ok(printed!(Created::from(id)))
}

/// The flags not given (null) and empty objects and lists left out, so that the core's
/// defaults apply to them.
fn without_nulls(v: Value) -> Value {
    match v {
        Value::Object(map) => {
            let kept: serde_json::Map<String, Value> = map
                .into_iter()
                .map(|(k, v)| (k, without_nulls(v)))
                .filter(|(_, v)| match v {
                    Value::Null => false,
                    Value::Object(m) => !m.is_empty(),
                    Value::Array(a) => !a.is_empty(),
                    _ => true,
                })
                .collect();
            Value::Object(kept)
        }
        other => other,
    }
}

/// `--field NAME=JSON` flags as the `fields` object.
fn fields_json(flags: &[String]) -> Result<Value, Error> {
    let mut map = serde_json::Map::new();
    for f in flags {
        let (name, value) = parse_field("--field", f)?;
        map.insert(name, value);
    }
    Ok(Value::Object(map))
}

/// The text from `--message`, or from `--message-file` (a path, or - for stdin); empty when
/// neither is given. A file that cannot be read is an I/O error, like an unreadable
/// attachment; one that is read but is not UTF-8 text is a validation error.
pub fn message_text(
    message: Option<String>,
    file: Option<&std::path::Path>,
) -> Result<String, Error> {
    const FLAG: &str = "--message-file";
    let bytes = match (message, file) {
        (Some(m), _) => return Ok(m),
        (None, None) => return Ok(String::new()),
        (None, Some(p)) if p.as_os_str() == "-" => {
            let mut bytes = Vec::new();
            std::io::stdin()
                .read_to_end(&mut bytes)
                .map_err(|e| Error::file(FLAG, format!("cannot read stdin: {e}")))?;
            bytes
        }
        (None, Some(p)) => std::fs::read(p)
            .map_err(|e| Error::file(FLAG, format!("cannot read {}: {e}", p.display())))?,
    };
    String::from_utf8(bytes).map_err(|_| Error::validation(FLAG, "is not valid UTF-8 text"))
}

/// Each `Name <addr>` or `addr` as the JSON form's `{"address", "name"}`.
fn mailboxes(list: &[String]) -> Vec<Value> {
    list.iter()
        .map(|entry| match mailbox(entry) {
            (address, Some(name)) => json!({"address": address, "name": name}),
            (address, None) => json!({"address": address}),
        })
        .collect()
}

/// `Name <addr>` or `addr`.
fn mailbox(s: &str) -> (String, Option<String>) {
    let s = s.trim();
    if let (Some(open), true) = (s.rfind('<'), s.ends_with('>')) {
        let name = s[..open].trim().trim_matches('"').trim();
        let addr = s[open + 1..s.len() - 1].trim();
        return (addr.to_owned(), (!name.is_empty()).then(|| name.to_owned()));
    }
    (s.to_owned(), None)
}

/// `NAME=JSON` given to `flag`; a value that is not JSON is taken as a string.
pub fn parse_field(flag: &str, s: &str) -> Result<(String, Value), Error> {
    let (name, value) = s
        .split_once('=')
        .ok_or_else(|| Error::validation(flag, format!("{s:?} is not NAME=JSON")))?;
    if name.trim().is_empty() {
        return Err(Error::validation(flag, "empty field name"));
    }
    let value = serde_json::from_str(value).unwrap_or_else(|_| Value::String(value.to_owned()));
    Ok((name.trim().to_owned(), value))
}

/// Inline JSON, `@file`, or `-` for stdin, given to `flag`.
pub fn read_json(flag: &str, arg: &str) -> Result<Value, Error> {
    let text = if arg == "-" {
        let mut s = String::new();
        std::io::stdin()
            .read_to_string(&mut s)
            .map_err(|e| Error::file(flag, format!("cannot read stdin: {e}")))?;
        s
    } else if let Some(path) = arg.strip_prefix('@') {
        // Unreadable: I/O, as for --message-file and attachments.
        std::fs::read_to_string(path)
            .map_err(|e| Error::file(flag, format!("cannot read {path}: {e}")))?
    } else {
        arg.to_owned()
    };
    serde_json::from_str(&text).map_err(|e| Error::validation(flag, format!("not JSON: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn mailboxes() {
        assert_eq!(mailbox("a@b.co"), ("a@b.co".into(), None));
        assert_eq!(
            mailbox("\"John Doe\" <john@b.co>"),
            ("john@b.co".into(), Some("John Doe".into()))
        );
        assert_eq!(mailbox("<x@b.co>"), ("x@b.co".into(), None));
    }

    #[test]
    fn flags_not_given_are_left_out() {
        let v = without_nulls(json!({"a": null, "b": {"c": null}, "d": [], "e": 0, "f": {"g": 1}}));
        assert_eq!(v, json!({"e": 0, "f": {"g": 1}}));
    }

    #[test]
    fn fields() {
        assert_eq!(
            parse_field("--field", "Priority=3").unwrap(),
            ("Priority".into(), json!(3))
        );
        assert_eq!(
            parse_field("--field", "Tag=vip").unwrap(),
            ("Tag".into(), json!("vip"))
        );
        assert_eq!(
            parse_field("--attr", "nothing").unwrap_err().field(),
            Some("--attr")
        );
    }
}
