//! The fork rule table: every gas constant and every behavioural switch that changed between
//! forks lives here, built as cumulative deltas (each fork starts from its parent and applies
//! its EIPs). Nothing else in Ember compares forks to decide a rule; it reads a [`Spec`].

use crate::Fork;

/// Blob gas parameters of a fork (EIP-4844, EIP-7691, EIP-7840, EIP-7892).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BlobParams {
    /// Target blobs per block.
    pub target: u64,
    /// Maximum blobs per block.
    pub max: u64,
    /// The base fee update fraction.
    pub update_fraction: u64,
}

/// Gas per blob (EIP-4844).
pub const GAS_PER_BLOB: u64 = 1 << 17;

/// EIP-7934: MAX_BLOCK_SIZE (10 MiB) minus a 2 MiB safety margin for the consensus layer.
pub const MAX_RLP_BLOCK_SIZE: u64 = 10_485_760 - 2_097_152;

/// EIP-7918: a blob's execution cost is `BLOB_BASE_COST * base_fee` (Osaka on).
pub const BLOB_BASE_COST: u64 = 1 << 13;

/// EIP-7594: the most blobs one transaction may carry (Osaka on).
pub const MAX_BLOBS_PER_TX: u64 = 6;

impl BlobParams {
    /// Cancun: target 3, max 6 (EIP-4844).
    pub const CANCUN: BlobParams = BlobParams {
        target: 3,
        max: 6,
        update_fraction: 3_338_477,
    };
    /// Prague: target 6, max 9 (EIP-7691).
    pub const PRAGUE: BlobParams = BlobParams {
        target: 6,
        max: 9,
        update_fraction: 5_007_716,
    };
    /// Osaka: Prague's schedule (target 6, max 9).
    pub const OSAKA: BlobParams = BlobParams::PRAGUE;
    /// BPO1: target 10, max 15 (EIP-7892 blob-parameter-only fork).
    pub const BPO1: BlobParams = BlobParams {
        target: 10,
        max: 15,
        update_fraction: 8_346_193,
    };
    /// BPO2: target 14, max 21 (EIP-7892 blob-parameter-only fork).
    pub const BPO2: BlobParams = BlobParams {
        target: 14,
        max: 21,
        update_fraction: 11_684_671,
    };
    /// BPO3 (execution-spec-tests' test-only fork): target 21, max 32.
    pub const BPO3: BlobParams = BlobParams {
        target: 21,
        max: 32,
        update_fraction: 20_609_697,
    };
    /// BPO4 (execution-spec-tests' test-only fork): target 14, max 21, a decrease from BPO3.
    pub const BPO4: BlobParams = BlobParams {
        target: 14,
        max: 21,
        update_fraction: 13_739_630,
    };
    /// BPO5 (execution-spec-tests' test-only fork): BPO4's schedule.
    pub const BPO5: BlobParams = BlobParams::BPO4;

    /// The blob base fee for `excess_blob_gas` (EIP-4844 `fake_exponential`).
    pub fn base_fee(&self, excess_blob_gas: u64) -> u128 {
        fake_exponential(1, excess_blob_gas as u128, self.update_fraction as u128)
    }

    /// Maximum blob gas in one block.
    pub const fn max_blob_gas(&self) -> u64 {
        self.max * GAS_PER_BLOB
    }

    /// Target blob gas per block.
    pub const fn target_blob_gas(&self) -> u64 {
        self.target * GAS_PER_BLOB
    }
}

/// `factor * e ** (numerator / denominator)` by Taylor expansion, as EIP-4844 defines it.
/// A result beyond `u128` saturates (and the loop stops there, so an absurd excess blob gas
/// cannot make it run for ever); a zero denominator gives `u128::MAX`.
pub fn fake_exponential(factor: u128, numerator: u128, denominator: u128) -> u128 {
    if denominator == 0 {
        return u128::MAX;
    }
    let mut i: u128 = 1;
    let mut output: u128 = 0;
    let mut accum = factor.saturating_mul(denominator);
    while accum > 0 {
        output = output.saturating_add(accum);
        if output == u128::MAX {
            break;
        }
        accum = accum.saturating_mul(numerator) / denominator.saturating_mul(i);
        i += 1;
    }
    output / denominator
}

