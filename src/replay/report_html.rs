//! The replay summary as one self-contained HTML page: inline CSS and SVG
//! charts drawn here, no scripts, nothing fetched from the network.

use std::fmt::Write;

use super::report_text::{percent, points, policy_line};
use super::summary::Summary;

const CSS: &str = "
body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;color:#1d2430;margin:2rem auto;max-width:1080px;padding:0 1rem;background:#fff}
h1{font-size:1.5rem;margin:0 0 .25rem}h2{font-size:1.15rem;margin:2rem 0 .5rem;border-bottom:1px solid #d8dde6;padding-bottom:.25rem}
.meta{color:#5b6474}.cards{display:flex;gap:1rem;flex-wrap:wrap;margin:1rem 0}
.card{border:1px solid #d8dde6;border-radius:6px;padding:.6rem 1rem;min-width:9rem}
.card b{display:block;font-size:1.4rem}.card span{color:#5b6474;font-size:.85rem}
table{border-collapse:collapse;margin:.5rem 0}th,td{padding:.25rem .7rem;border-bottom:1px solid #e6e9ef;text-align:left}
td.n{text-align:right;font-variant-numeric:tabular-nums}th{background:#f3f5f8}
svg text{font:12px system-ui,sans-serif;fill:#1d2430}.legend span{display:inline-block;width:.8rem;height:.8rem;margin:0 .3rem 0 1rem;vertical-align:middle}
.up{color:#b3261e}.down{color:#1b7f3b}
";

/// Bar colours: the new policy, the baseline (or a second measure), and a third series.
const COLOURS: [&str; 3] = ["#3366cc", "#f0a030", "#7aa6e8"];

/// The page.
pub fn render(summary: &Summary) -> String {
    let mut page = String::new();
    let title = format!("Replay of {} version {}", summary.policy.name, summary.policy.version);
    let _ = write!(
        page,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{}</title><style>{CSS}</style></head><body>\n",
        escape(&title)
    );
    let _ = writeln!(page, "<h1>{}</h1>", escape(&title));
    let _ = writeln!(page, "<p class=\"meta\">policy {}</p>", escape(&policy_line(&summary.policy)));
    cards(&mut page, summary);

    page.push_str("<h2>Decisions</h2>\n");
    let a = &summary.actions;
    let mut rows = vec![
        BarRow::new("escalate", vec![a.escalate.rate]),
        BarRow::new("offer", vec![a.offer.rate]),
        BarRow::new("flag", vec![a.flag.rate]),
        BarRow::new("none", vec![a.none.rate]),
    ];
    let mut series = vec!["policy"];
    if let Some(diff) = &summary.diff {
        let b = &diff.baseline_actions;
        for (row, rate) in rows.iter_mut().zip([b.escalate.rate, b.offer.rate, b.flag.rate, b.none.rate]) {
            row.values.push(rate);
        }
        series.push("baseline");
    }
    page.push_str(&legend(&series));
    page.push_str(&bar_chart(&rows));

    page.push_str("<h2>Rules</h2>\n");
    page.push_str(&legend(&["fired", "decided"]));
    let rows: Vec<BarRow> =
        summary.rules.iter().map(|r| BarRow::new(&r.rule, vec![r.fired.rate, r.decided.rate])).collect();
    page.push_str(&bar_chart(&rows));
    let mut table = String::from(
        "<table><tr><th>rule</th><th>fired</th><th>%</th><th>decided</th><th>%</th><th>examples</th></tr>\n",
    );
    for r in &summary.rules {
        let _ = writeln!(
            table,
            "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td></tr>",
            escape(&r.rule),
            r.fired.count,
            percent(r.fired.rate),
            r.decided.count,
            percent(r.decided.rate),
            escape(&r.examples.join(", "))
        );
    }
    table.push_str("</table>\n");
    page.push_str(&table);

    page.push_str("<h2>Queues</h2>\n");
    page.push_str(&legend(&["escalated", "offered"]));
    let rows: Vec<BarRow> =
        summary.queues.iter().map(|q| BarRow::new(&q.queue, vec![q.escalated.rate, q.offered.rate])).collect();
    page.push_str(&bar_chart(&rows));

    let timing = &summary.escalation_message;
    page.push_str("<h2>Message at which escalation happened</h2>\n");
    match (timing.median, timing.p90) {
        (Some(median), Some(p90)) => {
            let _ = writeln!(
                page,
                "<p>{} escalations; median message {median}, 90th percentile {p90}.</p>",
                timing.escalations
            );
        }
        _ => page.push_str("<p>No escalations.</p>\n"),
    }
    let bins: Vec<(String, u64)> = timing.histogram.iter().map(|b| (b.message.clone(), b.count)).collect();
    page.push_str(&histogram(&bins));

    if let Some(key) = &summary.group_by {
        let _ = writeln!(page, "<h2>Groups by <code>{}</code></h2>", escape(key));
        let mut table = String::from("<table><tr><th>group</th><th>conversations</th><th>escalate</th><th>offer</th><th>flag</th><th>none</th><th>contained</th></tr>\n");
        for g in &summary.groups {
            let _ = writeln!(
                table,
                "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
                escape(&g.group),
                g.conversations,
                percent(g.actions.escalate.rate),
                percent(g.actions.offer.rate),
                percent(g.actions.flag.rate),
                percent(g.actions.none.rate),
                percent(g.containment.rate)
            );
        }
        table.push_str("</table>\n");
        page.push_str(&table);
    }

    if let Some(diff) = &summary.diff {
        page.push_str("<h2>Against the baseline</h2>\n");
        let _ = writeln!(
            page,
            "<p>Baseline {}: <b>{}</b> of {} decisions changed ({}).</p>",
            escape(&policy_line(&diff.baseline)),
            diff.changed.count,
            summary.evaluated,
            percent(diff.changed.rate)
        );
        let mut table = String::from(
            "<table><tr><th>from (baseline)</th><th>to (policy)</th><th>count</th><th>examples</th></tr>\n",
        );
        for t in &diff.transitions {
            let _ = writeln!(
                table,
                "<tr><td>{}</td><td>{}</td><td class=\"n\">{}</td><td>{}</td></tr>",
                escape(&t.from),
                escape(&t.to),
                t.count,
                escape(&t.examples.join(", "))
            );
        }
        if diff.transitions.is_empty() {
            table.push_str("<tr><td colspan=\"4\">no decision changed</td></tr>\n");
        }
        table.push_str("</table>\n");
        page.push_str(&table);
        page.push_str("<h3>Escalation rate per queue</h3>\n");
        page.push_str(&legend(&["policy", "baseline"]));
        let rows: Vec<BarRow> =
            diff.queues.iter().map(|q| BarRow::new(&q.queue, vec![q.policy.rate, q.baseline.rate])).collect();
        page.push_str(&bar_chart(&rows));
        let mut table = String::from("<table><tr><th>queue</th><th>baseline</th><th>policy</th><th>change</th></tr>\n");
        for q in &diff.queues {
            let class = if q.change > 0.0 {
                "up"
            } else if q.change < 0.0 {
                "down"
            } else {
                ""
            };
            let _ = writeln!(
                table,
                "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n {class}\">{}</td></tr>",
                escape(&q.queue),
                percent(q.baseline.rate),
                percent(q.policy.rate),
                points(q.change)
            );
        }
        table.push_str("</table>\n");
        page.push_str(&table);
    }
    if let Some(labels) = &summary.labels {
        super::report_labels_html::render(&mut page, labels, summary.evaluated);
    }
    page.push_str("</body></html>\n");
    page
}

fn cards(page: &mut String, summary: &Summary) {
    page.push_str("<div class=\"cards\">\n");
    let mut card = |value: String, label: &str| {
        let _ = writeln!(page, "<div class=\"card\"><b>{}</b><span>{}</span></div>", escape(&value), escape(label));
    };
    card(summary.read.to_string(), "records read");
    card(summary.evaluated.to_string(), "evaluated");
    card(summary.rejected.to_string(), "rejected");
    card(percent(summary.actions.escalate.rate), "escalated to a person");
    card(percent(summary.containment.rate), "contained (stayed with the bot)");
    if let Some(diff) = &summary.diff {
        card(percent(diff.changed.rate), "decisions changed vs baseline");
    }
    page.push_str("</div>\n");
}

/// One labelled group of bars (one bar per series), values as rates in 0..=1.
struct BarRow {
    label: String,
    values: Vec<f64>,
}

impl BarRow {
    fn new(label: &str, values: Vec<f64>) -> BarRow {
        BarRow { label: label.to_owned(), values }
    }
}

fn legend(series: &[&str]) -> String {
    let mut out = String::from("<p class=\"legend\">");
    for (name, colour) in series.iter().zip(COLOURS) {
        let _ = write!(out, "<span style=\"background:{colour}\"></span>{}", escape(name));
    }
    out.push_str("</p>\n");
    out
}

/// Horizontal bars, one group per row, scaled to the largest value.
fn bar_chart(rows: &[BarRow]) -> String {
    const LABEL: f64 = 200.0;
    const PLOT: f64 = 700.0;
    const BAR: f64 = 16.0;
    const GAP: f64 = 10.0;
    let series = rows.iter().map(|r| r.values.len()).max().unwrap_or(1).max(1);
    let group = BAR * series as f64 + GAP;
    let height = (group * rows.len() as f64 + GAP).max(30.0);
    let top = rows.iter().flat_map(|r| r.values.iter().copied()).fold(0.0_f64, f64::max);
    let scale = if top > 0.0 { PLOT / top } else { 0.0 };
    let width = LABEL + PLOT + 70.0;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" role=\"img\">\n"
    );
    for (i, row) in rows.iter().enumerate() {
        let y0 = GAP + group * i as f64;
        let _ = writeln!(
            svg,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
            LABEL - 8.0,
            y0 + BAR * series as f64 / 2.0 + 4.0,
            escape(&row.label)
        );
        for (j, (value, colour)) in row.values.iter().zip(COLOURS).enumerate() {
            let y = y0 + BAR * j as f64;
            let w = (value * scale).max(if *value > 0.0 { 1.0 } else { 0.0 });
            let _ = writeln!(
                svg,
                "<rect x=\"{LABEL}\" y=\"{y}\" width=\"{w:.1}\" height=\"{}\" fill=\"{colour}\"><title>{}</title></rect>",
                BAR - 2.0,
                percent(*value)
            );
            let _ =
                writeln!(svg, "<text x=\"{:.1}\" y=\"{}\">{}</text>", LABEL + w + 4.0, y + BAR - 5.0, percent(*value));
        }
    }
    let _ = writeln!(svg, "<line x1=\"{LABEL}\" y1=\"0\" x2=\"{LABEL}\" y2=\"{height}\" stroke=\"#8a93a3\"/>");
    svg.push_str("</svg>\n");
    svg
}

/// Vertical bars of counts, one per message bin.
fn histogram(bins: &[(String, u64)]) -> String {
    const HEIGHT: f64 = 220.0;
    const BASE: f64 = 190.0;
    const COLUMN: f64 = 40.0;
    if bins.is_empty() {
        return String::new();
    }
    let top = bins.iter().map(|(_, c)| *c).max().unwrap_or(0) as f64;
    let width = 50.0 + COLUMN * bins.len() as f64;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{HEIGHT}\" viewBox=\"0 0 {width} {HEIGHT}\" role=\"img\">\n"
    );
    for (i, (label, count)) in bins.iter().enumerate() {
        let x = 40.0 + COLUMN * i as f64;
        let h = if top > 0.0 { *count as f64 / top * (BASE - 30.0) } else { 0.0 };
        let _ = writeln!(
            svg,
            "<rect x=\"{x}\" y=\"{:.1}\" width=\"{}\" height=\"{h:.1}\" fill=\"{}\"><title>message {}: {count}</title></rect>",
            BASE - h,
            COLUMN - 6.0,
            COLOURS[0],
            escape(label)
        );
        let centre = x + (COLUMN - 6.0) / 2.0;
        let _ = writeln!(svg, "<text x=\"{centre}\" y=\"{:.1}\" text-anchor=\"middle\">{count}</text>", BASE - h - 4.0);
        let _ =
            writeln!(svg, "<text x=\"{centre}\" y=\"{}\" text-anchor=\"middle\">{}</text>", BASE + 16.0, escape(label));
    }
    let _ = writeln!(svg, "<line x1=\"36\" y1=\"{BASE}\" x2=\"{width}\" y2=\"{BASE}\" stroke=\"#8a93a3\"/>");
    svg.push_str("</svg>\n");
    svg
}

/// The one escaper for HTML and XML text and attribute values.
pub use crate::render::escape;
