//! Which argument of the command line an error is about, so that it names what the user
//! typed as well as the core's field: `--phone (UserStreamProviderId): phone numbers are
//! digits …`, `--api-key (api_key): required (pass it or set COMMBOX_API_KEY)`.
//!
//! The commands convert their flags into the core's requests (mostly their JSON forms); the
//! core's errors name the JSON key a value went into (`identity`, `to[1]`, `user.email`) or
//! the API field it became when checked (`UserStreamProviderId`, `Content.to[1]`,
//! `User.Email`). [`TABLE`] is that conversion read backwards, for every command in one
//! place: each flag with the commands it belongs to and the names the core gives its value.
//! Where two flags of a command feed the same value (`--message` or `--message-file`,
//! `--customer` or `--identity`), the one given wins; a value clap took from its variable
//! (`CHATWOOT_INBOX_IDENTIFIER`) is named by the variable, and a client setting the core read
//! from its `COMMBOX_*` variable is already named with it by the core.

use clap::parser::ValueSource;
use clap::ArgMatches;
use commbox::{ClientOptions, Error};

/// One flag (or positional, `<PATH>`) and the names the core gives its value in errors: the
/// JSON key (a path inside a value continues it: `to[1]`, `user.email`), then the API
/// field, then any other.
pub struct Row {
    /// The commands it belongs to, as typed (`sms`, `chatwoot contact-create`); `chatwoot`
    /// covers every `chatwoot` subcommand, [`ALL`] every command.
    pub commands: &'static [&'static str],
    pub flag: &'static str,
    pub names: &'static [&'static str],
}

const fn row(
    commands: &'static [&'static str],
    flag: &'static str,
    names: &'static [&'static str],
) -> Row {
    Row {
        commands,
        flag,
        names,
    }
}

/// Every command (the client settings).
pub const ALL: &[&str] = &[""];
const CONVERSATIONS: &[&str] = &["email", "sms", "bulk-sms", "whatsapp", "chat"];
/// The commands with `--stream`.
const STREAM: &[&str] = &[
    "email", "sms", "bulk-sms", "whatsapp", "chat", "message", "get",
];
/// The `chatwoot` commands about one contact, but for those in one conversation.
const OF_CONTACT: &[&str] = &[
    "chatwoot contact-get",
    "chatwoot contact-update",
    "chatwoot conversation-create",
    "chatwoot conversation-list",
];
/// The `chatwoot` commands about one conversation.
const IN_CONVERSATION: &[&str] = &[
    "chatwoot conversation-get",
    "chatwoot resolve",
    "chatwoot typing",
    "chatwoot last-seen",
    "chatwoot message-create",
    "chatwoot message-list",
    "chatwoot message-update",
];
const CONTACTS: &[&str] = &["chatwoot contact-create", "chatwoot contact-update"];
const CONTACT_IDENTITY: &[&str] = &[
    "chatwoot contact-create",
    "chatwoot contact-update",
    "chatwoot contact-get",
];

