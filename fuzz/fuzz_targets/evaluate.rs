//! Random conversations under random policies. The policies are built from a
//! small grammar (so most of them check clean), the conversations from a
//! small vocabulary plus arbitrary text. Oracles: a check-clean policy
//! compiles; evaluating never panics; the explained decision, a fresh session
//! fed one message at a time, and a second evaluation (reusing the thread's
//! buffers after another policy) all agree.
#![no_main]

use arbitrary::Arbitrary;
use handoff::explain::evaluate_explained;
use handoff::transcript::Message;
use handoff::{Attributes, Context, Conversation, Mode, Policy, Role};
use libfuzzer_sys::fuzz_target;
use serde_json::{Map, Value};

const WORDS: [&str; 16] = [
    "human",
    "agent",
    "refund",
    "not",
    "sorry",
    "didn't",
    "understand",
    "card",
    "never",
    "please",
    "terrible",
    "great",
    "fraud",
    "speak to someone",
    "chat",
    "vip",
];
const QUEUES: [&str; 3] = ["general", "billing", "disputes"];
const REGEXES: [&str; 5] = [r"/refund/", r"/sorr(y|ies)/i", r"/^\d+$/", r"/\b(card|fraud)\b/i", r"/./s"];

fn word(i: u8) -> &'static str {
    WORDS.get(usize::from(i) % WORDS.len()).copied().unwrap_or("human")
}

fn queue(i: u8) -> &'static str {
    QUEUES.get(usize::from(i) % QUEUES.len()).copied().unwrap_or("general")
}

#[derive(Debug, Arbitrary)]
enum Sel {
    Last(u8, u8),
    Any(u8),
    Within(u8, u16),
}

impl Sel {
    fn render(&self) -> String {
        let role = |r: &u8| ["customer", "bot", "agent", "system", "messages"][usize::from(*r) % 5];
        match self {
            Sel::Last(r, n) => format!("{}.last {}", role(r), n % 6 + 1),
            Sel::Any(r) => format!("{}.any", role(r)),
            Sel::Within(r, s) => format!("{}.within {}s", role(r), s % 3600 + 1),
        }
    }

    /// For the functions that need a window (`.any` is not one).
    fn bounded(&self) -> String {
        match self {
            Sel::Any(r) => Sel::Last(*r, 3).render(),
            other => other.render(),
        }
    }
}

#[derive(Debug, Arbitrary)]
enum Num {
    Turns,
    Sentiment(Sel),
    MinSentiment(Sel),
    Trend(Sel),
    Confidence(Sel),
    Count(Sel),
    CountMatching(Sel, u8),
    Fallbacks(Sel),
    Repeats(Sel, u8),
    AgentsFree(u8),
    Literal(i16),
}

impl Num {
    fn render(&self) -> String {
        match self {
            Num::Turns => "turns".into(),
            Num::Sentiment(s) => format!("sentiment({})", s.render()),
            Num::MinSentiment(s) => format!("min_sentiment({})", s.render()),
            Num::Trend(s) => format!("sentiment_trend({})", s.bounded()),
            Num::Confidence(s) => format!("confidence({})", s.render()),
            Num::Count(s) => format!("count({})", s.render()),
            Num::CountMatching(s, r) => {
                format!("count({}, matching: {})", s.render(), REGEXES[usize::from(*r) % REGEXES.len()])
            }
            Num::Fallbacks(s) => format!("fallbacks({})", s.render()),
            Num::Repeats(s, x) => format!("repeats({}, similarity: 0.{})", s.bounded(), x % 10),
            Num::AgentsFree(q) => format!("agents_free({})", queue(*q)),
            Num::Literal(n) => format!("{}", f64::from(*n) / 100.0),
        }
    }
}

#[derive(Debug, Arbitrary)]
enum Cond {
    Mentions(Sel, Vec<u8>, bool),
    Matches(Sel, u8),
    Compare(Num, u8, Num),
    HasIntent(Sel, u8),
    HasEntity(Sel, u8),
    IntentIs(Sel, u8),
    Channel(u8),
    Attribute(bool, u8, u8),
    Open(u8),
    InHours(u8),
    Duration(u8, u16),
    Let(u8),
    Bool(bool),
    Not(Box<Cond>),
    And(Box<Cond>, Box<Cond>),
    Or(Box<Cond>, Box<Cond>),
}

