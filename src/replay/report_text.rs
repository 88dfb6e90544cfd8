//! The replay summary as plain-text tables, for people at a terminal.

use std::fmt::Write;

use super::labels::{LabelSummary, Ratio};
use super::summary::{Actions, Share, Summary};
use crate::eval::PolicyRef;

/// The whole summary, section by section.
pub fn render(summary: &Summary) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "policy {}", policy_line(&summary.policy));
    let _ = writeln!(out, "read {} = evaluated {} + rejected {}", summary.read, summary.evaluated, summary.rejected);
    if summary.unknown_fields > 0 {
        let _ = writeln!(
            out,
            "unknown fields: {} in {} records (ignored; rules on a misspelled field never fire; --strict-fields rejects them)",
            summary.unknown_fields, summary.with_unknown_fields
        );
    }
    out.push('\n');
    out.push_str("decisions\n");
    out.push_str(&actions_table(&summary.actions).render());
    let _ = writeln!(out, "  contained (stayed with the bot: none or flag): {}", share(summary.containment));

    out.push_str("\nrules\n");
    let mut rules = Table::new(&["rule", "fired", "%", "decided", "%", "examples"]);
    for r in &summary.rules {
        rules.row(vec![
            r.rule.clone(),
            r.fired.count.to_string(),
            percent(r.fired.rate),
            r.decided.count.to_string(),
            percent(r.decided.rate),
            r.examples.join(", "),
        ]);
    }
    out.push_str(&rules.render());

    out.push_str("\nqueues\n");
    let mut queues = Table::new(&["queue", "escalated", "%", "offered", "%", "fallbacks"]);
    for q in &summary.queues {
        queues.row(vec![
            q.queue.clone(),
            q.escalated.count.to_string(),
            percent(q.escalated.rate),
            q.offered.count.to_string(),
            percent(q.offered.rate),
            q.fallbacks.to_string(),
        ]);
    }
    out.push_str(&queues.render());

    let timing = &summary.escalation_message;
    let _ = write!(out, "\nescalation message ({} escalations)", timing.escalations);
    match (timing.median, timing.p90) {
        (Some(median), Some(p90)) => {
            let _ = writeln!(out, ": median {median}, p90 {p90}");
        }
        _ => out.push('\n'),
    }
    let widest = timing.histogram.iter().map(|b| b.count).max().unwrap_or(0);
    for bin in &timing.histogram {
        let _ = writeln!(out, "  {:>4}  {:<40} {}", bin.message, bar(bin.count, widest, 40), bin.count);
    }

    if let Some(key) = &summary.group_by {
        let _ = writeln!(out, "\ngroups by {key}");
        let mut groups = Table::new(&["group", "conversations", "escalate", "offer", "flag", "none", "contained"]);
        for g in &summary.groups {
            groups.row(vec![
                g.group.clone(),
                g.conversations.to_string(),
                percent(g.actions.escalate.rate),
                percent(g.actions.offer.rate),
                percent(g.actions.flag.rate),
                percent(g.actions.none.rate),
                percent(g.containment.rate),
            ]);
        }
        out.push_str(&groups.render());
    }

    if let Some(diff) = &summary.diff {
        let _ = writeln!(out, "\nagainst baseline {}", policy_line(&diff.baseline));
        let _ = writeln!(out, "  changed decisions: {} of {}", share(diff.changed), summary.evaluated);
        out.push_str("\nbaseline decisions\n");
        out.push_str(&actions_table(&diff.baseline_actions).render());
        out.push_str("\ntransitions (baseline -> policy)\n");
        let mut transitions = Table::new(&["from", "to", "count", "examples"]);
        for t in &diff.transitions {
            transitions.row(vec![t.from.clone(), t.to.clone(), t.count.to_string(), t.examples.join(", ")]);
        }
        out.push_str(&transitions.render());
        out.push_str("\nescalation rate per queue\n");
        let mut queues = Table::new(&["queue", "baseline", "policy", "change"]);
        for q in &diff.queues {
            queues.row(vec![q.queue.clone(), share(q.baseline), share(q.policy), points(q.change)]);
        }
        out.push_str(&queues.render());
    }
    if let Some(labels) = &summary.labels {
        labels_section(&mut out, labels, summary.evaluated, summary.group_by.as_deref());
    }
    out
}