/// The flags and the names the core gives their values. Rows of a command come before the
/// client settings ([`ALL`]), so `chatwoot --url` is what a `base_url` error names there.
#[rustfmt::skip]
pub const TABLE: &[Row] = &[
    // The values of conversations (their JSON form, then the object CommBox receives).
    row(&["sms", "bulk-sms", "whatsapp"], "--phone", &["identity", "UserStreamProviderId"]),
    row(&["email", "chat"], "--identity", &["identity", "UserStreamProviderId"]),
    row(&["email"], "--subject", &["subject", "Content.subject"]),
    row(&["email", "whatsapp"], "--to", &["to", "Content.to"]),
    row(&["bulk-sms"], "--to", &["recipients", "Content.to"]),
    row(&["email"], "--cc", &["cc", "Content.cc"]),
    row(&["email"], "--bcc", &["bcc", "Content.bcc"]),
    row(&["bulk-sms"], "--no-send-to-client", &["send_to_client", "sendToClient"]),
    row(&["whatsapp"], "--template", &["template", "Content.whatsapp_hsm_name"]),
    row(&["whatsapp"], "--param", &["params", "Content.whatsapp_localizable_params"]),
    row(&["whatsapp"], "--language", &["language", "Content.whatsapp_language_code"]),
    row(&["chat"], "--no-child", &["create_child_object", "createChildObject"]),
    row(CONVERSATIONS, "--message", &["message", "Message"]),
    row(CONVERSATIONS, "--message-file", &["message", "Message"]),
    row(CONVERSATIONS, "--status", &["status", "StatusId"]),
    row(CONVERSATIONS, "--manager-id", &["manager_id", "ManagerId"]),
    row(CONVERSATIONS, "--user-identity", &["user_identity", "UserIdentity"]),
    row(CONVERSATIONS, "--sub-stream-id", &["sub_stream_id", "SubStreamId"]),
    row(CONVERSATIONS, "--stream-provider-id", &["stream_provider_id", "StreamProviderId"]),
    row(CONVERSATIONS, "--user-unique-id", &["user.unique_id", "User.UniqueId"]),
    row(CONVERSATIONS, "--user-first-name", &["user.first_name", "User.FirstName"]),
    row(CONVERSATIONS, "--user-last-name", &["user.last_name", "User.LastName"]),
    row(CONVERSATIONS, "--user-phone", &["user.phone1", "User.Phone1"]),
    row(CONVERSATIONS, "--user-email", &["user.email", "User.Email"]),
    row(CONVERSATIONS, "--user-remarks", &["user.remarks", "User.Remarks"]),
    row(CONVERSATIONS, "--attach", &["attachments", "attachment"]),
    row(CONVERSATIONS, "--field", &["fields"]),
    // Messages of a conversation (NewMessage's JSON form, then the child CommBox receives).
    row(&["message"], "--customer", &["identity", "UserStreamProviderId"]),
    row(&["message"], "--identity", &["identity", "UserStreamProviderId"]),
    row(&["message"], "--agent", &["agent_id", "UserIdentity"]),
    row(&["message"], "--identity-type", &["identity_type", "UserStreamProviderType"]),
    row(&["message"], "--message", &["message", "Message"]),
    row(&["message"], "--message-file", &["message", "Message"]),
    row(&["message"], "--attach", &["attachments", "attachment"]),
    // The ids in request paths.
    row(STREAM, "--stream", &["stream_id"]),
    row(&["message", "get", "status"], "--object", &["object_id"]),
    row(&["status"], "--status", &["status"]),
    row(&["raw"], "<METHOD>", &["method"]),
    row(&["raw"], "<PATH>", &["path"]),
    // Chatwoot.
    row(&["chatwoot"], "--url", &["base_url"]),
    row(&["chatwoot"], "--inbox", &["inbox_identifier"]),
    row(OF_CONTACT, "--contact", &["contact_identifier"]),
    row(IN_CONVERSATION, "--contact", &["contact_identifier"]),
    row(IN_CONVERSATION, "--conversation", &["conversation_id"]),
    row(&["chatwoot message-update"], "--message-id", &["message_id"]),
    row(&["chatwoot message-update"], "--values", &["submitted_values"]),
    row(&["chatwoot message-list"], "--before", &["before"]),
    row(&["chatwoot contact-create"], "--source-id", &["source_id"]),
    row(CONTACT_IDENTITY, "--identifier", &["identifier"]),
    row(CONTACT_IDENTITY, "--identifier-hash", &["identifier_hash"]),
    row(CONTACT_IDENTITY, "--hmac-token", &["hmac_token"]),
    row(CONTACTS, "--email", &["email"]),
    row(CONTACTS, "--name", &["name"]),
    row(CONTACTS, "--phone", &["phone_number"]),
    row(CONTACTS, "--avatar-url", &["avatar_url"]),
    row(CONTACTS, "--attr", &["custom_attributes"]),
    row(&["chatwoot conversation-create"], "--attr", &["custom_attributes"]),
    row(&["chatwoot message-create"], "--message", &["content"]),
    row(&["chatwoot message-create"], "--message-file", &["content"]),
    row(&["chatwoot message-create"], "--echo-id", &["echo_id"]),
    row(&["chatwoot message-create"], "--attach", &["attachments", "attachment"]),
    row(&["chatwoot hmac"], "--identifier", &["identifier"]),
    row(&["chatwoot hmac"], "--hmac-token", &["hmac_token"]),
    // The client settings (ClientOptions' members).
    row(ALL, "--api-key", &["api_key"]),
    row(ALL, "--base-url", &["base_url"]),
    row(ALL, "--timeout", &["timeout"]),
    row(ALL, "--connect-timeout", &["connect_timeout"]),
    row(ALL, "--max-retries", &["max_retries"]),
    row(ALL, "--ca-file", &["ca_file"]),
    row(ALL, "--proxy", &["proxy"]),
    row(ALL, "--allow-insecure-http", &["allow_insecure_http"]),
];

