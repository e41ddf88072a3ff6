//! `commbox chatwoot …`: the Chatwoot / Omnivibe public client API from the shell.

use crate::commands::{builder, message_text, parse_field, read_json};
use crate::output::{printed, Printed};
use clap::{Args, Subcommand};
use commbox::blocking::InboxClient;
use commbox::chatwoot::{self, NewContact, NewInboxMessage};
use commbox::{Attachment, Error};
use serde_json::{Map, Value};
use std::path::PathBuf;

/// Options of every `chatwoot` subcommand.
#[derive(Debug, Args)]
pub struct ChatwootArgs {
    /// The Chatwoot installation, e.g. https://app.chatwoot.com.
    #[arg(long = "url", env = "CHATWOOT_BASE_URL", global = true)]
    pub url: Option<String>,
    /// The API inbox's identifier (it acts as a credential: prefer the variable).
    #[arg(
        long,
        env = "CHATWOOT_INBOX_IDENTIFIER",
        hide_env_values = true,
        global = true
    )]
    pub inbox: Option<String>,
    #[command(subcommand)]
    pub command: ChatwootCommand,
}

#[derive(Debug, Subcommand)]
pub enum ChatwootCommand {
    /// Show the inbox's settings.
    Inbox,
    /// Create a contact (or get the existing one for --source-id).
    ContactCreate(ContactArgs),
    /// Show a contact (with --identifier and its hash on inboxes with identity validation).
    ContactGet(ContactGetArgs),
    /// Update a contact.
    ContactUpdate(ContactUpdateArgs),
    /// Open a conversation for a contact.
    ConversationCreate(ConversationCreateArgs),
    /// List a contact's conversations.
    ConversationList(ContactRef),
    /// Show a conversation with its messages.
    ConversationGet(ConversationRef),
    /// Resolve a conversation.
    Resolve(ConversationRef),
    /// Turn the contact's typing indicator on or off.
    Typing(TypingArgs),
    /// Mark a conversation as seen by the contact.
    LastSeen(ConversationRef),
    /// Post a message from the contact, with optional attachments.
    MessageCreate(MessageCreateArgs),
    /// List up to 20 messages, oldest first.
    MessageList(MessageListArgs),
    /// Answer a bot or CSAT message (submitted_values).
    MessageUpdate(MessageUpdateArgs),
    /// Print the identifier_hash for an identifier (computed locally; nothing is sent).
    Hmac(HmacArgs),
    /// Print the contact's live events (the agents' replies) as JSON lines until
    /// interrupted.
    #[command(after_help = LISTEN_HELP)]
    Listen(ListenArgs),
}

