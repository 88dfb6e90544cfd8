//! A deterministic synthetic corpus of support conversations about payments,
//! refunds, loyalty points and app login, for benchmarks and load tests.
//!
//! About 15% of conversations carry an escalation trigger: an explicit request
//! for a person, a payment dispute, mounting frustration, or a bot that keeps
//! failing to understand. The same seed always gives the same bytes (the
//! random generator is written out here, so no crate update can change it).

use std::io::{self, Write};

/// SplitMix64: small, fast, and fixed forever.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }

    /// Uniform in `[lo, hi)`.
    pub fn between(&mut self, lo: f64, hi: f64) -> f64 {
        let unit = (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        lo + unit * (hi - lo)
    }

    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items.get(self.below(items.len())).copied().unwrap_or("")
    }
}

pub const TOPICS: [&str; 4] = ["payments", "refunds", "loyalty", "login"];

pub const OPENERS: [&[&str]; 4] = [
    &[
        "Hi, my payment of {amount} euros didn't go through",
        "My card was declined when paying for order {order}",
        "Why was I charged {amount} euros twice?",
        "Can I pay order {order} in instalments?",
        "The checkout keeps failing with my visa card",
    ],
    &[
        "Where is my refund for order {order}?",
        "I returned the shoes two weeks ago and still no refund",
        "How long does a refund to my card take?",
        "I was promised a refund of {amount} euros",
        "Can I get a refund for a late delivery on order {order}?",
    ],
    &[
        "How many loyalty points do I have?",
        "My points from order {order} are missing",
        "Can I use my points to pay for shipping?",
        "When do my loyalty points expire?",
        "I should have {amount} points but the app shows less",
    ],
    &[
        "I can't log in to the app",
        "The app says my password is wrong but it isn't",
        "I never got the verification code by sms",
        "My account is locked after too many attempts",
        "Face ID stopped working in the app after the update",
    ],
];

pub const BOT_ANSWERS: [&[&str]; 4] = [
    &[
        "I can help with payments. Which order is it about?",
        "Payments can take up to 24 hours to show. Could you check your banking app?",
        "Declined payments are usually blocked by the bank. Would you like to try another card?",
        "You can split payments over 3 months at checkout.",
        "I see one payment on order {order}; the second is a pre-authorisation that will drop off.",
        "Your bank may need you to approve the payment in its app.",
        "We accept visa, mastercard, paypal and bank transfer.",
    ],
    &[
        "Refunds take 5 to 7 working days once the return arrives at our warehouse.",
        "I can see the return for order {order}. The refund was issued yesterday.",
        "Refunds go back to the card you paid with.",
        "Let me check the status of that return for you.",
        "Your return was received on Monday and is being inspected.",
        "Refunds for late deliveries are paid as a voucher or to your card.",
        "The refund of order {order} is on its way to your bank.",
    ],
    &[
        "You have {amount} loyalty points.",
        "Points are added 14 days after delivery.",
        "Points can be used at checkout on any order above 20 euros.",
        "Points expire 24 months after they were earned.",
        "Missing points can take up to two weeks to appear.",
        "Gold members earn double points on every order.",
        "I've asked our loyalty team to add the points for order {order}.",
    ],
    &[
        "I've sent you a password reset link by email.",
        "Try closing the app and signing in again.",
        "Your account unlocks automatically after 30 minutes.",
        "Please make sure you have the latest version of the app.",
        "Verification codes can take a minute; check the number on your profile.",
        "You can also sign in with the link in our email.",
        "Face ID can be switched on again under Settings, Security.",
    ],
];

pub const FOLLOW_UPS: [&str; 8] = [
    "ok, and how long will that take?",
    "it's order {order}",
    "I checked, nothing there yet",
    "thanks, that helps",
    "can you check again please",
    "alright, I'll wait then",
    "what about the other order, {order}?",
    "great, thank you!",
];

pub const PERSON_REQUESTS: [&str; 5] = [
    "Can I talk to a real person please",
    "I want to speak to someone, this isn't helping",
    "Please get me a human agent",
    "Transfer me to a representative",
    "Is there an agent I can talk to?",
];

pub const DISPUTES: [&str; 5] = [
    "I want to dispute this charge, I never made it",
    "There's an unauthorized payment of {amount} euros on my card",
    "I'll file a chargeback with my bank if this isn't fixed",
    "This charge is unauthorised, I didn't buy anything",
    "I need to dispute a payment from last week",
];

pub const FRUSTRATION: [&str; 6] = [
    "This is ridiculous, I've been waiting for weeks",
    "You keep saying the same thing, it's useless",
    "I'm really annoyed, nothing works",
    "This is the worst service I've ever had",
    "Terrible. Still not fixed and nobody cares",
    "I'm so frustrated with this app",
];

const NOT_UNDERSTOOD: [&str; 3] = [
    "Sorry, I didn't understand that. Could you rephrase?",
    "Sorry, I didn't get that.",
    "I'm not sure I understand. Can you say it another way?",
];

