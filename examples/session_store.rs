//! How long opening a new conversation takes when the session store is full
//! (so every open evicts the least recently used), at 1,000 and at 200,000
//! sessions. Eviction is O(log n): the two should be close. Best of 5 rounds of
//! 20,000 opens each, both sizes in one process.
//!
//! ```text
//! cargo run --release --example session_store
//! ```

use std::sync::Arc;
use std::time::{Duration, Instant};

use handoff::serve::sessions::{context_digest, Live, SessionStore, Shared, SESSION_BYTES};
use handoff::{Attributes, Context, Policy, Session};

const POLICY: &str = include_str!("../tests/fixtures/serve/support.handoff");
const OPENS: usize = 20_000;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let policy = Arc::new(Policy::from_source("support.handoff", POLICY)?);
    let attributes = Shared(Arc::new(Attributes::default()));
    let live = || Live {
        session: Session::new(Arc::clone(&policy), attributes.clone(), Context::default()),
        attributes: attributes.clone(),
        context: context_digest(&Context::default()),
        bytes: SESSION_BYTES,
    };
    for size in [1_000usize, 200_000] {
        let store = SessionStore::new(size, usize::MAX, Duration::from_secs(3600));
        for i in 0..size {
            store.open(&format!("old-{i}"), SESSION_BYTES, live);
        }
        let mut best = Duration::MAX;
        for round in 0..5 {
            let ids: Vec<String> = (0..OPENS).map(|i| format!("new-{round}-{i}")).collect();
            let started = Instant::now();
            let mut evicted = 0;
            for id in &ids {
                evicted += store.open(id, SESSION_BYTES, live).evicted_capacity;
            }
            best = best.min(started.elapsed());
            assert_eq!(evicted as usize, OPENS, "every open evicts one");
        }
        println!(
            "{size:>7} sessions: a new conversation (evicting one) takes {:.2} µs",
            best.as_secs_f64() * 1e6 / OPENS as f64
        );
    }
    Ok(())
}
