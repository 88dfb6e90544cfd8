//! Live conversations held by the server: one `Session` per conversation id,
//! bounded in number (the least recently used goes first) and in idle time.
//!
//! A session keeps the policy it started with until it ends, so a reload never
//! changes the rules half-way through a conversation; its decisions keep naming
//! that policy's hash. A session holds its signals' windows, not the history, and
//! at most `--max-messages` messages are taken, so its memory is bounded too.
//!
//! Locking: the map's mutex is held only to find, add or remove an entry; each
//! session has its own mutex, so messages to different conversations never wait
//! for each other. The map's lock is never taken while a session's is held.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use crate::eval::{Attributes, Context, Policy, Session};

/// One live conversation.
#[derive(Debug)]
pub struct Live {
    pub session: Session<Arc<Policy>>,
    /// What the conversation started with, to refuse a later message that
    /// says something else.
    pub attributes: Attributes,
    pub context: Context,
}

/// A conversation's slot in the store.
#[derive(Debug)]
pub struct Entry {
    live: Mutex<Live>,
    /// Milliseconds since the store's epoch.
    last_seen: AtomicU64,
    /// Set when the entry leaves the store; a request still holding it retries.
    closed: AtomicBool,
}

impl Entry {
    /// The session, locked. A poisoned lock still holds a consistent session:
    /// nothing in a push can panic half-way, and the crate forbids panics.
    pub fn lock(&self) -> MutexGuard<'_, Live> {
        self.live.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Whether the entry left the store (deleted or evicted).
    pub fn is_closed(&self) -> bool {
        self.closed.load(Ordering::Acquire)
    }
}

/// What `SessionStore::open` found.
#[derive(Debug)]
pub struct Opened {
    pub entry: Arc<Entry>,
    /// The conversation is new.
    pub created: bool,
    /// Sessions evicted to make room (at most one) or found idle.
    pub evicted_capacity: u64,
    pub evicted_idle: u64,
}

#[derive(Debug)]
pub struct SessionStore {
    entries: Mutex<HashMap<String, Arc<Entry>>>,
    epoch: Instant,
    max_sessions: usize,
    idle: Duration,
}

impl SessionStore {
    pub fn new(max_sessions: usize, idle: Duration) -> SessionStore {
        SessionStore { entries: Mutex::new(HashMap::new()), epoch: Instant::now(), max_sessions, idle }
    }

    fn map(&self) -> MutexGuard<'_, HashMap<String, Arc<Entry>>> {
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn now_ms(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    fn idle_ms(&self) -> u64 {
        u64::try_from(self.idle.as_millis()).unwrap_or(u64::MAX)
    }

    fn is_idle(&self, entry: &Entry, now: u64) -> bool {
        now.saturating_sub(entry.last_seen.load(Ordering::Relaxed)) > self.idle_ms()
    }

    /// Open sessions.
    pub fn len(&self) -> usize {
        self.map().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The conversation's entry, made with `start` when there is none (or the
    /// one there has been idle too long).
    pub fn open(&self, id: &str, start: impl FnOnce() -> Live) -> Opened {
        let now = self.now_ms();
        let mut map = self.map();
        let mut evicted_idle = 0;
        if let Some(entry) = map.get(id) {
            if !self.is_idle(entry, now) {
                entry.last_seen.store(now, Ordering::Relaxed);
                return Opened { entry: Arc::clone(entry), created: false, evicted_capacity: 0, evicted_idle: 0 };
            }
            if let Some(old) = map.remove(id) {
                old.closed.store(true, Ordering::Release);
                evicted_idle = 1;
            }
        }
        let mut evicted_capacity = 0;
        while map.len() >= self.max_sessions {
            let oldest = map.iter().min_by_key(|(_, e)| e.last_seen.load(Ordering::Relaxed)).map(|(k, _)| k.clone());
            let Some(old) = oldest.and_then(|k| map.remove(&k)) else { break };
            old.closed.store(true, Ordering::Release);
            evicted_capacity += 1;
        }
        let entry = Arc::new(Entry { live: Mutex::new(start()), last_seen: AtomicU64::new(now), closed: false.into() });
        map.insert(id.to_string(), Arc::clone(&entry));
        Opened { entry, created: true, evicted_capacity, evicted_idle }
    }

    /// The conversation's entry, if it is open and not idle too long.
    pub fn get(&self, id: &str) -> Option<Arc<Entry>> {
        let now = self.now_ms();
        self.map().get(id).filter(|e| !self.is_idle(e, now)).map(Arc::clone)
    }

    /// Marks the entry as used now.
    pub fn touch(&self, entry: &Entry) {
        entry.last_seen.store(self.now_ms(), Ordering::Relaxed);
    }

    /// Ends a conversation, returning its entry if it was open.
    pub fn remove(&self, id: &str) -> Option<Arc<Entry>> {
        let entry = self.map().remove(id)?;
        entry.closed.store(true, Ordering::Release);
        Some(entry)
    }

    /// Drops every session idle for too long; returns how many.
    pub fn sweep(&self) -> u64 {
        let now = self.now_ms();
        let mut map = self.map();
        let mut n = 0;
        map.retain(|_, e| {
            let keep = !self.is_idle(e, now);
            if !keep {
                e.closed.store(true, Ordering::Release);
                n += 1;
            }
            keep
        });
        n
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn live() -> Live {
        let policy = Policy::from_source(
            "t",
            "policy \"t\" version 1\nqueues {\n  general \"General\"\n}\nrule r {\n  when turns >= 2\n  escalate to general\n}\n",
        )
        .unwrap();
        Live {
            session: Session::new(Arc::new(policy), Attributes::default(), Context::default()),
            attributes: Attributes::default(),
            context: Context::default(),
        }
    }

    #[test]
    fn evicts_the_least_recently_used_when_full() {
        let store = SessionStore::new(2, Duration::from_secs(60));
        assert!(store.open("a", live).created);
        std::thread::sleep(Duration::from_millis(5));
        let b = store.open("b", live).entry;
        std::thread::sleep(Duration::from_millis(5));
        assert!(!store.open("a", live).created, "a is used again, so b is now the oldest");
        let c = store.open("c", live);
        assert_eq!((c.created, c.evicted_capacity), (true, 1));
        assert!(b.is_closed());
        assert_eq!(store.len(), 2);
        assert!(store.remove("b").is_none());
        assert!(store.remove("a").is_some_and(|e| e.is_closed()));
    }

    #[test]
    fn idle_sessions_expire() {
        let store = SessionStore::new(10, Duration::from_millis(20));
        let a = store.open("a", live).entry;
        store.open("b", live);
        std::thread::sleep(Duration::from_millis(40));
        let again = store.open("a", live);
        assert_eq!((again.created, again.evicted_idle), (true, 1));
        assert!(a.is_closed());
        assert_eq!(store.sweep(), 1, "b expired too");
        assert_eq!(store.len(), 1);
    }
}
