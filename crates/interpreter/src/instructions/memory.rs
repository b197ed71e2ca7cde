//! MLOAD, MSTORE, MSTORE8 (the run loop handles in-bounds accesses itself and calls these
//! when memory must grow or the offset is large) and MCOPY. MSIZE lives in the run loop.

use crate::gas;
use crate::interpreter::{Exit, Interpreter};
use crate::Host;
use ember_primitives::U256;

type R = Result<(), Exit>;

#[inline(never)]
pub(super) fn mload<H: Host>(i: &mut Interpreter, _: &mut H) -> R {
    let [offset] = i.stack.popn::<1>()?;
    let offset = i.resize_memory(offset, U256::from(32))?;
    let word = i.memory.word(offset);
    i.stack.push(word)
}

#[inline(never)]
pub(super) fn mstore<H: Host>(i: &mut Interpreter, _: &mut H) -> R {
    let [offset, value] = i.stack.popn::<2>()?;
    let offset = i.resize_memory(offset, U256::from(32))?;
    i.memory.set_word(offset, value);
    Ok(())
}

#[inline(never)]
pub(super) fn mstore8<H: Host>(i: &mut Interpreter, _: &mut H) -> R {
    let [offset, value] = i.stack.popn::<2>()?;
    let offset = i.resize_memory(offset, U256::from(1))?;
    i.memory.slice_mut(offset, 1)[0] = value.byte(0);
    Ok(())
}

/// EIP-5656.
#[inline(never)]
pub(super) fn mcopy<H: Host>(i: &mut Interpreter, _: &mut H) -> R {
    let [dst, src, len] = i.stack.popn::<3>()?;
    i.charge_with_memory(gas::checked_copy_cost(len), dst.max(src), len)?;
    if len.is_zero() {
        return Ok(());
    }
    let len = len.to::<usize>();
    i.memory
        .copy_within(src.to::<usize>(), dst.to::<usize>(), len);
    Ok(())
}
