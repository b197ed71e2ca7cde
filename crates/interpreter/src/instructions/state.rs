//! Instructions that read or change state through the [`Host`]: BALANCE, SELFBALANCE,
//! EXTCODE*, BLOCKHASH, SLOAD/SSTORE, TLOAD/TSTORE, LOGn, SELFDESTRUCT.

use crate::gas;
use crate::interpreter::{Exit, Interpreter};
use crate::{Host, Log};
use ember_primitives::spec::SstoreRule;
use ember_primitives::{Address, Bytes, B256, U256};

type R = Result<(), Exit>;

#[inline]
pub(super) fn to_address(word: U256) -> Address {
    Address::from_word(B256::from(word))
}

#[inline(never)]
pub(super) fn balance<H: Host>(i: &mut Interpreter, h: &mut H) -> R {
    let address = to_address(*i.stack.top()?);
    let load = h.balance(address);
    i.charge(gas::cold_account_surcharge(i.spec, load.is_cold))?;
    *i.stack.top()? = load.data;
    Ok(())
}

#[inline(never)]
pub(super) fn selfbalance<H: Host>(i: &mut Interpreter, h: &mut H) -> R {
    let load = h.balance(i.address);
    i.stack.push(load.data)
}

#[inline(never)]
pub(super) fn extcodesize<H: Host>(i: &mut Interpreter, h: &mut H) -> R {
    let address = to_address(*i.stack.top()?);
    let load = h.code(address);
    i.charge(gas::cold_account_surcharge(i.spec, load.is_cold))?;
    *i.stack.top()? = U256::from(load.data.len());
    Ok(())
}

#[inline(never)]
pub(super) fn extcodehash<H: Host>(i: &mut Interpreter, h: &mut H) -> R {
    let address = to_address(*i.stack.top()?);
    let load = h.code_hash(address);
    i.charge(gas::cold_account_surcharge(i.spec, load.is_cold))?;
    *i.stack.top()? = load.data.into();
    Ok(())
}

#[inline(never)]
pub(super) fn extcodecopy<H: Host>(i: &mut Interpreter, h: &mut H) -> R {
    let [address, mem_offset, code_offset, len] = i.stack.popn::<4>()?;
    let memory_end = i.checked_memory_end(mem_offset, len)?;
    let load = h.code(to_address(address));
    // Access, copy and memory in one charge, as the execution specs charge them.
    let cost = gas::checked_copy_cost(len)
        .and_then(|copy| copy.checked_add(gas::cold_account_surcharge(i.spec, load.is_cold)));
    i.charge_with_memory_end(cost, memory_end)?;
    let mem_offset = Interpreter::range_start(mem_offset, len);
    let len = len.to::<usize>();
    let code_offset = code_offset.saturating_to::<usize>();
    i.memory
        .set_padded(mem_offset, load.data.original(), code_offset, len);
    Ok(())
}

#[inline(never)]
pub(super) fn blockhash<H: Host>(i: &mut Interpreter, h: &mut H) -> R {
    let requested = *i.stack.top()?;
    let current = h.block().number;
    let hash = match u64::try_from(requested) {
        Ok(n) if n < current && current - n <= 256 => h.block_hash(n),
        _ => B256::ZERO,
    };
    *i.stack.top()? = hash.into();
    Ok(())
}

#[inline(never)]
pub(super) fn sload<H: Host>(i: &mut Interpreter, h: &mut H) -> R {
    let key = *i.stack.top()?;
    let load = h.sload(i.address, key);
    if i.spec.access_lists && load.is_cold {
        i.charge(i.spec.cold_sload - i.spec.warm_access)?;
    }
    *i.stack.top()? = load.data;
    Ok(())
}

#[inline(never)]
pub(super) fn sstore<H: Host>(i: &mut Interpreter, h: &mut H) -> R {
    let [key, value] = i.stack.popn::<2>()?;
    // EIP-2200: SSTORE needs more than the call stipend left.
    if i.spec.sstore == SstoreRule::Eip2200 && i.gas.remaining <= gas::CALL_STIPEND {
        return Err(Exit::OutOfGas);
    }
    if i.is_static {
        return Err(static_sstore(i, h, key, value));
    }
    let load = h.sstore(i.address, key, value);
    i.charge(gas::sstore_cost(i.spec, &load.data, load.is_cold))?;
    i.gas.refund += gas::sstore_refund(i.spec, &load.data);
    Ok(())
}

