//! Evaluating policies: the compiled policy, sessions (one message at a time),
//! decisions with evidence, and explanations.

pub(crate) mod attributes;
pub mod compile;
mod compile_err;
pub(crate) mod context;
pub(crate) mod decision;
pub mod explain;
pub(crate) mod outcome;
pub(crate) mod program;
pub(crate) mod session;
pub(crate) mod value;

use std::path::Path;

use sha2::{Digest, Sha256};

use crate::analysis::{Analysis, PolicyError, Problem};
use crate::transcript::Conversation;
pub use compile_err::CompileError;
pub use context::Context;
pub use decision::{ActionKind, Decision, Evidence, FiredRule, PolicyRef, Priority};
pub use outcome::Outcome;
use program::Program;
pub use session::{AttributeSource, Attributes, Buffers, Session};

/// When a conversation is decided.
///
/// ```
/// use handoff::{Context, Mode, Policy};
///
/// let policy = Policy::from_source("p.handoff", r#"
/// policy "p" version 1
/// queues { general "General" }
/// rule refund {
///   when customer.last mentions ["refund"]
///   escalate to general
/// }
/// "#)?;
/// let conversation = handoff::transcript::parse_json("c.json", r#"{"id": "c", "messages": [
///   {"role": "customer", "text": "I want a refund"},
///   {"role": "customer", "text": "never mind, thanks"}
/// ]}"#)?;
/// let context = Context::default();
/// // Live: the rule holds at message 1, and a live service would have escalated then.
/// assert_eq!(policy.evaluate_as(&conversation, &context, Mode::Live).at_message, Some(1));
/// // Finished: at the end the latest customer message is not about a refund.
/// assert_eq!(policy.evaluate_as(&conversation, &context, Mode::Finished).label(), "none");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// As a live service decides: after each message, in order, stopping at the
    /// first escalation. A rule that held at some message fires there, whatever
    /// comes after.
    #[default]
    Live,
    /// The conversation as a whole: every message is seen, then each rule is decided
    /// once on the final state (its windows at the last message, `turns` counting
    /// every customer message). A rule fires at the last message or not at all.
    /// For replaying finished transcripts; a conversation without messages decides
    /// nothing, as in [`Mode::Live`].
    Finished,
}

/// A checked policy compiled for evaluation. `Send + Sync`: share it across
/// threads behind an `Arc` (or a plain reference), no locks needed.
///
/// Loading checks the policy first; a policy with errors never compiles, and
/// the error holds every diagnostic:
///
/// ```
/// use handoff::Policy;
///
/// let source = "policy \"support\" version 1\nqueues {\n  general \"General\"\n}\n\
///               rule r {\n  when turns >= 3\n  escalate to billing\n}\n";
/// let error = Policy::from_source("support.handoff", source).unwrap_err();
/// assert_eq!(error.errors.len(), 1);
/// let report = handoff::render::plain(&error); // what `handoff check` prints
/// assert!(report.contains("billing"), "{report}");
///
/// let fixed = source.replace("billing", "general");
/// let policy = Policy::from_source("support.handoff", &fixed).unwrap();
/// assert_eq!((policy.name(), policy.version()), ("support", 1));
/// assert_eq!(policy.hash().len(), 64); // SHA-256 of the text, hex
/// // Warnings do not stop a policy: this one has no rule for "I want a person".
/// assert_eq!(policy.warnings().len(), 1);
/// ```
#[derive(Debug)]
pub struct Policy {
    program: Program,
    reference: PolicyRef,
    source: String,
    file: String,
    warnings: Vec<Problem>,
    /// The example files the policy's intents were read from.
    example_files: Vec<std::path::PathBuf>,
}

impl Policy {
    /// Parses, checks and compiles a policy's text. `name` labels diagnostics
    /// (usually the file's path).
    pub fn from_source(name: &str, source: &str) -> Result<Policy, PolicyError> {
        Policy::from_analysis(&Analysis::new(name, source))
    }

    /// [`Policy::from_source`], reading the example files the policy names
    /// (`intents from "file"`) relative to `dir`.
    pub fn from_source_in(name: &str, source: &str, dir: &Path) -> Result<Policy, PolicyError> {
        Policy::from_analysis(&Analysis::new_in(name, source, Some(dir)))
    }

