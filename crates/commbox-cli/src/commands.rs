//! Runs each subcommand through the core library and prints the JSON form of its result.
//! No validation or HTTP logic lives here: the core does it for every face.

use crate::args::*;
use crate::output::{printed, Printed};
use commbox::{
    Attachment, BulkSmsConversation, ChatConversation, Client, ClientBuilder, ClientOptions,
    Created, EmailConversation, Error, NewConversation, NewMessage, ObjectStatusType,
    SmsConversation, StreamProviderType, User, WhatsAppTemplateConversation,
};
use serde_json::Value;
use std::io::Read;

/// Applies the options every conversation takes; a macro because each channel builder has
/// its own (inherent) setters.
macro_rules! apply_common {
    ($c:expr, $a:expr) => {{
        let a = &$a;
        let mut c = $c;
        if let Some(s) = &a.status {
            c = c.status(status(s, "--status")?);
        }
        if let Some(v) = a.manager_id {
            c = c.manager_id(v);
        }
        if let Some(v) = a.user_identity {
            c = c.user_identity(v);
        }
        if let Some(v) = a.sub_stream_id {
            c = c.sub_stream_id(v);
        }
        if let Some(v) = &a.stream_provider_id {
            c = c.stream_provider_id(v);
        }
        if let Some(u) = user(a) {
            c = c.user(u);
        }
        for p in &a.attachments {
            c = c.attachment(Attachment::from_path(p));
        }
        for f in &a.fields {
            let (name, value) = parse_field("--field", f)?;
            c = c.field(name, value);
        }
        NewConversation::from(c)
    }};
}

/// Builds the client from flags, falling back to the `COMMBOX_*` environment variables.
pub fn client(g: &Global) -> Result<Client, Error> {
    builder(g).build()
}

/// The client settings: the flags as the core's options, the `COMMBOX_*` variables for
/// those not given (shared by the Chatwoot commands). Defaults and checks are the core's.
pub fn builder(g: &Global) -> ClientBuilder {
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
    .builder()
    .with_env()
}

