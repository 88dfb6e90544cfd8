//! The conversation the eval bench and `examples/eval_ratio.rs` measure: 20 messages
//! of a card-payment dispute (it escalates at message 11).

const TEXTS: &[(&str, &str)] = &[
    ("customer", "Hi, I have a question about a payment on my card from last week"),
    ("bot", "Sure, I can help with payments. Which payment is it about?"),
    ("customer", "It's the one for 49.99 at the electronics shop, I don't think I made it"),
    ("bot", "Thanks. Can you confirm the last four digits of the card?"),
    ("customer", "It ends in 4242, and I still have the card with me"),
    ("bot", "I can see the payment. It was made online on the 3rd."),
    ("customer", "I was at work all day on the 3rd, I did not buy anything online"),
    ("bot", "I understand. Have you shared your card details with anyone recently?"),
    ("customer", "No, never, this is really worrying me"),
    ("bot", "I'm sorry to hear that. Let me check a few more details."),
    ("customer", "How long will this take? I need the money back before rent is due"),
    ("bot", "Most checks take a few minutes. Is your address still the same?"),
    ("customer", "Yes it's the same address as always"),
    ("bot", "Thank you. I can see two more small payments to the same shop."),
    ("customer", "What? I didn't make those either, this is getting worse"),
    ("bot", "I understand this is stressful. I will note these payments."),
    ("customer", "Can you just cancel the card please and send a new one"),
    ("bot", "I can do that. The new card will arrive in 3 to 5 working days."),
    ("customer", "ok and what happens to the money that was taken"),
    ("bot", "Our team will review the payments and contact you within 2 days."),
];

/// The conversation as JSON, with a sentiment annotation on every message or none.
pub fn bench_json(annotated: bool) -> String {
    let messages: Vec<serde_json::Value> = TEXTS
        .iter()
        .enumerate()
        .map(|(i, (role, text))| {
            let mut m = serde_json::json!({
                "role": role,
                "text": text,
                "timestamp": format!("2026-03-02T10:{:02}:00Z", i),
            });
            if annotated {
                m["sentiment"] = serde_json::json!(((i % 7) as f64 - 3.0) / 10.0);
            }
            m
        })
        .collect();
    serde_json::json!({ "id": "bench-1", "channel": "chat", "customer": { "tier": "standard" }, "messages": messages })
        .to_string()
}
