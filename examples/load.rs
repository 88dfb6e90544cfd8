//! A bounded load test of `handoff serve` on loopback, with hot reloads.
//!
//! Starts the server in this process on 127.0.0.1 (an ephemeral port; nothing
//! else is ever targeted), runs N keep-alive clients for a fixed time, and
//! meanwhile rewrites the policy file R times, every other time with a broken
//! policy. Reports requests per second, p50/p99 latency and failures; a failure
//! is any non-200 answer, transport error, or decision made by a policy that
//! was never a good one. Exits 1 if anything failed.
//!
//! ```text
//! cargo run --release --example load -- --clients 32 --seconds 10 --rewrites 50
//! ```

use std::collections::HashSet;
use std::net::SocketAddr;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use handoff::serve::{self, ServeConfig};
use handoff::Policy;
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;

const POLICY: &str = include_str!("../tests/fixtures/serve/support.handoff");
/// Bounds on top of the time limit, so no loop can run away.
const MAX_CLIENTS: usize = 256;
const MAX_SECONDS: u64 = 120;
const MAX_REQUESTS_PER_CLIENT: usize = 5_000_000;

struct Options {
    clients: usize,
    seconds: u64,
    rewrites: usize,
}

fn options() -> Result<Options, String> {
    let mut o = Options { clients: 32, seconds: 10, rewrites: 50 };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args.next().ok_or_else(|| format!("{flag} needs a value"))?;
        let n: u64 = value.parse().map_err(|_| format!("{flag}: {value:?} is not a number"))?;
        match flag.as_str() {
            "--clients" => o.clients = usize::try_from(n).unwrap_or(MAX_CLIENTS).clamp(1, MAX_CLIENTS),
            "--seconds" => o.seconds = n.clamp(1, MAX_SECONDS),
            "--rewrites" => o.rewrites = usize::try_from(n).unwrap_or(1000).min(1000),
            _ => return Err(format!("unknown flag {flag} (--clients, --seconds, --rewrites)")),
        }
    }
    Ok(o)
}

/// The i-th rewrite: a broken policy on odd i, else a good one with its own version.
fn rewrite(i: usize) -> String {
    if i % 2 == 1 {
        POLICY.replace("rule billing {", "rule billing {{")
    } else {
        POLICY.replace("version 1", &format!("version {}", i + 2))
    }
}

fn write_atomically(path: &Path, text: &str) -> std::io::Result<()> {
    let aside = path.with_extension("tmp");
    std::fs::write(&aside, text)?;
    std::fs::rename(&aside, path)
}

#[derive(Default)]
struct Tally {
    latencies_us: Vec<u32>,
    failures: Vec<String>,
}

/// One client: a keep-alive connection, evaluating whole conversations and
/// feeding a live one, until the deadline.
async fn client(id: usize, addr: SocketAddr, deadline: Instant, good: Arc<HashSet<String>>) -> Tally {
    let mut tally = Tally::default();
    let mut sender = None;
    for n in 0..MAX_REQUESTS_PER_CLIENT {
        if Instant::now() >= deadline {
            break;
        }
        if sender.is_none() {
            sender = connect(addr).await.map_err(|e| tally.failures.push(e)).ok();
        }
        let Some(s) = sender.as_mut() else { break };
        let (path, body, want) = if n % 4 == 3 {
            let text = if n % 40 == 39 { "I want a refund" } else { "hello again" };
            let path = format!("/v1/conversations/load-{id}-{}/messages", n / 40);
            (path, format!(r#"{{"message":{{"role":"customer","text":"{text}"}},"customer":{{"tier":"gold"}}}}"#), None)
        } else {
            let tier = if n % 2 == 0 { "gold" } else { "silver" };
            let body = format!(
                r#"{{"id":"c{id}-{n}","customer":{{"tier":"{tier}"}},"messages":[{{"role":"customer","text":"hi"}},{{"role":"bot","text":"Hello! How can I help?"}},{{"role":"customer","text":"I was charged twice for my invoice"}}]}}"#
            );
            ("/v1/evaluate".to_string(), body, Some(if tier == "gold" { "escalate" } else { "offer" }))
        };
        let started = Instant::now();
        match call(s, addr, &path, body).await {
            Ok((200, v)) => {
                tally.latencies_us.push(u32::try_from(started.elapsed().as_micros()).unwrap_or(u32::MAX));
                let d = &v["decision"];
                let hash = d["policy"]["hash"].as_str().unwrap_or("");
                if !good.contains(hash) {
                    tally.failures.push(format!("decision by unknown policy {hash:?}"));
                }
                if want.is_some_and(|w| d["action"].as_str() != Some(w)) {
                    tally.failures.push(format!("expected {want:?}, got {}", d["action"]));
                }
            }
            Ok((status, v)) => tally.failures.push(format!("{path}: {status} {v}")),
            Err(e) => {
                tally.failures.push(format!("{path}: {e}"));
                sender = None;
            }
        }
    }
    tally
}

type Sender = hyper::client::conn::http1::SendRequest<Full<Bytes>>;

async fn connect(addr: SocketAddr) -> Result<Sender, String> {
    let stream = tokio::net::TcpStream::connect(addr).await.map_err(|e| e.to_string())?;
    let (sender, conn) =
        hyper::client::conn::http1::handshake(TokioIo::new(stream)).await.map_err(|e| e.to_string())?;
    tokio::spawn(conn);
    Ok(sender)
}

async fn call(s: &mut Sender, addr: SocketAddr, path: &str, body: String) -> Result<(u16, serde_json::Value), String> {
    s.ready().await.map_err(|e| e.to_string())?;
    let request = hyper::Request::post(path)
        .header("host", addr.to_string())
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(body)))
        .map_err(|e| e.to_string())?;
    let response = s.send_request(request).await.map_err(|e| e.to_string())?;
    let status = response.status().as_u16();
    let bytes = response.into_body().collect().await.map_err(|e| e.to_string())?.to_bytes();
    Ok((status, serde_json::from_slice(&bytes).map_err(|e| e.to_string())?))
}

