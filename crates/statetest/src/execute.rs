//! Runs one [`Case`] in Ember: pre-state in, state root and logs hash out.

use crate::{Case, Filler, Outcome};
use ember_evm::state::{logs_hash, AccountInfo};
use ember_evm::{
    keccak256, Address, Bytecode, Database, DatabaseCommit, Evm, InMemoryDb, PrecompileCache, B256,
    U256,
};
use std::convert::Infallible;
use std::sync::OnceLock;

/// The state tests' database: the pre-state in memory, and BLOCKHASH answered as the test
/// generators define it, `keccak256` of the block number in decimal.
struct FixtureDb(InMemoryDb);

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

/// One memo of expensive precompile results for the whole run: suites replay the same
/// scenario under many forks (CALLBlake2f_MaxRounds runs 2^32-1 BLAKE2 rounds in six).
fn shared_precompile_cache() -> PrecompileCache {
    static CACHE: OnceLock<PrecompileCache> = OnceLock::new();
    CACHE
        .get_or_init(|| PrecompileCache::new(1_000_000))
        .clone()
}

/// Executes `case` and reports the post-state root, the logs hash and, for a rejected
/// transaction, the reason.
pub fn execute(case: &Case) -> Outcome {
    let mut db = InMemoryDb::new();
    for (address, account) in case.pre.iter() {
        let info = AccountInfo::with_code(
            account.balance,
            account.nonce,
            Bytecode::new(account.code.clone()),
        );
        db.insert_account(*address, info, account.storage.iter().copied());
    }
    let mut evm = Evm::builder(FixtureDb(db))
        .fork(case.fork)
        .block(case.block.clone())
        .chain_id(case.chain_id)
        .precompile_cache(shared_precompile_cache())
        .build();
    let (logs, invalid) = match &case.tx {
        Err(reason) => (Vec::new(), Some(reason.clone())),
        Ok(tx) => match evm.transact_commit(tx) {
            Ok(result) => (result.logs().to_vec(), None),
            Err(e) => (Vec::new(), Some(e.to_string())),
        },
    };
    let spec = evm.spec();
    let mut db = evm.into_db().0;
    if invalid.is_some() && case.filler == Filler::Retesteth {
        // retesteth's fixtures were filled by a t8n that still makes a block with a
        // zero-value reward when the transaction is rejected. Before EIP-161 that creates the
        // coinbase; after, it removes the coinbase if it exists and is empty.
        let coinbase = case.block.coinbase;
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
    Outcome {
        state_root: db.state_root(),
        logs_hash: logs_hash(&logs),
        invalid,
    }
}
