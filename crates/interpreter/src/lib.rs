//! The EVM interpreter: the hot loop and nothing else. It runs one call frame's bytecode
//! against a [`Host`] (state, environment) and stops at the frame's end or when it needs a
//! nested call or creation ([`Action`]). The executor (`ember-evm`) keeps the frames on an
//! explicit stack, so deep call chains never recurse natively.
#![deny(missing_docs)]

pub mod calldata;
mod custom;
mod exit;
pub mod gas;
pub mod host;
pub mod inspector;
mod instructions;
pub mod interpreter;
pub mod memory;
pub mod stack;

pub use calldata::CallData;
pub use custom::CustomInstruction;
pub use ember_bytecode::{opcode, Bytecode};
pub use gas::Gas;
pub use host::{AccountLoad, Host, Log, SStoreValues, SelfDestructOutcome, StateLoad, TxContext};
pub use inspector::{Inspector, NoopInspector};
pub use interpreter::{
    Action, CallInputs, CallKind, CallOutcome, CreateInputs, CreateOutcome, CreateScheme, Exit,
    FailedCharge, FrameInput, Interpreter,
};
pub use memory::Memory;
pub use stack::{Stack, STACK_LIMIT};
