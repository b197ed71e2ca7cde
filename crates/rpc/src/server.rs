//! The transport: HTTP and WebSocket on one listener.
//!
//! `POST /` takes a JSON-RPC request or batch (any content type) and answers `200` with the
//! response, or `204` when every request was a notification. `GET /` with a WebSocket upgrade
//! takes requests as text (or binary) messages and also serves `eth_subscribe` and
//! `eth_unsubscribe`. Every response carries permissive CORS headers, and preflight
//! `OPTIONS` requests are answered, so browser dapps can call the node.

use std::collections::hash_map::RandomState;
use std::collections::HashMap;
use std::future::Future;
use std::hash::BuildHasher;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::serve::ListenerExt;
use axum::Router;
use futures_util::{SinkExt, StreamExt};
use serde_json::Value;
use tokio::net::TcpListener;
use tokio::sync::mpsc::{self, UnboundedReceiver};
use tokio::sync::watch;
use tokio::task::AbortHandle;
use tower_http::cors::{AllowHeaders, Any, CorsLayer};

use crate::jsonrpc::{self, error_body, guarded_call, Parsed};
use crate::RpcError;

/// The largest request body accepted (HTTP body or WebSocket message).
pub const MAX_BODY_BYTES: usize = 16 * 1024 * 1024;

/// How much of an oversize HTTP body is read and thrown away so that the client, still
/// sending, gets the error response rather than a reset connection.
const DRAIN_BYTES: u64 = 4 * MAX_BODY_BYTES as u64;

/// How long draining an oversize body may take.
const DRAIN_TIME: Duration = Duration::from_secs(10);

/// Bodies up to this size are parsed on the async worker (the rest on the blocking pool).
const INLINE_PARSE_BYTES: usize = 64 * 1024;

/// How long a closing WebSocket may take to flush what was queued for it.
const WS_FLUSH_TIME: Duration = Duration::from_secs(5);

/// The methods a server serves. Calls are synchronous: the service holds its own locks.
pub trait RpcService: Send + Sync + 'static {
    /// Runs `method` with `params` (a JSON array or object as sent, or `Null` when absent).
    fn call(&self, method: &str, params: Value) -> Result<Value, RpcError>;

    /// `eth_subscribe` with its `params` (`["newHeads"]`, `["logs", filter]`, ...): a stream
    /// of notification `result`s. Dropping the receiver ends the subscription.
    fn subscribe(&self, params: Value) -> Result<UnboundedReceiver<Value>, RpcError>;

    /// Whether `method` is quick enough to run on the async worker thread that read the
    /// request: microseconds of work, and no waiting (on a lock held across slow work, on
    /// I/O, or on anything that needs the async runtime). A body whose methods are all quick
    /// skips the hop to the blocking pool, which costs more than such a call itself; any
    /// other runs on the blocking pool. The default, `false` for all, is always safe.
    fn is_quick(&self, method: &str) -> bool {
        let _ = method;
        false
    }
}

/// What every connection shares.
#[derive(Clone)]
struct Shared {
    service: Arc<dyn RpcService>,
    /// Becomes `true` when `serve`'s shutdown future completes.
    shutdown: watch::Receiver<bool>,
}

/// Serves `service` on `listener` until `shutdown` completes.
///
/// On shutdown the listener stops accepting, open WebSocket connections are closed (with a
/// close frame), and HTTP requests already being answered are finished before this returns.
pub async fn serve(
    listener: TcpListener,
    service: Arc<dyn RpcService>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let (stop_tx, stop_rx) = watch::channel(false);
    let app = router(Shared {
        service,
        shutdown: stop_rx,
    });
    let listener = listener.tap_io(|tcp| {
        // Small request/response pairs on a kept-alive connection: do not wait for ACKs.
        let _ = tcp.set_nodelay(true);
    });
    axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            shutdown.await;
            let _ = stop_tx.send(true);
        })
        .await
}

fn router(shared: Shared) -> Router {
    // What anvil sends (any origin; GET and POST), plus whatever request headers the
    // preflight asks for (a bare `*` would not cover `Authorization`) and Chrome's
    // private-network preflight, so a dapp on a public origin can reach a local node.
    let cors = CorsLayer::new()
        .allow_origin(Any)
        .allow_methods([Method::GET, Method::POST])
        .allow_headers(AllowHeaders::mirror_request())
        .allow_private_network(true);
    Router::new()
        .route("/", get(websocket).post(http))
        .layer(cors)
        .with_state(shared)
}

// ---------------------------------------------------------------------------------------
// Running synchronous calls.

/// A panic's payload.
type Panic = Box<dyn std::any::Any + Send>;

