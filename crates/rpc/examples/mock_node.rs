//! A JSON-RPC server with a trivial service, for load tests:
//! `cargo run --release -p ember-rpc --example mock_node -- 127.0.0.1:18546`.
//! `eth_chainId` answers `0x7a69`; `work` does `params[0]` thousand rounds of arithmetic
//! (about a microsecond each). With a second argument `quick`, every method is
//! [quick](ember_rpc::RpcService::is_quick), i.e. run on the async worker.

use std::sync::Arc;

use ember_rpc::{serve, RpcError, RpcService};
use serde_json::{json, Value};
use tokio::sync::mpsc::UnboundedReceiver;

struct Mock {
    quick: bool,
}

impl RpcService for Mock {
    fn call(&self, method: &str, params: Value) -> Result<Value, RpcError> {
        match method {
            "eth_chainId" => Ok(json!("0x7a69")),
            "work" => {
                let mut x = 0x9e37_79b9_7f4a_7c15u64;
                for _ in 0..params[0].as_u64().unwrap_or(0) * 1000 {
                    x = std::hint::black_box(x.rotate_left(5) ^ x.wrapping_mul(0x100_0000_01b3));
                }
                Ok(json!(x))
            }
            _ => Err(RpcError::method_not_found(method)),
        }
    }

    fn subscribe(&self, _: Value) -> Result<UnboundedReceiver<Value>, RpcError> {
        Err(RpcError::invalid_params("no subscriptions"))
    }

    fn is_quick(&self, _: &str) -> bool {
        self.quick
    }
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:18546".into());
    let quick = std::env::args().nth(2).as_deref() == Some("quick");
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    eprintln!("listening on {}", listener.local_addr()?);
    serve(listener, Arc::new(Mock { quick }), async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await
}
