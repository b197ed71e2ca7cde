//! End-to-end tests of `ember_rpc::serve` over real sockets: a raw HTTP/1.1 client and a
//! tokio-tungstenite WebSocket client against a mock service.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use ember_rpc::{serve, RpcError, RpcService, MAX_BODY_BYTES};
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver, UnboundedSender};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::Message;

/// `echo` returns its params, `add` sums two numbers, `boom` and `quick_boom` panic, `sleep`
/// sleeps `params[0]` ms, `revert` fails with data; anything else is -32601. `eth_subscribe
/// ["ticks"]` hands out a receiver whose sender the test keeps. `add`, `echo` and
/// `quick_boom` are quick (run on the async worker), the rest go to the blocking pool.
#[derive(Default)]
struct Mock {
    senders: Mutex<Vec<UnboundedSender<Value>>>,
    calls: Mutex<Vec<String>>,
}

impl RpcService for Mock {
    fn call(&self, method: &str, params: Value) -> Result<Value, RpcError> {
        self.calls.lock().unwrap().push(method.to_string());
        match method {
            "echo" => Ok(params),
            "add" => {
                let a = params[0]
                    .as_i64()
                    .ok_or_else(|| RpcError::invalid_params("a"))?;
                let b = params[1]
                    .as_i64()
                    .ok_or_else(|| RpcError::invalid_params("b"))?;
                Ok(json!(a + b))
            }
            "boom" | "quick_boom" => panic!("kaboom"),
            "sleep" => {
                std::thread::sleep(Duration::from_millis(params[0].as_u64().unwrap_or(0)));
                Ok(json!("slept"))
            }
            "revert" => Err(RpcError::new(3, "execution reverted").with_data(json!("0xdead"))),
            _ => Err(RpcError::method_not_found(method)),
        }
    }

    fn subscribe(&self, params: Value) -> Result<UnboundedReceiver<Value>, RpcError> {
        match params[0].as_str() {
            Some("ticks") => {
                let (tx, rx) = unbounded_channel();
                self.senders.lock().unwrap().push(tx);
                Ok(rx)
            }
            Some("panic") => panic!("subscribe kaboom"),
            _ => Err(RpcError::invalid_params("unknown subscription")),
        }
    }

    fn is_quick(&self, method: &str) -> bool {
        matches!(method, "add" | "echo" | "quick_boom")
    }
}

struct Server {
    addr: SocketAddr,
    mock: Arc<Mock>,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<std::io::Result<()>>,
}

async fn start() -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let mock = Arc::new(Mock::default());
    let (stop, stopped) = oneshot::channel::<()>();
    let service: Arc<dyn RpcService> = mock.clone();
    let task = tokio::spawn(serve(listener, service, async {
        let _ = stopped.await;
    }));
    Server {
        addr,
        mock,
        stop: Some(stop),
        task,
    }
}

/// A raw HTTP/1.1 response.
struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {:?}", self.body))
    }
}

fn parse_reply(raw: &[u8]) -> Reply {
    let text = String::from_utf8_lossy(raw);
    let (head, body) = text
        .split_once("\r\n\r\n")
        .expect("a complete response head");
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers = lines
        .map(|line| {
            let (n, v) = line.split_once(':').unwrap();
            (n.trim().to_string(), v.trim().to_string())
        })
        .collect();
    Reply {
        status,
        headers,
        body: body.to_string(),
    }
}

/// Sends one request (`Connection: close`) with `head_extra` header lines and reads the
/// reply to EOF.
async fn request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    head_extra: &str,
    body: &[u8],
) -> Reply {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n{head_extra}Content-Length: {}\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(body).await.unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.unwrap();
    parse_reply(&raw)
}

async fn post(addr: SocketAddr, body: &str) -> Reply {
    request(
        addr,
        "POST",
        "/",
        "Content-Type: application/json\r\n",
        body.as_bytes(),
    )
    .await
}

