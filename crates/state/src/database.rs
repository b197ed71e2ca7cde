//! The [`Database`] trait, the changes a transaction leaves, and [`InMemoryDb`].

use crate::AccountInfo;
use ember_bytecode::Bytecode;
use ember_primitives::alloy_primitives::map::{AddressMap, U256Map};
use ember_primitives::{Address, B256, U256};
use std::collections::HashMap;
use std::convert::Infallible;

/// Where accounts, code, storage and block hashes come from. Embedders implement it over
/// their own storage (a node's database, a fork of a remote chain, a test fixture).
pub trait Database {
    /// The error a lookup can fail with; it aborts the transaction.
    type Error: std::error::Error + Send + Sync + 'static;
    /// The account at `address`, or `None` when it does not exist.
    fn basic(&mut self, address: Address) -> Result<Option<AccountInfo>, Self::Error>;
    /// Code by its hash (accounts returned by [`Database::basic`] without code).
    fn code_by_hash(&mut self, hash: B256) -> Result<Bytecode, Self::Error>;
    /// A storage slot (zero when unset).
    fn storage(&mut self, address: Address, key: U256) -> Result<U256, Self::Error>;
    /// The hash of block `number` (BLOCKHASH).
    fn block_hash(&mut self, number: u64) -> Result<B256, Self::Error>;
    /// True when the account has any non-zero storage slot (the EIP-7610 collision check).
    fn has_storage(&mut self, address: Address) -> Result<bool, Self::Error>;
}

/// How one account changed in a transaction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AccountChange {
    /// The account is gone (self-destructed, or touched while empty under EIP-161).
    Deleted,
    /// The account's new fields and the slots that changed.
    Updated {
        /// New fields.
        info: AccountInfo,
        /// Changed slots with their new values (zero deletes).
        storage: Vec<(U256, U256)>,
        /// The account was created in this transaction: drop any storage it had before.
        storage_cleared: bool,
    },
}

/// Every account a transaction changed.
pub type StateChanges = AddressMap<AccountChange>;

/// Databases that can take a transaction's changes.
pub trait DatabaseCommit {
    /// Applies `changes`.
    fn commit(&mut self, changes: &StateChanges);
}

/// One account of [`InMemoryDb`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DbAccount {
    /// Fields.
    pub info: AccountInfo,
    /// Non-zero slots.
    pub storage: U256Map<U256>,
}

/// A database held in memory: for tests, tools and the local dev chain.
#[derive(Clone, Debug, Default)]
pub struct InMemoryDb {
    /// Accounts by address.
    pub accounts: AddressMap<DbAccount>,
    /// Block hashes by number.
    pub block_hashes: HashMap<u64, B256>,
}

impl InMemoryDb {
    /// An empty database.
    pub fn new() -> InMemoryDb {
        InMemoryDb::default()
    }

    /// Inserts or replaces an account with its storage (zero values are dropped).
    pub fn insert_account(
        &mut self,
        address: Address,
        info: AccountInfo,
        storage: impl IntoIterator<Item = (U256, U256)>,
    ) {
        let storage = storage.into_iter().filter(|(_, v)| !v.is_zero()).collect();
        self.accounts.insert(address, DbAccount { info, storage });
    }

    /// The state root of everything in the database.
    pub fn state_root(&self) -> B256 {
        crate::state_root(
            self.accounts
                .iter()
                .map(|(a, acc)| (*a, &acc.info, &acc.storage)),
        )
    }
}

impl Database for InMemoryDb {
    type Error = Infallible;

    fn basic(&mut self, address: Address) -> Result<Option<AccountInfo>, Infallible> {
        Ok(self.accounts.get(&address).map(|a| a.info.clone()))
    }

    fn code_by_hash(&mut self, hash: B256) -> Result<Bytecode, Infallible> {
        // Accounts always carry their code here; a lookup by hash finds it among them.
        Ok(self
            .accounts
            .values()
            .find(|a| a.info.code_hash == hash)
            .and_then(|a| a.info.code.clone())
            .unwrap_or_default())
    }

    fn storage(&mut self, address: Address, key: U256) -> Result<U256, Infallible> {
        Ok(self
            .accounts
            .get(&address)
            .and_then(|a| a.storage.get(&key))
            .copied()
            .unwrap_or_default())
    }

    fn block_hash(&mut self, number: u64) -> Result<B256, Infallible> {
        Ok(self.block_hashes.get(&number).copied().unwrap_or_default())
    }

    fn has_storage(&mut self, address: Address) -> Result<bool, Infallible> {
        Ok(self
            .accounts
            .get(&address)
            .is_some_and(|a| !a.storage.is_empty()))
    }
}

impl DatabaseCommit for InMemoryDb {
    fn commit(&mut self, changes: &StateChanges) {
        for (address, change) in changes {
            match change {
                AccountChange::Deleted => {
                    self.accounts.remove(address);
                }
                AccountChange::Updated {
                    info,
                    storage,
                    storage_cleared,
                } => {
                    let account = self.accounts.entry(*address).or_default();
                    account.info = info.clone();
                    if *storage_cleared {
                        account.storage.clear();
                    }
                    for (key, value) in storage {
                        if value.is_zero() {
                            account.storage.remove(key);
                        } else {
                            account.storage.insert(*key, *value);
                        }
                    }
                }
            }
        }
    }
}
