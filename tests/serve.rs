//! `handoff serve` end to end: a server on an ephemeral loopback port per test,
//! driven over real HTTP (hyper's client), plus the binary itself.

mod serve_common;

use std::time::Duration;

use std::net::SocketAddr;

use handoff::serve::ReloadOutcome;
use serde_json::{json, Value};
use serve_common::*;

#[tokio::test]
async fn evaluates_whole_conversations_bare_or_with_a_context() {
    let server = start(config(&policy_dir("evaluate"))).await;
    let addr = server.addr();
    let hash = server.policy().hash.to_string();

    let bare = conversation("c1", "gold", &["hello", "Hi! How can I help?", "I was charged twice"]);
    let r = post(addr, "/v1/evaluate", &bare.to_string()).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.headers["content-type"], "application/json");
    let v = r.json();
    assert_eq!(v["conversation"], "c1");
    let d = &v["decision"];
    assert_eq!(
        (d["action"].as_str(), d["queue"].as_str(), d["rule"].as_str()),
        (Some("escalate"), Some("billing"), Some("billing"))
    );
    assert_eq!(d["at_message"], 3);
    assert_eq!(d["policy"]["hash"].as_str(), Some(hash.as_str()));
    assert_eq!(d["rules"][0]["evidence"][0]["matched"], "charged twice");

    // The request's context replaces the server's: billing is closed, so the fallback.
    let wrapped = json!({ "conversation": bare, "context": { "queues": { "billing": { "open": false } } } });
    let d = post(addr, "/v1/evaluate", &wrapped.to_string()).await.json()["decision"].clone();
    assert_eq!((d["queue"].as_str(), d["fallback_from"].as_str()), (Some("general"), Some("billing")));

    let silver = conversation("c2", "silver", &["a refund please"]);
    let d = post(addr, "/v1/evaluate", &silver.to_string()).await.json()["decision"].clone();
    assert_eq!((d["action"].as_str(), d["rule"].as_str()), (Some("offer"), Some("billing_offer")));
    let quiet = conversation("c3", "gold", &["hello"]);
    let d = post(addr, "/v1/evaluate", &quiet.to_string()).await.json()["decision"].clone();
    assert_eq!((d["action"].as_str(), d["messages"].as_u64()), (Some("none"), Some(1)));

    let line = r#"handoff_decisions_total{endpoint="evaluate",action="escalate",queue="billing",rule="billing"}"#;
    assert_eq!(metric(addr, line).await, 1.0);
    assert_eq!(metric(addr, r#"handoff_evaluation_duration_seconds_count{endpoint="evaluate"}"#).await, 4.0);
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn sessions_take_one_message_at_a_time() {
    let server = start(config(&policy_dir("sessions"))).await;
    let addr = server.addr();
    let path = "/v1/conversations/chat-7/messages";

    let first =
        json!({ "message": { "role": "customer", "text": "hello" }, "customer": { "tier": "gold" }, "channel": "web" });
    let v = post(addr, path, &first.to_string()).await.json();
    assert_eq!((v["created"].as_bool(), v["decision"]["action"].as_str()), (Some(true), Some("none")));
    assert_eq!(metric(addr, "handoff_sessions_open").await, 1.0);

    let v = post(addr, path, r#"{"role":"bot","text":"How can I help?"}"#).await.json();
    assert_eq!((v["created"].as_bool(), v["decision"]["messages"].as_u64()), (Some(false), Some(2)));

    // Repeating the attributes is fine; changing them is refused.
    let same = json!({ "message": { "role": "customer", "text": "still there?" }, "customer": { "tier": "gold" } });
    assert_eq!(post(addr, path, &same.to_string()).await.status, 200);
    let other = json!({ "message": { "role": "customer", "text": "x" }, "customer": { "tier": "silver" } });
    let r = post(addr, path, &other.to_string()).await;
    assert_eq!((r.status, r.error()), (409, ("conversation_started".into(), Some("customer".into()))));

    // The gold attribute from the first message is what makes this an escalation.
    let v = post(addr, path, r#"{"role":"customer","text":"I was charged twice!"}"#).await.json();
    let d = &v["decision"];
    assert_eq!(
        (d["action"].as_str(), d["queue"].as_str(), d["at_message"].as_u64()),
        (Some("escalate"), Some("billing"), Some(4))
    );

    let shown = get(addr, "/v1/conversations/chat-7").await.json();
    assert_eq!(shown["decision"], v["decision"]);
    let ended = send(addr, "DELETE", "/v1/conversations/chat-7", None, None).await;
    assert_eq!(ended.status, 200);
    assert_eq!(ended.json()["decision"], v["decision"]);
    let again = send(addr, "DELETE", "/v1/conversations/chat-7", None, None).await;
    assert_eq!((again.status, again.error()), (404, ("not_found".into(), Some("id".into()))));
    assert_eq!(get(addr, "/v1/conversations/chat-7").await.status, 404);
    assert_eq!(metric(addr, "handoff_sessions_open").await, 0.0);
    assert_eq!(metric(addr, r#"handoff_evaluation_duration_seconds_count{endpoint="message"}"#).await, 4.0);
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn bad_input_is_a_4xx_naming_the_field() {
    let mut c = config(&policy_dir("bad-input"));
    c.max_body = 2048;
    c.max_messages = 3;
    let server = start(c).await;
    let addr = server.addr();
    let e = |status: u16, code: &str, field: Option<&str>| (status, (code.to_string(), field.map(str::to_string)));

    let r = post(addr, "/v1/evaluate", r#"{"id": "c", "messages": [}"#).await;
    assert_eq!((r.status, r.error()), e(400, "invalid_json", None));
    let r = post(addr, "/v1/evaluate", "[]").await;
    assert_eq!((r.status, r.error()), e(400, "invalid_json", None));
    let r = post(addr, "/v1/evaluate", "").await;
    assert_eq!((r.status, r.error()), e(400, "invalid_json", None));

    let robot = r#"{"id":"c","messages":[{"role":"customer","text":"a"},{"role":"robot","text":"b"}]}"#;
    let r = post(addr, "/v1/evaluate", robot).await;
    assert_eq!((r.status, r.error()), e(422, "invalid_field", Some("messages[1].role")));
    assert!(r.body.contains("robot"), "{}", r.body);
    let wrapped = format!(r#"{{"conversation":{robot}}}"#);
    let r = post(addr, "/v1/evaluate", &wrapped).await;
    assert_eq!(r.error(), e(422, "invalid_field", Some("conversation.messages[1].role")).1);
    let r = post(addr, "/v1/evaluate", r#"{"id":"c","messages":[{"role":"bot"}]}"#).await;
    assert_eq!((r.status, r.error()), e(422, "missing_field", Some("messages[0].text")));
    let r = post(addr, "/v1/evaluate", r#"{"id":"c","messages":[{"role":"bot","text":"x","timestamp":"noon"}]}"#).await;
    assert_eq!(r.error(), e(422, "invalid_field", Some("messages[0].timestamp")).1);
    let bad_zone = r#"{"conversation":{"id":"c","messages":[]},"context":{"timezone":"Mars/Olympus"}}"#;
    let r = post(addr, "/v1/evaluate", bad_zone).await;
    assert_eq!(r.error(), e(422, "invalid_field", Some("context.timezone")).1);
    let r = post(addr, "/v1/evaluate", r#"{"conversation":{"id":"c","messages":[]},"contxt":{}}"#).await;
    assert_eq!(r.status, 422);

    let four = conversation("c", "gold", &["a", "b", "c", "d"]).to_string();
    let r = post(addr, "/v1/evaluate", &four).await;
    assert_eq!((r.status, r.error()), e(422, "too_many_messages", Some("messages")));
    let big = conversation("c", "gold", &[&"x".repeat(4000)]).to_string();
    let r = post(addr, "/v1/evaluate", &big).await;
    assert_eq!((r.status, r.error()), e(413, "body_too_large", None));

    let path = "/v1/conversations/c/messages";
    let r = post(addr, path, r#"{"message":{"role":"customer","text":"x","confidence":2}}"#).await;
    assert_eq!(r.error(), e(422, "invalid_field", Some("message.confidence")).1);
    for i in 0..3 {
        assert_eq!(post(addr, path, &format!(r#"{{"role":"customer","text":"m{i}"}}"#)).await.status, 200);
    }
    let r = post(addr, path, r#"{"role":"customer","text":"one too many"}"#).await;
    assert_eq!((r.status, r.error()), e(422, "too_many_messages", Some("messages")));
    let long_id = format!("/v1/conversations/{}/messages", "x".repeat(300));
    let r = post(addr, &long_id, r#"{"role":"customer","text":"x"}"#).await;
    assert_eq!((r.status, r.error()), e(422, "invalid_field", Some("id")));

    let r = get(addr, "/v2/evaluate").await;
    assert_eq!((r.status, r.error()), e(404, "not_found", None));
    let r = get(addr, "/v1/evaluate").await;
    assert_eq!((r.status, r.error()), e(405, "method_not_allowed", None));

    // Garbage on the socket is not HTTP: the connection fails, the server does not.
    let garbage = tokio::task::spawn_blocking(move || {
        use std::io::{Read, Write};
        let mut raw = std::net::TcpStream::connect(addr).unwrap();
        raw.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        raw.write_all(b"\x00\x01 NOT HTTP\r\n\r\n").unwrap();
        let mut answer = Vec::new();
        let _ = raw.read_to_end(&mut answer);
        String::from_utf8_lossy(&answer).into_owned()
    });
    let answer = garbage.await.unwrap();
    assert!(answer.is_empty() || answer.starts_with("HTTP/1.1 400"), "{answer}");
    assert_eq!(get(addr, "/healthz").await.status, 200);
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_token_guards_everything_but_health() {
    let mut c = config(&policy_dir("token"));
    c.token = Some("s3cret-token".into());
    let server = start(c).await;
    let addr = server.addr();
    let body = conversation("c", "gold", &["hi"]).to_string();

    let r = post(addr, "/v1/evaluate", &body).await;
    assert_eq!((r.status, r.error().0.as_str()), (401, "unauthorized"));
    assert_eq!(r.headers["www-authenticate"], "Bearer");
    assert_eq!(send(addr, "POST", "/v1/evaluate", Some(&body), Some("s3cret")).await.status, 401);
    assert_eq!(send(addr, "GET", "/metrics", None, Some("wrong")).await.status, 401);
    assert_eq!(send(addr, "POST", "/v1/evaluate", Some(&body), Some("s3cret-token")).await.status, 200);
    assert_eq!(send(addr, "GET", "/v1/policy", None, Some("s3cret-token")).await.status, 200);
    assert_eq!(get(addr, "/healthz").await.status, 200);
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn policy_health_metrics_and_request_ids() {
    let server = start(config(&policy_dir("info"))).await;
    let addr = server.addr();
    let r = get(addr, "/healthz").await;
    assert_eq!((r.status, r.json()["status"].as_str()), (200, Some("ok")));
    assert!(r.headers["x-request-id"].to_str().unwrap().starts_with("req-"));
    let r = send(addr, "GET", "/healthz", None, None).await;
    assert_ne!(r.headers["x-request-id"], "");

    let v = get(addr, "/v1/policy").await.json();
    assert_eq!((v["name"].as_str(), v["version"].as_u64()), (Some("serve-test"), Some(1)));
    assert_eq!(v["hash"].as_str().map(str::len), Some(64));
    assert!(v["loaded_at"].as_str().unwrap().parse::<jiff::Timestamp>().is_ok());
    assert_eq!(v["rules"][0], "human_on_request");
    assert!(v["last_rejected_reload"].is_null());
    assert!(!v.to_string().contains("support.handoff"), "the policy's path is not shown: {v}");

    let r = get(addr, "/metrics").await;
    assert!(r.headers["content-type"].to_str().unwrap().starts_with("text/plain"));
    for series in [
        "# TYPE handoff_decisions_total counter",
        "# TYPE handoff_evaluation_duration_seconds histogram",
        "handoff_sessions_open 0",
        "handoff_session_evictions_total{reason=\"idle\"} 0",
        "handoff_policy_reloads_total{result=\"failed\"} 0",
        "handoff_policy_info{name=\"serve-test\",version=\"1\"",
    ] {
        assert!(r.body.contains(series), "{series} missing from\n{}", r.body);
    }
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_broken_policy_never_replaces_the_running_one() {
    let dir = policy_dir("reload");
    let server = start(config(&dir)).await;
    let addr = server.addr();
    let old = server.policy().hash.to_string();
    let file = dir.join("support.handoff");
    let body = conversation("c", "gold", &["I want a real person"]).to_string();

    // A session started before any reload.
    let path = "/v1/conversations/before/messages";
    let first = json!({ "message": { "role": "customer", "text": "hi" }, "customer": { "tier": "gold" } });
    assert_eq!(post(addr, path, &first.to_string()).await.json()["decision"]["policy"]["hash"], old.as_str());

    write_atomically(&file, &broken_policy());
    eventually("the failed reload", || async {
        metric(addr, r#"handoff_policy_reloads_total{result="failed"}"#).await >= 1.0
    })
    .await;
    let v = get(addr, "/v1/policy").await.json();
    assert_eq!(v["hash"], old.as_str());
    let rejected = v["last_rejected_reload"]["diagnostics"].as_str().unwrap();
    assert!(rejected.contains("unexpected"), "{rejected}");
    let d = post(addr, "/v1/evaluate", &body).await.json()["decision"].clone();
    assert_eq!((d["action"].as_str(), d["policy"]["hash"].as_str()), (Some("escalate"), Some(old.as_str())));
    assert_eq!(metric(addr, r#"handoff_policy_reloads_total{result="succeeded"}"#).await, 0.0);

    // A good version 2 (the person rule now only flags) swaps in.
    let v2 = POLICY.replace("version 1", "version 2").replace(
        "escalate to general priority urgent reason \"Customer asked for a person\"",
        "flag \"asked for a person\"",
    );
    write_atomically(&file, &v2);
    eventually("the new policy", || async { get(addr, "/v1/policy").await.json()["hash"] != old.as_str() }).await;
    let new = server.policy().hash.to_string();
    assert_ne!(new, old);
    assert_eq!(metric(addr, r#"handoff_policy_reloads_total{result="succeeded"}"#).await, 1.0);
    assert!(get(addr, "/v1/policy").await.json()["last_rejected_reload"].is_null());
    let d = post(addr, "/v1/evaluate", &body).await.json()["decision"].clone();
    assert_eq!((d["action"].as_str(), d["policy"]["hash"].as_str()), (Some("flag"), Some(new.as_str())));

    // The old session keeps the policy it started with; a new one gets the new policy.
    let d = post(addr, path, r#"{"role":"customer","text":"I want a real person"}"#).await.json()["decision"].clone();
    assert_eq!((d["action"].as_str(), d["policy"]["hash"].as_str()), (Some("escalate"), Some(old.as_str())));
    let d = post(addr, "/v1/conversations/after/messages", r#"{"role":"customer","text":"I want a real person"}"#)
        .await
        .json()["decision"]
        .clone();
    assert_eq!((d["action"].as_str(), d["policy"]["hash"].as_str()), (Some("flag"), Some(new.as_str())));
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn reload_on_request_and_on_sighup() {
    let dir = policy_dir("sighup");
    let mut c = config(&dir);
    c.watch = false;
    c.reload_on_sighup = true;
    let server = start(c).await;
    let addr = server.addr();
    let old = server.policy();
    let file = dir.join("support.handoff");

    assert_eq!(server.reload().await, ReloadOutcome::Unchanged(old.clone()));
    write_atomically(&file, &broken_policy());
    assert!(matches!(server.reload().await, ReloadOutcome::Rejected { serving, .. } if serving == old));
    std::fs::remove_file(&file).unwrap();
    assert!(matches!(server.reload().await, ReloadOutcome::Rejected { serving, .. } if serving == old));
    assert_eq!(metric(addr, r#"handoff_policy_reloads_total{result="failed"}"#).await, 2.0);

    write_atomically(&file, &POLICY.replace("version 1", "version 3"));
    let status = std::process::Command::new("kill").args(["-HUP", &std::process::id().to_string()]).status().unwrap();
    assert!(status.success());
    eventually("the SIGHUP reload", || async { get(addr, "/v1/policy").await.json()["version"] == 3 }).await;
    assert_ne!(server.policy().hash, old.hash);
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn sessions_are_bounded_in_number_and_idle_time() {
    let mut c = config(&policy_dir("evict"));
    c.max_sessions = 2;
    c.session_idle = Duration::from_millis(300);
    let server = start(c).await;
    let addr = server.addr();
    let hello = r#"{"role":"customer","text":"hello"}"#;

    for id in ["a", "b", "c"] {
        assert_eq!(post(addr, &format!("/v1/conversations/{id}/messages"), hello).await.status, 200);
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert_eq!(metric(addr, r#"handoff_session_evictions_total{reason="capacity"}"#).await, 1.0);
    assert_eq!(get(addr, "/v1/conversations/a").await.status, 404, "the least recently used went first");
    assert_eq!(get(addr, "/v1/conversations/c").await.status, 200);
    assert_eq!(metric(addr, "handoff_sessions_open").await, 2.0);

    eventually("idle eviction", || async { metric(addr, "handoff_sessions_open").await == 0.0 }).await;
    assert_eq!(metric(addr, r#"handoff_session_evictions_total{reason="idle"}"#).await, 2.0);
    // An evicted conversation starts afresh.
    let v = post(addr, "/v1/conversations/c/messages", hello).await.json();
    assert_eq!((v["created"].as_bool(), v["decision"]["messages"].as_u64()), (Some(true), Some(1)));
    server.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_clients_get_their_own_answers() {
    let server = start(config(&policy_dir("concurrent"))).await;
    let addr = server.addr();
    let mut clients = Vec::new();
    for client in 0..16 {
        clients.push(tokio::spawn(async move {
            for round in 0..20 {
                let tier = if client % 2 == 0 { "gold" } else { "silver" };
                let c = conversation(&format!("c{client}-{round}"), tier, &["hi", "hello", "I want a refund"]);
                let d = post(addr, "/v1/evaluate", &c.to_string()).await.json()["decision"].clone();
                let want = if tier == "gold" { "escalate" } else { "offer" };
                assert_eq!(d["action"].as_str(), Some(want));
                let path = format!("/v1/conversations/live-{client}/messages");
                let v = post(addr, &path, &format!(r#"{{"role":"customer","text":"message {round}"}}"#)).await.json();
                assert_eq!(
                    v["decision"]["messages"].as_u64(),
                    Some(round + 1),
                    "messages of one conversation stay in order"
                );
            }
        }));
    }
    for c in clients {
        c.await.unwrap();
    }
    assert_eq!(metric(addr, r#"handoff_evaluation_duration_seconds_count{endpoint="evaluate"}"#).await, 320.0);
    assert_eq!(metric(addr, "handoff_sessions_open").await, 16.0);
    server.shutdown().await.unwrap();
}

#[test]
fn the_binary_serves_until_terminated() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};
    let dir = policy_dir("binary");
    let mut child = Command::new(env!("CARGO_BIN_EXE_handoff"))
        .args(["serve", "--policy"])
        .arg(dir.join("support.handoff"))
        .args(["--bind", "127.0.0.1:0", "--session-idle", "2m", "--max-body", "64KiB"])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let serving: Value = lines
        .by_ref()
        .map_while(Result::ok)
        .map(|l| serde_json::from_str::<Value>(&l).unwrap())
        .find(|v| v["fields"]["message"] == "serving")
        .unwrap();
    let addr: SocketAddr = serving["fields"]["addr"].as_str().unwrap().parse().unwrap();
    assert!(addr.ip().is_loopback());
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let r = runtime.block_on(get(addr, "/healthz"));
    assert_eq!(r.status, 200);
    // Other lines (the watcher, reloads) may come first: find the request's own.
    let request_log: Value = lines
        .by_ref()
        .map_while(Result::ok)
        .map(|l| serde_json::from_str::<Value>(&l).unwrap())
        .find(|v| v["fields"]["route"] == "/healthz")
        .unwrap();
    assert!(request_log["fields"]["request_id"].as_str().is_some_and(|id| !id.is_empty()));
    assert!(request_log["fields"]["latency_us"].is_u64());

    let killed = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(killed.success());
    assert_eq!(child.wait().unwrap().code(), Some(0));
}

#[test]
fn the_binary_refuses_a_broken_policy() {
    let dir = policy_dir("binary-broken");
    let file = dir.join("support.handoff");
    write_atomically(&file, &broken_policy());
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_handoff"))
        .args(["serve", "--bind", "127.0.0.1:0", "--policy"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unexpected"));
}
