//! Counters and histograms the server keeps, rendered in the Prometheus text
//! format for `GET /metrics`.
//!
//! Hand-rolled rather than a metrics crate: a handful of series, atomics for the
//! hot counters, a mutex only for the labelled decision counts.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use crate::eval::Decision;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 12] =
    [0.000_01, 0.000_05, 0.000_1, 0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05, 0.1];

/// Which endpoint made a decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Endpoint {
    Evaluate,
    Message,
}

impl Endpoint {
    fn as_str(self) -> &'static str {
        match self {
            Endpoint::Evaluate => "evaluate",
            Endpoint::Message => "message",
        }
    }
}

/// Why a session went away without a `DELETE`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Eviction {
    /// Untouched for longer than `--session-idle`.
    Idle,
    /// The least recently used, to make room under `--max-sessions`.
    Capacity,
    /// The least recently used, to stay under `--max-sessions-memory`.
    Memory,
}

/// How a reload ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReloadResult {
    /// A new policy is serving.
    Succeeded,
    /// The file had errors (or could not be read); the old policy is serving.
    Failed,
    /// The file's text had not changed.
    Unchanged,
}

/// How a connection ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Closed {
    /// The client closed it, or it broke.
    Done,
    /// A request head did not arrive within `--header-timeout`.
    HeaderTimeout,
    /// No request within `--idle-timeout`.
    Idle,
    /// Refused at once: `--max-connections` were open.
    OverLimit,
    /// Closed by the server's shutdown.
    Shutdown,
    /// Idle, closed to make room when every place was taken.
    Reclaimed,
}

impl Closed {
    const ALL: [Closed; 6] =
        [Closed::Done, Closed::HeaderTimeout, Closed::Idle, Closed::OverLimit, Closed::Shutdown, Closed::Reclaimed];

    fn as_str(self) -> &'static str {
        match self {
            Closed::Done => "done",
            Closed::HeaderTimeout => "header_timeout",
            Closed::Idle => "idle",
            Closed::OverLimit => "over_limit",
            Closed::Shutdown => "shutdown",
            Closed::Reclaimed => "reclaimed",
        }
    }
}

#[derive(Debug, Default)]
struct Histogram {
    buckets: [AtomicU64; BUCKETS.len()],
    count: AtomicU64,
    sum_nanos: AtomicU64,
}

impl Histogram {
    fn observe(&self, d: Duration) {
        let secs = d.as_secs_f64();
        // Buckets are stored non-cumulative and summed when rendered.
        if let Some(b) = BUCKETS.iter().position(|&le| secs <= le).and_then(|i| self.buckets.get(i)) {
            b.fetch_add(1, Ordering::Relaxed);
        }
        self.count.fetch_add(1, Ordering::Relaxed);
        let nanos = u64::try_from(d.as_nanos()).unwrap_or(u64::MAX);
        self.sum_nanos.fetch_add(nanos, Ordering::Relaxed);
    }

    fn render(&self, out: &mut String, name: &str, labels: &str) {
        let mut cumulative = 0u64;
        for (le, b) in BUCKETS.iter().zip(&self.buckets) {
            cumulative = cumulative.saturating_add(b.load(Ordering::Relaxed));
            let _ = writeln!(out, "{name}_bucket{{{labels},le=\"{le}\"}} {cumulative}");
        }
        let count = self.count.load(Ordering::Relaxed);
        let _ = writeln!(out, "{name}_bucket{{{labels},le=\"+Inf\"}} {count}");
        let sum = self.sum_nanos.load(Ordering::Relaxed) as f64 / 1e9;
        let _ = writeln!(out, "{name}_sum{{{labels}}} {sum}");
        let _ = writeln!(out, "{name}_count{{{labels}}} {count}");
    }
}

