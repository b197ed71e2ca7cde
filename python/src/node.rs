//! `ember._ember.Node`: `ember node`'s chain in process, driven by JSON-RPC requests without
//! a socket (the eth-tester backend, python/ember/eth_tester.py, is built on it).

use crate::convert::{fork, guard};
use ember_node::config::ETHER;
use ember_node::NodeConfig;
use ember_rpc::RpcService;
use pyo3::prelude::*;
use std::sync::Arc;

pyo3::create_exception!(
    ember,
    RpcError,
    pyo3::exceptions::PyException,
    "A JSON-RPC method failed: `code` and `message` are the node's, `data` its extra data."
);

/// A development chain: the same code as `ember node`, in process.
#[pyclass(module = "ember", frozen)]
pub struct Node {
    node: Arc<ember_node::Node>,
}

#[pymethods]
impl Node {
    #[new]
    #[pyo3(signature = (chain_id=31337, accounts=10, balance_ether=1_000_000, fork_name="Prague", gas_limit=30_000_000, base_fee=1_000_000_000, auto_mine=false, genesis_timestamp=None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        chain_id: u64,
        accounts: usize,
        balance_ether: u64,
        fork_name: &str,
        gas_limit: u64,
        base_fee: u64,
        auto_mine: bool,
        genesis_timestamp: Option<u64>,
    ) -> PyResult<Node> {
        guard(|| {
            let config = NodeConfig {
                chain_id,
                accounts,
                balance: ember_evm::U256::from(balance_ether) * ember_evm::U256::from(ETHER),
                fork: fork(fork_name)?,
                gas_limit,
                base_fee,
                no_mining: !auto_mine,
                genesis_timestamp,
                silent: true,
                ..NodeConfig::default()
            };
            let state =
                ember_node::build_state(config).map_err(pyo3::exceptions::PyValueError::new_err)?;
            Ok(Node {
                node: ember_node::Node::new(state),
            })
        })
    }

    /// Runs JSON-RPC `method` with `params` (a JSON array as text); returns the result as
    /// JSON text, or raises RpcError. Releases the GIL.
    fn request(&self, py: Python<'_>, method: &str, params: &str) -> PyResult<String> {
        guard(|| {
            let params: serde_json::Value = serde_json::from_str(params).map_err(|e| {
                pyo3::exceptions::PyValueError::new_err(format!("params are not JSON: {e}"))
            })?;
            let node = Arc::clone(&self.node);
            let outcome = py.detach(|| node.call(method, params));
            match outcome {
                Ok(value) => Ok(value.to_string()),
                Err(e) => {
                    let err = RpcError::new_err(e.message.clone());
                    let value = err.value(py);
                    value.setattr("code", e.code)?;
                    value.setattr("message", e.message.clone())?;
                    value.setattr("data", e.data.map(|d| d.to_string()))?;
                    Err(err)
                }
            }
        })
    }
}
