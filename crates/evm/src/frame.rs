//! The explicit frame stack: nested calls and creations run in a loop over a `Vec` of
//! suspended interpreters, so depth 1024 costs heap, never native stack.

use crate::{Evm, PrecompileCall};
use ember_bytecode::Bytecode;
use ember_interpreter::gas::{CALL_DEPTH_LIMIT, CODE_DEPOSIT};
use ember_interpreter::{
    Action, CallData, CallInputs, CallOutcome, CreateInputs, CreateOutcome, CreateScheme, Exit,
    FrameInput, Gas, Inspector, Interpreter, Memory, Stack,
};
use ember_primitives::{keccak256, Address, Bytes};
use ember_state::{Checkpoint, Database};

/// What a finished frame (or a call that never needed one) reports to its parent.
pub(crate) enum FrameOutcome {
    Call(CallOutcome),
    Create(CreateOutcome),
}

enum FrameKind {
    Call(Box<CallInputs>),
    Create {
        inputs: Box<CreateInputs>,
        address: Address,
    },
}

struct Frame {
    interp: Interpreter,
    checkpoint: Checkpoint,
    kind: FrameKind,
}

enum Started {
    Frame(Box<Frame>),
    Done(FrameOutcome),
}

/// The address CREATE derives: `keccak(rlp([sender, nonce]))[12..]`.
pub fn create_address(sender: Address, nonce: u64) -> Address {
    let mut out = Vec::with_capacity(32);
    let payload = alloy_rlp::Encodable::length(&sender) + alloy_rlp::Encodable::length(&nonce);
    alloy_rlp::Header {
        list: true,
        payload_length: payload,
    }
    .encode(&mut out);
    alloy_rlp::Encodable::encode(&sender, &mut out);
    alloy_rlp::Encodable::encode(&nonce, &mut out);
    Address::from_word(keccak256(out))
}

/// The address CREATE2 derives (EIP-1014).
pub fn create2_address(sender: Address, salt: [u8; 32], init_code: &[u8]) -> Address {
    let mut buf = [0u8; 85];
    buf[0] = 0xff;
    buf[1..21].copy_from_slice(sender.as_slice());
    buf[21..53].copy_from_slice(&salt);
    buf[53..].copy_from_slice(keccak256(init_code).as_slice());
    Address::from_word(keccak256(buf))
}

/// Frame buffers (stack and memory) an EVM keeps between transactions.
const KEPT_BUFFERS: usize = 8;

/// The largest memory capacity, in bytes, of a frame buffer kept between transactions.
const KEPT_MEMORY_BYTES: usize = 1 << 20;

fn immediate(exit: Exit, gas_limit: u64) -> CallOutcome {
    let mut gas = Gas::new(gas_limit);
    if exit.is_halt() {
        gas.remaining = 0;
    }
    CallOutcome {
        exit,
        gas,
        output: Bytes::new(),
    }
}

impl<DB: Database, I: Inspector> Evm<DB, I> {
    /// Runs a top-level call or creation to completion. `create_address` is the address a
    /// top-level creation deploys to (its nonce was already bumped by the transaction).
    pub(crate) fn run_frames(
        &mut self,
        first: Action,
        create_address: Option<Address>,
    ) -> FrameOutcome {
        let mut stack: Vec<Frame> = Vec::new();
        // The stacks and memories of finished frames, kept from one transaction to the next.
        let mut buffers = std::mem::take(&mut self.frame_buffers);
        match self.start(first, 0, create_address, &mut buffers, &[]) {
            Started::Done(outcome) => {
                self.keep_buffers(buffers);
                return outcome;
            }
            Started::Frame(frame) => stack.push(*frame),
        }
        loop {
            let Some(frame) = stack.last_mut() else {
                unreachable!("the loop returns when the stack empties")
            };
            let action = frame.interp.run(&mut self.ctx, &mut self.inspector);
            let outcome = match action {
                Action::Return(result) => {
                    let Some(frame) = stack.pop() else {
                        unreachable!()
                    };
                    self.finish(frame, result, &mut buffers)
                }
                nested => {
                    let depth = frame.interp.depth + 1;
                    let caller_memory = frame.interp.memory.data();
                    match self.start(nested, depth, None, &mut buffers, caller_memory) {
                        Started::Frame(child) => {
                            stack.push(*child);
                            continue;
                        }
                        Started::Done(outcome) => outcome,
                    }
                }
            };
            let Some(parent) = stack.last_mut() else {
                self.keep_buffers(buffers);
                return outcome;
            };
            match &outcome {
                FrameOutcome::Call(o) => parent.interp.insert_call_outcome(o),
                FrameOutcome::Create(o) => parent.interp.insert_create_outcome(o),
            }
        }
    }

