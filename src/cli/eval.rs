//! `handoff eval`: one conversation (or a JSON Lines file of them) through a policy,
//! with a readable summary, an optional explanation tree, or JSON for machines.

use std::io::Read;
use std::path::Path;

use super::{Format, EXIT_FAIL, EXIT_OK, EXIT_USAGE};
use crate::check::context::check_context_file;
use crate::eval::explain::evaluate_explained;
use crate::eval::{Context, Mode, Policy};
use crate::render::{self, summary};
use crate::transcript::{self, JsonLines, Noted};

/// `how`: whether to explain, and when to decide ([`Mode`]).
pub fn run(policy: &Path, conversation: &Path, context: Option<&Path>, how: (bool, Mode), format: Format) -> u8 {
    let (explain, mode) = how;
    let policy = match Policy::load(policy) {
        Ok(p) => p,
        Err(e) => {
            super::files::print_policy_error(&e);
            return EXIT_USAGE;
        }
    };
    let queues: Vec<&str> = policy.queue_names().collect();
    let context = match load_context(context, Some(&queues)) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let conversations = match read_conversations(conversation) {
        Ok(c) => c,
        Err(e) => {
            eprint!("{}", render::graphical(&e));
            // A file that cannot be read is I/O (2); one that reads but is not a conversation, 1.
            return if matches!(e.kind(), transcript::TranscriptErrorKind::Io(_)) { EXIT_USAGE } else { EXIT_FAIL };
        }
    };
    for (c, unknown) in &conversations {
        // A misspelled field makes a rule on it never fire: say so beside the decision.
        for field in unknown {
            eprintln!("warning[handoff::transcript::unknown_field]: {}: {}: {field}", conversation.display(), c.id);
        }
        // The explanation only when asked for: it costs more than the decision.
        let (decision, explanation) = if explain {
            let (decision, explanation) = evaluate_explained(&policy, c, &context, mode);
            (decision, Some(explanation))
        } else {
            (policy.evaluate_as(c, &context, mode), None)
        };
        match format {
            Format::Json => {
                let mut value = match &explanation {
                    Some(explanation) => {
                        serde_json::json!({ "conversation": c.id, "decision": decision, "explanation": explanation })
                    }
                    None => serde_json::json!({ "conversation": c.id, "decision": decision }),
                };
                if !unknown.is_empty() {
                    let warnings: Vec<String> = unknown.iter().map(ToString::to_string).collect();
                    if let Some(object) = value.as_object_mut() {
                        object.insert("warnings".to_owned(), serde_json::json!(warnings));
                    }
                }
                super::emit(&format!("{}\n", serde_json::to_string(&value).unwrap_or_default()));
            }
            Format::Text => {
                super::emit(&summary(&c.id, &decision));
                if let Some(explanation) = &explanation {
                    super::emit(&explanation.render());
                }
            }
        }
    }
    EXIT_OK
}

/// Reads `--context` and checks it against the policy's queues (`None` when no policy
/// is known yet): every problem is printed located in the file, and the exit code is
/// returned when the context cannot be used (2 when unreadable, 1 when it has problems).
pub fn load_context(path: Option<&Path>, queues: Option<&[&str]>) -> Result<Context, u8> {
    let Some(path) = path else { return Ok(Context::default()) };
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) => {
            eprintln!("error: {}: {e}", path.display());
            return Err(EXIT_USAGE);
        }
    };
    let problems = check_context_file(&path.display().to_string(), &text, queues);
    if !problems.is_empty() {
        for p in &problems {
            eprint!("{}", render::graphical(p));
        }
        return Err(EXIT_FAIL);
    }
    Context::from_json(&text).map_err(|e| {
        eprintln!("error: {}: {e}", path.display());
        EXIT_FAIL
    })
}

/// One `.json` conversation, a `.jsonl` file of them, or `-` for standard input,
/// each with the fields its reader did not know.
pub fn read_conversations(path: &Path) -> Result<Vec<Noted>, transcript::TranscriptError> {
    if path == Path::new("-") {
        let mut text = String::new();
        let _ = std::io::stdin().read_to_string(&mut text);
        return transcript::parse_json_noting("<stdin>", &text).map(|c| vec![c]);
    }
    let is_lines = path.extension().is_some_and(|e| e == "jsonl") || path.to_string_lossy().ends_with(".jsonl.gz");
    if is_lines {
        let mut lines = JsonLines::open(path)?;
        let mut read = Vec::new();
        while let Some(conversation) = lines.next() {
            read.push((conversation?, lines.unknown_fields().to_vec()));
        }
        Ok(read)
    } else {
        transcript::read_json_file_noting(path).map(|c| vec![c])
    }
}
