//! The server's settings and the parsers for their human forms (`15m`, `1MiB`).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use crate::eval::Context;
use crate::syntax::ast::DurationUnit;

/// Where the server listens when no address is given: loopback only.
pub const DEFAULT_BIND: &str = "127.0.0.1:8787";

/// Everything `handoff serve` can be told. Nothing here can be changed by a
/// request: the policy file, the bind address and the limits are fixed at start.
#[derive(Debug, Clone)]
pub struct ServeConfig {
    /// The policy file, loaded at start and reloaded when it changes.
    pub policy: PathBuf,
    /// `127.0.0.1:0` picks a free port (see `RunningServer::addr`).
    pub bind: SocketAddr,
    /// The context used when a request brings none.
    pub context: Context,
    /// Live sessions kept at once; past this the least recently used is evicted.
    pub max_sessions: usize,
    /// A session untouched for this long is evicted.
    pub session_idle: Duration,
    /// Messages one conversation may have (in `/v1/evaluate` and in a session).
    pub max_messages: u32,
    /// Largest request body, in bytes.
    pub max_body: usize,
    /// Bytes of request bodies in memory at once (received, waiting or being
    /// parsed); past this a request gets a 503.
    pub max_body_memory: usize,
    /// When set, every endpoint but `/healthz` wants `Authorization: Bearer <token>`.
    pub token: Option<String>,
    /// Reload when the policy file changes.
    pub watch: bool,
    /// Reload on SIGHUP (Unix). Signals are process-wide: leave this off in tests
    /// that run several servers in one process.
    pub reload_on_sighup: bool,
    /// The settle interval: after a change the policy file must keep the same
    /// size and content for this long before it is checked, so a file still
    /// being written is never loaded.
    pub reload_debounce: Duration,
    /// How often the watcher checks the policy file and its directories
    /// without an event (symlink swaps, recreated directories, lost events).
    pub watch_poll: Duration,
    /// Time a client has to send a request's headers once it started sending them.
    pub header_timeout: Duration,
    /// A keep-alive connection with no request for this long is closed.
    pub idle_timeout: Duration,
    /// Time a client has to send a request's body.
    pub body_timeout: Duration,
    /// Largest request head (request line and headers), in bytes; at least 8 KiB.
    pub max_header_bytes: usize,
    /// Connections served at once; past this a new one gets a 503 and is closed.
    pub max_connections: usize,
    /// On shutdown, requests in flight get this long to finish; then every
    /// connection is closed.
    pub shutdown_grace: Duration,
    /// Threads evaluating requests (0: one per CPU). They run off the async
    /// workers, on stacks of [`EVAL_STACK`] bytes.
    pub eval_threads: usize,
    /// Evaluations waiting or running at once; past this a request gets a 503.
    pub eval_queue: usize,
    /// Estimated memory one live session may take (attributes, context and
    /// message text); a request that would pass it gets a 413.
    pub max_session_bytes: usize,
    /// Estimated memory all live sessions may take; past this the least
    /// recently used are evicted.
    pub max_sessions_memory: usize,
}

/// The stack of each evaluation thread: evaluation walks compiled expressions
/// whose depth the checker bounds; 16 MiB is far more than that bound needs.
pub const EVAL_STACK: usize = 16 << 20;

/// The stack of the thread that parses, checks and compiles a (re)loaded policy.
pub const RELOAD_STACK: usize = 64 << 20;

/// hyper refuses a read buffer smaller than this.
pub const MIN_HEADER_BYTES: usize = 8 << 10;

impl ServeConfig {
    /// The defaults for a policy file: loopback, 10 000 sessions idle for 15
    /// minutes at most, 1 000 messages, 1 MiB bodies, no token, file watching on;
    /// 30 s for headers, 60 s idle (nginx has 60 s and 75 s), 2 048 connections.
    pub fn new(policy: impl Into<PathBuf>) -> ServeConfig {
        ServeConfig {
            policy: policy.into(),
            bind: SocketAddr::from(([127, 0, 0, 1], 8787)),
            context: Context::default(),
            max_sessions: 10_000,
            session_idle: Duration::from_secs(15 * 60),
            max_messages: 1_000,
            max_body: 1024 * 1024,
            max_body_memory: 64 << 20,
            token: None,
            watch: true,
            reload_on_sighup: false,
            reload_debounce: Duration::from_millis(100),
            watch_poll: Duration::from_secs(1),
            header_timeout: Duration::from_secs(30),
            idle_timeout: Duration::from_secs(60),
            body_timeout: Duration::from_secs(30),
            max_header_bytes: 16 << 10,
            max_connections: 2_048,
            shutdown_grace: Duration::from_secs(10),
            eval_threads: 0,
            eval_queue: 256,
            max_session_bytes: 256 << 10,
            max_sessions_memory: 512 << 20,
        }
    }