    /// Keeps a few frame buffers for the next transaction: enough for the usual depth of
    /// calls, none whose memory grew large (a deep or memory-hungry transaction does not pin
    /// its peak for the life of the EVM).
    fn keep_buffers(&mut self, mut buffers: Vec<(Stack, Memory)>) {
        buffers.retain(|(_, memory)| memory.capacity() <= KEPT_MEMORY_BYTES);
        buffers.truncate(KEPT_BUFFERS);
        self.frame_buffers = buffers;
    }

    fn new_interpreter(
        &self,
        input: FrameInput,
        buffers: &mut Vec<(Stack, Memory)>,
    ) -> Interpreter {
        let spec = self.ctx.journal.spec;
        let mut interp = match buffers.pop() {
            Some((stack, memory)) => Interpreter::with_buffers(input, spec, stack, memory),
            None => Interpreter::new(input, spec),
        };
        interp.memory_limit = self.memory_limit;
        if let Some(table) = self.additions.gas_table(spec) {
            interp.set_gas_table(table);
        }
        interp
    }

    fn start(
        &mut self,
        action: Action,
        depth: usize,
        create_address: Option<Address>,
        buffers: &mut Vec<(Stack, Memory)>,
        caller_memory: &[u8],
    ) -> Started {
        match action {
            Action::Call(inputs) => self.start_call(inputs, depth, buffers, caller_memory),
            Action::Create(inputs) => self.start_create(inputs, depth, create_address, buffers),
            Action::Return(outcome) => Started::Done(FrameOutcome::Call(outcome)),
        }
    }

