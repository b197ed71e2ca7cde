//! The case generator: a few contracts whose generated code calls each other (CALL,
//! CALLCODE, DELEGATECALL, STATICCALL), creates contracts (CREATE, CREATE2) whose initcode
//! is generated too, calls the precompiles with edge-case inputs, plays set/reset/restore
//! games on a few storage slots, touches memory at awkward offsets, and reverts, halts or
//! runs out of gas at any depth; plus a transaction of any type the fork knows.
//!
//! Call depth is bounded by the callee: every contract starts with a prologue that reads its
//! depth from the first calldata word and jumps to a short leaf section (no calls) at its
//! maximum; callers pass their own depth plus one.

use crate::precompiles;
use crate::program::{Code, Frag, Item, Program};
use crate::rng::{mix, Rng};
use crate::scenario::{GenAccount, GenAuth, GenEnv, GenTx, Scenario, COINBASE, SECRET_KEY, SENDER};
use ember_evm::primitives::BlobParams;
use ember_evm::{AccessListItem, Address, Fork, Precompiles, Spec, TxType, B256, U256};
use std::collections::HashMap;
use std::sync::OnceLock;

/// Opcodes used by name.
mod op {
    pub const STOP: u8 = 0x00;
    pub const ADD: u8 = 0x01;
    pub const SUB: u8 = 0x03;
    pub const DIV: u8 = 0x04;
    pub const LT: u8 = 0x10;
    pub const ISZERO: u8 = 0x15;
    pub const AND: u8 = 0x16;
    pub const KECCAK256: u8 = 0x20;
    pub const ADDRESS: u8 = 0x30;
    pub const BALANCE: u8 = 0x31;
    pub const CALLER: u8 = 0x33;
    pub const CALLVALUE: u8 = 0x34;
    pub const CALLDATALOAD: u8 = 0x35;
    pub const CALLDATACOPY: u8 = 0x37;
    pub const CODECOPY: u8 = 0x39;
    pub const EXTCODESIZE: u8 = 0x3b;
    pub const EXTCODECOPY: u8 = 0x3c;
    pub const RETURNDATASIZE: u8 = 0x3d;
    pub const RETURNDATACOPY: u8 = 0x3e;
    pub const SELFBALANCE: u8 = 0x47;
    pub const POP: u8 = 0x50;
    pub const MLOAD: u8 = 0x51;
    pub const MSTORE: u8 = 0x52;
    pub const MSTORE8: u8 = 0x53;
    pub const SLOAD: u8 = 0x54;
    pub const SSTORE: u8 = 0x55;
    pub const JUMP: u8 = 0x56;
    pub const JUMPI: u8 = 0x57;
    pub const MSIZE: u8 = 0x59;
    pub const GAS: u8 = 0x5a;
    pub const TLOAD: u8 = 0x5c;
    pub const TSTORE: u8 = 0x5d;
    pub const MCOPY: u8 = 0x5e;
    pub const DUP1: u8 = 0x80;
    pub const DUP5: u8 = 0x84;
    pub const DUP6: u8 = 0x85;
    pub const SWAP1: u8 = 0x90;
    pub const LOG0: u8 = 0xa0;
    pub const CREATE: u8 = 0xf0;
    pub const CALL: u8 = 0xf1;
    pub const CALLCODE: u8 = 0xf2;
    pub const RETURN: u8 = 0xf3;
    pub const DELEGATECALL: u8 = 0xf4;
    pub const CREATE2: u8 = 0xf5;
    pub const STATICCALL: u8 = 0xfa;
    pub const REVERT: u8 = 0xfd;
    pub const INVALID: u8 = 0xfe;
    pub const SELFDESTRUCT: u8 = 0xff;
}

/// The forks both EVMs implement, oldest first (revm has no EIP-1283 Constantinople).
pub const FORKS: [Fork; 13] = [
    Fork::Frontier,
    Fork::Homestead,
    Fork::Tangerine,
    Fork::SpuriousDragon,
    Fork::Byzantium,
    Fork::Petersburg,
    Fork::Istanbul,
    Fork::Berlin,
    Fork::London,
    Fork::Paris,
    Fork::Shanghai,
    Fork::Cancun,
    Fork::Prague,
];

/// An externally owned account with a balance.
const EOA: Address = Address::new([
    0xe0, 0xa0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01,
]);
/// An account that exists but is empty (nonce 0, balance 0, no code), when present.
const EMPTY: Address = Address::new([
    0xe1, 0xe1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02,
]);
/// An account that never exists in the pre-state.
const NOBODY: Address = Address::new([
    0xde, 0xad, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xbe, 0xef,
]);

/// How many EIP-7702 authorities there are.
const AUTHORITIES: usize = 3;

/// The secret key of EIP-7702 authority `i`.
fn authority_key(i: usize) -> B256 {
    ember_evm::keccak256(format!("ember-difffuzz authority {i}"))
}

/// The address of EIP-7702 authority `i`.
pub fn authority(i: usize) -> Address {
    static ADDRESSES: OnceLock<Vec<Address>> = OnceLock::new();
    ADDRESSES.get_or_init(|| {
        (0..AUTHORITIES)
            .map(|i| {
                ember_conformance::sign::address_from_secret_key(&authority_key(i))
                    .expect("a valid key")
            })
            .collect()
    })[i]
}

/// Signs an EIP-7702 authorization with `key`: `(y_parity, r, s)`.
fn sign_authorization(
    key: &B256,
    chain_id: U256,
    address: Address,
    nonce: u64,
) -> (U256, U256, U256) {
    use secp256k1::{Message, SecretKey, SECP256K1};
    let hash = ember_conformance::sign::authorization_signing_hash(chain_id, address, nonce);
    let sk = SecretKey::from_byte_array(key.0).expect("a valid key");
    let sig = SECP256K1.sign_ecdsa_recoverable(Message::from_digest(hash.0), &sk);
    let (id, compact) = sig.serialize_compact();
    (
        U256::from(i32::from(id) as u64),
        U256::from_be_slice(&compact[..32]),
        U256::from_be_slice(&compact[32..]),
    )
}

/// The secp256k1 group order.
const SECP256K1_N: U256 = U256::from_be_bytes([
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe,
    0xba, 0xae, 0xdc, 0xe6, 0xaf, 0x48, 0xa0, 0x3b, 0xbf, 0xd2, 0x5e, 0x8c, 0xd0, 0x36, 0x41, 0x41,
]);

/// The address of generated contract `i`.
pub fn contract(i: usize) -> Address {
    let mut b = [0u8; 20];
    b[0] = 0xc0;
    b[1] = 0xde;
    b[19] = i as u8;
    Address::new(b)
}

/// The address as a push.
fn push_addr(a: Address) -> Item {
    Item::Push(U256::from_be_slice(a.as_slice()))
}

fn push(v: u64) -> Item {
    Item::Push(U256::from(v))
}

/// What a call frame or a creation calls.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Target {
    /// A generated contract.
    Contract(usize),
    /// The running contract itself (ADDRESS).
    Myself,
    /// The caller (CALLER).
    Caller,
    /// A precompile address (active or not in this fork).
    Precompile(u64),
    /// Some other account: the sender, an EOA, an empty one, a missing one, the coinbase.
    Other(Address),
}

impl Target {
    fn item(self) -> Item {
        match self {
            Target::Contract(i) => push_addr(contract(i)),
            Target::Myself => Item::Op(op::ADDRESS),
            Target::Caller => Item::Op(op::CALLER),
            Target::Precompile(a) => push(a),
            Target::Other(a) => push_addr(a),
        }
    }

