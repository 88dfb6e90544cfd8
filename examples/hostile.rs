//! A bounded load test of `handoff serve` against hostile clients, on loopback.
//!
//! Starts the server in this process on 127.0.0.1 (an ephemeral port; nothing
//! else is ever targeted) with short timeouts, on its own runtime, and drives
//! it from another runtime in three phases:
//!
//! 1. **slowloris**: 1,000 connections dribble an endless header one line at a
//!    time while 8 clients evaluate conversations; every slow connection must
//!    be closed by the header timeout and no client may see a failure;
//! 2. **big bodies**: 4 clients send 1 MiB conversations back to back while one
//!    client asks `/healthz` every 10 ms; its p99 must stay under 10 ms;
//! 3. **full store**: conversations that each hold as much as
//!    `--max-session-bytes` allows (many small metadata keys: the worst case)
//!    fill the store past `--max-sessions-memory`; the process's resident
//!    memory must grow by less than the stated bound (1.5 times the budget).
//!
//! Exits 1 if any check fails. Check `ulimit -n` first: phase 1 needs about
//! 2,100 file descriptors (both ends of each connection are in this process).
//!
//! ```text
//! cargo run --release --example hostile
//! ```

use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use handoff::serve::{self, ServeConfig};
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::client::conn::http1::SendRequest;
use hyper_util::rt::TokioIo;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const POLICY: &str = include_str!("../tests/fixtures/serve/support.handoff");
const SLOW_CONNECTIONS: usize = 1_000;
const HEADER_TIMEOUT: Duration = Duration::from_secs(2);
const SESSION_BUDGET: usize = 128 << 20;
const SESSION_MAX: usize = 256 << 10;

type Sender = SendRequest<Full<Bytes>>;

async fn connect(addr: SocketAddr) -> Result<Sender, String> {
    let stream = TcpStream::connect(addr).await.map_err(|e| format!("connect: {e}"))?;
    let (sender, conn) =
        hyper::client::conn::http1::handshake(TokioIo::new(stream)).await.map_err(|e| format!("handshake: {e}"))?;
    tokio::spawn(conn);
    Ok(sender)
}

/// One request on a keep-alive connection: the status and the body.
async fn call(sender: &mut Sender, method: &str, path: &str, body: Bytes) -> Result<(u16, Bytes), String> {
    sender.ready().await.map_err(|e| format!("not ready: {e}"))?;
    let request = hyper::Request::builder()
        .method(method)
        .uri(path)
        .header("host", "127.0.0.1")
        .header("content-type", "application/json")
        .body(Full::new(body))
        .map_err(|e| e.to_string())?;
    let response = sender.send_request(request).await.map_err(|e| format!("{method} {path}: {e}"))?;
    let status = response.status().as_u16();
    let body = response.into_body().collect().await.map_err(|e| format!("body: {e}"))?.to_bytes();
    Ok((status, body))
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(i).copied().unwrap_or_default()
}

fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1e3)
}

/// Clients evaluating small conversations until `until`: (requests, failures).
async fn steady_clients(addr: SocketAddr, clients: usize, until: Instant) -> (usize, Vec<String>) {
    let body = Bytes::from(
        json!({ "id": "c", "customer": { "tier": "gold" }, "messages": [
            { "role": "customer", "text": "hello" }, { "role": "bot", "text": "Hi!" },
            { "role": "customer", "text": "I was charged twice" } ] })
        .to_string(),
    );
    let tasks: Vec<_> = (0..clients)
        .map(|_| {
            let body = body.clone();
            tokio::spawn(async move {
                let (mut ok, mut failures) = (0, Vec::new());
                let mut sender = None;
                while Instant::now() < until && failures.len() < 10 {
                    if sender.is_none() {
                        match connect(addr).await {
                            Ok(s) => sender = Some(s),
                            Err(e) => failures.push(e),
                        }
                        continue;
                    }
                    let Some(s) = sender.as_mut() else { continue };
                    match call(s, "POST", "/v1/evaluate", body.clone()).await {
                        Ok((200, _)) => ok += 1,
                        Ok((status, b)) => failures.push(format!("{status}: {}", String::from_utf8_lossy(&b))),
                        Err(e) => {
                            failures.push(e);
                            sender = None;
                        }
                    }
                }
                (ok, failures)
            })
        })
        .collect();
    let (mut ok, mut failures) = (0, Vec::new());
    for t in tasks {
        match t.await {
            Ok((n, f)) => {
                ok += n;
                failures.extend(f);
            }
            Err(e) => failures.push(e.to_string()),
        }
    }
    (ok, failures)
}

