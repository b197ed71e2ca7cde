//! Ethereum's precompiled contracts at addresses `0x01`–`0x11` and `0x100`, priced per fork.
//!
//! | Fork      | Change                                                                      |
//! |-----------|-----------------------------------------------------------------------------|
//! | Frontier  | `0x01` ECRECOVER, `0x02` SHA256, `0x03` RIPEMD160, `0x04` IDENTITY          |
//! | Byzantium | `0x05` MODEXP (EIP-198), `0x06`–`0x08` BN254 add, mul, pairing (EIP-196/197) |
//! | Istanbul  | BN254 repriced (EIP-1108), `0x09` BLAKE2F (EIP-152)                         |
//! | Berlin    | MODEXP repriced (EIP-2565)                                                  |
//! | Cancun    | `0x0a` KZG point evaluation (EIP-4844)                                      |
//! | Prague    | `0x0b`–`0x11` BLS12-381 G1/G2 add, MSM, pairing, map-to-curve (EIP-2537)    |
//! | Osaka     | MODEXP lengths capped at 1024 bytes (EIP-7823) and repriced (EIP-7883),     |
//! |           | `0x100` P256VERIFY, secp256r1 ECDSA verification (EIP-7951)                 |
//!
//! The table above is the `precompiles` field of each fork's [`Spec`]
//! ([`PrecompileSchedule`]); [`Precompiles::for_spec`] (or [`Precompiles::for_fork`]) returns
//! the cached set it schedules, and the executor asks that set for the [`PrecompileFn`] of a
//! called address. Every precompile charges its gas before doing any
//! expensive work and never panics on malformed input.
#![deny(missing_docs)]

pub mod blake2;
pub mod bls12_381;
pub mod bn254;
pub mod ecrecover;
pub mod hash;
pub mod kzg;
pub mod modexp;
pub mod secp256r1;

use ember_primitives::alloy_primitives::map::AddressSet;
use ember_primitives::spec::{Bn254Rule, ModexpRule, PrecompileSchedule};
use ember_primitives::{Address, Bytes, Fork, Spec};
use std::sync::{Arc, OnceLock};

/// Result of a precompile run.
pub type PrecompileResult = Result<PrecompileOutput, PrecompileError>;

/// A precompile: input bytes and the gas available in, gas used and output out.
///
/// Implementations charge (and check) their gas before doing any expensive work.
pub type PrecompileFn = fn(input: &[u8], gas_limit: u64) -> PrecompileResult;

/// The output of a successful precompile run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PrecompileOutput {
    /// Gas consumed by the run.
    pub gas_used: u64,
    /// The returned bytes.
    pub output: Bytes,
}

impl PrecompileOutput {
    /// An output of `gas_used` gas returning `output`.
    pub fn new(gas_used: u64, output: impl Into<Bytes>) -> Self {
        Self {
            gas_used,
            output: output.into(),
        }
    }
}

/// Why a precompile run failed; either way the call consumes all the gas it was given.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PrecompileError {
    /// The gas limit is below the cost of the run.
    #[error("out of gas")]
    OutOfGas,
    /// The input is invalid (bad length, point not on the curve, wrong proof...).
    #[error("precompile failure: {0}")]
    Failure(&'static str),
}

/// Returns `Ok(())` when `cost` fits in `gas_limit`, else [`PrecompileError::OutOfGas`].
#[inline]
pub(crate) fn charge(cost: u64, gas_limit: u64) -> Result<(), PrecompileError> {
    if cost > gas_limit {
        Err(PrecompileError::OutOfGas)
    } else {
        Ok(())
    }
}

/// Cost of a linear precompile: `base + per_word * ceil(len / 32)`, saturating.
#[inline]
pub(crate) fn linear_cost(len: usize, base: u64, per_word: u64) -> u64 {
    let words = (len as u64).div_ceil(32);
    base.saturating_add(per_word.saturating_mul(words))
}