const LISTEN_HELP: &str = "\
Subscribes to the contact's ActionCable room (<url>/cable, RoomChannel with the contact's
pubsub_token, fetched first) and prints each event as one JSON line, the core's form:
  {\"kind\":\"message_created\",\"event\":\"message.created\",\"message\":{…},\"echo_id\":…,
   \"conversation_id\":…,\"raw\":{…}}
A dropped connection is reopened with backoff and resubscribed; a {\"kind\":\"reconnected\"}
line then says that what was sent meanwhile was missed (`message-list` fetches it). Live
events are not stored by Chatwoot for later: for replies that must not be missed, use
`commbox webhooks serve`.

Exit codes: 130 on Ctrl-C; 1 stdout closed; 3 the contact has no pubsub_token; 4 the
token was refused; the others as for every command (e.g. 5 no such contact).";

#[derive(Debug, Args)]
pub struct ContactFields {
    /// Your user id (`identifier`).
    #[arg(long)]
    pub identifier: Option<String>,
    /// `identifier_hash` (or give --hmac-token to compute it).
    #[arg(long)]
    pub identifier_hash: Option<String>,
    /// The inbox's HMAC token: computes identifier_hash from --identifier, which it needs
    /// [env: CHATWOOT_HMAC_TOKEN, used when --identifier is given without its hash].
    #[arg(long)]
    pub hmac_token: Option<String>,
    /// E-mail address.
    #[arg(long)]
    pub email: Option<String>,
    /// Display name.
    #[arg(long)]
    pub name: Option<String>,
    /// Phone number in E.164 with the '+'.
    #[arg(long)]
    pub phone: Option<String>,
    /// Picture URL.
    #[arg(long)]
    pub avatar_url: Option<String>,
    /// A custom attribute, NAME=JSON (repeatable).
    #[arg(long = "attr", value_name = "NAME=JSON")]
    pub attributes: Vec<String>,
}

#[derive(Debug, Args)]
pub struct ContactArgs {
    /// Your id for the contact in this inbox (`source_id`).
    #[arg(long)]
    pub source_id: Option<String>,
    #[command(flatten)]
    pub fields: ContactFields,
}

#[derive(Debug, Args)]
pub struct ContactRef {
    /// The contact's source_id (from contact-create).
    #[arg(long)]
    pub contact: String,
}

#[derive(Debug, Args)]
pub struct ContactGetArgs {
    /// The contact's source_id.
    #[arg(long)]
    pub contact: String,
    /// The contact's identifier, for inboxes with identity validation (with its hash).
    #[arg(long)]
    pub identifier: Option<String>,
    /// Its identifier_hash (or give --hmac-token to compute it).
    #[arg(long)]
    pub identifier_hash: Option<String>,
    /// The inbox's HMAC token: computes identifier_hash from --identifier, which it needs
    /// [env: CHATWOOT_HMAC_TOKEN, used when --identifier is given without its hash].
    #[arg(long)]
    pub hmac_token: Option<String>,
}

#[derive(Debug, Args)]
pub struct ContactUpdateArgs {
    /// The contact's source_id.
    #[arg(long)]
    pub contact: String,
    #[command(flatten)]
    pub fields: ContactFields,
}

#[derive(Debug, Args)]
pub struct ConversationCreateArgs {
    /// The contact's source_id.
    #[arg(long)]
    pub contact: String,
    /// A custom attribute, NAME=JSON (repeatable).
    #[arg(long = "attr", value_name = "NAME=JSON")]
    pub attributes: Vec<String>,
}

#[derive(Debug, Args)]
pub struct ConversationRef {
    /// The contact's source_id.
    #[arg(long)]
    pub contact: String,
    /// The conversation's id (display id).
    #[arg(long)]
    pub conversation: i64,
}

#[derive(Debug, Args)]
pub struct TypingArgs {
    #[command(flatten)]
    pub at: ConversationRef,
    /// on or off.
    #[arg(value_parser = ["on", "off"])]
    pub state: String,
}

#[derive(Debug, Args)]
pub struct MessageCreateArgs {
    #[command(flatten)]
    pub at: ConversationRef,
    /// The text (may be empty with attachments).
    #[arg(long, short)]
    pub message: Option<String>,
    /// Read the text from a file, or - for stdin (for texts too long for an argument).
    #[arg(long, value_name = "PATH", conflicts_with = "message")]
    pub message_file: Option<PathBuf>,
    /// A temporary id echoed on the contact's websocket.
    #[arg(long)]
    pub echo_id: Option<String>,
    /// Attach a file (repeatable, at most 15).
    #[arg(long = "attach", value_name = "PATH")]
    pub attachments: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct MessageListArgs {
    #[command(flatten)]
    pub at: ConversationRef,
    /// Only messages older than this message id.
    #[arg(long)]
    pub before: Option<i64>,
}

#[derive(Debug, Args)]
pub struct MessageUpdateArgs {
    #[command(flatten)]
    pub at: ConversationRef,
    /// The message's id.
    #[arg(long = "message-id")]
    pub message_id: i64,
    /// submitted_values as JSON: inline, @FILE, or - for stdin.
    #[arg(long)]
    pub values: String,
}

#[derive(Debug, Args)]
pub struct ListenArgs {
    /// The contact's source_id.
    #[arg(long)]
    pub contact: String,
    /// Only the agents' public replies (created, outgoing, not from the contact).
    #[arg(long)]
    pub agent_replies_only: bool,
}

#[derive(Debug, Args)]
pub struct HmacArgs {
    /// The contact's identifier.
    #[arg(long)]
    pub identifier: String,
    /// The inbox's HMAC token.
    #[arg(long, env = "CHATWOOT_HMAC_TOKEN", hide_env_values = true)]
    pub hmac_token: String,
}

/// Runs a `chatwoot` subcommand and returns what to print: the JSON form of the core's
/// result (the record, a list of records, the hash as a JSON string, `null` for nothing).
pub fn run(g: &crate::args::Global, a: ChatwootArgs) -> Result<Printed, Error> {
    use ChatwootCommand as C;
    if let C::Hmac(h) = &a.command {
        return Ok(printed!(chatwoot::identifier_hash(
            &h.identifier,
            &h.hmac_token
        )));
    }
    let url = a
        .url
        .ok_or_else(|| Error::validation("--url", "required (or CHATWOOT_BASE_URL)"))?;
    let inbox_id = a
        .inbox
        .ok_or_else(|| Error::validation("--inbox", "required (or CHATWOOT_INBOX_IDENTIFIER)"))?;
    let inbox: InboxClient = builder(g).base_url(url).build_inbox(&inbox_id)?;
    Ok(match a.command {
        C::Inbox => printed!(inbox.inbox()?),
        C::ContactCreate(c) => {
            let mut params = contact_params(c.fields)?;
            if let Some(s) = c.source_id {
                params = params.source_id(s);
            }
            printed!(inbox.create_contact(params)?)
        }
        C::ContactGet(c) => {
            let identifier = c.identifier.as_deref();
            let token = hmac_token(c.hmac_token, identifier, c.identifier_hash.as_deref())?;
            let hash = chatwoot::identifier_hash_to_send(
                identifier,
                c.identifier_hash.as_deref(),
                token.as_deref(),
            )?;
            // Either half given asks for the verified lookup; the core names a missing half.
            printed!(match (identifier, hash) {
                (None, None) => inbox.get_contact(&c.contact)?,
                (id, hash) => inbox.get_verified_contact(
                    &c.contact,
                    id.unwrap_or_default(),
                    hash.as_deref().unwrap_or_default(),
                )?,
            })
        }
        C::ContactUpdate(c) => {
            printed!(inbox.update_contact(&c.contact, contact_params(c.fields)?)?)
        }
        C::ConversationCreate(c) => {
            let attrs = attributes(&c.attributes)?;
            let attrs = (!attrs.is_empty()).then_some(attrs);
            printed!(inbox.create_conversation(&c.contact, attrs)?)
        }
        C::ConversationList(c) => printed!(inbox.list_conversations(&c.contact)?),
        C::ConversationGet(c) => printed!(inbox.get_conversation(&c.contact, c.conversation)?),
        C::Resolve(c) => printed!(inbox.resolve_conversation(&c.contact, c.conversation)?),
        C::Typing(t) => {
            printed!(inbox.set_typing(&t.at.contact, t.at.conversation, t.state == "on")?)
        }
        C::LastSeen(c) => printed!(inbox.update_last_seen(&c.contact, c.conversation)?),
        C::MessageCreate(m) => {
            let mut msg = NewInboxMessage::new(message_text(m.message, m.message_file.as_deref())?);
            if let Some(e) = m.echo_id {
                msg = msg.echo_id(e);
            }
            for p in m.attachments {
                msg = msg.attachment(Attachment::from_path(p));
            }
            printed!(inbox.create_message(&m.at.contact, m.at.conversation, msg)?)
        }
        C::MessageList(m) => {
            printed!(inbox.list_messages(&m.at.contact, m.at.conversation, m.before)?)
        }
        C::MessageUpdate(m) => {
            let values = read_json("--values", &m.values)?;
            printed!(inbox.update_message(
                &m.at.contact,
                m.at.conversation,
                m.message_id,
                values
            )?)
        }
        C::Listen(l) => listen(&inbox, &l)?,
        C::Hmac(_) => unreachable!("answered before the client is built"),
    })
}

/// Prints the contact's live events until the subscription ends (an error) or stdout
/// closes (exit 1 here: the caller prints results, and there is no result to print).
fn listen(inbox: &InboxClient, a: &ListenArgs) -> Result<Printed, Error> {
    use std::io::Write;
    let contact = inbox.get_contact(&a.contact)?;
    let token = contact
        .pubsub_token
        .filter(|t| !t.trim().is_empty())
        .ok_or_else(|| Error::validation("--contact", "the contact has no pubsub_token"))?;
    let live = inbox.live(&token)?;
    for event in live {
        let event = event?;
        if a.agent_replies_only && !event.is_agent_reply() {
            continue;
        }
        let line = serde_json::to_string(&event).expect("the core's events serialise");
        let mut out = std::io::stdout().lock();
        if let Err(e) = writeln!(out, "{line}").and_then(|()| out.flush()) {
            eprintln!("commbox: cannot write to stdout: {e}");
            std::process::exit(1);
        }
    }
    Err(Error::file("--contact", "the live subscription ended"))
}

/// The contact request from the flags; the core checks it (an `--hmac-token` without
/// `--identifier` is refused there, by name).
fn contact_params(f: ContactFields) -> Result<NewContact, Error> {
    let mut p = NewContact::new();
    if let Some(v) = hmac_token(
        f.hmac_token,
        f.identifier.as_deref(),
        f.identifier_hash.as_deref(),
    )? {
        p = p.hmac_token(v);
    }
    if let Some(v) = f.identifier {
        p = p.identifier(v);
    }
    if let Some(v) = f.identifier_hash {
        p = p.identifier_hash(v);
    }
    if let Some(v) = f.email {
        p = p.email(v);
    }
    if let Some(v) = f.name {
        p = p.name(v);
    }
    if let Some(v) = f.phone {
        p = p.phone_number(v);
    }
    if let Some(v) = f.avatar_url {
        p = p.avatar_url(v);
    }
    for (k, v) in attributes(&f.attributes)? {
        p = p.custom_attribute(k, v);
    }
    Ok(p)
}

/// The HMAC token of a contact request: `--hmac-token`, else `CHATWOOT_HMAC_TOKEN` when
/// there is an identifier to hash and no hash (the variable is a standing setting of the
/// inbox, not a request to hash; the flag is, and the core refuses it without an identifier).
fn hmac_token(
    flag: Option<String>,
    identifier: Option<&str>,
    identifier_hash: Option<&str>,
) -> Result<Option<String>, Error> {
    const VAR: &str = "CHATWOOT_HMAC_TOKEN";
    if flag.is_some() || identifier.is_none() || identifier_hash.is_some() {
        return Ok(flag);
    }
    match std::env::var(VAR) {
        Ok(v) if !v.is_empty() => Ok(Some(v)),
        Ok(_) | Err(std::env::VarError::NotPresent) => Ok(None),
        Err(std::env::VarError::NotUnicode(_)) => Err(Error::validation(VAR, "is not valid UTF-8")),
    }
}

fn attributes(list: &[String]) -> Result<Map<String, Value>, Error> {
    list.iter().map(|s| parse_field("--attr", s)).collect()
}
