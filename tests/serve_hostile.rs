//! `handoff serve` against clients that misbehave: slow or unfinished headers,
//! idle connections, too many connections, conversations too large to hold.
//! Timeouts are short here so the tests are quick; every bound asserted on is
//! generous (seconds), so a busy machine cannot make them fail.

mod serve_common;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use handoff::serve::ServeConfig;
use serde_json::json;
use serve_common::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Short timeouts: 300 ms for headers, 600 ms idle.
fn hurried(test: &str) -> ServeConfig {
    let mut c = config(&policy_dir(test));
    c.header_timeout = Duration::from_millis(300);
    c.idle_timeout = Duration::from_millis(600);
    c
}

/// Waits until the server closes the connection (end of file or a reset),
/// returning what it sent before. Panics after 10 s: the bound is generous.
async fn closed_by_server(stream: &mut TcpStream) -> Vec<u8> {
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, stream.read(&mut buf)).await {
            Err(_) => panic!("the server kept the connection open for 10 s"),
            Ok(Ok(0) | Err(_)) => return got,
            Ok(Ok(n)) => got.extend_from_slice(&buf[..n]),
        }
    }
}

#[tokio::test]
async fn slow_headers_and_idle_connections_are_closed() {
    let server = start(hurried("timeouts")).await;
    let addr = server.addr();

    // A head that never finishes.
    let mut unfinished = TcpStream::connect(addr).await.unwrap();
    unfinished.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ").await.unwrap();
    // A slowloris: one byte at a time, each in time, the whole never.
    let mut dribble = TcpStream::connect(addr).await.unwrap();
    let dribbler = tokio::spawn(async move {
        let mut sent = 0usize;
        for b in b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ".iter().cycle().take(10_000) {
            if dribble.write_all(&[*b]).await.is_err() {
                return sent;
            }
            sent += 1;
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        sent
    });
    // A connection that says nothing, and one that goes quiet after a request.
    let mut silent = TcpStream::connect(addr).await.unwrap();
    let mut kept_alive = TcpStream::connect(addr).await.unwrap();
    kept_alive.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").await.unwrap();

    // Meanwhile other clients are served.
    assert_eq!(get(addr, "/healthz").await.status, 200);

    assert!(closed_by_server(&mut unfinished).await.is_empty());
    assert!(closed_by_server(&mut silent).await.is_empty());
    let answer = String::from_utf8(closed_by_server(&mut kept_alive).await).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    let sent = tokio::time::timeout(Duration::from_secs(10), dribbler).await.unwrap().unwrap();
    assert!(sent < 10_000, "the slowloris connection was closed (after {sent} bytes)");

    assert!(metric(addr, r#"handoff_connections_closed_total{reason="header_timeout"}"#).await >= 2.0);
    assert!(metric(addr, r#"handoff_connections_closed_total{reason="idle"}"#).await >= 2.0);
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_head_larger_than_the_limit_is_refused() {
    let mut c = hurried("big-head");
    c.max_header_bytes = 8 << 10;
    let server = start(c).await;
    let mut stream = TcpStream::connect(server.addr()).await.unwrap();
    let head = format!("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\n\r\n", "a".repeat(64 << 10));
    // The server may close before it has read it all.
    let _ = stream.write_all(head.as_bytes()).await;
    let answer = String::from_utf8_lossy(&closed_by_server(&mut stream).await).into_owned();
    assert!(answer.is_empty() || answer.starts_with("HTTP/1.1 431"), "{answer}");
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn connections_over_the_limit_get_a_503_until_one_closes() {
    let mut c = config(&policy_dir("limit"));
    c.max_connections = 2;
    let server = start(c).await;
    let addr = server.addr();
    // Two connections in the middle of a head: not idle, so not reclaimed.
    let mut busy = Vec::new();
    for _ in 0..2 {
        let mut s = TcpStream::connect(addr).await.unwrap();
        s.write_all(b"GET /healthz HTTP/1.1\r\n").await.unwrap();
        busy.push(s);
    }
    // Accepted in order: the first two hold the only places.
    let mut third = TcpStream::connect(addr).await.unwrap();
    let answer = String::from_utf8(closed_by_server(&mut third).await).unwrap();
    assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
    let body = answer.split("\r\n\r\n").nth(1).unwrap();
    let v: serde_json::Value = serde_json::from_str(body).unwrap();
    assert_eq!(v["error"]["code"], "too_many_connections");

    drop(busy.pop());
    eventually("a place to free up", || async { get(addr, "/healthz").await.status == 200 }).await;
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn idle_connections_make_room_when_the_server_is_full() {
    let mut c = config(&policy_dir("reclaim"));
    c.max_connections = 3;
    let server = start(c).await;
    let addr = server.addr();
    // One client holds every place with idle connections.
    let mut idle = Vec::new();
    for _ in 0..3 {
        idle.push(TcpStream::connect(addr).await.unwrap());
    }
    tokio::time::sleep(Duration::from_millis(400)).await;
    // Another client is still served: idle connections are closed for it.
    assert_eq!(get(addr, "/healthz").await.status, 200);
    assert!(metric(addr, r#"handoff_connections_closed_total{reason="reclaimed"}"#).await >= 1.0);
    let mut closed = 0;
    for mut s in idle {
        if tokio::time::timeout(Duration::from_millis(100), s.read(&mut [0u8; 16])).await.is_ok() {
            closed += 1;
        }
    }
    assert!(closed >= 1, "an idle connection was closed");
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn shutdown_is_not_held_by_an_unfinished_header() {
    let mut c = config(&policy_dir("shutdown"));
    c.header_timeout = Duration::from_secs(300);
    c.idle_timeout = Duration::from_secs(300);
    let server = start(c).await;
    let mut unfinished = TcpStream::connect(server.addr()).await.unwrap();
    unfinished.write_all(b"POST /v1/evaluate HTTP/1.1\r\nHost: x\r\n").await.unwrap();
    let _idle = TcpStream::connect(server.addr()).await.unwrap();
    // Let the server take both connections.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let stopped = tokio::time::timeout(Duration::from_secs(5), server.shutdown()).await;
    assert!(matches!(stopped, Ok(Ok(()))), "shutdown waited for connections with no request in flight");
    assert!(closed_by_server(&mut unfinished).await.is_empty());
}

#[tokio::test]
async fn bodies_in_flight_are_bounded_in_memory() {
    let mut c = config(&policy_dir("body-memory"));
    c.max_body = 64 << 10;
    c.max_body_memory = 64 << 10;
    let server = start(c).await;
    let addr = server.addr();
    // A slow sender announces the whole budget and sends one byte: it holds it.
    let mut slow = TcpStream::connect(addr).await.unwrap();
    slow.write_all(b"POST /v1/evaluate HTTP/1.1\r\nHost: x\r\nContent-Length: 65536\r\n\r\n{").await.unwrap();
    let body = conversation("c", "gold", &["hello"]).to_string();
    eventually("a 503 while the budget is held", || async {
        let r = post(addr, "/v1/evaluate", &body).await;
        r.status == 503 && r.error().0 == "busy"
    })
    .await;
    drop(slow);
    eventually("the budget back", || async { post(addr, "/v1/evaluate", &body).await.status == 200 }).await;
    assert!(metric(addr, "handoff_evaluations_refused_total").await >= 1.0);
    server.shutdown().await.unwrap();
}

fn message_with_metadata(text: &str, keys: usize) -> String {
    let metadata: serde_json::Map<String, serde_json::Value> = (0..keys).map(|i| (format!("k{i}"), json!(1))).collect();
    json!({ "message": { "role": "customer", "text": text }, "metadata": metadata }).to_string()
}

#[tokio::test]
async fn a_conversation_over_its_byte_limit_is_refused_with_a_413() {
    let mut c = config(&policy_dir("session-bytes"));
    c.max_session_bytes = 16 << 10;
    let server = start(c).await;
    let addr = server.addr();

    // Many small metadata keys: small on the wire, large in memory.
    let r = post(addr, "/v1/conversations/big/messages", &message_with_metadata("hello", 2_000)).await;
    assert_eq!((r.status, r.error().0.as_str()), (413, "session_too_large"), "{}", r.body);
    assert!(r.json()["error"]["message"].as_str().unwrap().contains("--max-session-bytes"));
    assert_eq!(get(addr, "/v1/conversations/big").await.status, 404, "nothing was kept");

    // A conversation that grows message by message stops at the limit, and the
    // refused message is not taken.
    let path = "/v1/conversations/long/messages";
    let text = "a long message ".repeat(70); // about 1 KB
    let mut taken = 0;
    let refused = loop {
        let r = post(addr, path, &json!({ "role": "customer", "text": text }).to_string()).await;
        if r.status != 200 {
            break r;
        }
        taken += 1;
        assert!(taken < 100, "never refused");
    };
    assert_eq!((refused.status, refused.error().0.as_str()), (413, "session_too_large"));
    assert!((5..16).contains(&taken), "{taken} messages of 1 KB fit in 16 KiB");
    let shown = get(addr, "/v1/conversations/long").await.json();
    assert_eq!(shown["decision"]["messages"], taken);
    let bytes = metric(addr, "handoff_sessions_bytes").await;
    assert!(bytes > 10_000.0 && bytes <= 16_384.0, "{bytes}");
    server.shutdown().await.unwrap();
}

async fn say(addr: SocketAddr, id: &str) -> u16 {
    post(addr, &format!("/v1/conversations/{id}/messages"), r#"{"role":"customer","text":"hi"}"#).await.status
}

#[tokio::test]
async fn sessions_are_evicted_least_recently_used_first() {
    let mut c = config(&policy_dir("lru"));
    c.max_sessions = 3;
    let server = start(c).await;
    let addr = server.addr();
    for id in ["a", "b", "c"] {
        assert_eq!(say(addr, id).await, 200);
    }
    assert_eq!(say(addr, "a").await, 200, "a is used again: b is the least recently used");
    assert_eq!(say(addr, "d").await, 200);
    let open = |id: &'static str| async move { get(addr, &format!("/v1/conversations/{id}")).await.status == 200 };
    assert_eq!((open("a").await, open("b").await, open("c").await, open("d").await), (true, false, true, true));
    assert_eq!(say(addr, "e").await, 200);
    assert!(!open("c").await && open("a").await);
    assert_eq!(metric(addr, r#"handoff_session_evictions_total{reason="capacity"}"#).await, 2.0);

    // Bounded in bytes as well: room for two of these (about 37 KB each).
    let mut c = config(&policy_dir("lru-bytes"));
    c.max_session_bytes = 64 << 10;
    c.max_sessions_memory = 100 << 10;
    let server = start(c).await;
    let addr = server.addr();
    for id in ["x", "y", "z"] {
        let r = post(addr, &format!("/v1/conversations/{id}/messages"), &message_with_metadata("hi", 250)).await;
        assert_eq!(r.status, 200, "{}", r.body);
    }
    assert_eq!(get(addr, "/v1/conversations/x").await.status, 404, "x was evicted to make room for z");
    assert_eq!(metric(addr, r#"handoff_session_evictions_total{reason="memory"}"#).await, 1.0);
    assert!(metric(addr, "handoff_sessions_bytes").await <= 100.0 * 1024.0);
}
