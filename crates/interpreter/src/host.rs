//! What the interpreter asks of the world around it: accounts, storage, logs, the block and
//! transaction environment. The executor implements [`Host`] over its journaled state.

use ember_bytecode::Bytecode;
use ember_primitives::{Address, BlockEnv, Spec, B256, U256};

/// Defined in `ember-primitives`, below the state crate that produces them; re-exported here
/// where the [`Host`] methods return them.
pub use ember_primitives::state_access::{Log, SStoreValues, SelfDestructOutcome, StateLoad};

/// What a CALL needs to know about its target account.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AccountLoad {
    /// True when this was the first access (EIP-2929).
    pub is_cold: bool,
    /// True when the account exists in the state.
    pub exists: bool,
    /// True when it has no code, zero nonce and zero balance (EIP-161), or does not exist.
    pub is_empty: bool,
    /// EIP-7702: the account's code delegates to this address, loaded (and warmed) too;
    /// the flag says whether that access was cold.
    pub delegation: Option<(Address, bool)>,
}

/// Per-transaction values the interpreter reads.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TxContext {
    /// ORIGIN: the transaction sender.
    pub origin: Address,
    /// GASPRICE: the effective gas price.
    pub gas_price: U256,
    /// CHAINID.
    pub chain_id: u64,
    /// BLOBHASH: the transaction's versioned hashes.
    pub blob_hashes: Vec<B256>,
    /// BLOBBASEFEE: the block's blob base fee.
    pub blob_base_fee: U256,
}

/// The interpreter's window on state and environment. Methods that touch an account or
/// slot also warm it (EIP-2929) and record the change in the executor's journal.
pub trait Host {
    /// The active fork rules.
    fn spec(&self) -> &'static Spec;
    /// The block being executed.
    fn block(&self) -> &BlockEnv;
    /// The transaction being executed.
    fn tx(&self) -> &TxContext;
    /// Loads (and warms) an account for a CALL, following an EIP-7702 delegation one step.
    fn load_account(&mut self, address: Address) -> AccountLoad;
    /// BALANCE / SELFBALANCE.
    fn balance(&mut self, address: Address) -> StateLoad<U256>;
    /// The code of an account (EXTCODESIZE, EXTCODECOPY).
    fn code(&mut self, address: Address) -> StateLoad<Bytecode>;
    /// EXTCODEHASH: zero for an account that does not exist or is empty.
    fn code_hash(&mut self, address: Address) -> StateLoad<B256>;
    /// BLOCKHASH of a block within the last 256 (the caller checks the range).
    fn block_hash(&mut self, number: u64) -> B256;
    /// SLOAD.
    fn sload(&mut self, address: Address, key: U256) -> StateLoad<U256>;
    /// SSTORE: writes and reports the slot's values for gas and refunds.
    fn sstore(&mut self, address: Address, key: U256, value: U256) -> StateLoad<SStoreValues>;
    /// TLOAD (EIP-1153).
    fn tload(&mut self, address: Address, key: U256) -> U256;
    /// TSTORE (EIP-1153).
    fn tstore(&mut self, address: Address, key: U256, value: U256);
    /// Records a log.
    fn log(&mut self, log: Log);
    /// SELFDESTRUCT: moves the balance to `target` and marks `address` for destruction as
    /// the fork's rules say.
    fn selfdestruct(&mut self, address: Address, target: Address)
        -> StateLoad<SelfDestructOutcome>;
    /// The instruction a chain variant defines at `op`, a byte the fork leaves undefined
    /// (see [`CustomInstruction`](crate::CustomInstruction)). None on Ethereum.
    fn custom_instruction(&self, _op: u8) -> Option<crate::CustomInstruction> {
        None
    }
}
