//! What a service knows at evaluation time and the conversation does not: the clock,
//! each queue's business hours, and whether a queue is open or has agents free.
//!
//! Unknown facts never block a handoff: a queue with no status and no hours counts
//! as open, in hours, with one agent free.

use std::collections::BTreeMap;

use jiff::civil::{Time, Weekday};
use jiff::tz::TimeZone;
use jiff::{Timestamp, Zoned};
use serde::{Deserialize, Serialize};

/// The evaluation context (`--context ctx.json` on the command line).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Context {
    /// The current time. When absent, the time of the message being evaluated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub now: Option<Timestamp>,
    /// The time zone business hours are written in (IANA name, default UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub queues: BTreeMap<String, QueueStatus>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QueueStatus {
    /// Overrides business hours when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub open: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agents_free: Option<u32>,
    /// Business hours such as "Mon-Fri 09:00-17:00, Sat 10:00-14:00".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hours: Option<String>,
}

/// A problem in a context: a bad time zone or business hours.
#[derive(Debug, Clone, PartialEq, thiserror::Error, miette::Diagnostic)]
#[error("context: {field}: {reason}")]
#[diagnostic(code(handoff::context::invalid))]
pub struct ContextError {
    pub field: String,
    pub reason: String,
}

impl Context {
    /// Reads a context from JSON, naming the field at fault.
    pub fn from_json(text: &str) -> Result<Context, ContextError> {
        let de = &mut serde_json::Deserializer::from_str(text);
        let ctx: Context = serde_path_to_error::deserialize(de)
            .map_err(|e| ContextError { field: e.path().to_string(), reason: e.inner().to_string() })?;
        ctx.validate()?;
        Ok(ctx)
    }

    /// Checks the time zone and every queue's hours.
    pub fn validate(&self) -> Result<(), ContextError> {
        self.zone()?;
        for (name, q) in &self.queues {
            if let Some(h) = &q.hours {
                parse_hours(h).map_err(|reason| ContextError { field: format!("queues.{name}.hours"), reason })?;
            }
        }
        Ok(())
    }

    fn zone(&self) -> Result<TimeZone, ContextError> {
        match &self.timezone {
            None => Ok(TimeZone::UTC),
            Some(name) => TimeZone::get(name).map_err(|e| ContextError {
                field: "timezone".into(),
                reason: format!("unknown time zone {name:?}: {e}"),
            }),
        }
    }

    /// Whether the queue takes conversations now.
    pub fn is_open(&self, queue: &str, at: Option<Timestamp>) -> bool {
        match self.queues.get(queue) {
            Some(QueueStatus { open: Some(open), .. }) => *open,
            _ => self.in_hours(queue, at),
        }
    }

    /// Whether `now` (or the message time) is inside the queue's business hours.
    pub fn in_hours(&self, queue: &str, at: Option<Timestamp>) -> bool {
        let Some(hours) = self.queues.get(queue).and_then(|q| q.hours.as_deref()) else { return true };
        let Some(now) = self.now.or(at) else { return true };
        let Ok(spans) = parse_hours(hours) else { return true };
        let zone = self.zone().unwrap_or(TimeZone::UTC);
        let local = Zoned::new(now, zone);
        let (day, time) = (local.weekday(), local.time());
        spans.iter().any(|s| s.days.contains(&day) && time >= s.open && time < s.close)
    }

    pub fn agents_free(&self, queue: &str) -> u32 {
        self.queues.get(queue).and_then(|q| q.agents_free).unwrap_or(1)
    }
}

#[derive(Debug, Clone, PartialEq)]
struct HoursSpan {
    days: Vec<Weekday>,
    open: Time,
    close: Time,
}

const DAYS: &[(&str, Weekday)] = &[
    ("mon", Weekday::Monday),
    ("tue", Weekday::Tuesday),
    ("wed", Weekday::Wednesday),
    ("thu", Weekday::Thursday),
    ("fri", Weekday::Friday),
    ("sat", Weekday::Saturday),
    ("sun", Weekday::Sunday),
];

/// "Mon-Fri 09:00-17:00, Sat 10:00-14:00" into spans.
fn parse_hours(text: &str) -> Result<Vec<HoursSpan>, String> {
    let mut spans = Vec::new();
    for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (days, times) = part
            .split_once(' ')
            .ok_or_else(|| format!("{part:?}: expected days and times, such as \"Mon-Fri 09:00-17:00\""))?;
        let days = parse_days(days.trim())?;
        let (open, close) = times
            .trim()
            .split_once('-')
            .ok_or_else(|| format!("{times:?}: expected a time range such as 09:00-17:00"))?;
        let open = parse_time(open)?;
        let close = parse_time(close)?;
        if close <= open {
            return Err(format!("{part:?}: closes before it opens"));
        }
        spans.push(HoursSpan { days, open, close });
    }
    if spans.is_empty() {
        return Err("no opening hours given".into());
    }
    Ok(spans)
}

fn day_index(name: &str) -> Result<usize, String> {
    let lower = name.to_ascii_lowercase();
    DAYS.iter()
        .position(|(d, _)| lower.starts_with(d))
        .ok_or_else(|| format!("{name:?} is not a day (Mon, Tue, Wed, Thu, Fri, Sat, Sun)"))
}

fn parse_days(text: &str) -> Result<Vec<Weekday>, String> {
    let mut out = Vec::new();
    for group in text.split('+') {
        match group.split_once('-') {
            Some((a, b)) => {
                let (a, b) = (day_index(a)?, day_index(b)?);
                let mut i = a;
                loop {
                    if let Some((_, d)) = DAYS.get(i) {
                        out.push(*d);
                    }
                    if i == b {
                        break;
                    }
                    i = (i + 1) % DAYS.len();
                }
            }
            None => {
                if let Some((_, d)) = DAYS.get(day_index(group)?) {
                    out.push(*d);
                }
            }
        }
    }
    Ok(out)
}

fn parse_time(text: &str) -> Result<Time, String> {
    let t = text.trim();
    if t == "24:00" {
        return Ok(Time::MAX);
    }
    Time::strptime("%H:%M", t).map_err(|_| format!("{t:?} is not a time such as 09:30"))
}

#[cfg(test)]
#[path = "context_tests.rs"]
mod tests;