/// Everything that differs between forks, as plain values. Build one with [`Spec::new`] or
/// borrow the shared table entry with [`Spec::of`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Spec {
    /// The fork these rules belong to.
    pub fork: Fork,

    // ---- account and storage access ----
    /// SLOAD (before EIP-2929).
    pub sload: u64,
    /// BALANCE (before EIP-2929).
    pub balance: u64,
    /// EXTCODESIZE and EXTCODECOPY base cost (before EIP-2929).
    pub extcode: u64,
    /// EXTCODEHASH (before EIP-2929).
    pub extcodehash: u64,
    /// CALL-family base cost (before EIP-2929).
    pub call: u64,
    /// SELFDESTRUCT base cost.
    pub selfdestruct: u64,
    /// EIP-2929: cold/warm accounting for accounts and slots.
    pub access_lists: bool,
    /// EIP-2929 warm access cost.
    pub warm_access: u64,
    /// EIP-2929 cold SLOAD cost.
    pub cold_sload: u64,
    /// EIP-2929 cold account access cost.
    pub cold_account: u64,

    // ---- SSTORE ----
    /// Which SSTORE metering applies.
    pub sstore: SstoreRule,
    /// Refund for clearing a slot (15000, EIP-3529: 4800).
    pub sstore_clear_refund: u64,
    /// SSTORE cost of a fresh write to a zero slot.
    pub sstore_set: u64,
    /// SSTORE cost of a write to a non-zero slot (EIP-2929: 5000 - cold sload).
    pub sstore_reset: u64,
    /// Refund for SELFDESTRUCT (24000, EIP-3529: 0).
    pub selfdestruct_refund: u64,
    /// Refunds are capped at `gas_used / max_refund_quotient` (2, EIP-3529: 5).
    pub max_refund_quotient: u64,

    // ---- calls and creation ----
    /// EIP-150: all but one 64th of the remaining gas may be forwarded.
    pub call_gas_63_64: bool,
    /// EIP-161: a call charges the new-account cost only when it sends value to an empty
    /// account, and touched empty accounts are removed.
    pub empty_account_cleanup: bool,
    /// EIP-150: SELFDESTRUCT to a new account costs 25000 (EIP-161: only with value).
    pub selfdestruct_new_account: bool,
    /// EIP-2: a code deposit that runs out of gas fails the creation (Frontier stored empty code).
    pub create_deposit_oog_fails: bool,
    /// EIP-161: newly created contracts start with nonce 1.
    pub create_nonce_one: bool,
    /// EIP-170: maximum deployed code size.
    pub max_code_size: Option<usize>,
    /// EIP-3860: maximum initcode size (and 2 gas per initcode word).
    pub max_initcode_size: Option<usize>,
    /// EIP-3541: deployed code must not start with 0xEF.
    pub reject_ef_code: bool,
    /// EIP-6780: SELFDESTRUCT deletes only accounts created in the same transaction.
    pub selfdestruct_only_same_tx: bool,

    // ---- arithmetic ----
    /// EXP cost per exponent byte (10, EIP-160: 50).
    pub exp_byte: u64,

    // ---- transactions ----
    /// Intrinsic gas per non-zero calldata byte (68, EIP-2028: 16).
    pub tx_data_nonzero: u64,
    /// EIP-2: contract-creating transactions cost 53000 and signatures need a low s.
    pub tx_create_cost: bool,
    /// EIP-155: replay-protected legacy signatures are accepted.
    pub eip155: bool,
    /// EIP-2930 access-list transactions.
    pub tx_access_list: bool,
    /// EIP-1559 fee market transactions and the base fee.
    pub tx_fee_market: bool,
    /// EIP-4844 blob transactions and blob gas.
    pub blobs: Option<BlobParams>,
    /// EIP-7594: the most blobs one transaction may carry (before it, only the block's
    /// maximum limits a transaction).
    pub max_blobs_per_tx: Option<u64>,
    /// EIP-7918: `BLOB_BASE_COST`; when set, the excess blob gas stops falling while the
    /// execution cost `BLOB_BASE_COST * base_fee` of a blob exceeds its blob gas cost.
    pub blob_base_cost: Option<u64>,
    /// EIP-7702 set-code transactions.
    pub tx_set_code: bool,
    /// EIP-3651: the coinbase starts warm.
    pub warm_coinbase: bool,
    /// EIP-3607: a sender with code is rejected.
    pub reject_sender_with_code: bool,
    /// EIP-7623: calldata floor cost.
    pub calldata_floor: bool,
    /// EIP-7825: transaction gas limit cap.
    pub tx_gas_limit_cap: Option<u64>,
    /// EIP-7934: the most bytes a block's RLP encoding may take.
    pub max_block_rlp_size: Option<u64>,
    /// The merge: DIFFICULTY reads PREVRANDAO, no block rewards.
    pub prevrandao: bool,

    // ---- block rules ----
    /// EIP-658: receipts record a status instead of the intermediate state root.
    pub receipt_status: bool,
    /// The proof-of-work block reward in wei (none from the merge, EIP-3675).
    pub block_reward: Option<u128>,
    /// Proof of stake (EIP-3675): no ommers, zero difficulty and nonce, no rewards.
    pub proof_of_stake: bool,
    /// EIP-4895: blocks carry a withdrawals list.
    pub withdrawals: bool,
    /// EIP-4788: the beacon-roots system call before the transactions.
    pub beacon_roots_call: bool,
    /// EIP-2935: the block-hash history system call before the transactions.
    pub history_call: bool,
    /// EIP-7685: the execution requests (EIP-6110 deposits, EIP-7002, EIP-7251) after them.
    pub execution_requests: bool,

    // ---- instructions: the EIPs that add opcodes (read by the opcode table) ----
    /// EIP-7: DELEGATECALL.
    pub op_delegatecall: bool,
    /// EIP-140: REVERT.
    pub op_revert: bool,
    /// EIP-211: RETURNDATASIZE and RETURNDATACOPY.
    pub op_returndata: bool,
    /// EIP-214: STATICCALL.
    pub op_staticcall: bool,
    /// EIP-145: SHL, SHR and SAR.
    pub op_shifts: bool,
    /// EIP-1014: CREATE2.
    pub op_create2: bool,
    /// EIP-1052: EXTCODEHASH.
    pub op_extcodehash: bool,
    /// EIP-1344: CHAINID.
    pub op_chainid: bool,
    /// EIP-1884: SELFBALANCE.
    pub op_selfbalance: bool,
    /// EIP-3198: BASEFEE.
    pub op_basefee: bool,
    /// EIP-3855: PUSH0.
    pub op_push0: bool,
    /// EIP-1153: TLOAD and TSTORE.
    pub op_transient_storage: bool,
    /// EIP-5656: MCOPY.
    pub op_mcopy: bool,
    /// EIP-4844: BLOBHASH.
    pub op_blobhash: bool,
    /// EIP-7516: BLOBBASEFEE.
    pub op_blobbasefee: bool,
    /// EIP-7939: CLZ.
    pub op_clz: bool,

    // ---- proof of work ----
    /// The proof-of-work difficulty formula (unused from the merge on).
    pub difficulty_rule: DifficultyRule,
    /// Blocks the difficulty bomb is pushed back by: the bomb formula counts from block
    /// `number - difficulty_bomb_delay` (EIP-649, EIP-1234, EIP-2384, EIP-3554).
    pub difficulty_bomb_delay: u64,

    // ---- precompiles ----
    /// The precompiled contracts and their pricing.
    pub precompiles: PrecompileSchedule,
}

