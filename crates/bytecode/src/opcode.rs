//! Opcode numbers and the facts about each opcode that do not depend on a fork's gas
//! schedule: mnemonic, immediate size, stack inputs/outputs, and the fork that introduced it.

use ember_primitives::Fork;

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

/// What an opcode is, independent of gas.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OpInfo {
    /// Mnemonic, as in the Yellow Paper and geth traces.
    pub name: &'static str,
    /// Immediate bytes following the opcode (PUSHn: n).
    pub immediate: u8,
    /// Stack items consumed.
    pub inputs: u8,
    /// Stack items produced.
    pub outputs: u8,
    /// The fork that introduced the opcode.
    pub since: Fork,
}

/// Metadata of every defined opcode, indexed by byte (`None`: never defined).
pub static OPCODES: [Option<OpInfo>; 256] = {
    let mut t: [Option<OpInfo>; 256] = [None; 256];
    t[0x00] = Some(OpInfo {
        name: "STOP",
        immediate: 0,
        inputs: 0,
        outputs: 0,
        since: Fork::Frontier,
    });
    t[0x01] = Some(OpInfo {
        name: "ADD",
        immediate: 0,
        inputs: 2,
        outputs: 1,
        since: Fork::Frontier,
    });
    t[0x02] = Some(OpInfo {
        name: "MUL",
        immediate: 0,
        inputs: 2,
        outputs: 1,
        since: Fork::Frontier,
    });
    t[0x03] = Some(OpInfo {
        name: "SUB",
        immediate: 0,
        inputs: 2,
        outputs: 1,
        since: Fork::Frontier,
    });
    t[0x04] = Some(OpInfo {
        name: "DIV",
        immediate: 0,
        inputs: 2,
        outputs: 1,
        since: Fork::Frontier,
    });
    t[0x05] = Some(OpInfo {
        name: "SDIV",
        immediate: 0,
        inputs: 2,
        outputs: 1,
        since: Fork::Frontier,
    });
    t[0x06] = Some(OpInfo {
        name: "MOD",
        immediate: 0,
        inputs: 2,
        outputs: 1,
        since: Fork::Frontier,
    });
    t[0x07] = Some(OpInfo {
        name: "SMOD",
        immediate: 0,
        inputs: 2,
        outputs: 1,
        since: Fork::Frontier,
    });
    t[0x08] = Some(OpInfo {
        name: "ADDMOD",
        immediate: 0,
        inputs: 3,
        outputs: 1,
        since: Fork::Frontier,
    });
    t[0x09] = Some(OpInfo {
        name: "MULMOD",
        immediate: 0,
        inputs: 3,
        outputs: 1,
        since: Fork::Frontier,
    });
    t[0x0a] = Some(OpInfo {
        name: "EXP",
        immediate: 0,
        inputs: 2,
        outputs: 1,
        since: Fork::Frontier,
    });
    t[0x0b] = Some(OpInfo {
        name: "SIGNEXTEND",
        immediate: 0,
        inputs: 2,
        outputs: 1,
        since: Fork::Frontier,
    });
    t[0x10] = Some(OpInfo {
        name: "LT",
        immediate: 0,
        inputs: 2,
        outputs: 1,
        since: Fork::Frontier,
    });
    t[0x11] = Some(OpInfo {
        name: "GT",
        immediate: 0,
        inputs: 2,
        outputs: 1,
        since: Fork::Frontier,
    });
    t[0x12] = Some(OpInfo {
        name: "SLT",
        immediate: 0,
        inputs: 2,
        outputs: 1,
        since: Fork::Frontier,
    });
    t[0x13] = Some(OpInfo {
        name: "SGT",
        immediate: 0,
        inputs: 2,
        outputs: 1,
        since: Fork::Frontier,
    });
    t[0x14] = Some(OpInfo {
        name: "EQ",
        immediate: 0,
        inputs: 2,
        outputs: 1,
        since: Fork::Frontier,
    });
    t[0x15] = Some(OpInfo {
        name: "ISZERO",
        immediate: 0,
        inputs: 1,
        outputs: 1,
        since: Fork::Frontier,
    });
    t[0x16] = Some(OpInfo {
        name: "AND",
        immediate: 0,
        inputs: 2,
        outputs: 1,
        since: Fork::Frontier,
    });
    t[0x17] = Some(OpInfo {
        name: "OR",
        immediate: 0,
        inputs: 2,
        outputs: 1,
        since: Fork::Frontier,
    });
    t[0x18] = Some(OpInfo {
        name: "XOR",
        immediate: 0,
        inputs: 2,
        outputs: 1,
        since: Fork::Frontier,
    });
    t[0x19] = Some(OpInfo {
        name: "NOT",
        immediate: 0,
        inputs: 1,
        outputs: 1,
        since: Fork::Frontier,
    });
    t[0x1a] = Some(OpInfo {
        name: "BYTE",
        immediate: 0,
        inputs: 2,
        outputs: 1,
        since: Fork::Frontier,
    });
    t[0x1b] = Some(OpInfo {
        name: "SHL",
        immediate: 0,
        inputs: 2,
        outputs: 1,
        since: Fork::Constantinople,
    });
    t[0x1c] = Some(OpInfo {
        name: "SHR",
        immediate: 0,
        inputs: 2,
        outputs: 1,
        since: Fork::Constantinople,
    });
    t[0x1d] = Some(OpInfo {
        name: "SAR",
        immediate: 0,
        inputs: 2,
        outputs: 1,
        since: Fork::Constantinople,
    });
    t[0x1e] = Some(OpInfo {
        name: "CLZ",
        immediate: 0,
        inputs: 1,
        outputs: 1,
        since: Fork::Osaka,
    });
    t[0x20] = Some(OpInfo {
        name: "KECCAK256",
        immediate: 0,
        inputs: 2,
        outputs: 1,
        since: Fork::Frontier,
    });
    t[0x30] = Some(OpInfo {
        name: "ADDRESS",
        immediate: 0,
        inputs: 0,
        outputs: 1,
        since: Fork::Frontier,
    });
    t[0x31] = Some(OpInfo {
        name: "BALANCE",
        immediate: 0,
        inputs: 1,
        outputs: 1,
        since: Fork::Frontier,
    });
    t[0x32] = Some(OpInfo {
        name: "ORIGIN",
        immediate: 0,
        inputs: 0,
        outputs: 1,
        since: Fork::Frontier,
    });
    t[0x33] = Some(OpInfo {
        name: "CALLER",
        immediate: 0,
        inputs: 0,
        outputs: 1,
        since: Fork::Frontier,
    });
    t[0x34] = Some(OpInfo {
        name: "CALLVALUE",
        immediate: 0,
        inputs: 0,
        outputs: 1,
        since: Fork::Frontier,
    });
    t[0x35] = Some(OpInfo {
        name: "CALLDATALOAD",
        immediate: 0,
        inputs: 1,
        outputs: 1,
        since: Fork::Frontier,
    });
    t[0x36] = Some(OpInfo {
        name: "CALLDATASIZE",
        immediate: 0,
        inputs: 0,
        outputs: 1,
        since: Fork::Frontier,
    });
    t[0x37] = Some(OpInfo {
        name: "CALLDATACOPY",
        immediate: 0,
        inputs: 3,
        outputs: 0,
        since: Fork::Frontier,
    });
    t[0x38] = Some(OpInfo {
        name: "CODESIZE",
        immediate: 0,
        inputs: 0,
        outputs: 1,
        since: Fork::Frontier,
    });
    t[0x39] = Some(OpInfo {
        name: "CODECOPY",
        immediate: 0,
        inputs: 3,
        outputs: 0,
        since: Fork::Frontier,
    });
    t[0x3a] = Some(OpInfo {
        name: "GASPRICE",
        immediate: 0,
        inputs: 0,
        outputs: 1,
        since: Fork::Frontier,
    });
    t[0x3b] = Some(OpInfo {
        name: "EXTCODESIZE",
        immediate: 0,
        inputs: 1,
        outputs: 1,
        since: Fork::Frontier,
    });
    t[0x3c] = Some(OpInfo {
        name: "EXTCODECOPY",
        immediate: 0,
        inputs: 4,
        outputs: 0,
        since: Fork::Frontier,
    });
    t[0x3d] = Some(OpInfo {
        name: "RETURNDATASIZE",
        immediate: 0,
        inputs: 0,
        outputs: 1,
        since: Fork::Byzantium,
    });
    t[0x3e] = Some(OpInfo {
        name: "RETURNDATACOPY",
        immediate: 0,
        inputs: 3,
        outputs: 0,
        since: Fork::Byzantium,
    });
    t[0x3f] = Some(OpInfo {
        name: "EXTCODEHASH",
        immediate: 0,
        inputs: 1,
        outputs: 1,
        since: Fork::Constantinople,
    });
    t[0x40] = Some(OpInfo {
        name: "BLOCKHASH",
        immediate: 0,
        inputs: 1,
        outputs: 1,
        since: Fork::Frontier,
    });
    t[0x41] = Some(OpInfo {
        name: "COINBASE",
        immediate: 0,
        inputs: 0,
        outputs: 1,
        since: Fork::Frontier,
    });
    t[0x42] = Some(OpInfo {
        name: "TIMESTAMP",
        immediate: 0,
        inputs: 0,
        outputs: 1,
        since: Fork::Frontier,
    });
    t[0x43] = Some(OpInfo {
        name: "NUMBER",
        immediate: 0,
        inputs: 0,
        outputs: 1,
        since: Fork::Frontier,
    });
    t[0x44] = Some(OpInfo {
        name: "PREVRANDAO",
        immediate: 0,
        inputs: 0,
        outputs: 1,
        since: Fork::Frontier,
    });
    t[0x45] = Some(OpInfo {
        name: "GASLIMIT",
        immediate: 0,
        inputs: 0,
        outputs: 1,
        since: Fork::Frontier,
    });
    t[0x46] = Some(OpInfo {
        name: "CHAINID",
        immediate: 0,
        inputs: 0,
        outputs: 1,
        since: Fork::Istanbul,
    });
    t[0x47] = Some(OpInfo {
        name: "SELFBALANCE",
        immediate: 0,
        inputs: 0,
        outputs: 1,
        since: Fork::Istanbul,
    });
    t[0x48] = Some(OpInfo {
        name: "BASEFEE",
        immediate: 0,
        inputs: 0,
        outputs: 1,
        since: Fork::London,
    });
    t[0x49] = Some(OpInfo {
        name: "BLOBHASH",
        immediate: 0,
        inputs: 1,
        outputs: 1,
        since: Fork::Cancun,
    });
    t[0x4a] = Some(OpInfo {
        name: "BLOBBASEFEE",
        immediate: 0,
        inputs: 0,
        outputs: 1,
        since: Fork::Cancun,
    });
    t[0x50] = Some(OpInfo {
        name: "POP",
        immediate: 0,
        inputs: 1,
        outputs: 0,
        since: Fork::Frontier,
    });
    t[0x51] = Some(OpInfo {
        name: "MLOAD",
        immediate: 0,
        inputs: 1,
        outputs: 1,
        since: Fork::Frontier,
    });
    t[0x52] = Some(OpInfo {
        name: "MSTORE",
        immediate: 0,
        inputs: 2,
        outputs: 0,
        since: Fork::Frontier,
    });
    t[0x53] = Some(OpInfo {
        name: "MSTORE8",
        immediate: 0,
        inputs: 2,
        outputs: 0,
        since: Fork::Frontier,
    });
    t[0x54] = Some(OpInfo {
        name: "SLOAD",
        immediate: 0,
        inputs: 1,
        outputs: 1,
        since: Fork::Frontier,
    });
    t[0x55] = Some(OpInfo {
        name: "SSTORE",
        immediate: 0,
        inputs: 2,
        outputs: 0,
        since: Fork::Frontier,
    });
    t[0x56] = Some(OpInfo {
        name: "JUMP",
        immediate: 0,
        inputs: 1,
        outputs: 0,
        since: Fork::Frontier,
    });
    t[0x57] = Some(OpInfo {
        name: "JUMPI",
        immediate: 0,
        inputs: 2,
        outputs: 0,
        since: Fork::Frontier,
    });
    t[0x58] = Some(OpInfo {
        name: "PC",
        immediate: 0,
        inputs: 0,
        outputs: 1,
        since: Fork::Frontier,
    });
    t[0x59] = Some(OpInfo {
        name: "MSIZE",
        immediate: 0,
        inputs: 0,
        outputs: 1,
        since: Fork::Frontier,
    });
    t[0x5a] = Some(OpInfo {
        name: "GAS",
        immediate: 0,
        inputs: 0,
        outputs: 1,
        since: Fork::Frontier,
    });
    t[0x5b] = Some(OpInfo {
        name: "JUMPDEST",
        immediate: 0,
        inputs: 0,
        outputs: 0,
        since: Fork::Frontier,
    });
    t[0x5c] = Some(OpInfo {
        name: "TLOAD",
        immediate: 0,
        inputs: 1,
        outputs: 1,
        since: Fork::Cancun,
    });
    t[0x5d] = Some(OpInfo {
        name: "TSTORE",
        immediate: 0,
        inputs: 2,
        outputs: 0,
        since: Fork::Cancun,
    });
    t[0x5e] = Some(OpInfo {
        name: "MCOPY",
        immediate: 0,
        inputs: 3,
        outputs: 0,
        since: Fork::Cancun,
    });
    t[0x5f] = Some(OpInfo {
        name: "PUSH0",
        immediate: 0,
        inputs: 0,
        outputs: 1,
        since: Fork::Shanghai,
    });
    t[0x60] = Some(OpInfo {
        name: "PUSH1",
        immediate: 1,
        inputs: 0,
        outputs: 1,
        since: Fork::Frontier,
    });
    t[0x61] = Some(OpInfo {
        name: "PUSH2",
        immediate: 2,
        inputs: 0,
        outputs: 1,
        since: Fork::Frontier,
    });
    t[0x62] = Some(OpInfo {
        name: "PUSH3",
        immediate: 3,
        inputs: 0,
        outputs: 1,
        since: Fork::Frontier,
    });
    t[0x63] = Some(OpInfo {
        name: "PUSH4",
        immediate: 4,
        inputs: 0,
        outputs: 1,
        since: Fork::Frontier,
    });
    t[0x64] = Some(OpInfo {
        name: "PUSH5",
        immediate: 5,
        inputs: 0,
        outputs: 1,
        since: Fork::Frontier,
    });
    t[0x65] = Some(OpInfo {
        name: "PUSH6",
        immediate: 6,
        inputs: 0,
        outputs: 1,
        since: Fork::Frontier,
    });
    t[0x66] = Some(OpInfo {
        name: "PUSH7",
        immediate: 7,
        inputs: 0,
        outputs: 1,
        since: Fork::Frontier,
    });
    t[0x67] = Some(OpInfo {
        name: "PUSH8",
        immediate: 8,
        inputs: 0,
        outputs: 1,
        since: Fork::Frontier,
    });
    t[0x68] = Some(OpInfo {
        name: "PUSH9",
        immediate: 9,
        inputs: 0,
        outputs: 1,
        since: Fork::Frontier,
    });
    t[0x69] = Some(OpInfo {
        name: "PUSH10",
        immediate: 10,
        inputs: 0,
        outputs: 1,
        since: Fork::Frontier,
    });
    t[0x6a] = Some(OpInfo {
        name: "PUSH11",
        immediate: 11,
        inputs: 0,
        outputs: 1,
        since: Fork::Frontier,
    });
    t[0x6b] = Some(OpInfo {
        name: "PUSH12",
        immediate: 12,
        inputs: 0,
        outputs: 1,
        since: Fork::Frontier,
    });
    t[0x6c] = Some(OpInfo {
        name: "PUSH13",
        immediate: 13,
        inputs: 0,
        outputs: 1,
        since: Fork::Frontier,
    });
    t[0x6d] = Some(OpInfo {
        name: "PUSH14",
        immediate: 14,
        inputs: 0,
        outputs: 1,
        since: Fork::Frontier,
    });
    t[0x6e] = Some(OpInfo {
        name: "PUSH15",
        immediate: 15,
        inputs: 0,
        outputs: 1,
        since: Fork::Frontier,
    });
    t[0x6f] = Some(OpInfo {
        name: "PUSH16",
        immediate: 16,
        inputs: 0,
        outputs: 1,
        since: Fork::Frontier,
    });
    t[0x70] = Some(OpInfo {
        name: "PUSH17",
        immediate: 17,
        inputs: 0,
        outputs: 1,
        since: Fork::Frontier,
    });
    t[0x71] = Some(OpInfo {
        name: "PUSH18",
        immediate: 18,
        inputs: 0,
        outputs: 1,
        since: Fork::Frontier,
    });
    t[0x72] = Some(OpInfo {
        name: "PUSH19",
        immediate: 19,
        inputs: 0,
        outputs: 1,
        since: Fork::Frontier,
    });
    t[0x73] = Some(OpInfo {
        name: "PUSH20",
        immediate: 20,
        inputs: 0,
        outputs: 1,
        since: Fork::Frontier,
    });
    t[0x74] = Some(OpInfo {
        name: "PUSH21",
        immediate: 21,
        inputs: 0,
        outputs: 1,
        since: Fork::Frontier,
    });
    t[0x75] = Some(OpInfo {
        name: "PUSH22",
        immediate: 22,
        inputs: 0,
        outputs: 1,
        since: Fork::Frontier,
    });
    t[0x76] = Some(OpInfo {
        name: "PUSH23",
        immediate: 23,
        inputs: 0,
        outputs: 1,
        since: Fork::Frontier,
    });
    t[0x77] = Some(OpInfo {
        name: "PUSH24",
        immediate: 24,
        inputs: 0,
        outputs: 1,
        since: Fork::Frontier,
    });
    t[0x78] = Some(OpInfo {
        name: "PUSH25",
        immediate: 25,
        inputs: 0,
        outputs: 1,
        since: Fork::Frontier,
    });
    t[0x79] = Some(OpInfo {
        name: "PUSH26",
        immediate: 26,
        inputs: 0,
        outputs: 1,
        since: Fork::Frontier,
    });
    t[0x7a] = Some(OpInfo {
        name: "PUSH27",
        immediate: 27,
        inputs: 0,
        outputs: 1,
        since: Fork::Frontier,
    });
    t[0x7b] = Some(OpInfo {
        name: "PUSH28",
        immediate: 28,
        inputs: 0,
        outputs: 1,
        since: Fork::Frontier,
    });
    t[0x7c] = Some(OpInfo {
        name: "PUSH29",
        immediate: 29,
        inputs: 0,
        outputs: 1,
        since: Fork::Frontier,
    });
    t[0x7d] = Some(OpInfo {
        name: "PUSH30",
        immediate: 30,
        inputs: 0,
        outputs: 1,
        since: Fork::Frontier,
    });
    t[0x7e] = Some(OpInfo {
        name: "PUSH31",
        immediate: 31,
        inputs: 0,
        outputs: 1,
        since: Fork::Frontier,
    });
    t[0x7f] = Some(OpInfo {
        name: "PUSH32",
        immediate: 32,
        inputs: 0,
        outputs: 1,
        since: Fork::Frontier,
    });
    t[0x80] = Some(OpInfo {
        name: "DUP1",
        immediate: 0,
        inputs: 1,
        outputs: 2,
        since: Fork::Frontier,
    });
    t[0x81] = Some(OpInfo {
        name: "DUP2",
        immediate: 0,
        inputs: 2,
        outputs: 3,
        since: Fork::Frontier,
    });
    t[0x82] = Some(OpInfo {
        name: "DUP3",
        immediate: 0,
        inputs: 3,
        outputs: 4,
        since: Fork::Frontier,
    });
    t[0x83] = Some(OpInfo {
        name: "DUP4",
        immediate: 0,
        inputs: 4,
        outputs: 5,
        since: Fork::Frontier,
    });
    t[0x84] = Some(OpInfo {
        name: "DUP5",
        immediate: 0,
        inputs: 5,
        outputs: 6,
        since: Fork::Frontier,
    });
    t[0x85] = Some(OpInfo {
        name: "DUP6",
        immediate: 0,
        inputs: 6,
        outputs: 7,
        since: Fork::Frontier,
    });
    t[0x86] = Some(OpInfo {
        name: "DUP7",
        immediate: 0,
        inputs: 7,
        outputs: 8,
        since: Fork::Frontier,
    });
    t[0x87] = Some(OpInfo {
        name: "DUP8",
        immediate: 0,
        inputs: 8,
        outputs: 9,
        since: Fork::Frontier,
    });
    t[0x88] = Some(OpInfo {
        name: "DUP9",
        immediate: 0,
        inputs: 9,
        outputs: 10,
        since: Fork::Frontier,
    });
    t[0x89] = Some(OpInfo {
        name: "DUP10",
        immediate: 0,
        inputs: 10,
        outputs: 11,
        since: Fork::Frontier,
    });
    t[0x8a] = Some(OpInfo {
        name: "DUP11",
        immediate: 0,
        inputs: 11,
        outputs: 12,
        since: Fork::Frontier,
    });
    t[0x8b] = Some(OpInfo {
        name: "DUP12",
        immediate: 0,
        inputs: 12,
        outputs: 13,
        since: Fork::Frontier,
    });
    t[0x8c] = Some(OpInfo {
        name: "DUP13",
        immediate: 0,
        inputs: 13,
        outputs: 14,
        since: Fork::Frontier,
    });
    t[0x8d] = Some(OpInfo {
        name: "DUP14",
        immediate: 0,
        inputs: 14,
        outputs: 15,
        since: Fork::Frontier,
    });
    t[0x8e] = Some(OpInfo {
        name: "DUP15",
        immediate: 0,
        inputs: 15,
        outputs: 16,
        since: Fork::Frontier,
    });
    t[0x8f] = Some(OpInfo {
        name: "DUP16",
        immediate: 0,
        inputs: 16,
        outputs: 17,
        since: Fork::Frontier,
    });
    t[0x90] = Some(OpInfo {
        name: "SWAP1",
        immediate: 0,
        inputs: 2,
        outputs: 2,
        since: Fork::Frontier,
    });
    t[0x91] = Some(OpInfo {
        name: "SWAP2",
        immediate: 0,
        inputs: 3,
        outputs: 3,
        since: Fork::Frontier,
    });
    t[0x92] = Some(OpInfo {
        name: "SWAP3",
        immediate: 0,
        inputs: 4,
        outputs: 4,
        since: Fork::Frontier,
    });
    t[0x93] = Some(OpInfo {
        name: "SWAP4",
        immediate: 0,
        inputs: 5,
        outputs: 5,
        since: Fork::Frontier,
    });
    t[0x94] = Some(OpInfo {
        name: "SWAP5",
        immediate: 0,
        inputs: 6,
        outputs: 6,
        since: Fork::Frontier,
    });
    t[0x95] = Some(OpInfo {
        name: "SWAP6",
        immediate: 0,
        inputs: 7,
        outputs: 7,
        since: Fork::Frontier,
    });
    t[0x96] = Some(OpInfo {
        name: "SWAP7",
        immediate: 0,
        inputs: 8,
        outputs: 8,
        since: Fork::Frontier,
    });
    t[0x97] = Some(OpInfo {
        name: "SWAP8",
        immediate: 0,
        inputs: 9,
        outputs: 9,
        since: Fork::Frontier,
    });
    t[0x98] = Some(OpInfo {
        name: "SWAP9",
        immediate: 0,
        inputs: 10,
        outputs: 10,
        since: Fork::Frontier,
    });
    t[0x99] = Some(OpInfo {
        name: "SWAP10",
        immediate: 0,
        inputs: 11,
        outputs: 11,
        since: Fork::Frontier,
    });
    t[0x9a] = Some(OpInfo {
        name: "SWAP11",
        immediate: 0,
        inputs: 12,
        outputs: 12,
        since: Fork::Frontier,
    });
    t[0x9b] = Some(OpInfo {
        name: "SWAP12",
        immediate: 0,
        inputs: 13,
        outputs: 13,
        since: Fork::Frontier,
    });
    t[0x9c] = Some(OpInfo {
        name: "SWAP13",
        immediate: 0,
        inputs: 14,
        outputs: 14,
        since: Fork::Frontier,
    });
    t[0x9d] = Some(OpInfo {
        name: "SWAP14",
        immediate: 0,
        inputs: 15,
        outputs: 15,
        since: Fork::Frontier,
    });
    t[0x9e] = Some(OpInfo {
        name: "SWAP15",
        immediate: 0,
        inputs: 16,
        outputs: 16,
        since: Fork::Frontier,
    });
    t[0x9f] = Some(OpInfo {
        name: "SWAP16",
        immediate: 0,
        inputs: 17,
        outputs: 17,
        since: Fork::Frontier,
    });
    t[0xa0] = Some(OpInfo {
        name: "LOG0",
        immediate: 0,
        inputs: 2,
        outputs: 0,
        since: Fork::Frontier,
    });
    t[0xa1] = Some(OpInfo {
        name: "LOG1",
        immediate: 0,
        inputs: 3,
        outputs: 0,
        since: Fork::Frontier,
    });
    t[0xa2] = Some(OpInfo {
        name: "LOG2",
        immediate: 0,
        inputs: 4,
        outputs: 0,
        since: Fork::Frontier,
    });
    t[0xa3] = Some(OpInfo {
        name: "LOG3",
        immediate: 0,
        inputs: 5,
        outputs: 0,
        since: Fork::Frontier,
    });
    t[0xa4] = Some(OpInfo {
        name: "LOG4",
        immediate: 0,
        inputs: 6,
        outputs: 0,
        since: Fork::Frontier,
    });
    t[0xf0] = Some(OpInfo {
        name: "CREATE",
        immediate: 0,
        inputs: 3,
        outputs: 1,
        since: Fork::Frontier,
    });
    t[0xf1] = Some(OpInfo {
        name: "CALL",
        immediate: 0,
        inputs: 7,
        outputs: 1,
        since: Fork::Frontier,
    });
    t[0xf2] = Some(OpInfo {
        name: "CALLCODE",
        immediate: 0,
        inputs: 7,
        outputs: 1,
        since: Fork::Frontier,
    });
    t[0xf3] = Some(OpInfo {
        name: "RETURN",
        immediate: 0,
        inputs: 2,
        outputs: 0,
        since: Fork::Frontier,
    });
    t[0xf4] = Some(OpInfo {
        name: "DELEGATECALL",
        immediate: 0,
        inputs: 6,
        outputs: 1,
        since: Fork::Homestead,
    });
    t[0xf5] = Some(OpInfo {
        name: "CREATE2",
        immediate: 0,
        inputs: 4,
        outputs: 1,
        since: Fork::Constantinople,
    });
    t[0xfa] = Some(OpInfo {
        name: "STATICCALL",
        immediate: 0,
        inputs: 6,
        outputs: 1,
        since: Fork::Byzantium,
    });
    t[0xfd] = Some(OpInfo {
        name: "REVERT",
        immediate: 0,
        inputs: 2,
        outputs: 0,
        since: Fork::Byzantium,
    });
    t[0xfe] = Some(OpInfo {
        name: "INVALID",
        immediate: 0,
        inputs: 0,
        outputs: 0,
        since: Fork::Frontier,
    });
    t[0xff] = Some(OpInfo {
        name: "SELFDESTRUCT",
        immediate: 0,
        inputs: 1,
        outputs: 0,
        since: Fork::Frontier,
    });
    t
};

/// The opcode's info when it is defined in `fork`.
#[inline]
pub fn info(op: u8, fork: Fork) -> Option<&'static OpInfo> {
    match &OPCODES[op as usize] {
        Some(info) if fork.is_enabled(info.since) => Some(info),
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
        assert!(info(PUSH0, Fork::London).is_none());
        assert!(info(PUSH0, Fork::Shanghai).is_some());
        assert_eq!(OPCODES.iter().flatten().count(), 150);
    }
}
