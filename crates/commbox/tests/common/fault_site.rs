//! The server side of the fault matrix (docs/reliability.md), shared by the Rust face
//! (crates/commbox/tests/fault_matrix.rs) and the CLI face
//! (crates/commbox-cli/tests/fault_matrix.rs, which includes this file by path).

use commbox::chatwoot::NewContact;
use commbox::{Client, SmsConversation};
use commbox_mock::{MockConfig, MockServer, CHATWOOT_INBOX};

/// The CommBox stream every create goes to.
pub const STREAM: &str = "fault-stream";
/// The customer of the CommBox creates.
pub const PHONE: &str = "972544444444";
/// One gibibyte: the size of the huge answers.
pub const GIB: u64 = 1 << 30;

/// A server with what the creates need already in it: a CommBox conversation to post
/// messages to, and a Chatwoot contact with a conversation.
pub struct Site {
    pub mock: Option<MockServer>,
    pub url: String,
    pub object: i64,
    pub contact: String,
    pub conversation: i64,
}

impl Site {
    pub fn start() -> Site {
        Site::start_with(MockConfig::default())
    }

    /// A mock started with `config` (HTTPS with `tls_dir`), prepared by a client that
    /// trusts it.
    pub fn start_with(config: MockConfig) -> Site {
        let mock = MockServer::start_with(config).expect("mock starts");
        let url = mock.url();
        let mut builder = Client::builder().api_key(mock.api_key()).base_url(&url);
        if let Some(cert) = mock.cert_file() {
            builder = builder.ca_file(cert);
        }
        let client = builder.build().unwrap();
        let inbox = client.inbox(&url, CHATWOOT_INBOX).unwrap();
        let object = client
            .create_conversation(STREAM, SmsConversation::new(PHONE, "set-up"))
            .unwrap();
        let contact = inbox
            .create_contact(NewContact::new().name("Set-up"))
            .unwrap()
            .source_id
            .unwrap();
        let conversation = inbox.create_conversation(&contact, None).unwrap().id;
        Site {
            mock: Some(mock),
            url,
            object,
            contact,
            conversation,
        }
    }

    /// A base URL nobody listens on (F01): the port of a listener that is closed again.
    pub fn unreachable() -> Site {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        Site {
            mock: None,
            url: format!("http://127.0.0.1:{port}"),
            object: 1,
            contact: "nobody".into(),
            conversation: 1,
        }
    }

    pub fn mock(&self) -> &MockServer {
        self.mock.as_ref().expect("a site with a server")
    }

    /// Requests the server has seen, and records it has stored (CommBox conversations and
    /// messages, Chatwoot contacts, conversations and messages).
    pub fn counts(&self) -> (usize, usize) {
        let Some(mock) = &self.mock else {
            return (0, 0);
        };
        let commbox: usize = mock.objects().iter().map(|o| 1 + o.children.len()).sum();
        let chatwoot: usize = mock
            .chatwoot_state()
            .inboxes
            .iter()
            .map(|i| {
                i.contacts.len()
                    + i.conversations
                        .iter()
                        .map(|c| 1 + c.messages.len())
                        .sum::<usize>()
            })
            .sum();
        (mock.request_count(), commbox + chatwoot)
    }
}