/// One ether in wei.
pub const ETHER: u128 = 1_000_000_000_000_000_000;

/// SSTORE gas and refund rules.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SstoreRule {
    /// 20000 to set, 5000 otherwise, 15000 refund on clear.
    Frontier,
    /// EIP-1283 net gas metering (Constantinople only).
    Eip1283,
    /// EIP-2200 net gas metering with the 2300 sentry (Istanbul on; EIP-2929 prices from Berlin).
    Eip2200,
}

/// The proof-of-work difficulty adjustment formula.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DifficultyRule {
    /// Launch rule: up by `parent / 2048` when the block came within 13 seconds, else down.
    Frontier,
    /// EIP-2: `parent / 2048 * max(1 - elapsed / 10, -99)`.
    Homestead,
    /// EIP-100: `parent / 2048 * max((2 if the parent has ommers else 1) - elapsed / 9, -99)`.
    Byzantium,
}

/// MODEXP (`0x05`) pricing and input rules.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ModexpRule {
    /// EIP-198 pricing (Byzantium).
    Eip198,
    /// EIP-2565 repricing (Berlin).
    Eip2565,
    /// EIP-7823 length caps and EIP-7883 repricing (Osaka).
    Eip7883,
}

/// BN254 (`0x06`–`0x08`) pricing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Bn254Rule {
    /// EIP-196 and EIP-197 prices (Byzantium).
    Eip196,
    /// EIP-1108 repricing (Istanbul).
    Eip1108,
}