    /// Settings that cannot work, named by their command-line flag.
    pub fn validate(&self) -> Result<(), String> {
        if self.max_sessions == 0 {
            return Err("--max-sessions must be at least 1".into());
        }
        if self.max_messages == 0 {
            return Err("--max-messages must be at least 1".into());
        }
        if self.max_body < 64 {
            return Err("--max-body must be at least 64 bytes".into());
        }
        if self.session_idle.is_zero() {
            return Err("--session-idle must be longer than zero".into());
        }
        for (flag, d) in [
            ("--header-timeout", self.header_timeout),
            ("--idle-timeout", self.idle_timeout),
            ("--body-timeout", self.body_timeout),
            ("--watch-poll", self.watch_poll),
        ] {
            if d.is_zero() {
                return Err(format!("{flag} must be longer than zero"));
            }
        }
        if self.max_body_memory < self.max_body {
            return Err("--max-body-memory must be at least --max-body".into());
        }
        if self.max_header_bytes < MIN_HEADER_BYTES {
            return Err(format!("--max-header-size must be at least {} KiB", MIN_HEADER_BYTES >> 10));
        }
        if self.max_connections == 0 || self.eval_queue == 0 {
            return Err("--max-connections and --eval-queue must be at least 1".into());
        }
        if self.max_session_bytes < 1024 || self.max_sessions_memory < self.max_session_bytes {
            return Err("--max-session-bytes must be at least 1KiB and at most --max-sessions-memory".into());
        }
        if self.token.as_deref().is_some_and(|t| t.trim().is_empty()) {
            return Err("the token file is empty".into());
        }
        Ok(())
    }
}

/// `90s`, `15m`, `2h`, `500ms`, `1d`; a bare number is seconds.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let t = text.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (digits, unit) = t.split_at(split);
    let n: u64 = digits.parse().map_err(|_| format!("{text:?} is not a duration such as 90s, 15m or 2h"))?;
    let unit = match unit.trim() {
        "" => DurationUnit::Seconds,
        other => DurationUnit::from_suffix(other).ok_or_else(|| {
            let units: Vec<&str> = DurationUnit::ALL.iter().map(|u| u.suffix()).collect();
            format!("{other:?} is not a unit of time ({})", units.join(", "))
        })?,
    };
    n.checked_mul(unit.millis()).map(Duration::from_millis).ok_or_else(|| format!("{text:?} is too long"))
}

/// `1MiB`, `512KiB`, `64kB`, `2MB`, `1000`: a size in bytes.
pub fn parse_size(text: &str) -> Result<usize, String> {
    let t = text.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (digits, unit) = t.split_at(split);
    let n: usize = digits.parse().map_err(|_| format!("{text:?} is not a size such as 1MiB or 512KiB"))?;
    let factor: usize = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "kb" | "k" => 1_000,
        "kib" => 1 << 10,
        "mb" | "m" => 1_000_000,
        "mib" => 1 << 20,
        "gb" | "g" => 1_000_000_000,
        "gib" => 1 << 30,
        other => return Err(format!("{other:?} is not a unit of size (B, KiB, MiB, GiB, kB, MB, GB)")),
    };
    n.checked_mul(factor).ok_or_else(|| format!("{text:?} is too large"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("15m"), Ok(Duration::from_secs(900)));
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("30"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration("2h"), Ok(Duration::from_secs(7200)));
        assert!(parse_duration("15 minutes").is_err());
        assert!(parse_duration("m").is_err());
        assert!(parse_duration("99999999999999999999d").is_err());
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("1MiB"), Ok(1 << 20));
        assert_eq!(parse_size("64kB"), Ok(64_000));
        assert_eq!(parse_size("512KiB"), Ok(512 * 1024));
        assert_eq!(parse_size("100"), Ok(100));
        assert!(parse_size("1 parsec").is_err());
        assert!(parse_size("").is_err());
    }

    #[test]
    fn defaults_are_loopback_and_valid() {
        let c = ServeConfig::new("p.handoff");
        assert!(c.bind.ip().is_loopback());
        assert_eq!(c.bind.to_string(), DEFAULT_BIND);
        assert_eq!(c.validate(), Ok(()));
        assert!(ServeConfig { max_sessions: 0, ..c.clone() }.validate().is_err());
        assert!(ServeConfig { max_header_bytes: 4096, ..c.clone() }.validate().is_err());
        assert!(ServeConfig { header_timeout: Duration::ZERO, ..c.clone() }.validate().is_err());
        assert!(ServeConfig { max_sessions_memory: 1000, ..c.clone() }.validate().is_err());
        assert!(ServeConfig { token: Some(" \n".into()), ..c }.validate().is_err());
    }
}
