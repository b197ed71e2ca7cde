//! One call frame: its machine state ([`Interpreter`]) and the boundary
//! types ([`Action`], [`CallInputs`], [`CreateInputs`], outcomes) the executor uses to run
//! nested frames without native recursion.

pub use crate::exit::Exit;
use crate::gas::{self, Gas, GasTable};
use crate::{CallData, Memory, Stack};
use ember_bytecode::Bytecode;
use ember_primitives::{Address, Bytes, Spec, B256, U256};

/// The flavour of a message call.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CallKind {
    /// CALL (and the transaction's top-level call).
    Call,
    /// CALLCODE: the callee's code on the caller's storage, with value.
    CallCode,
    /// DELEGATECALL: the callee's code in the caller's whole context.
    DelegateCall,
    /// STATICCALL: no state changes allowed.
    StaticCall,
}

/// A message call the executor should run as a new frame.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallInputs {
    /// The flavour of call.
    pub kind: CallKind,
    /// The account whose storage and balance the frame runs on (ADDRESS).
    pub target: Address,
    /// The account whose code runs.
    pub code_address: Address,
    /// CALLER inside the frame.
    pub caller: Address,
    /// CALLVALUE inside the frame.
    pub value: U256,
    /// Whether `value` moves from `caller` to `target` (CALL, CALLCODE).
    pub transfers_value: bool,
    /// Calldata. Empty while [`CallInputs::input_range`] says it is still in the caller's
    /// memory; the executor fills it in before an inspector sees it (unless the inspector
    /// asks not to: [`Inspector::wants_call_input`](crate::Inspector::wants_call_input)).
    pub input: Bytes,
    /// `(offset, len)` of the calldata in the caller's memory when `input` has not been
    /// copied out of it: the executor gives the callee a view of that range instead of a
    /// copy. [`CallInputs::resolve_input`] copies it into `input`.
    pub input_range: Option<(usize, usize)>,
    /// Gas given to the frame (stipend included).
    pub gas_limit: u64,
    /// Static context.
    pub is_static: bool,
    /// EIP-7702: `code_address` is a delegation target, whose code runs even where a
    /// precompile lives.
    pub delegated: bool,
}

impl CallInputs {
    /// Copies the calldata out of `caller_memory` (the calling frame's memory, unchanged
    /// since the CALL) into `input`, when it is still there.
    pub fn resolve_input(&mut self, caller_memory: &[u8]) {
        if let Some((offset, len)) = self.input_range.take() {
            self.input = Bytes::copy_from_slice(&caller_memory[offset..offset + len]);
        }
    }
}

/// How a creation derives the new address.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CreateScheme {
    /// From the creator's address and nonce.
    Create,
    /// From the creator's address, a salt and the initcode hash (EIP-1014).
    Create2 {
        /// The salt.
        salt: B256,
    },
}

/// A contract creation the executor should run as a new frame.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CreateInputs {
    /// The creating account.
    pub caller: Address,
    /// Endowment.
    pub value: U256,
    /// Initcode.
    pub init_code: Bytes,
    /// Address derivation.
    pub scheme: CreateScheme,
    /// Gas given to the frame.
    pub gas_limit: u64,
}

/// How a call frame ended, as its caller sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallOutcome {
    /// Why it stopped.
    pub exit: Exit,
    /// Its gas meter at the end (remaining gas and refund).
    pub gas: Gas,
    /// RETURN or REVERT data.
    pub output: Bytes,
}

/// How a creation ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CreateOutcome {
    /// The call-frame outcome.
    pub result: CallOutcome,
    /// The new contract's address when it succeeded.
    pub address: Option<Address>,
}

/// What the interpreter hands back to the executor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// Run this call, then resume the frame with [`Interpreter::insert_call_outcome`].
    Call(Box<CallInputs>),
    /// Run this creation, then resume with [`Interpreter::insert_create_outcome`].
    Create(Box<CreateInputs>),
    /// The frame is finished.
    Return(CallOutcome),
}

/// Everything needed to start a frame.
#[derive(Clone, Debug)]
pub struct FrameInput {
    /// The code to run.
    pub bytecode: Bytecode,
    /// Calldata (empty for initcode).
    pub input: CallData,
    /// ADDRESS.
    pub address: Address,
    /// CALLER.
    pub caller: Address,
    /// CALLVALUE.
    pub value: U256,
    /// Static context.
    pub is_static: bool,
    /// Call depth (0 for the transaction's frame).
    pub depth: usize,
    /// Gas available.
    pub gas_limit: u64,
}