/// Which precompiled contracts a fork has beyond Frontier's four (`0x01`–`0x04`), and how
/// each is priced. `ember-precompile` builds (and caches) the set from this alone.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PrecompileSchedule {
    /// `0x05` MODEXP (EIP-198) and its pricing; `None` before Byzantium.
    pub modexp: Option<ModexpRule>,
    /// `0x06`–`0x08` BN254 add, mul and pairing (EIP-196, EIP-197) and their pricing;
    /// `None` before Byzantium.
    pub bn254: Option<Bn254Rule>,
    /// `0x09` BLAKE2 F compression (EIP-152).
    pub blake2f: bool,
    /// `0x0a` KZG point evaluation (EIP-4844).
    pub kzg_point_evaluation: bool,
    /// `0x0b`–`0x11` BLS12-381 operations (EIP-2537).
    pub bls12_381: bool,
    /// `0x100` P256VERIFY, secp256r1 signature verification (EIP-7951).
    pub p256verify: bool,
}

impl PrecompileSchedule {
    /// Frontier's set: ECRECOVER, SHA256, RIPEMD160 and IDENTITY only.
    pub const FRONTIER: PrecompileSchedule = PrecompileSchedule {
        modexp: None,
        bn254: None,
        blake2f: false,
        kzg_point_evaluation: false,
        bls12_381: false,
        p256verify: false,
    };
}

