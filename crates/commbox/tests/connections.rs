//! How the client uses connections, seen from a purpose-built loopback server that counts
//! them: sequential calls share one keep-alive connection, a connection the server closed
//! while idle is never used for the next create, and threads sharing one client each get a
//! connection of their own.

use commbox::blocking::Client;
use commbox::SmsConversation;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

const ANSWER: &str = r#"{"status":200,"description":"OK","data":{"Id":"77"}}"#;

/// Serves create-conversation answers; counts connections and requests.
struct Server {
    url: String,
    connections: Arc<AtomicUsize>,
    requests: Arc<AtomicUsize>,
}

impl Server {
    /// `requests_per_connection`: answers that many requests on a connection, then closes
    /// it (while the client holds it idle in its pool).
    fn start(requests_per_connection: usize) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let connections = Arc::new(AtomicUsize::new(0));
        let requests = Arc::new(AtomicUsize::new(0));
        let (c, r) = (connections.clone(), requests.clone());
        thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { return };
                c.fetch_add(1, Ordering::SeqCst);
                let r = r.clone();
                thread::spawn(move || serve(stream, requests_per_connection, &r));
            }
        });
        Server {
            url,
            connections,
            requests,
        }
    }

    fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }

    fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }
}

fn serve(stream: TcpStream, limit: usize, requests: &AtomicUsize) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut writer = stream;
    for _ in 0..limit {
        let mut length = 0;
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some((name, value)) = line.split_once(':') {
                if name.eq_ignore_ascii_case("content-length") {
                    length = value.trim().parse().unwrap();
                }
            }
        }
        let mut body = vec![0; length];
        reader.read_exact(&mut body).unwrap();
        requests.fetch_add(1, Ordering::SeqCst);
        let answer = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{ANSWER}",
            ANSWER.len()
        );
        writer.write_all(answer.as_bytes()).unwrap();
    }
    // Closes the connection a while after the last answer, as a server's keep-alive timeout
    // does: the client is no longer reading then, and only learns of it when it next looks.
    thread::sleep(Duration::from_millis(200));
}

fn client(server: &Server) -> Client {
    Client::builder()
        .api_key("k")
        .base_url(&server.url)
        .build()
        .unwrap()
}

fn create(client: &Client) -> i64 {
    client
        .create_conversation("s", SmsConversation::new("+972500000000", "hi"))
        .unwrap()
}

#[test]
fn sequential_calls_share_one_connection() {
    let server = Server::start(usize::MAX);
    let client = client(&server);
    for _ in 0..20 {
        assert_eq!(create(&client), 77);
    }
    assert_eq!(server.requests(), 20);
    assert_eq!(server.connections(), 1);
}

#[test]
fn a_connection_closed_by_the_server_while_idle_is_not_used_again() {
    // One request per connection: the server closes each 200 ms after answering, while the
    // client's pool holds it idle.
    let server = Server::start(1);
    let client = client(&server);
    for round in 1..=3 {
        thread::sleep(Duration::from_millis(700));
        // A create is never re-sent once it may have reached the server, so this succeeds
        // only if it went out on a live connection.
        assert_eq!(create(&client), 77, "round {round}");
    }
    assert_eq!(server.requests(), 3);
    assert_eq!(server.connections(), 3);
}

#[test]
fn threads_sharing_a_client_each_get_a_connection_and_keep_it() {
    let server = Server::start(usize::MAX);
    let client = client(&server);
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let client = client.clone();
            thread::spawn(move || {
                for _ in 0..50 {
                    assert_eq!(create(&client), 77);
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(server.requests(), 200);
    // At most one connection per concurrent call, reused across calls.
    let connections = server.connections();
    assert!(
        (1..=4).contains(&connections),
        "{connections} connections for 4 threads"
    );
}
