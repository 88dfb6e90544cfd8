//! The replay summary as plain-text tables, for people at a terminal.

use std::fmt::Write;

use super::summary::{Actions, Share, Summary};
use crate::eval::PolicyRef;

/// The whole summary, section by section.
pub fn render(summary: &Summary) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "policy {}", policy_line(&summary.policy));
    let _ = writeln!(out, "read {} = evaluated {} + rejected {}", summary.read, summary.evaluated, summary.rejected);
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
    out
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
                            c.chars().all(|ch| ch.is_ascii_digit() || matches!(ch, '.' | '%' | '+' | '-' | ' ' | 'p'))
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