impl Cond {
    fn render(&self, lets: usize, depth: usize) -> String {
        if depth > 8 {
            return "true".into();
        }
        match self {
            Cond::Mentions(s, words, negated) => {
                let list: Vec<String> = words.iter().take(6).map(|w| format!("{:?}", word(*w))).collect();
                let list = if list.is_empty() { "\"human\"".to_string() } else { list.join(", ") };
                format!("{} mentions [{list}]{}", s.render(), if *negated { " unless negated" } else { "" })
            }
            Cond::Matches(s, r) => format!("{} matches {}", s.render(), REGEXES[usize::from(*r) % REGEXES.len()]),
            Cond::Compare(a, op, b) => {
                let op = ["<", "<=", ">", ">=", "==", "!="][usize::from(*op) % 6];
                format!("{} {op} {}", a.render(), b.render())
            }
            Cond::HasIntent(s, w) => format!("has_intent({}, {:?})", s.render(), word(*w)),
            Cond::HasEntity(s, w) => format!("has_entity({}, {:?})", s.render(), word(*w)),
            Cond::IntentIs(s, w) => format!("intent({}) == {:?}", s.render(), word(*w)),
            Cond::Channel(w) => format!("channel == {:?}", word(*w)),
            Cond::Attribute(customer, key, w) => {
                let root = if *customer { "customer" } else { "metadata" };
                format!("{root}.{} == {:?}", ["tier", "plan", "label"][usize::from(*key) % 3], word(*w))
            }
            Cond::Open(q) => format!("open({})", queue(*q)),
            Cond::InHours(q) => format!("in_hours({})", queue(*q)),
            Cond::Duration(op, s) => format!("duration {} {}s", [">", "<"][usize::from(*op) % 2], s % 7200),
            Cond::Let(i) if lets > 0 => format!("l{}", usize::from(*i) % lets),
            Cond::Let(_) => "true".into(),
            Cond::Bool(b) => b.to_string(),
            Cond::Not(c) => format!("not ({})", c.render(lets, depth + 1)),
            Cond::And(a, b) => format!("({}) and ({})", a.render(lets, depth + 1), b.render(lets, depth + 1)),
            Cond::Or(a, b) => format!("({}) or ({})", a.render(lets, depth + 1), b.render(lets, depth + 1)),
        }
    }
}

#[derive(Debug, Arbitrary)]
struct RuleSpec {
    when: Cond,
    outcome: u8,
    queue: u8,
    priority: Option<u8>,
}

#[derive(Debug, Arbitrary)]
struct PolicySpec {
    lets: Vec<Cond>,
    rules: Vec<RuleSpec>,
}

impl PolicySpec {
    fn render(&self) -> String {
        let mut out = String::from("policy \"fuzz\" version 1\n\nqueues {\n");
        for q in QUEUES {
            out.push_str(&format!("  {q} \"{q}\"\n"));
        }
        out.push_str("}\n\n");
        // Each let may use the ones before it (and, by a wrapped index, itself
        // or later ones: cycles the checker must reject).
        let lets = self.lets.len().min(6);
        for (i, l) in self.lets.iter().take(lets).enumerate() {
            out.push_str(&format!("let l{i} = {}\n", l.render(lets, 0)));
        }
        for (i, r) in self.rules.iter().take(8).enumerate() {
            let q = queue(r.queue);
            let priority =
                r.priority.map(|p| format!(" priority {}", ["low", "normal", "high", "urgent"][usize::from(p) % 4]));
            let outcome = match r.outcome % 3 {
                0 => format!("escalate to {q}{}", priority.unwrap_or_default()),
                1 => format!("offer human via {q}{}", priority.unwrap_or_default()),
                _ => format!("flag {:?}", word(r.queue)),
            };
            out.push_str(&format!("\nrule r{i} {{\n  when {}\n  {outcome}\n}}\n", r.when.render(lets, 0)));
        }
        out
    }
}

#[derive(Debug, Arbitrary)]
struct MessageSpec {
    role: u8,
    words: Vec<u8>,
    extra: Option<String>,
    seconds_later: Option<u16>,
    intent: Option<(u8, u8)>,
    sentiment: Option<i8>,
    entity: Option<u8>,
}

