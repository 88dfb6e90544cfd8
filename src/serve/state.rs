//! What every request shares: the serving policy (swapped atomically on
//! reload), the live sessions, the metrics and the fixed settings.

use std::sync::{Arc, Mutex, PoisonError};

use arc_swap::ArcSwap;
use serde::Serialize;

use super::config::ServeConfig;
use super::metrics::Metrics;
use super::sessions::SessionStore;
use super::work::Evaluators;
use crate::eval::Policy;

/// A policy and when it started serving.
#[derive(Debug)]
pub struct Loaded {
    pub policy: Arc<Policy>,
    pub loaded_at: jiff::Timestamp,
}

/// The last reload that did not take, for `GET /v1/policy`.
#[derive(Debug, Clone, Serialize)]
pub struct ReloadFailure {
    pub at: jiff::Timestamp,
    /// Every diagnostic, rendered without colour.
    pub diagnostics: String,
}

#[derive(Debug)]
pub struct App {
    /// The policy new requests and new sessions use. A request takes its own
    /// `Arc` once, at its start, and finishes on it whatever happens meanwhile.
    pub policy: ArcSwap<Loaded>,
    pub sessions: SessionStore,
    pub metrics: Arc<Metrics>,
    /// Where request bodies are parsed and evaluated: off the async workers.
    pub evaluators: Evaluators,
    /// KiB of request bodies that may be in memory at once (being received,
    /// waiting or being parsed).
    pub body_budget: Arc<tokio::sync::Semaphore>,
    pub config: ServeConfig,
    last_failure: Mutex<Option<ReloadFailure>>,
}

impl App {
    pub fn new(policy: Policy, config: ServeConfig) -> Result<App, String> {
        let loaded = Loaded { policy: Arc::new(policy), loaded_at: jiff::Timestamp::now() };
        Ok(App {
            policy: ArcSwap::from_pointee(loaded),
            sessions: SessionStore::new(config.max_sessions, config.max_sessions_memory, config.session_idle),
            metrics: Arc::default(),
            evaluators: Evaluators::new(config.eval_threads, config.eval_queue)?,
            body_budget: Arc::new(tokio::sync::Semaphore::new(
                config.max_body_memory.div_ceil(1024).min(tokio::sync::Semaphore::MAX_PERMITS),
            )),
            config,
            last_failure: Mutex::new(None),
        })
    }

    /// The policy serving now.
    pub fn current(&self) -> Arc<Loaded> {
        self.policy.load_full()
    }

    pub fn last_failure(&self) -> Option<ReloadFailure> {
        self.last_failure.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    pub fn set_last_failure(&self, failure: Option<ReloadFailure>) {
        *self.last_failure.lock().unwrap_or_else(PoisonError::into_inner) = failure;
    }
}
