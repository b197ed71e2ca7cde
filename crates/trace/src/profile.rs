//! The gas profiler: where execution spent its gas, per contract, instruction and opcode.

use crate::engine::{Cost, Engine, Fault, FrameEnd, Sink, Step};
use ember_interpreter::{
    CallInputs, CallOutcome, CreateInputs, CreateOutcome, Exit, Inspector, Interpreter,
};
use ember_primitives::{Address, Bytes, B256};
use std::collections::HashMap;

/// Counts for one instruction (one program counter of one contract's code).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PcStat {
    /// Times it ran.
    pub count: u64,
    /// Gas it cost, its own only: a CALL's or CREATE's forwarded gas is charged to the
    /// instructions of the frame it ran.
    pub gas: u64,
}

/// Counts for one opcode over all contracts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct OpStat {
    /// The opcode.
    pub op: u8,
    /// Times it ran.
    pub count: u64,
    /// Gas it cost (own gas, as [`PcStat::gas`]).
    pub gas: u64,
}

/// One code that ran (keyed by its hash: several addresses may share it).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ContractProfile {
    /// keccak-256 of the code.
    pub code_hash: B256,
    /// The code.
    pub code: Bytes,
    /// The addresses it ran as code of, in order of first appearance.
    pub addresses: Vec<Address>,
    /// Whether it ran as initcode (a creation).
    pub initcode: bool,
    /// Times a frame ran it.
    pub frames: u64,
    /// Per program counter (index = pc; one more than the code length, for the implicit
    /// STOP at the end).
    pub pcs: Vec<PcStat>,
}

impl ContractProfile {
    /// Gas of all its instructions.
    pub fn gas(&self) -> u64 {
        self.pcs.iter().map(|p| p.gas).sum()
    }

    /// Instructions run.
    pub fn steps(&self) -> u64 {
        self.pcs.iter().map(|p| p.count).sum()
    }
}

/// What a [`GasProfiler`] collected.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Profile {
    /// The codes that ran, in order of first run.
    pub contracts: Vec<ContractProfile>,
    /// Gas used by frames without code (precompiles), by address.
    pub precompiles: Vec<(Address, u64)>,
    /// Gas the top-level frames used, all included (no intrinsic gas, no refund).
    pub frame_gas: u64,
}

impl Profile {
    /// Gas of every instruction and precompile.
    pub fn gas(&self) -> u64 {
        self.contracts.iter().map(|c| c.gas()).sum::<u64>()
            + self.precompiles.iter().map(|p| p.1).sum::<u64>()
    }

    /// Instructions run.
    pub fn steps(&self) -> u64 {
        self.contracts.iter().map(|c| c.steps()).sum()
    }

    /// Per opcode, most gas first (opcodes that never ran are left out).
    pub fn opcodes(&self) -> Vec<OpStat> {
        let mut ops: Vec<OpStat> = (0..=255u8)
            .map(|op| OpStat {
                op,
                ..OpStat::default()
            })
            .collect();
        for c in &self.contracts {
            for (pc, stat) in c.pcs.iter().enumerate() {
                if stat.count == 0 {
                    continue;
                }
                let op = c.code.get(pc).copied().unwrap_or(0);
                ops[op as usize].count += stat.count;
                ops[op as usize].gas += stat.gas;
            }
        }
        ops.retain(|o| o.count > 0);
        ops.sort_by(|a, b| b.gas.cmp(&a.gas).then(b.count.cmp(&a.count)));
        ops
    }

    /// Adds another profile's counts to this one (same code, same entry).
    pub fn merge(&mut self, other: Profile) {
        for c in other.contracts {
            match self
                .contracts
                .iter_mut()
                .find(|m| m.code_hash == c.code_hash && m.initcode == c.initcode)
            {
                Some(mine) => {
                    mine.frames += c.frames;
                    for a in c.addresses {
                        if !mine.addresses.contains(&a) {
                            mine.addresses.push(a);
                        }
                    }
                    for (m, o) in mine.pcs.iter_mut().zip(&c.pcs) {
                        m.count += o.count;
                        m.gas += o.gas;
                    }
                }
                None => self.contracts.push(c),
            }
        }
        for (address, gas) in other.precompiles {
            match self.precompiles.iter_mut().find(|p| p.0 == address) {
                Some(p) => p.1 += gas,
                None => self.precompiles.push((address, gas)),
            }
        }
        self.frame_gas += other.frame_gas;
    }
}

