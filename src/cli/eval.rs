//! `handoff eval`: one conversation (or a JSON Lines file of them) through a policy,
//! with a readable summary, an optional explanation tree, or JSON for machines.

use std::io::Read;
use std::path::Path;

use super::{Format, EXIT_FAIL, EXIT_OK, EXIT_USAGE};
use crate::eval::explain::Explanation;
use crate::eval::{Attributes, Context, Decision, Evidence, Policy};
use crate::render;
use crate::transcript::{self, Conversation, JsonLines};

pub fn run(policy: &Path, conversation: &Path, context: Option<&Path>, explain: bool, format: Format) -> u8 {
    let policy = match Policy::load(policy) {
        Ok(p) => p,
        Err(e) => {
            eprint!("{}", render::graphical(&e));
            return EXIT_USAGE;
        }
    };
    let context = match load_context(context) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_USAGE;
        }
    };
    let conversations = match read_conversations(conversation) {
        Ok(c) => c,
        Err(e) => {
            eprint!("{}", render::graphical(&e));
            return EXIT_FAIL;
        }
    };
    for c in &conversations {
        let (decision, explanation) = evaluate_explained(&policy, c, &context);
        match format {
            Format::Json => {
                let value = if explain {
                    serde_json::json!({ "conversation": c.id, "decision": decision, "explanation": explanation })
                } else {
                    serde_json::json!({ "conversation": c.id, "decision": decision })
                };
                println!("{}", serde_json::to_string(&value).unwrap_or_default());
            }
            Format::Text => {
                print!("{}", summary(&c.id, &decision));
                if explain {
                    print!("{}", explanation.render());
                }
            }
        }
    }
    EXIT_OK
}

/// Reads `--context`, naming the field at fault.
pub fn load_context(path: Option<&Path>) -> Result<Context, String> {
    let Some(path) = path else { return Ok(Context::default()) };
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    Context::from_json(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// One `.json` conversation, a `.jsonl` file of them, or `-` for standard input.
pub fn read_conversations(path: &Path) -> Result<Vec<Conversation>, transcript::TranscriptError> {
    if path == Path::new("-") {
        let mut text = String::new();
        let _ = std::io::stdin().read_to_string(&mut text);
        return transcript::parse_json("<stdin>", &text).map(|c| vec![c]);
    }
    let is_lines = path.extension().is_some_and(|e| e == "jsonl") || path.to_string_lossy().ends_with(".jsonl.gz");
    if is_lines {
        JsonLines::open(path)?.collect()
    } else {
        transcript::read_json_file(path).map(|c| vec![c])
    }
}

/// Runs a session and keeps the explanation taken at the deciding message.
pub fn evaluate_explained(policy: &Policy, c: &Conversation, context: &Context) -> (Decision, Explanation) {
    let mut session = policy.session(Attributes::of(c), context.clone());
    let mut explanation = None;
    let mut decided_at = None;
    for m in &c.messages {
        let d = session.push(m);
        let escalated = d.is_escalation();
        if d.at_message != decided_at {
            decided_at = d.at_message;
            explanation = Some(session.explain());
        }
        if escalated {
            break;
        }
    }
    let explanation = explanation.unwrap_or_else(|| session.explain());
    (session.into_decision(), explanation)
}

/// The decision in a few readable lines.
pub fn summary(id: &str, d: &Decision) -> String {
    let mut s = format!("conversation {id}: {}", d.action.as_str());
    if let Some(q) = &d.queue {
        s.push_str(&format!(" to {q}"));
    }
    if let Some(from) = &d.fallback_from {
        s.push_str(&format!(" (fallback: {from} is closed)"));
    }
    if let Some(p) = d.priority {
        s.push_str(&format!(", priority {}", p.as_str()));
    }
    if let (Some(rule), Some(at)) = (&d.rule, d.at_message) {
        s.push_str(&format!(", by rule {rule} at message {at}"));
    }
    s.push_str(&format!(" ({} message(s) evaluated)\n", d.messages));
    for r in &d.reasons {
        s.push_str(&format!("  reason: {r}\n"));
    }
    if !d.flags.is_empty() {
        s.push_str(&format!("  flags: {}\n", d.flags.join(", ")));
    }
    for f in &d.rules {
        s.push_str(&format!("  fired: {} at message {} ({})\n", f.rule, f.message, f.action.as_str()));
        for e in &f.evidence {
            s.push_str(&format!("    evidence: {}\n", evidence_line(e)));
        }
    }
    s.push_str(&format!(
        "  policy: {} version {} ({})\n",
        d.policy.name,
        d.policy.version,
        d.policy.hash.get(..12).unwrap_or(&d.policy.hash)
    ));
    s
}

pub fn evidence_line(e: &Evidence) -> String {
    match e {
        Evidence::Phrase { message, phrase, matched, .. } => {
            format!("message {message} mentions {phrase:?} (as {matched:?})")
        }
        Evidence::Pattern { message, pattern, matched, .. } => {
            format!("message {message} matches /{pattern}/ (as {matched:?})")
        }
        Evidence::Sentiment { messages, values, value } => {
            let parts: Vec<String> = messages.iter().zip(values).map(|(m, v)| format!("#{m}: {:.3}", v)).collect();
            format!("sentiment {:.3} over [{}]", value, parts.join(", "))
        }
        Evidence::Repeat { message, repeats, similarity, text } => {
            format!("message {message} repeats message {repeats} (similarity {similarity:.2}): {text:?}")
        }
        Evidence::Count { messages, count } => {
            let list: Vec<String> = messages.iter().map(|m| format!("#{m}")).collect();
            format!("{count} counted: {}", list.join(", "))
        }
        Evidence::Intent { message, intent, confidence } => match confidence {
            Some(c) => format!("message {message} has intent {intent:?} (confidence {c:.2})"),
            None => format!("message {message} has intent {intent:?}"),
        },
        Evidence::Entity { message, entity } => format!("message {message} has entity {entity:?}"),
    }
}
