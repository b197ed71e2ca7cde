//! [`RpcError`]: a JSON-RPC error object.

use serde_json::Value;

/// A JSON-RPC error: code, message and optional data, as sent in the response's `error`.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{message} (code {code})")]
pub struct RpcError {
    /// The error code (-32700 parse error, -32600 invalid request, -32601 method not found,
    /// -32602 invalid params, -32603 internal error, -32000 server error, 3 execution
    /// reverted).
    pub code: i64,
    /// What went wrong.
    pub message: String,
    /// Extra data (a revert's return data as 0x-hex).
    pub data: Option<Value>,
}

impl RpcError {
    /// An error with `code` and `message` and no data.
    pub fn new(code: i64, message: impl Into<String>) -> RpcError {
        RpcError {
            code,
            message: message.into(),
            data: None,
        }
    }

    /// -32700: the body is not JSON.
    pub fn parse_error(detail: impl std::fmt::Display) -> RpcError {
        RpcError::new(-32700, format!("Parse error: {detail}"))
    }

    /// -32600: JSON, but not a JSON-RPC request.
    pub fn invalid_request(detail: impl std::fmt::Display) -> RpcError {
        RpcError::new(-32600, format!("Invalid request: {detail}"))
    }

    /// -32601: no method of that name.
    pub fn method_not_found(method: &str) -> RpcError {
        RpcError::new(-32601, format!("Method not found: {method}"))
    }

    /// -32602: a parameter is missing or malformed; the message names it.
    pub fn invalid_params(detail: impl std::fmt::Display) -> RpcError {
        RpcError::new(-32602, detail.to_string())
    }

    /// -32603: the node failed.
    pub fn internal(detail: impl std::fmt::Display) -> RpcError {
        RpcError::new(-32603, detail.to_string())
    }

    /// -32000: a server-side refusal (nonce too low, insufficient funds, ...).
    pub fn server(detail: impl std::fmt::Display) -> RpcError {
        RpcError::new(-32000, detail.to_string())
    }

    /// Attaches `data`.
    pub fn with_data(mut self, data: Value) -> RpcError {
        self.data = Some(data);
        self
    }
}
