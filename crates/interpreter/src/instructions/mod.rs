//! The run loop and the instruction bodies, one module per family.
//!
//! The loop keeps the machine's hot registers in locals: `ip` (a pointer into the padded
//! code), `sp` (one past the top of the stack) and `gas`. Instructions that touch only those
//! (arithmetic, stack, jumps, in-bounds memory words) run inline in one `match`; the others
//! are frame instructions, `fn(&mut Interpreter, &mut H) -> Result<(), Exit>`, called with
//! the registers written back into the [`Interpreter`] first and read again after. The
//! static gas is charged by the loop from the fork's table; bodies charge only the dynamic
//! part. With an inspector that wants steps, the registers are written back around every
//! hook, so the inspector always sees the frame as the interpreter does. Frame
//! instructions are never inlined into the loop: host code (journal, hash maps) inlined
//! there would change how the loop's registers are allocated, and with it the speed of
//! every arithmetic instruction.

mod arithmetic;
mod bitwise;
mod calls;
mod control;
mod environment;
mod frame_context;
mod keccak;
mod memory;
mod observed;
mod push;
mod state;

use crate::gas::{GasTable, UNDEFINED};
use crate::interpreter::{Action, CallOutcome, Exit, FailedCharge, Interpreter};
use crate::opcode::*;
use crate::stack::STACK_LIMIT;
use crate::{Host, Inspector};
use ember_bytecode::opcode::OPCODES;
use ember_primitives::{Bytes, U256};
use observed::Observed;

/// A word holding `x`, built limb by limb (`U256::from` goes through a generic conversion
/// that some instructions compiled into a spill and reload).
#[inline(always)]
pub(super) const fn word(x: u64) -> U256 {
    U256::from_limbs([x, 0, 0, 0])
}

/// Reads a stack word as four 8-byte loads.
///
/// Arithmetic writes its results limb by limb (8-byte stores); a 16-byte vector load of a
/// word written moments before cannot be forwarded from those stores and stalls until they
/// retire. Volatile limb loads keep the compiler from merging them into vector loads, so
/// every read of the stack is forwardable whatever wrote it.
///
/// # Safety
/// `p` must point to an initialised stack slot.
#[inline(always)]
unsafe fn get(p: *const U256) -> U256 {
    let limbs = p.cast::<u64>();
    // SAFETY: the caller's slot holds four initialised, aligned limbs.
    unsafe {
        U256::from_limbs([
            limbs.read_volatile(),
            limbs.add(1).read_volatile(),
            limbs.add(2).read_volatile(),
            limbs.add(3).read_volatile(),
        ])
    }
}

/// Writes a stack word as four 8-byte stores (see [`get`]).
///
/// # Safety
/// `p` must point to a stack slot (initialised or not).
#[inline(always)]
unsafe fn set(p: *mut U256, value: U256) {
    let limbs = p.cast::<u64>();
    let value = value.as_limbs();
    // SAFETY: the caller's slot has room for four aligned limbs.
    unsafe {
        limbs.write_volatile(value[0]);
        limbs.add(1).write_volatile(value[1]);
        limbs.add(2).write_volatile(value[2]);
        limbs.add(3).write_volatile(value[3]);
    }
}

/// Bytes per stack slot.
const WORD: usize = std::mem::size_of::<U256>();

/// The stack items `op` reads, from the opcode table (0 for an undefined byte).
const fn stack_inputs(op: u8) -> usize {
    match &OPCODES[op as usize] {
        Some(info) => info.inputs as usize,
        None => 0,
    }
}

/// The stack items `op` adds beyond those it reads, from the opcode table.
const fn stack_growth(op: u8) -> usize {
    match &OPCODES[op as usize] {
        Some(info) if info.outputs > info.inputs => (info.outputs - info.inputs) as usize,
        _ => 0,
    }
}

/// The start of a `len`-byte memory access at `offset` when it lies inside memory of
/// `size` bytes; None when memory must grow first (or the offset is beyond any size).
#[inline(always)]
fn in_memory(offset: U256, len: u64, size: usize) -> Option<usize> {
    let limbs = offset.as_limbs();
    let end = limbs[0].checked_add(len)?;
    if (limbs[1] | limbs[2] | limbs[3]) == 0 && end <= size as u64 {
        Some(limbs[0] as usize)
    } else {
        None
    }
}

