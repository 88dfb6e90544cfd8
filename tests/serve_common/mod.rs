//! Helpers shared by the server's test files: a policy directory per test, a
//! server on an ephemeral loopback port, and an HTTP client.
// Each test file uses its own subset of these.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use handoff::serve::{self, RunningServer, ServeConfig};
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;
use serde_json::{json, Value};

pub const POLICY: &str = include_str!("../fixtures/serve/support.handoff");

/// A fresh directory holding a copy of the test policy.
pub fn policy_dir(test: &str) -> PathBuf {
    static N: AtomicU32 = AtomicU32::new(0);
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "serve-{test}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    write_atomically(&dir.join("support.handoff"), POLICY);
    dir
}

/// Replaces a file the way deploy tools do: write aside, then rename over.
pub fn write_atomically(path: &Path, text: &str) {
    let aside = path.with_extension("tmp");
    std::fs::write(&aside, text).unwrap();
    std::fs::rename(&aside, path).unwrap();
}

pub fn broken_policy() -> String {
    POLICY.replace("rule billing {", "rule billing {{")
}

pub fn config(dir: &Path) -> ServeConfig {
    let mut c = ServeConfig::new(dir.join("support.handoff"));
    c.bind = "127.0.0.1:0".parse().unwrap();
    c.reload_debounce = Duration::from_millis(20);
    c
}

pub async fn start(config: ServeConfig) -> RunningServer {
    serve::start(config).await.unwrap()
}

pub struct Reply {
    pub status: u16,
    pub headers: hyper::HeaderMap,
    pub body: String,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    /// `(code, field)` of a JSON error.
    pub fn error(&self) -> (String, Option<String>) {
        let v = self.json();
        let e = &v["error"];
        assert!(e["message"].as_str().is_some_and(|m| !m.is_empty()), "{v}");
        (e["code"].as_str().unwrap().to_string(), e["field"].as_str().map(str::to_string))
    }
}

pub async fn send(addr: SocketAddr, method: &str, path: &str, body: Option<&str>, token: Option<&str>) -> Reply {
    let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await.unwrap();
    tokio::spawn(conn);
    let mut request = hyper::Request::builder().method(method).uri(path).header("host", addr.to_string());
    if body.is_some() {
        request = request.header("content-type", "application/json");
    }
    if let Some(t) = token {
        request = request.header("authorization", format!("Bearer {t}"));
    }
    let request = request.body(Full::new(Bytes::from(body.unwrap_or("").to_string()))).unwrap();
    let response = sender.send_request(request).await.unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    Reply { status, headers, body: String::from_utf8(bytes.to_vec()).unwrap() }
}

pub async fn get(addr: SocketAddr, path: &str) -> Reply {
    send(addr, "GET", path, None, None).await
}

pub async fn post(addr: SocketAddr, path: &str, body: &str) -> Reply {
    send(addr, "POST", path, Some(body), None).await
}

/// The value of one metrics series, by its full name and labels.
pub async fn metric(addr: SocketAddr, series: &str) -> f64 {
    let text = get(addr, "/metrics").await.body;
    text.lines()
        .find_map(|l| l.strip_prefix(series).and_then(|rest| rest.strip_prefix(' ')))
        .unwrap_or_else(|| panic!("no series {series} in\n{text}"))
        .parse()
        .unwrap()
}

/// Polls until `check` holds, for at most 10 s.
pub async fn eventually<F: std::future::Future<Output = bool>>(what: &str, mut check: impl FnMut() -> F) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !check().await {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

pub fn conversation(id: &str, tier: &str, texts: &[&str]) -> Value {
    let messages: Vec<Value> = texts
        .iter()
        .enumerate()
        .map(|(i, t)| json!({ "role": if i % 2 == 0 { "customer" } else { "bot" }, "text": t }))
        .collect();
    json!({ "id": id, "customer": { "tier": tier }, "messages": messages })
}