    /// True when the target runs generated code that reads its depth from calldata.
    fn runs_code(self) -> bool {
        matches!(self, Target::Contract(_) | Target::Myself | Target::Caller)
    }
}

/// What the generator may do beyond its defaults.
#[derive(Clone, Copy, Debug, Default)]
pub struct Options {
    /// Fix the fork instead of drawing one.
    pub fork: Option<Fork>,
    /// Also place storage-only accounts where creations land (EIP-7610 collisions, which
    /// revm 43 does not implement).
    pub eip7610: bool,
}

/// Generates one [`Scenario`].
pub struct Gen {
    options: Options,
    rng: Rng,
    fork: Fork,
    contracts: usize,
    next_label: u32,
    /// Whether the code being generated may do things that nearly always halt the frame
    /// (absurd memory offsets, junk, bad jumps, out-of-bounds RETURNDATACOPY). The entry
    /// contract is mostly generated without, so the top frame often survives to commit.
    risky: bool,
    /// Generating the entry contract (the transaction's usual target).
    entry: bool,
}

/// The scenario of case `index` of the run seeded `seed`.
pub fn generate(seed: u64, index: u64, options: Options) -> Scenario {
    let rng = Rng::new(mix(seed ^ mix(index.wrapping_add(0x5eed))));
    generate_with(rng, seed, index, options)
}

/// The scenario whose every choice is drawn from `tape` first (see [`Rng::from_tape`]):
/// the coverage-guided fuzz target's way in. Recorded as seed 0, case 0.
pub fn generate_from_tape(tape: &[u8], options: Options) -> Scenario {
    generate_with(Rng::from_tape(tape), 0, 0, options)
}

fn generate_with(mut rng: Rng, seed: u64, index: u64, options: Options) -> Scenario {
    let drawn = rng.pick(&FORKS);
    let fork = options.fork.unwrap_or(drawn);
    let contracts = rng.range(2, 4) as usize;
    let mut g = Gen {
        options,
        rng,
        fork,
        contracts,
        next_label: 0,
        risky: true,
        entry: false,
    };
    g.scenario(seed, index)
}

/// A second transaction for `s` (from the same sender, next nonce), to run after the first
/// in the same EVM: what one transaction leaves behind (warm sets, transient storage,
/// self-destructs, refunds) must not leak into the next.
pub fn second_tx(s: &Scenario, options: Options) -> GenTx {
    let rng = Rng::new(mix(s.seed ^ mix(s.index ^ 0x2d_7478)));
    let contracts = s
        .accounts
        .iter()
        .filter(|a| a.address.as_slice()[..2] == [0xc0, 0xde])
        .count()
        .max(1);
    let mut g = Gen {
        options,
        rng,
        fork: s.fork,
        contracts,
        next_label: 1 << 20,
        risky: true,
        entry: false,
    };
    let sender = s.accounts.iter().find(|a| a.address == SENDER);
    let nonce = sender.map_or(0, |a| a.nonce) + 1;
    g.tx(&s.env, Spec::of(s.fork), nonce, &s.accounts)
}

impl Gen {
    fn label(&mut self) -> u32 {
        self.next_label += 1;
        self.next_label
    }