impl Interpreter {
    /// Runs until the frame ends or needs a nested call or creation.
    // With one loop left, `no-inspector-hook` would let `run` inline into the executor (a
    // different register allocation); kept out of line so the measurement compares the hook.
    #[cfg_attr(feature = "no-inspector-hook", inline(never))]
    pub fn run<H: Host, I: Inspector>(&mut self, host: &mut H, inspector: &mut I) -> Action {
        // The `no-inspector-hook` feature (for measuring what the hooks cost, never for use)
        // compiles the per-step hooks out.
        #[cfg(not(feature = "no-inspector-hook"))]
        let exit = if inspector.wants_steps() {
            run_loop::<H, I, true>(self, host, inspector)
        } else {
            run_loop::<H, I, false>(self, host, inspector)
        };
        #[cfg(feature = "no-inspector-hook")]
        let exit = run_loop::<H, I, false>(self, host, inspector);
        if exit == Exit::Suspend {
            if let Some(action) = self.pending.take() {
                return action;
            }
            // The loop stopped at a byte none of its arms handles: a chain variant's
            // instruction.
            return self.run_from_custom_instruction(host, inspector);
        }
        self.finish(exit)
    }

    /// The frame's outcome once the loop has stopped with `exit`.
    #[inline(always)]
    fn finish(&mut self, exit: Exit) -> Action {
        let output = if matches!(exit, Exit::Return | Exit::Revert) {
            std::mem::take(&mut self.output)
        } else {
            Bytes::new()
        };
        if exit.is_halt() {
            self.gas.remaining = 0;
            self.gas.refund = 0;
        }
        Action::Return(CallOutcome {
            exit,
            gas: self.gas,
            output,
        })
    }

    /// [`Interpreter::run`] from a chain variant's instruction on: runs it, then the loop,
    /// and again at each custom instruction the loop stops at. Out of `run`, whose code
    /// (with the loop inlined) is then the same as for a fork without custom instructions.
    #[cold]
    #[inline(never)]
    fn run_from_custom_instruction<H: Host, I: Inspector>(
        &mut self,
        host: &mut H,
        inspector: &mut I,
    ) -> Action {
        loop {
            if let Err(exit) = self.run_custom_instruction(host, inspector) {
                return self.finish(exit);
            }
            let exit = if inspector.wants_steps() {
                run_loop::<H, I, true>(self, host, inspector)
            } else {
                run_loop::<H, I, false>(self, host, inspector)
            };
            if exit != Exit::Suspend {
                return self.finish(exit);
            }
            if let Some(action) = self.pending.take() {
                return action;
            }
        }
    }

    /// Runs the chain variant's instruction at the program counter, whose static gas the
    /// loop has charged (the frame's gas table prices it only when the host defines one),
    /// after checking the stack against its table row. Kept out of the run loop, whose arm
    /// for such bytes only stops the loop: a call there would change how the loop's
    /// registers are allocated.
    #[cold]
    #[inline(never)]
    fn run_custom_instruction<H: Host, I: Inspector>(
        &mut self,
        host: &mut H,
        inspector: &mut I,
    ) -> Result<(), Exit> {
        let op = self.current_opcode();
        self.pc += 1;
        let mut observed = Observed { host, inspector };
        let result = match observed.custom_instruction(op) {
            None => Err(Exit::UndefinedOpcode),
            Some(instruction) => {
                let (inputs, outputs) = (
                    instruction.info.inputs as usize,
                    instruction.info.outputs as usize,
                );
                let len = self.stack.len();
                if len < inputs {
                    Err(Exit::StackUnderflow)
                } else if len - inputs + outputs > STACK_LIMIT {
                    Err(Exit::StackOverflow)
                } else {
                    (instruction.run)(self, &mut observed)
                }
            }
        };
        match result {
            // The loop reports the end of the step when it starts again.
            Ok(()) => self.resumed = true,
            Err(exit) if observed.inspector.wants_steps() => {
                observed.inspector.step_exit(self, exit)
            }
            Err(_) => {}
        }
        result
    }
}