/// (endpoint, action, queue, rule) of a decision returned.
type DecisionKey = (Endpoint, &'static str, String, String);

/// Everything `/metrics` shows but the open-session gauge, which the session
/// store knows.
#[derive(Debug, Default)]
pub struct Metrics {
    decisions: Mutex<BTreeMap<DecisionKey, u64>>,
    evaluate_latency: Histogram,
    message_latency: Histogram,
    reloads_succeeded: AtomicU64,
    reloads_failed: AtomicU64,
    reloads_unchanged: AtomicU64,
    evicted_idle: AtomicU64,
    evicted_capacity: AtomicU64,
    evicted_memory: AtomicU64,
    connections_opened: AtomicU64,
    connections_closed: [AtomicU64; Closed::ALL.len()],
    evaluations_refused: AtomicU64,
}

/// What the session store reports for `/metrics`.
#[derive(Debug, Clone, Copy, Default)]
pub struct SessionGauges {
    pub open: usize,
    /// Estimated heap bytes of every open session.
    pub bytes: usize,
}

impl Metrics {
    /// Counts a decision returned to a client and how long evaluating took.
    pub fn decision(&self, endpoint: Endpoint, decision: &Decision, took: Duration) {
        let key = (
            endpoint,
            decision.action.as_str(),
            decision.queue.clone().unwrap_or_default(),
            decision.rule.clone().unwrap_or_default(),
        );
        if let Ok(mut map) = self.decisions.lock() {
            let n = map.entry(key).or_default();
            *n = n.saturating_add(1);
        }
        match endpoint {
            Endpoint::Evaluate => self.evaluate_latency.observe(took),
            Endpoint::Message => self.message_latency.observe(took),
        }
    }

    pub fn reload(&self, result: ReloadResult) {
        let counter = match result {
            ReloadResult::Succeeded => &self.reloads_succeeded,
            ReloadResult::Failed => &self.reloads_failed,
            ReloadResult::Unchanged => &self.reloads_unchanged,
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }

    pub fn evicted(&self, why: Eviction, n: u64) {
        let counter = match why {
            Eviction::Idle => &self.evicted_idle,
            Eviction::Capacity => &self.evicted_capacity,
            Eviction::Memory => &self.evicted_memory,
        };
        counter.fetch_add(n, Ordering::Relaxed);
    }

    pub fn connection_opened(&self) {
        self.connections_opened.fetch_add(1, Ordering::Relaxed);
    }

    pub fn connection_closed(&self, why: Closed) {
        if why == Closed::OverLimit {
            // Never counted as opened.
            self.connections_opened.fetch_add(1, Ordering::Relaxed);
        }
        if let Some(c) = Closed::ALL.iter().position(|&w| w == why).and_then(|i| self.connections_closed.get(i)) {
            c.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// An evaluation refused because the queue was full.
    pub fn evaluation_refused(&self) {
        self.evaluations_refused.fetch_add(1, Ordering::Relaxed);
    }

    fn render_connections(&self, out: &mut String) {
        let closed: Vec<u64> = self.connections_closed.iter().map(|c| c.load(Ordering::Relaxed)).collect();
        let open = self.connections_opened.load(Ordering::Relaxed).saturating_sub(closed.iter().sum());
        out.push_str("# HELP handoff_connections_open Client connections open now.\n");
        out.push_str("# TYPE handoff_connections_open gauge\n");
        let _ = writeln!(out, "handoff_connections_open {open}");
        out.push_str("# HELP handoff_connections_closed_total Client connections closed, by reason.\n");
        out.push_str("# TYPE handoff_connections_closed_total counter\n");
        for (why, n) in Closed::ALL.iter().zip(closed) {
            let _ = writeln!(out, "handoff_connections_closed_total{{reason=\"{}\"}} {n}", why.as_str());
        }
        out.push_str(
            "# HELP handoff_evaluations_refused_total Requests refused (503) because the evaluation queue was full.\n",
        );
        out.push_str("# TYPE handoff_evaluations_refused_total counter\n");
        let _ = writeln!(out, "handoff_evaluations_refused_total {}", self.evaluations_refused.load(Ordering::Relaxed));
    }

    /// The Prometheus text exposition of every series.
    pub fn render(&self, sessions: SessionGauges, policy: &crate::eval::PolicyRef) -> String {
        let mut out = String::new();
        out.push_str(
            "# HELP handoff_decisions_total Decisions returned, by endpoint, action, queue and deciding rule.\n",
        );
        out.push_str("# TYPE handoff_decisions_total counter\n");
        if let Ok(map) = self.decisions.lock() {
            for ((endpoint, action, queue, rule), n) in map.iter() {
                let _ = writeln!(
                    out,
                    "handoff_decisions_total{{endpoint=\"{}\",action=\"{action}\",queue=\"{}\",rule=\"{}\"}} {n}",
                    endpoint.as_str(),
                    escape(queue),
                    escape(rule)
                );
            }
        }
        out.push_str("# HELP handoff_evaluation_duration_seconds Time spent evaluating, parsing excluded.\n");
        out.push_str("# TYPE handoff_evaluation_duration_seconds histogram\n");
        let name = "handoff_evaluation_duration_seconds";
        self.evaluate_latency.render(&mut out, name, "endpoint=\"evaluate\"");
        self.message_latency.render(&mut out, name, "endpoint=\"message\"");
        out.push_str("# HELP handoff_sessions_open Live conversations held by the server.\n");
        out.push_str("# TYPE handoff_sessions_open gauge\n");
        let _ = writeln!(out, "handoff_sessions_open {}", sessions.open);
        out.push_str("# HELP handoff_sessions_bytes Estimated heap bytes held by live conversations.\n");
        out.push_str("# TYPE handoff_sessions_bytes gauge\n");
        let _ = writeln!(out, "handoff_sessions_bytes {}", sessions.bytes);
        out.push_str("# HELP handoff_session_evictions_total Sessions dropped without a DELETE, by reason.\n");
        out.push_str("# TYPE handoff_session_evictions_total counter\n");
        let idle = self.evicted_idle.load(Ordering::Relaxed);
        let capacity = self.evicted_capacity.load(Ordering::Relaxed);
        let _ = writeln!(out, "handoff_session_evictions_total{{reason=\"idle\"}} {idle}");
        let _ = writeln!(out, "handoff_session_evictions_total{{reason=\"capacity\"}} {capacity}");
        let memory = self.evicted_memory.load(Ordering::Relaxed);
        let _ = writeln!(out, "handoff_session_evictions_total{{reason=\"memory\"}} {memory}");
        self.render_connections(&mut out);
        out.push_str("# HELP handoff_policy_reloads_total Policy reloads, by result.\n");
        out.push_str("# TYPE handoff_policy_reloads_total counter\n");
        for (result, counter) in [
            ("succeeded", &self.reloads_succeeded),
            ("failed", &self.reloads_failed),
            ("unchanged", &self.reloads_unchanged),
        ] {
            let _ = writeln!(
                out,
                "handoff_policy_reloads_total{{result=\"{result}\"}} {}",
                counter.load(Ordering::Relaxed)
            );
        }
        out.push_str("# HELP handoff_policy_info The policy serving new requests.\n");
        out.push_str("# TYPE handoff_policy_info gauge\n");
        let _ = writeln!(
            out,
            "handoff_policy_info{{name=\"{}\",version=\"{}\",hash=\"{}\"}} 1",
            escape(&policy.name),
            policy.version,
            escape(&policy.hash)
        );
        out
    }
}

/// Label values escape backslash, double quote and newline.
fn escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::{Decision, PolicyRef};

    #[test]
    fn renders_counts_and_cumulative_buckets() {
        let m = Metrics::default();
        let policy = PolicyRef { name: "p\"q".into(), version: 2, hash: "abc".into() };
        let d = Decision::none(policy.clone());
        m.decision(Endpoint::Evaluate, &d, Duration::from_micros(30));
        m.decision(Endpoint::Evaluate, &d, Duration::from_millis(3));
        m.reload(ReloadResult::Failed);
        m.evicted(Eviction::Idle, 2);
        m.connection_opened();
        m.connection_opened();
        m.connection_closed(Closed::HeaderTimeout);
        m.connection_closed(Closed::OverLimit);
        let text = m.render(SessionGauges { open: 5, bytes: 1234 }, &policy);
        assert!(text.contains("handoff_connections_open 1\n"), "{text}");
        assert!(text.contains(r#"handoff_connections_closed_total{reason="header_timeout"} 1"#));
        assert!(text.contains(r#"handoff_connections_closed_total{reason="over_limit"} 1"#));
        assert!(text.contains("handoff_sessions_bytes 1234"));
        assert!(text.contains(r#"handoff_decisions_total{endpoint="evaluate",action="none",queue="",rule=""} 2"#));
        assert!(text.contains(r#"handoff_evaluation_duration_seconds_bucket{endpoint="evaluate",le="0.00005"} 1"#));
        assert!(text.contains(r#"handoff_evaluation_duration_seconds_bucket{endpoint="evaluate",le="0.005"} 2"#));
        assert!(text.contains(r#"handoff_evaluation_duration_seconds_count{endpoint="evaluate"} 2"#));
        assert!(text.contains(r#"handoff_evaluation_duration_seconds_count{endpoint="message"} 0"#));
        assert!(text.contains("handoff_sessions_open 5"));
        assert!(text.contains(r#"handoff_policy_reloads_total{result="failed"} 1"#));
        assert!(text.contains(r#"handoff_session_evictions_total{reason="idle"} 2"#));
        assert!(text.contains(r#"handoff_policy_info{name="p\"q",version="2",hash="abc"} 1"#));
    }
}
