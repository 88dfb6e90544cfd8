//! Serving connections, so that no client can hold the server: hyper's HTTP/1
//! server with bounded buffers, a timeout for a request's headers and one for an
//! idle keep-alive connection, a limit on connections, and a shutdown that waits
//! for requests in flight no longer than a deadline.
//!
//! `axum::serve` gives hyper no timer, so none of hyper's timeouts apply there;
//! this module accepts and serves each connection itself. All of it happens
//! before a request reaches the router, so before the token is checked.
//!
//! hyper's own header-read timeout starts when it begins waiting for a request,
//! idle time included, so it cannot tell a slow header from an idle keep-alive
//! connection. Each connection therefore has a watchdog reading its
//! [`Activity`]: a request head that started arriving gets `header_timeout`,
//! a connection between requests gets `idle_timeout`. hyper's timeout, set to
//! their sum, stays as a backstop.
//!
//! When every place is taken, idle keep-alive connections are closed to make
//! room for a new one (as nginx does), which waits up to a second for its
//! place; so a client holding many idle connections cannot lock others out.

use std::convert::Infallible;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{oneshot, watch, Notify, Semaphore};
use tokio::task::JoinSet;
use tower_service::Service;

use super::config::{ServeConfig, MIN_HEADER_BYTES};
use super::metrics::{Closed, Metrics};

/// The limits a connection lives under (from [`ServeConfig`]).
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub header_timeout: Duration,
    pub idle_timeout: Duration,
    pub max_header_bytes: usize,
    pub max_connections: usize,
    pub shutdown_grace: Duration,
}

impl Limits {
    pub fn of(config: &ServeConfig) -> Limits {
        Limits {
            header_timeout: config.header_timeout,
            idle_timeout: config.idle_timeout,
            max_header_bytes: config.max_header_bytes.max(MIN_HEADER_BYTES),
            max_connections: config.max_connections.max(1),
            shutdown_grace: config.shutdown_grace,
        }
    }
}

