//! `handoff serve`: the evaluator as an HTTP sidecar, called after every message.
//!
//! Endpoints (bodies and errors are JSON; see `docs/embedding.md`):
//!
//! | method and path                        | what it does                                  |
//! |----------------------------------------|-----------------------------------------------|
//! | `POST /v1/evaluate`                    | decides on a whole conversation               |
//! | `POST /v1/conversations/{id}/messages` | appends a message to a live session           |
//! | `GET /v1/conversations/{id}`           | the live session's decision so far            |
//! | `DELETE /v1/conversations/{id}`        | ends a live session                           |
//! | `GET /v1/policy`                       | name, version, hash and load time             |
//! | `GET /healthz`                         | liveness (never needs the token)              |
//! | `GET /metrics`                         | Prometheus text format                        |
//!
//! The entry points are [`ServeConfig`] (settings), [`start`] (a server
//! running in-process, a [`RunningServer`]) and [`RunningServer::reload`].
//! Inside, one stage a file: `config` (settings), `connections` (accepting and
//! serving connections, timeouts and limits), `input` (bodies to requests),
//! `routes` (handlers), `work` (where CPU work runs: off the async workers, on
//! threads with known stacks), `sessions` (live conversations), `state` (the
//! shared, atomically swapped policy), `reload` (stable reads, checking,
//! swapping), `watch` (noticing file changes), `metrics`, `layers` (request log,
//! authentication), `errors`.
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let mut config = handoff::serve::ServeConfig::new("policies/payments.handoff");
//! config.bind = "127.0.0.1:0".parse()?; // any free port
//! let server = handoff::serve::start(config).await?;
//! println!("listening on http://{}", server.addr());
//! server.shutdown().await?;
//! # Ok(()) }
//! ```

pub(crate) mod config;
pub(crate) mod connections;
pub(crate) mod errors;
pub(crate) mod input;
pub(crate) mod layers;
pub(crate) mod metrics;
pub(crate) mod reload;
pub(crate) mod routes;
#[doc(hidden)]
pub mod sessions;
pub(crate) mod state;
pub(crate) mod watch;
pub(crate) mod work;

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

pub use config::{parse_duration, parse_size, ServeConfig, DEFAULT_BIND, EVAL_STACK, RELOAD_STACK};
pub use reload::{PolicyFile, ReloadOutcome};

use crate::analysis::PolicyError;
use crate::eval::PolicyRef;
use metrics::Eviction;
use reload::{LoadError, Reloader};
use state::App;

/// Why the server did not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("{0}")]
    /// The settings are inconsistent (a bad bind address, a limit of 0).
    Config(String),
    /// The policy file could not be read (in plain words).
    #[error("{0}")]
    Read(String),
    /// The policy has errors (every one of them is inside).
    #[error(transparent)]
    Policy(Box<PolicyError>),
    #[error("cannot listen on {addr}: {source}")]
    /// The address could not be listened on (busy, or not this machine's).
    Bind {
        /// The address.
        addr: SocketAddr,
        /// Why.
        source: io::Error,
    },
    #[error("cannot watch {path} for changes: {source}")]
    /// The policy file could not be watched for changes.
    Watch {
        /// The file, as shown.
        path: String,
        /// Why.
        source: notify::Error,
    },
    #[error("cannot listen for SIGHUP: {0}")]
    /// SIGHUP (reload) could not be listened for.
    Signal(io::Error),
}

/// A server running on the current tokio runtime. Dropping it stops the
/// background tasks; [`RunningServer::shutdown`] also lets requests in flight finish.
#[derive(Debug)]
pub struct RunningServer {
    addr: SocketAddr,
    app: Arc<App>,
    reloader: Arc<Reloader>,
    shutdown: Option<oneshot::Sender<()>>,
    server: Option<JoinHandle<io::Result<()>>>,
    background: Vec<JoinHandle<()>>,
}

impl RunningServer {
    /// The address the server listens on (the real port when bound to port 0).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The policy serving new requests.
    pub fn policy(&self) -> PolicyRef {
        self.app.current().policy.reference().clone()
    }