/// A slowloris connection: a header line every 100 ms, never the end. Returns
/// how long the server took to close it, or None if it never did within 30 s.
async fn slowloris(addr: SocketAddr) -> Option<Duration> {
    let started = Instant::now();
    let mut stream = TcpStream::connect(addr).await.ok()?;
    stream.write_all(b"POST /v1/evaluate HTTP/1.1\r\nHost: 127.0.0.1\r\n").await.ok()?;
    let mut buf = [0u8; 512];
    let mut tick = tokio::time::interval(Duration::from_millis(100));
    while started.elapsed() < Duration::from_secs(30) {
        tokio::select! {
            read = stream.read(&mut buf) => if matches!(read, Ok(0) | Err(_)) { return Some(started.elapsed()) },
            _ = tick.tick() => if stream.write_all(b"X-Slow: a\r\n").await.is_err() { return Some(started.elapsed()) },
        }
    }
    None
}

async fn phase_slowloris(addr: SocketAddr) -> bool {
    let until = Instant::now() + HEADER_TIMEOUT * 3;
    let slow: Vec<_> = (0..SLOW_CONNECTIONS).map(|_| tokio::spawn(slowloris(addr))).collect();
    let (ok, failures) = steady_clients(addr, 8, until).await;
    let mut closed: Vec<Duration> = Vec::new();
    for t in slow {
        if let Ok(Some(d)) = t.await {
            closed.push(d);
        }
    }
    closed.sort();
    println!(
        "slowloris: {}/{SLOW_CONNECTIONS} slow connections closed by the server (header timeout {} s), \
         after p50 {} max {}",
        closed.len(),
        HEADER_TIMEOUT.as_secs(),
        ms(percentile(&closed, 0.5)),
        ms(closed.last().copied().unwrap_or_default()),
    );
    println!("           meanwhile {ok} evaluations by 8 other clients, {} failed", failures.len());
    for f in failures.iter().take(5) {
        println!("           failure: {f}");
    }
    closed.len() == SLOW_CONNECTIONS && failures.is_empty() && ok > 0
}

/// A conversation of about 1 MiB: 1,000 messages of about 1,000 characters.
fn big_body() -> Bytes {
    let text = "my invoice shows a charge I do not recognise, ".repeat(21);
    let messages: Vec<_> =
        (0..1000).map(|i| json!({ "role": if i % 2 == 0 { "customer" } else { "bot" }, "text": text })).collect();
    let body = json!({ "id": "big", "messages": messages }).to_string();
    Bytes::from(body)
}

