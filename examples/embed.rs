//! The evaluator embedded in a small service: messages from many conversations
//! arrive as JSON Lines on stdin, and a decision comes out on stdout for each.
//!
//! Each input line is a message with the conversation's id beside it; the first
//! line of a conversation may carry its attributes:
//!
//! ```text
//! {"conversation": "c1", "customer": {"tier": "gold"}, "role": "customer", "text": "hi"}
//! {"conversation": "c1", "role": "customer", "text": "I was charged twice"}
//! ```
//!
//! A conversation that is escalated goes to a person, so its session ends there.
//! A bad line is reported on stderr (with the field at fault) and skipped.
//! The policy file is reloaded on each `{"reload": true}` line: a policy with
//! errors is refused and the old one keeps serving; conversations already open
//! keep the policy they started with.
//!
//! ```text
//! cargo run --example embed -- tests/fixtures/serve/support.handoff < tests/fixtures/serve/messages.jsonl
//! ```

use std::collections::HashMap;
use std::io::{BufRead, Write};
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use handoff::{Attributes, Context, Decision, Message, Policy, Session};
use serde::Deserialize;
use serde_json::{json, Map, Value};

/// What a line says besides the message itself.
#[derive(Deserialize)]
struct Envelope {
    #[serde(default)]
    conversation: Option<String>,
    #[serde(default)]
    reload: bool,
    #[serde(default)]
    channel: Option<String>,
    #[serde(default)]
    customer: Map<String, Value>,
    #[serde(default)]
    metadata: Map<String, Value>,
}

/// Open conversations and the policy new ones start with.
struct Service {
    policy: Arc<Policy>,
    sessions: HashMap<String, Session<Arc<Policy>>>,
}

impl Service {
    /// Takes one line and returns what to print.
    fn handle(&mut self, line: &str, policy_file: &Path) -> Result<Option<Value>, String> {
        let envelope: Envelope = serde_json::from_str(line).map_err(|e| e.to_string())?;
        if envelope.reload {
            return Ok(Some(self.reload(policy_file)));
        }
        let id = envelope.conversation.ok_or("a message line needs a \"conversation\" id")?;
        let mut de = serde_json::Deserializer::from_str(line);
        let message: Message =
            serde_path_to_error::deserialize(&mut de).map_err(|e| format!("{}: {}", e.path(), e.inner()))?;
        let session = self.sessions.entry(id.clone()).or_insert_with(|| {
            let attributes =
                Attributes { channel: envelope.channel, customer: envelope.customer, metadata: envelope.metadata };
            Session::new(Arc::clone(&self.policy), attributes, Context::default())
        });
        let decision = session.push(&message).clone();
        if decision.is_escalation() {
            self.sessions.remove(&id);
        }
        Ok(Some(json!({ "conversation": id, "decision": summary(&decision) })))
    }

    fn reload(&mut self, policy_file: &Path) -> Value {
        match Policy::load(policy_file) {
            Ok(p) => {
                self.policy = Arc::new(p);
                json!({ "reloaded": self.policy.reference() })
            }
            Err(e) => {
                eprint!("{}", handoff::render::plain(&e));
                json!({ "reload_refused": e.errors.len(), "serving": self.policy.reference() })
            }
        }
    }
}

/// The decision in a few fields, with the evidence of the deciding rule.
fn summary(d: &Decision) -> Value {
    let evidence = d.rules.iter().find(|r| Some(&r.rule) == d.rule.as_ref()).map(|r| &r.evidence);
    json!({
        "action": d.action,
        "queue": d.queue,
        "rule": d.rule,
        "at_message": d.at_message,
        "messages": d.messages,
        "reasons": d.reasons,
        "flags": d.flags,
        "evidence": evidence,
        "policy": d.policy.hash.get(..12),
    })
}

fn main() -> ExitCode {
    let Some(policy_file) = std::env::args_os().nth(1) else {
        eprintln!("usage: embed POLICY < messages.jsonl");
        return ExitCode::from(2);
    };
    let policy_file = Path::new(&policy_file);
    let policy = match Policy::load(policy_file) {
        Ok(p) => p,
        Err(e) => {
            eprint!("{}", handoff::render::plain(&e));
            return ExitCode::from(2);
        }
    };
    let mut service = Service { policy: Arc::new(policy), sessions: HashMap::new() };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    for (n, line) in std::io::stdin().lock().lines().enumerate() {
        let Ok(line) = line else { break };
        if line.trim().is_empty() {
            continue;
        }
        match service.handle(&line, policy_file) {
            Ok(Some(v)) => {
                if writeln!(out, "{v}").is_err() {
                    break;
                }
            }
            Ok(None) => {}
            Err(e) => eprintln!("line {}: {e}", n + 1),
        }
    }
    ExitCode::SUCCESS
}