impl Row {
    fn applies_to(&self, command: &str) -> bool {
        self.commands.iter().any(|c| {
            c.is_empty()
                || command == *c
                || command.strip_prefix(c).is_some_and(|r| r.starts_with(' '))
        })
    }

    /// How long a prefix of `field` one of its names is (0: none). A name continues into
    /// a path (`to` in `to[1]`, `user` in `user.email`) or a description (`attachment` in
    /// `attachment "a.pdf"`).
    fn matches(&self, field: &str) -> usize {
        self.names
            .iter()
            .filter(|n| {
                field
                    .strip_prefix(**n)
                    .is_some_and(|rest| rest.is_empty() || rest.starts_with(['[', '.', ' ']))
            })
            .map(|n| n.len())
            .max()
            .unwrap_or(0)
    }
}

/// An error as the command line shows it: the argument it is about (if any) and the message
/// naming it. The core's `field` and `reason` are kept as they are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Named {
    pub argument: Option<String>,
    pub message: String,
}

/// What was typed: the command (`chatwoot contact-create`), the clap definition of its
/// leaf and the matches, to tell which flag was given and from where.
pub struct Given<'a> {
    command: String,
    definition: clap::Command,
    matches: &'a ArgMatches,
}

impl<'a> Given<'a> {
    /// The leaf command of what clap parsed with `definition`.
    pub fn new(mut definition: clap::Command, matches: &'a ArgMatches) -> Given<'a> {
        // Built, the subcommands hold the global options they inherit.
        definition.build();
        let mut matches = matches;
        let mut path = Vec::new();
        while let Some((name, sub)) = matches.subcommand() {
            let Some(def) = definition.find_subcommand(name).cloned() else {
                break;
            };
            path.push(name.to_owned());
            definition = def;
            matches = sub;
        }
        Given {
            command: path.join(" "),
            definition,
            matches,
        }
    }

    /// Where clap took `flag`'s value from: `None` when it was not given.
    fn source(&self, flag: &str) -> Option<(ValueSource, Option<String>)> {
        let arg = self
            .definition
            .get_arguments()
            .find(|a| match flag.strip_prefix("--") {
                Some(long) => a.get_long() == Some(long),
                None => {
                    a.is_positional() && format!("<{}>", a.get_id().as_str().to_uppercase()) == flag
                }
            })?;
        let id = arg.get_id().as_str();
        let source = self.matches.value_source(id)?;
        // A flag of clap's (`--allow-insecure-http`) is there even when not given.
        if source == ValueSource::DefaultValue {
            return None;
        }
        let var = arg.get_env().map(|v| v.to_string_lossy().into_owned());
        Some((source, var))
    }
}

/// The argument `err` is about and the message naming it, for what was typed (`None`: the
/// command line could not be parsed).
pub fn name(given: Option<&Given<'_>>, err: &Error) -> Named {
    let message = err.message().to_owned();
    let Some(field) = err.field() else {
        return Named {
            argument: None,
            message,
        };
    };
    let command = given.map_or("", |g| g.command.as_str());
    let reason = err.reason().map(|r| with_flags(r, command));
    let argument = argument(given, field);
    let message = match (
        &argument,
        reason,
        message.strip_prefix(&format!("{field}: ")),
    ) {
        // The field already names it (`--message-file`, `api_key (COMMBOX_API_KEY)`).
        (Some(a), Some(reason), Some(_)) if names(field, a) => format!("{field}: {reason}"),
        (Some(a), Some(reason), Some(_)) => format!("{a} ({field}): {reason}"),
        (None, Some(reason), Some(_)) => format!("{field}: {reason}"),
        _ => message,
    };
    Named { argument, message }
}

/// The argument the core's `field` names, for what was typed.
fn argument(given: Option<&Given<'_>>, field: &str) -> Option<String> {
    // Errors of the command line itself name the flag or the variable already.
    if field.starts_with("--") || is_variable(field) {
        return Some(field.to_owned());
    }
    // A client setting the core read from its variable: `api_key (COMMBOX_API_KEY)`.
    for row in TABLE.iter().filter(|r| r.commands == ALL) {
        for name in row.names {
            if let Some(var) = ClientOptions::variable(name) {
                if field == format!("{name} ({var})") {
                    return Some(var.to_owned());
                }
            }
        }
    }
    let command = given.map_or("", |g| g.command.as_str());
    let rows: Vec<&Row> = TABLE
        .iter()
        .filter(|r| r.applies_to(command) && r.matches(field) > 0)
        .collect();
    let longest = rows.iter().map(|r| r.matches(field)).max()?;
    let rows: Vec<&Row> = rows
        .into_iter()
        .filter(|r| r.matches(field) == longest)
        .collect();
    // The flag given wins over another that feeds the same value; a value clap took from
    // its variable is named by the variable.
    let given_row = given.and_then(|g| {
        rows.iter()
            .find_map(|r| g.source(r.flag).map(|(source, var)| (r, source, var)))
    });
    match given_row {
        Some((_, ValueSource::EnvVariable, Some(var))) => Some(var),
        Some((r, _, _)) => Some(r.flag.to_owned()),
        None => rows.first().map(|r| r.flag.to_owned()),
    }
}

/// Whether `field` is `argument` or ends with it in parentheses (`timeout (COMMBOX_TIMEOUT)`).
fn names(field: &str, argument: &str) -> bool {
    field == argument || field.ends_with(&format!(" ({argument})"))
}

/// `COMMBOX_API_KEY`, `CHATWOOT_HMAC_TOKEN`: upper case, digits and `_`, with a `_`.
fn is_variable(s: &str) -> bool {
    s.contains('_')
        && s.chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

/// A reason with the core's names of other settings in it (`allow_insecure_http`,
/// `identifier_hash`) given as this command's flags. Only names with a `_` are replaced:
/// they cannot be ordinary words.
fn with_flags(reason: &str, command: &str) -> String {
    let mut out = reason.to_owned();
    let mut done: Vec<&str> = Vec::new();
    for row in TABLE.iter().filter(|r| r.applies_to(command)) {
        let Some(name) = row
            .names
            .first()
            .filter(|n| n.contains('_') && !n.contains('.'))
        else {
            continue;
        };
        // A command's own row comes first: it wins over a setting of the same name.
        if !done.contains(name) {
            done.push(name);
            out = replace_word(&out, name, row.flag);
        }
    }
    out
}

/// `text` with each whole-word `word` (not inside a longer name) replaced by `with`.
fn replace_word(text: &str, word: &str, with: &str) -> String {
    let part_of_name = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-';
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(word) {
        let before = rest[..at].chars().next_back();
        let after = rest[at + word.len()..].chars().next();
        out.push_str(&rest[..at]);
        if before.is_some_and(part_of_name) || after.is_some_and(part_of_name) {
            out.push_str(word);
        } else {
            out.push_str(with);
        }
        rest = &rest[at + word.len()..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// How the error is named after `commbox <line>` (split on spaces).
    fn named(line: &str, err: Error) -> Named {
        let definition = crate::args::command();
        let matches = definition
            .clone()
            .try_get_matches_from(std::iter::once("commbox").chain(line.split(' ')))
            .unwrap();
        name(Some(&Given::new(definition, &matches)), &err)
    }

    #[test]
    fn every_flag_of_the_table_is_a_flag_of_its_commands() {
        let root = crate::args::command();
        let mut leaves = Vec::new();
        fn walk(c: &clap::Command, path: String, out: &mut Vec<(String, clap::Command)>) {
            if c.get_subcommands().next().is_none() {
                out.push((path.clone(), c.clone()));
            }
            for s in c.get_subcommands() {
                let p = if path.is_empty() {
                    s.get_name().to_owned()
                } else {
                    format!("{path} {}", s.get_name())
                };
                walk(s, p, out);
            }
        }
        let mut root = root;
        root.build();
        walk(&root, String::new(), &mut leaves);
        for r in TABLE {
            let mut used = false;
            for (path, def) in &leaves {
                let help = path.split(' ').any(|p| p == "help");
                let serves = ["mock", "completions", "man"].contains(&path.as_str());
                if help || !r.applies_to(path) || (r.commands == ALL && serves) {
                    continue;
                }
                used = true;
                let found = def
                    .get_arguments()
                    .any(|a| match r.flag.strip_prefix("--") {
                        Some(long) => a.get_long() == Some(long),
                        None => {
                            a.is_positional()
                                && format!("<{}>", a.get_id().as_str().to_uppercase()) == r.flag
                        }
                    });
                assert!(found, "{} is not an argument of `commbox {path}`", r.flag);
            }
            assert!(used, "{} applies to no command: {:?}", r.flag, r.commands);
        }
    }

    #[test]
    fn errors_name_the_flag_and_the_field() {
        let sms = "sms --stream s --phone x -m m";
        let e = Error::validation("UserStreamProviderId", "not a phone number");
        let want = Named {
            argument: Some("--phone".into()),
            message: "--phone (UserStreamProviderId): not a phone number".into(),
        };
        assert_eq!(named(sms, e), want);
        let argument =
            |line: &str, field: &str| named(line, Error::validation(field, "bad")).argument;
        let chat = "chat --stream s --identity x -m m";
        assert_eq!(
            argument(chat, "UserStreamProviderId").as_deref(),
            Some("--identity")
        );
        let email = "email --stream s --identity a@b.co --subject s -m m";
        for (field, flag) in [
            ("Content.to[1]", "--to"),
            ("to[0]", "--to"),
            ("Content.cc[0].name", "--cc"),
            ("User.Email", "--user-email"),
            ("user.email", "--user-email"),
            ("Message", "--message"),
            ("status", "--status"),
            ("stream_id", "--stream"),
            ("attachment \"a.pdf\"", "--attach"),
            ("api_key", "--api-key"),
            ("base_url", "--base-url"),
            ("api_key (COMMBOX_API_KEY)", "COMMBOX_API_KEY"),
            ("--message-file", "--message-file"),
        ] {
            assert_eq!(argument(email, field).as_deref(), Some(flag), "{field}");
        }
        let bulk = "bulk-sms --stream s --phone 1 --to x -m m";
        let n = named(bulk, Error::validation("Content.to[0]", "bad"));
        assert_eq!(n.message, "--to (Content.to[0]): bad");
        // The flag given wins over another one for the same value.
        let file = "sms --stream s --phone 1 --message-file m.txt";
        assert_eq!(argument(file, "Message").as_deref(), Some("--message-file"));
        let message = "message --stream s --object 1";
        let agent = format!("{message} --agent 3 --identity x");
        assert_eq!(
            argument(&agent, "UserStreamProviderId").as_deref(),
            Some("--identity")
        );
        let customer = format!("{message} --customer x");
        assert_eq!(
            argument(&customer, "UserStreamProviderId").as_deref(),
            Some("--customer")
        );
        // Unknown fields keep the core's message.
        let want = Named {
            argument: None,
            message: "Priority: bad".into(),
        };
        assert_eq!(named(sms, Error::validation("Priority", "bad")), want);
    }

    #[test]
    fn settings_in_reasons_are_named_by_their_flags() {
        let e = Error::validation(
            "base_url",
            "http:// is refused; use https://, or allow it with allow_insecure_http \
             (COMMBOX_ALLOW_INSECURE_HTTP)",
        );
        let n = named("--base-url http://x.io managers", e);
        assert_eq!(
            n.message,
            "--base-url (base_url): http:// is refused; use https://, or allow it with \
             --allow-insecure-http (COMMBOX_ALLOW_INSECURE_HTTP)"
        );
        // In `chatwoot`, the base URL is --url.
        let e = Error::validation("base_url", "bad");
        let n = named("chatwoot --url http://x.io --inbox i inbox", e);
        assert_eq!(n.argument.as_deref(), Some("--url"));
        let e = Error::validation("hmac_token", "give identifier_hash or hmac_token, not both");
        let n = named("chatwoot --url u --inbox i contact-get --contact c", e);
        assert_eq!(
            n.message,
            "--hmac-token (hmac_token): give --identifier-hash or --hmac-token, not both"
        );
        let replaced = replace_word("x_y, ax_y x_y", "x_y", "--x-y");
        assert_eq!(replaced, "--x-y, ax_y --x-y");
    }
}