/// Runs `interp` until its frame ends or suspends on a nested call or creation. `STEPS`
/// selects the loop that calls the inspector's per-step hooks.
#[inline(always)]
pub(crate) fn run_loop<H: Host, I: Inspector, const STEPS: bool>(
    interp: &mut Interpreter,
    host: &mut H,
    inspector: &mut I,
) -> Exit {
    if STEPS && interp.resumed {
        // The CALL or CREATE that suspended this frame has now finished.
        inspector.step_end(interp);
    }
    interp.resumed = false;
    let mut observed = Observed { host, inspector };
    let gas_table: &'static GasTable = interp.gas_table;
    // The bytecode is fixed for the frame's lifetime and lives behind an `Arc`, so the
    // addresses of its code and bitmap can be held across the calls that take `interp`.
    let code: *const u8 = interp.bytecode.padded().as_ptr();
    let jumpdests: *const [u64] = interp.bytecode.jumpdest_bitmap();

    // SAFETY: the loop's invariants, which every arm keeps:
    // - `ip` points into the padded code: `code + pc` with `pc <= len + 32 < padded.len()`.
    //   The code ends in 33 zero bytes (STOP); the pc only moves by one past an executed
    //   opcode, past PUSH data (at most 32 bytes, read by `immediate` within the padding),
    //   or to a JUMPDEST the bitmap marks inside the code; STOP ends the loop.
    // - `base` is the stack's bottom slot and `sp = base + len` with `len <= STACK_LIMIT`;
    //   the slots below `sp` are initialised. An arm reads its opcode's `inputs` items and
    //   writes at `sp` only after `check_stack!` has checked the table's counts. Frame instructions get the count written
    //   back (`set_len`) and `base`/`sp` are derived again after them.
    // - Memory is reached only through `interp.memory`'s checked slices.
    unsafe {
        let mut ip: *const u8 = code.add(interp.pc);
        let mut base: *mut U256 = interp.stack.base_ptr();
        let mut sp: *mut U256 = base.add(interp.stack.len());
        let mut gas: u64 = interp.gas.remaining;

        // Writes the registers back into `interp` (the pc at the current opcode).
        macro_rules! save {
            () => {{
                interp.pc = ip.offset_from(code) as usize;
                interp.stack.set_len(sp.offset_from(base) as usize);
                interp.gas.remaining = gas;
            }};
        }
        // Ends the frame with `$exit`, reporting it to the inspector.
        macro_rules! exit {
            ($exit:expr) => {{
                let exit: Exit = $exit;
                save!();
                if STEPS {
                    observed.inspector.step_exit(interp, exit);
                }
                return exit;
            }};
        }
        // The stack check of `$op`, from the opcode table: at least `inputs` items, and room
        // for the items it adds. Both counts are constants, so each arm keeps only its own
        // comparisons.
        macro_rules! check_stack {
            ($op:expr) => {{
                const INPUTS: usize = stack_inputs($op);
                const GROWTH: usize = stack_growth($op);
                if INPUTS > 0 && (sp as usize - base as usize) < INPUTS * WORD {
                    exit!(Exit::StackUnderflow);
                }
                if GROWTH > 0 && sp > base.add(STACK_LIMIT - GROWTH) {
                    exit!(Exit::StackOverflow);
                }
            }};
        }
        // Pushes `$value` (after `check_stack!`).
        macro_rules! push {
            ($value:expr) => {{
                set(sp, $value);
                sp = sp.add(1);
            }};
        }
        // `a op b -> result`, `a` the top.
        macro_rules! binary {
            ($op:expr, $f:path) => {{
                check_stack!($op);
                sp = sp.sub(1);
                let top = sp.sub(1);
                set(top, $f(get(sp), get(top)));
                ip = ip.add(1);
            }};
        }
        // `a, b, n -> result`, `a` the top.
        macro_rules! ternary {
            ($op:expr, $f:path) => {{
                check_stack!($op);
                sp = sp.sub(2);
                let top = sp.sub(1);
                set(top, $f(get(sp.add(1)), get(sp), get(top)));
                ip = ip.add(1);
            }};
        }
        // `a -> result` in place.
        macro_rules! unary {
            ($op:expr, $f:path) => {{
                check_stack!($op);
                let top = sp.sub(1);
                set(top, $f(get(top)));
                ip = ip.add(1);
            }};
        }
        macro_rules! push_n {
            ($n:literal) => {{
                check_stack!(PUSH1 + $n - 1);
                push!(push::immediate::<$n>(ip.add(1)));
                ip = ip.add(1 + $n);
            }};
        }
        macro_rules! dup_n {
            ($n:literal) => {{
                check_stack!(DUP1 + $n - 1);
                push!(get(sp.sub($n)));
                ip = ip.add(1);
            }};
        }
        macro_rules! swap_n {
            ($n:literal) => {{
                check_stack!(SWAP1 + $n - 1);
                let (top, other) = (sp.sub(1), sp.sub(1 + $n));
                let (a, b) = (get(top), get(other));
                set(top, b);
                set(other, a);
                ip = ip.add(1);
            }};
        }
        // Moves `ip` to `$dest`, which must be a JUMPDEST.
        macro_rules! jump {
            ($dest:expr) => {{
                let dest: U256 = $dest;
                let limbs = dest.as_limbs();
                let target = limbs[0] as usize;
                let in_code = (limbs[1] | limbs[2] | limbs[3]) == 0 && limbs[0] <= usize::MAX as u64;
                // `Bytecode::is_jumpdest` on the held bitmap. (Calling a shared helper
                // instead, inlined all the same, changed the loop's register allocation
                // and cost 10% on the benchmarks: see README, Benchmarks.)
                let bitmap: &[u64] = &*jumpdests;
                let marked = in_code
                    && matches!(bitmap.get(target / 64), Some(w) if w & (1 << (target % 64)) != 0);
                if !marked {
                    exit!(Exit::InvalidJump);
                }
                ip = code.add(target);
            }};
        }
        // Runs a frame instruction with the registers written back (the pc past the opcode,
        // as the bodies expect) and read again after.
        macro_rules! frame {
            ($f:expr) => {{
                interp.pc = ip.offset_from(code) as usize + 1;
                interp.stack.set_len(sp.offset_from(base) as usize);
                interp.gas.remaining = gas;
                let result = $f(interp, &mut observed);
                ip = code.add(interp.pc);
                base = interp.stack.base_ptr();
                sp = base.add(interp.stack.len());
                gas = interp.gas.remaining;
                if let Err(exit) = result {
                    if STEPS {
                        observed.inspector.step_exit(interp, exit);
                    }
                    return exit;
                }
            }};
        }
        loop {
            let op = *ip;
            if STEPS {
                save!();
                observed.inspector.step(interp);
                interp.failed_charge = FailedCharge::default();
            }
            let cost = gas_table[op as usize];
            // An undefined opcode costs `UNDEFINED`, more than any frame holds.
            if cost > gas {
                save!();
                let exit = if cost == UNDEFINED {
                    Exit::UndefinedOpcode
                } else {
                    interp.failed_charge.gas = cost;
                    Exit::OutOfGas
                };
                if STEPS {
                    observed.inspector.step_exit(interp, exit);
                }
                return exit;
            }
            gas -= cost;
            match op {
                STOP => exit!(Exit::Stop),
                ADD => binary!(ADD, arithmetic::add),
                MUL => binary!(MUL, arithmetic::mul),
                SUB => binary!(SUB, arithmetic::sub),
                DIV => binary!(DIV, arithmetic::div),
                SDIV => binary!(SDIV, arithmetic::sdiv),
                MOD => binary!(MOD, arithmetic::rem),
                SMOD => binary!(SMOD, arithmetic::smod),
                ADDMOD => ternary!(ADDMOD, arithmetic::addmod),
                MULMOD => ternary!(MULMOD, arithmetic::mulmod),
                EXP => frame!(arithmetic::exp),
                SIGNEXTEND => binary!(SIGNEXTEND, arithmetic::signextend),
                LT => binary!(LT, bitwise::lt),
                GT => binary!(GT, bitwise::gt),
                SLT => binary!(SLT, bitwise::slt),
                SGT => binary!(SGT, bitwise::sgt),
                EQ => binary!(EQ, bitwise::eq),
                ISZERO => unary!(ISZERO, bitwise::iszero),
                AND => binary!(AND, bitwise::and),
                OR => binary!(OR, bitwise::or),
                XOR => binary!(XOR, bitwise::xor),
                NOT => unary!(NOT, bitwise::not),
                BYTE => binary!(BYTE, bitwise::byte),
                SHL => binary!(SHL, bitwise::shl),
                SHR => binary!(SHR, bitwise::shr),
                SAR => binary!(SAR, bitwise::sar),
                CLZ => unary!(CLZ, bitwise::clz),
                KECCAK256 => frame!(keccak::keccak256_op),
                ADDRESS => frame!(frame_context::address),
                BALANCE => frame!(state::balance),
                ORIGIN => frame!(environment::origin),
                CALLER => frame!(frame_context::caller),
                CALLVALUE => frame!(frame_context::callvalue),
                CALLDATALOAD => frame!(frame_context::calldataload),
                CALLDATASIZE => frame!(frame_context::calldatasize),
                CALLDATACOPY => frame!(frame_context::calldatacopy),
                CODESIZE => frame!(frame_context::codesize),
                CODECOPY => frame!(frame_context::codecopy),
                GASPRICE => frame!(environment::gasprice),
                EXTCODESIZE => frame!(state::extcodesize),
                EXTCODECOPY => frame!(state::extcodecopy),
                RETURNDATASIZE => frame!(frame_context::returndatasize),
                RETURNDATACOPY => frame!(frame_context::returndatacopy),
                EXTCODEHASH => frame!(state::extcodehash),
                BLOCKHASH => frame!(state::blockhash),
                COINBASE => frame!(environment::coinbase),
                TIMESTAMP => frame!(environment::timestamp),
                NUMBER => frame!(environment::number),
                PREVRANDAO => frame!(environment::prevrandao),
                GASLIMIT => frame!(environment::gaslimit),
                CHAINID => frame!(environment::chainid),
                SELFBALANCE => frame!(state::selfbalance),
                BASEFEE => frame!(environment::basefee),
                BLOBHASH => frame!(environment::blobhash),
                BLOBBASEFEE => frame!(environment::blobbasefee),
                POP => {
                    check_stack!(POP);
                    sp = sp.sub(1);
                    ip = ip.add(1);
                }
                MLOAD => {
                    check_stack!(MLOAD);
                    let top = sp.sub(1);
                    match in_memory(get(top), 32, interp.memory.len()) {
                        Some(at) => {
                            set(top, interp.memory.word(at));
                            ip = ip.add(1);
                        }
                        None => frame!(memory::mload),
                    }
                }
                MSTORE => {
                    check_stack!(MSTORE);
                    match in_memory(get(sp.sub(1)), 32, interp.memory.len()) {
                        Some(at) => {
                            let value = get(sp.sub(2));
                            sp = sp.sub(2);
                            interp.memory.set_word(at, value);
                            ip = ip.add(1);
                        }
                        None => frame!(memory::mstore),
                    }
                }
                MSTORE8 => {
                    check_stack!(MSTORE8);
                    match in_memory(get(sp.sub(1)), 1, interp.memory.len()) {
                        Some(at) => {
                            let value = get(sp.sub(2));
                            sp = sp.sub(2);
                            interp.memory.slice_mut(at, 1)[0] = value.byte(0);
                            ip = ip.add(1);
                        }
                        None => frame!(memory::mstore8),
                    }
                }
                SLOAD => frame!(state::sload),
                SSTORE => frame!(state::sstore),
                JUMP => {
                    check_stack!(JUMP);
                    sp = sp.sub(1);
                    jump!(get(sp));
                }
                JUMPI => {
                    check_stack!(JUMPI);
                    sp = sp.sub(2);
                    if get(sp).is_zero() {
                        ip = ip.add(1);
                    } else {
                        jump!(get(sp.add(1)));
                    }
                }
                PC => {
                    check_stack!(PC);
                    push!(word(ip.offset_from(code) as u64));
                    ip = ip.add(1);
                }
                MSIZE => {
                    check_stack!(MSIZE);
                    push!(word(interp.memory.len() as u64));
                    ip = ip.add(1);
                }
                GAS => {
                    check_stack!(GAS);
                    push!(word(gas));
                    ip = ip.add(1);
                }
                JUMPDEST => ip = ip.add(1),
                TLOAD => frame!(state::tload),
                TSTORE => frame!(state::tstore),
                MCOPY => frame!(memory::mcopy),
                PUSH0 => {
                    check_stack!(PUSH0);
                    push!(U256::ZERO);
                    ip = ip.add(1);
                }
                PUSH1 => push_n!(1),
                PUSH2 => push_n!(2),
                PUSH3 => push_n!(3),
                PUSH4 => push_n!(4),
                PUSH5 => push_n!(5),
                PUSH6 => push_n!(6),
                PUSH7 => push_n!(7),
                PUSH8 => push_n!(8),
                PUSH9 => push_n!(9),
                PUSH10 => push_n!(10),
                PUSH11 => push_n!(11),
                PUSH12 => push_n!(12),
                PUSH13 => push_n!(13),
                PUSH14 => push_n!(14),
                PUSH15 => push_n!(15),
                PUSH16 => push_n!(16),
                PUSH17 => push_n!(17),
                PUSH18 => push_n!(18),
                PUSH19 => push_n!(19),
                PUSH20 => push_n!(20),
                PUSH21 => push_n!(21),
                PUSH22 => push_n!(22),
                PUSH23 => push_n!(23),
                PUSH24 => push_n!(24),
                PUSH25 => push_n!(25),
                PUSH26 => push_n!(26),
                PUSH27 => push_n!(27),
                PUSH28 => push_n!(28),
                PUSH29 => push_n!(29),
                PUSH30 => push_n!(30),
                PUSH31 => push_n!(31),
                PUSH32 => push_n!(32),
                DUP1 => dup_n!(1),
                DUP2 => dup_n!(2),
                DUP3 => dup_n!(3),
                DUP4 => dup_n!(4),
                DUP5 => dup_n!(5),
                DUP6 => dup_n!(6),
                DUP7 => dup_n!(7),
                DUP8 => dup_n!(8),
                DUP9 => dup_n!(9),
                DUP10 => dup_n!(10),
                DUP11 => dup_n!(11),
                DUP12 => dup_n!(12),
                DUP13 => dup_n!(13),
                DUP14 => dup_n!(14),
                DUP15 => dup_n!(15),
                DUP16 => dup_n!(16),
                SWAP1 => swap_n!(1),
                SWAP2 => swap_n!(2),
                SWAP3 => swap_n!(3),
                SWAP4 => swap_n!(4),
                SWAP5 => swap_n!(5),
                SWAP6 => swap_n!(6),
                SWAP7 => swap_n!(7),
                SWAP8 => swap_n!(8),
                SWAP9 => swap_n!(9),
                SWAP10 => swap_n!(10),
                SWAP11 => swap_n!(11),
                SWAP12 => swap_n!(12),
                SWAP13 => swap_n!(13),
                SWAP14 => swap_n!(14),
                SWAP15 => swap_n!(15),
                SWAP16 => swap_n!(16),
                LOG0 => frame!(state::log::<0, _>),
                LOG1 => frame!(state::log::<1, _>),
                LOG2 => frame!(state::log::<2, _>),
                LOG3 => frame!(state::log::<3, _>),
                LOG4 => frame!(state::log::<4, _>),
                CREATE => frame!(calls::create::<false, _>),
                CALL => frame!(calls::call),
                CALLCODE => frame!(calls::callcode),
                RETURN => frame!(control::ret),
                DELEGATECALL => frame!(calls::delegatecall),
                CREATE2 => frame!(calls::create::<true, _>),
                STATICCALL => frame!(calls::staticcall),
                REVERT => frame!(control::revert),
                INVALID => frame!(control::invalid),
                SELFDESTRUCT => frame!(state::selfdestruct),
                // The gas table prices every byte no arm above handles as `UNDEFINED`, unless
                // a chain variant defines an instruction there: `run` runs that one.
                _ => exit!(Exit::Suspend),
            }
            if STEPS {
                save!();
                observed.inspector.step_end(interp);
            }
        }
    }
}
