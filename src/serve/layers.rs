//! What wraps every request: a request id, one structured log line (latency,
//! status, decision or error), and the bearer-token check.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

use super::errors::ApiError;
use super::state::App;
use crate::eval::Decision;

pub const REQUEST_ID: &str = "x-request-id";

/// What a handler tells the request log about the decision it returned.
#[derive(Debug, Clone)]
pub struct DecisionLog {
    pub action: &'static str,
    pub queue: Option<String>,
    pub rule: Option<String>,
    pub messages: u32,
    pub policy_hash: std::sync::Arc<str>,
}

impl DecisionLog {
    pub fn of(d: &Decision) -> DecisionLog {
        DecisionLog {
            action: d.action.as_str(),
            queue: d.queue.clone(),
            rule: d.rule.clone(),
            messages: d.messages,
            policy_hash: d.policy.hash.clone(),
        }
    }
}

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// The caller's `x-request-id` when it is short and plain, else a new one.
fn request_id(req: &Request) -> String {
    let given = req.headers().get(REQUEST_ID).and_then(|v| v.to_str().ok()).filter(|v| {
        (1..=64).contains(&v.len()) && v.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b))
    });
    match given {
        Some(id) => id.to_string(),
        None => format!("req-{:08x}", NEXT_ID.fetch_add(1, Ordering::Relaxed)),
    }
}

/// Gives each request an id (echoed in `x-request-id`) and logs one line for it.
pub async fn log_requests(req: Request, next: Next) -> Response {
    let started = Instant::now();
    let id = request_id(&req);
    let method = req.method().clone();
    let route =
        req.extensions().get::<MatchedPath>().map_or_else(|| "unmatched".to_string(), |m| m.as_str().to_string());
    let mut response = next.run(req).await;
    let latency_us = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
    if let Ok(v) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(REQUEST_ID, v);
    }
    let status = response.status().as_u16();
    // Absent fields (None) are left out of the line.
    let decision = response.extensions().get::<DecisionLog>();
    let error = response.extensions().get::<ApiError>();
    tracing::info!(
        request_id = %id,
        %method,
        route,
        status,
        latency_us,
        action = decision.map(|d| d.action),
        queue = decision.and_then(|d| d.queue.as_deref()),
        rule = decision.and_then(|d| d.rule.as_deref()),
        messages = decision.map(|d| d.messages),
        policy_hash = decision.map(|d| &*d.policy_hash),
        error = error.map(|e| e.code),
        field = error.and_then(|e| e.field.as_deref()),
        "request"
    );
    response
}

/// Lets a request through when no token is configured or it brings the token.
pub async fn require_token(State(app): State<Arc<App>>, req: Request, next: Next) -> Response {
    let Some(expected) = app.config.token.as_deref() else { return next.run(req).await };
    let given = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim());
    match given {
        Some(token) if tokens_match(token, expected.trim()) => next.run(req).await,
        _ => ApiError::unauthorized().into_response(),
    }
}

/// Compares digests in constant time, so neither the content nor the length of
/// the expected token leaks through timing.
fn tokens_match(given: &str, expected: &str) -> bool {
    let (a, b) = (Sha256::digest(given.as_bytes()), Sha256::digest(expected.as_bytes()));
    a.iter().zip(b.iter()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::tokens_match;

    #[test]
    fn tokens() {
        assert!(tokens_match("s3cret", "s3cret"));
        assert!(!tokens_match("s3cret", "s3cre"));
        assert!(!tokens_match("", "s3cret"));
    }
}
