//! The opcode table: every opcode's number and the facts about it that are not its
//! behaviour (mnemonic, immediate size, stack inputs and outputs, the [`Spec`] switch that
//! introduces it, its static gas, the memory ranges it touches, whether it has dynamic gas).
//! This is the one place these facts are written: the interpreter's per-fork gas table and
//! stack checks, the disassembler, the assembler and the tracers read them from here.

use ember_primitives::{Fork, Spec};

/// `STOP` (0x00).
pub const STOP: u8 = 0x00;
/// `ADD` (0x01).
pub const ADD: u8 = 0x01;
/// `MUL` (0x02).
pub const MUL: u8 = 0x02;
/// `SUB` (0x03).
pub const SUB: u8 = 0x03;
/// `DIV` (0x04).
pub const DIV: u8 = 0x04;
/// `SDIV` (0x05).
pub const SDIV: u8 = 0x05;
/// `MOD` (0x06).
pub const MOD: u8 = 0x06;
/// `SMOD` (0x07).
pub const SMOD: u8 = 0x07;
/// `ADDMOD` (0x08).
pub const ADDMOD: u8 = 0x08;
/// `MULMOD` (0x09).
pub const MULMOD: u8 = 0x09;
/// `EXP` (0x0a).
pub const EXP: u8 = 0x0a;
/// `SIGNEXTEND` (0x0b).
pub const SIGNEXTEND: u8 = 0x0b;
/// `LT` (0x10).
pub const LT: u8 = 0x10;
/// `GT` (0x11).
pub const GT: u8 = 0x11;
/// `SLT` (0x12).
pub const SLT: u8 = 0x12;
/// `SGT` (0x13).
pub const SGT: u8 = 0x13;
/// `EQ` (0x14).
pub const EQ: u8 = 0x14;
/// `ISZERO` (0x15).
pub const ISZERO: u8 = 0x15;
/// `AND` (0x16).
pub const AND: u8 = 0x16;
/// `OR` (0x17).
pub const OR: u8 = 0x17;
/// `XOR` (0x18).
pub const XOR: u8 = 0x18;
/// `NOT` (0x19).
pub const NOT: u8 = 0x19;
/// `BYTE` (0x1a).
pub const BYTE: u8 = 0x1a;
/// `SHL` (0x1b).
pub const SHL: u8 = 0x1b;
/// `SHR` (0x1c).
pub const SHR: u8 = 0x1c;
/// `SAR` (0x1d).
pub const SAR: u8 = 0x1d;
/// `CLZ` (0x1e).
pub const CLZ: u8 = 0x1e;
/// `KECCAK256` (0x20).
pub const KECCAK256: u8 = 0x20;
/// `ADDRESS` (0x30).
pub const ADDRESS: u8 = 0x30;
/// `BALANCE` (0x31).
pub const BALANCE: u8 = 0x31;
/// `ORIGIN` (0x32).
pub const ORIGIN: u8 = 0x32;
/// `CALLER` (0x33).
pub const CALLER: u8 = 0x33;
/// `CALLVALUE` (0x34).
pub const CALLVALUE: u8 = 0x34;
/// `CALLDATALOAD` (0x35).
pub const CALLDATALOAD: u8 = 0x35;
/// `CALLDATASIZE` (0x36).
pub const CALLDATASIZE: u8 = 0x36;
/// `CALLDATACOPY` (0x37).
pub const CALLDATACOPY: u8 = 0x37;
/// `CODESIZE` (0x38).
pub const CODESIZE: u8 = 0x38;
/// `CODECOPY` (0x39).
pub const CODECOPY: u8 = 0x39;
/// `GASPRICE` (0x3a).
pub const GASPRICE: u8 = 0x3a;
/// `EXTCODESIZE` (0x3b).
pub const EXTCODESIZE: u8 = 0x3b;
/// `EXTCODECOPY` (0x3c).
pub const EXTCODECOPY: u8 = 0x3c;
/// `RETURNDATASIZE` (0x3d).
pub const RETURNDATASIZE: u8 = 0x3d;
/// `RETURNDATACOPY` (0x3e).
pub const RETURNDATACOPY: u8 = 0x3e;
/// `EXTCODEHASH` (0x3f).
pub const EXTCODEHASH: u8 = 0x3f;
/// `BLOCKHASH` (0x40).
pub const BLOCKHASH: u8 = 0x40;
/// `COINBASE` (0x41).
pub const COINBASE: u8 = 0x41;
/// `TIMESTAMP` (0x42).
pub const TIMESTAMP: u8 = 0x42;
/// `NUMBER` (0x43).
pub const NUMBER: u8 = 0x43;
/// `PREVRANDAO` (0x44).
pub const PREVRANDAO: u8 = 0x44;
/// `GASLIMIT` (0x45).
pub const GASLIMIT: u8 = 0x45;
/// `CHAINID` (0x46).
pub const CHAINID: u8 = 0x46;
/// `SELFBALANCE` (0x47).
pub const SELFBALANCE: u8 = 0x47;
/// `BASEFEE` (0x48).
pub const BASEFEE: u8 = 0x48;
/// `BLOBHASH` (0x49).
pub const BLOBHASH: u8 = 0x49;
/// `BLOBBASEFEE` (0x4a).
pub const BLOBBASEFEE: u8 = 0x4a;
/// `POP` (0x50).
pub const POP: u8 = 0x50;
/// `MLOAD` (0x51).
pub const MLOAD: u8 = 0x51;
/// `MSTORE` (0x52).
pub const MSTORE: u8 = 0x52;
/// `MSTORE8` (0x53).
pub const MSTORE8: u8 = 0x53;
/// `SLOAD` (0x54).
pub const SLOAD: u8 = 0x54;
/// `SSTORE` (0x55).
pub const SSTORE: u8 = 0x55;
/// `JUMP` (0x56).
pub const JUMP: u8 = 0x56;
/// `JUMPI` (0x57).
pub const JUMPI: u8 = 0x57;
/// `PC` (0x58).
pub const PC: u8 = 0x58;
/// `MSIZE` (0x59).
pub const MSIZE: u8 = 0x59;
/// `GAS` (0x5a).
pub const GAS: u8 = 0x5a;
/// `JUMPDEST` (0x5b).
pub const JUMPDEST: u8 = 0x5b;
/// `TLOAD` (0x5c).
pub const TLOAD: u8 = 0x5c;
/// `TSTORE` (0x5d).
pub const TSTORE: u8 = 0x5d;
/// `MCOPY` (0x5e).
pub const MCOPY: u8 = 0x5e;
/// `PUSH0` (0x5f).
pub const PUSH0: u8 = 0x5f;
/// `PUSH1` (0x60).
pub const PUSH1: u8 = 0x60;
/// `PUSH2` (0x61).
pub const PUSH2: u8 = 0x61;
/// `PUSH3` (0x62).
pub const PUSH3: u8 = 0x62;
/// `PUSH4` (0x63).
pub const PUSH4: u8 = 0x63;
/// `PUSH5` (0x64).
pub const PUSH5: u8 = 0x64;
/// `PUSH6` (0x65).
pub const PUSH6: u8 = 0x65;
/// `PUSH7` (0x66).
pub const PUSH7: u8 = 0x66;
/// `PUSH8` (0x67).
pub const PUSH8: u8 = 0x67;
/// `PUSH9` (0x68).
pub const PUSH9: u8 = 0x68;
/// `PUSH10` (0x69).
pub const PUSH10: u8 = 0x69;
/// `PUSH11` (0x6a).
pub const PUSH11: u8 = 0x6a;
/// `PUSH12` (0x6b).
pub const PUSH12: u8 = 0x6b;
/// `PUSH13` (0x6c).
pub const PUSH13: u8 = 0x6c;
/// `PUSH14` (0x6d).
pub const PUSH14: u8 = 0x6d;
/// `PUSH15` (0x6e).
pub const PUSH15: u8 = 0x6e;
/// `PUSH16` (0x6f).
pub const PUSH16: u8 = 0x6f;
/// `PUSH17` (0x70).
pub const PUSH17: u8 = 0x70;
/// `PUSH18` (0x71).
pub const PUSH18: u8 = 0x71;
/// `PUSH19` (0x72).
pub const PUSH19: u8 = 0x72;
/// `PUSH20` (0x73).
pub const PUSH20: u8 = 0x73;
/// `PUSH21` (0x74).
pub const PUSH21: u8 = 0x74;
/// `PUSH22` (0x75).
pub const PUSH22: u8 = 0x75;
/// `PUSH23` (0x76).
pub const PUSH23: u8 = 0x76;
/// `PUSH24` (0x77).
pub const PUSH24: u8 = 0x77;
/// `PUSH25` (0x78).
pub const PUSH25: u8 = 0x78;
/// `PUSH26` (0x79).
pub const PUSH26: u8 = 0x79;
/// `PUSH27` (0x7a).
pub const PUSH27: u8 = 0x7a;
/// `PUSH28` (0x7b).
pub const PUSH28: u8 = 0x7b;
/// `PUSH29` (0x7c).
pub const PUSH29: u8 = 0x7c;
/// `PUSH30` (0x7d).
pub const PUSH30: u8 = 0x7d;
/// `PUSH31` (0x7e).
pub const PUSH31: u8 = 0x7e;
/// `PUSH32` (0x7f).
pub const PUSH32: u8 = 0x7f;
/// `DUP1` (0x80).
pub const DUP1: u8 = 0x80;
/// `DUP2` (0x81).
pub const DUP2: u8 = 0x81;
/// `DUP3` (0x82).
pub const DUP3: u8 = 0x82;
/// `DUP4` (0x83).
pub const DUP4: u8 = 0x83;
/// `DUP5` (0x84).
pub const DUP5: u8 = 0x84;
/// `DUP6` (0x85).
pub const DUP6: u8 = 0x85;
/// `DUP7` (0x86).
pub const DUP7: u8 = 0x86;
/// `DUP8` (0x87).
pub const DUP8: u8 = 0x87;
/// `DUP9` (0x88).
pub const DUP9: u8 = 0x88;
/// `DUP10` (0x89).
pub const DUP10: u8 = 0x89;
/// `DUP11` (0x8a).
pub const DUP11: u8 = 0x8a;
/// `DUP12` (0x8b).
pub const DUP12: u8 = 0x8b;
/// `DUP13` (0x8c).
pub const DUP13: u8 = 0x8c;
/// `DUP14` (0x8d).
pub const DUP14: u8 = 0x8d;
/// `DUP15` (0x8e).
pub const DUP15: u8 = 0x8e;
/// `DUP16` (0x8f).
pub const DUP16: u8 = 0x8f;
/// `SWAP1` (0x90).
pub const SWAP1: u8 = 0x90;
/// `SWAP2` (0x91).
pub const SWAP2: u8 = 0x91;
/// `SWAP3` (0x92).
pub const SWAP3: u8 = 0x92;
/// `SWAP4` (0x93).
pub const SWAP4: u8 = 0x93;
/// `SWAP5` (0x94).
pub const SWAP5: u8 = 0x94;
/// `SWAP6` (0x95).
pub const SWAP6: u8 = 0x95;
/// `SWAP7` (0x96).
pub const SWAP7: u8 = 0x96;
/// `SWAP8` (0x97).
pub const SWAP8: u8 = 0x97;
/// `SWAP9` (0x98).
pub const SWAP9: u8 = 0x98;
/// `SWAP10` (0x99).
pub const SWAP10: u8 = 0x99;
/// `SWAP11` (0x9a).
pub const SWAP11: u8 = 0x9a;
/// `SWAP12` (0x9b).
pub const SWAP12: u8 = 0x9b;
/// `SWAP13` (0x9c).
pub const SWAP13: u8 = 0x9c;
/// `SWAP14` (0x9d).
pub const SWAP14: u8 = 0x9d;
/// `SWAP15` (0x9e).
pub const SWAP15: u8 = 0x9e;
/// `SWAP16` (0x9f).
pub const SWAP16: u8 = 0x9f;
/// `LOG0` (0xa0).
pub const LOG0: u8 = 0xa0;
/// `LOG1` (0xa1).
pub const LOG1: u8 = 0xa1;
/// `LOG2` (0xa2).
pub const LOG2: u8 = 0xa2;
/// `LOG3` (0xa3).
pub const LOG3: u8 = 0xa3;
/// `LOG4` (0xa4).
pub const LOG4: u8 = 0xa4;
/// `CREATE` (0xf0).
pub const CREATE: u8 = 0xf0;
/// `CALL` (0xf1).
pub const CALL: u8 = 0xf1;
/// `CALLCODE` (0xf2).
pub const CALLCODE: u8 = 0xf2;
/// `RETURN` (0xf3).
pub const RETURN: u8 = 0xf3;
/// `DELEGATECALL` (0xf4).
pub const DELEGATECALL: u8 = 0xf4;
/// `CREATE2` (0xf5).
pub const CREATE2: u8 = 0xf5;
/// `STATICCALL` (0xfa).
pub const STATICCALL: u8 = 0xfa;
/// `REVERT` (0xfd).
pub const REVERT: u8 = 0xfd;
/// `INVALID` (0xfe).
pub const INVALID: u8 = 0xfe;
/// `SELFDESTRUCT` (0xff).
pub const SELFDESTRUCT: u8 = 0xff;

