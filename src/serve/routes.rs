//! The HTTP endpoints: evaluate a whole conversation, feed a live one message
//! by message, read the policy, health and metrics.

use std::sync::Arc;
use std::time::Instant;

use axum::body::Body;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::middleware::{from_fn, from_fn_with_state};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::json;

use super::errors::ApiError;
use super::input::{self, join};
use super::layers::{self, DecisionLog};
use super::metrics::{Endpoint, Eviction};
use super::sessions::{self, Live, Shared};
use super::state::{App, Loaded};
use crate::eval::{Decision, Session};

/// Longest conversation id accepted in a path, in bytes.
const MAX_ID_LEN: usize = 256;

/// Every route, with authentication (all but `/healthz`) and the request log.
pub fn router(app: Arc<App>) -> Router {
    let api = Router::new()
        .route("/v1/evaluate", post(evaluate))
        .route("/v1/conversations/{id}/messages", post(message))
        .route("/v1/conversations/{id}", get(show).delete(end))
        .route("/v1/policy", get(policy))
        .route("/metrics", get(metrics))
        .route_layer(from_fn_with_state(Arc::clone(&app), layers::require_token));
    Router::new()
        .route("/healthz", get(healthz))
        .merge(api)
        .fallback(no_route)
        .method_not_allowed_fallback(wrong_method)
        .layer(from_fn(layers::log_requests))
        .with_state(app)
}

/// A JSON body, marked for the request log with the decision it carries.
fn decided(body: serde_json::Value, decision: &Decision) -> Response {
    let mut response = Json(body).into_response();
    response.extensions_mut().insert(DecisionLog::of(decision));
    response
}

/// Runs CPU work on the evaluation pool, counting the requests a full queue refuses.
async fn on_pool<T: Send + 'static>(
    app: &App,
    job: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    let result = app.evaluators.run(job).await;
    if result.as_ref().is_err_and(|e| e.code == "busy") {
        app.metrics.evaluation_refused();
    }
    result?
}

/// Reads a request body within the memory all bodies in flight may take
/// (`--max-body-memory`): the place is held until the body is parsed. Over
/// budget, a 503 rather than memory without bound.
async fn receive(
    app: &App,
    headers: &HeaderMap,
    body: Body,
) -> Result<(axum::body::Bytes, tokio::sync::OwnedSemaphorePermit), ApiError> {
    let max = app.config.max_body;
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok())
        .map_or(max, |n| n.min(max));
    // Budgeted in KiB: a semaphore counts at most u32::MAX permits at a time.
    let kib = u32::try_from(declared.div_ceil(1024).max(1)).unwrap_or(u32::MAX);
    let Ok(budget) = Arc::clone(&app.body_budget).try_acquire_many_owned(kib) else {
        app.metrics.evaluation_refused();
        return Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "busy",
            "too many request bodies are being received at once; retry shortly",
        ));
    };
    let bytes = input::read_body(headers, body, max, app.config.body_timeout).await?;
    Ok((bytes, budget))
}

/// `POST /v1/evaluate`: a whole conversation, decided as a live service would
/// have (stopping at the first escalation). Parsing and evaluating run on the
/// evaluation pool.
async fn evaluate(State(app): State<Arc<App>>, headers: HeaderMap, body: Body) -> Result<Response, ApiError> {
    let loaded = app.current();
    let (bytes, budget) = receive(&app, &headers, body).await?;
    let shared = Arc::clone(&app);
    let (id, decision, warnings) = on_pool(&app, move || {
        let request = input::evaluate_request(&bytes)?;
        drop((bytes, budget));
        let limit = shared.config.max_messages;
        if request.conversation.messages.len() > limit as usize {
            return Err(ApiError::too_many_messages(join(request.prefix, "messages"), limit));
        }
        let context = request.context.as_ref().unwrap_or(&shared.config.context);
        let started = Instant::now();
        let decision = loaded.policy.evaluate(&request.conversation, context);
        shared.metrics.decision(Endpoint::Evaluate, &decision, started.elapsed());
        Ok((request.conversation.id, decision, request.warnings))
    })
    .await?;
    let mut body = json!({ "conversation": id, "decision": decision });
    if !warnings.is_empty() {
        if let Some(object) = body.as_object_mut() {
            object.insert("warnings".to_owned(), json!(warnings));
        }
    }
    Ok(decided(body, &decision))
}

