//! Live conversations held by the server: one `Session` per conversation id,
//! bounded in number, in estimated memory (each session and all of them), and
//! in idle time. The least recently used session goes first.
//!
//! A session keeps the policy it started with until it ends, so a reload never
//! changes the rules half-way through a conversation; its decisions keep naming
//! that policy's hash. A session holds its signals' windows, not the history, and
//! its attributes once (shared with the check that later messages repeat them).
//!
//! Memory is an estimate ([`start_bytes`], [`MESSAGE_BYTES`]): heap bytes of the
//! attributes and context as serde_json holds them, plus each message's text.
//!
//! Locking: the map's mutex is held only to find, add, touch or remove an entry;
//! each session has its own mutex, so messages to different conversations never
//! wait for each other. The map's lock is never taken while a session's is held.
//! Entries are also ordered by last use (a `BTreeMap`), so finding the least
//! recently used costs O(log n), not a scan.

use std::collections::{BTreeMap, HashMap};
use std::mem::size_of;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use super::metrics::SessionGauges;
use crate::eval::{AttributeSource, Attributes, Context, Policy, Session};

/// Estimated bytes of a session with no attributes: the session's own state,
/// the entry, the map slots.
pub const SESSION_BYTES: usize = 2048;

/// Estimated bytes a message adds besides its text (window entries).
pub const MESSAGE_BYTES: usize = 64;

/// A conversation's attributes, held once: the session reads them, and later
/// messages are compared with them.
#[derive(Debug, Clone)]
pub struct Shared(pub Arc<Attributes>);

impl AttributeSource for Shared {
    fn channel(&self) -> Option<&str> {
        self.0.channel.as_deref()
    }
    fn customer(&self) -> &Map<String, Value> {
        &self.0.customer
    }
    fn metadata(&self) -> &Map<String, Value> {
        &self.0.metadata
    }
}

/// One live conversation.
#[derive(Debug)]
pub struct Live {
    pub session: Session<Arc<Policy>, Shared>,
    /// What the conversation started with (the same allocation the session reads).
    pub attributes: Shared,
    /// The context's digest: the context itself is held by the session only.
    pub context: [u8; 32],
    /// Estimated heap bytes.
    pub bytes: usize,
}

/// A context's digest, to compare a later message's context with the first one's.
pub fn context_digest(context: &Context) -> [u8; 32] {
    Sha256::digest(serde_json::to_vec(context).unwrap_or_default()).into()
}

/// Estimated heap bytes of a new session with these attributes and context.
pub fn start_bytes(id: &str, attributes: &Attributes, context: &Context) -> usize {
    let context = serde_json::to_vec(context).map_or(0, |v| v.len());
    SESSION_BYTES
        + 2 * id.len()
        + attributes.channel.as_ref().map_or(0, |c| c.len())
        + map_bytes(&attributes.customer)
        + map_bytes(&attributes.metadata)
        + context
}

/// Heap bytes of a JSON object as serde_json holds it (a B-tree of `String`
/// keys and `Value`s): every entry costs its key, its value and the tree's share.
pub fn map_bytes(map: &Map<String, Value>) -> usize {
    /// An entry's key and value, its share of a partly filled B-tree node, and
    /// the key's allocation. Measured: 200 maps of 2,807 keys `k0`.. with
    /// numbers took 141.6 bytes an entry of resident memory (glibc malloc).
    const ENTRY: usize = size_of::<String>() + size_of::<Value>() + 80;
    map.iter().map(|(k, v)| ENTRY + k.len() + value_bytes(v)).sum()
}

fn value_bytes(value: &Value) -> usize {
    // serde_json nests at most 128 levels, so this recursion is bounded.
    match value {
        Value::String(s) => s.len().next_multiple_of(16) + 16,
        Value::Array(items) => items.iter().map(|v| size_of::<Value>() + value_bytes(v)).sum::<usize>() + 16,
        Value::Object(map) => map_bytes(map),
        Value::Null | Value::Bool(_) | Value::Number(_) => 0,
    }
}

/// A conversation's slot in the store.
#[derive(Debug)]
pub struct Entry {
    live: Mutex<Live>,
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
    /// Sessions evicted to make room, by reason, or found idle.
    pub evicted_capacity: u64,
    pub evicted_memory: u64,
    pub evicted_idle: u64,
}

/// (last use in ms since the store's epoch, a tie-breaking sequence number).
type Age = (u64, u64);

#[derive(Debug)]
struct Slot {
    entry: Arc<Entry>,
    age: Age,
    bytes: usize,
}

#[derive(Debug, Default)]
struct Inner {
    by_id: HashMap<Arc<str>, Slot>,
    by_age: BTreeMap<Age, Arc<str>>,
    bytes: usize,
    seq: u64,
}

