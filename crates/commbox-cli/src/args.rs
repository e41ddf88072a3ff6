//! Command-line syntax (clap).

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

pub const EXIT_CODES_HELP: &str = "\
Exit codes:
   0  success
   1  unexpected failure (e.g. stdout closed)
   2  usage error (bad flags)
   3  validation: a field is missing or malformed; nothing was sent
   4  authentication: HTTP 401/403, check the API key
   5  not found: HTTP 404
   6  rate limited: HTTP 429 (see retry-after on stderr)
   7  bad request: HTTP 400/422 and other 4xx
   8  server error: HTTP 5xx
   9  timeout
  10  connection failed
  11  TLS failed
  12  unexpected answer (decode)
  13  local file error (I/O)
  14  batch: some lines failed (each has its result line)
  15  batch: some lines' outcome is unknown (they may have been processed)
 130  batch: interrupted by Ctrl-C (the lines in flight were finished)
`commbox webhooks serve` runs until stopped: 0 on Ctrl-C or SIGTERM, 1 stdout closed,
10 cannot listen, 13 the spool cannot be written (see `commbox webhooks serve --help`).

Environment: COMMBOX_API_KEY, COMMBOX_BASE_URL, COMMBOX_TIMEOUT, COMMBOX_CONNECT_TIMEOUT,
COMMBOX_MAX_RETRIES, COMMBOX_CA_FILE, COMMBOX_PROXY, COMMBOX_ALLOW_INSECURE_HTTP;
for `commbox chatwoot`: CHATWOOT_BASE_URL, CHATWOOT_INBOX_IDENTIFIER, CHATWOOT_HMAC_TOKEN.";

/// Open CommBox conversations and post messages from shells and cron jobs.
///
/// Results are printed as JSON on stdout; errors go to stderr with an exit code per kind.
#[derive(Debug, Parser)]
#[command(name = "commbox", version, after_help = EXIT_CODES_HELP)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

/// The heading of the options every command takes, apart from each command's own.
const GLOBAL: &str = "Global options";

/// The flags of a CommBox API client: commands that make no CommBox request hide them.
const COMMBOX_ONLY: &[&str] = &["api_key", "base_url"];
/// The flags of any HTTP client (CommBox's and Chatwoot's).
const CLIENT: &[&str] = &[
    "api_key",
    "base_url",
    "timeout",
    "connect_timeout",
    "max_retries",
    "ca_file",
    "proxy",
    "allow_insecure_http",
];

/// The command line, with each subcommand's `--help`, usage, man page and completions showing
/// only the global options that apply to it. Clap copies a global option into every
/// subcommand; those where it has no effect still accept it (a script may pass it
/// everywhere) but do not list it.
pub fn command() -> clap::Command {
    let cmd = <Cli as clap::CommandFactory>::command();
    // `mock` serves, it sends no request: of the client's flags only the key applies
    // (the key it accepts, when --mock-api-key is not given).
    let mock_hidden: Vec<&str> = CLIENT
        .iter()
        .copied()
        .filter(|id| *id != "api_key")
        .collect();
    let cmd = hide_in(cmd, "mock", &mock_hidden);
    let cmd = hide_in(cmd, "chatwoot", COMMBOX_ONLY);
    // `webhooks serve` receives; it sends no request.
    let cmd = hide_in(cmd, "webhooks", CLIENT);
    hide_in(cmd, "completions", CLIENT)
}

/// Gives subcommand `name` hidden copies of the global options `ids`: clap propagates a
/// global option only into subcommands that lack one of that id, so the copy is what
/// `name` and its own subcommands get (and still accept).
fn hide_in(cmd: clap::Command, name: &str, ids: &[&str]) -> clap::Command {
    let copies: Vec<clap::Arg> = cmd
        .get_arguments()
        .filter(|a| ids.contains(&a.get_id().as_str()))
        .map(|a| a.clone().hide(true))
        .collect();
    cmd.mut_subcommand(name, |sc| sc.args(copies))
}