/// The scores against labelled records: headline figures, per-class tables,
/// the confusion matrix and the misses.
fn labels_section(out: &mut String, l: &LabelSummary, evaluated: u64, group_by: Option<&str>) {
    let _ = writeln!(out, "\nlabelled records: {} of {evaluated} evaluated carry an expect", l.labelled);
    for warning in unknown_queue_warnings(l) {
        let _ = writeln!(out, "  warning: {warning}");
    }
    let _ = writeln!(
        out,
        "  escalation recall (expected escalate, escalated to an expected queue): {}",
        ratio(l.escalation_recall)
    );
    let _ = writeln!(out, "    escalated to any queue: {}", ratio(l.escalation_recall_any_queue));
    let _ = writeln!(out, "  false escalation (expected none, escalated or offered): {}", ratio(l.false_escalation));
    let _ = writeln!(out, "    escalated: {}", ratio(l.false_escalation_escalate_only));
    let _ = writeln!(out, "  expectations met: {}", ratio(l.met));

    out.push_str("\nlabelled: actions (a flag counts as none: it stays with the bot)\n");
    let mut actions = Table::new(&["action", "expected", "decided", "correct", "precision", "recall"]);
    for a in &l.actions {
        actions.row(vec![
            a.action.as_str().to_owned(),
            a.support.to_string(),
            a.decided.to_string(),
            a.correct.to_string(),
            optional_percent(a.precision),
            optional_percent(a.recall),
        ]);
    }
    out.push_str(&actions.render());

    out.push_str("\nlabelled: recall per expected outcome\n");
    let mut expected = Table::new(&["expected", "records", "met", "recall", "wrong queue"]);
    for e in &l.expected {
        expected.row(vec![
            e.expected.clone(),
            e.recall.of.to_string(),
            e.recall.count.to_string(),
            optional_percent(e.recall.rate),
            e.wrong_queue.to_string(),
        ]);
    }
    out.push_str(&expected.render());

    out.push_str("\nlabelled: precision per decided outcome\n");
    let mut decided = Table::new(&["decided", "records", "correct", "precision"]);
    for d in &l.decided {
        decided.row(vec![
            d.decided.clone(),
            d.precision.of.to_string(),
            d.precision.count.to_string(),
            optional_percent(d.precision.rate),
        ]);
    }
    out.push_str(&decided.render());

    if !l.queues.is_empty() {
        out.push_str("\nlabelled: recall per queue (expected escalations naming it)\n");
        let mut queues = Table::new(&["queue", "records", "met", "recall"]);
        for q in &l.queues {
            queues.row(vec![
                q.queue.clone(),
                q.recall.of.to_string(),
                q.recall.count.to_string(),
                optional_percent(q.recall.rate),
            ]);
        }
        out.push_str(&queues.render());
    }

    out.push_str("\nlabelled: confusion (rows expected, columns decided)\n");
    let mut header = vec!["expected \\ decided"];
    header.extend(l.confusion.decided.iter().map(String::as_str));
    let mut confusion = Table::new(&header);
    for row in &l.confusion.rows {
        let mut cells = vec![row.expected.clone()];
        cells.extend(row.counts.iter().map(u64::to_string));
        confusion.row(cells);
    }
    out.push_str(&confusion.render());

    let _ = writeln!(
        out,
        "\nlabelled: misses ({} in all; up to {} listed per expected/decided pair, --misses)",
        l.misses_total, l.misses_per_pair
    );
    for group in &l.misses {
        let _ = writeln!(out, "  {} -> {}: {}", group.expected, group.decided, group.count);
        for m in &group.examples {
            let mut by = String::new();
            if let Some(rule) = &m.rule {
                let _ = write!(by, " (rule {rule}");
                if let Some(at) = m.at_message {
                    let _ = write!(by, ", message {at}");
                }
                by.push(')');
            }
            let place = m.location.as_deref().unwrap_or("");
            let _ = writeln!(out, "    {place} {}{by}: {:?}", m.id, m.text);
        }
    }

    if let Some(key) = group_by.filter(|_| !l.groups.is_empty()) {
        let _ = writeln!(out, "\nlabelled: groups by {key}");
        let mut groups = Table::new(&["group", "labelled", "met", "escalation recall", "false escalation"]);
        for g in &l.groups {
            groups.row(vec![
                g.group.clone(),
                g.met.of.to_string(),
                optional_percent(g.met.rate),
                optional_percent(g.escalation_recall.rate),
                optional_percent(g.false_escalation.rate),
            ]);
        }
        out.push_str(&groups.render());
    }

    if let Some(b) = &l.baseline {
        out.push_str("\nlabelled: against the baseline\n");
        let mut table = Table::new(&["figure", "baseline", "policy"]);
        for (name, before, after) in [
            ("expectations met", b.met, l.met),
            ("escalation recall", b.escalation_recall, l.escalation_recall),
            ("false escalation", b.false_escalation, l.false_escalation),
        ] {
            table.row(vec![name.to_owned(), optional_percent(before.rate), optional_percent(after.rate)]);
        }
        out.push_str(&table.render());
        let _ = writeln!(out, "  fixed (baseline missed, policy meets): {}", moved(&b.fixed));
        let _ = writeln!(out, "  broken (baseline met, policy misses): {}", moved(&b.broken));
    }
}