/// Static gas of LOG0; each topic adds [`LOG_TOPIC`].
pub const LOG_BASE: u64 = 375;
/// Static gas per LOG topic.
pub const LOG_TOPIC: u64 = 375;
/// Static gas of CREATE and CREATE2.
pub const CREATE_BASE: u64 = 32_000;

/// The part of an opcode's gas known before it runs, as a function of the fork's rules.
#[derive(Clone, Copy, Debug)]
pub enum StaticGas {
    /// The same under every [`Spec`].
    Fixed(u64),
    /// Read from the [`Spec`] (state access priced by EIP-150, EIP-1884, EIP-2929...).
    FromSpec(fn(&Spec) -> u64),
}

impl StaticGas {
    /// The cost under `spec`.
    #[inline]
    pub fn of(self, spec: &Spec) -> u64 {
        match self {
            StaticGas::Fixed(gas) => gas,
            StaticGas::FromSpec(f) => f(spec),
        }
    }
}

/// The length of a memory range an opcode touches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MemoryLength {
    /// A fixed number of bytes (MLOAD: 32, MSTORE8: 1).
    Fixed(u8),
    /// The stack item at this depth (0 = the top, before the opcode pops anything).
    Stack(u8),
}

/// A memory range an opcode reads or writes, named by its stack operands: memory grows to
/// cover `[offset, offset + length)` unless the length is zero.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MemoryOperand {
    /// The stack depth of the offset (0 = the top).
    pub offset: u8,
    /// The length.
    pub length: MemoryLength,
}

