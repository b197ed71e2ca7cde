//! JSON-RPC 2.0 for `ember node`: one port serving HTTP `POST` and WebSocket upgrades,
//! single and batch requests, `eth_subscribe` notifications over WebSocket, and the
//! standard error codes. The methods themselves are an [`RpcService`]'s.
#![deny(missing_docs)]

mod error;
mod jsonrpc;
pub mod server;

pub use error::RpcError;
pub use server::{serve, RpcService, MAX_BODY_BYTES};
