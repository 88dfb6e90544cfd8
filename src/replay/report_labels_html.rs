//! The labelled-records section of the HTML report: headline figures, gates,
//! per-class tables, the confusion matrix (cells shaded by count) and the misses.

use std::fmt::Write;

use super::labels::LabelSummary;
use super::report_html::escape;
use super::report_text::{optional_percent, ratio, unknown_queue_warnings};

/// The section, appended to `page`.
pub fn render(page: &mut String, l: &LabelSummary, evaluated: u64) {
    page.push_str("<h2>Labelled records</h2>\n");
    let _ = writeln!(page, "<p>{} of {evaluated} conversations carry an <code>expect</code>.</p>", l.labelled);
    for warning in unknown_queue_warnings(l) {
        let _ = writeln!(page, "<p class=\"up\">Warning: {}</p>", escape(&warning));
    }
    page.push_str("<div class=\"cards\">\n");
    for (value, label) in [
        (optional_percent(l.escalation_recall.rate), "escalation recall (to an expected queue)"),
        (optional_percent(l.false_escalation.rate), "false escalation (expected none, escalated or offered)"),
        (optional_percent(l.met.rate), "expectations met"),
    ] {
        let _ = writeln!(page, "<div class=\"card\"><b>{}</b><span>{}</span></div>", escape(&value), escape(label));
    }
    page.push_str("</div>\n<ul>\n");
    for (name, r) in [
        ("escalation recall, expected queue", l.escalation_recall),
        ("escalation recall, any queue", l.escalation_recall_any_queue),
        ("false escalation, escalated or offered", l.false_escalation),
        ("false escalation, escalated", l.false_escalation_escalate_only),
    ] {
        let _ = writeln!(page, "<li>{}: {}</li>", escape(name), escape(&ratio(r)));
    }
    page.push_str("</ul>\n");
    if !l.gates.is_empty() {
        page.push_str("<h3>Gates</h3>\n<ul>\n");
        for gate in &l.gates {
            let class = if gate.passed { "down" } else { "up" };
            let _ = writeln!(page, "<li class=\"{class}\">{}</li>", escape(&gate.message));
        }
        page.push_str("</ul>\n");
    }

    page.push_str("<h3>Actions</h3>\n<p class=\"meta\">A flag counts as none: it stays with the bot.</p>\n");
    let rows = l.actions.iter().map(|a| {
        vec![
            Cell::text(a.action.as_str()),
            Cell::number(a.support.to_string()),
            Cell::number(a.decided.to_string()),
            Cell::number(a.correct.to_string()),
            Cell::number(optional_percent(a.precision)),
            Cell::number(optional_percent(a.recall)),
        ]
    });
    table(page, &["action", "expected", "decided", "correct", "precision", "recall"], rows);

    page.push_str("<h3>Recall per expected outcome</h3>\n");
    let rows = l.expected.iter().map(|e| {
        vec![
            Cell::text(&e.expected),
            Cell::number(e.recall.of.to_string()),
            Cell::number(e.recall.count.to_string()),
            Cell::number(optional_percent(e.recall.rate)),
            Cell::number(e.wrong_queue.to_string()),
        ]
    });
    table(page, &["expected", "records", "met", "recall", "wrong queue"], rows);

    page.push_str("<h3>Precision per decided outcome</h3>\n");
    let rows = l.decided.iter().map(|d| {
        vec![
            Cell::text(&d.decided),
            Cell::number(d.precision.of.to_string()),
            Cell::number(d.precision.count.to_string()),
            Cell::number(optional_percent(d.precision.rate)),
        ]
    });
    table(page, &["decided", "records", "correct", "precision"], rows);

    if !l.queues.is_empty() {
        page.push_str("<h3>Recall per queue</h3>\n");
        let rows = l.queues.iter().map(|q| {
            vec![
                Cell::text(&q.queue),
                Cell::number(q.recall.of.to_string()),
                Cell::number(q.recall.count.to_string()),
                Cell::number(optional_percent(q.recall.rate)),
            ]
        });
        table(page, &["queue", "records", "met", "recall"], rows);
    }

    confusion(page, l);
    misses(page, l);

    if !l.groups.is_empty() {
        page.push_str("<h3>Per group</h3>\n");
        let rows = l.groups.iter().map(|g| {
            vec![
                Cell::text(&g.group),
                Cell::number(g.met.of.to_string()),
                Cell::number(optional_percent(g.met.rate)),
                Cell::number(optional_percent(g.escalation_recall.rate)),
                Cell::number(optional_percent(g.false_escalation.rate)),
            ]
        });
        table(page, &["group", "labelled", "met", "escalation recall", "false escalation"], rows);
    }

    if let Some(b) = &l.baseline {
        page.push_str("<h3>Against the baseline</h3>\n");
        let rows = [
            ("expectations met", b.met, l.met),
            ("escalation recall", b.escalation_recall, l.escalation_recall),
            ("false escalation", b.false_escalation, l.false_escalation),
        ]
        .into_iter()
        .map(|(name, before, after)| {
            vec![
                Cell::text(name),
                Cell::number(optional_percent(before.rate)),
                Cell::number(optional_percent(after.rate)),
            ]
        });
        table(page, &["figure", "baseline", "policy"], rows);
        let _ = writeln!(
            page,
            "<p>Fixed (baseline missed, policy meets): <b>{}</b> {}. Broken (baseline met, policy misses): <b>{}</b> {}.</p>",
            b.fixed.count,
            escape(&b.fixed.examples.join(", ")),
            b.broken.count,
            escape(&b.broken.examples.join(", "))
        );
    }
}

