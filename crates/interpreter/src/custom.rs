//! Instructions a chain variant adds: a row of the opcode table and a body, run at a byte
//! the fork leaves undefined. The run loop reaches them through
//! [`Host::custom_instruction`]; their static gas is in the frame's gas table
//! ([`gas::table_with`](crate::gas::table_with)), so the loop charges it as for any opcode.

use crate::{Exit, Host, Interpreter};
use ember_bytecode::opcode::OpInfo;

/// An instruction defined outside Ember.
#[derive(Clone, Copy, Debug)]
pub struct CustomInstruction {
    /// Its opcode table row: name, immediate size, stack inputs and outputs, static gas.
    /// The loop checks the stack against `inputs` and `outputs` before the body runs.
    pub info: OpInfo,
    /// The body. It runs with the static gas charged and the stack checked, and the program
    /// counter already past the opcode (and must move it past any immediate bytes); it
    /// charges any dynamic gas itself ([`Interpreter::charge_gas`]).
    pub run: fn(&mut Interpreter, &mut dyn Host) -> Result<(), Exit>,
}