/// Reads `N` bytes of `input` at `offset`, treating bytes past its end as zeros.
#[inline]
pub(crate) fn read_padded<const N: usize>(input: &[u8], offset: usize) -> [u8; N] {
    let mut out = [0u8; N];
    if let Some(rest) = input.get(offset..) {
        let n = rest.len().min(N);
        out[..n].copy_from_slice(&rest[..n]);
    }
    out
}

/// The address `0x00..00{hi}{lo}`: precompiles live at small addresses.
pub const fn precompile_address(n: u16) -> Address {
    let mut bytes = [0u8; 20];
    let [hi, lo] = n.to_be_bytes();
    bytes[18] = hi;
    bytes[19] = lo;
    Address::new(bytes)
}

/// The addresses of the standard precompiles.
pub mod addresses {
    use super::precompile_address;
    use ember_primitives::Address;

    /// `0x01`: ECRECOVER.
    pub const ECRECOVER: Address = precompile_address(0x01);
    /// `0x02`: SHA256.
    pub const SHA256: Address = precompile_address(0x02);
    /// `0x03`: RIPEMD160.
    pub const RIPEMD160: Address = precompile_address(0x03);
    /// `0x04`: IDENTITY (datacopy).
    pub const IDENTITY: Address = precompile_address(0x04);
    /// `0x05`: MODEXP (Byzantium).
    pub const MODEXP: Address = precompile_address(0x05);
    /// `0x06`: BN254 point addition (Byzantium).
    pub const BN254_ADD: Address = precompile_address(0x06);
    /// `0x07`: BN254 scalar multiplication (Byzantium).
    pub const BN254_MUL: Address = precompile_address(0x07);
    /// `0x08`: BN254 pairing check (Byzantium).
    pub const BN254_PAIRING: Address = precompile_address(0x08);
    /// `0x09`: BLAKE2 F compression (Istanbul).
    pub const BLAKE2F: Address = precompile_address(0x09);
    /// `0x0a`: KZG point evaluation (Cancun).
    pub const KZG_POINT_EVALUATION: Address = precompile_address(0x0a);
    /// `0x0b`: BLS12-381 G1 addition (Prague).
    pub const BLS12_G1_ADD: Address = precompile_address(0x0b);
    /// `0x0c`: BLS12-381 G1 multi-scalar multiplication (Prague).
    pub const BLS12_G1_MSM: Address = precompile_address(0x0c);
    /// `0x0d`: BLS12-381 G2 addition (Prague).
    pub const BLS12_G2_ADD: Address = precompile_address(0x0d);
    /// `0x0e`: BLS12-381 G2 multi-scalar multiplication (Prague).
    pub const BLS12_G2_MSM: Address = precompile_address(0x0e);
    /// `0x0f`: BLS12-381 pairing check (Prague).
    pub const BLS12_PAIRING_CHECK: Address = precompile_address(0x0f);
    /// `0x10`: BLS12-381 map of an Fp element to G1 (Prague).
    pub const BLS12_MAP_FP_TO_G1: Address = precompile_address(0x10);
    /// `0x11`: BLS12-381 map of an Fp2 element to G2 (Prague).
    pub const BLS12_MAP_FP2_TO_G2: Address = precompile_address(0x11);
    /// `0x100`: secp256r1 (P-256) signature verification (Osaka, EIP-7951).
    pub const P256VERIFY: Address = precompile_address(0x100);
}

/// The precompiles active in one fork.
///
/// Lookup is a single array index for addresses whose first 19 bytes are zero (every
/// standard precompile up to `0xff`); any other address is searched in a short list.
#[derive(Clone)]
pub struct Precompiles {
    /// Precompiles at `0x00..00XX`, indexed by the last byte.
    low: [Option<PrecompileFn>; 256],
    /// Precompiles anywhere else (custom ones, `0x100`...).
    other: Vec<(Address, PrecompileFn)>,
    /// Every address in the set, in insertion order.
    addresses: Vec<Address>,
    /// The same addresses as a set, shared: the accounts warm at the start of every
    /// transaction under EIP-2929, handed to the journal once per EVM rather than inserted
    /// into it once per transaction.
    warm: Arc<AddressSet>,
}

impl std::fmt::Debug for Precompiles {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Precompiles")
            .field("addresses", &self.addresses)
            .finish()
    }
}