/// An inspector that profiles gas per contract, program counter and opcode.
#[derive(Debug)]
pub struct GasProfiler {
    engine: Engine<ProfileSink>,
}

#[derive(Debug, Default)]
struct ProfileSink {
    profile: Profile,
    by_code: HashMap<(B256, bool), u32>,
    /// Per open frame: the address whose code it runs (`None` for a creation: the new
    /// address, read at its first step) and whether it is a creation.
    frames: Vec<(Option<Address>, bool)>,
}

impl Default for GasProfiler {
    fn default() -> Self {
        GasProfiler::new()
    }
}

impl GasProfiler {
    /// An empty profiler.
    pub fn new() -> Self {
        GasProfiler {
            engine: Engine::new(ProfileSink::default()),
        }
    }

    /// What was collected so far.
    pub fn profile(&self) -> &Profile {
        &self.engine.sink.profile
    }

    /// The collected profile.
    pub fn into_profile(self) -> Profile {
        self.engine.sink.profile
    }
}

impl Sink for ProfileSink {
    fn wants_stack(&self) -> bool {
        false
    }
    fn wants_memory(&self) -> bool {
        false
    }
    fn wants_return_data(&self) -> bool {
        false
    }

    fn frame_tag(&mut self, interp: &Interpreter) -> u32 {
        let (address, initcode) = self
            .frames
            .last()
            .copied()
            .unwrap_or((Some(interp.address), false));
        let address = address.unwrap_or(interp.address);
        let key = (interp.bytecode.hash(), initcode);
        let contracts = &mut self.profile.contracts;
        let index = *self.by_code.entry(key).or_insert_with(|| {
            let code = interp.bytecode.original().clone();
            contracts.push(ContractProfile {
                code_hash: key.0,
                pcs: vec![PcStat::default(); code.len() + 1],
                code,
                addresses: Vec::new(),
                initcode,
                frames: 0,
            });
            (contracts.len() - 1) as u32
        });
        let c = &mut contracts[index as usize];
        c.frames += 1;
        if !c.addresses.contains(&address) {
            c.addresses.push(address);
        }
        index
    }

    fn step(&mut self, step: &Step, cost: Cost, _fault: Fault<'_>, _after: Option<&Interpreter>) {
        let Some(c) = self.profile.contracts.get_mut(step.tag as usize) else {
            return;
        };
        if step.pc >= c.pcs.len() {
            c.pcs.resize(step.pc + 1, PcStat::default());
        }
        let stat = &mut c.pcs[step.pc];
        stat.count += 1;
        stat.gas += cost.own;
    }

    fn frame_end(&mut self, end: &FrameEnd<'_>) {
        if self.frames.len() == 1 {
            self.profile.frame_gas += end.gas_used;
        }
        if !end.ran_code {
            if let Some((Some(address), _)) = self.frames.last() {
                if end.gas_used > 0 {
                    match self
                        .profile
                        .precompiles
                        .iter_mut()
                        .find(|p| p.0 == *address)
                    {
                        Some(p) => p.1 += end.gas_used,
                        None => self.profile.precompiles.push((*address, end.gas_used)),
                    }
                }
            }
        }
    }
}

impl Inspector for GasProfiler {
    fn step(&mut self, interp: &Interpreter) {
        self.engine.step(interp);
    }
    fn step_end(&mut self, interp: &Interpreter) {
        self.engine.step_end(interp);
    }
    fn step_exit(&mut self, interp: &Interpreter, exit: Exit) {
        self.engine.step_exit(interp, exit);
    }
    fn call(&mut self, inputs: &CallInputs, _depth: usize) {
        self.engine
            .sink
            .frames
            .push((Some(inputs.code_address), false));
        self.engine.call(inputs);
    }
    fn call_end(&mut self, inputs: &CallInputs, outcome: &CallOutcome, _depth: usize) {
        self.engine.call_end(inputs, outcome);
        self.engine.sink.frames.pop();
    }
    fn create(&mut self, inputs: &CreateInputs, _depth: usize) {
        self.engine.sink.frames.push((None, true));
        self.engine.create(inputs);
    }
    fn create_end(&mut self, inputs: &CreateInputs, outcome: &CreateOutcome, _depth: usize) {
        self.engine.create_end(inputs, outcome);
        self.engine.sink.frames.pop();
    }
}