    /// The fork's rules.
    fn spec(&self) -> &'static Spec {
        Spec::of(self.fork)
    }

    /// True when the fork defines `opcode` (Ember's opcode table decides).
    fn defined(&self, opcode: u8) -> bool {
        ember_evm::bytecode::opcode::info(opcode, self.spec()).is_some()
    }

    /// `opcode` when the fork has it; otherwise usually a replacement, sometimes the opcode
    /// anyway (an undefined instruction).
    fn opcode(&mut self, opcode: u8, instead: u8) -> u8 {
        if self.defined(opcode) || self.rng.chance(3) {
            opcode
        } else {
            instead
        }
    }

    // ---------------------------------------------------------------- values

    /// An interesting 256-bit word.
    fn word(&mut self) -> U256 {
        let r = &mut self.rng;
        match r.below(18) {
            0 | 1 => U256::ZERO,
            2 => U256::from(1),
            3 => U256::from(2),
            4 => U256::from(r.below(256)),
            5 => U256::from(1) << 255,
            6 => U256::MAX,
            7 => U256::MAX - U256::from(1),
            8 => (U256::from(1) << 255) - U256::from(1),
            9 => U256::from(1) << (r.below(256) as usize),
            10 => (U256::from(1) << (r.below(256) as usize)) - U256::from(1),
            11 => r.u256(),
            12 => U256::from(r.pick(&[31u64, 32, 33, 63, 64, 65])),
            13 => U256::from_be_slice(contract(r.below(4) as usize).as_slice()),
            14 => U256::MAX << (r.below(256) as usize),
            15 => U256::from(r.next_u64()),
            16 => U256::from(r.pick(&[8u64, 16, 30, 31, 32, 248, 255, 256, 257])),
            _ => U256::from(r.below(16)),
        }
    }

    /// A memory offset: mostly small and unaligned, sometimes large or absurd.
    fn offset(&mut self) -> U256 {
        let r = &mut self.rng;
        let k = u32::from(self.risky);
        match r.weighted(&[40, 25, 15, 8, 6, 3 * k, 2 * k, k]) {
            0 => U256::from(r.pick(&[0u64, 1, 2, 31, 32, 33, 63, 64, 65, 95, 96, 127, 128])),
            1 => U256::from(r.below(0x200)),
            2 => U256::from(r.range(0x200, 0x1000)),
            3 => U256::from(r.pick(&[0xffe0u64, 0xffff, 0x10000, 0x10001])),
            4 => U256::from(r.range(0x1000, 0x8000)),
            5 => U256::from(r.pick(&[0x10_0000u64, 0xffff_ffff, 0x1_0000_0000, u64::MAX])),
            6 => U256::MAX,
            _ => U256::from(1) << 64,
        }
    }

    /// An offset that does not matter for memory size: the destination of a zero-size
    /// access, or the source of a copy from calldata or code (past the end reads zeros).
    fn absurd(&mut self) -> U256 {
        match self.rng.below(6) {
            0 => U256::from(u32::MAX),
            1 => U256::from(1u64 << 32),
            2 => U256::from(u64::MAX),
            3 => U256::from(1) << 64,
            4 => U256::MAX,
            _ => U256::from(0x1_0000_0000_0000u64),
        }
    }

    /// The offset for an access of `size` bytes: for zero sizes often absurd (no memory is
    /// touched, so no cost and no fault), else `usual`.
    fn place(&mut self, size: U256, usual: U256) -> U256 {
        if size.is_zero() && self.rng.chance(40) {
            self.absurd()
        } else {
            usual
        }
    }

    /// A small offset (where code is written before a call or creation).
    fn small_offset(&mut self) -> u64 {
        let r = &mut self.rng;
        match r.below(6) {
            0 => 0,
            1 => r.below(64),
            2 => 0x100 + r.below(0x100),
            _ => r.below(0x400),
        }
    }

    /// A memory size.
    fn size(&mut self) -> U256 {
        let r = &mut self.rng;
        let k = u32::from(self.risky);
        match r.weighted(&[20, 35, 20, 10, 5, 3 * k, 2 * k]) {
            0 => U256::ZERO,
            1 => U256::from(r.pick(&[1u64, 2, 20, 31, 32, 33, 64, 65])),
            2 => U256::from(r.below(0x200)),
            3 => U256::from(r.range(0x200, 0x2000)),
            4 => U256::from(r.pick(&[0xc000u64, 0xc001, 0x6000, 0x6001, 0x10000])),
            5 => U256::from(r.pick(&[0xffff_ffffu64, u64::MAX])),
            _ => U256::MAX,
        }
    }

    /// A storage slot: one of a few (so writes collide), sometimes anything.
    fn slot(&mut self) -> U256 {
        if self.rng.chance(92) {
            U256::from(self.rng.below(5))
        } else {
            self.word()
        }
    }

    /// A value to store: zero, one, two, three or anything.
    fn slot_value(&mut self) -> U256 {
        match self.rng.weighted(&[35, 25, 20, 5, 15]) {
            0 => U256::ZERO,
            1 => U256::from(1),
            2 => U256::from(2),
            3 => U256::from(3),
            _ => self.word(),
        }
    }

    /// Items that push an amount of wei to send.
    fn value(&mut self) -> Vec<Item> {
        match self.rng.weighted(&[65, 15, 5, 5, 5, 5]) {
            0 => vec![push(0)],
            1 => vec![push(1)],
            2 => {
                if self.defined(op::SELFBALANCE) {
                    vec![Item::Op(op::SELFBALANCE)]
                } else {
                    vec![Item::Op(op::ADDRESS), Item::Op(op::BALANCE)]
                }
            }
            3 => vec![Item::Push(U256::from(10u64.pow(18)))],
            4 => vec![push(self.rng.next_u64() >> self.rng.below(64))],
            _ => vec![Item::Push(U256::MAX)],
        }
    }

    /// Items that push a call's gas. Before EIP-150 asking for more than is left is out of
    /// gas for the caller, so "all of it" and huge amounts are rarer there.
    fn call_gas(&mut self) -> Vec<Item> {
        let weights = if self.spec().call_gas_63_64 {
            [20, 45, 25, 10, 10]
        } else {
            [3, 60, 35, 2, 20]
        };
        match self.rng.weighted(&weights) {
            4 => vec![
                // All but a little: before EIP-150 this is how recursion gets deep.
                push(self.rng.pick(&[100u64, 700, 1000, 2000, 5000])),
                Item::Op(op::GAS),
                Item::Op(op::SUB),
            ],
            0 => vec![Item::Op(op::GAS)],
            1 => vec![push(self.rng.pick(&[
                0u64, 1, 100, 2300, 2301, 2306, 2500, 5000, 10_000, 25_000, 50_000, 100_000,
                1_000_000,
            ]))],
            2 => vec![
                Item::Op(op::GAS),
                push(2),
                Item::Op(op::SWAP1),
                Item::Op(op::DIV),
            ],
            _ => vec![Item::Push(match self.rng.below(3) {
                0 => U256::from(u32::MAX),
                1 => U256::from(u64::MAX),
                _ => U256::MAX,
            })],
        }
    }

    /// Where a call or creation goes.
    fn target(&mut self) -> Target {
        match self.rng.weighted(&[45, 10, 4, 25, 8]) {
            0 => Target::Contract(self.rng.below(self.contracts as u64) as usize),
            1 => Target::Myself,
            2 => Target::Caller,
            3 => Target::Precompile(self.precompile()),
            _ => Target::Other(self.other_account()),
        }
    }

    /// A precompile address: mostly one the fork has.
    fn precompile(&mut self) -> u64 {
        // The highest address below 0x100 in the fork's set (0x04 up to 0x11).
        let top = Precompiles::for_spec(self.spec())
            .addresses()
            .filter(|a| a[..19].iter().all(|&b| b == 0))
            .map(|a| u64::from(a[19]))
            .max()
            .unwrap_or(0x04);
        match self.rng.below(20) {
            0 => self.rng.range(1, 0x12),
            1 => 0x100,
            _ => self.rng.range(1, top),
        }
    }

    fn other_account(&mut self) -> Address {
        if self.rng.chance(40) {
            authority(self.rng.below(AUTHORITIES as u64) as usize)
        } else {
            self.rng.pick(&[SENDER, EOA, EMPTY, NOBODY, COINBASE])
        }
    }

    /// An address for BALANCE, EXTCODE*, SELFDESTRUCT beneficiaries and access lists.
    fn any_address(&mut self) -> Address {
        match self.rng.below(4) {
            0 | 1 => contract(self.rng.below(self.contracts as u64) as usize),
            2 => precompile_address(self.precompile()),
            _ => self.other_account(),
        }
    }

    // ---------------------------------------------------------------- fragments

    /// Consumes the value on top of the stack: stores it, writes it to memory, or drops it.
    fn sink(&mut self, items: &mut Vec<Item>) {
        match self.rng.weighted(&[40, 25, 35]) {
            0 => {
                items.push(Item::Push(self.slot()));
                items.push(Item::Op(op::SSTORE));
            }
            1 => {
                items.push(Item::Push(self.offset_modest()));
                items.push(Item::Op(op::MSTORE));
            }
            _ => items.push(Item::Op(op::POP)),
        }
    }

    /// An offset that rarely runs out of gas.
    fn offset_modest(&mut self) -> U256 {
        if self.rng.chance(90) {
            U256::from(self.rng.below(0x140))
        } else {
            self.offset()
        }
    }

    /// A fragment of a contract's body.
    fn frag(&mut self, level: u32, calls: bool) -> Frag {
        let k = u32::from(self.risky);
        let weights = [
            14,                                     // arithmetic
            10,                                     // environment
            10,                                     // memory
            14,                                     // storage
            if calls { 24 } else { 0 },             // calls
            if calls && level < 2 { 7 } else { 0 }, // creations
            5,                                      // logs
            6,                                      // conditional exit
            3,                                      // loops
            2 * k,                                  // junk
            4,                                      // return data
            k,                                      // bad jump
            if calls { 4 } else { 0 },              // gas ladder
        ];
        match self.rng.weighted(&weights) {
            0 => Frag::Ops(self.arith()),
            1 => Frag::Ops(self.env()),
            2 => Frag::Ops(self.memory()),
            3 => Frag::Ops(self.storage()),
            4 => self.call(),
            5 => self.create(level),
            6 => Frag::Ops(self.log()),
            7 => Frag::Ops(self.conditional_exit()),
            8 => Frag::Ops(self.r#loop()),
            9 => Frag::Ops(self.junk()),
            10 => Frag::Ops(self.returndata()),
            11 => Frag::Ops(self.bad_jump()),
            _ => self.ladder(),
        }
    }

    fn arith(&mut self) -> Vec<Item> {
        const BINARY: [u8; 21] = [
            0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x0a, 0x0b, 0x10, 0x11, 0x12, 0x13, 0x14,
            0x16, 0x17, 0x18, 0x1a, 0x1b, 0x1c, 0x1d,
        ];
        let mut items = vec![Item::Push(self.word())];
        for _ in 0..self.rng.range(1, 3) {
            match self.rng.below(10) {
                0 => {
                    let o = self.rng.pick(&[0x15u8, 0x19, 0x1e]);
                    items.push(Item::Op(self.opcode(o, 0x15)));
                }
                1 => {
                    items.push(Item::Push(self.word()));
                    items.push(Item::Push(self.word()));
                    items.push(Item::Op(self.rng.pick(&[0x08u8, 0x09])));
                }
                _ => {
                    items.push(Item::Push(self.word()));
                    let o = self.rng.pick(&BINARY);
                    items.push(Item::Op(self.opcode(o, 0x01)));
                }
            }
        }
        self.sink(&mut items);
        items
    }

    fn env(&mut self) -> Vec<Item> {
        const NULLARY: [u8; 22] = [
            0x30, 0x32, 0x33, 0x34, 0x36, 0x38, 0x3a, 0x3d, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46,
            0x47, 0x48, 0x4a, 0x58, 0x59, 0x5a, 0x5a, 0x5f,
        ];
        let mut items = Vec::new();
        match self.rng.below(3) {
            0 => {
                let o = self.rng.pick(&NULLARY);
                items.push(Item::Op(self.opcode(o, op::GAS)));
            }
            1 => {
                let o = self.rng.pick(&[0x31u8, 0x3b, 0x3f]);
                let a = self.any_address();
                items.push(push_addr(a));
                items.push(Item::Op(self.opcode(o, op::BALANCE)));
            }
            _ => match self.rng.below(4) {
                0 => {
                    items.push(push(self.rng.pick(&[0u64, 1, 2, 256, 257, u64::MAX])));
                    items.push(Item::Op(0x40));
                }
                1 => {
                    items.push(push(self.rng.pick(&[0u64, 1, 2, 5, 8, u64::MAX])));
                    items.push(Item::Op(self.opcode(0x49, op::CALLDATALOAD)));
                }
                2 => {
                    items.push(Item::Push(self.word()));
                    items.push(Item::Op(op::CALLDATALOAD));
                }
                _ => {
                    items.push(Item::Push(self.offset_modest()));
                    items.push(Item::Op(op::MLOAD));
                }
            },
        }
        self.sink(&mut items);
        items
    }

    fn memory(&mut self) -> Vec<Item> {
        let mut items = Vec::new();
        match self.rng.weighted(&[25, 8, 12, 8, 8, 6, 8, 8, 10]) {
            0 | 1 => {
                items.push(Item::Push(self.word()));
                items.push(Item::Push(self.offset()));
                items.push(Item::Op(if self.rng.chance(75) {
                    op::MSTORE
                } else {
                    op::MSTORE8
                }));
            }
            2 => {
                items.push(Item::Push(self.offset()));
                items.push(Item::Op(op::MLOAD));
                self.sink(&mut items);
            }
            3 | 4 | 7 => {
                // CALLDATACOPY / CODECOPY / MCOPY (dest, src, size)
                let o = self.rng.pick(&[op::CALLDATACOPY, op::CODECOPY, op::MCOPY]);
                let size = self.size();
                items.push(Item::Push(size));
                let src = self.offset();
                let src = if o != op::MCOPY && self.rng.chance(15) {
                    self.absurd()
                } else {
                    self.place(size, src)
                };
                items.push(Item::Push(src));
                let dest = self.offset();
                items.push(Item::Push(self.place(size, dest)));
                items.push(Item::Op(self.opcode(o, op::CODECOPY)));
            }
            5 => {
                let size = self.size();
                items.push(Item::Push(size));
                let src = if self.rng.chance(15) {
                    self.absurd()
                } else {
                    self.offset()
                };
                items.push(Item::Push(src));
                let dest = self.offset();
                items.push(Item::Push(self.place(size, dest)));
                let a = self.any_address();
                items.push(push_addr(a));
                items.push(Item::Op(op::EXTCODECOPY));
            }
            6 if self.risky => {
                let size = if self.rng.chance(50) {
                    U256::from(self.rng.below(40))
                } else {
                    self.size()
                };
                items.push(Item::Push(size));
                items.push(Item::Push(if self.rng.chance(10) {
                    self.absurd()
                } else {
                    U256::from(self.rng.below(40))
                }));
                let dest = self.offset();
                items.push(Item::Push(self.place(size, dest)));
                items.push(Item::Op(self.opcode(op::RETURNDATACOPY, op::CODECOPY)));
            }
            _ => {
                let size = self.size();
                items.push(Item::Push(size));
                let at = self.offset();
                items.push(Item::Push(self.place(size, at)));
                items.push(Item::Op(op::KECCAK256));
                self.sink(&mut items);
            }
        }
        items
    }

    fn storage(&mut self) -> Vec<Item> {
        let mut items = Vec::new();
        match self.rng.weighted(&[55, 15, 10, 20]) {
            0 => {
                // A set/reset/restore sequence on one or two slots.
                let slots = [self.slot(), self.slot()];
                for _ in 0..self.rng.range(1, 4) {
                    let s = slots[self.rng.below(2) as usize];
                    items.push(Item::Push(self.slot_value()));
                    items.push(Item::Push(s));
                    items.push(Item::Op(op::SSTORE));
                }
            }
            1 => {
                let s = self.slot();
                items.push(Item::Push(s));
                items.push(Item::Op(op::SLOAD));
                self.sink(&mut items);
            }
            2 => {
                // Write back what is there (a no-op write).
                let s = self.slot();
                items.extend([
                    Item::Push(s),
                    Item::Op(op::SLOAD),
                    Item::Push(s),
                    Item::Op(op::SSTORE),
                ]);
            }
            _ => {
                let tstore = self.opcode(op::TSTORE, op::SSTORE);
                let tload = self.opcode(op::TLOAD, op::SLOAD);
                for _ in 0..self.rng.range(1, 3) {
                    let s = self.slot();
                    if self.rng.chance(60) {
                        items.push(Item::Push(self.slot_value()));
                        items.push(Item::Push(s));
                        items.push(Item::Op(tstore));
                    } else {
                        items.push(Item::Push(s));
                        items.push(Item::Op(tload));
                        self.sink(&mut items);
                    }
                }
            }
        }
        items
    }

    fn log(&mut self) -> Vec<Item> {
        let n = self.rng.below(5) as u8;
        let mut items = Vec::new();
        for _ in 0..n {
            items.push(Item::Push(self.word()));
        }
        let size = if self.rng.chance(70) {
            U256::from(self.rng.below(100))
        } else {
            self.size()
        };
        items.push(Item::Push(size));
        let at = self.offset_modest();
        items.push(Item::Push(self.place(size, at)));
        items.push(Item::Op(op::LOG0 + n));
        items
    }

    /// Exits the frame one way or another: return, revert, stop, invalid, selfdestruct,
    /// running out of gas.
    fn exit(&mut self) -> Vec<Item> {
        let mut items = Vec::new();
        let k = u32::from(self.risky);
        match self.rng.weighted(&[30, 20, 25, 6, 7, 5, 7 * k, 3]) {
            0 | 1 => {
                let size = if self.rng.chance(80) {
                    U256::from(self.rng.below(70))
                } else {
                    self.size()
                };
                items.push(Item::Push(size));
                let at = self.offset_modest();
                items.push(Item::Push(self.place(size, at)));
                let o = if self.rng.chance(50) {
                    op::RETURN
                } else {
                    self.opcode(op::REVERT, op::RETURN)
                };
                items.push(Item::Op(o));
            }
            2 => items.push(Item::Op(op::STOP)),
            3 => items.push(Item::Op(op::INVALID)),
            4 => {
                let a = self.any_address();
                items.push(if self.rng.chance(20) {
                    Item::Op(op::ADDRESS)
                } else {
                    push_addr(a)
                });
                items.push(Item::Op(op::SELFDESTRUCT));
            }
            5 => {
                let l = self.label();
                items.extend([Item::Label(l), Item::PushLabel(l), Item::Op(op::JUMP)]);
            }
            7 => {
                // Stack overflow: push until 1024 items (or out of gas).
                let l = self.label();
                items.extend([
                    Item::Label(l),
                    Item::Op(op::GAS),
                    Item::PushLabel(l),
                    Item::Op(op::JUMP),
                ]);
            }
            _ => {
                // Stack underflow.
                items.push(Item::Op(op::ADD));
                items.push(Item::Op(op::ADD));
                items.push(Item::Op(op::POP));
                items.push(Item::Op(op::POP));
            }
        }
        items
    }

    fn conditional_exit(&mut self) -> Vec<Item> {
        let mut items = match self.rng.below(6) {
            0 => vec![
                push(0),
                Item::Op(op::CALLDATALOAD),
                push(1),
                Item::Op(op::AND),
            ],
            1 => vec![Item::Op(op::GAS), push(1), Item::Op(op::AND)],
            2 => vec![Item::Op(op::CALLVALUE)],
            3 => vec![Item::Op(self.opcode(op::RETURNDATASIZE, op::CALLVALUE))],
            4 => vec![push(self.rng.below(2))],
            _ => vec![Item::Push(self.slot()), Item::Op(op::SLOAD)],
        };
        let skip = self.label();
        items.push(Item::PushLabel(skip));
        items.push(Item::Op(op::JUMPI));
        items.extend(self.exit());
        items.push(Item::Label(skip));
        items
    }

    fn r#loop(&mut self) -> Vec<Item> {
        let count = if self.rng.chance(90) {
            self.rng.range(1, 20)
        } else {
            self.rng.range(100, 400)
        };
        let head = self.label();
        let mut items = vec![push(count), Item::Label(head)];
        let body = match self.rng.below(4) {
            0 => self.arith(),
            1 => self.storage(),
            2 => self.memory(),
            _ => self.env(),
        };
        items.extend(body);
        items.extend([
            push(1),
            Item::Op(op::SWAP1),
            Item::Op(op::SUB),
            Item::Op(op::DUP1),
            Item::PushLabel(head),
            Item::Op(op::JUMPI),
            Item::Op(op::POP),
        ]);
        items
    }

    fn junk(&mut self) -> Vec<Item> {
        let mut items = Vec::new();
        if self.rng.chance(10) {
            // Raw bytes: a PUSH here swallows what follows (jump targets move into data).
            let n = self.rng.range(1, 4) as usize;
            items.push(Item::Raw(self.rng.bytes(n)));
        }
        for _ in 0..self.rng.range(1, 6) {
            if self.rng.chance(50) {
                items.push(Item::Push(self.word()));
            } else {
                let b = self.rng.next_u64() as u8;
                // Keep pushes whole: a stray PUSH byte would swallow what follows.
                let b = if (0x60..=0x7f).contains(&b) {
                    op::POP
                } else {
                    b
                };
                items.push(Item::Op(b));
            }
        }
        items
    }

    fn returndata(&mut self) -> Vec<Item> {
        let mut items = vec![Item::Op(self.opcode(op::RETURNDATASIZE, op::CALLVALUE))];
        if self.rng.chance(50) || !self.risky {
            self.sink(&mut items);
        } else {
            // RETURNDATACOPY(dest, offset, RETURNDATASIZE - k or + k)
            items.push(push(self.rng.below(3)));
            items.push(Item::Op(if self.rng.chance(50) {
                op::ADD
            } else {
                op::SUB
            }));
            items.push(push(self.rng.below(4)));
            items.push(Item::Push(self.offset_modest()));
            items.push(Item::Op(self.opcode(op::RETURNDATACOPY, op::CODECOPY)));
        }
        items
    }

    fn bad_jump(&mut self) -> Vec<Item> {
        let dest = self.rng.below(64);
        if self.rng.chance(50) {
            vec![push(dest), Item::Op(op::JUMP)]
        } else {
            vec![push(1), push(dest), Item::Op(op::JUMPI)]
        }
    }

    /// A call of any kind to any target, its input written to memory first.
    fn call(&mut self) -> Frag {
        let target = self.target();
        let kind = match self.rng.weighted(&[50, 8, 20, 20]) {
            0 => op::CALL,
            1 => op::CALLCODE,
            2 => self.opcode(op::DELEGATECALL, op::CALL),
            _ => self.opcode(op::STATICCALL, op::CALL),
        };
        let args_offset = self.small_offset();
        let input = match target {
            Target::Precompile(a) => precompiles::input(&mut self.rng, a),
            _ => {
                let words = self.rng.range(1, 4) as usize;
                let mut v = self.rng.bytes(32 * words);
                v[..32].fill(0);
                v
            }
        };
        let args_size = if self.rng.chance(85) {
            U256::from(input.len())
        } else {
            self.size()
        };
        let mut tail = Vec::new();
        if target.runs_code() || matches!(target, Target::Other(_)) {
            // Pass on our depth plus one.
            tail.extend([
                push(0),
                Item::Op(op::CALLDATALOAD),
                push(1),
                Item::Op(op::ADD),
                push(args_offset),
                Item::Op(op::MSTORE),
            ]);
        }
        let (ret_offset, ret_size) = if self.rng.chance(80) {
            (
                U256::from(self.rng.below(0x100)),
                U256::from(self.rng.pick(&[0u64, 1, 20, 31, 32, 33, 64, 96])),
            )
        } else {
            let size = self.size();
            let at = self.offset();
            (self.place(size, at), size)
        };
        tail.push(Item::Push(ret_size));
        tail.push(Item::Push(ret_offset));
        tail.push(Item::Push(args_size));
        tail.push(push(args_offset));
        if kind == op::CALL || kind == op::CALLCODE {
            tail.extend(self.value());
        }
        tail.push(target.item());
        if matches!(target, Target::Precompile(_)) && self.rng.chance(60) {
            // Enough for the expensive ones (pairings, point evaluation, MSMs).
            let g = self.rng.pick(&[60_000u64, 120_000, 250_000, 500_000]);
            tail.push(push(g));
        } else {
            tail.extend(self.call_gas());
        }
        tail.push(Item::Op(kind));
        self.sink(&mut tail);
        if self.rng.chance(50) {
            // Make the output visible in the state: store its size and its hash.
            let slot = 0x100 + self.rng.below(4);
            tail.extend([
                Item::Op(self.opcode(op::RETURNDATASIZE, op::MSIZE)),
                push(slot),
                Item::Op(op::SSTORE),
                Item::Push(ret_size.min(U256::from(0x100))),
                Item::Push(ret_offset.min(U256::from(0x1000))),
                Item::Op(op::KECCAK256),
                push(slot + 0x10),
                Item::Op(op::SSTORE),
            ]);
        } else if self.rng.chance(30) {
            tail.extend(self.returndata());
        }
        Frag::WithCode {
            offset: args_offset,
            code: Box::new(Code::Raw(input)),
            tail,
        }
    }

    /// The same call made with gas `base + i * step` for `i` = n..1, each success flag kept
    /// in memory and their hash stored: finds off-by-one differences in where a callee runs
    /// out of gas. `base` sits just below a known cost (a precompile's, a stipend, a write).
    fn ladder(&mut self) -> Frag {
        const COSTS: [u64; 28] = [
            15, 18, 21, 60, 72, 84, 150, 200, 375, 500, 600, 720, 2300, 2600, 2900, 3000, 5000,
            6000, 12_000, 20_000, 21_000, 22_100, 40_000, 45_000, 50_000, 79_000, 100_000, 113_000,
        ];
        let target = self.target();
        let kind = match self.rng.weighted(&[60, 20, 20]) {
            0 => op::CALL,
            1 => self.opcode(op::STATICCALL, op::CALL),
            _ => self.opcode(op::DELEGATECALL, op::CALL),
        };
        let n = self.rng.range(4, 24);
        let step = self.rng.pick(&[1u64, 1, 1, 2, 3, 7, 50]);
        let base = if self.rng.chance(80) {
            self.rng
                .pick(&COSTS)
                .saturating_sub(self.rng.below(n * step + 1))
        } else {
            self.rng.below(30_000)
        };
        let args_offset = self.small_offset();
        let input = match target {
            Target::Precompile(a) => precompiles::input(&mut self.rng, a),
            _ => vec![0u8; 32],
        };
        let flags = 0x300u64;
        let head = self.label();
        let mut tail = vec![push(n), Item::Label(head)];
        if target.runs_code() || matches!(target, Target::Other(_)) {
            tail.extend([
                push(0),
                Item::Op(op::CALLDATALOAD),
                push(1),
                Item::Op(op::ADD),
                push(args_offset),
                Item::Op(op::MSTORE),
            ]);
        }
        tail.extend([
            push(self.rng.pick(&[0u64, 32])),
            push(0x200),
            push(input.len() as u64),
            push(args_offset),
        ]);
        let dup_i = if kind == op::CALL {
            tail.push(push(0));
            op::DUP6 + 1 // i sits under six values
        } else {
            op::DUP6
        };
        tail.push(target.item());
        tail.extend([
            Item::Op(dup_i),
            push(step),
            Item::Op(0x02), // MUL
            push(base),
            Item::Op(op::ADD),
            Item::Op(kind),
            // [i, ok] -> MSTORE8(flags + i, ok)
            Item::Op(0x81), // DUP2
            push(flags),
            Item::Op(op::ADD),
            Item::Op(op::MSTORE8),
            push(1),
            Item::Op(op::SWAP1),
            Item::Op(op::SUB),
            Item::Op(op::DUP1),
            Item::PushLabel(head),
            Item::Op(op::JUMPI),
            Item::Op(op::POP),
            push(n),
            push(flags + 1),
            Item::Op(op::KECCAK256),
            push(0x2ff),
            Item::Op(op::SSTORE),
        ]);
        Frag::WithCode {
            offset: args_offset,
            code: Box::new(Code::Raw(input)),
            tail,
        }
    }

    /// CREATE or CREATE2 of generated initcode, then maybe a call to the new contract.
    fn create(&mut self, level: u32) -> Frag {
        let create2 = self.defined(op::CREATE2) && self.rng.chance(45);
        let offset = self.small_offset();
        let init = if self.rng.chance(85) {
            Code::Program(self.initcode(level + 1))
        } else {
            let n = self.rng.below(40) as usize;
            Code::Raw(self.rng.bytes(n))
        };
        let mut tail = Vec::new();
        if create2 {
            tail.push(push(self.rng.below(3)));
        }
        tail.push(match self.rng.below(20) {
            0 => push(self.rng.pick(&[0u64, 0xc000, 0xc001, 0x6001])),
            1 => Item::Push(self.size()),
            _ => Item::CodeLen,
        });
        tail.push(push(offset));
        let value = match self.rng.weighted(&[70, 15, 15]) {
            0 => vec![push(0)],
            1 => vec![push(1)],
            _ => self.value(),
        };
        tail.extend(value);
        tail.push(Item::Op(if create2 { op::CREATE2 } else { op::CREATE }));
        match self.rng.weighted(&[40, 45, 15]) {
            0 => self.sink(&mut tail),
            1 => {
                // Call the new contract (depth word first), then store both results.
                tail.extend([
                    push(0),
                    Item::Op(op::CALLDATALOAD),
                    push(1),
                    Item::Op(op::ADD),
                    push(0),
                    Item::Op(op::MSTORE),
                    push(self.rng.pick(&[0u64, 32])),
                    push(0),
                    push(32),
                    push(0),
                ]);
                let kind = match self.rng.below(4) {
                    0 => self.opcode(op::DELEGATECALL, op::CALL),
                    1 => self.opcode(op::STATICCALL, op::CALL),
                    _ => op::CALL,
                };
                if kind == op::CALL {
                    tail.push(push(if self.rng.chance(80) { 0 } else { 1 }));
                    tail.push(Item::Op(op::DUP6)); // the created address
                } else {
                    tail.push(Item::Op(op::DUP5)); // the created address
                }
                tail.extend(self.call_gas());
                tail.push(Item::Op(kind));
                self.sink(&mut tail);
                self.sink(&mut tail);
            }
            _ => {
                tail.push(Item::Op(op::DUP1));
                tail.push(Item::Op(op::EXTCODESIZE));
                self.sink(&mut tail);
                self.sink(&mut tail);
            }
        }
        Frag::WithCode {
            offset,
            code: Box::new(init),
            tail,
        }
    }

    /// Initcode: a few fragments, then usually RETURN of runtime code.
    fn initcode(&mut self, level: u32) -> Program {
        let mut frags = Vec::new();
        for _ in 0..self.rng.below(5) {
            let calls = level < 3 && self.rng.chance(50);
            frags.push(self.frag(level, calls));
        }
        match self.rng.weighted(&[70, 5, 25]) {
            0 => {
                let runtime = match self.rng.weighted(&[45, 15, 15, 10, 15]) {
                    0 => Code::Program(self.contract_program(level + 1)),
                    1 => {
                        let n = self.rng.range(1, 40) as usize;
                        Code::Raw(self.rng.bytes(n))
                    }
                    2 => Code::Raw(Vec::new()),
                    3 => {
                        let n = self.rng.below(8) as usize;
                        let mut b = vec![0xef];
                        b.extend(self.rng.bytes(n));
                        Code::Raw(b)
                    }
                    _ => Code::Raw(vec![op::STOP]),
                };
                let offset = self.small_offset();
                frags.push(Frag::WithCode {
                    offset,
                    code: Box::new(runtime),
                    tail: vec![Item::CodeLen, push(offset), Item::Op(op::RETURN)],
                });
            }
            1 => {
                // Code at and just over the size limit (zero bytes of fresh memory).
                let size = self.rng.pick(&[0x6000u64, 0x6001]);
                frags.push(Frag::Ops(vec![push(size), push(0), Item::Op(op::RETURN)]));
            }
            _ => frags.push(Frag::Ops(self.exit())),
        }
        Program::new(frags)
    }

    /// A contract: the depth prologue, a body, an exit, and the leaf section.
    fn contract_program(&mut self, level: u32) -> Program {
        let leaf = self.label();
        let max_depth = match self.rng.weighted(&[70, 20, 10]) {
            0 => self.rng.range(1, 5),
            1 => self.rng.range(6, 20),
            _ => 1100,
        };
        let mut frags = vec![Frag::Ops(vec![
            push(max_depth),
            push(0),
            Item::Op(op::CALLDATALOAD),
            Item::Op(op::LT),
            Item::Op(op::ISZERO),
            Item::PushLabel(leaf),
            Item::Op(op::JUMPI),
        ])];
        let body = if level == 0 {
            self.rng.range(2, 16)
        } else {
            self.rng.range(0, 5)
        };
        if self.entry && self.rng.chance(70) {
            // The entry contract calls out early, before anything can halt it.
            frags.push(self.call());
        }
        for _ in 0..body {
            frags.push(self.frag(level, true));
        }
        if self.rng.chance(80) {
            frags.push(Frag::Ops(self.exit()));
        }
        frags.push(Frag::Ops(vec![Item::Label(leaf)]));
        for _ in 0..self.rng.below(4) {
            frags.push(self.frag(level, false));
        }
        if self.rng.chance(80) {
            frags.push(Frag::Ops(self.exit()));
        }
        Program::new(frags)
    }

    // ---------------------------------------------------------------- the case

    fn scenario(&mut self, seed: u64, index: u64) -> Scenario {
        let spec = Spec::of(self.fork);
        let env = GenEnv {
            number: 1,
            timestamp: 1000,
            gas_limit: 30_000_000,
            base_fee: self.rng.pick(&[7u64, 7, 10, 1000, 1]),
            difficulty: U256::from(0x20000),
            random: B256::from(self.rng.u256()),
            excess_blob_gas: match self.rng.weighted(&[60, 15, 15, 10]) {
                0 => 0,
                1 => 1 << 20,
                2 => 10_000_000,
                _ => self.rng.below(1 << 26),
            },
            coinbase_exists: self.rng.chance(30),
        };

        let mut accounts = Vec::new();
        let sender_nonce = self.rng.pick(&[0u64, 0, 0, 1, 5]);
        let sender_balance = match self.rng.below(100) {
            0 => U256::from(self.rng.below(1 << 40)),
            _ => U256::from(10u64).pow(U256::from(22)),
        };
        accounts.push(GenAccount {
            address: SENDER,
            balance: sender_balance,
            nonce: sender_nonce,
            code: Code::Raw(Vec::new()),
            storage: Vec::new(),
        });
        for i in 0..self.contracts {
            let balance = match self.rng.weighted(&[30, 20, 30, 20]) {
                0 => U256::ZERO,
                1 => U256::from(1),
                2 => U256::from(10u64.pow(18)),
                _ => U256::from(self.rng.next_u64()),
            };
            let nonce = if self.rng.chance(20) { 0 } else { 1 };
            let mut storage = Vec::new();
            for s in 0..5u64 {
                if self.rng.chance(45) {
                    let v = match self.rng.below(4) {
                        0 => U256::from(1),
                        1 => U256::from(2),
                        2 => U256::from(3),
                        _ => self.word().max(U256::from(1)),
                    };
                    storage.push((U256::from(s), v));
                }
            }
            self.risky = if i == 0 {
                self.rng.chance(20)
            } else {
                self.rng.chance(60)
            };
            self.entry = i == 0;
            let code = Code::Program(self.contract_program(0));
            self.risky = true;
            self.entry = false;
            accounts.push(GenAccount {
                address: contract(i),
                balance,
                nonce,
                code,
                storage,
            });
        }
        accounts.push(GenAccount {
            address: EOA,
            balance: U256::from(10u64.pow(18)),
            nonce: 0,
            code: Code::Raw(Vec::new()),
            storage: Vec::new(),
        });
        if self.rng.chance(50) {
            accounts.push(GenAccount {
                address: EMPTY,
                balance: U256::ZERO,
                nonce: 0,
                code: Code::Raw(Vec::new()),
                storage: Vec::new(),
            });
        }

        // EIP-7702 authorities: externally owned, already delegated (Prague on), or absent.
        for i in 0..AUTHORITIES {
            match self
                .rng
                .weighted(&[45, if self.spec().tx_set_code { 25 } else { 0 }, 30])
            {
                0 => accounts.push(GenAccount {
                    address: authority(i),
                    balance: U256::from(10u64.pow(18)),
                    nonce: self.rng.below(3),
                    code: Code::Raw(Vec::new()),
                    storage: Vec::new(),
                }),
                1 => {
                    let mut code = vec![0xef, 0x01, 0x00];
                    code.extend_from_slice(self.delegate().as_slice());
                    accounts.push(GenAccount {
                        address: authority(i),
                        balance: U256::from(10u64.pow(18)),
                        nonce: self.rng.range(1, 3),
                        code: Code::Raw(code),
                        storage: if self.rng.chance(30) {
                            vec![(U256::from(0), U256::from(1))]
                        } else {
                            Vec::new()
                        },
                    });
                }
                _ => {}
            }
        }

        // Sometimes an account already sits where a creation will land: with a balance only
        // (allowed), a nonce or code (a collision), or storage only (EIP-7610).
        if self.rng.chance(25) {
            let (creator, nonce) = if self.rng.chance(40) {
                (SENDER, sender_nonce)
            } else {
                let i = self.rng.below(self.contracts as u64) as usize;
                let a = &accounts[1 + i];
                (a.address, a.nonce + self.rng.below(2))
            };
            let at = create_address(creator, nonce);
            // Storage only (EIP-7610) only on request: revm 43 does not look at storage on
            // creation, and the execution specs side with Ember there.
            let (balance, nonce, code, storage) = match self.rng.below(4) {
                0 if self.options.eip7610 => {
                    (U256::ZERO, 0, vec![], vec![(U256::from(1), U256::from(1))])
                }
                0 | 1 => (U256::from(1000), 0, vec![], vec![]),
                2 => (U256::ZERO, 1, vec![], vec![]),
                _ => (U256::ZERO, 0, vec![op::STOP], vec![]),
            };
            accounts.push(GenAccount {
                address: at,
                balance,
                nonce,
                code: Code::Raw(code),
                storage,
            });
        }

        let tx = self.tx(&env, spec, sender_nonce, &accounts);
        let mut s = Scenario {
            seed,
            index,
            fork: self.fork,
            env,
            accounts,
            tx,
        };
        self.boundaries(&mut s);
        s
    }

    /// Puts the gas limit or the sender's balance exactly at (or one below) what the
    /// transaction needs, now and then.
    fn boundaries(&mut self, s: &mut Scenario) {
        let spec = Spec::of(self.fork);
        let tx = s.tx_env();
        match self.rng.below(25) {
            0 => {
                let need = ember_transaction::min_gas_limit(spec, &tx);
                s.tx.gas_limit = match self.rng.below(3) {
                    0 => need - 1,
                    1 => need,
                    _ => need + self.rng.below(3000),
                };
            }
            1 => {
                let blob_gas = tx.blob_hashes.len() as u64 * (1 << 17);
                let need = U256::from(tx.gas_limit) * tx.gas_price
                    + tx.value
                    + U256::from(blob_gas) * tx.max_fee_per_blob_gas;
                s.accounts[0].balance = if self.rng.chance(50) {
                    need
                } else {
                    need.saturating_sub(U256::from(1))
                };
            }
            _ => {}
        }
    }

    /// Where an EIP-7702 authorization points: a contract, a precompile, another account
    /// (an authority, so chains of delegation), or nowhere (clearing it).
    fn delegate(&mut self) -> Address {
        match self.rng.weighted(&[55, 10, 15, 10, 10]) {
            0 => contract(self.rng.below(self.contracts as u64) as usize),
            1 => precompile_address(self.precompile()),
            2 => authority(self.rng.below(AUTHORITIES as u64) as usize),
            3 => Address::ZERO,
            _ => self.rng.pick(&[EOA, NOBODY, SENDER]),
        }
    }

    /// A signed authorization list for a set-code transaction.
    fn authorizations(&mut self, sender_nonce: u64, accounts: &[GenAccount]) -> Vec<GenAuth> {
        let n = match self.rng.below(20) {
            0 => 0,
            1..=10 => 1,
            11..=15 => 2,
            _ => self.rng.range(3, 5),
        };
        let mut next_nonce: HashMap<Address, u64> = HashMap::new();
        let mut list = Vec::new();
        for _ in 0..n {
            let (key, who) = if self.rng.chance(15) {
                (SECRET_KEY, SENDER)
            } else {
                let i = self.rng.below(AUTHORITIES as u64) as usize;
                (authority_key(i), authority(i))
            };
            let expected = *next_nonce.entry(who).or_insert_with(|| {
                let pre = accounts
                    .iter()
                    .find(|a| a.address == who)
                    .map_or(0, |a| a.nonce);
                if who == SENDER {
                    sender_nonce + 1
                } else {
                    pre
                }
            });
            let nonce = match self.rng.below(8) {
                0 => expected + 1,
                1 => expected.saturating_sub(1),
                _ => expected,
            };
            if nonce == expected {
                next_nonce.insert(who, expected + 1);
            }
            let chain_id = match self.rng.weighted(&[30, 60, 5, 5]) {
                0 => U256::ZERO,
                1 => U256::from(crate::scenario::CHAIN_ID),
                2 => U256::from(2),
                _ => U256::MAX,
            };
            let address = self.delegate();
            let (mut y_parity, mut r, mut s) = sign_authorization(&key, chain_id, address, nonce);
            match self.rng.below(25) {
                0 => y_parity = U256::from(2),
                1 => s = SECP256K1_N - s,
                2 => r = U256::ZERO,
                3 => r = SECP256K1_N,
                _ => {}
            }
            list.push(GenAuth {
                chain_id,
                address,
                nonce,
                y_parity,
                r,
                s,
            });
        }
        list
    }

    fn tx(&mut self, env: &GenEnv, spec: &Spec, nonce: u64, accounts: &[GenAccount]) -> GenTx {
        let mut types = vec![TxType::Legacy];
        if spec.tx_access_list {
            types.push(TxType::AccessList);
        }
        if spec.tx_fee_market {
            types.push(TxType::FeeMarket);
        }
        if spec.blobs.is_some() {
            types.push(TxType::Blob);
        }
        if spec.tx_set_code {
            types.push(TxType::SetCode);
            types.push(TxType::SetCode);
        }
        let mut tx_type = self.rng.pick(&types);
        if self.rng.chance(2) {
            tx_type = self
                .rng
                .pick(&[TxType::AccessList, TxType::FeeMarket, TxType::Blob]);
        }

        let (to, data) = match self.rng.weighted(&[55, 20, 10, 7, 6, 2]) {
            _ if tx_type == TxType::SetCode && self.rng.chance(50) => (
                Some(authority(self.rng.below(AUTHORITIES as u64) as usize)),
                self.calldata(),
            ),
            0 => (Some(contract(0)), self.calldata()),
            1 => (
                Some(contract(self.rng.below(self.contracts as u64) as usize)),
                self.calldata(),
            ),
            2 if !matches!(tx_type, TxType::Blob | TxType::SetCode) => {
                (None, Code::Program(self.initcode(0)))
            }
            3 => {
                let p = self.precompile();
                (
                    Some(precompile_address(p)),
                    Code::Raw(precompiles::input(&mut self.rng, p)),
                )
            }
            4 => {
                let n = self.rng.below(40) as usize;
                (Some(self.other_account()), Code::Raw(self.rng.bytes(n)))
            }
            _ => (Some(contract(0)), self.calldata()),
        };

        let gas_limit = match self.rng.weighted(&[1, 4, 10, 20, 35, 20, 10]) {
            0 => 21_000 + self.rng.below(40_000),
            1 => 60_000,
            2 => 150_000,
            3 => 500_000,
            4 => 1_500_000,
            5 => 5_000_000,
            _ => {
                if self.rng.chance(10) {
                    env.gas_limit + 1
                } else {
                    12_000_000
                }
            }
        };
        let value = match self.rng.weighted(&[60, 15, 15, 9, 1]) {
            0 => U256::ZERO,
            1 => U256::from(1),
            2 => U256::from(self.rng.below(10u64.pow(18))),
            3 => U256::from(10u64.pow(18)),
            _ => U256::from(10u64).pow(U256::from(23)),
        };
        let nonce = match self.rng.below(60) {
            0 => nonce + 1,
            1 if nonce > 0 => nonce - 1,
            _ => nonce,
        };

        let base_fee = if spec.tx_fee_market { env.base_fee } else { 0 };
        let (gas_price, priority_fee) = match tx_type {
            TxType::Legacy | TxType::AccessList => {
                let price = if spec.tx_fee_market {
                    if self.rng.chance(3) {
                        base_fee - 1
                    } else {
                        base_fee + self.rng.below(11)
                    }
                } else {
                    self.rng.below(21)
                };
                (U256::from(price), None)
            }
            _ => {
                let max = base_fee + self.rng.below(21);
                let tip = if self.rng.chance(3) {
                    max + 1
                } else {
                    self.rng.below(max + 1)
                };
                (U256::from(max), Some(U256::from(tip)))
            }
        };

        let mut access_list = Vec::new();
        if tx_type != TxType::Legacy {
            for _ in 0..self.rng.below(5) {
                let address = self.any_address();
                let keys = (0..self.rng.below(4))
                    .map(|_| B256::from(U256::from(self.rng.below(6))))
                    .collect();
                access_list.push(AccessListItem {
                    address,
                    storage_keys: keys,
                });
            }
        }

        let mut blob_hashes = Vec::new();
        let mut max_fee_per_blob_gas = U256::ZERO;
        if tx_type == TxType::Blob {
            let params = spec.blobs.unwrap_or(BlobParams::CANCUN);
            let n = match self.rng.below(40) {
                0 => 0,
                1 => params.max + 1,
                _ => self.rng.range(1, params.max),
            };
            for _ in 0..n {
                let mut h = self.rng.u256().to_be_bytes::<32>();
                h[0] = if self.rng.chance(98) { 1 } else { 2 };
                blob_hashes.push(B256::from(h));
            }
            let price = params.base_fee(env.excess_blob_gas);
            max_fee_per_blob_gas = U256::from(match self.rng.below(30) {
                0 => price.saturating_sub(1),
                1..=10 => price,
                _ => price * self.rng.range(2, 10) as u128,
            });
        }

        let authorizations = if tx_type == TxType::SetCode {
            self.authorizations(nonce, accounts)
        } else {
            Vec::new()
        };

        GenTx {
            authorizations,
            tx_type,
            to,
            data,
            gas_limit,
            value,
            nonce,
            gas_price,
            priority_fee,
            access_list,
            blob_hashes,
            max_fee_per_blob_gas,
        }
    }

    /// Calldata for a call to a generated contract: the depth word, then a few more bytes.
    fn calldata(&mut self) -> Code {
        let mut data = vec![0u8; 32];
        if self.rng.chance(15) {
            data[31] = self.rng.below(6) as u8;
        }
        let extra = match self.rng.below(4) {
            0 => 0,
            1 => 32,
            2 => 64,
            _ => self.rng.below(100) as usize,
        };
        data.extend(self.rng.bytes(extra));
        if self.rng.chance(5) {
            data.truncate(self.rng.below(32) as usize);
        }
        Code::Raw(data)
    }
}

/// The address a CREATE by `sender` with `nonce` makes: keccak(rlp([sender, nonce]))[12..].
pub fn create_address(sender: Address, nonce: u64) -> Address {
    let mut nonce_rlp = Vec::new();
    match nonce {
        0 => nonce_rlp.push(0x80),
        1..=0x7f => nonce_rlp.push(nonce as u8),
        _ => {
            let b = nonce.to_be_bytes();
            let skip = b.iter().take_while(|&&x| x == 0).count();
            nonce_rlp.push(0x80 + (8 - skip) as u8);
            nonce_rlp.extend_from_slice(&b[skip..]);
        }
    }
    let mut out = vec![0xc0 + (21 + nonce_rlp.len()) as u8, 0x94];
    out.extend_from_slice(sender.as_slice());
    out.extend(nonce_rlp);
    Address::from_slice(&ember_evm::keccak256(out)[12..])
}

/// The address of the precompile numbered `n` (0x01, ..., 0x100).
fn precompile_address(n: u64) -> Address {
    let mut b = [0u8; 20];
    b[18..].copy_from_slice(&(n as u16).to_be_bytes());
    Address::new(b)
}
