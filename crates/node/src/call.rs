//! What `eth_call`-like methods (`eth_call`, `eth_estimateGas`, `eth_createAccessList`,
//! `debug_traceCall`) read from their parameters: the request, the state with its overrides,
//! the block.

use std::collections::BTreeMap;

use ember_primitives::Address;
use ember_rpc::RpcError;

use crate::exec::{self, AccountOverride, CallDb};
use crate::node::Node;
use crate::params::{BlockId, Params};
use crate::tx::TxRequest;

/// What `eth_call`-like methods need: the request, the state with overrides, the block.
pub struct CallSetup {
    /// The request.
    pub request: TxRequest,
    /// The state to run on.
    pub db: CallDb,
    /// The block environment.
    pub block: ember_primitives::BlockEnv,
    /// The transaction environment.
    pub env: ember_primitives::TxEnv,
    /// The fork.
    pub fork: ember_primitives::Fork,
    /// The chain id.
    pub chain_id: u64,
    /// The gas cap.
    pub cap: u64,
}

/// Reads `[request, block, overrides]` and snapshots what the call runs on.
pub fn call_setup(node: &Node, p: &Params) -> Result<CallSetup, RpcError> {
    let request: TxRequest = p.required(0, "transaction")?;
    let block_id: Option<BlockId> = p.optional(1, "block")?;
    let overrides: BTreeMap<Address, AccountOverride> =
        p.optional(2, "stateOverrides")?.unwrap_or_default();
    let s = node.lock()?;
    let state = s.state_at(block_id)?;
    let mut block = s.call_block_env(block_id)?;
    // As the specification's reference (geth): a call that names no fee runs with a zero
    // base fee, so BASEFEE reads 0 and no balance is needed for gas.
    if s.config.follows_spec() && request.gas_price.is_none() && request.max_fee_per_gas.is_none() {
        block.base_fee = ember_primitives::U256::ZERO;
    }
    let mut db = CallDb::new(state, s.chain.remote.clone());
    exec::apply_overrides(&mut db, &overrides)?;
    let env = s.call_env(&request, db.local(), &block)?;
    let cap = request.gas.map_or(s.tx_gas_cap(), |g| g.0);
    let fork = s.chain.fork_at(block.number, block.timestamp);
    Ok(CallSetup {
        request,
        db,
        block,
        env,
        fork,
        chain_id: s.chain.chain_id,
        cap,
    })
}
