//! `handoff serve`: runs the HTTP sidecar (see `crate::serve`) until Ctrl-C or
//! SIGTERM, logging JSON lines to stderr.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use super::{EXIT_FAIL, EXIT_OK, EXIT_USAGE};
use crate::render;
use crate::serve::{self, ServeConfig, StartError, DEFAULT_BIND};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The policy file; reloaded when it changes and on SIGHUP.
    #[arg(long)]
    policy: PathBuf,
    /// Logs on stderr: json (one object per line, for log collectors) or text (for people).
    #[arg(long, value_enum, default_value = "json")]
    log_format: LogFormat,
    /// Address to listen on, HOST:PORT (`localhost:8787` works). Loopback by default;
    /// anything else should have a token.
    #[arg(long, default_value = DEFAULT_BIND, value_parser = parse_bind, value_name = "HOST:PORT")]
    bind: SocketAddr,
    /// Default evaluation context (JSON) for requests that bring none.
    #[arg(long)]
    context: Option<PathBuf>,
    /// Live conversations kept at once; the least recently used is evicted past this.
    #[arg(long, default_value_t = 10_000)]
    max_sessions: usize,
    /// Evict a live conversation untouched for this long (e.g. 90s, 15m, 2h).
    #[arg(long, default_value = "15m", value_parser = serve::parse_duration, value_name = "DURATION")]
    session_idle: Duration,
    /// Most messages in one conversation.
    #[arg(long, default_value_t = 1_000)]
    max_messages: u32,
    /// Largest request body (e.g. 64KiB, 1MiB).
    #[arg(long, default_value = "1MiB", value_parser = serve::parse_size, value_name = "SIZE")]
    max_body: usize,
    /// Request bodies in memory at once (e.g. 64MiB); past this a request gets a 503.
    #[arg(long, default_value = "64MiB", value_parser = serve::parse_size, value_name = "SIZE")]
    max_body_memory: usize,
    /// File holding a bearer token every endpoint but /healthz requires.
    #[arg(long)]
    token_file: Option<PathBuf>,
    /// Do not reload when the policy file changes (SIGHUP still reloads).
    #[arg(long)]
    no_watch: bool,
    /// After a change, the policy file must stay the same this long before it is loaded.
    #[arg(long = "reload-settle", default_value = "100ms", value_parser = serve::parse_duration, value_name = "DURATION")]
    reload_debounce: Duration,
    /// Also look for changes this often (symlink swaps, recreated directories, lost events).
    #[arg(long, default_value = "1s", value_parser = serve::parse_duration, value_name = "DURATION")]
    watch_poll: Duration,
    /// Close a connection whose request headers take longer than this to arrive.
    #[arg(long, default_value = "30s", value_parser = serve::parse_duration, value_name = "DURATION")]
    header_timeout: Duration,
    /// Close a keep-alive connection with no request for this long.
    #[arg(long, default_value = "60s", value_parser = serve::parse_duration, value_name = "DURATION")]
    idle_timeout: Duration,
    /// Answer 408 to a request whose body takes longer than this to arrive.
    #[arg(long, default_value = "30s", value_parser = serve::parse_duration, value_name = "DURATION")]
    body_timeout: Duration,
    /// Largest request line and headers (at least 8KiB).
    #[arg(long = "max-header-size", default_value = "16KiB", value_parser = serve::parse_size, value_name = "SIZE")]
    max_header_bytes: usize,
    /// Connections served at once (keep it below `ulimit -n`); when full, idle ones make room, else a 503.
    #[arg(long, default_value_t = 2_048)]
    max_connections: usize,
    /// On SIGTERM, how long requests in flight may take to finish.
    #[arg(long, default_value = "10s", value_parser = serve::parse_duration, value_name = "DURATION")]
    shutdown_grace: Duration,
    /// Threads that parse and evaluate requests (0: one per CPU).
    #[arg(long, default_value_t = 0)]
    eval_threads: usize,
    /// Evaluations waiting or running at once; more get a 503.
    #[arg(long, default_value_t = 256)]
    eval_queue: usize,
    /// Estimated memory one live conversation may hold (attributes, context, messages); more gets a 413.
    #[arg(long, default_value = "256KiB", value_parser = serve::parse_size, value_name = "SIZE")]
    max_session_bytes: usize,
    /// Estimated memory all live conversations may hold; the least recently used are evicted past this.
    #[arg(long, default_value = "512MiB", value_parser = serve::parse_size, value_name = "SIZE")]
    max_sessions_memory: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum LogFormat {
    Json,
    Text,
}

