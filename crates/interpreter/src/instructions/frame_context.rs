//! The running frame's own context: ADDRESS, CALLER, CALLVALUE, the calldata, the code and
//! the return data of the last nested call.

use crate::gas;
use crate::interpreter::{Exit, Interpreter};
use crate::Host;
use ember_primitives::{Bytes, U256};

type R = Result<(), Exit>;

#[inline(never)]
pub(super) fn address<H: Host>(i: &mut Interpreter, _: &mut H) -> R {
    let a = i.address.into_word().into();
    i.stack.push(a)
}

#[inline(never)]
pub(super) fn caller<H: Host>(i: &mut Interpreter, _: &mut H) -> R {
    let a = i.caller.into_word().into();
    i.stack.push(a)
}

#[inline(never)]
pub(super) fn callvalue<H: Host>(i: &mut Interpreter, _: &mut H) -> R {
    let v = i.value;
    i.stack.push(v)
}

#[inline(never)]
pub(super) fn calldataload<H: Host>(i: &mut Interpreter, _: &mut H) -> R {
    let offset = i.stack.top()?.saturating_to::<usize>();
    let mut word = [0u8; 32];
    if offset < i.input.len() {
        let n = (i.input.len() - offset).min(32);
        word[..n].copy_from_slice(&i.input[offset..offset + n]);
    }
    *i.stack.top()? = U256::from_be_bytes(word);
    Ok(())
}

#[inline(never)]
pub(super) fn calldatasize<H: Host>(i: &mut Interpreter, _: &mut H) -> R {
    let len = i.input.len();
    i.stack.push(U256::from(len))
}

/// Shared body of CALLDATACOPY and CODECOPY: charge copy and memory, then copy with zero fill.
#[inline]
fn copy_to_memory(i: &mut Interpreter, source: fn(&Interpreter) -> &[u8]) -> R {
    let [mem_offset, src_offset, len] = i.stack.popn::<3>()?;
    let mem_offset = i.charge_with_memory(gas::checked_copy_cost(len), mem_offset, len)?;
    let len = len.to::<usize>();
    let src_offset = src_offset.saturating_to::<usize>();
    // Borrow the source only after memory has grown.
    let src: Bytes = match source(i) {
        s if s.is_empty() || len == 0 => Bytes::new(),
        s => Bytes::copy_from_slice(
            &s[src_offset.min(s.len())..s.len().min(src_offset.saturating_add(len))],
        ),
    };
    i.memory.set_padded(mem_offset, &src, 0, len);
    Ok(())
}

#[inline(never)]
pub(super) fn calldatacopy<H: Host>(i: &mut Interpreter, _: &mut H) -> R {
    copy_to_memory(i, |i| &i.input)
}

#[inline(never)]
pub(super) fn codesize<H: Host>(i: &mut Interpreter, _: &mut H) -> R {
    let len = i.bytecode.len();
    i.stack.push(U256::from(len))
}

#[inline(never)]
pub(super) fn codecopy<H: Host>(i: &mut Interpreter, _: &mut H) -> R {
    copy_to_memory(i, |i| i.bytecode.original())
}

#[inline(never)]
pub(super) fn returndatasize<H: Host>(i: &mut Interpreter, _: &mut H) -> R {
    let len = i.return_data.len();
    i.stack.push(U256::from(len))
}

#[inline(never)]
pub(super) fn returndatacopy<H: Host>(i: &mut Interpreter, _: &mut H) -> R {
    let [mem_offset, data_offset, len] = i.stack.popn::<3>()?;
    let mem_offset = i.charge_with_memory(gas::checked_copy_cost(len), mem_offset, len)?;
    let data_offset = data_offset.saturating_to::<usize>();
    let len = len.to::<usize>();
    if data_offset.saturating_add(len) > i.return_data.len() {
        return Err(Exit::ReturnDataOutOfBounds);
    }
    if len > 0 {
        i.memory
            .slice_mut(mem_offset, len)
            .copy_from_slice(&i.return_data[data_offset..data_offset + len]);
    }
    Ok(())
}
