//! The peer benchmark's corpus: finished support conversations of 10 to 30
//! messages, as JSON Lines in the format `handoff::transcript` reads, from a seed.
//!
//! Each conversation may carry any mix of the five triggers the peer policy looks
//! for, drawn independently, so every combination of rules occurs: a request for a
//! person (most often in the latest customer message, sometimes earlier, where the
//! rule over the latest message must not see it), a payment dispute, a bot answer
//! repeated word for word, bot fallbacks that "didn't understand", and a customer
//! whose latest messages are annotated as upset.
//!
//! Two properties keep every engine's arithmetic and text comparison honest:
//! sentiment annotations are whole tenths, so no mean of one to three of them lies
//! on the policy's threshold (-0.42) and summation order cannot split engines; and
//! bot answers within a conversation are drawn without replacement from texts whose
//! word sets all differ, so two bot texts are either byte-equal or clearly different
//! (never equal only after case or punctuation folding).

use crate::corpus_gen::{self, Rng};

/// Fallback answers: the first three "didn't understand", the others fail otherwise.
const FALLBACKS: [&str; 5] = [
    "Sorry, I didn't understand that. Could you rephrase?",
    "I didn't understand your last message, can you say it another way?",
    "Hmm, I didn't understand. Try asking about payments, refunds, points or login.",
    "Sorry, I didn't get that.",
    "I'm not sure I follow. Could you give me your order number?",
];

/// Customer follow-ups that quote the app: their JSON strings carry escapes.
const QUOTING: [&str; 3] = [
    "the app just says \"payment failed\" and nothing else",
    "it shows \"error 402\" when I pay",
    "the email said \"refund issued\" but my bank says no",
];

/// What a conversation carries, each drawn on its own.
struct Triggers {
    person: bool,
    dispute: bool,
    repeat: bool,
    confused: bool,
    upset: bool,
}

impl Triggers {
    fn draw(rng: &mut Rng) -> Triggers {
        Triggers {
            person: rng.below(100) < 12,
            dispute: rng.below(100) < 8,
            repeat: rng.below(100) < 8,
            confused: rng.below(100) < 10,
            upset: rng.below(100) < 15,
        }
    }
}

/// A sentiment in whole tenths, uniform in `lo..=hi` tenths.
fn tenths(rng: &mut Rng, lo: i32, hi: i32) -> f64 {
    let span = (hi - lo + 1).max(1) as usize;
    f64::from(lo + rng.below(span) as i32) / 10.0
}

/// One finished conversation as a JSON line (without the newline).
pub fn conversation(rng: &mut Rng, index: u64) -> String {
    let count = 10 + rng.below(21);
    let triggers = Triggers::draw(rng);
    // Who speaks: the customer opens; after a bot answer the customer speaks, and
    // one time in ten the customer sends two messages in a row.
    let mut customer: Vec<bool> = Vec::with_capacity(count);
    for i in 0..count {
        let speaks = i == 0 || !customer[i - 1] || rng.below(10) == 0;
        customer.push(speaks);
    }
    let customer_at: Vec<usize> = (0..count).filter(|&i| customer[i]).collect();
    let bot_at: Vec<usize> = (0..count).filter(|&i| !customer[i]).collect();

    let topic = rng.below(corpus_gen::TOPICS.len());
    let mut texts = vec![String::new(); count];
    let mut sentiments = vec![0.0; count];
    for (k, &i) in customer_at.iter().enumerate() {
        texts[i] = if k == 0 {
            corpus_gen::fill(rng.pick(corpus_gen::OPENERS[topic]), rng)
        } else if rng.below(10) == 0 {
            rng.pick(&QUOTING).to_owned()
        } else {
            corpus_gen::fill(rng.pick(&corpus_gen::FOLLOW_UPS), rng)
        };
        sentiments[i] = tenths(rng, -3, 6);
    }
    // Bot answers: every topic's answers, drawn without replacement.
    let mut answers: Vec<&str> = corpus_gen::BOT_ANSWERS.iter().flat_map(|a| a.iter().copied()).collect();
    for (k, &i) in bot_at.iter().enumerate() {
        let pick = k + rng.below(answers.len() - k);
        answers.swap(k, pick);
        texts[i] = corpus_gen::fill(answers[k], rng);
    }

    if triggers.upset {
        let last = 1 + rng.below(4);
        for &i in customer_at.iter().rev().take(last) {
            texts[i] = corpus_gen::fill(rng.pick(&corpus_gen::FRUSTRATION), rng);
            sentiments[i] = tenths(rng, -10, -2);
        }
    }
    if triggers.dispute {
        let i = customer_at[rng.below(customer_at.len())];
        texts[i] = corpus_gen::fill(rng.pick(&corpus_gen::DISPUTES), rng);
        sentiments[i] = tenths(rng, -7, -2);
    }
    if triggers.person {
        // Mostly the latest customer message; otherwise one the latest-message rule must not see.
        let i = if rng.below(10) < 6 {
            customer_at[customer_at.len() - 1]
        } else {
            customer_at[rng.below(customer_at.len())]
        };
        texts[i] = rng.pick(&corpus_gen::PERSON_REQUESTS).to_owned();
        sentiments[i] = tenths(rng, -5, 1);
    }
    if triggers.confused && !bot_at.is_empty() {
        let mut fallbacks = FALLBACKS;
        let times = (1 + rng.below(3)).min(bot_at.len());
        let mut positions = bot_at.clone();
        for k in 0..times {
            let pick = k + rng.below(fallbacks.len() - k);
            fallbacks.swap(k, pick);
            let at = k + rng.below(positions.len() - k);
            positions.swap(k, at);
            texts[positions[k]] = fallbacks[k].to_owned();
        }
    }
    if triggers.repeat && bot_at.len() >= 2 {
        let later = 1 + rng.below(bot_at.len() - 1);
        let earlier = rng.below(later);
        texts[bot_at[later]] = texts[bot_at[earlier]].clone();
    }

    let mut clock = 1_717_200_000 + rng.below(2_600_000) as i64;
    let messages: Vec<serde_json::Value> = (0..count)
        .map(|i| {
            clock += 5 + rng.below(90) as i64;
            let timestamp = jiff::Timestamp::from_second(clock).map(|t| t.to_string()).unwrap_or_default();
            if customer[i] {
                serde_json::json!({ "role": "customer", "text": texts[i], "timestamp": timestamp, "sentiment": sentiments[i] })
            } else {
                serde_json::json!({ "role": "bot", "text": texts[i], "timestamp": timestamp })
            }
        })
        .collect();
    serde_json::json!({
        "id": format!("peer-{index:08}"),
        "channel": rng.pick(&corpus_gen::CHANNELS),
        "customer": { "tier": rng.pick(&corpus_gen::TIERS) },
        "metadata": { "topic": corpus_gen::TOPICS[topic] },
        "messages": messages,
    })
    .to_string()
}

/// `count` conversations from `seed`, one JSON line each.
pub fn lines(count: u64, seed: u64) -> Vec<String> {
    let mut rng = Rng::new(seed);
    (0..count).map(|index| conversation(&mut rng, index)).collect()
}