/// Default cap on one frame's memory (bytes): far beyond what any block's gas can pay for.
pub const DEFAULT_MEMORY_LIMIT: u64 = 1 << 32;

/// The machine state of one call frame.
#[derive(Debug)]
pub struct Interpreter {
    /// The code being run.
    pub bytecode: Bytecode,
    /// Program counter.
    pub pc: usize,
    /// Operand stack.
    pub stack: Stack,
    /// Memory.
    pub memory: Memory,
    /// Gas meter.
    pub gas: Gas,
    /// Data returned by the last nested call.
    pub return_data: Bytes,
    /// Calldata.
    pub input: CallData,
    /// ADDRESS.
    pub address: Address,
    /// CALLER.
    pub caller: Address,
    /// CALLVALUE.
    pub value: U256,
    /// Static context.
    pub is_static: bool,
    /// Call depth.
    pub depth: usize,
    /// Fork rules.
    pub spec: &'static Spec,
    /// Memory cap in bytes; growing past it is out of gas.
    pub memory_limit: u64,
    pub(crate) gas_table: &'static GasTable,
    pub(crate) output: Bytes,
    pub(crate) pending: Option<Action>,
    pub(crate) return_range: (usize, usize),
    pub(crate) resumed: bool,
    /// The charge that failed for lack of gas (see [`Interpreter::failed_charge`]).
    pub(crate) failed_charge: FailedCharge,
}

/// The charge on which the last instruction ran out of gas, for tracers: what the
/// interpreter tried to charge, so that no tracer works out an instruction's cost again.
///
/// Every instruction charges its whole cost beyond the static part (memory expansion, copies,
/// hashing, account access, forwarded gas...) in one charge, as the execution specs do, so the
/// gas an instruction spent before failing (the gas before it minus the gas after) plus
/// [`FailedCharge::gas`] is its whole cost. Read it in
/// [`Inspector::step_exit`](crate::Inspector::step_exit); it is cleared before each instruction.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FailedCharge {
    /// Gas the failing charge asked for (zero when the instruction failed without one).
    pub gas: u64,
    /// The part of [`FailedCharge::gas`] that was memory expansion.
    pub memory: u64,
    /// The memory size in bytes (whole words) the charge would have paid for; zero when it
    /// expanded no memory.
    pub memory_size: u64,
    /// A memory offset, a length or the cost did not fit in 64 bits: the instruction ran
    /// out of gas without a charge (geth's "gas uint64 overflow").
    pub overflow: bool,
}

impl Interpreter {
    /// A frame ready to run `input.bytecode` under `spec`.
    pub fn new(input: FrameInput, spec: &'static Spec) -> Interpreter {
        Interpreter::with_buffers(input, spec, Stack::new(), Memory::new())
    }

    /// As [`Interpreter::new`], reusing a stack and memory from a finished frame.
    pub fn with_buffers(
        input: FrameInput,
        spec: &'static Spec,
        mut stack: Stack,
        mut memory: Memory,
    ) -> Interpreter {
        stack.clear();
        memory.clear();
        Interpreter {
            bytecode: input.bytecode,
            pc: 0,
            stack,
            memory,
            gas: Gas::new(input.gas_limit.min(gas::MAX_FRAME_GAS)),
            return_data: Bytes::new(),
            input: input.input,
            address: input.address,
            caller: input.caller,
            value: input.value,
            is_static: input.is_static,
            depth: input.depth,
            spec,
            memory_limit: DEFAULT_MEMORY_LIMIT,
            gas_table: gas::table(spec),
            output: Bytes::new(),
            pending: None,
            return_range: (0, 0),
            resumed: false,
            failed_charge: FailedCharge::default(),
        }
    }

    /// Gives back the stack and memory for reuse by a later frame.
    pub fn into_buffers(self) -> (Stack, Memory) {
        (self.stack, self.memory)
    }

    /// The opcode at the program counter (0 = STOP past the end).
    #[inline]
    pub fn current_opcode(&self) -> u8 {
        self.bytecode.padded().get(self.pc).copied().unwrap_or(0)
    }

    /// The charge the instruction that just ended the frame ran out of gas on: the gas it
    /// had already spent (`gas before - gas.remaining`) plus its [`FailedCharge::gas`] is
    /// what it cost in all. Meaningful in
    /// [`Inspector::step_exit`](crate::Inspector::step_exit) (all zero when the instruction
    /// did not fail on a charge, e.g. on a static-context write).
    pub fn failed_charge(&self) -> FailedCharge {
        self.failed_charge
    }

    /// The memory size in bytes the instruction that just ended the frame left, or, when it
    /// ran out of gas paying for an expansion, would have left. For
    /// [`Inspector::step_exit`](crate::Inspector::step_exit).
    pub fn memory_size_after(&self) -> usize {
        (self.failed_charge.memory_size as usize).max(self.memory.len())
    }