/// SSTORE in a static context: the execution specs charge the full cost before they find
/// the write forbidden, so this charges it too (tracers see the same gasCost) without
/// writing: the slot is read, and its present value written back to learn the original.
/// The frame halts either way, undoing the warm marks.
#[cold]
#[inline(never)]
fn static_sstore<H: Host>(i: &mut Interpreter, h: &mut H, key: U256, new: U256) -> Exit {
    let present = h.sload(i.address, key);
    let mut values = h.sstore(i.address, key, present.data).data;
    values.new = new;
    match i.charge(gas::sstore_cost(i.spec, &values, present.is_cold)) {
        Ok(()) => Exit::StaticViolation,
        Err(exit) => exit,
    }
}

/// EIP-1153.
#[inline(never)]
pub(super) fn tload<H: Host>(i: &mut Interpreter, h: &mut H) -> R {
    let key = i.stack.top()?;
    *key = h.tload(i.address, *key);
    Ok(())
}

/// EIP-1153.
#[inline(never)]
pub(super) fn tstore<H: Host>(i: &mut Interpreter, h: &mut H) -> R {
    if i.is_static {
        return Err(Exit::StaticViolation);
    }
    let [key, value] = i.stack.popn::<2>()?;
    h.tstore(i.address, key, value);
    Ok(())
}

#[inline(never)]
pub(super) fn log<const N: usize, H: Host>(i: &mut Interpreter, h: &mut H) -> R {
    let [offset, len] = i.stack.popn::<2>()?;
    let cost = u64::try_from(len)
        .ok()
        .and_then(|len| len.checked_mul(gas::LOG_DATA));
    let offset = i.charge_with_memory(cost, offset, len)?;
    // After the charge, as the execution specs check it: a tracer sees the whole cost.
    if i.is_static {
        return Err(Exit::StaticViolation);
    }
    let len = len.to::<usize>();
    let topics = i.stack.popn::<N>()?;
    let data = if len == 0 {
        Bytes::new()
    } else {
        Bytes::copy_from_slice(i.memory.slice(offset, len))
    };
    h.log(Log {
        address: i.address,
        topics: topics.iter().map(|t| B256::from(*t)).collect(),
        data,
    });
    Ok(())
}

#[inline(never)]
pub(super) fn selfdestruct<H: Host>(i: &mut Interpreter, h: &mut H) -> R {
    let [target] = i.stack.popn::<1>()?;
    let target = to_address(target);
    if i.is_static {
        return Err(static_selfdestruct(i, h, target));
    }
    let load = h.selfdestruct(i.address, target);
    let outcome = load.data;
    i.charge(selfdestruct_cost(
        i.spec,
        load.is_cold,
        outcome.had_value,
        outcome.target_exists,
        outcome.target_is_empty,
    ))?;
    let spec = i.spec;
    if !outcome.previously_destroyed {
        i.gas.refund += spec.selfdestruct_refund as i64;
    }
    Err(Exit::SelfDestruct)
}

/// SELFDESTRUCT's cost beyond its static part: cold access (EIP-2929) and, where the fork
/// charges it, a new account for the beneficiary.
fn selfdestruct_cost(
    spec: &ember_primitives::Spec,
    is_cold: bool,
    had_value: bool,
    target_exists: bool,
    target_is_empty: bool,
) -> u64 {
    let mut cost = if spec.access_lists && is_cold {
        spec.cold_account
    } else {
        0
    };
    if spec.selfdestruct_new_account {
        let creates_account = if spec.empty_account_cleanup {
            had_value && target_is_empty
        } else {
            !target_exists
        };
        if creates_account {
            cost += gas::NEW_ACCOUNT;
        }
    }
    cost
}

/// SELFDESTRUCT in a static context: charged as the execution specs charge it before they
/// find the write forbidden (tracers see the same gasCost), without destroying anything.
#[cold]
#[inline(never)]
fn static_selfdestruct<H: Host>(i: &mut Interpreter, h: &mut H, target: Address) -> Exit {
    let had_value = !h.balance(i.address).data.is_zero();
    let account = h.load_account(target);
    let cost = selfdestruct_cost(
        i.spec,
        account.is_cold,
        had_value,
        account.exists,
        account.is_empty,
    );
    match i.charge(cost) {
        Ok(()) => Exit::StaticViolation,
        Err(exit) => exit,
    }
}