    /// Starts a call. `caller_memory` is the memory of the suspended calling frame (empty
    /// for the transaction's call), where a CALL's input still is (`input_range`).
    fn start_call(
        &mut self,
        mut inputs: Box<CallInputs>,
        depth: usize,
        buffers: &mut Vec<(Stack, Memory)>,
        caller_memory: &[u8],
    ) -> Started {
        if self.inspector.wants_call_input() {
            inputs.resolve_input(caller_memory);
        }
        let input: &[u8] = match inputs.input_range {
            Some((offset, len)) => &caller_memory[offset..offset + len],
            None => &inputs.input,
        };
        self.inspector.call(&inputs, depth);
        let done = |evm: &mut Self, inputs: &CallInputs, outcome: CallOutcome| {
            evm.inspector.call_end(inputs, &outcome, depth);
            Started::Done(FrameOutcome::Call(outcome))
        };
        if depth > CALL_DEPTH_LIMIT {
            return done(
                self,
                &inputs,
                immediate(Exit::CallTooDeep, inputs.gas_limit),
            );
        }
        let journal = &mut self.ctx.journal;
        let checkpoint = journal.checkpoint();
        // Before EIP-161 every value transfer, even of zero, brings the callee into existence.
        let moves_value = !inputs.value.is_zero() || !journal.spec.empty_account_cleanup;
        if inputs.transfers_value
            && moves_value
            && !journal.transfer(inputs.caller, inputs.target, inputs.value)
        {
            return done(self, &inputs, immediate(Exit::OutOfFunds, inputs.gas_limit));
        }
        journal.touch(inputs.target);
        // An EIP-7702 delegation runs the delegate's code even where a precompile lives.
        let result = if inputs.delegated {
            None
        } else if let Some(stateful) = self.additions.stateful_precompile(&inputs.code_address) {
            let call = PrecompileCall {
                input,
                gas_limit: inputs.gas_limit,
                caller: inputs.caller,
                address: inputs.target,
                value: inputs.value,
                is_static: inputs.is_static,
            };
            Some(stateful(&mut self.ctx, &call))
        } else {
            self.precompiles
                .get(&inputs.code_address)
                .map(|precompile| match &self.precompile_cache {
                    Some(cache) => cache.run(precompile, input, inputs.gas_limit),
                    None => precompile(input, inputs.gas_limit),
                })
        };
        if let Some(result) = result {
            let outcome = match result {
                Ok(out) => {
                    let mut gas = Gas::new(inputs.gas_limit);
                    gas.remaining = inputs.gas_limit.saturating_sub(out.gas_used);
                    CallOutcome {
                        exit: Exit::Return,
                        gas,
                        output: out.output,
                    }
                }
                Err(e) => {
                    self.ctx.journal.revert(checkpoint);
                    let exit = match e {
                        ember_precompile::PrecompileError::OutOfGas => Exit::OutOfGas,
                        _ => Exit::PrecompileFailure,
                    };
                    immediate(exit, inputs.gas_limit)
                }
            };
            return done(self, &inputs, outcome);
        }
        let bytecode = self.ctx.journal.code(inputs.code_address);
        if bytecode.is_empty() {
            return done(self, &inputs, immediate(Exit::Stop, inputs.gas_limit));
        }
        let interp = self.new_interpreter(
            FrameInput {
                bytecode,
                input: match inputs.input_range {
                    // SAFETY: `input` is a range of the calling frame's memory. That frame
                    // stays suspended below the new one on `run_frames`' stack, and its
                    // memory is neither grown nor written (nor its buffer reused) until this
                    // frame has finished and its interpreter has been dropped.
                    Some(_) => unsafe { CallData::borrowed(input) },
                    None => CallData::owned(inputs.input.clone()),
                },
                address: inputs.target,
                caller: inputs.caller,
                value: inputs.value,
                is_static: inputs.is_static,
                depth,
                gas_limit: inputs.gas_limit,
            },
            buffers,
        );
        Started::Frame(Box::new(Frame {
            interp,
            checkpoint,
            kind: FrameKind::Call(inputs),
        }))
    }

    fn start_create(
        &mut self,
        inputs: Box<CreateInputs>,
        depth: usize,
        top_level_address: Option<Address>,
        buffers: &mut Vec<(Stack, Memory)>,
    ) -> Started {
        self.inspector.create(&inputs, depth);
        let done = |evm: &mut Self,
                    inputs: &CreateInputs,
                    result: CallOutcome,
                    address: Option<Address>| {
            let outcome = CreateOutcome { result, address };
            evm.inspector.create_end(inputs, &outcome, depth);
            Started::Done(FrameOutcome::Create(outcome))
        };
        if depth > CALL_DEPTH_LIMIT {
            return done(
                self,
                &inputs,
                immediate(Exit::CallTooDeep, inputs.gas_limit),
                None,
            );
        }
        let journal = &mut self.ctx.journal;
        let address = match top_level_address {
            Some(address) => address,
            None => {
                let creator = journal.info(inputs.caller).clone();
                if creator.balance < inputs.value {
                    return done(
                        self,
                        &inputs,
                        immediate(Exit::OutOfFunds, inputs.gas_limit),
                        None,
                    );
                }
                // EIP-2681: a nonce at its maximum cannot create.
                let Some(next_nonce) = creator.nonce.checked_add(1) else {
                    return done(
                        self,
                        &inputs,
                        immediate(Exit::NonceOverflow, inputs.gas_limit),
                        None,
                    );
                };
                let address = match inputs.scheme {
                    CreateScheme::Create => create_address(inputs.caller, creator.nonce),
                    CreateScheme::Create2 { salt } => {
                        create2_address(inputs.caller, salt.0, &inputs.init_code)
                    }
                };
                journal.set_nonce(inputs.caller, next_nonce);
                address
            }
        };
        let (target, _) = journal.load_account(address);
        let has_code_or_nonce = target.info.has_code() || target.info.nonce != 0;
        // EIP-7610 (applied to every fork): no creation over code, a nonce or storage.
        let collision = has_code_or_nonce || journal.has_storage(address);
        if collision {
            return done(
                self,
                &inputs,
                immediate(Exit::CreateCollision, inputs.gas_limit),
                None,
            );
        }
        let journal = &mut self.ctx.journal;
        let checkpoint = journal.checkpoint();
        journal.create_account(address);
        if !journal.transfer(inputs.caller, address, inputs.value) {
            journal.revert(checkpoint);
            return done(
                self,
                &inputs,
                immediate(Exit::OutOfFunds, inputs.gas_limit),
                None,
            );
        }
        journal.touch(address);
        let interp = self.new_interpreter(
            FrameInput {
                bytecode: Bytecode::new(inputs.init_code.clone()),
                input: CallData::default(),
                address,
                caller: inputs.caller,
                value: inputs.value,
                is_static: false,
                depth,
                gas_limit: inputs.gas_limit,
            },
            buffers,
        );
        Started::Frame(Box::new(Frame {
            interp,
            checkpoint,
            kind: FrameKind::Create { inputs, address },
        }))
    }