    /// Charges `cost` gas, or fails with [`Exit::OutOfGas`]: for the dynamic gas of a
    /// [`CustomInstruction`](crate::CustomInstruction).
    pub fn charge_gas(&mut self, cost: u64) -> Result<(), Exit> {
        self.charge(cost)
    }

    /// Prices opcodes with `table` instead of the spec's own: the table of a chain variant
    /// with custom instructions ([`gas::table_with`]).
    pub fn set_gas_table(&mut self, table: &'static GasTable) {
        self.gas_table = table;
    }

    /// Charges `cost`, or fails with [`Exit::OutOfGas`].
    #[inline]
    pub(crate) fn charge(&mut self, cost: u64) -> Result<(), Exit> {
        if self.gas.charge(cost) {
            Ok(())
        } else {
            Err(self.out_of_gas(cost))
        }
    }

    /// Records the charge that failed (for tracers) and returns [`Exit::OutOfGas`].
    #[cold]
    #[inline(never)]
    fn out_of_gas(&mut self, cost: u64) -> Exit {
        self.failed_charge.gas = cost;
        Exit::OutOfGas
    }

    /// Records a charge of `cost`, `memory` of it for growing memory to `end` bytes, that
    /// failed, and returns [`Exit::OutOfGas`].
    #[cold]
    #[inline(never)]
    pub(crate) fn out_of_gas_for_memory(&mut self, cost: u64, memory: u64, end: u64) -> Exit {
        self.failed_charge = FailedCharge {
            gas: cost,
            memory,
            memory_size: gas::words(end).saturating_mul(32),
            overflow: false,
        };
        Exit::OutOfGas
    }

    /// Records an operand or cost that overflowed 64 bits (nothing charged) and returns
    /// [`Exit::OutOfGas`].
    #[cold]
    #[inline(never)]
    pub(crate) fn overflow(&mut self) -> Exit {
        self.failed_charge.overflow = true;
        Exit::OutOfGas
    }

    /// Makes `[offset, offset+len)` addressable, charging expansion gas; returns the offset
    /// as `usize` (0 when `len` is zero: an empty range expands nothing).
    #[inline]
    pub(crate) fn resize_memory(&mut self, offset: U256, len: U256) -> Result<usize, Exit> {
        let end = self.checked_memory_end(offset, len)?;
        if end > self.memory.len() as u64 {
            self.expand_memory(end)?;
        }
        Ok(Self::range_start(offset, len))
    }

    /// Charges the expansion of memory to `end` bytes (past its size) and grows it.
    fn expand_memory(&mut self, end: u64) -> Result<(), Exit> {
        if !self.gas.charge(self.expansion_cost(end)) {
            return Err(self.expansion_out_of_gas(end));
        }
        self.grow_paid_memory(end)
    }

    /// Records an expansion to `end` bytes that the gas did not cover and returns
    /// [`Exit::OutOfGas`].
    #[cold]
    #[inline(never)]
    fn expansion_out_of_gas(&mut self, end: u64) -> Exit {
        let cost = self.expansion_cost(end);
        self.out_of_gas_for_memory(cost, cost, end)
    }

    /// Charges an instruction's dynamic `cost` (`None`: it overflowed 64 bits) and the
    /// expansion of memory to cover `[offset, offset+len)` as one charge, as the execution
    /// specs do, then grows the memory; returns the offset as `usize` (0 when `len` is zero).
    /// An overflowing offset, length or cost runs out of gas without a charge.
    #[inline]
    pub(crate) fn charge_with_memory(
        &mut self,
        cost: Option<u64>,
        offset: U256,
        len: U256,
    ) -> Result<usize, Exit> {
        let end = self.checked_memory_end(offset, len)?;
        self.charge_with_memory_end(cost, end)?;
        Ok(Self::range_start(offset, len))
    }

    /// As [`Interpreter::charge_with_memory`] for a memory end already worked out.
    #[inline]
    pub(crate) fn charge_with_memory_end(
        &mut self,
        cost: Option<u64>,
        end: u64,
    ) -> Result<(), Exit> {
        let Some(cost) = cost else {
            return Err(self.overflow());
        };
        if end > self.memory.len() as u64 {
            return self.charge_and_expand(cost, end);
        }
        if self.gas.charge(cost) {
            Ok(())
        } else {
            Err(self.out_of_gas_for_memory(cost, 0, end))
        }
    }