fn confusion(page: &mut String, l: &LabelSummary) {
    page.push_str("<h3>Confusion (rows expected, columns decided)</h3>\n<table><tr><th>expected \\ decided</th>");
    for column in &l.confusion.decided {
        let _ = write!(page, "<th>{}</th>", escape(column));
    }
    page.push_str("</tr>\n");
    let top = l.confusion.rows.iter().flat_map(|r| r.counts.iter().copied()).max().unwrap_or(0).max(1);
    for row in &l.confusion.rows {
        let _ = write!(page, "<tr><td>{}</td>", escape(&row.expected));
        for count in &row.counts {
            #[allow(clippy::cast_precision_loss)] // counts stay far below 2^53
            let alpha = 0.08 + 0.6 * (*count as f64 / top as f64);
            let style =
                if *count > 0 { format!(" style=\"background:rgba(51,102,204,{alpha:.2})\"") } else { String::new() };
            let _ = write!(page, "<td class=\"n\"{style}>{count}</td>");
        }
        page.push_str("</tr>\n");
    }
    page.push_str("</table>\n");
}

fn misses(page: &mut String, l: &LabelSummary) {
    let _ = writeln!(
        page,
        "<h3>Misses</h3>\n<p>{} in all; up to {} listed per expected/decided pair.</p>",
        l.misses_total, l.misses_per_pair
    );
    let rows = l.misses.iter().flat_map(|group| {
        group.examples.iter().map(move |m| {
            let mut rule = m.rule.clone().unwrap_or_default();
            if let Some(at) = m.at_message.filter(|_| m.rule.is_some()) {
                let _ = write!(rule, " (message {at})");
            }
            vec![
                Cell::text(&m.expected),
                Cell::text(&m.decided),
                Cell::text(&rule),
                Cell::text(&m.text),
                Cell::text(&m.id),
                Cell::text(m.location.as_deref().unwrap_or("")),
            ]
        })
    });
    table(page, &["expected", "decided", "rule", "customer said", "id", "record"], rows);
}

struct Cell {
    text: String,
    number: bool,
}

impl Cell {
    fn text(text: &str) -> Cell {
        Cell { text: text.to_owned(), number: false }
    }

    fn number(text: String) -> Cell {
        Cell { text, number: true }
    }
}

fn table(page: &mut String, header: &[&str], rows: impl Iterator<Item = Vec<Cell>>) {
    page.push_str("<table><tr>");
    for h in header {
        let _ = write!(page, "<th>{}</th>", escape(h));
    }
    page.push_str("</tr>\n");
    let mut any = false;
    for row in rows {
        any = true;
        page.push_str("<tr>");
        for cell in row {
            let class = if cell.number { " class=\"n\"" } else { "" };
            let _ = write!(page, "<td{class}>{}</td>", escape(&cell.text));
        }
        page.push_str("</tr>\n");
    }
    if !any {
        let _ = writeln!(page, "<tr><td colspan=\"{}\">none</td></tr>", header.len());
    }
    page.push_str("</table>\n");
}