/// Runs an API command and returns what to print: the JSON form of the core's result.
pub fn run(client: &Client, command: Command) -> Result<Printed, Error> {
    let text = |c: &CommonArgs| message_text(c.message.clone(), c.message_file.as_deref());
    match command {
        Command::Email(a) => {
            let c = EmailConversation::new(a.identity, a.subject, text(&a.common)?);
            let c = add_mailboxes(
                c,
                &a.to,
                |c, addr| c.to(addr),
                |c, addr, n| c.to_named(addr, n),
            );
            let c = add_mailboxes(
                c,
                &a.cc,
                |c, addr| c.cc(addr),
                |c, addr, n| c.cc_named(addr, n),
            );
            let c = add_mailboxes(
                c,
                &a.bcc,
                |c, addr| c.bcc(addr),
                |c, addr, n| c.bcc_named(addr, n),
            );
            create(client, &a.common, apply_common!(c, a.common))
        }
        Command::Sms(a) => {
            let c = SmsConversation::new(a.phone, text(&a.common)?);
            create(client, &a.common, apply_common!(c, a.common))
        }
        Command::BulkSms(a) => {
            let c = BulkSmsConversation::new(a.phone, text(&a.common)?)
                .recipients(a.to)
                .send_to_client(!a.no_send_to_client);
            create(client, &a.common, apply_common!(c, a.common))
        }
        Command::Whatsapp(a) => {
            let mut c = WhatsAppTemplateConversation::new(a.phone, a.template, text(&a.common)?)
                .params(a.param);
            for to in a.to {
                c = c.to(to);
            }
            if let Some(l) = a.language {
                c = c.language(l);
            }
            create(client, &a.common, apply_common!(c, a.common))
        }
        Command::Chat(a) => {
            let c = ChatConversation::new(a.identity, text(&a.common)?)
                .create_child_object(!a.no_child);
            create(client, &a.common, apply_common!(c, a.common))
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
            let status = status(&a.status, "--status")?;
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
        Command::Mock(_) | Command::Chatwoot(_) => {
            unreachable!("handled before a CommBox client is built")
        }
    }
}

fn create(client: &Client, a: &CommonArgs, c: NewConversation) -> Result<Printed, Error> {
    let id = client.create_conversation(&a.stream, c)?;
    Ok(printed!(Created::from(id)))
}

fn user(a: &CommonArgs) -> Option<User> {
    let any = a.user_unique_id.is_some()
        || a.user_first_name.is_some()
        || a.user_last_name.is_some()
        || a.user_phone.is_some()
        || a.user_email.is_some()
        || a.user_remarks.is_some();
    if !any {
        return None;
    }
    let mut u = User::new();
    if let Some(v) = &a.user_unique_id {
        u = u.unique_id(v);
    }
    if let Some(v) = &a.user_first_name {
        u = u.first_name(v);
    }
    if let Some(v) = &a.user_last_name {
        u = u.last_name(v);
    }
    if let Some(v) = &a.user_phone {
        u = u.phone1(v);
    }
    if let Some(v) = &a.user_email {
        u = u.email(v);
    }
    if let Some(v) = &a.user_remarks {
        u = u.remarks(v);
    }
    Some(u)
}

/// The text from `--message`, or from `--message-file` (a path, or - for stdin); empty when
/// neither is given.
pub fn message_text(
    message: Option<String>,
    file: Option<&std::path::Path>,
) -> Result<String, Error> {
    match (message, file) {
        (Some(m), _) => Ok(m),
        (None, Some(p)) if p.as_os_str() == "-" => {
            let mut s = String::new();
            std::io::stdin().read_to_string(&mut s).map_err(|e| {
                Error::validation("--message-file", format!("cannot read stdin: {e}"))
            })?;
            Ok(s)
        }
        (None, Some(p)) => std::fs::read_to_string(p).map_err(|e| {
            Error::validation(
                "--message-file",
                format!("cannot read {}: {e}", p.display()),
            )
        }),
        (None, None) => Ok(String::new()),
    }
}

/// Adds each `Name <addr>` or `addr` in `list` with the matching setter (to, cc or bcc).
fn add_mailboxes(
    mut c: EmailConversation,
    list: &[String],
    plain: fn(EmailConversation, String) -> EmailConversation,
    named: fn(EmailConversation, String, String) -> EmailConversation,
) -> EmailConversation {
    for entry in list {
        c = match mailbox(entry) {
            (addr, Some(name)) => named(c, addr, name),
            (addr, None) => plain(c, addr),
        };
    }
    c
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

/// A status by name (`resolved`, `in process`) or number.
fn status(s: &str, flag: &str) -> Result<ObjectStatusType, Error> {
    if let Ok(n) = s.trim().parse::<i64>() {
        return Ok(ObjectStatusType(n));
    }
    ObjectStatusType::from_name(s).ok_or_else(|| {
        let names: Vec<String> = ObjectStatusType::KNOWN
            .iter()
            .filter_map(|v| v.name())
            .map(|n| n.to_ascii_lowercase())
            .collect();
        Error::validation(
            flag,
            format!(
                "unknown status {s:?}; use a number or one of: {}",
                names.join(", ")
            ),
        )
    })
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
            .map_err(|e| Error::validation(flag, format!("cannot read stdin: {e}")))?;
        s
    } else if let Some(path) = arg.strip_prefix('@') {
        std::fs::read_to_string(path)
            .map_err(|e| Error::validation(flag, format!("cannot read {path}: {e}")))?
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
    fn statuses() {
        assert_eq!(status("resolved", "s").unwrap(), ObjectStatusType::RESOLVED);
        assert_eq!(status("13", "s").unwrap(), ObjectStatusType::SENT);
        let e = status("done", "--status").unwrap_err();
        assert_eq!(e.field(), Some("--status"));
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