fn conversation_id(path: Result<Path<String>, PathRejection>) -> Result<String, ApiError> {
    let Path(id) = path.map_err(|e| ApiError::invalid_field("id", format!("bad conversation id: {e}")))?;
    if id.is_empty() || id.len() > MAX_ID_LEN || id.chars().any(char::is_control) {
        return Err(ApiError::invalid_field(
            "id",
            format!("a conversation id is 1 to {MAX_ID_LEN} bytes without control characters"),
        ));
    }
    Ok(id)
}

/// `POST /v1/conversations/{id}/messages`: one more message in a live
/// conversation, started by its first message. Attributes and context may come
/// with any message but are fixed by the first: a later message may repeat them,
/// not change them. Runs on the evaluation pool.
async fn message(
    State(app): State<Arc<App>>,
    path: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let loaded = app.current();
    let id = conversation_id(path)?;
    let (bytes, budget) = receive(&app, &headers, body).await?;
    let shared = Arc::clone(&app);
    let (body, decision) = on_pool(&app, move || {
        let request = input::message_request(&bytes)?;
        drop((bytes, budget));
        take_message(&shared, &loaded, &id, &request)
    })
    .await?;
    Ok(decided(body, &decision))
}

/// Feeds one message to its conversation's session, opening it if need be,
/// within the per-session memory limit.
fn take_message(
    app: &App,
    loaded: &Loaded,
    id: &str,
    request: &input::MessageRequest,
) -> Result<(serde_json::Value, Decision), ApiError> {
    let context = request.context.clone().unwrap_or_else(|| app.config.context.clone());
    let attributes = request.attributes();
    let start = sessions::start_bytes(id, &attributes, &context);
    let added = request.message.text.len() + sessions::MESSAGE_BYTES;
    let limit = app.config.max_session_bytes;
    // A session holding these attributes holds at least this much.
    if start.saturating_add(added) > limit {
        return Err(ApiError::session_too_large(start.saturating_add(added), limit));
    }
    // An entry closed between finding and locking it (deleted or evicted) is
    // gone: open the conversation again.
    for _ in 0..3 {
        let opened = app.sessions.open(id, start, || {
            let attributes = Shared(Arc::new(attributes.clone()));
            Live {
                session: Session::new(Arc::clone(&loaded.policy), attributes.clone(), context.clone()),
                attributes,
                context: sessions::context_digest(&context),
                bytes: start,
            }
        });
        app.metrics.evicted(Eviction::Capacity, opened.evicted_capacity);
        app.metrics.evicted(Eviction::Memory, opened.evicted_memory);
        app.metrics.evicted(Eviction::Idle, opened.evicted_idle);
        let (decision, took, bytes) = {
            let mut live = opened.entry.lock();
            if opened.entry.is_closed() {
                continue;
            }
            if !opened.created {
                same_start(&live, request)?;
            }
            let max = app.config.max_messages;
            if live.session.messages() >= max {
                return Err(ApiError::too_many_messages("messages", max));
            }
            if live.bytes.saturating_add(added) > limit {
                return Err(ApiError::session_too_large(live.bytes.saturating_add(added), limit));
            }
            let started = Instant::now();
            let decision = live.session.push(&request.message).clone();
            live.bytes = live.bytes.saturating_add(added);
            (decision, started.elapsed(), live.bytes)
        };
        let evicted = app.sessions.touch(id, &opened.entry, bytes);
        app.metrics.evicted(Eviction::Memory, evicted);
        app.metrics.decision(Endpoint::Message, &decision, took);
        let mut body = json!({ "conversation": id, "created": opened.created, "decision": decision });
        if !request.warnings.is_empty() {
            if let Some(object) = body.as_object_mut() {
                object.insert("warnings".to_owned(), json!(request.warnings));
            }
        }
        return Ok((body, decision));
    }
    Err(ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "busy",
        "the conversation kept ending under this request; retry",
    ))
}

