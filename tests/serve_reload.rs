//! Hot reload that cannot half-load, however the file is replaced: a file
//! still being written, a Kubernetes ConfigMap's symlink swap, a directory
//! deleted and made again; and what `/v1/policy` says when a reload fails.

mod serve_common;

use std::path::Path;
use std::time::Duration;

use handoff::serve::ReloadOutcome;
use serve_common::*;

fn version(n: u64) -> String {
    POLICY.replace("version 1", &format!("version {n}"))
}

/// Polls `/v1/policy` until it serves version `n`.
async fn serves_version(addr: std::net::SocketAddr, n: u64) {
    eventually(&format!("version {n}"), || async { get(addr, "/v1/policy").await.json()["version"] == n }).await;
}

#[tokio::test]
async fn a_file_still_being_written_is_not_served() {
    let dir = policy_dir("half-written");
    let mut c = config(&dir);
    c.watch = false;
    c.reload_debounce = Duration::from_millis(800); // the settle interval
    let server = start(c).await;
    let addr = server.addr();
    let rules = get(addr, "/v1/policy").await.json()["rules"].clone();

    // Written in place, in two parts: the first alone is a valid policy with
    // no rules, which must never serve. The reload starts reading after the
    // first part.
    let full = version(2);
    let cut = full.find("let asked_for_human").unwrap();
    let file = dir.join("support.handoff");
    std::fs::write(&file, &full[..cut]).unwrap();
    let (outcome, ()) = tokio::join!(server.reload(), async {
        tokio::time::sleep(Duration::from_millis(50)).await;
        std::fs::write(&file, &full).unwrap();
    });
    let ReloadOutcome::Swapped { to, .. } = outcome else { panic!("{outcome:?}") };
    assert_eq!(to.version, 2);
    let v = get(addr, "/v1/policy").await.json();
    assert_eq!((&v["version"], &v["rules"]), (&serde_json::json!(2), &rules), "the whole file serves");
    assert_eq!(metric(addr, r#"handoff_policy_reloads_total{result="succeeded"}"#).await, 1.0);
    server.shutdown().await.unwrap();
}

#[cfg(unix)]
fn symlink(target: &str, link: &Path) {
    std::os::unix::fs::symlink(target, link).unwrap();
}

/// What the kubelet does on a ConfigMap update: the data in a new timestamped
/// directory, a new `..data_tmp` symlink to it renamed over `..data`, the old
/// directory removed.
#[cfg(unix)]
fn configmap_update(dir: &Path, stamp: &str, text: &str, old: Option<&str>) {
    let data = dir.join(stamp);
    std::fs::create_dir(&data).unwrap();
    std::fs::write(data.join("support.handoff"), text).unwrap();
    symlink(stamp, &dir.join("..data_tmp"));
    std::fs::rename(dir.join("..data_tmp"), dir.join("..data")).unwrap();
    if let Some(old) = old {
        std::fs::remove_dir_all(dir.join(old)).unwrap();
    }
}

#[cfg(unix)]
#[tokio::test]
async fn a_configmap_symlink_swap_is_seen() {
    let dir = policy_dir("configmap");
    std::fs::remove_file(dir.join("support.handoff")).unwrap();
    configmap_update(&dir, "..2026_12_02_08_00_00.1", &version(1), None);
    symlink("..data/support.handoff", &dir.join("support.handoff"));
    let mut c = config(&dir);
    // Only events can make this quick: polling alone would take a minute.
    c.watch_poll = Duration::from_secs(60);
    let server = start(c).await;
    let addr = server.addr();

    configmap_update(&dir, "..2026_12_02_08_01_00.2", &version(2), Some("..2026_12_02_08_00_00.1"));
    serves_version(addr, 2).await;
    // The second swap: the watch followed the first one.
    configmap_update(&dir, "..2026_12_02_08_02_00.3", &version(3), Some("..2026_12_02_08_01_00.2"));
    serves_version(addr, 3).await;
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_recreated_directory_is_watched_again() {
    let base = policy_dir("recreated");
    let dir = base.join("conf");
    std::fs::create_dir(&dir).unwrap();
    write_atomically(&dir.join("support.handoff"), &version(1));
    let mut c = config(&dir);
    c.watch_poll = Duration::from_millis(100);
    let server = start(c).await;
    let addr = server.addr();

    std::fs::remove_dir_all(&dir).unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    std::fs::create_dir(&dir).unwrap();
    write_atomically(&dir.join("support.handoff"), &version(2));
    serves_version(addr, 2).await;
    // Edits in the new directory are seen too.
    write_atomically(&dir.join("support.handoff"), &version(3));
    serves_version(addr, 3).await;
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn the_policy_endpoint_shows_no_absolute_path_or_os_error() {
    let dir = policy_dir("private");
    assert!(dir.is_absolute());
    let mut c = config(&dir);
    c.watch = false;
    let server = start(c).await;
    let addr = server.addr();
    let private = dir.parent().unwrap().display().to_string();

    write_atomically(&dir.join("support.handoff"), &broken_policy());
    let ReloadOutcome::Rejected { diagnostics, .. } = server.reload().await else { panic!("the broken file loaded") };
    assert!(diagnostics.contains("support.handoff"), "the file is named: {diagnostics}");
    let shown = get(addr, "/v1/policy").await.body;
    assert!(shown.contains("last_rejected_reload") && !shown.contains(&private), "{shown}");

    std::fs::remove_file(dir.join("support.handoff")).unwrap();
    let ReloadOutcome::Rejected { diagnostics, .. } = server.reload().await else { panic!("a missing file loaded") };
    // Named as the server was given it, relative to the working directory (the
    // test's temp dir may sit inside it, as `target/` does in a clone), never absolute.
    let named = diagnostics
        .strip_prefix("cannot read the policy file ")
        .and_then(|rest| rest.strip_suffix(": it does not exist (or a directory on its path does not)"))
        .unwrap_or_else(|| panic!("unexpected wording: {diagnostics}"));
    assert!(named.ends_with("support.handoff") && !named.starts_with('/'), "{named}");
    assert!(!diagnostics.contains(&private), "{diagnostics}");
    let shown = get(addr, "/v1/policy").await.body;
    for private in [private.as_str(), "os error", "No such file"] {
        assert!(!shown.contains(private), "{private:?} in {shown}");
    }
    assert!(shown.contains("it does not exist"), "{shown}");
    server.shutdown().await.unwrap();
}