impl Default for Precompiles {
    fn default() -> Self {
        Self::new()
    }
}

/// The last byte of `address` when all the others are zero.
#[inline]
fn low_index(address: &Address) -> Option<usize> {
    let bytes = address.as_slice();
    if bytes[..19].iter().all(|&b| b == 0) {
        Some(bytes[19] as usize)
    } else {
        None
    }
}

/// How many distinct [`PrecompileSchedule`]s there are: MODEXP none or one of three rules,
/// BN254 none or one of two, and four precompiles on or off.
const SCHEDULES: usize = 4 * 3 * 16;

/// A distinct index below [`SCHEDULES`] for each schedule (the cache slot of its set).
fn schedule_index(s: &PrecompileSchedule) -> usize {
    let modexp = match s.modexp {
        None => 0,
        Some(ModexpRule::Eip198) => 1,
        Some(ModexpRule::Eip2565) => 2,
        Some(ModexpRule::Eip7883) => 3,
    };
    let bn254 = match s.bn254 {
        None => 0,
        Some(Bn254Rule::Eip196) => 1,
        Some(Bn254Rule::Eip1108) => 2,
    };
    let flags = usize::from(s.blake2f)
        | usize::from(s.kzg_point_evaluation) << 1
        | usize::from(s.bls12_381) << 2
        | usize::from(s.p256verify) << 3;
    (modexp * 3 + bn254) * 16 + flags
}

impl Precompiles {
    /// An empty set.
    pub fn new() -> Self {
        Self {
            low: [None; 256],
            other: Vec::new(),
            addresses: Vec::new(),
            warm: Arc::default(),
        }
    }

