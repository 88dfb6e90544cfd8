//! What a service knows at evaluation time and the conversation does not: the clock,
//! each queue's business hours, and whether a queue is open or has agents free.
//!
//! Unknown facts never block a handoff: a queue with no status and no hours counts
//! as open, in hours, with one agent free.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use jiff::civil::{Time, Weekday};
use jiff::tz::TimeZone;
use jiff::{Timestamp, Zoned};
use serde::{Deserialize, Serialize};

/// The evaluation context (`--context ctx.json` on the command line).
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
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
    /// The time zone and business hours, parsed on the first question about them.
    #[serde(skip)]
    schedule: ScheduleCache,
}

/// The fields as written; the parsed schedule is derived from them.
impl std::fmt::Debug for Context {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Context")
            .field("now", &self.now)
            .field("timezone", &self.timezone)
            .field("queues", &self.queues)
            .finish()
    }
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
    /// Hours that do not parse, like a queue without hours, count as open.
    pub fn in_hours(&self, queue: &str, at: Option<Timestamp>) -> bool {
        let Some(hours) = self.queues.get(queue).and_then(|q| q.hours.as_deref()) else { return true };
        let Some(now) = self.now.or(at) else { return true };
        let schedule = self.schedule.0.get_or_init(|| Schedule::of(self));
        // The fields are public: a context changed after its first question is parsed again.
        match schedule.hours.get(queue).filter(|(text, _)| schedule.timezone == self.timezone && text == hours) {
            Some((_, spans)) => spans.as_deref().is_none_or(|spans| open_at(spans, now, schedule.zone.clone())),
            None => parse_hours(hours).map_or(true, |spans| open_at(&spans, now, self.zone().unwrap_or(TimeZone::UTC))),
        }
    }

    pub fn agents_free(&self, queue: &str) -> u32 {
        self.queues.get(queue).and_then(|q| q.agents_free).unwrap_or(1)
    }
}

/// Whether the spans are open at `now` in `zone`.
fn open_at(spans: &[HoursSpan], now: Timestamp, zone: TimeZone) -> bool {
    let local = Zoned::new(now, zone);
    let (day, time) = (local.weekday(), local.time());
    spans.iter().any(|s| s.days.contains(&day) && time >= s.open && time < s.close)
}

/// A context's time zone and business hours, parsed once instead of on every question
/// (an `in_hours` or `open` condition asks on every message).
#[derive(Debug, Clone)]
struct Schedule {
    /// The time zone as written, and the zone (UTC when unknown).
    timezone: Option<String>,
    zone: TimeZone,
    /// Each queue's hours as written, and their spans (`None` when they do not parse).
    hours: BTreeMap<String, (String, Option<Vec<HoursSpan>>)>,
}

impl Schedule {
    fn of(context: &Context) -> Schedule {
        let hours = context
            .queues
            .iter()
            .filter_map(|(name, q)| q.hours.as_ref().map(|h| (name.clone(), (h.clone(), parse_hours(h).ok()))))
            .collect();
        Schedule { timezone: context.timezone.clone(), zone: context.zone().unwrap_or(TimeZone::UTC), hours }
    }
}

/// The schedule once parsed. It is derived from the other fields, so it takes no part
/// in comparing contexts.
#[derive(Debug, Clone, Default)]
struct ScheduleCache(OnceLock<Schedule>);

impl PartialEq for ScheduleCache {
    fn eq(&self, _: &Self) -> bool {
        true
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

/// Why business hours do not parse, if they do not.
pub(crate) fn hours_problem(text: &str) -> Option<String> {
    parse_hours(text).err()
}

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