impl Spec {
    /// The rules of `fork`, built as cumulative deltas from Frontier.
    pub const fn new(fork: Fork) -> Spec {
        let mut s = Spec {
            fork,
            sload: 50,
            balance: 20,
            extcode: 20,
            extcodehash: 0,
            call: 40,
            selfdestruct: 0,
            access_lists: false,
            warm_access: 0,
            cold_sload: 0,
            cold_account: 0,
            sstore: SstoreRule::Frontier,
            sstore_clear_refund: 15_000,
            sstore_set: 20_000,
            sstore_reset: 5_000,
            selfdestruct_refund: 24_000,
            max_refund_quotient: 2,
            call_gas_63_64: false,
            empty_account_cleanup: false,
            selfdestruct_new_account: false,
            create_deposit_oog_fails: false,
            create_nonce_one: false,
            max_code_size: None,
            max_initcode_size: None,
            reject_ef_code: false,
            selfdestruct_only_same_tx: false,
            exp_byte: 10,
            tx_data_nonzero: 68,
            tx_create_cost: false,
            eip155: false,
            tx_access_list: false,
            tx_fee_market: false,
            blobs: None,
            max_blobs_per_tx: None,
            blob_base_cost: None,
            tx_set_code: false,
            warm_coinbase: false,
            reject_sender_with_code: true, // EIP-3607 is applied retroactively by the fixtures.
            calldata_floor: false,
            tx_gas_limit_cap: None,
            max_block_rlp_size: None,
            prevrandao: false,
            receipt_status: false,
            block_reward: Some(5 * ETHER),
            proof_of_stake: false,
            withdrawals: false,
            beacon_roots_call: false,
            history_call: false,
            execution_requests: false,
            op_delegatecall: false,
            op_revert: false,
            op_returndata: false,
            op_staticcall: false,
            op_shifts: false,
            op_create2: false,
            op_extcodehash: false,
            op_chainid: false,
            op_selfbalance: false,
            op_basefee: false,
            op_push0: false,
            op_transient_storage: false,
            op_mcopy: false,
            op_blobhash: false,
            op_blobbasefee: false,
            op_clz: false,
            difficulty_rule: DifficultyRule::Frontier,
            difficulty_bomb_delay: 0,
            precompiles: PrecompileSchedule::FRONTIER,
        };
        if fork.is_enabled(Fork::Homestead) {
            // EIP-2: creation transactions cost 53000; failed code deposit fails the create.
            s.tx_create_cost = true;
            s.create_deposit_oog_fails = true;
            // EIP-7: DELEGATECALL.
            s.op_delegatecall = true;
            // EIP-2: difficulty adjusts by `1 - elapsed / 10`.
            s.difficulty_rule = DifficultyRule::Homestead;
        }
        if fork.is_enabled(Fork::Tangerine) {
            // EIP-150: IO-heavy operations repriced; 63/64 call gas rule.
            s.sload = 200;
            s.balance = 400;
            s.extcode = 700;
            s.call = 700;
            s.selfdestruct = 5_000;
            s.call_gas_63_64 = true;
            s.selfdestruct_new_account = true;
        }
        if fork.is_enabled(Fork::SpuriousDragon) {
            // EIP-160: EXP repriced. EIP-161: state clearing. EIP-170: code size limit.
            // EIP-155: replay protection.
            s.exp_byte = 50;
            s.empty_account_cleanup = true;
            s.create_nonce_one = true;
            s.max_code_size = Some(0x6000);
            s.eip155 = true;
        }
        if fork.is_enabled(Fork::Byzantium) {
            // EIP-658: receipt status. EIP-649: block reward 3 ether.
            s.receipt_status = true;
            s.block_reward = Some(3 * ETHER);
            // EIP-140 REVERT, EIP-211 RETURNDATA*, EIP-214 STATICCALL.
            s.op_revert = true;
            s.op_returndata = true;
            s.op_staticcall = true;
            // EIP-100: difficulty counts ommers. EIP-649: the bomb delayed by 3 million blocks.
            s.difficulty_rule = DifficultyRule::Byzantium;
            s.difficulty_bomb_delay = 3_000_000;
            // EIP-198: MODEXP. EIP-196, EIP-197: BN254 add, mul and pairing.
            s.precompiles.modexp = Some(ModexpRule::Eip198);
            s.precompiles.bn254 = Some(Bn254Rule::Eip196);
        }
        if fork.is_enabled(Fork::Constantinople) {
            // EIP-1052: EXTCODEHASH. EIP-1283: net gas metering (reverted by Petersburg).
            // EIP-1234: block reward 2 ether.
            s.extcodehash = 400;
            s.block_reward = Some(2 * ETHER);
            // EIP-145 shifts, EIP-1014 CREATE2, EIP-1052 EXTCODEHASH.
            s.op_shifts = true;
            s.op_create2 = true;
            s.op_extcodehash = true;
            // EIP-1234: the bomb delayed by 5 million blocks.
            s.difficulty_bomb_delay = 5_000_000;
            if matches!(fork, Fork::Constantinople) {
                s.sstore = SstoreRule::Eip1283;
            }
        }
        if fork.is_enabled(Fork::Istanbul) {
            // EIP-1884: trie-size-dependent opcodes repriced. EIP-2028: cheaper calldata.
            // EIP-2200: net gas metering with the stipend sentry.
            s.sload = 800;
            s.balance = 700;
            s.extcodehash = 700;
            s.tx_data_nonzero = 16;
            s.sstore = SstoreRule::Eip2200;
            // EIP-1344 CHAINID, EIP-1884 SELFBALANCE.
            s.op_chainid = true;
            s.op_selfbalance = true;
            // EIP-1108: BN254 repriced. EIP-152: BLAKE2F.
            s.precompiles.bn254 = Some(Bn254Rule::Eip1108);
            s.precompiles.blake2f = true;
        }
        if fork.is_enabled(Fork::Berlin) {
            // EIP-2929: cold/warm state access. EIP-2930: access-list transactions.
            s.access_lists = true;
            s.warm_access = 100;
            s.cold_sload = 2_100;
            s.cold_account = 2_600;
            s.sload = 100;
            s.sstore_reset = 5_000 - 2_100;
            s.tx_access_list = true;
            // EIP-2565: MODEXP repriced. EIP-2384 (Muir Glacier, which Ember's fork list
            // folds into Berlin): the bomb delayed by 9 million blocks.
            s.precompiles.modexp = Some(ModexpRule::Eip2565);
            s.difficulty_bomb_delay = 9_000_000;
        }
        if fork.is_enabled(Fork::London) {
            // EIP-1559 fee market. EIP-3529: reduced refunds. EIP-3541: reject 0xEF code.
            s.tx_fee_market = true;
            s.sstore_clear_refund = 4_800;
            s.selfdestruct_refund = 0;
            s.max_refund_quotient = 5;
            s.reject_ef_code = true;
            // EIP-3198: BASEFEE.
            s.op_basefee = true;
            // EIP-3554: the bomb delayed by 9.7 million blocks (the last proof-of-work delay
            // Ember models).
            s.difficulty_bomb_delay = 9_700_000;
        }
        if fork.is_enabled(Fork::Paris) {
            // EIP-3675: proof of stake, no rewards. EIP-4399: DIFFICULTY becomes PREVRANDAO.
            s.prevrandao = true;
            s.proof_of_stake = true;
            s.block_reward = None;
        }
        if fork.is_enabled(Fork::Shanghai) {
            // EIP-3651: warm coinbase. EIP-3860: initcode limit and metering.
            // EIP-4895: withdrawals.
            s.warm_coinbase = true;
            s.withdrawals = true;
            s.max_initcode_size = Some(2 * 0x6000);
            // EIP-3855: PUSH0.
            s.op_push0 = true;
        }
        if fork.is_enabled(Fork::Cancun) {
            // EIP-4844: blob transactions. EIP-6780: SELFDESTRUCT only in the same transaction.
            s.blobs = Some(BlobParams::CANCUN);
            s.selfdestruct_only_same_tx = true;
            // EIP-4788: beacon block root in the EVM.
            s.beacon_roots_call = true;
            // EIP-1153 TLOAD/TSTORE, EIP-5656 MCOPY, EIP-4844 BLOBHASH, EIP-7516 BLOBBASEFEE.
            s.op_transient_storage = true;
            s.op_mcopy = true;
            s.op_blobhash = true;
            s.op_blobbasefee = true;
            // EIP-4844: the KZG point evaluation precompile.
            s.precompiles.kzg_point_evaluation = true;
        }
        if fork.is_enabled(Fork::Prague) {
            // EIP-7702: set-code transactions. EIP-7623: calldata floor. EIP-7691: more blobs.
            s.tx_set_code = true;
            s.calldata_floor = true;
            s.blobs = Some(BlobParams::PRAGUE);
            // EIP-2935: block hashes in state. EIP-7685: execution requests.
            s.history_call = true;
            s.execution_requests = true;
            // EIP-2537: BLS12-381 precompiles.
            s.precompiles.bls12_381 = true;
        }
        if fork.is_enabled(Fork::Osaka) {
            // EIP-7825: transaction gas limit cap. EIP-7594: at most 6 blobs per transaction.
            // EIP-7918: blob base fee bounded by execution cost.
            s.tx_gas_limit_cap = Some(1 << 24);
            s.blobs = Some(BlobParams::OSAKA);
            s.max_blobs_per_tx = Some(MAX_BLOBS_PER_TX);
            s.blob_base_cost = Some(BLOB_BASE_COST);
            // EIP-7934: block RLP size cap.
            s.max_block_rlp_size = Some(MAX_RLP_BLOCK_SIZE);
            // EIP-7939: CLZ.
            s.op_clz = true;
            // EIP-7823, EIP-7883: MODEXP capped and repriced. EIP-7951: P256VERIFY.
            s.precompiles.modexp = Some(ModexpRule::Eip7883);
            s.precompiles.p256verify = true;
        }
        if fork.is_enabled(Fork::Bpo1) {
            // EIP-7892 blob-parameter-only fork.
            s.blobs = Some(BlobParams::BPO1);
        }
        if fork.is_enabled(Fork::Bpo2) {
            // EIP-7892 blob-parameter-only fork.
            s.blobs = Some(BlobParams::BPO2);
        }
        if fork.is_enabled(Fork::Bpo3) {
            // Test-only blob-parameter-only forks of execution-spec-tests.
            s.blobs = Some(BlobParams::BPO3);
        }
        if fork.is_enabled(Fork::Bpo4) {
            s.blobs = Some(BlobParams::BPO4);
        }
        if fork.is_enabled(Fork::Bpo5) {
            s.blobs = Some(BlobParams::BPO5);
        }
        s
    }

