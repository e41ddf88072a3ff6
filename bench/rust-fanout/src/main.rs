//! `commbox-bench-fanout commbox|reqwest current|multi N URL BODYFILE`: N concurrent
//! create-conversation calls (one task each) on a tokio runtime of the given flavour
//! (`current`: one thread, as an asyncio program; `multi`: one worker per core), through
//! commbox::Client (async) or through reqwest's async client with the same JSON body, answer
//! parsed down to the id. Twice: the first fan-out opens the connections (cold), the second
//! reuses them (warm). Prints {"cold_s", "warm_s", "cpu_s"}; bench/run.py watches the
//! process's threads and peak RSS from outside, as for the Python clients.

use std::sync::Arc;
use std::time::{Duration, Instant};

const STREAM: &str = "bench-stream";
const PHONE: &str = "+972544444444";
const TEXT: &str = "Your code is 1234";
const KEY: &str = "bench-key";
const AUTHORIZATION: &str = "Bearer bench-key";

#[derive(Clone)]
enum Sender {
    Commbox(commbox::Client),
    Reqwest {
        client: reqwest::Client,
        url: Arc<str>,
        /// The JSON body commbox sends (captured by bench/run.py).
        body: Arc<[u8]>,
    },
}

impl Sender {
    async fn send(&self) -> i64 {
        match self {
            Sender::Commbox(client) => client
                .create_conversation(STREAM, commbox::SmsConversation::new(PHONE, TEXT))
                .await
                .expect("commbox create"),
            Sender::Reqwest { client, url, body } => {
                let resp = client
                    .post(&**url)
                    .header("Authorization", AUTHORIZATION)
                    .header("Content-Type", "application/json")
                    .header("Accept", "application/json")
                    .body(body.to_vec())
                    .send()
                    .await
                    .expect("reqwest send");
                assert!(resp.status().is_success(), "HTTP {}", resp.status());
                let v: serde_json::Value = resp.json().await.expect("reqwest json");
                v["data"]["id"].as_i64().expect("no id in the answer")
            }
        }
    }
}

async fn fan_out(sender: &Sender, n: usize) -> Duration {
    let t0 = Instant::now();
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..n {
        let s = sender.clone();
        set.spawn(async move { s.send().await });
    }
    while let Some(id) = set.join_next().await {
        id.expect("task");
    }
    t0.elapsed()
}

fn cpu_s() -> f64 {
    // utime + stime of the whole process, from /proc (clock ticks of 1/100 s).
    let stat = std::fs::read_to_string("/proc/self/stat").expect("/proc/self/stat");
    let after = &stat[stat.rfind(')').expect("comm") + 2..];
    let f: Vec<&str> = after.split_whitespace().collect();
    let ticks: f64 = f[11].parse::<f64>().unwrap() + f[12].parse::<f64>().unwrap();
    ticks / 100.0
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (which, flavour, n, base, body) = (&args[1], &args[2], &args[3], &args[4], &args[5]);
    let n: usize = n.parse().expect("N");
    let body: Arc<[u8]> = std::fs::read(body).expect("body file").into();
    let runtime = match flavour.as_str() {
        "current" => tokio::runtime::Builder::new_current_thread(),
        "multi" => tokio::runtime::Builder::new_multi_thread(),
        other => panic!("unknown flavour {other}"),
    }
    .enable_all()
    .build()
    .expect("runtime");
    let sender = match which.as_str() {
        "commbox" => Sender::Commbox(
            commbox::Client::builder()
                .api_key(KEY)
                .base_url(base.clone())
                .max_retries(0)
                .timeout(Duration::from_secs(120))
                .build()
                .expect("commbox client"),
        ),
        "reqwest" => Sender::Reqwest {
            client: reqwest::Client::builder()
                .timeout(Duration::from_secs(120))
                .build()
                .expect("reqwest client"),
            url: format!("{base}/streams/{STREAM}/objects").into(),
            body,
        },
        other => panic!("unknown client {other}"),
    };
    let c0 = cpu_s();
    let (cold, warm) = runtime.block_on(async {
        let cold = fan_out(&sender, n).await;
        let warm = fan_out(&sender, n).await;
        (cold, warm)
    });
    let cpu = cpu_s() - c0;
    println!(
        "{{\"cold_s\": {:.4}, \"warm_s\": {:.4}, \"cpu_s\": {:.3}}}",
        cold.as_secs_f64(),
        warm.as_secs_f64(),
        cpu
    );
}