pub fn run(args: Args) -> u8 {
    init_logging(args.log_format);
    let config = match config(args) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_USAGE;
        }
    };
    if !config.bind.ip().is_loopback() && config.token.is_none() {
        tracing::warn!(bind = %config.bind, "listening beyond loopback without --token-file: anyone who can reach it can use it");
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return EXIT_FAIL;
        }
    };
    runtime.block_on(serve_until_stopped(config))
}

async fn serve_until_stopped(config: ServeConfig) -> u8 {
    // Listen for SIGTERM before the server says it is serving, so a supervisor
    // that stops it at once still gets a clean shutdown.
    #[cfg(unix)]
    let term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
    #[cfg(not(unix))]
    let term: Option<()> = None;
    let server = match serve::start(config).await {
        Ok(s) => s,
        Err(StartError::Policy(e)) => {
            eprint!("{}", render::graphical(e.as_ref()));
            return EXIT_USAGE;
        }
        // A busy port or an unreadable file is I/O (2), as the README says.
        Err(e @ (StartError::Config(_) | StartError::Read(_) | StartError::Bind { .. })) => {
            eprintln!("error: {e}");
            return EXIT_USAGE;
        }
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_FAIL;
        }
    };
    stopped(term).await;
    tracing::info!("shutting down; letting requests in flight finish");
    match server.shutdown().await {
        Ok(()) => EXIT_OK,
        Err(e) => {
            tracing::error!(error = %e, "server stopped with an error");
            EXIT_FAIL
        }
    }
}

/// Resolves on Ctrl-C or (on Unix) SIGTERM.
#[cfg(unix)]
async fn stopped(term: Option<tokio::signal::unix::Signal>) {
    match term {
        Some(mut term) => {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
        }
        None => {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

#[cfg(not(unix))]
async fn stopped(_term: Option<()>) {
    let _ = tokio::signal::ctrl_c().await;
}

/// `127.0.0.1:8787`, `[::1]:8787` or a name such as `localhost:8787`: a name is resolved
/// now, and its first IPv4 address is preferred (what `localhost` means to most clients).
fn parse_bind(text: &str) -> Result<SocketAddr, String> {
    use std::net::ToSocketAddrs;
    if let Ok(addr) = text.parse() {
        return Ok(addr);
    }
    let hint = "write HOST:PORT, such as 127.0.0.1:8787 or localhost:8787";
    let addrs: Vec<SocketAddr> =
        text.to_socket_addrs().map_err(|e| format!("cannot use `{text}`: {e}; {hint}"))?.collect();
    addrs
        .iter()
        .find(|a| a.is_ipv4())
        .or_else(|| addrs.first())
        .copied()
        .ok_or_else(|| format!("`{text}` names no address; {hint}"))
}

fn config(args: Args) -> Result<ServeConfig, String> {
    let Args {
        policy,
        log_format: _,
        bind,
        context,
        max_sessions,
        session_idle,
        max_messages,
        max_body,
        max_body_memory,
        token_file,
        no_watch,
        reload_debounce,
        watch_poll,
        header_timeout,
        idle_timeout,
        body_timeout,
        max_header_bytes,
        max_connections,
        shutdown_grace,
        eval_threads,
        eval_queue,
        max_session_bytes,
        max_sessions_memory,
    } = args;
    let token = match token_file {
        Some(path) => {
            let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            Some(text.trim().to_string())
        }
        None => None,
    };
    let c = ServeConfig {
        bind,
        context: {
            // The server compiles the policy as it starts; its queue names are read
            // from the text here (none when it does not parse: the start says why).
            let declared = std::fs::read_to_string(&policy).ok().and_then(|text| {
                let ast = crate::syntax::parse_policy(&text).ok()?;
                Some(super::check::queue_names(&ast).into_iter().map(str::to_string).collect::<Vec<_>>())
            });
            let queues: Option<Vec<&str>> = declared.as_ref().map(|q| q.iter().map(String::as_str).collect());
            super::eval::load_context(context.as_deref(), queues.as_deref())
                .map_err(|_| "the --context file cannot be used (see above)".to_string())?
        },
        max_sessions,
        session_idle,
        max_messages,
        max_body,
        max_body_memory,
        token,
        watch: !no_watch,
        reload_on_sighup: true,
        reload_debounce,
        watch_poll,
        header_timeout,
        idle_timeout,
        body_timeout,
        max_header_bytes,
        max_connections,
        shutdown_grace,
        eval_threads,
        eval_queue,
        max_session_bytes,
        max_sessions_memory,
        ..ServeConfig::new(policy)
    };
    c.validate()?;
    Ok(c)
}

/// Logs on stderr, JSON lines or text; `RUST_LOG` picks the level (info by default).
fn init_logging(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let logs = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Json => logs.json().with_current_span(false).try_init(),
        LogFormat::Text => logs.with_target(false).with_ansi(crate::render::colour()).try_init(),
    };
}
