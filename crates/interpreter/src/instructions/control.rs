//! RETURN, REVERT and INVALID. STOP, JUMP, JUMPI, PC, GAS and JUMPDEST live in the run loop,
//! which holds the program counter and gas.

use crate::interpreter::{Exit, Interpreter};
use crate::Host;
use ember_primitives::Bytes;

type R = Result<(), Exit>;

#[inline(never)]
pub(super) fn invalid<H: Host>(_: &mut Interpreter, _: &mut H) -> R {
    Err(Exit::InvalidOpcode)
}

#[inline]
fn output(i: &mut Interpreter) -> Result<Bytes, Exit> {
    let [offset, len] = i.stack.popn::<2>()?;
    let offset = i.resize_memory(offset, len)?;
    let len = len.to::<usize>();
    Ok(if len == 0 {
        Bytes::new()
    } else {
        Bytes::copy_from_slice(i.memory.slice(offset, len))
    })
}

#[inline(never)]
pub(super) fn ret<H: Host>(i: &mut Interpreter, _: &mut H) -> R {
    i.output = output(i)?;
    Err(Exit::Return)
}

#[inline(never)]
pub(super) fn revert<H: Host>(i: &mut Interpreter, _: &mut H) -> R {
    i.output = output(i)?;
    Err(Exit::Revert)
}
