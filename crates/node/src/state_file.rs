//! anvil's state file: `--dump-state`/`--load-state`/`--state` and `anvil_dumpState` /
//! `anvil_loadState`.

use ember_rpc::RpcError;
use serde_json::Value;

use crate::node::NodeState;

/// `anvil_dumpState`: the state as hex.
pub fn dump_hex(_s: &NodeState) -> Result<Value, RpcError> {
    Err(RpcError::method_not_found("anvil_dumpState"))
}

/// `anvil_loadState`: merges a dumped state into the head state.
pub fn load_bytes(_s: &mut NodeState, _data: &[u8]) -> Result<(), RpcError> {
    Err(RpcError::method_not_found("anvil_loadState"))
}

/// Loads `--load-state` / `--state` into the head state.
pub fn load_file(_s: &mut NodeState, path: &std::path::Path) -> Result<(), String> {
    Err(format!(
        "--load-state {}: not supported yet",
        path.display()
    ))
}

/// Writes `--dump-state` / `--state`, when configured.
pub fn dump_configured(_s: &NodeState) -> Result<(), String> {
    Ok(())
}
