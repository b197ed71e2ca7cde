//! A test upstream for fork mode: an in-process `ember node` answered over plain HTTP or
//! TLS on 127.0.0.1 by a small std-thread server that counts the JSON-RPC calls it gets and
//! can be told to fail or stall. Never a remote host.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ember_node::{build_state, Node, NodeConfig};
use ember_rpc::RpcService;
use serde_json::{json, Value};

/// How the upstream answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Behaviour {
    /// Answers every call.
    Serve = 0,
    /// Answers every request with HTTP 503.
    Fail = 1,
    /// Holds every request for 5 s before answering it.
    Stall = 2,
}

/// The upstream: the node, its URL, and what it was asked.
pub struct Upstream {
    /// The node behind the server.
    pub node: Arc<Node>,
    /// `http://127.0.0.1:PORT` or `https://localhost:PORT`.
    pub url: String,
    calls: Arc<Mutex<Vec<String>>>,
    behaviour: Arc<AtomicU8>,
}

impl Upstream {
    /// The methods called so far, in order (a batch's calls one by one).
    pub fn calls(&self) -> Vec<String> {
        self.calls.lock().unwrap().clone()
    }

    /// Forgets the calls counted so far.
    pub fn reset_calls(&self) {
        self.calls.lock().unwrap().clear();
    }

    /// Sets how the upstream answers from now on.
    pub fn set(&self, b: Behaviour) {
        self.behaviour.store(b as u8, Ordering::SeqCst);
    }

    /// Calls the node directly (not counted).
    pub fn call(&self, method: &str, params: Value) -> Value {
        self.node
            .call(method, params)
            .unwrap_or_else(|e| panic!("{method}: {e}"))
    }
}

/// A dev node configuration on a free port, quiet.
pub fn config(fork_url: Option<String>) -> NodeConfig {
    NodeConfig {
        port: 0,
        silent: true,
        fork_url,
        ..NodeConfig::default()
    }
}

/// Starts an upstream node served over plain HTTP, or over TLS with `tls` (a rustls
/// server configuration; the URL is then `https://localhost:PORT`).
pub fn start(tls: Option<Arc<rustls::ServerConfig>>) -> Upstream {
    let node = Node::new(build_state(config(None)).unwrap());
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let url = match tls {
        Some(_) => format!("https://localhost:{port}"),
        None => format!("http://127.0.0.1:{port}"),
    };
    let calls = Arc::new(Mutex::new(Vec::new()));
    let behaviour = Arc::new(AtomicU8::new(Behaviour::Serve as u8));
    let (n, c, b) = (node.clone(), calls.clone(), behaviour.clone());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { return };
            let (n, c, b, tls) = (n.clone(), c.clone(), b.clone(), tls.clone());
            std::thread::spawn(move || match tls {
                Some(config) => {
                    let Ok(conn) = rustls::ServerConnection::new(config) else {
                        return;
                    };
                    serve_connection(rustls::StreamOwned::new(conn, stream), &n, &c, &b);
                }
                None => serve_connection(stream, &n, &c, &b),
            });
        }
    });
    Upstream {
        node,
        url,
        calls,
        behaviour,
    }
}

/// Answers HTTP/1.1 JSON-RPC requests on one connection until the client closes it.
fn serve_connection<S: Read + Write>(
    stream: S,
    node: &Arc<Node>,
    calls: &Mutex<Vec<String>>,
    behaviour: &AtomicU8,
) {
    let mut reader = BufReader::new(stream);
    loop {
        let mut length = None;
        let mut line = String::new();
        match reader.read_line(&mut line) {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        loop {
            let mut header = String::new();
            if reader.read_line(&mut header).unwrap_or(0) == 0 {
                return;
            }
            let header = header.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':') {
                if name.eq_ignore_ascii_case("content-length") {
                    length = value.trim().parse::<usize>().ok();
                }
            }
        }
        let mut body = vec![0u8; length.unwrap_or(0)];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let request: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
        let one = |r: &Value| -> Value {
            let method = r["method"].as_str().unwrap_or_default().to_string();
            calls.lock().unwrap().push(method.clone());
            match node.call(&method, r["params"].clone()) {
                Ok(result) => json!({ "jsonrpc": "2.0", "id": r["id"], "result": result }),
                Err(e) => json!({
                    "jsonrpc": "2.0", "id": r["id"],
                    "error": { "code": e.code, "message": e.message }
                }),
            }
        };
        let (status, reply) = match behaviour.load(Ordering::SeqCst) {
            1 => ("503 Service Unavailable", "upstream down".to_string()),
            b => {
                if b == 2 {
                    std::thread::sleep(Duration::from_secs(5));
                }
                let reply = match &request {
                    Value::Array(batch) => Value::Array(batch.iter().map(one).collect()),
                    r => one(r),
                };
                ("200 OK", reply.to_string())
            }
        };
        let out = reader.get_mut();
        let head = format!(
            "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
            reply.len()
        );
        if out.write_all(head.as_bytes()).is_err()
            || out.write_all(reply.as_bytes()).is_err()
            || out.flush().is_err()
        {
            return;
        }
    }
}