/// Runs one body: parses it, then hands it to `run` (which makes the calls). When every
/// method in it is [quick](RpcService::is_quick), that happens right here on the async
/// worker; otherwise on tokio's blocking pool, so a slow call holds up no other connection.
/// Bodies over [`INLINE_PARSE_BYTES`] are also parsed on the blocking pool. A panic that
/// escapes `run` is returned as `Err`.
async fn execute<R: Send + 'static>(
    service: &dyn RpcService,
    body: Bytes,
    run: impl FnOnce(Result<Parsed, String>) -> R + Send + 'static,
) -> Result<R, Panic> {
    let parsed = if body.len() <= INLINE_PARSE_BYTES {
        let parsed = jsonrpc::parse(&body);
        let quick = match &parsed {
            Ok(parsed) => parsed.methods().all(|method| service.is_quick(method)),
            Err(_) => true,
        };
        if quick {
            return catch_unwind(AssertUnwindSafe(move || run(parsed)));
        }
        Some(parsed)
    } else {
        None
    };
    let task =
        tokio::task::spawn_blocking(move || run(parsed.unwrap_or_else(|| jsonrpc::parse(&body))));
    task.await.map_err(|e| match e.try_into_panic() {
        Ok(payload) => payload,
        Err(e) => Box::new(e.to_string()),
    })
}

// ---------------------------------------------------------------------------------------
// HTTP.

async fn http(State(shared): State<Shared>, headers: HeaderMap, body: Body) -> Response {
    let body = match read_body(&headers, body).await {
        Ok(body) => body,
        Err(error) => return json_response(error_body(error)),
    };
    let service = shared.service.clone();
    let reply = execute(&*shared.service, body, move |parsed| match parsed {
        Err(reply) => Some(reply),
        Ok(parsed) => jsonrpc::process(parsed, &mut |method, params| match method {
            "eth_subscribe" | "eth_unsubscribe" => Err(RpcError::new(
                -32601,
                format!("Method not found: {method} needs a WebSocket connection"),
            )),
            _ => guarded_call(&*service, method, params),
        }),
    })
    .await;
    match reply {
        Ok(Some(text)) => json_response(text),
        Ok(None) => StatusCode::NO_CONTENT.into_response(),
        Err(payload) => json_response(error_body(jsonrpc::panicked("request", &*payload))),
    }
}

fn json_response(text: String) -> Response {
    let mut response = Response::new(Body::from(text));
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

fn too_large() -> RpcError {
    RpcError::invalid_request(format!("request body exceeds {MAX_BODY_BYTES} bytes"))
}

/// Reads at most [`MAX_BODY_BYTES`]. Past that, the rest is read and dropped (up to a bound)
/// so the error response reaches a client that is still sending; a client that asked
/// `Expect: 100-continue` is answered before it sends anything.
async fn read_body(headers: &HeaderMap, body: Body) -> Result<Bytes, RpcError> {
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if let Some(length) = declared.filter(|&n| n > MAX_BODY_BYTES as u64) {
        let expects_continue = headers
            .get(header::EXPECT)
            .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"100-continue"));
        if expects_continue || length > DRAIN_BYTES {
            return Err(too_large());
        }
    }
    let mut stream = body.into_data_stream();
    let mut buffer = Vec::with_capacity(declared.unwrap_or(0).min(MAX_BODY_BYTES as u64) as usize);
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| RpcError::invalid_request(format!("reading body: {e}")))?;
        if buffer.len() + chunk.len() > MAX_BODY_BYTES {
            drop(buffer);
            let mut drained = 0u64;
            let _ = tokio::time::timeout(DRAIN_TIME, async {
                while let Some(Ok(chunk)) = stream.next().await {
                    drained += chunk.len() as u64;
                    if drained > DRAIN_BYTES {
                        break;
                    }
                }
            })
            .await;
            return Err(too_large());
        }
        if buffer.is_empty() && declared.is_none() {
            buffer.reserve(chunk.len());
        }
        buffer.extend_from_slice(&chunk);
    }
    Ok(Bytes::from(buffer))
}

// ---------------------------------------------------------------------------------------
// WebSocket.

async fn websocket(State(shared): State<Shared>, upgrade: WebSocketUpgrade) -> Response {
    upgrade
        .max_message_size(MAX_BODY_BYTES)
        .max_frame_size(MAX_BODY_BYTES)
        .on_upgrade(move |socket| session(socket, shared))
}

/// A connection's live subscriptions: id → the task forwarding its notifications.
type Subscriptions = Arc<Mutex<HashMap<String, AbortHandle>>>;