/// Plain-words warnings about queues in expectations that no policy declares.
pub fn unknown_queue_warnings(l: &LabelSummary) -> Vec<String> {
    let mut warnings: Vec<String> = l
        .unknown_queues
        .iter()
        .map(|q| {
            format!(
                "expected queue {:?} is not declared by the policy ({}, first {})",
                q.queue,
                records(q.records),
                q.first
            )
        })
        .collect();
    if l.unscorable > 0 {
        let (name, are) = if l.unscorable == 1 { ("names", "is") } else { ("name", "are") };
        warnings.push(format!(
            "{} {name} only undeclared queues and {are} not scored (a typo in the labels, or a queue the policy lacks)",
            records(l.unscorable)
        ));
    }
    warnings
}

fn records(n: u64) -> String {
    if n == 1 {
        "1 labelled record".to_owned()
    } else {
        format!("{n} labelled records")
    }
}

fn moved(m: &super::labels::Moved) -> String {
    if m.examples.is_empty() {
        m.count.to_string()
    } else {
        format!("{} ({})", m.count, m.examples.join(", "))
    }
}

/// "45 of 50 (90.0%)", or "0 of 0" when there was nothing to count.
pub fn ratio(r: Ratio) -> String {
    match r.rate {
        Some(rate) => format!("{} of {} ({})", r.count, r.of, percent(rate)),
        None => format!("{} of {}", r.count, r.of),
    }
}

/// A percentage, or "-" for a rate with nothing under it.
pub fn optional_percent(rate: Option<f64>) -> String {
    rate.map_or_else(|| "-".to_owned(), percent)
}

/// "payments-support version 3 (16d994e1d530)".
pub fn policy_line(p: &PolicyRef) -> String {
    format!("{} version {} ({})", p.name, p.version, p.hash.get(..12).unwrap_or(&p.hash))
}

fn actions_table(actions: &Actions) -> Table {
    let mut table = Table::new(&["action", "conversations", "%"]);
    for (name, s) in
        [("escalate", actions.escalate), ("offer", actions.offer), ("flag", actions.flag), ("none", actions.none)]
    {
        table.row(vec![name.to_owned(), s.count.to_string(), percent(s.rate)]);
    }
    table
}

/// "12.3%".
pub fn percent(rate: f64) -> String {
    format!("{:.1}%", rate * 100.0)
}

/// "+1.2 pp" for a change of rate.
pub fn points(change: f64) -> String {
    format!("{:+.1} pp", change * 100.0)
}

fn share(s: Share) -> String {
    format!("{} ({})", s.count, percent(s.rate))
}

fn bar(count: u64, widest: u64, width: u64) -> String {
    let cells = if widest == 0 { 0 } else { count.saturating_mul(width).div_ceil(widest) };
    "#".repeat(usize::try_from(cells).unwrap_or(0))
}

/// Columns padded to their widest cell; numbers (and percentages) right-aligned.
struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    fn new(header: &[&str]) -> Table {
        Table { header: header.iter().map(|h| (*h).to_owned()).collect(), rows: Vec::new() }
    }

    fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    fn render(&self) -> String {
        let mut widths: Vec<usize> = self.header.iter().map(|h| h.chars().count()).collect();
        for row in &self.rows {
            for (width, cell) in widths.iter_mut().zip(row) {
                *width = (*width).max(cell.chars().count());
            }
        }
        let numeric: Vec<bool> = (0..widths.len())
            .map(|col| {
                !self.rows.is_empty()
                    && self.rows.iter().all(|row| {
                        row.get(col).is_some_and(|c| {
                            c == "-"
                                || c.chars()
                                    .all(|ch| ch.is_ascii_digit() || matches!(ch, '.' | '%' | '+' | '-' | ' ' | 'p'))
                                    && c.chars().any(|ch| ch.is_ascii_digit())
                        })
                    })
            })
            .collect();
        let mut out = String::new();
        for row in std::iter::once(&self.header).chain(&self.rows) {
            let mut line = String::from(" ");
            for (col, cell) in row.iter().enumerate() {
                let width = widths.get(col).copied().unwrap_or(0);
                let right = numeric.get(col).copied().unwrap_or(false);
                if right {
                    let _ = write!(line, " {cell:>width$}");
                } else {
                    let _ = write!(line, " {cell:<width$}");
                }
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
        if self.rows.is_empty() {
            out.push_str("  (none)\n");
        }
        out
    }
}
