//! What one `Session::push` costs in instructions, which a busy machine does not
//! disturb (criterion's per-message rows move by a third from run to run on two cores).
//!
//! `push_cost VARIANT MESSAGES N` builds N sessions over the eval bench's 20-message
//! conversation under the shipped policy, each pushing its first MESSAGES messages.
//! Counting instructions of MESSAGES = 11 and of 10 under
//! `valgrind --tool=cachegrind --cache-sim=no`, the difference over N is one push of the
//! 11th message after a warm session, as `benches/eval.rs`'s `push one message` rows time it.
//! Variants: `builtin` (no sentiment annotations: the built-in analyser runs),
//! `annotated`, `forms` (the 11th message needs word rewrites: "disputing", "somneone"),
//! `exactly` (every `mentions` list `exactly`, the forms message). docs/performance.md
//! has the script and the figures.

use std::hint::black_box;
use std::process::ExitCode;

use handoff::{Attributes, Context, Conversation, Message, Policy};

#[path = "../benches/support/conversation.rs"]
mod conversation;

/// The bench's message that needs both word rewrites.
const FORMS: &str = "I wanted to see about disputing a charge, can I contact somneone";

fn main() -> ExitCode {
    match run() {
        Ok(pushed) => {
            println!("{pushed} messages pushed");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("push_cost: {e}\nusage: push_cost builtin|annotated|forms|exactly MESSAGES N");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<u64, String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [variant, take, n] = args.as_slice() else { return Err("three arguments".into()) };
    let take: usize = take.parse().map_err(|e| format!("MESSAGES: {e}"))?;
    let n: usize = n.parse().map_err(|e| format!("N: {e}"))?;
    let shipped = include_str!("../policies/payments.handoff");
    let source = match variant.as_str() {
        // As benches/eval.rs: the checker refuses `exactly` beside `with typos`.
        "exactly" => shipped
            .replace(" with typos", "")
            .replace("mentions [", "mentions exactly [")
            .replace("mentions person_phrases", "mentions exactly person_phrases"),
        "builtin" | "annotated" | "forms" => shipped.to_owned(),
        other => return Err(format!("unknown variant {other}")),
    };
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/policies");
    let policy = Policy::from_source_in("payments.handoff", &source, dir.as_ref()).map_err(|e| format!("{e:?}"))?;
    let json = conversation::bench_json(variant != "builtin");
    let conversation: Conversation = serde_json::from_str(&json).map_err(|e| e.to_string())?;
    let mut messages: Vec<Message> = conversation.messages.iter().take(11).cloned().collect();
    if matches!(variant.as_str(), "forms" | "exactly") {
        if let Some(eleventh) = messages.get_mut(10) {
            eleventh.text = FORMS.into();
        }
    }
    let context = Context::default();
    let mut pushed = 0;
    for _ in 0..n {
        let mut session = policy.session(Attributes::of(&conversation), &context);
        for message in messages.iter().take(take) {
            session.push(black_box(message));
        }
        pushed += u64::from(session.messages());
    }
    Ok(pushed)
}
