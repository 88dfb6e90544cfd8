//! Evaluates a conversation many times (for profilers): `cargo run --release --example profile_eval FILE N`.

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let path = args.get(1).map_or("tests/cases/eval/rising_frustration.json", String::as_str);
    let n: usize = args.get(2).and_then(|n| n.parse().ok()).unwrap_or(10_000);
    let Ok(policy) = handoff::Policy::load("policies/payments.handoff") else { return };
    let Ok(conversation) = handoff::transcript::read_json_file(path) else { return };
    let context = handoff::Context::default();
    let start = std::time::Instant::now();
    let mut escalations = 0;
    for _ in 0..n {
        if policy.evaluate(&conversation, &context).is_escalation() {
            escalations += 1;
        }
    }
    let per = start.elapsed() / n as u32;
    println!("{n} evaluations of {} messages: {per:?} each ({escalations} escalations)", conversation.messages.len());
}