async fn phase_big_bodies(addr: SocketAddr) -> bool {
    let body = big_body();
    let size = body.len();
    let until = Instant::now() + Duration::from_secs(8);
    let senders: Vec<_> = (0..4)
        .map(|_| {
            let body = body.clone();
            tokio::spawn(async move {
                let (mut n, mut failed, mut took) = (0usize, 0usize, Vec::new());
                let Ok(mut s) = connect(addr).await else { return (n, 1, took) };
                while Instant::now() < until {
                    let t = Instant::now();
                    match call(&mut s, "POST", "/v1/evaluate", body.clone()).await {
                        Ok((200, _)) => n += 1,
                        _ => failed += 1,
                    }
                    took.push(t.elapsed());
                }
                (n, failed, took)
            })
        })
        .collect();
    // The probe runs on a thread and runtime of its own, as a kubelet's would
    // be its own process: it measures the server, not the senders' runtime.
    let probe = std::thread::spawn(move || {
        let (mut health, mut failed) = (Vec::new(), 0usize);
        let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() else { return (health, 1) };
        rt.block_on(async {
            let Ok(mut s) = connect(addr).await else {
                failed += 1;
                return;
            };
            while Instant::now() < until {
                let t = Instant::now();
                match call(&mut s, "GET", "/healthz", Bytes::new()).await {
                    Ok((200, _)) => health.push(t.elapsed()),
                    _ => failed += 1,
                }
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        });
        (health, failed)
    });
    let (mut n, mut failed, mut took) = (0, 0, Vec::new());
    for t in senders {
        if let Ok((a, b, c)) = t.await {
            n += a;
            failed += b;
            took.extend(c);
        }
    }
    let (mut health, health_failed) =
        tokio::task::spawn_blocking(move || probe.join().unwrap_or_default()).await.unwrap_or_default();
    health.sort();
    took.sort();
    let p99 = percentile(&health, 0.99);
    println!(
        "big bodies: 4 clients sent {n} bodies of {size} bytes ({failed} failed), each p50 {}",
        ms(percentile(&took, 0.5))
    );
    println!(
        "           /healthz every 10 ms: {} answers ({health_failed} failed), p50 {} p99 {} max {}",
        health.len(),
        ms(percentile(&health, 0.5)),
        ms(p99),
        ms(health.last().copied().unwrap_or_default())
    );
    failed == 0 && health_failed == 0 && n > 0 && p99 < Duration::from_millis(10)
}

fn rss_bytes() -> usize {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kb = status.lines().find_map(|l| l.strip_prefix("VmRSS:")).and_then(|v| v.trim().strip_suffix("kB"));
    kb.and_then(|v| v.trim().parse::<usize>().ok()).map_or(0, |kb| kb * 1024)
}

/// A first message whose metadata (small keys: the most memory per byte sent)
/// makes the conversation about as large as `--max-session-bytes` allows.
fn maximal_start(keys: usize) -> Bytes {
    let metadata: serde_json::Map<String, serde_json::Value> = (0..keys).map(|i| (format!("k{i}"), json!(i))).collect();
    Bytes::from(json!({ "message": { "role": "customer", "text": "hello" }, "metadata": metadata }).to_string())
}

async fn phase_full_store(addr: SocketAddr) -> bool {
    let Ok(mut s) = connect(addr).await else { return false };
    // Find the most keys that fit, by halving.
    let (mut lo, mut hi) = (1usize, 1 << 16);
    while lo + 1 < hi {
        let mid = (lo + hi) / 2;
        let fits =
            matches!(call(&mut s, "POST", "/v1/conversations/probe/messages", maximal_start(mid)).await, Ok((200, _)));
        let _ = call(&mut s, "DELETE", "/v1/conversations/probe", Bytes::new()).await;
        if fits {
            lo = mid
        } else {
            hi = mid
        }
    }
    let body = maximal_start(lo);
    let before = rss_bytes();
    let count = 2 * SESSION_BUDGET / SESSION_MAX;
    let mut failed = 0;
    for i in 0..count {
        if !matches!(
            call(&mut s, "POST", &format!("/v1/conversations/c{i}/messages"), body.clone()).await,
            Ok((200, _))
        ) {
            failed += 1;
        }
    }
    let after = rss_bytes();
    let metrics = call(&mut s, "GET", "/metrics", Bytes::new()).await.map(|(_, b)| b).unwrap_or_default();
    let metrics = String::from_utf8_lossy(&metrics);
    let gauge = |name: &str| {
        metrics.lines().find_map(|l| l.strip_prefix(name)).and_then(|v| v.trim().parse::<f64>().ok()).unwrap_or(-1.0)
    };
    let grew = after.saturating_sub(before);
    let bound = SESSION_BUDGET * 3 / 2;
    println!(
        "full store: {count} conversations of {lo} metadata keys ({} bytes sent each), {failed} failed; \
         {} open, estimate {:.1} MiB (budget {} MiB)",
        body.len(),
        gauge("handoff_sessions_open "),
        gauge("handoff_sessions_bytes ") / 1048576.0,
        SESSION_BUDGET >> 20
    );
    println!(
        "           resident memory {:.1} MiB -> {:.1} MiB: grew {:.1} MiB (bound {:.1} MiB)",
        before as f64 / 1048576.0,
        after as f64 / 1048576.0,
        grew as f64 / 1048576.0,
        bound as f64 / 1048576.0
    );
    failed == 0 && grew < bound
}

fn main() -> ExitCode {
    let dir = std::env::temp_dir().join(format!("handoff-hostile-{}", std::process::id()));
    let file = dir.join("support.handoff");
    if let Err(e) = std::fs::create_dir_all(&dir).and_then(|()| std::fs::write(&file, POLICY)) {
        eprintln!("cannot write the policy: {e}");
        return ExitCode::FAILURE;
    }
    let mut config = ServeConfig::new(&file);
    config.bind = SocketAddr::from(([127, 0, 0, 1], 0));
    config.header_timeout = HEADER_TIMEOUT;
    config.idle_timeout = HEADER_TIMEOUT * 2;
    config.max_connections = SLOW_CONNECTIONS + 100;
    config.max_session_bytes = SESSION_MAX;
    config.max_sessions_memory = SESSION_BUDGET;
    config.max_sessions = 100_000;
    config.watch = false;
    let runtimes = (
        tokio::runtime::Builder::new_multi_thread().enable_all().thread_name("server").build(),
        tokio::runtime::Builder::new_multi_thread().enable_all().thread_name("client").build(),
    );
    let (Ok(server_rt), Ok(client_rt)) = runtimes else {
        eprintln!("cannot start the runtimes");
        return ExitCode::FAILURE;
    };
    let server = match server_rt.block_on(serve::start(config)) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("cannot start the server: {e}");
            return ExitCode::FAILURE;
        }
    };
    let addr = server.addr();
    println!("serving on {addr}; open file limit: see `ulimit -n`");
    let results = client_rt
        .block_on(async { [phase_slowloris(addr).await, phase_big_bodies(addr).await, phase_full_store(addr).await] });
    let _ = server_rt.block_on(server.shutdown());
    let _ = std::fs::remove_dir_all(&dir);
    let names = ["slowloris", "big bodies", "full store"];
    let failed: Vec<_> = names.iter().zip(results).filter(|(_, ok)| !ok).map(|(n, _)| *n).collect();
    if failed.is_empty() {
        println!("all checks passed");
        ExitCode::SUCCESS
    } else {
        println!("FAILED: {}", failed.join(", "));
        ExitCode::FAILURE
    }
}
