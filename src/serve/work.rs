//! Where the server's CPU work runs: never on tokio's async workers, whose 2 MiB
//! stacks and few threads are what keep `/healthz` and every connection moving.
//!
//! - Parsing request bodies and evaluating run on [`Evaluators`], a pool of
//!   threads with [`EVAL_STACK`]-byte stacks behind a bounded queue: when it is
//!   full a request gets a 503 at once rather than waiting without bound. On
//!   Linux these threads run at a lower priority ([`EVAL_NICE`]), so with every
//!   core evaluating, a thread that wakes to accept a connection or answer
//!   `/healthz` still runs at once.
//! - Loading a policy (parse, check, compile) runs on a thread of its own with a
//!   [`RELOAD_STACK`]-byte stack ([`on_reload_stack`]).

use std::sync::Arc;
use std::thread;

use axum::http::StatusCode;
use tokio::sync::{oneshot, Semaphore};

use super::config::{EVAL_STACK, RELOAD_STACK};
use super::errors::ApiError;

/// How much nicer than the rest of the server the evaluation threads are
/// (Linux `nice` increment: 10 gives them about a tenth of the weight).
pub const EVAL_NICE: i32 = 10;

/// Lowers the calling thread's priority; where that cannot be done, the thread
/// runs at the process's priority, which is only less fair to `/healthz`.
fn lower_priority() {
    #[cfg(target_os = "linux")]
    {
        // On Linux the nice value belongs to each thread: the thread id names this one.
        let me = rustix::thread::gettid();
        let now = rustix::process::getpriority_process(Some(me)).unwrap_or(0);
        if let Err(e) = rustix::process::setpriority_process(Some(me), now.saturating_add(EVAL_NICE)) {
            tracing::debug!(error = %e, "cannot lower the evaluation thread's priority");
        }
    }
}

/// The evaluation pool and its queue.
#[derive(Debug)]
pub struct Evaluators {
    pool: rayon::ThreadPool,
    queue: Arc<Semaphore>,
}

impl Evaluators {
    /// `threads` workers (0: one per CPU); at most `queue` jobs waiting or running.
    pub fn new(threads: usize, queue: usize) -> Result<Evaluators, String> {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .stack_size(EVAL_STACK)
            .thread_name(|i| format!("handoff-eval-{i}"))
            .start_handler(|_| lower_priority())
            // The crate does not panic; should a bug make it, the request fails
            // (its answer channel closes) and the server goes on.
            .panic_handler(|_| tracing::error!("an evaluation panicked; its request failed"))
            .build()
            .map_err(|e| format!("cannot start the evaluation threads: {e}"))?;
        Ok(Evaluators { pool, queue: Arc::new(Semaphore::new(queue.max(1))) })
    }

    /// Runs `job` on the pool and waits for it without blocking the async
    /// worker. A full queue is the server being busy: a 503.
    pub async fn run<T: Send + 'static>(&self, job: impl FnOnce() -> T + Send + 'static) -> Result<T, ApiError> {
        let Ok(permit) = Arc::clone(&self.queue).try_acquire_owned() else {
            return Err(ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "busy",
                "too many evaluations are waiting; retry shortly",
            ));
        };
        let (answer, answered) = oneshot::channel();
        self.pool.spawn(move || {
            let result = job();
            // The place is free before the answer is: whoever reads the answer
            // and asks again finds it.
            drop(permit);
            let _ = answer.send(result);
        });
        answered.await.map_err(|_| {
            ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "the evaluation failed; see the server's log")
        })
    }
}

/// Runs `job` on a new thread with a [`RELOAD_STACK`]-byte stack and waits for
/// it without blocking the async worker.
pub async fn on_reload_stack<T: Send + 'static>(job: impl FnOnce() -> T + Send + 'static) -> Result<T, String> {
    let (answer, answered) = oneshot::channel();
    thread::Builder::new()
        .name("handoff-reload".into())
        .stack_size(RELOAD_STACK)
        .spawn(move || {
            let _ = answer.send(job());
        })
        .map_err(|e| format!("cannot start the policy loading thread: {e}"))?;
    answered.await.map_err(|_| "loading the policy failed unexpectedly; see the server's log".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Recursion `depth` frames deep, each holding `frame` bytes.
    fn deep(depth: usize) -> usize {
        let frame = std::hint::black_box([1u8; 1024]);
        if depth == 0 {
            return usize::from(frame[0]);
        }
        deep(depth - 1) + usize::from(frame[depth % 1024])
    }

    #[tokio::test]
    async fn jobs_run_on_big_stacks_and_a_full_queue_is_busy() {
        let evaluators = Arc::new(Evaluators::new(1, 1).unwrap());
        // At least 3 MiB of stack (more in a debug build): over what an async worker has.
        assert_eq!(evaluators.run(|| deep(3_000)).await.unwrap(), 3_001);
        assert_eq!(on_reload_stack(|| deep(12_000)).await.unwrap(), 12_001);

        #[cfg(target_os = "linux")]
        {
            let nice = || rustix::process::getpriority_process(Some(rustix::thread::gettid())).unwrap();
            let (here, there) = (nice(), evaluators.run(nice).await.unwrap());
            assert_eq!(there, (here + EVAL_NICE).min(19), "evaluation threads yield to the async workers");
        }

        let (release, wait) = std::sync::mpsc::channel::<()>();
        let pool = Arc::clone(&evaluators);
        let blocked = tokio::spawn(async move { pool.run(move || wait.recv().is_ok()).await });
        // Wait until the first job holds the only place in the queue.
        while evaluators.queue.available_permits() > 0 {
            tokio::task::yield_now().await;
        }
        let busy = evaluators.run(|| 1).await.unwrap_err();
        assert_eq!((busy.status, busy.code), (StatusCode::SERVICE_UNAVAILABLE, "busy"));
        release.send(()).unwrap();
        assert!(blocked.await.unwrap().unwrap());
    }
}