    /// Reads, checks and compiles a policy file (and the example files it names).
    pub fn load(path: impl AsRef<Path>) -> Result<Policy, PolicyError> {
        let path = path.as_ref();
        let analysis = Analysis::read(path).map_err(PolicyError::io)?;
        Policy::from_analysis(&analysis)
    }

    /// Compiles an analysed policy, if it has no errors.
    pub fn from_analysis(analysis: &Analysis) -> Result<Policy, PolicyError> {
        let ast = match (&analysis.ast, analysis.has_errors()) {
            (Some(ast), false) => ast,
            _ => return Err(PolicyError::from_analysis(analysis)),
        };
        let program = compile::compile_with(ast, &analysis.regexes, &analysis.intents).map_err(|error| {
            let mut a = analysis.clone();
            a.problems.push(Problem::Compile(error));
            PolicyError::from_analysis(&a)
        })?;
        // The text, and what the intents were learnt from: the same text with other
        // examples decides differently, so it is another version.
        let mut hasher = Sha256::new();
        hasher.update(analysis.source.as_bytes());
        if !analysis.intents.is_empty() {
            hasher.update(b"\0handoff intents\0");
            hasher.update(analysis.intents.fingerprint().as_bytes());
        }
        let hash: String = hasher.finalize().iter().map(|b| format!("{b:02x}")).collect();
        Ok(Policy {
            program,
            reference: PolicyRef { name: ast.name.node.as_str().into(), version: ast.version.node, hash: hash.into() },
            source: analysis.source.clone(),
            file: analysis.name.clone(),
            warnings: analysis.warnings().cloned().collect(),
            example_files: analysis.intents.files.iter().map(|f| f.path.clone()).collect(),
        })
    }

    /// Name, version and content hash: every decision carries these.
    pub fn reference(&self) -> &PolicyRef {
        &self.reference
    }

    pub fn name(&self) -> &str {
        &self.reference.name
    }

    pub fn version(&self) -> u64 {
        self.reference.version
    }

    pub fn hash(&self) -> &str {
        &self.reference.hash
    }

    pub fn source(&self) -> &str {
        &self.source
    }

    /// The file (or label) the policy was loaded from.
    pub fn file(&self) -> &str {
        &self.file
    }

    /// The example files its intents were read from (`intents from "..."`): a
    /// reload must read them again even when the policy's text is unchanged.
    pub fn example_files(&self) -> &[std::path::PathBuf] {
        &self.example_files
    }

    /// The checker's warnings (a policy with errors never compiles).
    pub fn warnings(&self) -> &[Problem] {
        &self.warnings
    }

    /// The rules' names, in policy order.
    pub fn rule_names(&self) -> impl Iterator<Item = &str> {
        self.program.rules.iter().map(|r| r.name.as_str())
    }

    /// The declared queues' names.
    pub fn queue_names(&self) -> impl Iterator<Item = &str> {
        self.program.queues.iter().map(|q| q.name.as_str())
    }

    pub(crate) fn program(&self) -> &Program {
        &self.program
    }

    /// What a live service would have decided: a session over the messages,
    /// stopping at the first escalation ([`Mode::Live`]).
    pub fn evaluate(&self, conversation: &Conversation, context: &Context) -> Decision {
        self.evaluate_as(conversation, context, Mode::Live)
    }

    /// The decision on the conversation as a whole ([`Mode::Finished`]): every message
    /// is seen, then each rule is decided once on the state they leave.
    pub fn evaluate_finished(&self, conversation: &Conversation, context: &Context) -> Decision {
        self.evaluate_as(conversation, context, Mode::Finished)
    }

    /// [`Policy::evaluate`] or [`Policy::evaluate_finished`], as `mode` says.
    pub fn evaluate_as(&self, conversation: &Conversation, context: &Context, mode: Mode) -> Decision {
        self.in_session(conversation, context, true, |session| {
            session.run_as(&conversation.messages, mode);
        })
        .0
    }