/// One WebSocket connection: messages are answered in the order they arrive; subscription
/// notifications are sent as they come, after the response that created the subscription.
async fn session(socket: WebSocket, shared: Shared) {
    let (mut sink, mut stream) = socket.split();
    let (out_tx, mut out_rx) = mpsc::unbounded_channel::<Message>();
    let writer = tokio::spawn(async move {
        while let Some(message) = out_rx.recv().await {
            if sink.send(message).await.is_err() {
                return;
            }
        }
        let _ = sink.close().await;
    });
    let subscriptions: Subscriptions = Arc::default();
    let mut shutdown = shared.shutdown.clone();
    loop {
        let message = tokio::select! {
            message = stream.next() => message,
            _ = shutdown.wait_for(|stop| *stop) => break,
        };
        let body = match message {
            Some(Ok(Message::Text(text))) => Bytes::from(text),
            Some(Ok(Message::Binary(bytes))) => bytes,
            Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
            Some(Ok(Message::Close(_)) | Err(_)) | None => break,
        };
        let service = shared.service.clone();
        let subs = subscriptions.clone();
        let reply = execute(&*shared.service, body, move |parsed| {
            let mut created: Vec<(String, UnboundedReceiver<Value>)> = Vec::new();
            let reply = match parsed {
                Err(reply) => Some(reply),
                Ok(parsed) => jsonrpc::process(parsed, &mut |method, params| match method {
                    "eth_subscribe" => subscribe(&*service, params, &mut created),
                    "eth_unsubscribe" => unsubscribe(params, &subs, &mut created),
                    _ => guarded_call(&*service, method, params),
                }),
            };
            (reply, created)
        })
        .await;
        let (reply, created) = match reply {
            Ok(done) => done,
            Err(payload) => (
                Some(error_body(jsonrpc::panicked("request", &*payload))),
                Vec::new(),
            ),
        };
        if let Some(text) = reply {
            if out_tx.send(Message::Text(text.into())).is_err() {
                break;
            }
        }
        // Started only now, so no notification precedes the subscription's id.
        let mut subs = subscriptions.lock().unwrap_or_else(|e| e.into_inner());
        for (id, mut receiver) in created {
            let out = out_tx.clone();
            let sub_id = id.clone();
            let task = tokio::spawn(async move {
                while let Some(result) = receiver.recv().await {
                    let note = jsonrpc::notification(&sub_id, &result);
                    if out.send(Message::Text(note.into())).is_err() {
                        break;
                    }
                }
            });
            subs.insert(id, task.abort_handle());
        }
    }
    // Dropping the forwarding tasks drops their receivers: the subscriptions end.
    for (_, task) in subscriptions
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .drain()
    {
        task.abort();
    }
    drop(out_tx);
    let mut writer = writer;
    if tokio::time::timeout(WS_FLUSH_TIME, &mut writer)
        .await
        .is_err()
    {
        writer.abort();
    }
}

fn subscribe(
    service: &dyn RpcService,
    params: Value,
    created: &mut Vec<(String, UnboundedReceiver<Value>)>,
) -> Result<Value, RpcError> {
    let receiver = catch_unwind(AssertUnwindSafe(|| service.subscribe(params)))
        .unwrap_or_else(|payload| Err(jsonrpc::panicked("eth_subscribe", &*payload)))?;
    let id = subscription_id();
    created.push((id.clone(), receiver));
    Ok(Value::String(id))
}

fn unsubscribe(
    params: Value,
    subscriptions: &Subscriptions,
    created: &mut Vec<(String, UnboundedReceiver<Value>)>,
) -> Result<Value, RpcError> {
    let id = match &params {
        Value::Array(items) if items.len() == 1 => items[0].as_str(),
        _ => None,
    }
    .ok_or_else(|| RpcError::invalid_params("expected [subscription id]"))?
    .to_ascii_lowercase();
    // One created earlier in the same batch has no task yet.
    if let Some(at) = created.iter().position(|(pending, _)| *pending == id) {
        created.remove(at);
        return Ok(Value::Bool(true));
    }
    let task = subscriptions
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .remove(&id);
    Ok(Value::Bool(task.inspect(|task| task.abort()).is_some()))
}

/// A fresh subscription id: `0x` and 32 lowercase hex digits, unpredictable and never
/// repeated within the process (the low half is a counter under a random mask).
fn subscription_id() -> String {
    static KEYS: OnceLock<(RandomState, u64)> = OnceLock::new();
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let (state, mask) = KEYS.get_or_init(|| {
        let state = RandomState::new();
        let mask = state.hash_one(u64::MAX);
        (state, mask)
    });
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!("0x{:016x}{:016x}", state.hash_one(n), n ^ mask)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subscription_ids_are_distinct_hex() {
        let a = subscription_id();
        let b = subscription_id();
        assert_ne!(a, b);
        for id in [a, b] {
            assert_eq!(id.len(), 34);
            assert!(id.starts_with("0x"));
            assert!(id[2..]
                .bytes()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
        }
    }
}