#[derive(Debug, Args)]
pub struct Global {
    // The settings are the core's ClientOptions: a flag left out comes from its COMMBOX_*
    // variable, read by the core (not by clap), then from the core's default.
    /// API key (prefer the environment variable: flags show up in `ps`) [env:
    /// COMMBOX_API_KEY].
    #[arg(long, global = true, help_heading = GLOBAL)]
    pub api_key: Option<String>,
    /// API base URL [env: COMMBOX_BASE_URL] [default: https://api.commbox.io].
    #[arg(long, global = true, help_heading = GLOBAL)]
    pub base_url: Option<String>,
    /// Total timeout per attempt, in seconds [env: COMMBOX_TIMEOUT] [default: 60].
    #[arg(long, global = true, help_heading = GLOBAL, value_name = "SECONDS")]
    pub timeout: Option<f64>,
    /// Connect timeout, in seconds [env: COMMBOX_CONNECT_TIMEOUT] [default: 10].
    #[arg(long, global = true, help_heading = GLOBAL, value_name = "SECONDS")]
    pub connect_timeout: Option<f64>,
    /// Retries after a failed attempt [env: COMMBOX_MAX_RETRIES] [default: 2].
    #[arg(long, global = true, help_heading = GLOBAL)]
    pub max_retries: Option<u32>,
    /// Extra CA certificates to trust (PEM file) [env: COMMBOX_CA_FILE].
    #[arg(long, global = true, help_heading = GLOBAL)]
    pub ca_file: Option<PathBuf>,
    /// Proxy URL for every request [env: COMMBOX_PROXY].
    #[arg(long, global = true, help_heading = GLOBAL)]
    pub proxy: Option<String>,
    /// Allow http:// to non-loopback hosts (the key travels in clear) [env:
    /// COMMBOX_ALLOW_INSECURE_HTTP].
    #[arg(long, global = true, help_heading = GLOBAL)]
    pub allow_insecure_http: bool,
    /// Error output format on stderr.
    #[arg(long, global = true, help_heading = GLOBAL, value_enum, default_value_t = ErrorFormat::Text)]
    pub error_format: ErrorFormat,
    /// Log requests to stderr (-v info, -vv debug, -vvv trace). The key is never logged.
    #[arg(short, long, global = true, help_heading = GLOBAL, action = clap::ArgAction::Count)]
    pub verbose: u8,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ErrorFormat {
    /// A readable message and the error's fields.
    Text,
    /// One JSON object `{"error": {...}}`.
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Open an e-mail conversation.
    Email(EmailArgs),
    /// Open an SMS conversation with one customer.
    Sms(SmsArgs),
    /// Send one SMS to several recipients.
    BulkSms(BulkSmsArgs),
    /// Open a WhatsApp conversation with a template message.
    Whatsapp(WhatsAppArgs),
    /// Open a chat conversation.
    Chat(ChatArgs),
    /// Post a message in a conversation, as the customer or as an agent.
    Message(MessageArgs),
    /// Show a conversation with its messages.
    Get(GetArgs),
    /// Change a conversation's status.
    Status(StatusArgs),
    /// List agents and admins (an agent's `id` is the --agent of `message`).
    Managers,
    /// Check that CommBox is up and the key works.
    SystemStatus,
    /// Send any request to the API and print the decoded envelope.
    Raw(RawArgs),
    /// The Chatwoot / Omnivibe public client API: contacts, conversations, messages.
    Chatwoot(crate::chatwoot::ChatwootArgs),
    /// Receive CommBox and Chatwoot webhooks (`webhooks serve`): spooled durably, then
    /// printed as JSON lines or handed to a command, at least once.
    Webhooks(crate::webhooks::WebhooksArgs),
    /// Send many requests, one per JSON line, concurrently (resumable with --journal).
    Batch(crate::batch::BatchArgs),
    /// Run the mock server of the API (for tests and demos) until interrupted; only in builds
    /// with the `mock` feature (else use `commbox-mock`).
    Mock(MockArgs),
    /// Print a shell completion script (bash, zsh or fish) on stdout.
    ///
    /// e.g. `commbox completions bash > ~/.local/share/bash-completion/completions/commbox`.
    Completions(CompletionsArgs),
    /// Write a man page per command (commbox.1, commbox-sms.1, …) into a directory
    /// (used by `make man`, `make install` and the packages).
    #[command(hide = true)]
    Man(ManArgs),
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell the script is for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct ManArgs {
    /// The directory to write the pages into (created if missing).
    #[arg(long, value_name = "DIR")]
    pub dir: PathBuf,
}

/// Options every conversation accepts.
#[derive(Debug, Args)]
pub struct CommonArgs {
    /// The stream (channel) id, plain or already URL-encoded.
    #[arg(long)]
    pub stream: String,
    /// The text of the first message (`Message`).
    #[arg(long, short, required_unless_present = "message_file")]
    pub message: Option<String>,
    /// Read the text from a file, or - for stdin (for texts too long for an argument).
    #[arg(long, value_name = "PATH", conflicts_with = "message")]
    pub message_file: Option<PathBuf>,
    /// Initial status: a name (open, sent, …) or a number.
    #[arg(long)]
    pub status: Option<String>,
    /// The agent it is sent from (`ManagerId`).
    #[arg(long)]
    pub manager_id: Option<i64>,
    /// CommBox's number for the user (`UserIdentity`).
    #[arg(long)]
    pub user_identity: Option<i64>,
    /// Sub-channel (`SubStreamId`).
    #[arg(long)]
    pub sub_stream_id: Option<i64>,
    /// Provider's id of the original conversation (`StreamProviderId`).
    #[arg(long)]
    pub stream_provider_id: Option<String>,
    /// Customer's own id (`User.UniqueId`).
    #[arg(long)]
    pub user_unique_id: Option<String>,
    /// `User.FirstName`.
    #[arg(long)]
    pub user_first_name: Option<String>,
    /// `User.LastName`.
    #[arg(long)]
    pub user_last_name: Option<String>,
    /// `User.Phone1` (sent as given).
    #[arg(long)]
    pub user_phone: Option<String>,
    /// `User.Email`.
    #[arg(long)]
    pub user_email: Option<String>,
    /// `User.Remarks`.
    #[arg(long)]
    pub user_remarks: Option<String>,
    /// Attach a file (repeatable); sent as multipart, streamed from disk.
    #[arg(long = "attach", value_name = "PATH")]
    pub attachments: Vec<PathBuf>,
    /// Any other top-level field, as NAME=JSON (repeatable), e.g. --field Priority=3.
    #[arg(long = "field", value_name = "NAME=JSON")]
    pub fields: Vec<String>,
}

#[derive(Debug, Args)]
pub struct EmailArgs {
    /// Address the conversation is filed under (`UserStreamProviderId`).
    #[arg(long)]
    pub identity: String,
    /// Subject line.
    #[arg(long)]
    pub subject: String,
    /// Recipient, `addr` or `Name <addr>` (repeatable; default: the identity).
    #[arg(long)]
    pub to: Vec<String>,
    /// Cc recipient (repeatable).
    #[arg(long)]
    pub cc: Vec<String>,
    /// Bcc recipient (repeatable).
    #[arg(long)]
    pub bcc: Vec<String>,
    #[command(flatten)]
    pub common: CommonArgs,
}

#[derive(Debug, Args)]
pub struct SmsArgs {
    /// Customer's phone number with country code.
    #[arg(long)]
    pub phone: String,
    #[command(flatten)]
    pub common: CommonArgs,
}

#[derive(Debug, Args)]
pub struct BulkSmsArgs {
    /// Phone number the conversation is filed under.
    #[arg(long)]
    pub phone: String,
    /// Recipient number (repeatable, at least one).
    #[arg(long, required = true)]
    pub to: Vec<String>,
    /// Save the messages in CommBox (sendToClient=false).
    #[arg(long)]
    pub no_send_to_client: bool,
    #[command(flatten)]
    pub common: CommonArgs,
}

#[derive(Debug, Args)]
pub struct WhatsAppArgs {
    /// Customer's WhatsApp number with country code.
    #[arg(long)]
    pub phone: String,
    /// Approved template name (`whatsapp_hsm_name`).
    #[arg(long)]
    pub template: String,
    /// Template parameter, in order (repeatable).
    #[arg(long)]
    pub param: Vec<String>,
    /// Template language code (e.g. en, he, pt_BR).
    #[arg(long)]
    pub language: Option<String>,
    /// Recipient number (repeatable; default: --phone).
    #[arg(long)]
    pub to: Vec<String>,
    #[command(flatten)]
    pub common: CommonArgs,
}

#[derive(Debug, Args)]
pub struct ChatArgs {
    /// Customer's phone number or e-mail address.
    #[arg(long)]
    pub identity: String,
    /// Do not store the message as the first child (createChildObject=false).
    #[arg(long)]
    pub no_child: bool,
    #[command(flatten)]
    pub common: CommonArgs,
}

#[derive(Debug, Args)]
pub struct MessageArgs {
    /// The stream (channel) id.
    #[arg(long)]
    pub stream: String,
    /// The conversation (object) id.
    #[arg(long)]
    pub object: String,
    /// The text (may be empty when a file is attached).
    #[arg(long, short)]
    pub message: Option<String>,
    /// Read the text from a file, or - for stdin.
    #[arg(long, value_name = "PATH", conflicts_with = "message")]
    pub message_file: Option<PathBuf>,
    /// Write as the customer with this e-mail address or phone number.
    #[arg(long, conflicts_with_all = ["agent", "identity"], required_unless_present = "agent")]
    pub customer: Option<String>,
    /// Write as the agent with this user id (`id` from `commbox managers`).
    #[arg(long, requires = "identity")]
    pub agent: Option<i64>,
    /// The agent's e-mail address or phone number (with --agent).
    #[arg(long)]
    pub identity: Option<String>,
    /// `UserStreamProviderType` instead of inferring it (4 e-mail, 5 phone, 7 WhatsApp).
    #[arg(long)]
    pub identity_type: Option<i64>,
    /// Attach a file (repeatable).
    #[arg(long = "attach", value_name = "PATH")]
    pub attachments: Vec<PathBuf>,
    /// Send attachments in the base64 form `filename:{name};base64:{data}`.
    #[arg(long)]
    pub base64: bool,
}

#[derive(Debug, Args)]
pub struct GetArgs {
    /// The stream (channel) id.
    #[arg(long)]
    pub stream: String,
    /// The conversation (object) id.
    #[arg(long)]
    pub object: String,
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    /// The conversation (object) id.
    #[arg(long)]
    pub object: String,
    /// The new status: a name (open, resolved, pending, …) or a number.
    #[arg(long)]
    pub status: String,
}

#[derive(Debug, Args)]
pub struct RawArgs {
    /// HTTP method: GET, POST, PUT, PATCH or DELETE.
    pub method: String,
    /// Path below the base URL, e.g. /users/123 (already URL-encoded).
    pub path: String,
    /// JSON body: inline, @FILE, or - for stdin.
    #[arg(long)]
    pub data: Option<String>,
}

#[derive(Debug, Args)]
pub struct MockArgs {
    /// Port to listen on (0 picks a free one); the URL is printed on stdout.
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// The API key the mock accepts [default: --api-key / COMMBOX_API_KEY if set, else
    /// mock-api-key].
    #[arg(
        long = "mock-api-key",
        env = "COMMBOX_MOCK_API_KEY",
        hide_env_values = true
    )]
    pub key: Option<String>,
}
