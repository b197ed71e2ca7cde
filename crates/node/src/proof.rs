//! `eth_getProof` (EIP-1186): account and storage proofs from the state trie.

use ember_rpc::RpcError;
use serde_json::Value;

use crate::node::NodeState;
use crate::params::Params;

/// `eth_getProof [address, slots, block]`.
pub fn get_proof(_s: &NodeState, _p: &Params) -> Result<Value, RpcError> {
    Err(RpcError::method_not_found("eth_getProof"))
}