    /// The shared, precomputed rules of `fork`.
    pub fn of(fork: Fork) -> &'static Spec {
        &SPECS[fork as usize]
    }
}

static SPECS: [Spec; Fork::ALL.len()] = {
    let mut out = [Spec::new(Fork::Frontier); Fork::ALL.len()];
    let mut i = 0;
    while i < Fork::ALL.len() {
        out[i] = Spec::new(Fork::ALL[i]);
        i += 1;
    }
    out
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_matches_forks() {
        for fork in Fork::ALL {
            assert_eq!(Spec::of(fork).fork, fork);
        }
        assert_eq!(Spec::of(Fork::Constantinople).sstore, SstoreRule::Eip1283);
        assert_eq!(Spec::of(Fork::Petersburg).sstore, SstoreRule::Frontier);
        assert_eq!(Spec::of(Fork::Berlin).sstore_reset, 2_900);
    }

    #[test]
    fn proof_of_work_rules() {
        let pow = |f: Fork| {
            let s = Spec::of(f);
            (s.difficulty_rule, s.difficulty_bomb_delay)
        };
        assert_eq!(pow(Fork::Frontier), (DifficultyRule::Frontier, 0));
        assert_eq!(pow(Fork::Homestead), (DifficultyRule::Homestead, 0));
        assert_eq!(pow(Fork::SpuriousDragon), (DifficultyRule::Homestead, 0));
        assert_eq!(pow(Fork::Byzantium), (DifficultyRule::Byzantium, 3_000_000));
        assert_eq!(
            pow(Fork::Constantinople),
            (DifficultyRule::Byzantium, 5_000_000)
        );
        assert_eq!(pow(Fork::Istanbul), (DifficultyRule::Byzantium, 5_000_000));
        assert_eq!(pow(Fork::Berlin), (DifficultyRule::Byzantium, 9_000_000));
        assert_eq!(pow(Fork::London), (DifficultyRule::Byzantium, 9_700_000));
    }

    #[test]
    fn precompile_schedule() {
        let p = |f: Fork| Spec::of(f).precompiles;
        assert_eq!(p(Fork::SpuriousDragon), PrecompileSchedule::FRONTIER);
        let byzantium = p(Fork::Byzantium);
        assert_eq!(byzantium.modexp, Some(ModexpRule::Eip198));
        assert_eq!(byzantium.bn254, Some(Bn254Rule::Eip196));
        assert!(!byzantium.blake2f);
        assert_eq!(p(Fork::Petersburg), byzantium);
        let istanbul = p(Fork::Istanbul);
        assert_eq!(istanbul.bn254, Some(Bn254Rule::Eip1108));
        assert!(istanbul.blake2f && istanbul.modexp == Some(ModexpRule::Eip198));
        assert_eq!(p(Fork::Berlin).modexp, Some(ModexpRule::Eip2565));
        assert_eq!(p(Fork::Shanghai), p(Fork::Berlin));
        assert!(p(Fork::Cancun).kzg_point_evaluation && !p(Fork::Shanghai).kzg_point_evaluation);
        assert!(p(Fork::Prague).bls12_381 && !p(Fork::Cancun).bls12_381);
        let osaka = p(Fork::Osaka);
        assert!(osaka.p256verify && !p(Fork::Prague).p256verify);
        assert_eq!(osaka.modexp, Some(ModexpRule::Eip7883));
        assert_eq!(p(Fork::Bpo2), osaka);
    }

    #[test]
    fn osaka_and_bpo_rules() {
        // EIP-7892 schedules, as in the execution spec's osaka/bpo1/bpo2 `vm/gas.py`.
        let blobs = |f: Fork| Spec::of(f).blobs.unwrap();
        assert_eq!(blobs(Fork::Osaka), BlobParams::PRAGUE);
        assert_eq!(
            blobs(Fork::Bpo1),
            BlobParams {
                target: 10,
                max: 15,
                update_fraction: 8_346_193
            }
        );
        assert_eq!(
            blobs(Fork::Bpo2),
            BlobParams {
                target: 14,
                max: 21,
                update_fraction: 11_684_671
            }
        );
        assert_eq!(blobs(Fork::Bpo2).max_blob_gas(), 21 * GAS_PER_BLOB);
        assert_eq!(blobs(Fork::Bpo1).target_blob_gas(), 10 * GAS_PER_BLOB);
        // EIP-7594, EIP-7918 and EIP-7825 from Osaka on, BPO forks included.
        for fork in [Fork::Osaka, Fork::Bpo1, Fork::Bpo2] {
            let s = Spec::of(fork);
            assert_eq!(s.max_blobs_per_tx, Some(6));
            assert_eq!(s.blob_base_cost, Some(8_192));
            assert_eq!(s.tx_gas_limit_cap, Some(16_777_216));
        }
        let prague = Spec::of(Fork::Prague);
        assert_eq!(
            (
                prague.max_blobs_per_tx,
                prague.blob_base_cost,
                prague.tx_gas_limit_cap
            ),
            (None, None, None)
        );
        // A BPO fork changes nothing but the blob schedule.
        for fork in [Fork::Bpo1, Fork::Bpo2, Fork::Bpo3, Fork::Bpo4, Fork::Bpo5] {
            let mut bpo = *Spec::of(fork);
            bpo.fork = Fork::Osaka;
            bpo.blobs = Some(BlobParams::OSAKA);
            assert_eq!(&bpo, Spec::of(Fork::Osaka), "{fork}");
        }
        // The test-only BPO3..BPO5 of execution-spec-tests (`ethereum_test_forks`).
        assert_eq!((blobs(Fork::Bpo3).target, blobs(Fork::Bpo3).max), (21, 32));
        assert_eq!(blobs(Fork::Bpo3).update_fraction, 20_609_697);
        assert_eq!((blobs(Fork::Bpo4).target, blobs(Fork::Bpo4).max), (14, 21));
        assert_eq!(blobs(Fork::Bpo4).update_fraction, 13_739_630);
        assert_eq!(blobs(Fork::Bpo5), blobs(Fork::Bpo4));
    }

    #[test]
    fn blob_base_fee() {
        assert_eq!(BlobParams::CANCUN.base_fee(0), 1);
        assert_eq!(BlobParams::CANCUN.base_fee(10_000_000), 19);
        // Values from the execution spec's `calculate_blob_gas_price` (osaka, bpo1, bpo2).
        assert_eq!(BlobParams::OSAKA.base_fee(100_000_000), 470_442_149);
        assert_eq!(BlobParams::BPO1.base_fee(100_000_000), 159_773);
        assert_eq!(BlobParams::BPO2.base_fee(100_000_000), 5_209);
        // Absurd inputs saturate instead of looping for ever or panicking.
        assert_eq!(fake_exponential(1, u64::MAX as u128, 1), u128::MAX);
        assert_eq!(fake_exponential(1, u128::MAX, 1), u128::MAX);
        assert_eq!(fake_exponential(u128::MAX, 1, 2), u128::MAX / 2);
        assert_eq!(fake_exponential(1, 1, 0), u128::MAX);
        let tiny = BlobParams {
            target: 1,
            max: 2,
            update_fraction: 1,
        };
        assert_eq!(tiny.base_fee(u64::MAX), u128::MAX);
    }
}
