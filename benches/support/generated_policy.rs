//! The generated policy the check and lsp benches measure: `rules` rules over a spread
//! of signals, lets and queues.

/// A policy with `rules` rules over a spread of signals, lets and queues.
pub fn generated_policy(rules: usize) -> String {
    let mut s = String::from("policy \"generated\" version 1\n\nqueues {\n");
    for q in 0..20 {
        s.push_str(&format!("  q{q} \"Queue {q}\"\n"));
    }
    s.push_str("}\n\n");
    for l in 0..100 {
        s.push_str(&format!(
            "let words{l} = customer.last mentions [\"word{l}\", \"phrase number {l}\", \"other {l}\"] unless negated\n"
        ));
    }
    for r in 0..rules {
        let cond = match r % 5 {
            0 => format!("words{} and turns >= {}", r % 100, r % 7),
            1 => format!("customer.any matches /order ?{r}|ref{r}/i or sentiment(customer.last 3) <= -0.{}", r % 9 + 1),
            2 => format!("repeats(bot.last 6, similarity: 0.8{}) >= 2 and not words{}", r % 10, (r + 1) % 100),
            3 => format!("customer.tier in [\"gold\", \"t{r}\"] and fallbacks(bot.last 5) >= {}", r % 3 + 1),
            _ => format!("has_intent(customer.any, \"intent{r}\", min_confidence: 0.5) or duration > {}m", r % 60 + 1),
        };
        let outcome = match r % 3 {
            0 => format!("escalate to q{} priority high reason \"rule {r}\"", r % 20),
            1 => format!("offer human via q{}", r % 20),
            _ => format!("flag \"f{r}\""),
        };
        s.push_str(&format!("rule r{r} {{\n  when {cond}\n  {outcome}\n}}\n\n"));
    }
    s.push_str("rule human {\n  when customer.last mentions [\"human\"]\n  escalate to q0\n}\n");
    s
}