/// Everything about an opcode that is not its behaviour: the one table the interpreter's gas
/// table and stack checks, the disassembler and assembler, and the tracers read.
#[derive(Clone, Copy, Debug)]
pub struct OpInfo {
    /// Mnemonic, as in the Yellow Paper and geth traces.
    pub name: &'static str,
    /// Immediate bytes following the opcode (PUSHn: n).
    pub immediate: u8,
    /// Stack items consumed.
    pub inputs: u8,
    /// Stack items produced.
    pub outputs: u8,
    /// The [`Spec`] switch that introduces the opcode (true for the Frontier opcodes).
    pub enabled: fn(&Spec) -> bool,
    /// Gas charged before the opcode runs.
    pub static_gas: StaticGas,
    /// The memory ranges it touches (memory expansion is charged for them).
    pub memory: &'static [MemoryOperand],
    /// It charges more than its static gas while running (memory, copies, state access...).
    pub dynamic_gas: bool,
}

impl OpInfo {
    /// True when the opcode exists under `spec`.
    #[inline]
    pub fn is_enabled(&self, spec: &Spec) -> bool {
        (self.enabled)(spec)
    }

    /// Net stack growth: outputs minus inputs.
    #[inline]
    pub const fn stack_growth(&self) -> i32 {
        self.outputs as i32 - self.inputs as i32
    }

