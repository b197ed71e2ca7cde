//! Ember's executor and embedding API.
//!
//! ```
//! use ember_evm::{Evm, InMemoryDb, AccountInfo, TxEnv, TxKind, Fork, U256, address};
//!
//! let sender = address!("1000000000000000000000000000000000000001");
//! let mut db = InMemoryDb::new();
//! db.insert_account(sender, AccountInfo { balance: U256::from(10u64.pow(18)), ..Default::default() }, []);
//! let mut evm = Evm::builder(db).fork(Fork::Cancun).build();
//! let tx = TxEnv {
//!     caller: sender,
//!     kind: TxKind::Call(address!("2000000000000000000000000000000000000002")),
//!     value: U256::from(1),
//!     gas_limit: 21_000,
//!     ..Default::default()
//! };
//! let result = evm.transact_commit(&tx).unwrap();
//! assert!(result.is_success());
//! assert_eq!(result.gas_used(), 21_000);
//! ```
#![deny(missing_docs)]

mod context;
mod custom;
mod error;
mod evm;
mod frame;
mod precompile_cache;
mod result;

pub use context::Context;
pub use custom::{PrecompileCall, StatefulPrecompileFn};
pub use error::{EvmError, InvalidTransaction};
pub use evm::{Evm, EvmBuilder};
pub use precompile_cache::PrecompileCache;
pub use result::{
    AuthorizationSkip, ExecutionResult, HaltReason, ResultAndState, SkippedAuthorization,
};

pub use ember_bytecode::{self as bytecode, Bytecode};
pub use ember_interpreter::{
    self as interpreter, CallInputs, CallOutcome, CreateInputs, CreateOutcome, CustomInstruction,
    Exit, FailedCharge, Host, Inspector, Interpreter, Log, NoopInspector,
};
pub use ember_precompile::{
    self as precompile, PrecompileError, PrecompileFn, PrecompileOutput, Precompiles,
};
pub use ember_primitives::{
    self as primitives, address, b256, bytes, hex, keccak256, AccessListItem, Address,
    Authorization, BlockEnv, BlockExtension, Bytes, Fork, Spec, TxEnv, TxKind, TxType, B256, U256,
};
pub use ember_state::{
    self as state, AccountChange, AccountInfo, Database, DatabaseCommit, InMemoryDb,
    JournaledState, StateChanges,
};