impl Inner {
    fn next_age(&mut self, now: u64) -> Age {
        self.seq = self.seq.wrapping_add(1);
        (now, self.seq)
    }

    fn remove(&mut self, id: &str) -> Option<Arc<Entry>> {
        let slot = self.by_id.remove(id)?;
        self.by_age.remove(&slot.age);
        self.bytes = self.bytes.saturating_sub(slot.bytes);
        slot.entry.closed.store(true, Ordering::Release);
        Some(slot.entry)
    }

    /// Removes the least recently used entry if `pick` wants it (given its age).
    fn remove_oldest_if(&mut self, pick: impl FnOnce(u64) -> bool) -> bool {
        let Some(((last_seen, _), id)) = self.by_age.first_key_value() else { return false };
        if !pick(*last_seen) {
            return false;
        }
        let id = Arc::clone(id);
        self.remove(&id).is_some()
    }
}

#[derive(Debug)]
pub struct SessionStore {
    inner: Mutex<Inner>,
    epoch: Instant,
    max_sessions: usize,
    max_bytes: usize,
    idle: Duration,
}

impl SessionStore {
    /// At most `max_sessions` sessions and `max_bytes` estimated bytes, each
    /// idle for at most `idle`.
    pub fn new(max_sessions: usize, max_bytes: usize, idle: Duration) -> SessionStore {
        SessionStore { inner: Mutex::new(Inner::default()), epoch: Instant::now(), max_sessions, max_bytes, idle }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn now_ms(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    fn is_idle(&self, last_seen: u64, now: u64) -> bool {
        let idle = u64::try_from(self.idle.as_millis()).unwrap_or(u64::MAX);
        now.saturating_sub(last_seen) > idle
    }

    /// Open sessions and their estimated bytes.
    pub fn gauges(&self) -> SessionGauges {
        let inner = self.lock();
        SessionGauges { open: inner.by_id.len(), bytes: inner.bytes }
    }

    /// Open sessions.
    pub fn len(&self) -> usize {
        self.lock().by_id.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The conversation's entry, made with `start` when there is none (or the
    /// one there has been idle too long). `bytes` is the new session's estimate.
    pub fn open(&self, id: &str, bytes: usize, start: impl FnOnce() -> Live) -> Opened {
        let now = self.now_ms();
        let mut inner = self.lock();
        let mut evicted_idle = 0;
        if let Some(slot) = inner.by_id.get(id) {
            if !self.is_idle(slot.age.0, now) {
                let entry = Arc::clone(&slot.entry);
                let age = slot.age;
                let fresh = inner.next_age(now);
                if let Some(key) = inner.by_age.remove(&age) {
                    inner.by_age.insert(fresh, key);
                }
                if let Some(slot) = inner.by_id.get_mut(id) {
                    slot.age = fresh;
                }
                return Opened { entry, created: false, evicted_capacity: 0, evicted_memory: 0, evicted_idle: 0 };
            }
            inner.remove(id);
            evicted_idle = 1;
        }
        let (mut evicted_capacity, mut evicted_memory) = (0, 0);
        while inner.by_id.len() >= self.max_sessions && inner.remove_oldest_if(|_| true) {
            evicted_capacity += 1;
        }
        while inner.bytes.saturating_add(bytes) > self.max_bytes && inner.remove_oldest_if(|_| true) {
            evicted_memory += 1;
        }
        let entry = Arc::new(Entry { live: Mutex::new(start()), closed: false.into() });
        let key: Arc<str> = Arc::from(id);
        let age = inner.next_age(now);
        inner.by_age.insert(age, Arc::clone(&key));
        inner.by_id.insert(key, Slot { entry: Arc::clone(&entry), age, bytes });
        inner.bytes = inner.bytes.saturating_add(bytes);
        Opened { entry, created: true, evicted_capacity, evicted_memory, evicted_idle }
    }

    /// The conversation's entry, if it is open and not idle too long.
    pub fn get(&self, id: &str) -> Option<Arc<Entry>> {
        let now = self.now_ms();
        self.lock().by_id.get(id).filter(|s| !self.is_idle(s.age.0, now)).map(|s| Arc::clone(&s.entry))
    }

    /// Marks the entry as used now, holding `bytes` (its new estimate).
    /// Returns how many other sessions were evicted to keep the total in bounds.
    pub fn touch(&self, id: &str, entry: &Arc<Entry>, bytes: usize) -> u64 {
        let now = self.now_ms();
        let mut inner = self.lock();
        let Some(slot) = inner.by_id.get(id).filter(|s| Arc::ptr_eq(&s.entry, entry)) else { return 0 };
        let (old_age, old_bytes) = (slot.age, slot.bytes);
        let fresh = inner.next_age(now);
        if let Some(key) = inner.by_age.remove(&old_age) {
            inner.by_age.insert(fresh, key);
        }
        if let Some(slot) = inner.by_id.get_mut(id) {
            slot.age = fresh;
            slot.bytes = bytes;
        }
        inner.bytes = inner.bytes.saturating_sub(old_bytes).saturating_add(bytes);
        let mut evicted = 0;
        // This entry is the most recently used: it goes last, and only if it
        // alone is over the budget, which the per-session limit prevents.
        while inner.bytes > self.max_bytes && inner.by_id.len() > 1 && inner.remove_oldest_if(|_| true) {
            evicted += 1;
        }
        evicted
    }

    /// Ends a conversation, returning its entry if it was open.
    pub fn remove(&self, id: &str) -> Option<Arc<Entry>> {
        self.lock().remove(id)
    }

    /// Drops every session idle for too long, oldest first; returns how many.
    pub fn sweep(&self) -> u64 {
        let now = self.now_ms();
        let mut inner = self.lock();
        let mut n = 0;
        while inner.remove_oldest_if(|last_seen| self.is_idle(last_seen, now)) {
            n += 1;
        }
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
        let attributes = Shared(Arc::new(Attributes::default()));
        Live {
            session: Session::new(Arc::new(policy), attributes.clone(), Context::default()),
            attributes,
            context: context_digest(&Context::default()),
            bytes: SESSION_BYTES,
        }
    }

    fn store(max: usize) -> SessionStore {
        SessionStore::new(max, usize::MAX, Duration::from_secs(60))
    }

    #[test]
    fn evicts_the_least_recently_used_when_full() {
        let store = store(2);
        assert!(store.open("a", 1, live).created);
        let b = store.open("b", 1, live).entry;
        assert!(!store.open("a", 1, live).created, "a is used again, so b is now the oldest");
        let c = store.open("c", 1, live);
        assert_eq!((c.created, c.evicted_capacity), (true, 1));
        assert!(b.is_closed());
        assert_eq!(store.len(), 2);
        assert!(store.remove("b").is_none());
        assert!(store.remove("a").is_some_and(|e| e.is_closed()));
    }

    #[test]
    fn eviction_follows_use_order_not_creation_order() {
        let store = store(3);
        let entries: Vec<_> = ["a", "b", "c"].iter().map(|id| store.open(id, 1, live).entry).collect();
        // Use order now: b, a, c (c most recent).
        store.touch("b", &entries[1], 1);
        store.touch("a", &entries[0], 1);
        store.touch("c", &entries[2], 1);
        let closed_after = |id: &str| {
            store.open(id, 1, live);
            entries.iter().map(|e| e.is_closed()).collect::<Vec<_>>()
        };
        assert_eq!(closed_after("d"), [false, true, false], "b was used least recently");
        assert_eq!(closed_after("e"), [true, true, false]);
        assert_eq!(closed_after("f"), [true, true, true]);
        // A touch through a stale entry (same id, another session) changes nothing.
        assert_eq!(store.touch("d", &entries[0], 1_000_000), 0);
        assert_eq!(store.gauges().bytes, 3);
    }

    #[test]
    fn bytes_are_bounded_across_sessions() {
        let store = SessionStore::new(100, 10_000, Duration::from_secs(60));
        let a = store.open("a", 4_000, live).entry;
        let b = store.open("b", 4_000, live).entry;
        let c = store.open("c", 4_000, live);
        assert_eq!((c.evicted_memory, a.is_closed(), store.gauges().bytes), (1, true, 8_000));
        // b grows: c, now the oldest, makes room.
        assert_eq!(store.touch("b", &b, 7_000), 1);
        assert!(c.entry.is_closed() && !b.is_closed());
        assert_eq!(store.gauges().bytes, 7_000);
        assert_eq!(store.remove("b").map(|_| store.gauges().bytes), Some(0));
    }

    #[test]
    fn idle_sessions_expire() {
        let store = SessionStore::new(10, usize::MAX, Duration::from_millis(20));
        let a = store.open("a", 1, live).entry;
        store.open("b", 1, live);
        std::thread::sleep(Duration::from_millis(40));
        let again = store.open("a", 1, live);
        assert_eq!((again.created, again.evicted_idle), (true, 1));
        assert!(a.is_closed());
        assert_eq!(store.sweep(), 1, "b expired too");
        assert_eq!(store.len(), 1);
    }

    #[test]
    fn estimates_grow_with_keys_and_values() {
        let mut small = Attributes::default();
        small.metadata.insert("k".into(), Value::from(1));
        let mut big = small.clone();
        for i in 0..1000 {
            big.metadata.insert(format!("k{i}"), Value::from("v"));
        }
        let ctx = Context::default();
        let (s, b) = (start_bytes("x", &small, &ctx), start_bytes("x", &big, &ctx));
        assert!(s > SESSION_BYTES && b > s + 1000 * (size_of::<String>() + size_of::<Value>()), "{s} {b}");
    }
}
