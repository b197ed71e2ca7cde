//! KECCAK256 of a memory range.

use crate::gas;
use crate::interpreter::{Exit, Interpreter};
use crate::Host;
use ember_primitives::keccak256;

type R = Result<(), Exit>;

#[inline(never)]
pub(super) fn keccak256_op<H: Host>(i: &mut Interpreter, _: &mut H) -> R {
    let [offset, len] = i.stack.popn::<2>()?;
    let cost = u64::try_from(len)
        .ok()
        .and_then(|len| gas::words(len).checked_mul(gas::KECCAK_WORD));
    let offset = i.charge_with_memory(cost, offset, len)?;
    let len = len.to::<usize>();
    let hash = if len == 0 {
        ember_primitives::KECCAK_EMPTY
    } else {
        keccak256(i.memory.slice(offset, len))
    };
    i.stack.push(hash.into())
}