/// A later message may repeat the conversation's attributes, not change them.
fn same_start(live: &Live, request: &input::MessageRequest) -> Result<(), ApiError> {
    let a = &live.attributes.0;
    let fixed = |field: &str| {
        ApiError::conflict(field, format!("{field} is fixed by the conversation's first message and cannot change"))
    };
    if request.channel.as_ref().is_some_and(|c| a.channel.as_ref() != Some(c)) {
        return Err(fixed("channel"));
    }
    if request.customer.as_ref().is_some_and(|c| *c != a.customer) {
        return Err(fixed("customer"));
    }
    if request.metadata.as_ref().is_some_and(|m| *m != a.metadata) {
        return Err(fixed("metadata"));
    }
    if request.context.as_ref().is_some_and(|c| sessions::context_digest(c) != live.context) {
        return Err(fixed("context"));
    }
    Ok(())
}

/// `GET /v1/conversations/{id}`: the decision so far.
async fn show(State(app): State<Arc<App>>, path: Result<Path<String>, PathRejection>) -> Result<Response, ApiError> {
    let id = conversation_id(path)?;
    let opened = app.sessions.get(&id).ok_or_else(|| unknown_conversation(&id))?;
    let decision = last_decision(&app, opened).await?;
    Ok(decided(json!({ "conversation": id, "decision": decision }), &decision))
}

/// `DELETE /v1/conversations/{id}`: ends the conversation, returning its last decision.
async fn end(State(app): State<Arc<App>>, path: Result<Path<String>, PathRejection>) -> Result<Response, ApiError> {
    let id = conversation_id(path)?;
    let entry = app.sessions.remove(&id).ok_or_else(|| unknown_conversation(&id))?;
    let decision = last_decision(&app, entry).await?;
    Ok(decided(json!({ "conversation": id, "ended": true, "decision": decision }), &decision))
}

/// The session's decision so far. Taken on the evaluation pool: the session's
/// lock may be held by a message being evaluated, and an async worker must
/// not wait for that.
async fn last_decision(app: &App, entry: Arc<sessions::Entry>) -> Result<Decision, ApiError> {
    on_pool(app, move || Ok(entry.lock().session.decision().clone())).await
}

fn unknown_conversation(id: &str) -> ApiError {
    ApiError::not_found(format!("no open conversation {id:?} (never started, ended, or evicted)")).at("id")
}

/// `GET /v1/policy`: what is serving, since when, and the last rejected reload.
async fn policy(State(app): State<Arc<App>>) -> Response {
    let loaded = app.current();
    let p = &loaded.policy;
    Json(json!({
        "name": p.name(),
        "version": p.version(),
        "hash": p.hash(),
        "loaded_at": loaded.loaded_at,
        "rules": p.rule_names().collect::<Vec<_>>(),
        "queues": p.queue_names().collect::<Vec<_>>(),
        "warnings": p.warnings().len(),
        "last_rejected_reload": app.last_failure(),
    }))
    .into_response()
}

async fn healthz() -> Response {
    Json(json!({ "status": "ok" })).into_response()
}

async fn metrics(State(app): State<Arc<App>>) -> Response {
    let loaded = app.current();
    let text = app.metrics.render(app.sessions.gauges(), loaded.policy.reference());
    let mut response = text.into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; version=0.0.4"));
    response
}

async fn no_route(method: Method, uri: Uri) -> ApiError {
    ApiError::not_found(format!("no endpoint {method} {}", uri.path()))
}

async fn wrong_method(method: Method, uri: Uri) -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        format!("{} does not take {method}", uri.path()),
    )
}