    /// Charges `cost` and the expansion of memory to `end` bytes (past its size) at once,
    /// then grows it.
    #[inline(never)]
    fn charge_and_expand(&mut self, cost: u64, end: u64) -> Result<(), Exit> {
        let memory = self.expansion_cost(end);
        let Some(total) = cost.checked_add(memory) else {
            return Err(self.overflow());
        };
        if !self.gas.charge(total) {
            return Err(self.out_of_gas_for_memory(total, memory, end));
        }
        self.grow_paid_memory(end)
    }

    /// [`Interpreter::memory_end`], recording an overflow for tracers.
    #[inline]
    pub(crate) fn checked_memory_end(&mut self, offset: U256, len: U256) -> Result<u64, Exit> {
        match Self::memory_end(offset, len) {
            Ok(end) => Ok(end),
            Err(_) => Err(self.overflow()),
        }
    }

    /// The start of a memory range whose end [`Interpreter::memory_end`] accepted, as
    /// `usize` (0 for an empty range, whose offset may be any word).
    #[inline]
    pub(crate) fn range_start(offset: U256, len: U256) -> usize {
        if len.is_zero() {
            0
        } else {
            offset.as_limbs()[0] as usize
        }
    }

    /// The end (`offset + len`) of a memory range an instruction will touch, without
    /// charging anything: 0 for an empty range, out of gas when it does not fit in 64 bits.
    #[inline]
    pub(crate) fn memory_end(offset: U256, len: U256) -> Result<u64, Exit> {
        if len.is_zero() {
            return Ok(0);
        }
        let offset: u64 = offset.try_into().map_err(|_| Exit::OutOfGas)?;
        let len: u64 = len.try_into().map_err(|_| Exit::OutOfGas)?;
        offset.checked_add(len).ok_or(Exit::OutOfGas)
    }

    /// Gas to grow memory so that it covers `end` bytes (0 when it already does).
    #[inline]
    pub(crate) fn expansion_cost(&self, end: u64) -> u64 {
        if end <= self.memory.len() as u64 {
            return 0;
        }
        gas::memory_cost(gas::words(end)) - gas::memory_cost(self.gas.memory_words)
    }

    /// Grows memory to cover `end` bytes once [`Interpreter::expansion_cost`] has been
    /// charged; out of gas past the memory cap.
    #[inline]
    pub(crate) fn grow_paid_memory(&mut self, end: u64) -> Result<(), Exit> {
        if end <= self.memory.len() as u64 {
            return Ok(());
        }
        let new_words = gas::words(end);
        if new_words * 32 > self.memory_limit {
            return Err(Exit::OutOfGas);
        }
        self.gas.memory_words = new_words;
        self.memory.resize((new_words * 32) as usize);
        Ok(())
    }

    /// Suspends the frame on `action` after a call or create instruction.
    #[inline]
    pub(crate) fn suspend(&mut self, action: Action) -> Result<(), Exit> {
        self.pending = Some(action);
        Err(Exit::Suspend)
    }

    /// Resumes after a nested call: returns its unused gas, copies its output to the
    /// memory range the CALL named, and pushes 1 on success, 0 otherwise.
    pub fn insert_call_outcome(&mut self, outcome: &CallOutcome) {
        let (offset, len) = self.return_range;
        let exit = outcome.exit;
        if !exit.is_halt() {
            self.gas.remaining += outcome.gas.remaining;
        }
        if exit.is_success() {
            self.gas.refund += outcome.gas.refund;
        }
        if exit.is_success() || exit == Exit::Revert {
            let n = len.min(outcome.output.len());
            self.memory
                .slice_mut(offset, n)
                .copy_from_slice(&outcome.output[..n]);
        }
        self.return_data = outcome.output.clone();
        self.resumed = true;
        // The CALL popped at least six items, so there is room for one.
        let _ = self.stack.push(U256::from(exit.is_success() as u8));
    }

    /// Resumes after a nested creation: returns its unused gas and pushes the new address
    /// on success, 0 otherwise; only a REVERT leaves return data.
    pub fn insert_create_outcome(&mut self, outcome: &CreateOutcome) {
        let result = &outcome.result;
        if !result.exit.is_halt() {
            self.gas.remaining += result.gas.remaining;
        }
        let pushed = match outcome.address {
            Some(address) if result.exit.is_success() => {
                self.gas.refund += result.gas.refund;
                address.into_word().into()
            }
            _ => U256::ZERO,
        };
        self.return_data = if result.exit == Exit::Revert {
            result.output.clone()
        } else {
            Bytes::new()
        };
        // CREATE popped at least three items, so there is room for one.
        self.resumed = true;
        let _ = self.stack.push(pushed);
    }
}