async fn metric(addr: SocketAddr, series: &str) -> Option<f64> {
    let mut s = connect(addr).await.ok()?;
    s.ready().await.ok()?;
    let request =
        hyper::Request::get("/metrics").header("host", addr.to_string()).body(Full::new(Bytes::new())).ok()?;
    let bytes = s.send_request(request).await.ok()?.into_body().collect().await.ok()?.to_bytes();
    let text = String::from_utf8_lossy(&bytes).into_owned();
    text.lines().find_map(|l| l.strip_prefix(series)?.trim().parse().ok())
}

fn percentile(sorted: &[u32], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(i).map_or(0.0, |&us| f64::from(us) / 1000.0)
}

async fn run(o: Options) -> Result<bool, String> {
    let dir = std::env::temp_dir().join(format!("load-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let file = dir.join("policy.handoff");
    write_atomically(&file, POLICY).map_err(|e| e.to_string())?;

    let mut good = HashSet::new();
    for text in std::iter::once(POLICY.to_string()).chain((0..o.rewrites).step_by(2).map(rewrite)) {
        good.insert(Policy::from_source("load", &text).map_err(|e| e.to_string())?.hash().to_string());
    }
    let good = Arc::new(good);

    let mut config = ServeConfig::new(&file);
    config.bind = SocketAddr::from(([127, 0, 0, 1], 0));
    let server = serve::start(config).await.map_err(|e| e.to_string())?;
    let addr = server.addr();
    let duration = Duration::from_secs(o.seconds);
    println!(
        "load: {} clients for {}s on http://{addr}, policy rewritten {} times (every other one broken)",
        o.clients, o.seconds, o.rewrites
    );

    let started = Instant::now();
    let deadline = started + duration;
    let clients: Vec<_> =
        (0..o.clients).map(|id| tokio::spawn(client(id, addr, deadline, Arc::clone(&good)))).collect();
    let rewrites = o.rewrites;
    let writer = tokio::spawn(async move {
        for i in 0..rewrites {
            let at = started + duration.mul_f64((i as f64 + 0.5) / rewrites as f64);
            tokio::time::sleep_until(at.into()).await;
            if let Err(e) = write_atomically(&file, &rewrite(i)) {
                return Err(e.to_string());
            }
        }
        Ok(())
    });

    let mut latencies = Vec::new();
    let mut failures = Vec::new();
    for c in clients {
        let t = c.await.map_err(|e| e.to_string())?;
        latencies.extend(t.latencies_us);
        failures.extend(t.failures);
    }
    let elapsed = started.elapsed();
    writer.await.map_err(|e| e.to_string())??;
    // Let the last rewrite's reload land before reading the counters.
    tokio::time::sleep(Duration::from_millis(500)).await;

    latencies.sort_unstable();
    let total = latencies.len() + failures.len();
    let succeeded = metric(addr, r#"handoff_policy_reloads_total{result="succeeded"}"#).await.unwrap_or(-1.0);
    let failed = metric(addr, r#"handoff_policy_reloads_total{result="failed"}"#).await.unwrap_or(-1.0);
    let serving = server.policy();
    println!("requests:  {total} in {:.1}s = {:.0} req/s", elapsed.as_secs_f64(), total as f64 / elapsed.as_secs_f64());
    println!(
        "latency:   p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms",
        percentile(&latencies, 0.50),
        percentile(&latencies, 0.99),
        percentile(&latencies, 1.0)
    );
    println!("failures:  {}", failures.len());
    for f in failures.iter().take(10) {
        println!("  {f}");
    }
    println!(
        "reloads:   {succeeded} succeeded, {failed} failed (expected {} and {})",
        rewrites.div_ceil(2),
        rewrites / 2
    );
    println!("serving:   {} version {} ({})", serving.name, serving.version, serving.hash.get(..12).unwrap_or(""));
    server.shutdown().await.map_err(|e| e.to_string())?;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(failures.is_empty() && (rewrites < 2 || (succeeded > 0.0 && failed > 0.0)))
}

fn main() -> ExitCode {
    let o = match options() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("load: {e}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("load: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(o)) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("load: {e}");
            ExitCode::FAILURE
        }
    }
}
