//! Control flow: STOP, JUMP(I), PC, GAS, JUMPDEST, RETURN, REVERT, INVALID.

use crate::interpreter::{Exit, Interpreter};
use crate::Host;
use ember_primitives::{Bytes, U256};

type R = Result<(), Exit>;

pub(super) fn stop<H: Host>(_: &mut Interpreter, _: &mut H) -> R {
    Err(Exit::Stop)
}

pub(super) fn undefined<H: Host>(_: &mut Interpreter, _: &mut H) -> R {
    Err(Exit::UndefinedOpcode)
}

pub(super) fn invalid<H: Host>(_: &mut Interpreter, _: &mut H) -> R {
    Err(Exit::InvalidOpcode)
}

#[inline]
fn jump_to(i: &mut Interpreter, dest: U256) -> R {
    let dest = dest.saturating_to::<usize>();
    if !i.bytecode.is_jumpdest(dest) {
        return Err(Exit::InvalidJump);
    }
    i.pc = dest;
    Ok(())
}

pub(super) fn jump<H: Host>(i: &mut Interpreter, _: &mut H) -> R {
    let [dest] = i.stack.popn::<1>()?;
    jump_to(i, dest)
}

pub(super) fn jumpi<H: Host>(i: &mut Interpreter, _: &mut H) -> R {
    let [dest, cond] = i.stack.popn::<2>()?;
    if cond.is_zero() {
        Ok(())
    } else {
        jump_to(i, dest)
    }
}

pub(super) fn pc<H: Host>(i: &mut Interpreter, _: &mut H) -> R {
    let pc = i.pc - 1;
    i.stack.push(U256::from(pc))
}

pub(super) fn gas<H: Host>(i: &mut Interpreter, _: &mut H) -> R {
    let left = i.gas.remaining;
    i.stack.push(U256::from(left))
}

pub(super) fn jumpdest<H: Host>(_: &mut Interpreter, _: &mut H) -> R {
    Ok(())
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

pub(super) fn ret<H: Host>(i: &mut Interpreter, _: &mut H) -> R {
    i.output = output(i)?;
    Err(Exit::Return)
}

pub(super) fn revert<H: Host>(i: &mut Interpreter, _: &mut H) -> R {
    i.output = output(i)?;
    Err(Exit::Revert)
}
