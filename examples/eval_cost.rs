//! What evaluating the eval bench's 20-message conversation costs in instructions, which a
//! busy machine does not disturb (criterion's rows move by a third from run to run on two cores).
//!
//! `eval_cost VARIANT N` loads the policy and parses the bench's conversation once, then
//! evaluates it N times, as `benches/eval.rs`'s "conversation of 20 messages" rows time it.
//! Counting instructions of N = 1001 and N = 1 under
//! `valgrind --tool=cachegrind --cache-sim=no`, the difference over 1000 is one evaluation
//! (start-up, policy compilation and parsing cancel out).
//! Variants (the bench's row in brackets):
//! - `annotated`: payments.handoff, sentiment annotated (evaluate (annotated sentiment));
//! - `builtin`: payments.handoff, the built-in analyser (evaluate (built-in sentiment));
//! - `starter`: starter.handoff, annotated (evaluate starter policy (annotated sentiment));
//! - `hours`: payments.handoff, annotated, business hours for every queue in the context
//!   (evaluate (annotated sentiment, hours in the context));
//! - `parse`: serde_json parse + evaluate, annotated (parse + evaluate (annotated));
//! - `floor`: serde_json parse only, annotated (serde_json parse (floor, annotated)).
//!
//! It calls only what both 066a03c and later commits export (`Policy::load`,
//! `Policy::from_source`, `Policy::evaluate`, `Context::from_json`), so the same file
//! builds in either tree's `examples/`.

use std::hint::black_box;
use std::process::ExitCode;

use handoff::{Context, Conversation, Policy};

#[path = "../benches/support/conversation.rs"]
mod conversation;

/// benches/eval.rs's context: every queue of the shipped policy with hours, not in UTC.
#[path = "../benches/support/hours.rs"]
mod hours;
use hours::HOURS_CONTEXT;

fn main() -> ExitCode {
    match run() {
        Ok(evaluated) => {
            println!("{evaluated} evaluations");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("eval_cost: {e}\nusage: eval_cost annotated|builtin|starter|hours|parse|floor N");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<usize, String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [variant, n] = args.as_slice() else { return Err("two arguments".into()) };
    let n: usize = n.parse().map_err(|e| format!("N: {e}"))?;
    let policy = match variant.as_str() {
        "starter" => Policy::from_source("starter.handoff", include_str!("../policies/starter.handoff")),
        "annotated" | "builtin" | "hours" | "parse" | "floor" => {
            Policy::load(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/payments.handoff"))
        }
        other => return Err(format!("unknown variant {other}")),
    }
    .map_err(|e| format!("{e:?}"))?;
    let context = if variant == "hours" {
        Context::from_json(HOURS_CONTEXT).map_err(|e| format!("{e:?}"))?
    } else {
        Context::default()
    };
    let json = conversation::bench_json(variant != "builtin");
    let conversation: Conversation = serde_json::from_str(&json).map_err(|e| e.to_string())?;
    let mut evaluated = 0;
    for _ in 0..n {
        let decision = match variant.as_str() {
            "parse" => {
                let parsed: Conversation = serde_json::from_str(black_box(&json)).map_err(|e| e.to_string())?;
                policy.evaluate(&parsed, &context)
            }
            "floor" => {
                let parsed: Conversation = serde_json::from_str(black_box(&json)).map_err(|e| e.to_string())?;
                black_box(parsed);
                continue;
            }
            _ => policy.evaluate(black_box(&conversation), &context),
        };
        drop(black_box(decision));
        evaluated += 1;
    }
    Ok(evaluated)
}