    /// The first of Ember's forks that has the opcode, `None` when none has it.
    pub fn introduced_in(&self) -> Option<Fork> {
        Fork::ALL
            .into_iter()
            .find(|&f| self.is_enabled(Spec::of(f)))
    }

    // ---- builders for the table below ----
    const fn gas(mut self, gas: u64) -> OpInfo {
        self.static_gas = StaticGas::Fixed(gas);
        self
    }
    const fn gas_from(mut self, gas: fn(&Spec) -> u64) -> OpInfo {
        self.static_gas = StaticGas::FromSpec(gas);
        self
    }
    const fn since(mut self, enabled: fn(&Spec) -> bool) -> OpInfo {
        self.enabled = enabled;
        self
    }
    const fn memory(mut self, memory: &'static [MemoryOperand]) -> OpInfo {
        self.memory = memory;
        self
    }
    const fn dynamic(mut self) -> OpInfo {
        self.dynamic_gas = true;
        self
    }
}

/// A row of the table: defined in every fork, free, touching no memory (until the builders).
const fn op(name: &'static str, immediate: u8, inputs: u8, outputs: u8) -> OpInfo {
    OpInfo {
        name,
        immediate,
        inputs,
        outputs,
        enabled: |_| true,
        static_gas: StaticGas::Fixed(0),
        memory: &[],
        dynamic_gas: false,
    }
}

const fn fixed(bytes: u8) -> MemoryLength {
    MemoryLength::Fixed(bytes)
}

const fn stack(depth: u8) -> MemoryLength {
    MemoryLength::Stack(depth)
}

const fn mem(offset: u8, length: MemoryLength) -> MemoryOperand {
    MemoryOperand { offset, length }
}

/// EIP-2929 charges state access as warm up front (a cold access adds the rest while the
/// opcode runs); before it the whole access cost is static.
fn warm_or(spec: &Spec, before_berlin: u64) -> u64 {
    if spec.access_lists {
        spec.warm_access
    } else {
        before_berlin
    }
}

