//! Rendering diagnostics: graphical for terminals, plain unicode for snapshots.

use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme};

use crate::eval::{Decision, Evidence};

/// Whether diagnostics are coloured: `None` decides by the terminal (the default).
static COLOUR: std::sync::atomic::AtomicU8 = std::sync::atomic::AtomicU8::new(0);

/// Colours diagnostics always (`Some(true)`), never (`Some(false)`), or when stderr is a
/// terminal and `NO_COLOR` is not set (`None`): the command line's `--color`.
pub fn set_colour(colour: Option<bool>) {
    let v = match colour {
        None => 0,
        Some(true) => 1,
        Some(false) => 2,
    };
    COLOUR.store(v, std::sync::atomic::Ordering::Relaxed);
}

/// Whether output for a person on stderr is coloured (see [`set_colour`]).
pub fn colour() -> bool {
    use std::io::IsTerminal;
    match COLOUR.load(std::sync::atomic::Ordering::Relaxed) {
        1 => true,
        2 => false,
        // https://no-color.org: set and not empty turns colour off.
        _ => std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
    }
}

/// Renders for a person: colour as [`colour`] says.
pub fn graphical(d: &dyn Diagnostic) -> String {
    let theme = if colour() { GraphicalTheme::unicode() } else { GraphicalTheme::unicode_nocolor() };
    render_with(d, theme)
}

/// Renders without colour, the same on every terminal (used by snapshot tests).
pub fn plain(d: &dyn Diagnostic) -> String {
    render_with(d, GraphicalTheme::unicode_nocolor())
}

fn render_with(d: &dyn Diagnostic, theme: GraphicalTheme) -> String {
    let mut out = String::new();
    let handler = GraphicalReportHandler::new_themed(theme).with_width(100).with_links(false);
    if handler.render_report(&mut out, d).is_err() {
        out = format!("{d}\n");
    }
    out
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

/// One piece of evidence as a line for a person: `message 3 mentions "human" (as "a human")`.
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
        Evidence::LearntIntent { message, intent, score, threshold, nearest } => {
            let mut s = format!("message {message} says {intent} (score {score:.2}, threshold {threshold})");
            if let Some(n) = nearest {
                s.push_str(&format!("; nearest example {:?}", n.text));
                if let (Some(file), Some(line)) = (&n.file, n.line) {
                    s.push_str(&format!(" ({file}:{line})"));
                }
            }
            s
        }
    }
}

/// Escapes text for HTML content and attribute values (the replay reports); the JUnit
/// report is escaped by `quick-junit`.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
    out
}
