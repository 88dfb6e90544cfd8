//! After warm-up, pushing messages into a session allocates nothing: the steady state
//! of a service that decides after every message. A counting global allocator (this
//! test binary's own) counts every allocation of the thread under test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use handoff::{ActionKind, Attributes, Context, Message, Policy, Role, Session};

/// The system allocator, counting the allocations (and reallocations) made by a
/// thread while it is counting.
struct Counting;

thread_local! {
    static COUNTING: Cell<bool> = const { Cell::new(false) };
    static COUNT: Cell<u64> = const { Cell::new(0) };
}

fn note() {
    // `try_with`: the thread-locals may be gone while a thread exits.
    if COUNTING.try_with(Cell::get).unwrap_or(false) {
        let _ = COUNT.try_with(|c| c.set(c.get() + 1));
    }
}

// SAFETY: every call is passed to the system allocator unchanged; counting touches
// only const-initialised thread-locals, which never allocate.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note();
        // SAFETY: the caller's contract is the system allocator's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        note();
        // SAFETY: as above.
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note();
        // SAFETY: as above.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: as above.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Allocations `work` makes on this thread.
fn allocations(work: impl FnOnce()) -> u64 {
    COUNT.with(|c| c.set(0));
    COUNTING.with(|c| c.set(true));
    work();
    COUNTING.with(|c| c.set(false));
    COUNT.with(Cell::get)
}

/// Phrases, a regex and sentiment, over windows of each kind; no rule fires on the
/// messages below, so the decision never changes.
const POLICY: &str = r#"policy "steady" version 1
queues {
  general "General"
  disputes "Disputes"
}
rule human {
  when customer.last mentions ["real person", "human agent"] unless negated and turns > 1000
  escalate to general
}
rule dispute {
  when customer.any matches /charge ?back|dispute/i and sentiment(customer.last 3) < -0.9
  escalate to disputes
}
rule mood {
  when sentiment(customer.any) < -0.99 and min_sentiment(customer.last 4) < -0.99
  offer human via general
}
"#;

const TEXTS: &[(Role, &str)] = &[
    (Role::Customer, "hello, my card payment did not go through"),
    (Role::Bot, "Sorry to hear that. Can you tell me more?"),
    (Role::Customer, "I paid twice for the same order and I am not happy"),
    (Role::Bot, "I can look into that for you."),
    (Role::Customer, "thanks, that would be great"),
    (Role::Agent, "Hi, I am here to help."),
];

#[test]
fn pushing_messages_after_warm_up_allocates_nothing() {
    let policy = Policy::from_source("steady.handoff", POLICY).unwrap();
    let context = Context::default();
    let mut session = Session::new(&policy, Attributes::default(), &context);
    let messages: Vec<Message> = TEXTS.iter().map(|(role, text)| Message::new(*role, *text)).collect();
    // Warm-up: every window fills to its size and every scratch buffer grows once.
    for _ in 0..4 {
        for m in &messages {
            session.push(m);
        }
    }
    let steady = allocations(|| {
        for _ in 0..50 {
            for m in &messages {
                session.push(m);
            }
        }
    });
    assert_eq!(session.decision().action, ActionKind::None);
    assert_eq!(steady, 0, "allocations in 300 pushes after warm-up");
}

/// The one allocation left: a phrase or pattern hit keeps the matched text for its
/// evidence (a session keeps windows, not the conversation, so the text cannot be
/// sliced from the message later), a `Box<str>` of the match, freed when the entry
/// leaves the window. Messages without a hit, the common case, allocate nothing; a hit
/// allocates exactly once per signal it satisfies.
#[test]
fn a_phrase_or_pattern_hit_allocates_its_matched_text_once() {
    let policy = Policy::from_source("steady.handoff", POLICY).unwrap();
    let context = Context::default();
    let mut session = Session::new(&policy, Attributes::default(), &context);
    let texts = [
        ("I want a chargeback", 1),         // the regex
        ("get me a real person", 1),        // a phrase
        ("a human agent and a dispute", 2), // both
        ("fine", 0),
    ];
    let messages: Vec<Message> = texts.iter().map(|(t, _)| Message::new(Role::Customer, *t)).collect();
    for _ in 0..4 {
        for m in &messages {
            session.push(m);
        }
    }
    for _ in 0..10 {
        for (m, (text, hits)) in messages.iter().zip(texts) {
            assert_eq!(
                allocations(|| {
                    session.push(m);
                }),
                hits,
                "{text}"
            );
        }
    }
    assert_eq!(session.decision().action, ActionKind::None);
}