/// Every defined opcode, indexed by byte (`None`: never defined).
pub static OPCODES: [Option<OpInfo>; 256] = {
    let mut t: [Option<OpInfo>; 256] = [None; 256];
    t[STOP as usize] = Some(op("STOP", 0, 0, 0).gas(0));
    t[ADD as usize] = Some(op("ADD", 0, 2, 1).gas(3));
    t[MUL as usize] = Some(op("MUL", 0, 2, 1).gas(5));
    t[SUB as usize] = Some(op("SUB", 0, 2, 1).gas(3));
    t[DIV as usize] = Some(op("DIV", 0, 2, 1).gas(5));
    t[SDIV as usize] = Some(op("SDIV", 0, 2, 1).gas(5));
    t[MOD as usize] = Some(op("MOD", 0, 2, 1).gas(5));
    t[SMOD as usize] = Some(op("SMOD", 0, 2, 1).gas(5));
    t[ADDMOD as usize] = Some(op("ADDMOD", 0, 3, 1).gas(8));
    t[MULMOD as usize] = Some(op("MULMOD", 0, 3, 1).gas(8));
    t[EXP as usize] = Some(op("EXP", 0, 2, 1).gas(10).dynamic());
    t[SIGNEXTEND as usize] = Some(op("SIGNEXTEND", 0, 2, 1).gas(5));
    t[LT as usize] = Some(op("LT", 0, 2, 1).gas(3));
    t[GT as usize] = Some(op("GT", 0, 2, 1).gas(3));
    t[SLT as usize] = Some(op("SLT", 0, 2, 1).gas(3));
    t[SGT as usize] = Some(op("SGT", 0, 2, 1).gas(3));
    t[EQ as usize] = Some(op("EQ", 0, 2, 1).gas(3));
    t[ISZERO as usize] = Some(op("ISZERO", 0, 1, 1).gas(3));
    t[AND as usize] = Some(op("AND", 0, 2, 1).gas(3));
    t[OR as usize] = Some(op("OR", 0, 2, 1).gas(3));
    t[XOR as usize] = Some(op("XOR", 0, 2, 1).gas(3));
    t[NOT as usize] = Some(op("NOT", 0, 1, 1).gas(3));
    t[BYTE as usize] = Some(op("BYTE", 0, 2, 1).gas(3));
    t[SHL as usize] = Some(op("SHL", 0, 2, 1).gas(3).since(|s| s.op_shifts));
    t[SHR as usize] = Some(op("SHR", 0, 2, 1).gas(3).since(|s| s.op_shifts));
    t[SAR as usize] = Some(op("SAR", 0, 2, 1).gas(3).since(|s| s.op_shifts));
    t[CLZ as usize] = Some(op("CLZ", 0, 1, 1).gas(5).since(|s| s.op_clz));
    t[KECCAK256 as usize] = Some(
        op("KECCAK256", 0, 2, 1)
            .gas(30)
            .memory(&[mem(0, stack(1))])
            .dynamic(),
    );
    t[ADDRESS as usize] = Some(op("ADDRESS", 0, 0, 1).gas(2));
    t[BALANCE as usize] = Some(
        op("BALANCE", 0, 1, 1)
            .gas_from(|s| warm_or(s, s.balance))
            .dynamic(),
    );
    t[ORIGIN as usize] = Some(op("ORIGIN", 0, 0, 1).gas(2));
    t[CALLER as usize] = Some(op("CALLER", 0, 0, 1).gas(2));
    t[CALLVALUE as usize] = Some(op("CALLVALUE", 0, 0, 1).gas(2));
    t[CALLDATALOAD as usize] = Some(op("CALLDATALOAD", 0, 1, 1).gas(3));
    t[CALLDATASIZE as usize] = Some(op("CALLDATASIZE", 0, 0, 1).gas(2));
    t[CALLDATACOPY as usize] = Some(
        op("CALLDATACOPY", 0, 3, 0)
            .gas(3)
            .memory(&[mem(0, stack(2))])
            .dynamic(),
    );
    t[CODESIZE as usize] = Some(op("CODESIZE", 0, 0, 1).gas(2));
    t[CODECOPY as usize] = Some(
        op("CODECOPY", 0, 3, 0)
            .gas(3)
            .memory(&[mem(0, stack(2))])
            .dynamic(),
    );
    t[GASPRICE as usize] = Some(op("GASPRICE", 0, 0, 1).gas(2));
    t[EXTCODESIZE as usize] = Some(
        op("EXTCODESIZE", 0, 1, 1)
            .gas_from(|s| warm_or(s, s.extcode))
            .dynamic(),
    );
    t[EXTCODECOPY as usize] = Some(
        op("EXTCODECOPY", 0, 4, 0)
            .gas_from(|s| warm_or(s, s.extcode))
            .memory(&[mem(1, stack(3))])
            .dynamic(),
    );
    t[RETURNDATASIZE as usize] = Some(
        op("RETURNDATASIZE", 0, 0, 1)
            .gas(2)
            .since(|s| s.op_returndata),
    );
    t[RETURNDATACOPY as usize] = Some(
        op("RETURNDATACOPY", 0, 3, 0)
            .gas(3)
            .since(|s| s.op_returndata)
            .memory(&[mem(0, stack(2))])
            .dynamic(),
    );
    t[EXTCODEHASH as usize] = Some(
        op("EXTCODEHASH", 0, 1, 1)
            .gas_from(|s| warm_or(s, s.extcodehash))
            .since(|s| s.op_extcodehash)
            .dynamic(),
    );
    t[BLOCKHASH as usize] = Some(op("BLOCKHASH", 0, 1, 1).gas(20));
    t[COINBASE as usize] = Some(op("COINBASE", 0, 0, 1).gas(2));
    t[TIMESTAMP as usize] = Some(op("TIMESTAMP", 0, 0, 1).gas(2));
    t[NUMBER as usize] = Some(op("NUMBER", 0, 0, 1).gas(2));
    t[PREVRANDAO as usize] = Some(op("PREVRANDAO", 0, 0, 1).gas(2));
    t[GASLIMIT as usize] = Some(op("GASLIMIT", 0, 0, 1).gas(2));
    t[CHAINID as usize] = Some(op("CHAINID", 0, 0, 1).gas(2).since(|s| s.op_chainid));
    t[SELFBALANCE as usize] = Some(
        op("SELFBALANCE", 0, 0, 1)
            .gas(5)
            .since(|s| s.op_selfbalance),
    );
    t[BASEFEE as usize] = Some(op("BASEFEE", 0, 0, 1).gas(2).since(|s| s.op_basefee));
    t[BLOBHASH as usize] = Some(op("BLOBHASH", 0, 1, 1).gas(3).since(|s| s.op_blobhash));
    t[BLOBBASEFEE as usize] = Some(
        op("BLOBBASEFEE", 0, 0, 1)
            .gas(2)
            .since(|s| s.op_blobbasefee),
    );
    t[POP as usize] = Some(op("POP", 0, 1, 0).gas(2));
    t[MLOAD as usize] = Some(
        op("MLOAD", 0, 1, 1)
            .gas(3)
            .memory(&[mem(0, fixed(32))])
            .dynamic(),
    );
    t[MSTORE as usize] = Some(
        op("MSTORE", 0, 2, 0)
            .gas(3)
            .memory(&[mem(0, fixed(32))])
            .dynamic(),
    );
    t[MSTORE8 as usize] = Some(
        op("MSTORE8", 0, 2, 0)
            .gas(3)
            .memory(&[mem(0, fixed(1))])
            .dynamic(),
    );
    t[SLOAD as usize] = Some(
        op("SLOAD", 0, 1, 1)
            .gas_from(|s| warm_or(s, s.sload))
            .dynamic(),
    );
    t[SSTORE as usize] = Some(op("SSTORE", 0, 2, 0).gas(0).dynamic());
    t[JUMP as usize] = Some(op("JUMP", 0, 1, 0).gas(8));
    t[JUMPI as usize] = Some(op("JUMPI", 0, 2, 0).gas(10));
    t[PC as usize] = Some(op("PC", 0, 0, 1).gas(2));
    t[MSIZE as usize] = Some(op("MSIZE", 0, 0, 1).gas(2));
    t[GAS as usize] = Some(op("GAS", 0, 0, 1).gas(2));
    t[JUMPDEST as usize] = Some(op("JUMPDEST", 0, 0, 0).gas(1));
    t[TLOAD as usize] = Some(
        op("TLOAD", 0, 1, 1)
            .gas(100)
            .since(|s| s.op_transient_storage),
    );
    t[TSTORE as usize] = Some(
        op("TSTORE", 0, 2, 0)
            .gas(100)
            .since(|s| s.op_transient_storage),
    );
    t[MCOPY as usize] = Some(
        op("MCOPY", 0, 3, 0)
            .gas(3)
            .since(|s| s.op_mcopy)
            .memory(&[mem(0, stack(2)), mem(1, stack(2))])
            .dynamic(),
    );
    t[PUSH0 as usize] = Some(op("PUSH0", 0, 0, 1).gas(2).since(|s| s.op_push0));
    t[PUSH1 as usize] = Some(op("PUSH1", 1, 0, 1).gas(3));
    t[PUSH2 as usize] = Some(op("PUSH2", 2, 0, 1).gas(3));
    t[PUSH3 as usize] = Some(op("PUSH3", 3, 0, 1).gas(3));
    t[PUSH4 as usize] = Some(op("PUSH4", 4, 0, 1).gas(3));
    t[PUSH5 as usize] = Some(op("PUSH5", 5, 0, 1).gas(3));
    t[PUSH6 as usize] = Some(op("PUSH6", 6, 0, 1).gas(3));
    t[PUSH7 as usize] = Some(op("PUSH7", 7, 0, 1).gas(3));
    t[PUSH8 as usize] = Some(op("PUSH8", 8, 0, 1).gas(3));
    t[PUSH9 as usize] = Some(op("PUSH9", 9, 0, 1).gas(3));
    t[PUSH10 as usize] = Some(op("PUSH10", 10, 0, 1).gas(3));
    t[PUSH11 as usize] = Some(op("PUSH11", 11, 0, 1).gas(3));
    t[PUSH12 as usize] = Some(op("PUSH12", 12, 0, 1).gas(3));
    t[PUSH13 as usize] = Some(op("PUSH13", 13, 0, 1).gas(3));
    t[PUSH14 as usize] = Some(op("PUSH14", 14, 0, 1).gas(3));
    t[PUSH15 as usize] = Some(op("PUSH15", 15, 0, 1).gas(3));
    t[PUSH16 as usize] = Some(op("PUSH16", 16, 0, 1).gas(3));
    t[PUSH17 as usize] = Some(op("PUSH17", 17, 0, 1).gas(3));
    t[PUSH18 as usize] = Some(op("PUSH18", 18, 0, 1).gas(3));
    t[PUSH19 as usize] = Some(op("PUSH19", 19, 0, 1).gas(3));
    t[PUSH20 as usize] = Some(op("PUSH20", 20, 0, 1).gas(3));
    t[PUSH21 as usize] = Some(op("PUSH21", 21, 0, 1).gas(3));
    t[PUSH22 as usize] = Some(op("PUSH22", 22, 0, 1).gas(3));
    t[PUSH23 as usize] = Some(op("PUSH23", 23, 0, 1).gas(3));
    t[PUSH24 as usize] = Some(op("PUSH24", 24, 0, 1).gas(3));
    t[PUSH25 as usize] = Some(op("PUSH25", 25, 0, 1).gas(3));
    t[PUSH26 as usize] = Some(op("PUSH26", 26, 0, 1).gas(3));
    t[PUSH27 as usize] = Some(op("PUSH27", 27, 0, 1).gas(3));
    t[PUSH28 as usize] = Some(op("PUSH28", 28, 0, 1).gas(3));
    t[PUSH29 as usize] = Some(op("PUSH29", 29, 0, 1).gas(3));
    t[PUSH30 as usize] = Some(op("PUSH30", 30, 0, 1).gas(3));
    t[PUSH31 as usize] = Some(op("PUSH31", 31, 0, 1).gas(3));
    t[PUSH32 as usize] = Some(op("PUSH32", 32, 0, 1).gas(3));
    t[DUP1 as usize] = Some(op("DUP1", 0, 1, 2).gas(3));
    t[DUP2 as usize] = Some(op("DUP2", 0, 2, 3).gas(3));
    t[DUP3 as usize] = Some(op("DUP3", 0, 3, 4).gas(3));
    t[DUP4 as usize] = Some(op("DUP4", 0, 4, 5).gas(3));
    t[DUP5 as usize] = Some(op("DUP5", 0, 5, 6).gas(3));
    t[DUP6 as usize] = Some(op("DUP6", 0, 6, 7).gas(3));
    t[DUP7 as usize] = Some(op("DUP7", 0, 7, 8).gas(3));
    t[DUP8 as usize] = Some(op("DUP8", 0, 8, 9).gas(3));
    t[DUP9 as usize] = Some(op("DUP9", 0, 9, 10).gas(3));
    t[DUP10 as usize] = Some(op("DUP10", 0, 10, 11).gas(3));
    t[DUP11 as usize] = Some(op("DUP11", 0, 11, 12).gas(3));
    t[DUP12 as usize] = Some(op("DUP12", 0, 12, 13).gas(3));
    t[DUP13 as usize] = Some(op("DUP13", 0, 13, 14).gas(3));
    t[DUP14 as usize] = Some(op("DUP14", 0, 14, 15).gas(3));
    t[DUP15 as usize] = Some(op("DUP15", 0, 15, 16).gas(3));
    t[DUP16 as usize] = Some(op("DUP16", 0, 16, 17).gas(3));
    t[SWAP1 as usize] = Some(op("SWAP1", 0, 2, 2).gas(3));
    t[SWAP2 as usize] = Some(op("SWAP2", 0, 3, 3).gas(3));
    t[SWAP3 as usize] = Some(op("SWAP3", 0, 4, 4).gas(3));
    t[SWAP4 as usize] = Some(op("SWAP4", 0, 5, 5).gas(3));
    t[SWAP5 as usize] = Some(op("SWAP5", 0, 6, 6).gas(3));
    t[SWAP6 as usize] = Some(op("SWAP6", 0, 7, 7).gas(3));
    t[SWAP7 as usize] = Some(op("SWAP7", 0, 8, 8).gas(3));
    t[SWAP8 as usize] = Some(op("SWAP8", 0, 9, 9).gas(3));
    t[SWAP9 as usize] = Some(op("SWAP9", 0, 10, 10).gas(3));
    t[SWAP10 as usize] = Some(op("SWAP10", 0, 11, 11).gas(3));
    t[SWAP11 as usize] = Some(op("SWAP11", 0, 12, 12).gas(3));
    t[SWAP12 as usize] = Some(op("SWAP12", 0, 13, 13).gas(3));
    t[SWAP13 as usize] = Some(op("SWAP13", 0, 14, 14).gas(3));
    t[SWAP14 as usize] = Some(op("SWAP14", 0, 15, 15).gas(3));
    t[SWAP15 as usize] = Some(op("SWAP15", 0, 16, 16).gas(3));
    t[SWAP16 as usize] = Some(op("SWAP16", 0, 17, 17).gas(3));
    t[LOG0 as usize] = Some(
        op("LOG0", 0, 2, 0)
            .gas(LOG_BASE)
            .memory(&[mem(0, stack(1))])
            .dynamic(),
    );
    t[LOG1 as usize] = Some(
        op("LOG1", 0, 3, 0)
            .gas(LOG_BASE + LOG_TOPIC)
            .memory(&[mem(0, stack(1))])
            .dynamic(),
    );
    t[LOG2 as usize] = Some(
        op("LOG2", 0, 4, 0)
            .gas(LOG_BASE + 2 * LOG_TOPIC)
            .memory(&[mem(0, stack(1))])
            .dynamic(),
    );
    t[LOG3 as usize] = Some(
        op("LOG3", 0, 5, 0)
            .gas(LOG_BASE + 3 * LOG_TOPIC)
            .memory(&[mem(0, stack(1))])
            .dynamic(),
    );
    t[LOG4 as usize] = Some(
        op("LOG4", 0, 6, 0)
            .gas(LOG_BASE + 4 * LOG_TOPIC)
            .memory(&[mem(0, stack(1))])
            .dynamic(),
    );
    t[CREATE as usize] = Some(
        op("CREATE", 0, 3, 1)
            .gas(CREATE_BASE)
            .memory(&[mem(1, stack(2))])
            .dynamic(),
    );
    t[CALL as usize] = Some(
        op("CALL", 0, 7, 1)
            .gas_from(|s| warm_or(s, s.call))
            .memory(&[mem(3, stack(4)), mem(5, stack(6))])
            .dynamic(),
    );
    t[CALLCODE as usize] = Some(
        op("CALLCODE", 0, 7, 1)
            .gas_from(|s| warm_or(s, s.call))
            .memory(&[mem(3, stack(4)), mem(5, stack(6))])
            .dynamic(),
    );
    t[RETURN as usize] = Some(
        op("RETURN", 0, 2, 0)
            .gas(0)
            .memory(&[mem(0, stack(1))])
            .dynamic(),
    );
    t[DELEGATECALL as usize] = Some(
        op("DELEGATECALL", 0, 6, 1)
            .gas_from(|s| warm_or(s, s.call))
            .since(|s| s.op_delegatecall)
            .memory(&[mem(2, stack(3)), mem(4, stack(5))])
            .dynamic(),
    );
    t[CREATE2 as usize] = Some(
        op("CREATE2", 0, 4, 1)
            .gas(CREATE_BASE)
            .since(|s| s.op_create2)
            .memory(&[mem(1, stack(2))])
            .dynamic(),
    );
    t[STATICCALL as usize] = Some(
        op("STATICCALL", 0, 6, 1)
            .gas_from(|s| warm_or(s, s.call))
            .since(|s| s.op_staticcall)
            .memory(&[mem(2, stack(3)), mem(4, stack(5))])
            .dynamic(),
    );
    t[REVERT as usize] = Some(
        op("REVERT", 0, 2, 0)
            .gas(0)
            .since(|s| s.op_revert)
            .memory(&[mem(0, stack(1))])
            .dynamic(),
    );
    t[INVALID as usize] = Some(op("INVALID", 0, 0, 0).gas(0));
    t[SELFDESTRUCT as usize] = Some(
        op("SELFDESTRUCT", 0, 1, 0)
            .gas_from(|s| s.selfdestruct)
            .dynamic(),
    );
    t
};