async fn post_json(addr: SocketAddr, body: &str) -> Value {
    let reply = post(addr, body).await;
    assert_eq!(reply.status, 200, "{body}");
    assert_eq!(reply.header("content-type"), Some("application/json"));
    reply.json()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn single_call_echoes_id_and_version() {
    let server = start().await;
    let reply = post_json(
        server.addr,
        r#"{"jsonrpc":"2.0","id":7,"method":"add","params":[2,3]}"#,
    )
    .await;
    assert_eq!(reply, json!({"jsonrpc":"2.0","id":7,"result":5}));
    let reply = post_json(
        server.addr,
        r#"{"jsonrpc":"2.0","id":"x","method":"echo","params":{"a":[1]}}"#,
    )
    .await;
    assert_eq!(reply, json!({"jsonrpc":"2.0","id":"x","result":{"a":[1]}}));
    let reply = post_json(
        server.addr,
        r#"{"jsonrpc":"2.0","id":null,"method":"echo"}"#,
    )
    .await;
    assert_eq!(reply, json!({"jsonrpc":"2.0","id":null,"result":null}));
    let reply = post_json(server.addr, r#"{"jsonrpc":"2.0","id":1,"method":"revert"}"#).await;
    assert_eq!(
        reply,
        json!({"jsonrpc":"2.0","id":1,"error":{"code":3,"message":"execution reverted","data":"0xdead"}})
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn batch_is_answered_in_order_without_notifications() {
    let server = start().await;
    let reply = post_json(
        server.addr,
        r#"[{"jsonrpc":"2.0","id":3,"method":"add","params":[1,1]},
            {"jsonrpc":"2.0","method":"echo","params":["note"]},
            {"jsonrpc":"2.0","id":1,"method":"nope"},
            5,
            {"jsonrpc":"2.0","id":2}]"#,
    )
    .await;
    assert_eq!(
        reply,
        json!([
            {"jsonrpc":"2.0","id":3,"result":2},
            {"jsonrpc":"2.0","id":1,"error":{"code":-32601,"message":"Method not found: nope"}},
            {"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"Invalid request: not a request object"}},
            {"jsonrpc":"2.0","id":2,"error":{"code":-32600,"message":"Invalid request: method must be a string"}}
        ])
    );
    // The notification ran, in order.
    assert_eq!(*server.mock.calls.lock().unwrap(), ["add", "echo", "nope"]);
    let empty = post_json(server.addr, "[]").await;
    assert_eq!(empty["id"], Value::Null);
    assert_eq!(empty["error"]["code"], -32600);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notifications_get_no_content() {
    let server = start().await;
    let single = post(
        server.addr,
        r#"{"jsonrpc":"2.0","method":"echo","params":[1]}"#,
    )
    .await;
    assert_eq!(single.status, 204);
    assert_eq!(single.body, "");
    let batch = post(
        server.addr,
        r#"[{"jsonrpc":"2.0","method":"echo"},{"jsonrpc":"2.0","method":"add","params":[1,2]}]"#,
    )
    .await;
    assert_eq!(batch.status, 204);
    assert_eq!(batch.body, "");
    assert_eq!(*server.mock.calls.lock().unwrap(), ["echo", "echo", "add"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_json_and_invalid_requests() {
    let server = start().await;
    for body in [
        "",
        "garbage",
        r#"{"jsonrpc":"2.0","id":1,"method":"echo""#,
        "[1,",
    ] {
        let reply = post_json(server.addr, body).await;
        assert_eq!(reply["jsonrpc"], "2.0");
        assert_eq!(reply["id"], Value::Null, "{body:?}");
        assert_eq!(reply["error"]["code"], -32700, "{body:?}");
        assert!(reply["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("Parse error"));
    }
    for (body, id) in [
        ("42", json!(null)),
        (r#""x""#, json!(null)),
        ("{}", json!(null)),
        (r#"{"jsonrpc":"2.0","id":1}"#, json!(1)),
        (r#"{"jsonrpc":"1.0","id":"a","method":"echo"}"#, json!("a")),
        (
            r#"{"jsonrpc":"2.0","id":2,"method":"echo","params":5}"#,
            json!(2),
        ),
        (r#"{"jsonrpc":"2.0","id":1.5,"method":"echo"}"#, json!(null)),
        (
            r#"{"jsonrpc":"2.0","id":{"a":1},"method":"echo"}"#,
            json!(null),
        ),
    ] {
        let reply = post_json(server.addr, body).await;
        assert_eq!(reply["error"]["code"], -32600, "{body}");
        assert_eq!(reply["id"], id, "{body}");
    }
    assert!(server.mock.calls.lock().unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_method_error_passes_through() {
    let server = start().await;
    let reply = post_json(
        server.addr,
        r#"{"jsonrpc":"2.0","id":1,"method":"foo_bar"}"#,
    )
    .await;
    assert_eq!(
        reply,
        json!({"jsonrpc":"2.0","id":1,"error":{"code":-32601,"message":"Method not found: foo_bar"}})
    );
    // Subscriptions need a WebSocket.
    let reply = post_json(
        server.addr,
        r#"{"jsonrpc":"2.0","id":2,"method":"eth_subscribe","params":["ticks"]}"#,
    )
    .await;
    assert_eq!(reply["error"]["code"], -32601);
    assert!(server.mock.senders.lock().unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn content_type_is_not_required() {
    let server = start().await;
    let body = br#"{"jsonrpc":"2.0","id":1,"method":"add","params":[1,2]}"#;
    for extra in [
        "Content-Type: text/plain\r\n",
        "",
        "Content-Type: application/json; charset=utf-8\r\n",
    ] {
        let reply = request(server.addr, "POST", "/", extra, body).await;
        assert_eq!(reply.status, 200, "{extra:?}");
        assert_eq!(reply.json()["result"], 3, "{extra:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cors_headers_and_preflight() {
    let server = start().await;
    let preflight = request(
        server.addr,
        "OPTIONS",
        "/",
        "Origin: http://dapp.example\r\nAccess-Control-Request-Method: POST\r\nAccess-Control-Request-Headers: content-type\r\n",
        b"",
    )
    .await;
    assert_eq!(preflight.status, 200);
    assert_eq!(preflight.header("access-control-allow-origin"), Some("*"));
    assert!(preflight
        .header("access-control-allow-methods")
        .unwrap()
        .contains("POST"));
    assert_eq!(
        preflight.header("access-control-allow-headers"),
        Some("content-type")
    );
    let call = request(
        server.addr,
        "POST",
        "/",
        "Origin: http://dapp.example\r\nContent-Type: application/json\r\n",
        br#"{"jsonrpc":"2.0","id":1,"method":"echo"}"#,
    )
    .await;
    assert_eq!(call.status, 200);
    assert_eq!(call.header("access-control-allow-origin"), Some("*"));
    // No upgrade: a plain GET is refused; other paths do not exist.
    assert_eq!(request(server.addr, "GET", "/", "", b"").await.status, 400);
    assert_eq!(
        request(server.addr, "POST", "/other", "", b"{}")
            .await
            .status,
        404
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn large_bodies_up_to_the_limit_are_accepted() {
    let server = start().await;
    let blob = "ab".repeat(2 * 1024 * 1024); // 4 MiB, over axum's default 2 MiB limit
    let body = format!(r#"{{"jsonrpc":"2.0","id":1,"method":"echo","params":["{blob}"]}}"#);
    let reply = post_json(server.addr, &body).await;
    assert_eq!(reply["result"][0].as_str().map(str::len), Some(blob.len()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversize_body_gets_an_error_response() {
    let server = start().await;
    let length = MAX_BODY_BYTES + 1;
    // A client that waits for `100 Continue` is answered before it sends the body.
    let mut stream = TcpStream::connect(server.addr).await.unwrap();
    let head = format!(
        "POST / HTTP/1.1\r\nHost: x\r\nConnection: close\r\nExpect: 100-continue\r\nContent-Length: {length}\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut raw = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut raw))
        .await
        .unwrap()
        .unwrap();
    let reply = parse_reply(&raw);
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json()["error"]["code"], -32600);
    assert_eq!(reply.json()["id"], Value::Null);

    // A client that just sends it all still reads the error, not a reset.
    let body = vec![b' '; length];
    let reply = tokio::time::timeout(
        Duration::from_secs(30),
        request(
            server.addr,
            "POST",
            "/",
            "Content-Type: application/json\r\n",
            &body,
        ),
    )
    .await
    .unwrap();
    assert_eq!(reply.status, 200);
    let error = &reply.json()["error"];
    assert_eq!(error["code"], -32600);
    assert!(error["message"].as_str().unwrap().contains("exceeds"));
    // And the server is still up.
    assert_eq!(
        post_json(
            server.addr,
            r#"{"jsonrpc":"2.0","id":1,"method":"add","params":[1,2]}"#
        )
        .await["result"],
        3
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn panic_in_call_becomes_internal_error() {
    let server = start().await;
    let reply = post_json(server.addr, r#"{"jsonrpc":"2.0","id":9,"method":"boom"}"#).await;
    assert_eq!(reply["id"], 9);
    assert_eq!(reply["error"]["code"], -32603);
    assert!(reply["error"]["message"]
        .as_str()
        .unwrap()
        .contains("kaboom"));
    // Within a batch only that item fails.
    let batch = post_json(
        server.addr,
        r#"[{"jsonrpc":"2.0","id":1,"method":"add","params":[1,2]},{"jsonrpc":"2.0","id":2,"method":"boom"},{"jsonrpc":"2.0","id":3,"method":"echo"}]"#,
    )
    .await;
    assert_eq!(batch[0]["result"], 3);
    assert_eq!(batch[1]["error"]["code"], -32603);
    assert_eq!(batch[2]["result"], Value::Null);
    assert!(!server.task.is_finished());
}

/// On a single-threaded runtime (server and client on one thread), a call that is not quick
/// must leave the thread free; a batch with one such call as well.
#[tokio::test(flavor = "current_thread")]
async fn slow_call_does_not_block_other_requests() {
    let server = start().await;
    let addr = server.addr;
    let slow = tokio::spawn(async move {
        post_json(addr, r#"[{"jsonrpc":"2.0","id":1,"method":"add","params":[1,2]},{"jsonrpc":"2.0","id":2,"method":"sleep","params":[2000]}]"#).await
    });
    tokio::time::sleep(Duration::from_millis(100)).await;
    let started = Instant::now();
    for _ in 0..3 {
        let fast = post_json(
            addr,
            r#"{"jsonrpc":"2.0","id":2,"method":"add","params":[1,2]}"#,
        )
        .await;
        assert_eq!(fast["result"], 3);
    }
    assert!(
        started.elapsed() < Duration::from_millis(1500),
        "{:?}",
        started.elapsed()
    );
    assert!(!slow.is_finished());
    assert_eq!(slow.await.unwrap()[1]["result"], "slept");
}

type Ws = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<TcpStream>>;

async fn ws_connect(addr: SocketAddr) -> Ws {
    let (ws, _) = tokio_tungstenite::connect_async(format!("ws://{addr}/"))
        .await
        .unwrap();
    ws
}

async fn ws_send(ws: &mut Ws, text: &str) {
    ws.send(Message::text(text)).await.unwrap();
}

async fn ws_recv(ws: &mut Ws) -> Value {
    loop {
        let message = tokio::time::timeout(Duration::from_secs(5), ws.next())
            .await
            .expect("a message in time")
            .expect("an open socket")
            .unwrap();
        match message {
            Message::Text(text) => return serde_json::from_str(&text).unwrap(),
            Message::Ping(_) | Message::Pong(_) => continue,
            other => panic!("unexpected {other:?}"),
        }
    }
}

/// Waits (up to 5 s) until every sender the mock handed out has lost its receiver.
async fn all_closed(mock: &Mock) -> bool {
    for _ in 0..100 {
        if mock.senders.lock().unwrap().iter().all(|tx| tx.is_closed()) {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    false
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn websocket_calls_batches_and_errors() {
    let server = start().await;
    let mut ws = ws_connect(server.addr).await;
    ws_send(
        &mut ws,
        r#"{"jsonrpc":"2.0","id":1,"method":"add","params":[20,22]}"#,
    )
    .await;
    assert_eq!(
        ws_recv(&mut ws).await,
        json!({"jsonrpc":"2.0","id":1,"result":42})
    );
    // A notification gets nothing; the next answer is the batch's.
    ws_send(&mut ws, r#"{"jsonrpc":"2.0","method":"echo"}"#).await;
    ws_send(&mut ws, r#"[{"jsonrpc":"2.0","id":"a","method":"echo","params":[1]},{"jsonrpc":"2.0","id":"b","method":"nope"}]"#).await;
    let batch = ws_recv(&mut ws).await;
    assert_eq!(batch[0], json!({"jsonrpc":"2.0","id":"a","result":[1]}));
    assert_eq!(batch[1]["error"]["code"], -32601);
    ws_send(&mut ws, "garbage").await;
    assert_eq!(ws_recv(&mut ws).await["error"]["code"], -32700);
    ws_send(&mut ws, r#"{"jsonrpc":"2.0","id":5,"method":"boom"}"#).await;
    assert_eq!(ws_recv(&mut ws).await["error"]["code"], -32603);
    // Binary frames carrying JSON are accepted too.
    ws.send(Message::binary(
        br#"{"jsonrpc":"2.0","id":6,"method":"add","params":[1,1]}"#.to_vec(),
    ))
    .await
    .unwrap();
    assert_eq!(ws_recv(&mut ws).await["result"], 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn websocket_subscription_notifies_and_unsubscribes() {
    let server = start().await;
    let mut ws = ws_connect(server.addr).await;
    ws_send(
        &mut ws,
        r#"{"jsonrpc":"2.0","id":1,"method":"eth_subscribe","params":["ticks"]}"#,
    )
    .await;
    let reply = ws_recv(&mut ws).await;
    assert_eq!(reply["id"], 1);
    let sub = reply["result"].as_str().unwrap().to_string();
    assert!(sub.starts_with("0x") && sub.len() == 34, "{sub}");

    let sender = server.mock.senders.lock().unwrap()[0].clone();
    sender.send(json!({"number":"0x1"})).unwrap();
    sender.send(json!({"number":"0x2"})).unwrap();
    for n in ["0x1", "0x2"] {
        assert_eq!(
            ws_recv(&mut ws).await,
            json!({"jsonrpc":"2.0","method":"eth_subscription","params":{"subscription":sub,"result":{"number":n}}})
        );
    }
    // A second subscription gets a different id; a refused one is the service's error.
    ws_send(
        &mut ws,
        r#"{"jsonrpc":"2.0","id":2,"method":"eth_subscribe","params":["ticks"]}"#,
    )
    .await;
    let other = ws_recv(&mut ws).await["result"]
        .as_str()
        .unwrap()
        .to_string();
    assert_ne!(other, sub);
    ws_send(
        &mut ws,
        r#"{"jsonrpc":"2.0","id":3,"method":"eth_subscribe","params":["bogus"]}"#,
    )
    .await;
    assert_eq!(ws_recv(&mut ws).await["error"]["code"], -32602);
    ws_send(
        &mut ws,
        r#"{"jsonrpc":"2.0","id":4,"method":"eth_subscribe","params":["panic"]}"#,
    )
    .await;
    assert_eq!(ws_recv(&mut ws).await["error"]["code"], -32603);

    ws_send(
        &mut ws,
        &format!(r#"{{"jsonrpc":"2.0","id":5,"method":"eth_unsubscribe","params":["{sub}"]}}"#),
    )
    .await;
    assert_eq!(
        ws_recv(&mut ws).await,
        json!({"jsonrpc":"2.0","id":5,"result":true})
    );
    ws_send(
        &mut ws,
        &format!(r#"{{"jsonrpc":"2.0","id":6,"method":"eth_unsubscribe","params":["{sub}"]}}"#),
    )
    .await;
    assert_eq!(ws_recv(&mut ws).await["result"], false);
    ws_send(
        &mut ws,
        r#"{"jsonrpc":"2.0","id":7,"method":"eth_unsubscribe","params":[]}"#,
    )
    .await;
    assert_eq!(ws_recv(&mut ws).await["error"]["code"], -32602);
    // The receiver was dropped; the other subscription still delivers.
    for _ in 0..100 {
        if sender.is_closed() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(sender.is_closed());
    let second = server.mock.senders.lock().unwrap()[1].clone();
    assert!(!second.is_closed());
    second.send(json!("tick")).unwrap();
    let note = ws_recv(&mut ws).await;
    assert_eq!(
        note["params"],
        json!({"subscription":other,"result":"tick"})
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn subscribe_and_unsubscribe_in_one_batch() {
    let server = start().await;
    let mut ws = ws_connect(server.addr).await;
    ws_send(&mut ws, r#"[{"jsonrpc":"2.0","id":1,"method":"eth_subscribe","params":["ticks"]},{"jsonrpc":"2.0","id":2,"method":"add","params":[1,2]}]"#).await;
    let reply = ws_recv(&mut ws).await;
    let sub = reply[0]["result"].as_str().unwrap().to_string();
    assert_eq!(reply[1]["result"], 3);
    server.mock.senders.lock().unwrap()[0]
        .send(json!(1))
        .unwrap();
    assert_eq!(
        ws_recv(&mut ws).await["params"]["subscription"],
        sub.as_str()
    );
    ws_send(
        &mut ws,
        r#"[{"jsonrpc":"2.0","id":1,"method":"eth_subscribe","params":["ticks"]}]"#,
    )
    .await;
    let pending = ws_recv(&mut ws).await[0]["result"]
        .as_str()
        .unwrap()
        .to_string();
    ws_send(&mut ws, &format!(r#"[{{"jsonrpc":"2.0","id":3,"method":"eth_unsubscribe","params":["{pending}"]}},{{"jsonrpc":"2.0","id":4,"method":"eth_unsubscribe","params":["{sub}"]}}]"#)).await;
    assert_eq!(
        ws_recv(&mut ws).await,
        json!([{"jsonrpc":"2.0","id":3,"result":true},{"jsonrpc":"2.0","id":4,"result":true}])
    );
    assert!(all_closed(&server.mock).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closing_the_socket_drops_its_subscriptions() {
    let server = start().await;
    let mut ws = ws_connect(server.addr).await;
    for id in 1..=3 {
        ws_send(
            &mut ws,
            &format!(
                r#"{{"jsonrpc":"2.0","id":{id},"method":"eth_subscribe","params":["ticks"]}}"#
            ),
        )
        .await;
        assert!(ws_recv(&mut ws).await["result"].is_string());
    }
    assert_eq!(server.mock.senders.lock().unwrap().len(), 3);
    assert!(server
        .mock
        .senders
        .lock()
        .unwrap()
        .iter()
        .all(|tx| !tx.is_closed()));
    ws.close(None).await.unwrap();
    assert!(all_closed(&server.mock).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_closes_websockets_and_returns() {
    let mut server = start().await;
    let mut ws = ws_connect(server.addr).await;
    ws_send(
        &mut ws,
        r#"{"jsonrpc":"2.0","id":1,"method":"eth_subscribe","params":["ticks"]}"#,
    )
    .await;
    assert!(ws_recv(&mut ws).await["result"].is_string());
    server.stop.take().unwrap().send(()).unwrap();
    let result = tokio::time::timeout(Duration::from_secs(10), &mut server.task).await;
    assert!(
        matches!(result, Ok(Ok(Ok(())))),
        "serve did not return cleanly: {result:?}"
    );
    let end = tokio::time::timeout(Duration::from_secs(5), ws.next())
        .await
        .unwrap();
    assert!(
        matches!(end, None | Some(Ok(Message::Close(_))) | Some(Err(_))),
        "{end:?}"
    );
    assert!(all_closed(&server.mock).await);
    assert!(TcpStream::connect(server.addr).await.is_err());
}
