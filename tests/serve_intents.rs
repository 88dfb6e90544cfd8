//! A served policy with learnt intents: a reload reads its example files again,
//! so a change to one alone (with the policy's text unchanged) is served after
//! SIGHUP or an explicit reload, and a reload with nothing changed swaps nothing.

mod serve_common;

use handoff::serve::ReloadOutcome;
use serve_common::*;

#[tokio::test]
async fn a_changed_example_file_is_served_after_a_reload() {
    let dir = policy_dir("intents");
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/intents");
    std::fs::create_dir_all(dir.join("examples")).unwrap();
    let examples = dir.join("examples/payments.intents");
    let original = std::fs::read_to_string(fixtures.join("examples/payments.intents")).unwrap();
    write_atomically(&examples, &original);
    write_atomically(&dir.join("support.handoff"), &std::fs::read_to_string(fixtures.join("support.handoff")).unwrap());
    let mut c = config(&dir);
    c.watch = false;
    let server = start(c).await;

    let ReloadOutcome::Unchanged(first) = server.reload().await else { panic!("nothing changed, yet it swapped") };
    write_atomically(&examples, &format!("{original}- refund me now please\n"));
    let ReloadOutcome::Swapped { from, to } = server.reload().await else { panic!("the new example was not loaded") };
    assert_eq!(from, first);
    assert_ne!(to.hash, from.hash);
    assert!(matches!(server.reload().await, ReloadOutcome::Unchanged(now) if now == to));
}
