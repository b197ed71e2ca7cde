//! `debug_traceTransaction` and `debug_traceCall`: struct logs and `callTracer`.

use ember_rpc::RpcError;
use serde_json::Value;

use crate::node::Node;
use crate::params::Params;

/// `debug_traceTransaction [hash, options]`.
pub fn trace_transaction(_node: &Node, _p: &Params) -> Result<Value, RpcError> {
    Err(RpcError::method_not_found("debug_traceTransaction"))
}

/// `debug_traceCall [request, block, options]`.
pub fn trace_call(_node: &Node, _p: &Params) -> Result<Value, RpcError> {
    Err(RpcError::method_not_found("debug_traceCall"))
}
