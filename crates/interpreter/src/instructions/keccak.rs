//! KECCAK256 of a memory range.

use crate::gas;
use crate::interpreter::{Exit, Interpreter};
use crate::Host;
use ember_primitives::keccak256;

type R = Result<(), Exit>;

#[inline(never)]
pub(super) fn keccak256_op<H: Host>(i: &mut Interpreter, _: &mut H) -> R {
    let [offset, len] = i.stack.popn::<2>()?;
    i.charge(gas::KECCAK_WORD.saturating_mul(gas::words(len.saturating_to::<u64>())))?;
    let offset = i.resize_memory(offset, len)?;
    let len = len.to::<usize>();
    let hash = if len == 0 {
        ember_primitives::KECCAK_EMPTY
    } else {
        keccak256(i.memory.slice(offset, len))
    };
    i.stack.push(hash.into())
}
