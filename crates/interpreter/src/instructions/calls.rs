//! The instructions that start nested frames: CALL, CALLCODE, DELEGATECALL, STATICCALL,
//! CREATE and CREATE2.

use super::state::to_address;
use crate::gas;
use crate::interpreter::{
    Action, CallInputs, CallKind, CreateInputs, CreateScheme, Exit, Interpreter,
};
use crate::Host;
use ember_primitives::{Bytes, B256, U256};

type R = Result<(), Exit>;

/// CALL, CALLCODE, DELEGATECALL, STATICCALL: charge the call's own costs, set aside the gas
/// to forward, and suspend the frame on the nested call.
#[inline]
fn call_inner<H: Host>(i: &mut Interpreter, h: &mut H, kind: CallKind) -> R {
    let [gas_requested, to] = i.stack.popn::<2>()?;
    let value = match kind {
        CallKind::Call | CallKind::CallCode => i.stack.popn::<1>()?[0],
        CallKind::DelegateCall | CallKind::StaticCall => U256::ZERO,
    };
    let [in_offset, in_len, out_offset, out_len] = i.stack.popn::<4>()?;
    let to = to_address(to);
    let spec = i.spec;
    // As the execution specs do: every part of the cost (memory, account access, value,
    // new account, forwarded gas) is computed first and charged at once, then the static
    // context is checked, so a failing CALL reports its whole cost to tracers.
    let in_end = i.checked_memory_end(in_offset, in_len)?;
    let out_end = i.checked_memory_end(out_offset, out_len)?;
    let memory_end = in_end.max(out_end);
    let memory_cost = i.expansion_cost(memory_end);
    let mut cost = memory_cost;
    let account = h.load_account(to);
    cost = cost.saturating_add(gas::cold_account_surcharge(spec, account.is_cold));
    // EIP-7702: calling a delegated account also reads its delegate.
    let code_address = match account.delegation {
        Some((delegate, is_cold)) => {
            cost = cost.saturating_add(if is_cold {
                spec.cold_account
            } else {
                spec.warm_access
            });
            delegate
        }
        None => to,
    };
    let transfers = !value.is_zero() && matches!(kind, CallKind::Call | CallKind::CallCode);
    if transfers {
        cost = cost.saturating_add(gas::CALL_VALUE);
    }
    if kind == CallKind::Call {
        let creates_account = if spec.empty_account_cleanup {
            transfers && account.is_empty
        } else {
            !account.exists
        };
        if creates_account {
            cost = cost.saturating_add(gas::NEW_ACCOUNT);
        }
    }
    // Gas the frame cannot give fails the charge below (pre-EIP-150, or when `cost` itself
    // is not covered).
    let forwarded = i
        .gas
        .remaining
        .checked_sub(cost)
        .and_then(|available| gas::call_gas(spec, gas_requested, available))
        .unwrap_or_else(|| gas_requested.saturating_to());
    let total = cost.saturating_add(forwarded);
    if !i.gas.charge(total) {
        return Err(i.out_of_gas_for_memory(total, memory_cost, memory_end));
    }
    i.grow_paid_memory(memory_end)?;
    if kind == CallKind::Call && i.is_static && !value.is_zero() {
        return Err(Exit::StaticViolation);
    }
    let in_offset = Interpreter::range_start(in_offset, in_len);
    let out_offset = Interpreter::range_start(out_offset, out_len);
    let gas_limit = forwarded + if transfers { gas::CALL_STIPEND } else { 0 };
    // The calldata stays in this frame's memory (suspended until the callee ends): the
    // executor hands the callee a view of it instead of a copy.
    let in_len = in_len.to::<usize>();
    let input_range = (in_len > 0).then_some((in_offset, in_len));
    i.return_range = (out_offset, out_len.to::<usize>());
    let (target, caller, call_value, is_static) = match kind {
        CallKind::Call => (to, i.address, value, i.is_static),
        CallKind::CallCode => (i.address, i.address, value, i.is_static),
        CallKind::DelegateCall => (i.address, i.caller, i.value, i.is_static),
        CallKind::StaticCall => (to, i.address, U256::ZERO, true),
    };
    i.suspend(Action::Call(Box::new(CallInputs {
        kind,
        target,
        code_address,
        caller,
        value: call_value,
        transfers_value: matches!(kind, CallKind::Call | CallKind::CallCode),
        input: Bytes::new(),
        input_range,
        gas_limit,
        is_static,
        delegated: account.delegation.is_some(),
    })))
}

#[inline(never)]
pub(super) fn call<H: Host>(i: &mut Interpreter, h: &mut H) -> R {
    call_inner(i, h, CallKind::Call)
}

#[inline(never)]
pub(super) fn callcode<H: Host>(i: &mut Interpreter, h: &mut H) -> R {
    call_inner(i, h, CallKind::CallCode)
}

#[inline(never)]
pub(super) fn delegatecall<H: Host>(i: &mut Interpreter, h: &mut H) -> R {
    call_inner(i, h, CallKind::DelegateCall)
}

#[inline(never)]
pub(super) fn staticcall<H: Host>(i: &mut Interpreter, h: &mut H) -> R {
    call_inner(i, h, CallKind::StaticCall)
}

/// CREATE and CREATE2 (EIP-1014; EIP-3860 initcode limit and metering).
#[inline(never)]
pub(super) fn create<const IS_CREATE2: bool, H: Host>(i: &mut Interpreter, _: &mut H) -> R {
    let [value, offset, len] = i.stack.popn::<3>()?;
    let salt = if IS_CREATE2 {
        Some(B256::from(i.stack.popn::<1>()?[0]))
    } else {
        None
    };
    let spec = i.spec;
    // The initcode's metering (EIP-3860), CREATE2's hashing and the memory in one charge,
    // then the checks, as the execution specs order them: a tracer sees the whole cost.
    let words = u64::try_from(len).ok().map(gas::words);
    let mut cost = Some(0u64);
    if spec.max_initcode_size.is_some() {
        cost = words.and_then(|w| w.checked_mul(gas::INITCODE_WORD));
    }
    if IS_CREATE2 {
        let hashing = words.and_then(|w| w.checked_mul(gas::KECCAK_WORD));
        cost = cost.and_then(|c| c.checked_add(hashing?));
    }
    let offset = i.charge_with_memory(cost, offset, len)?;
    if let Some(max) = spec.max_initcode_size {
        if len > U256::from(max) {
            return Err(Exit::OutOfGas);
        }
    }
    if i.is_static {
        return Err(Exit::StaticViolation);
    }
    let len = len.to::<usize>();
    let init_code = if len == 0 {
        Bytes::new()
    } else {
        Bytes::copy_from_slice(i.memory.slice(offset, len))
    };
    let gas_limit = if spec.call_gas_63_64 {
        i.gas.remaining - i.gas.remaining / 64
    } else {
        i.gas.remaining
    };
    i.charge(gas_limit)?;
    let scheme = match salt {
        Some(salt) => CreateScheme::Create2 { salt },
        None => CreateScheme::Create,
    };
    i.suspend(Action::Create(Box::new(CreateInputs {
        caller: i.address,
        value,
        init_code,
        scheme,
        gas_limit,
    })))
}
