//! Runs one [`Case`] in Ember: pre-state in, state root and logs hash out.

use crate::{Case, Filler, Outcome};
use ember_evm::state::{logs_hash, AccountInfo};
use ember_evm::{
    keccak256, Address, Bytecode, Database, DatabaseCommit, Evm, ExecutionResult, InMemoryDb,
    PrecompileCache, B256, U256,
};
use ember_primitives::Spec;
use std::convert::Infallible;
use std::sync::OnceLock;

/// The state tests' database: the pre-state in memory, and BLOCKHASH answered as the test
/// generators define it, `keccak256` of the block number in decimal.
#[derive(Clone, Debug)]
pub struct FixtureDb(pub InMemoryDb);

impl FixtureDb {
    /// The pre-state of `case`.
    pub fn of(case: &Case) -> FixtureDb {
        let mut db = InMemoryDb::new();
        for (address, account) in case.pre.iter() {
            let info = AccountInfo::with_code(
                account.balance,
                account.nonce,
                Bytecode::new(account.code.clone()),
            );
            db.insert_account(*address, info, account.storage.iter().copied());
        }
        FixtureDb(db)
    }
}

impl Database for FixtureDb {
    type Error = Infallible;

    fn basic(&mut self, address: Address) -> Result<Option<AccountInfo>, Infallible> {
        self.0.basic(address)
    }

    fn code_by_hash(&mut self, hash: B256) -> Result<Bytecode, Infallible> {
        self.0.code_by_hash(hash)
    }

    fn storage(&mut self, address: Address, key: U256) -> Result<U256, Infallible> {
        self.0.storage(address, key)
    }

    fn block_hash(&mut self, number: u64) -> Result<B256, Infallible> {
        Ok(keccak256(number.to_string()))
    }

    fn has_storage(&mut self, address: Address) -> Result<bool, Infallible> {
        self.0.has_storage(address)
    }
}

impl DatabaseCommit for FixtureDb {
    fn commit(&mut self, changes: &ember_evm::StateChanges) {
        self.0.commit(changes)
    }
}

/// Precompile calls cheaper than this are recomputed rather than remembered: below it,
/// hashing and comparing the input as a key costs about what the computation saves
/// (SHA-256 of a 50 KB input, 30,000 gas, hashes about as fast as the key does).
pub const PRECOMPILE_MEMO_MIN_GAS: u64 = 100_000;

/// One memo of expensive precompile results for the whole run: suites replay the same
/// scenario under many forks (CALLBlake2f_MaxRounds runs 2^32-1 BLAKE2 rounds in six).
pub fn shared_precompile_cache() -> PrecompileCache {
    static CACHE: OnceLock<PrecompileCache> = OnceLock::new();
    CACHE
        .get_or_init(|| PrecompileCache::new(PRECOMPILE_MEMO_MIN_GAS))
        .clone()
}

impl Filler {
    /// What a rejected transaction leaves behind besides the unchanged pre-state, under this
    /// filler's convention. [`Filler::Retesteth`]: its t8n still makes a block with a
    /// zero-value reward, which before EIP-161 creates the coinbase and after it removes the
    /// coinbase if it exists and is empty. [`Filler::ExecutionSpecs`]: nothing.
    pub fn settle_rejected(self, db: &mut InMemoryDb, coinbase: Address, spec: &Spec) {
        if self != Filler::Retesteth {
            return;
        }
        match db.accounts.get(&coinbase) {
            None if !spec.empty_account_cleanup => {
                db.insert_account(coinbase, AccountInfo::default(), []);
            }
            Some(account) if spec.empty_account_cleanup && account.info.is_empty() => {
                db.accounts.remove(&coinbase);
            }
            _ => {}
        }
    }
}

/// Executes `case` and reports the post-state root, the logs hash and, for a rejected
/// transaction, the reason.
pub fn execute(case: &Case) -> Outcome {
    execute_with_result(case).0
}

/// [`execute`], also giving the transaction's result when it was valid (status, gas used,
/// output, logs).
pub fn execute_with_result(case: &Case) -> (Outcome, Option<ExecutionResult>) {
    let mut evm = Evm::builder(FixtureDb::of(case))
        .fork(case.fork)
        .block(case.block.clone())
        .chain_id(case.chain_id)
        .precompile_cache(shared_precompile_cache())
        .build();
    let (result, invalid) = match &case.tx {
        Err(reason) => (None, Some(reason.clone())),
        Ok(tx) => match evm.transact_commit(tx) {
            Ok(result) => (Some(result), None),
            Err(e) => (None, Some(e.to_string())),
        },
    };
    let spec = evm.spec();
    let mut db = evm.into_db().0;
    if invalid.is_some() {
        case.filler
            .settle_rejected(&mut db, case.block.coinbase, spec);
    }
    let logs = result.as_ref().map_or(&[][..], |r| r.logs());
    let outcome = Outcome {
        state_root: db.state_root(),
        logs_hash: logs_hash(logs),
        invalid,
    };
    (outcome, result)
}