    /// The set of `fork`: [`Precompiles::for_spec`] of its [`Spec`].
    pub fn for_fork(fork: Fork) -> &'static Precompiles {
        Self::for_spec(Spec::of(fork))
    }

    /// The set `spec.precompiles` schedules, built once and cached (keyed by the schedule,
    /// so forks with the same precompiles share one set).
    pub fn for_spec(spec: &Spec) -> &'static Precompiles {
        static CACHE: [OnceLock<Box<Precompiles>>; SCHEDULES] =
            [const { OnceLock::new() }; SCHEDULES];
        let schedule = spec.precompiles;
        CACHE[schedule_index(&schedule)].get_or_init(|| Box::new(Self::build(&schedule)))
    }

    /// Assembles the set `schedule` describes, Frontier's four first.
    fn build(schedule: &PrecompileSchedule) -> Precompiles {
        use addresses::*;
        let mut set = Precompiles::new();

        // Frontier.
        set.insert(ECRECOVER, ecrecover::ECRECOVER);
        set.insert(SHA256, hash::SHA256);
        set.insert(RIPEMD160, hash::RIPEMD160);
        set.insert(IDENTITY, hash::IDENTITY);

        // MODEXP: EIP-198, EIP-2565 repricing, EIP-7823 caps and EIP-7883 repricing.
        if let Some(rule) = schedule.modexp {
            let f = match rule {
                ModexpRule::Eip198 => modexp::BYZANTIUM,
                ModexpRule::Eip2565 => modexp::BERLIN,
                ModexpRule::Eip7883 => modexp::OSAKA,
            };
            set.insert(MODEXP, f);
        }
        // BN254: EIP-196, EIP-197, EIP-1108 repricing.
        if let Some(rule) = schedule.bn254 {
            let (add, mul, pairing) = match rule {
                Bn254Rule::Eip196 => (
                    bn254::ADD_BYZANTIUM,
                    bn254::MUL_BYZANTIUM,
                    bn254::PAIRING_BYZANTIUM,
                ),
                Bn254Rule::Eip1108 => (
                    bn254::ADD_ISTANBUL,
                    bn254::MUL_ISTANBUL,
                    bn254::PAIRING_ISTANBUL,
                ),
            };
            set.insert(BN254_ADD, add);
            set.insert(BN254_MUL, mul);
            set.insert(BN254_PAIRING, pairing);
        }
        if schedule.blake2f {
            // EIP-152.
            set.insert(BLAKE2F, blake2::BLAKE2F);
        }
        if schedule.kzg_point_evaluation {
            // EIP-4844.
            set.insert(KZG_POINT_EVALUATION, kzg::POINT_EVALUATION);
        }
        if schedule.bls12_381 {
            // EIP-2537.
            set.insert(BLS12_G1_ADD, bls12_381::G1_ADD);
            set.insert(BLS12_G1_MSM, bls12_381::G1_MSM);
            set.insert(BLS12_G2_ADD, bls12_381::G2_ADD);
            set.insert(BLS12_G2_MSM, bls12_381::G2_MSM);
            set.insert(BLS12_PAIRING_CHECK, bls12_381::PAIRING_CHECK);
            set.insert(BLS12_MAP_FP_TO_G1, bls12_381::MAP_FP_TO_G1);
            set.insert(BLS12_MAP_FP2_TO_G2, bls12_381::MAP_FP2_TO_G2);
        }
        if schedule.p256verify {
            // EIP-7951.
            set.insert(P256VERIFY, secp256r1::P256VERIFY);
        }
        set
    }

    /// Adds `f` at `address`, replacing any precompile already there.
    fn insert(&mut self, address: Address, f: PrecompileFn) {
        let existed = match low_index(&address) {
            Some(i) => self.low[i].replace(f).is_some(),
            None => match self.other.iter_mut().find(|(a, _)| *a == address) {
                Some(entry) => {
                    entry.1 = f;
                    true
                }
                None => {
                    self.other.push((address, f));
                    false
                }
            },
        };
        if !existed {
            self.addresses.push(address);
            Arc::make_mut(&mut self.warm).insert(address);
        }
    }

    /// The precompile at `address`, if any.
    #[inline]
    pub fn get(&self, address: &Address) -> Option<PrecompileFn> {
        match low_index(address) {
            Some(i) => self.low[i],
            None => self
                .other
                .iter()
                .find(|(a, _)| a == address)
                .map(|(_, f)| *f),
        }
    }

    /// True when `address` holds a precompile in this set.
    #[inline]
    pub fn contains(&self, address: &Address) -> bool {
        self.get(address).is_some()
    }

    /// All addresses in this set (they are warm from the start of every transaction under
    /// EIP-2929).
    pub fn addresses(&self) -> impl Iterator<Item = &Address> + '_ {
        self.addresses.iter()
    }

    /// The addresses of this set as a shared set (see [`Precompiles::addresses`]).
    pub fn address_set(&self) -> &Arc<AddressSet> {
        &self.warm
    }

    /// The number of precompiles in this set.
    pub fn len(&self) -> usize {
        self.addresses.len()
    }

    /// True when the set holds no precompile.
    pub fn is_empty(&self) -> bool {
        self.addresses.is_empty()
    }

    /// A copy of this set with `f` added at `address` (replacing any precompile there), for
    /// embedders registering custom precompiles.
    pub fn with(&self, address: Address, f: PrecompileFn) -> Precompiles {
        let mut set = self.clone();
        set.insert(address, f);
        set
    }

    /// A copy of this set without the precompile at `address` (the account's code runs there
    /// instead), for call simulations that override or move a precompile
    /// (`eth_simulateV1`'s `movePrecompileToAddress`).
    pub fn without(&self, address: &Address) -> Precompiles {
        let mut set = self.clone();
        match low_index(address) {
            Some(i) => set.low[i] = None,
            None => set.other.retain(|(a, _)| a != address),
        }
        set.addresses.retain(|a| a != address);
        Arc::make_mut(&mut set.warm).remove(address);
        set
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ember_primitives::address;

    fn nums(fork: Fork) -> Vec<u16> {
        Precompiles::for_fork(fork)
            .addresses()
            .map(|a| u16::from_be_bytes([a[18], a[19]]))
            .collect::<Vec<_>>()
    }

    #[test]
    fn the_address_set_holds_every_address() {
        for fork in [Fork::Frontier, Fork::Berlin, Fork::Prague, Fork::Osaka] {
            let set = Precompiles::for_fork(fork);
            assert_eq!(set.address_set().len(), set.len(), "{fork:?}");
            assert!(set.addresses().all(|a| set.address_set().contains(a)));
        }
        let custom = address!("00000000000000000000000000000000000c0ffe");
        let with =
            Precompiles::for_fork(Fork::Prague).with(custom, |_, _| Err(PrecompileError::OutOfGas));
        assert!(with.address_set().contains(&custom));
        let without = with.without(&custom).without(&addresses::ECRECOVER);
        assert!(!without.contains(&custom) && !without.contains(&addresses::ECRECOVER));
        assert!(!without.address_set().contains(&addresses::ECRECOVER));
        assert_eq!(without.len(), Precompiles::for_fork(Fork::Prague).len() - 1);
        assert!(!Precompiles::for_fork(Fork::Prague)
            .address_set()
            .contains(&custom));
    }

    #[test]
    fn sets_per_fork() {
        for fork in [
            Fork::Frontier,
            Fork::Homestead,
            Fork::Tangerine,
            Fork::SpuriousDragon,
        ] {
            assert_eq!(nums(fork), [1, 2, 3, 4], "{fork}");
        }
        for fork in [Fork::Byzantium, Fork::Constantinople, Fork::Petersburg] {
            assert_eq!(nums(fork), [1, 2, 3, 4, 5, 6, 7, 8], "{fork}");
        }
        for fork in [
            Fork::Istanbul,
            Fork::Berlin,
            Fork::London,
            Fork::Paris,
            Fork::Shanghai,
        ] {
            assert_eq!(nums(fork), [1, 2, 3, 4, 5, 6, 7, 8, 9], "{fork}");
        }
        assert_eq!(nums(Fork::Cancun), (1..=10).collect::<Vec<_>>());
        // EIP-2537 adds the BLS12-381 precompiles 0x0b..0x11 in Prague.
        assert_eq!(nums(Fork::Prague), (1..=17).collect::<Vec<_>>());
        // EIP-7951 adds P256VERIFY at 0x100 in Osaka (replacing MODEXP keeps its place).
        let mut osaka = (1..=17).collect::<Vec<_>>();
        osaka.push(0x100);
        assert_eq!(nums(Fork::Osaka), osaka);
        let osaka = Precompiles::for_fork(Fork::Osaka);
        assert_eq!(osaka.len(), 18);
        assert!(osaka.contains(&addresses::P256VERIFY));
        assert!(!Precompiles::for_fork(Fork::Prague).contains(&addresses::P256VERIFY));
        let cancun = Precompiles::for_fork(Fork::Cancun);
        assert_eq!(cancun.len(), 10);
        assert!(!cancun.is_empty());
        assert!(cancun.contains(&addresses::KZG_POINT_EVALUATION));
        assert!(!cancun.contains(&precompile_address(0x0b)));
        assert!(!cancun.contains(&Address::ZERO));
        assert!(!Precompiles::for_fork(Fork::Shanghai).contains(&addresses::KZG_POINT_EVALUATION));
        // Cached: the same instance every time.
        assert!(std::ptr::eq(cancun, Precompiles::for_fork(Fork::Cancun)));
    }

    #[test]
    fn cached_by_schedule() {
        // Every schedule has its own cache slot.
        let mut seen = std::collections::HashSet::new();
        for modexp in [
            None,
            Some(ModexpRule::Eip198),
            Some(ModexpRule::Eip2565),
            Some(ModexpRule::Eip7883),
        ] {
            for bn254 in [None, Some(Bn254Rule::Eip196), Some(Bn254Rule::Eip1108)] {
                for flags in 0..16u8 {
                    let schedule = PrecompileSchedule {
                        modexp,
                        bn254,
                        blake2f: flags & 1 != 0,
                        kzg_point_evaluation: flags & 2 != 0,
                        bls12_381: flags & 4 != 0,
                        p256verify: flags & 8 != 0,
                    };
                    let index = schedule_index(&schedule);
                    assert!(index < SCHEDULES);
                    assert!(seen.insert(index), "{schedule:?}");
                }
            }
        }
        // Forks with the same schedule share one set; the set follows the Spec, not the fork.
        assert!(std::ptr::eq(
            Precompiles::for_fork(Fork::London),
            Precompiles::for_fork(Fork::Shanghai)
        ));
        let mut spec = *Spec::of(Fork::Cancun);
        spec.precompiles.p256verify = true;
        let set = Precompiles::for_spec(&spec);
        assert_eq!(set.len(), 11);
        assert!(set.contains(&addresses::P256VERIFY));
        assert!(!Precompiles::for_fork(Fork::Cancun).contains(&addresses::P256VERIFY));
    }

    #[test]
    fn fork_pricing_selected() {
        // BN254 add: 500 before Istanbul, 150 after.
        let input = [0u8; 128];
        let add = |fork| {
            Precompiles::for_fork(fork)
                .get(&addresses::BN254_ADD)
                .unwrap()
        };
        assert_eq!(add(Fork::Byzantium)(&input, 1_000).unwrap().gas_used, 500);
        assert_eq!(add(Fork::Istanbul)(&input, 1_000).unwrap().gas_used, 150);
        // MODEXP with empty input: 0 under EIP-198, 200 under EIP-2565.
        let modexp = |fork| Precompiles::for_fork(fork).get(&addresses::MODEXP).unwrap();
        assert_eq!(modexp(Fork::Istanbul)(&[], 1_000).unwrap().gas_used, 0);
        assert_eq!(modexp(Fork::Berlin)(&[], 1_000).unwrap().gas_used, 200);
        assert_eq!(modexp(Fork::Prague)(&[], 1_000).unwrap().gas_used, 200);
        // EIP-7883: 500 at least from Osaka on.
        assert_eq!(modexp(Fork::Osaka)(&[], 1_000).unwrap().gas_used, 500);
        // P256VERIFY: 6900 gas, even for an input of the wrong length (empty output).
        let p256 = Precompiles::for_fork(Fork::Osaka)
            .get(&addresses::P256VERIFY)
            .unwrap();
        let out = p256(&[], 10_000).unwrap();
        assert_eq!((out.gas_used, out.output.len()), (6_900, 0));
    }

    #[test]
    fn with_adds_and_replaces() {
        fn custom(_: &[u8], _: u64) -> PrecompileResult {
            Ok(PrecompileOutput::new(7, vec![0xaa]))
        }
        let base = Precompiles::for_fork(Fork::Cancun);
        let far = address!("00000000000000000000000000000000ff000001");
        let p256 = precompile_address(0x100);
        let set = base
            .with(far, custom)
            .with(p256, custom)
            .with(addresses::SHA256, custom);
        assert_eq!(set.len(), 12);
        assert_eq!(set.get(&far).unwrap()(&[], 0).unwrap().gas_used, 7);
        assert_eq!(set.get(&p256).unwrap()(&[], 0).unwrap().gas_used, 7);
        assert_eq!(
            set.get(&addresses::SHA256).unwrap()(&[], 0)
                .unwrap()
                .gas_used,
            7
        );
        assert!(!set.contains(&precompile_address(0x101)));
        // The cached set is untouched.
        assert_eq!(base.len(), 10);
        assert_eq!(
            base.get(&addresses::SHA256).unwrap()(&[], 100)
                .unwrap()
                .gas_used,
            60
        );
    }

    #[test]
    fn helpers() {
        assert_eq!(linear_cost(0, 60, 12), 60);
        assert_eq!(linear_cost(1, 60, 12), 72);
        assert_eq!(linear_cost(32, 60, 12), 72);
        assert_eq!(linear_cost(33, 60, 12), 84);
        assert_eq!(read_padded::<4>(&[1, 2, 3], 1), [2, 3, 0, 0]);
        assert_eq!(read_padded::<2>(&[1, 2, 3], 9), [0, 0]);
        assert_eq!(charge(5, 4), Err(PrecompileError::OutOfGas));
        assert_eq!(charge(5, 5), Ok(()));
        assert_eq!(
            PrecompileError::Failure("bad").to_string(),
            "precompile failure: bad"
        );
    }
}