/// What was refused to a connection over the limit: a complete answer, small
/// enough to fit any socket buffer, so it is written without waiting.
const OVER_LIMIT: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\n\
retry-after: 1\r\nconnection: close\r\ncontent-length: 96\r\n\r\n\
{\"error\":{\"code\":\"too_many_connections\",\"message\":\"the server has too many connections; retry\"}}";

/// Accepts and serves connections until `stop` fires, then shuts down: no new
/// connections, idle ones closed at once, requests in flight given
/// `shutdown_grace` to finish, and whatever is left after that closed.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: Limits,
    metrics: Arc<Metrics>,
    mut stop: oneshot::Receiver<()>,
) -> io::Result<()> {
    let permits = Arc::new(Semaphore::new(limits.max_connections));
    let waiters = Arc::new(Semaphore::new(MAX_WAITING));
    let (closing, closing_rx) = watch::channel(false);
    let (pressure, pressure_rx) = watch::channel(0u64);
    let mut connections = JoinSet::new();
    loop {
        let accepted = tokio::select! {
            _ = &mut stop => break,
            accepted = listener.accept() => accepted,
        };
        while connections.try_join_next().is_some() {}
        let stream = match accepted {
            Ok((stream, _peer)) => stream,
            Err(e) => {
                // Out of file descriptors, most likely: wait for some to close
                // rather than spin.
                tracing::warn!(error = %e, "cannot accept a connection");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let signals = Signals { closing: closing_rx.clone(), pressure: pressure_rx.clone() };
        let (router, metrics) = (router.clone(), Arc::clone(&metrics));
        if let Ok(permit) = Arc::clone(&permits).try_acquire_owned() {
            connections.spawn(run(stream, permit, router, limits, signals, metrics));
            continue;
        }
        // Full: idle keep-alive connections make room (as nginx reuses them),
        // and the newcomer waits a moment for the place; a few at most wait.
        let Ok(waiting) = Arc::clone(&waiters).try_acquire_owned() else {
            refuse(&stream, &metrics);
            continue;
        };
        pressure.send_modify(|n| *n = n.wrapping_add(1));
        let permits = Arc::clone(&permits);
        connections.spawn(async move {
            let place = tokio::time::timeout(RECLAIM_WAIT, permits.acquire_owned()).await;
            drop(waiting);
            match place {
                Ok(Ok(permit)) => run(stream, permit, router, limits, signals, metrics).await,
                _ => refuse(&stream, &metrics),
            }
        });
    }
    drop(listener);
    let _ = closing.send(true);
    let finished =
        tokio::time::timeout(limits.shutdown_grace, async { while connections.join_next().await.is_some() {} }).await;
    if finished.is_err() {
        tracing::warn!(
            connections = connections.len(),
            grace_ms = u64::try_from(limits.shutdown_grace.as_millis()).unwrap_or(u64::MAX),
            "requests still in flight after the shutdown grace period; closing their connections"
        );
        connections.shutdown().await;
    }
    Ok(())
}

/// How long a connection over the limit waits for an idle one to make room.
const RECLAIM_WAIT: Duration = Duration::from_secs(1);

/// A connection idle for less than this is not closed to make room: its
/// client has just connected or just had an answer.
const RECLAIM_MIN_IDLE: Duration = Duration::from_millis(250);

/// Connections over the limit that may wait for a place at once; the others
/// are refused at once.
const MAX_WAITING: usize = 64;

/// What the accept loop tells every connection.
#[derive(Debug, Clone)]
struct Signals {
    /// The server is shutting down.
    closing: watch::Receiver<bool>,
    /// Changes when the server is full: idle connections close to make room.
    pressure: watch::Receiver<u64>,
}

fn refuse(stream: &TcpStream, metrics: &Metrics) {
    metrics.connection_closed(Closed::OverLimit);
    let _ = stream.try_write(OVER_LIMIT);
}

/// Serves one connection holding one of the limited places, counting it.
async fn run(
    stream: TcpStream,
    permit: tokio::sync::OwnedSemaphorePermit,
    router: Router,
    limits: Limits,
    signals: Signals,
    metrics: Arc<Metrics>,
) {
    metrics.connection_opened();
    let why = connection(stream, router, limits, signals).await;
    metrics.connection_closed(why);
    drop(permit);
}

/// Serves one connection until it ends, a timeout closes it, or shutdown (or
/// a full server, when it is idle) does.
async fn connection(stream: TcpStream, router: Router, limits: Limits, signals: Signals) -> Closed {
    let Signals { mut closing, mut pressure } = signals;
    // Only a squeeze after this connection began concerns it.
    pressure.borrow_and_update();
    let mut pressure_gone = false;
    let activity = Arc::new(Activity::new());
    let io = TokioIo::new(Watched { inner: stream, activity: Arc::clone(&activity) });
    let tracked = Arc::clone(&activity);
    let service = hyper::service::service_fn(move |request: hyper::Request<Incoming>| {
        let mut router = router.clone();
        let activity = Arc::clone(&tracked);
        activity.request_started();
        async move {
            let response = router.call(request.map(Body::new)).await;
            activity.request_finished();
            Ok::<_, Infallible>(response.unwrap_or_else(|never| match never {}))
        }
    });
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout.saturating_add(limits.idle_timeout))
        .max_buf_size(limits.max_header_bytes)
        .keep_alive(true);
    let conn = builder.serve_connection(io, service);
    tokio::pin!(conn);
    let mut draining = *closing.borrow();
    if draining {
        conn.as_mut().graceful_shutdown();
    }
    loop {
        let check_at = activity.next_check(&limits);
        tokio::select! {
            result = conn.as_mut() => {
                if let Err(e) = result {
                    tracing::debug!(error = %e, "connection ended with an error");
                }
                return Closed::Done;
            }
            _ = tokio::time::sleep_until(check_at.into()) => {
                if let Some(why) = activity.expired(&limits) {
                    return why;
                }
            }
            // A head began: its deadline is sooner than the idle one slept on.
            _ = activity.head_began.notified() => {}
            changed = pressure.changed(), if !pressure_gone => {
                pressure_gone = changed.is_err();
                if !pressure_gone && activity.is_idle_for(RECLAIM_MIN_IDLE) {
                    return Closed::Reclaimed;
                }
            }
            changed = closing.changed(), if !draining => {
                draining = true;
                // A connection with no request in flight (idle, or a head still
                // arriving) has nothing to finish.
                if changed.is_err() || activity.in_flight() == 0 {
                    return Closed::Shutdown;
                }
                conn.as_mut().graceful_shutdown();
            }
        }
    }
}

/// No value: the connection is between requests.
const NONE: u64 = u64::MAX;

/// What a connection is doing, as the watchdog sees it. Times are milliseconds
/// since the connection was accepted.
#[derive(Debug)]
pub struct Activity {
    born: Instant,
    in_flight: AtomicU32,
    /// When the connection last had nothing to do (accepted, or a response done).
    idle_since: AtomicU64,
    /// When the first byte of the next request head arrived, or [`NONE`].
    head_since: AtomicU64,
    /// Wakes the watchdog when a head begins.
    head_began: Notify,
}

impl Activity {
    fn new() -> Activity {
        Activity {
            born: Instant::now(),
            in_flight: AtomicU32::new(0),
            idle_since: AtomicU64::new(0),
            head_since: AtomicU64::new(NONE),
            head_began: Notify::new(),
        }
    }

    fn now(&self) -> u64 {
        u64::try_from(self.born.elapsed().as_millis()).unwrap_or(NONE - 1)
    }

    fn in_flight(&self) -> u32 {
        self.in_flight.load(Ordering::Acquire)
    }

    /// Between requests with no byte of the next one for at least `min`:
    /// closing loses nothing, and a client that just connected is spared.
    fn is_idle_for(&self, min: Duration) -> bool {
        let min = u64::try_from(min.as_millis()).unwrap_or(NONE);
        self.in_flight() == 0
            && self.head_since.load(Ordering::Acquire) == NONE
            && self.now().saturating_sub(self.idle_since.load(Ordering::Acquire)) >= min
    }

    /// Bytes arrived: between requests they start a head, and its clock.
    fn read(&self) {
        if self.in_flight() == 0 && self.head_since.load(Ordering::Acquire) == NONE {
            self.head_since.store(self.now(), Ordering::Release);
            self.head_began.notify_one();
        }
    }

    /// hyper has a whole head and calls the router.
    fn request_started(&self) {
        self.in_flight.fetch_add(1, Ordering::AcqRel);
        self.head_since.store(NONE, Ordering::Release);
    }

    fn request_finished(&self) {
        self.idle_since.store(self.now(), Ordering::Release);
        self.head_since.store(NONE, Ordering::Release);
        self.in_flight.fetch_sub(1, Ordering::AcqRel);
    }

    /// The deadline that applies now, in milliseconds since accept.
    fn deadline(&self, limits: &Limits) -> Option<(u64, Closed)> {
        if self.in_flight() > 0 {
            // The handler bounds its own time (the body timeout, the evaluation queue).
            return None;
        }
        let ms = |d: Duration| u64::try_from(d.as_millis()).unwrap_or(NONE - 1);
        match self.head_since.load(Ordering::Acquire) {
            NONE => {
                Some((self.idle_since.load(Ordering::Acquire).saturating_add(ms(limits.idle_timeout)), Closed::Idle))
            }
            since => Some((since.saturating_add(ms(limits.header_timeout)), Closed::HeaderTimeout)),
        }
    }

    /// When the watchdog should look again.
    fn next_check(&self, limits: &Limits) -> Instant {
        let at = match self.deadline(limits) {
            Some((at, _)) => Duration::from_millis(at.max(self.now()).saturating_add(1)),
            // A request in flight: look again after the shorter timeout.
            None => self.born.elapsed() + limits.header_timeout.min(limits.idle_timeout),
        };
        self.born + at
    }

    /// Why the connection must close now, if it must.
    fn expired(&self, limits: &Limits) -> Option<Closed> {
        self.deadline(limits).filter(|(at, _)| self.now() >= *at).map(|(_, why)| why)
    }
}

/// A socket that tells its [`Activity`] when bytes arrive.
struct Watched {
    inner: TcpStream,
    activity: Arc<Activity>,
}

impl AsyncRead for Watched {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let result = Pin::new(&mut self.inner).poll_read(cx, buf);
        if buf.filled().len() > before {
            self.activity.read();
        }
        result
    }
}

impl AsyncWrite for Watched {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> Limits {
        Limits {
            header_timeout: Duration::from_millis(100),
            idle_timeout: Duration::from_millis(300),
            max_header_bytes: MIN_HEADER_BYTES,
            max_connections: 1,
            shutdown_grace: Duration::from_secs(1),
        }
    }

    #[test]
    fn a_head_gets_the_header_timeout_and_a_quiet_connection_the_idle_one() {
        let a = Activity::new();
        assert!(matches!(a.deadline(&limits()), Some((300, Closed::Idle))));
        a.read();
        let (at, why) = a.deadline(&limits()).unwrap();
        assert!(at <= a.now() + 100 && why == Closed::HeaderTimeout, "{at}");
        a.request_started();
        assert!(a.deadline(&limits()).is_none(), "a request in flight is the handler's to bound");
        a.read(); // the body
        a.request_finished();
        assert!(matches!(a.deadline(&limits()), Some((_, Closed::Idle))));
        assert_eq!(a.expired(&limits()), None);
    }
}
