//! Block and transaction environment: ORIGIN, GASPRICE, COINBASE..BLOBBASEFEE.

use crate::interpreter::{Exit, Interpreter};
use crate::Host;
use ember_primitives::U256;

type R = Result<(), Exit>;

#[inline(never)]
pub(super) fn origin<H: Host>(i: &mut Interpreter, h: &mut H) -> R {
    i.stack.push(h.tx().origin.into_word().into())
}

#[inline(never)]
pub(super) fn gasprice<H: Host>(i: &mut Interpreter, h: &mut H) -> R {
    i.stack.push(h.tx().gas_price)
}

#[inline(never)]
pub(super) fn coinbase<H: Host>(i: &mut Interpreter, h: &mut H) -> R {
    i.stack.push(h.block().coinbase.into_word().into())
}

#[inline(never)]
pub(super) fn timestamp<H: Host>(i: &mut Interpreter, h: &mut H) -> R {
    i.stack.push(U256::from(h.block().timestamp))
}

#[inline(never)]
pub(super) fn number<H: Host>(i: &mut Interpreter, h: &mut H) -> R {
    i.stack.push(U256::from(h.block().number))
}

/// DIFFICULTY before the merge, PREVRANDAO after (EIP-4399).
#[inline(never)]
pub(super) fn prevrandao<H: Host>(i: &mut Interpreter, h: &mut H) -> R {
    let block = h.block();
    let value = match block.prevrandao {
        Some(random) if i.spec.prevrandao => random.into(),
        _ => block.difficulty,
    };
    i.stack.push(value)
}

#[inline(never)]
pub(super) fn gaslimit<H: Host>(i: &mut Interpreter, h: &mut H) -> R {
    i.stack.push(U256::from(h.block().gas_limit))
}

#[inline(never)]
pub(super) fn chainid<H: Host>(i: &mut Interpreter, h: &mut H) -> R {
    i.stack.push(U256::from(h.tx().chain_id))
}

#[inline(never)]
pub(super) fn basefee<H: Host>(i: &mut Interpreter, h: &mut H) -> R {
    i.stack.push(h.block().base_fee)
}

#[inline(never)]
pub(super) fn blobhash<H: Host>(i: &mut Interpreter, h: &mut H) -> R {
    let index = i.stack.top()?;
    let hashes = &h.tx().blob_hashes;
    *index = match usize::try_from(*index).ok().and_then(|n| hashes.get(n)) {
        Some(hash) => (*hash).into(),
        None => U256::ZERO,
    };
    Ok(())
}

#[inline(never)]
pub(super) fn blobbasefee<H: Host>(i: &mut Interpreter, h: &mut H) -> R {
    i.stack.push(h.tx().blob_base_fee)
}