    /// The outcome [`Policy::evaluate_as`] would decide, without its names, reasons or
    /// evidence: no allocation once the thread's buffers are warm. Names come from
    /// [`Policy::rule_name`] and [`Policy::queue_name`]; the full decision, when it is
    /// wanted, from [`Policy::decision_for`].
    ///
    /// ```
    /// use handoff::{ActionKind, Context, Mode, Policy};
    ///
    /// let policy = Policy::from_source("p.handoff", r#"
    /// policy "p" version 1
    /// queues { general "General" }
    /// rule human { when customer.last mentions ["human"] escalate to general }
    /// "#)?;
    /// let conversation = handoff::transcript::parse_json("c.json",
    ///     r#"{"id": "c", "messages": [{"role": "customer", "text": "a human please"}]}"#)?;
    /// let context = Context::default();
    /// let outcome = policy.outcome(&conversation, &context, Mode::Live);
    /// assert_eq!((outcome.action, outcome.at_message), (ActionKind::Escalate, Some(1)));
    /// assert_eq!(outcome.rule.and_then(|r| policy.rule_name(r)), Some("human"));
    /// assert_eq!(outcome.queue.and_then(|q| policy.queue_name(q)), Some("general"));
    /// // The evidence for this one only.
    /// let decision = policy.decision_for(&outcome, &conversation, &context);
    /// assert_eq!(decision, policy.evaluate(&conversation, &context));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn outcome(&self, conversation: &Conversation, context: &Context, mode: Mode) -> Outcome {
        self.in_session(conversation, context, false, |session| {
            session.run_as(&conversation.messages, mode);
        })
        .1
    }

    /// The full decision, with its evidence, for an outcome [`Policy::outcome`] gave
    /// for this conversation and context: evaluated again in the outcome's mode,
    /// over the messages it read (a live decision that escalated early reads no
    /// further).
    pub fn decision_for(&self, outcome: &Outcome, conversation: &Conversation, context: &Context) -> Decision {
        let read = conversation.messages.get(..outcome.messages as usize).unwrap_or(&conversation.messages);
        self.in_session(conversation, context, true, |session| {
            session.run_as(read, outcome.mode);
        })
        .0
    }

    /// Runs `work` in a session over this conversation built in this thread's spare
    /// buffers, and returns its decision and outcome.
    fn in_session(
        &self,
        conversation: &Conversation,
        context: &Context,
        evidence: bool,
        work: impl FnOnce(&mut Session<&Policy, &Conversation, &Context>),
    ) -> (Decision, Outcome) {
        thread_local! {
            /// The buffers of this thread's previous evaluation.
            static SPARE: std::cell::Cell<Option<session::Buffers>> = const { std::cell::Cell::new(None) };
        }
        let spare = SPARE.take().unwrap_or_default();
        // The session reads the conversation's attributes and the context in place: no copy.
        let mut session = Session::with_buffers(self, conversation, context, spare);
        if !evidence {
            session = session.outcomes_only();
        }
        work(&mut session);
        let outcome = session.outcome();
        let (decision, spare) = session.into_parts();
        SPARE.set(Some(spare));
        (decision, outcome)
    }

    /// The name of the rule at this position in the policy (an [`Outcome::rule`]).
    pub fn rule_name(&self, index: u32) -> Option<&str> {
        self.program.rules.get(index as usize).map(|r| r.name.as_str())
    }

    /// The name of the queue at this position among the declared queues (an
    /// [`Outcome::queue`]).
    pub fn queue_name(&self, index: u32) -> Option<&str> {
        self.program.queues.get(index as usize).map(|q| q.name.as_str())
    }

    /// A session for one live conversation.
    /// The context may be owned or borrowed (`&Context`).
    pub fn session<C: std::borrow::Borrow<Context>>(
        &self,
        attributes: Attributes,
        context: C,
    ) -> Session<&Policy, Attributes, C> {
        Session::new(self, attributes, context)
    }
}

#[cfg(test)]
#[path = "tests.rs"]
mod tests;

#[cfg(test)]
#[path = "prefix_tests.rs"]
mod prefix_tests;

#[cfg(test)]
#[path = "mode_tests.rs"]
mod mode_tests;