    fn finish(
        &mut self,
        frame: Frame,
        mut result: CallOutcome,
        buffers: &mut Vec<(Stack, Memory)>,
    ) -> FrameOutcome {
        let Frame {
            interp,
            checkpoint,
            kind,
        } = frame;
        let depth = interp.depth;
        buffers.push(interp.into_buffers());
        let journal = &mut self.ctx.journal;
        match kind {
            FrameKind::Call(inputs) => {
                if !result.exit.is_success() {
                    journal.revert(checkpoint);
                }
                self.inspector.call_end(&inputs, &result, depth);
                FrameOutcome::Call(result)
            }
            FrameKind::Create { inputs, address } => {
                if result.exit.is_success() {
                    let spec = journal.spec;
                    let code = std::mem::take(&mut result.output);
                    let failure = if spec.reject_ef_code && code.first() == Some(&0xEF) {
                        Some(Exit::InvalidCodePrefix)
                    } else if spec.max_code_size.is_some_and(|max| code.len() > max) {
                        Some(Exit::CodeSizeLimit)
                    } else if !result.gas.charge(CODE_DEPOSIT * code.len() as u64) {
                        // Frontier kept the contract, without code, when the deposit was unaffordable.
                        spec.create_deposit_oog_fails.then_some(Exit::OutOfGas)
                    } else {
                        journal.set_code(address, Bytecode::new(code));
                        None
                    };
                    if let Some(exit) = failure {
                        journal.revert(checkpoint);
                        result = immediate(exit, 0);
                    }
                } else {
                    journal.revert(checkpoint);
                }
                let address = result.exit.is_success().then_some(address);
                let outcome = CreateOutcome { result, address };
                self.inspector.create_end(&inputs, &outcome, depth);
                FrameOutcome::Create(outcome)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ember_primitives::address;

    #[test]
    fn create_addresses() {
        // Known: the first contract of 0x6ac7ea33f8831ea9dcc53393aaa88b25a785dbf0.
        let sender = address!("6ac7ea33f8831ea9dcc53393aaa88b25a785dbf0");
        assert_eq!(
            create_address(sender, 0),
            address!("cd234a471b72ba2f1ccf0a70fcaba648a5eecd8d")
        );
        // EIP-1014 example 0.
        assert_eq!(
            create2_address(Address::ZERO, [0; 32], &[0x00]),
            address!("4D1A2e2bB4F88F0250f26Ffff098B0b30B26BF38")
        );
    }

    #[test]
    fn immediate_halts_consume_gas() {
        assert_eq!(immediate(Exit::CreateCollision, 100).gas.remaining, 0);
        assert_eq!(immediate(Exit::CallTooDeep, 100).gas.remaining, 100);
    }
}
