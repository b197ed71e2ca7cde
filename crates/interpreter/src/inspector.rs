//! Observers of execution: tracers, profilers, debuggers. Every hook has an empty default
//! body, and the executor is generic over the inspector, so [`NoopInspector`] compiles away.

use crate::{CallInputs, CallOutcome, CreateInputs, CreateOutcome, Exit, Interpreter, Log};
use ember_primitives::{Address, U256};

/// Hooks called during execution. Implement the ones you need.
pub trait Inspector {
    /// True when [`Inspector::step`] and [`Inspector::step_end`] should be called; the
    /// interpreter runs a loop without per-step hooks when this is false.
    fn wants_steps(&self) -> bool {
        true
    }
    /// True when [`Inspector::call`] and [`Inspector::call_end`] should see the calldata
    /// in [`CallInputs::input`]; when false the executor may leave it in the caller's
    /// memory (`input` empty, [`CallInputs::input_range`] set) and save the copy.
    fn wants_call_input(&self) -> bool {
        true
    }
    /// Before each instruction (the static gas is not yet charged).
    fn step(&mut self, _interp: &Interpreter) {}
    /// After each instruction that did not end the frame (for a CALL or CREATE, once the
    /// nested frame has finished and the frame resumes).
    fn step_end(&mut self, _interp: &Interpreter) {}
    /// The instruction begun in the last [`Inspector::step`] ended the frame with `exit`
    /// (STOP, RETURN, REVERT, SELFDESTRUCT, or a halt: out of gas, a bad jump, a write in a
    /// static context...) or suspended it on a nested call or creation (`Exit::Suspend`:
    /// [`Inspector::call`] or [`Inspector::create`] follows, and [`Inspector::step_end`]
    /// once the frame resumes).
    ///
    /// This is where an instruction's cost is read, never worked out again: the gas before
    /// it minus `interp.gas.remaining`, plus [`Interpreter::failed_charge`] when it ran out
    /// of gas, is everything it charged (for a CALL, the gas it forwards included; for a
    /// CREATE, the gas given to the initcode too). Called before a halted frame's gas is
    /// burnt. [`Interpreter::memory_size_after`] is the memory it left.
    fn step_exit(&mut self, _interp: &Interpreter, _exit: Exit) {}
    /// A call frame is about to start (also for precompiles and calls that fail early).
    fn call(&mut self, _inputs: &CallInputs, _depth: usize) {}
    /// A call frame ended.
    fn call_end(&mut self, _inputs: &CallInputs, _outcome: &CallOutcome, _depth: usize) {}
    /// A creation is about to start.
    fn create(&mut self, _inputs: &CreateInputs, _depth: usize) {}
    /// A creation ended.
    fn create_end(&mut self, _inputs: &CreateInputs, _outcome: &CreateOutcome, _depth: usize) {}
    /// A log was emitted.
    fn log(&mut self, _log: &Log) {}
    /// An account self-destructed, sending `value` to `target`.
    fn selfdestruct(&mut self, _address: Address, _target: Address, _value: U256) {}
}

/// The inspector that observes nothing and costs nothing.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoopInspector;

impl Inspector for NoopInspector {
    #[inline]
    fn wants_steps(&self) -> bool {
        false
    }
    #[inline]
    fn wants_call_input(&self) -> bool {
        false
    }
}