pub const CHANNELS: [&str; 3] = ["chat", "app", "sms"];
pub const TIERS: [&str; 3] = ["standard", "silver", "gold"];

/// What kind of conversation to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scenario {
    Routine,
    AsksForPerson,
    Dispute,
    Frustrated,
    BotLoop,
}

pub fn fill(template: &str, rng: &mut Rng) -> String {
    template
        .replace("{order}", &format!("{}", 100_000 + rng.below(900_000)))
        .replace("{amount}", &format!("{}", 5 + rng.below(400)))
}

/// One conversation as a JSON line (without the newline).
pub fn conversation(rng: &mut Rng, index: u64, sentiment: bool) -> String {
    let topic = rng.below(TOPICS.len());
    let roll = rng.below(1000);
    // 85% routine; the rest split over the four triggers.
    let scenario = match roll {
        0..=849 => Scenario::Routine,
        850..=889 => Scenario::AsksForPerson,
        890..=924 => Scenario::Dispute,
        925..=964 => Scenario::Frustrated,
        _ => Scenario::BotLoop,
    };
    let turns = 2 + rng.below(4);
    // Bot answers are not repeated within a conversation, as a real bot's would not be.
    let mut answer_order: Vec<usize> = (0..8).collect();
    for i in (1..answer_order.len()).rev() {
        answer_order.swap(i, rng.below(i + 1));
    }
    let mut trigger_turn = rng.below(turns);
    if scenario == Scenario::BotLoop {
        // A loop needs at least two failed answers.
        trigger_turn = trigger_turn.min(turns - 2);
    }
    let start = 1_717_200_000 + rng.below(2_600_000) as u64;
    let mut messages = Vec::with_capacity(turns * 2);
    let mut clock = start;
    let openers = OPENERS.get(topic).copied().unwrap_or(&[]);
    let answers = BOT_ANSWERS.get(topic).copied().unwrap_or(&[]);
    for turn in 0..turns {
        let (text, mood) = if turn == 0 && !(scenario != Scenario::Routine && trigger_turn == 0) {
            (fill(rng.pick(openers), rng), rng.between(-0.1, 0.3))
        } else if turn >= trigger_turn && scenario == Scenario::Frustrated {
            (fill(rng.pick(&FRUSTRATION), rng), rng.between(-0.95, -0.55))
        } else if turn == trigger_turn && scenario == Scenario::AsksForPerson {
            (rng.pick(&PERSON_REQUESTS).to_owned(), rng.between(-0.5, 0.1))
        } else if turn == trigger_turn && scenario == Scenario::Dispute {
            (fill(rng.pick(&DISPUTES), rng), rng.between(-0.7, -0.2))
        } else if turn == 0 {
            (fill(rng.pick(openers), rng), rng.between(-0.1, 0.3))
        } else {
            (fill(rng.pick(&FOLLOW_UPS), rng), rng.between(0.0, 0.5))
        };
        messages.push(message("customer", &text, clock, sentiment.then_some(mood)));
        clock += 5 + rng.below(60) as u64;
        let answer = if scenario == Scenario::BotLoop && turn >= trigger_turn {
            rng.pick(&NOT_UNDERSTOOD).to_owned()
        } else {
            let pick = answer_order.get(turn).copied().unwrap_or(0);
            fill(answers.get(pick).copied().unwrap_or(""), rng)
        };
        messages.push(message("bot", &answer, clock, None));
        clock += 10 + rng.below(120) as u64;
    }
    let label = match scenario {
        Scenario::Routine => "routine",
        Scenario::AsksForPerson => "asks_for_person",
        Scenario::Dispute => "dispute",
        Scenario::Frustrated => "frustrated",
        Scenario::BotLoop => "bot_loop",
    };
    serde_json::json!({
        "id": format!("conv-{index:08}"),
        "channel": rng.pick(&CHANNELS),
        "customer": { "tier": rng.pick(&TIERS) },
        "metadata": { "topic": TOPICS.get(topic).copied().unwrap_or(""), "scenario": label },
        "messages": messages,
    })
    .to_string()
}

fn message(role: &str, text: &str, seconds: u64, sentiment: Option<f64>) -> serde_json::Value {
    let timestamp = jiff::Timestamp::from_second(seconds as i64).map(|t| t.to_string()).unwrap_or_default();
    let mut m = serde_json::json!({ "role": role, "text": text, "timestamp": timestamp });
    if let (Some(value), Some(object)) = (sentiment, m.as_object_mut()) {
        object.insert("sentiment".into(), serde_json::json!((value * 1000.0).round() / 1000.0));
    }
    m
}

/// Writes `count` conversations as JSON Lines.
pub fn write_corpus(out: &mut impl Write, count: u64, seed: u64, sentiment: bool) -> io::Result<()> {
    let mut rng = Rng::new(seed);
    for index in 0..count {
        writeln!(out, "{}", conversation(&mut rng, index, sentiment))?;
    }
    Ok(())
}