/// The opcode's info when it is defined under `spec`.
#[inline]
pub fn info(op: u8, spec: &Spec) -> Option<&'static OpInfo> {
    match &OPCODES[op as usize] {
        Some(info) if info.is_enabled(spec) => Some(info),
        _ => None,
    }
}

/// The mnemonic of `op` in the newest fork, or `None` for an undefined byte.
pub fn name(op: u8) -> Option<&'static str> {
    OPCODES[op as usize].as_ref().map(|i| i.name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_consistent() {
        assert_eq!(name(PUSH32), Some("PUSH32"));
        assert_eq!(OPCODES[PUSH32 as usize].unwrap().immediate, 32);
        assert_eq!(OPCODES[SWAP16 as usize].unwrap().inputs, 17);
        assert!(info(PUSH0, Spec::of(Fork::London)).is_none());
        assert!(info(PUSH0, Spec::of(Fork::Shanghai)).is_some());
        assert_eq!(OPCODES.iter().flatten().count(), 150);
        assert_eq!(
            OPCODES[CLZ as usize].unwrap().introduced_in(),
            Some(Fork::Osaka)
        );
        assert_eq!(
            OPCODES[DELEGATECALL as usize].unwrap().introduced_in(),
            Some(Fork::Homestead)
        );
    }

    #[test]
    fn static_gas_follows_the_spec() {
        let sload = OPCODES[SLOAD as usize].unwrap().static_gas;
        assert_eq!(sload.of(Spec::of(Fork::Frontier)), 50);
        assert_eq!(sload.of(Spec::of(Fork::Istanbul)), 800);
        assert_eq!(sload.of(Spec::of(Fork::Berlin)), 100);
        let log2 = OPCODES[LOG2 as usize].unwrap().static_gas;
        assert_eq!(log2.of(Spec::of(Fork::Frontier)), 375 * 3);
    }

    #[test]
    fn memory_operands_name_real_stack_items() {
        for info in OPCODES.iter().flatten() {
            assert!(info.dynamic_gas || info.memory.is_empty(), "{}", info.name);
            for m in info.memory {
                assert!(m.offset < info.inputs, "{}", info.name);
                if let MemoryLength::Stack(depth) = m.length {
                    assert!(depth < info.inputs, "{}", info.name);
                }
            }
        }
    }
}