    /// Reloads the policy file now, as a file change or SIGHUP would.
    pub async fn reload(&self) -> ReloadOutcome {
        self.reloader.reload("api").await
    }

    /// Stops accepting connections, closes idle ones, lets requests in flight
    /// finish within the shutdown grace period, and waits.
    pub async fn shutdown(mut self) -> io::Result<()> {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        let result = match self.server.take() {
            Some(server) => server.await.unwrap_or_else(|e| Err(io::Error::other(e))),
            None => Ok(()),
        };
        for task in &self.background {
            task.abort();
        }
        result
    }
}

impl Drop for RunningServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        for task in &self.background {
            task.abort();
        }
    }
}

/// Loads and checks the policy, binds, and serves on the current tokio runtime.
pub async fn start(mut config: ServeConfig) -> Result<RunningServer, StartError> {
    config.validate().map_err(StartError::Config)?;
    let file = PolicyFile::new(&config.policy);
    config.policy = file.path.clone();
    let policy = reload::load(&file).await.map_err(|e| match e {
        LoadError::Read(why) => StartError::Read(why),
        LoadError::Policy(e) => StartError::Policy(e),
    })?;
    let listener = tokio::net::TcpListener::bind(config.bind)
        .await
        .map_err(|source| StartError::Bind { addr: config.bind, source })?;
    let addr = listener.local_addr().map_err(|source| StartError::Bind { addr: config.bind, source })?;

    let (watch, sighup, debounce, poll) =
        (config.watch, config.reload_on_sighup, config.reload_debounce, config.watch_poll);
    let limits = connections::Limits::of(&config);
    let app = Arc::new(App::new(policy, config).map_err(StartError::Config)?);
    let reloader = Arc::new(Reloader::new(Arc::clone(&app), file.clone(), debounce));
    let mut background = vec![tokio::spawn(sweep_idle(Arc::clone(&app)))];

    if watch {
        let (nudge, nudges) = mpsc::channel(1);
        let watcher = watch::FileWatch::new(&file.path, nudge)
            .map_err(|source| StartError::Watch { path: file.shown.clone(), source })?;
        background.push(tokio::spawn(watch::run(Arc::clone(&reloader), watcher, nudges, debounce, poll)));
    }
    if sighup {
        background.push(listen_for_sighup(Arc::clone(&reloader))?);
    }

    let (shutdown, stop) = oneshot::channel::<()>();
    let router = routes::router(Arc::clone(&app));
    let server = tokio::spawn(connections::serve(listener, router, limits, Arc::clone(&app.metrics), stop));
    let policy = app.current().policy.reference().clone();
    tracing::info!(%addr, policy = %policy.name, version = policy.version, hash = %policy.hash, "serving");
    Ok(RunningServer { addr, app, reloader, shutdown: Some(shutdown), server: Some(server), background })
}

/// Registers for SIGHUP before returning, so a signal sent right after start
/// is never the default (fatal) one.
#[cfg(unix)]
fn listen_for_sighup(reloader: Arc<Reloader>) -> Result<JoinHandle<()>, StartError> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut hangups = signal(SignalKind::hangup()).map_err(StartError::Signal)?;
    Ok(tokio::spawn(async move {
        while hangups.recv().await.is_some() {
            reloader.reload("sighup").await;
        }
    }))
}

#[cfg(not(unix))]
fn listen_for_sighup(_reloader: Arc<Reloader>) -> Result<JoinHandle<()>, StartError> {
    Ok(tokio::spawn(async {}))
}

/// Evicts idle sessions a few times per idle period (at most every 30 s).
async fn sweep_idle(app: Arc<App>) {
    let every = (app.config.session_idle / 4).clamp(Duration::from_millis(10), Duration::from_secs(30));
    let mut tick = tokio::time::interval(every);
    loop {
        tick.tick().await;
        let n = app.sessions.sweep();
        if n > 0 {
            app.metrics.evicted(Eviction::Idle, n);
            tracing::debug!(evicted = n, "idle sessions evicted");
        }
    }
}