#[derive(Debug, Arbitrary)]
struct ConversationSpec {
    channel: Option<u8>,
    tier: Option<u8>,
    label: Option<u8>,
    messages: Vec<MessageSpec>,
}

impl ConversationSpec {
    fn build(&self) -> Conversation {
        let mut at = jiff::Timestamp::UNIX_EPOCH;
        let messages = self
            .messages
            .iter()
            .take(16)
            .map(|m| {
                let mut text: Vec<&str> = m.words.iter().take(12).map(|w| word(*w)).collect();
                if let Some(extra) = &m.extra {
                    text.push(extra);
                }
                let role = Role::ALL[usize::from(m.role) % 4];
                let mut message = Message::new(role, text.join(" "));
                message.timestamp = m.seconds_later.map(|s| {
                    at = at.checked_add(jiff::SignedDuration::from_secs(i64::from(s))).unwrap_or(at);
                    at
                });
                message.intent = m.intent.map(|(w, _)| word(w).to_string());
                message.confidence = m.intent.map(|(_, c)| f64::from(c) / 255.0);
                message.sentiment = m.sentiment.map(|s| (f64::from(s) / 127.0).clamp(-1.0, 1.0));
                if let Some(e) = m.entity {
                    message.entities.insert(word(e).into(), Value::from("x"));
                }
                message
            })
            .collect();
        let mut customer = Map::new();
        if let Some(t) = self.tier {
            customer.insert("tier".into(), Value::from(word(t)));
        }
        let mut metadata = Map::new();
        if let Some(l) = self.label {
            metadata.insert("label".into(), Value::from(word(l)));
        }
        Conversation {
            id: "fuzz".into(),
            channel: self.channel.map(|c| word(c).to_string()),
            customer,
            metadata,
            messages,
            expect: None,
        }
    }
}

#[derive(Debug, Arbitrary)]
struct Input {
    policy: PolicySpec,
    /// Evaluated in between, so the thread's reused buffers see another policy.
    other: PolicySpec,
    conversation: ConversationSpec,
    closed_queue: Option<u8>,
}

fn compile(spec: &PolicySpec) -> Option<Policy> {
    let source = spec.render();
    let analysis = handoff::Analysis::new("fuzz.handoff", source.as_str());
    if analysis.ast.is_none() || analysis.has_errors() {
        // To tune the grammar: how often, and why, generated policies fail.
        if std::env::var_os("FUZZ_SHOW_REJECTED").is_some() {
            let first = analysis.errors().next().map(|e| e.to_string()).unwrap_or_default();
            eprintln!("rejected: {first}");
        }
        return None;
    }
    if std::env::var_os("FUZZ_SHOW_REJECTED").is_some() {
        eprintln!("accepted");
    }
    match Policy::from_analysis(&analysis) {
        Ok(policy) => Some(policy),
        Err(e) => panic!("check-clean policy failed to compile:\n{source}\n{}", handoff::render::plain(&e)),
    }
}

fuzz_target!(|input: Input| {
    let Some(policy) = compile(&input.policy) else { return };
    let conversation = input.conversation.build();
    let mut context = Context::default();
    if let Some(q) = input.closed_queue {
        let status = handoff::QueueStatus { open: Some(false), agents_free: Some(0), hours: None };
        context.queues.insert(queue(q).to_string(), status);
    }
    let decision = policy.evaluate(&conversation, &context);
    let (explained, explanation) = evaluate_explained(&policy, &conversation, &context, Mode::Live);
    assert_eq!(decision, explained, "explained decision differs");
    let _ = explanation.render();
    let finished = policy.evaluate_finished(&conversation, &context);
    let (explained, explanation) = evaluate_explained(&policy, &conversation, &context, Mode::Finished);
    assert_eq!(finished, explained, "explained finished decision differs");
    let _ = explanation.render();
    let mut session = policy.session(Attributes::of(&conversation), context.clone());
    for message in &conversation.messages {
        if session.push(message).is_escalation() {
            break;
        }
    }
    assert_eq!(&decision, session.decision(), "message-by-message session differs");
    if let Some(other) = compile(&input.other) {
        let _ = other.evaluate(&conversation, &context);
    }
    assert_eq!(decision, policy.evaluate(&conversation, &context), "evaluation depends on the previous one");
});
