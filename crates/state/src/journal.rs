//! The journaled state: accounts loaded for one transaction, every change recorded as an
//! undo entry, checkpoints as journal lengths. Reverting a call frame replays its entries
//! backwards; nothing is ever cloned wholesale.

use crate::{Account, AccountChange, AccountInfo, Database, Slot, StateChanges};
use ember_bytecode::Bytecode;
use ember_primitives::alloy_primitives::map::{AddressMap, AddressSet, HashMap};
use ember_primitives::{address, Address, Spec, B256, KECCAK_EMPTY, U256};
use ember_primitives::{Log, SStoreValues, SelfDestructOutcome, StateLoad};
use std::sync::Arc;

/// The RIPEMD-160 precompile, whose touch survives a revert (mainnet block 2675119).
const RIPEMD160: Address = address!("0000000000000000000000000000000000000003");

/// One reversible change. Each variant says what was done; reverting restores the old value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JournalEntry {
    /// The account was accessed for the first time (EIP-2929). Revert: cold again.
    AccountWarmed(Address),
    /// The slot was accessed for the first time. Revert: cold again.
    StorageWarmed(Address, U256),
    /// The account was touched (EIP-161). Revert: untouched (except RIPEMD-160).
    AccountTouched(Address),
    /// The account came into existence. Revert: absent again.
    AccountExists(Address),
    /// The account was created by CREATE. Revert: not created.
    AccountCreated(Address),
    /// The balance changed. Revert: the old balance.
    BalanceChange(Address, U256),
    /// The nonce changed. Revert: the old nonce.
    NonceChange(Address, u64),
    /// The code was set. Revert: no code.
    CodeChange(Address),
    /// A slot was written. Revert: the old value.
    StorageChange(Address, U256, U256),
    /// A transient slot was written (EIP-1153). Revert: the old value.
    TransientChange(Address, U256, U256),
    /// The account was marked for destruction. Revert: unmarked.
    SelfDestructed(Address),
}

/// A point to revert to: journal and log lengths.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Checkpoint {
    journal: usize,
    logs: usize,
}

/// Accounts, storage, transient storage and logs of the transaction in progress, over a
/// [`Database`].
#[derive(Debug)]
pub struct JournaledState<DB: Database> {
    /// The database beneath.
    pub db: DB,
    /// Fork rules.
    pub spec: &'static Spec,
    /// Accounts loaded in this transaction.
    pub accounts: AddressMap<Account>,
    /// EIP-1153 transient storage.
    pub transient: HashMap<(Address, U256), U256>,
    /// Addresses warm from the start of the transaction that may not be loaded yet
    /// (precompiles, access list, coinbase): they load warm, without a journal entry.
    warm_at_start: WarmAtStart,
    /// Logs emitted and not reverted.
    pub logs: Vec<Log>,
    journal: Vec<JournalEntry>,
    error: Option<DB::Error>,
}

impl<DB: Database> JournaledState<DB> {
    /// An empty journal over `db`.
    pub fn new(db: DB, spec: &'static Spec) -> Self {
        JournaledState {
            db,
            spec,
            // Sized for a typical transaction, so the first ones do not rehash as they grow:
            // Prague alone warms 17 precompiles, plus sender, recipient and coinbase.
            accounts: AddressMap::with_capacity_and_hasher(16, Default::default()),
            transient: HashMap::default(),
            warm_at_start: WarmAtStart {
                this_transaction: AddressSet::with_capacity_and_hasher(8, Default::default()),
                every_transaction: Arc::default(),
            },
            logs: Vec::new(),
            journal: Vec::new(),
            error: None,
        }
    }

    /// The first database error met, if any (the transaction must then be abandoned).
    pub fn take_error(&mut self) -> Option<DB::Error> {
        self.error.take()
    }

    /// True when a database lookup has failed.
    pub fn has_error(&self) -> bool {
        self.error.is_some()
    }

    fn record_error(&mut self, error: DB::Error) {
        keep_first(&mut self.error, error);
    }

    /// Loads an account (cold on first load) without warming it.
    fn load(&mut self, address: Address) -> &mut Account {
        let JournaledState {
            accounts,
            db,
            warm_at_start,
            error,
            ..
        } = self;
        load_into(accounts, db, warm_at_start, error, address)
    }

    /// Loads and warms an account, journaling the warm-up; returns whether it was cold.
    pub fn load_account(&mut self, address: Address) -> (&mut Account, bool) {
        let JournaledState {
            accounts,
            db,
            warm_at_start,
            error,
            journal,
            ..
        } = self;
        let account = load_into(accounts, db, warm_at_start, error, address);
        let was_cold = account.is_cold;
        if was_cold {
            journal.push(JournalEntry::AccountWarmed(address));
        }
        account.is_cold = false;
        (account, was_cold)
    }

    /// Makes `addresses` warm at the start of every transaction from now on (EIP-2929's
    /// precompiles), replacing any such set given before. They are looked up when an account
    /// is first loaded, so a transaction pays nothing for the ones it never touches.
    pub fn set_warm_every_transaction(&mut self, addresses: Arc<AddressSet>) {
        self.warm_at_start.every_transaction = addresses;
    }

    /// Warms an account at the start of a transaction (not revertible).
    pub fn warm_account(&mut self, address: Address) {
        match self.accounts.get_mut(&address) {
            Some(account) => account.is_cold = false,
            None => {
                self.warm_at_start.this_transaction.insert(address);
            }
        }
    }

    /// Warms a storage slot at the start of a transaction (not revertible).
    pub fn warm_slot(&mut self, address: Address, key: U256) {
        self.load(address);
        let _ = self.load_slot(address, key);
        if let Some(slot) = self
            .accounts
            .get_mut(&address)
            .and_then(|a| a.storage.get_mut(&key))
        {
            slot.is_cold = false;
        }
    }

    /// The account's fields (loading it, not warming it).
    pub fn info(&mut self, address: Address) -> &AccountInfo {
        &self.load(address).info
    }

    /// Loads and returns the account's code.
    pub fn code(&mut self, address: Address) -> Bytecode {
        let account = self.load(address);
        if let Some(code) = &account.info.code {
            return code.clone();
        }
        let hash = account.info.code_hash;
        let code = if hash == KECCAK_EMPTY {
            Bytecode::default()
        } else {
            match self.db.code_by_hash(hash) {
                Ok(code) => code,
                Err(e) => {
                    self.record_error(e);
                    Bytecode::default()
                }
            }
        };
        self.load(address).info.code = Some(code.clone());
        code
    }

    /// A checkpoint to revert to.
    pub fn checkpoint(&self) -> Checkpoint {
        Checkpoint {
            journal: self.journal.len(),
            logs: self.logs.len(),
        }
    }

    /// Undoes every change since `checkpoint`.
    pub fn revert(&mut self, checkpoint: Checkpoint) {
        self.logs.truncate(checkpoint.logs);
        while self.journal.len() > checkpoint.journal {
            let Some(entry) = self.journal.pop() else {
                break;
            };
            self.undo(entry);
        }
    }

    fn undo(&mut self, entry: JournalEntry) {
        fn account(s: &mut AddressMap<Account>, a: Address) -> &mut Account {
            s.get_mut(&a)
                .expect("a journaled account stays loaded until the transaction ends")
        }
        match entry {
            JournalEntry::AccountWarmed(a) => account(&mut self.accounts, a).is_cold = true,
            JournalEntry::StorageWarmed(a, key) => {
                if let Some(slot) = account(&mut self.accounts, a).storage.get_mut(&key) {
                    slot.is_cold = true;
                }
            }
            JournalEntry::AccountTouched(a) => {
                if a != RIPEMD160 {
                    account(&mut self.accounts, a).touched = false;
                }
            }
            JournalEntry::AccountExists(a) => account(&mut self.accounts, a).exists = false,
            JournalEntry::AccountCreated(a) => account(&mut self.accounts, a).created = false,
            JournalEntry::BalanceChange(a, old) => {
                account(&mut self.accounts, a).info.balance = old
            }
            JournalEntry::NonceChange(a, old) => account(&mut self.accounts, a).info.nonce = old,
            JournalEntry::CodeChange(a) => {
                let acc = account(&mut self.accounts, a);
                acc.info.code_hash = KECCAK_EMPTY;
                acc.info.code = Some(Bytecode::default());
            }
            JournalEntry::StorageChange(a, key, old) => {
                if let Some(slot) = account(&mut self.accounts, a).storage.get_mut(&key) {
                    slot.present = old;
                }
            }
            JournalEntry::TransientChange(a, key, old) => {
                if old.is_zero() {
                    self.transient.remove(&(a, key));
                } else {
                    self.transient.insert((a, key), old);
                }
            }
            JournalEntry::SelfDestructed(a) => {
                account(&mut self.accounts, a).selfdestructed = false
            }
        }
    }

    /// Marks an account touched (EIP-161).
    pub fn touch(&mut self, address: Address) {
        let account = self.load(address);
        if !account.touched {
            account.touched = true;
            self.journal.push(JournalEntry::AccountTouched(address));
        }
    }

    /// Makes an absent account exist (a balance change creates it).
    fn make_exist(&mut self, address: Address) {
        let account = self.load(address);
        if !account.exists {
            account.exists = true;
            self.journal.push(JournalEntry::AccountExists(address));
        }
    }

    /// Sets a balance, creating the account if absent.
    pub fn set_balance(&mut self, address: Address, balance: U256) {
        self.make_exist(address);
        let account = self.load(address);
        let old = account.info.balance;
        account.info.balance = balance;
        self.journal.push(JournalEntry::BalanceChange(address, old));
    }

    /// Moves `value` from `from` to `to`, creating `to` when needed. Returns false (and
    /// changes nothing) when `from` cannot afford it.
    pub fn transfer(&mut self, from: Address, to: Address, value: U256) -> bool {
        let from_balance = self.load(from).info.balance;
        let Some(new_from) = from_balance.checked_sub(value) else {
            return false;
        };
        self.set_balance(from, new_from);
        let to_balance = self.load(to).info.balance;
        self.set_balance(to, to_balance.saturating_add(value));
        true
    }

    /// Sets the nonce.
    pub fn set_nonce(&mut self, address: Address, nonce: u64) {
        self.make_exist(address);
        let account = self.load(address);
        let old = account.info.nonce;
        account.info.nonce = nonce;
        self.journal.push(JournalEntry::NonceChange(address, old));
    }

    /// Deploys `code` at `address`.
    pub fn set_code(&mut self, address: Address, code: Bytecode) {
        let account = self.load(address);
        account.info.code_hash = code.hash();
        account.info.code = Some(code);
        self.journal.push(JournalEntry::CodeChange(address));
    }

    /// Marks `address` as created by CREATE in this transaction: it exists, its storage
    /// starts empty, and (EIP-161) its nonce starts at 1.
    pub fn create_account(&mut self, address: Address) {
        self.make_exist(address);
        let account = self.load(address);
        if !account.created {
            account.created = true;
            self.journal.push(JournalEntry::AccountCreated(address));
        }
        if self.spec.create_nonce_one {
            self.set_nonce(address, 1);
        }
    }

    fn load_slot(&mut self, address: Address, key: U256) -> &mut Slot {
        let JournaledState {
            accounts,
            db,
            warm_at_start,
            error,
            ..
        } = self;
        let account = load_into(accounts, db, warm_at_start, error, address);
        let created = account.created;
        account.storage.entry(key).or_insert_with(|| {
            let value = if created {
                U256::ZERO
            } else {
                db.storage(address, key).unwrap_or_else(|e| {
                    keep_first(error, e);
                    U256::ZERO
                })
            };
            Slot {
                original: value,
                present: value,
                is_cold: true,
            }
        })
    }

    /// SLOAD: the slot's value, warming it.
    pub fn sload(&mut self, address: Address, key: U256) -> StateLoad<U256> {
        let slot = self.load_slot(address, key);
        let is_cold = slot.is_cold;
        slot.is_cold = false;
        let data = slot.present;
        if is_cold {
            self.journal.push(JournalEntry::StorageWarmed(address, key));
        }
        StateLoad { data, is_cold }
    }

    /// SSTORE: writes the slot, warming it, and reports its values.
    pub fn sstore(&mut self, address: Address, key: U256, new: U256) -> StateLoad<SStoreValues> {
        let slot = self.load_slot(address, key);
        let is_cold = slot.is_cold;
        slot.is_cold = false;
        let values = SStoreValues {
            original: slot.original,
            present: slot.present,
            new,
        };
        slot.present = new;
        if is_cold {
            self.journal.push(JournalEntry::StorageWarmed(address, key));
        }
        if new != values.present {
            self.journal
                .push(JournalEntry::StorageChange(address, key, values.present));
        }
        StateLoad {
            data: values,
            is_cold,
        }
    }

    /// TLOAD.
    pub fn tload(&self, address: Address, key: U256) -> U256 {
        self.transient
            .get(&(address, key))
            .copied()
            .unwrap_or_default()
    }

    /// TSTORE.
    pub fn tstore(&mut self, address: Address, key: U256, value: U256) {
        let old = if value.is_zero() {
            self.transient.remove(&(address, key))
        } else {
            self.transient.insert((address, key), value)
        }
        .unwrap_or_default();
        if old != value {
            self.journal
                .push(JournalEntry::TransientChange(address, key, old));
        }
    }

    /// Records a log.
    pub fn log(&mut self, log: Log) {
        self.logs.push(log);
    }

    /// SELFDESTRUCT of `address` in favour of `target`, by the fork's rules.
    pub fn selfdestruct(
        &mut self,
        address: Address,
        target: Address,
    ) -> StateLoad<SelfDestructOutcome> {
        let (target_account, is_cold) = self.load_account(target);
        let target_exists = target_account.exists;
        let target_is_empty = !target_exists || target_account.info.is_empty();
        let account = self.load(address);
        let balance = account.info.balance;
        let previously_destroyed = account.selfdestructed;
        let created = account.created;
        if address != target {
            let target_balance = self.load(target).info.balance;
            self.set_balance(target, target_balance.saturating_add(balance));
        } else {
            self.make_exist(target);
        }
        self.touch(target);
        // EIP-6780: from Cancun only an account created in this transaction is destroyed;
        // otherwise the balance moves and the account stays. Sending to itself then keeps it.
        let destroys = !self.spec.selfdestruct_only_same_tx || created;
        if destroys || address != target {
            self.set_balance(address, U256::ZERO);
        }
        if destroys && !previously_destroyed {
            self.load(address).selfdestructed = true;
            self.journal.push(JournalEntry::SelfDestructed(address));
        }
        StateLoad {
            data: SelfDestructOutcome {
                had_value: !balance.is_zero(),
                target_exists,
                target_is_empty,
                previously_destroyed,
            },
            is_cold,
        }
    }

    /// Ends the transaction: applies destructions and EIP-161 cleanup, and returns the
    /// changes and logs. The journal is emptied for the next transaction.
    pub fn finalize(&mut self) -> (StateChanges, Vec<Log>) {
        let cleanup = self.spec.empty_account_cleanup;
        let mut changes =
            StateChanges::with_capacity_and_hasher(self.accounts.len(), Default::default());
        for (address, account) in self.accounts.drain() {
            if account.selfdestructed {
                if account.exists || account.created {
                    changes.insert(address, AccountChange::Deleted);
                }
                continue;
            }
            if cleanup && account.touched && account.info.is_empty() {
                if account.exists {
                    changes.insert(address, AccountChange::Deleted);
                }
                continue;
            }
            if !account.exists {
                continue;
            }
            let storage: Vec<(U256, U256)> = account
                .storage
                .iter()
                .filter(|(_, slot)| slot.present != slot.original || account.created)
                .map(|(k, slot)| (*k, slot.present))
                .collect();
            changes.insert(
                address,
                AccountChange::Updated {
                    info: account.info,
                    storage,
                    storage_cleared: account.created,
                },
            );
        }
        self.journal.clear();
        self.transient.clear();
        self.warm_at_start.this_transaction.clear();
        (changes, std::mem::take(&mut self.logs))
    }

    /// Forgets the transaction in progress (after an invalid transaction or a database error).
    pub fn discard(&mut self) {
        self.accounts.clear();
        self.warm_at_start.this_transaction.clear();
        self.transient.clear();
        self.logs.clear();
        self.journal.clear();
    }

    /// True when `address` has non-zero storage now: written in this transaction or in the
    /// database (EIP-7610).
    pub fn has_storage(&mut self, address: Address) -> bool {
        let account = self.load(address);
        if account.storage.values().any(|slot| !slot.present.is_zero()) {
            return true;
        }
        if account.created {
            return false;
        }
        match self.db.has_storage(address) {
            Ok(has) => has,
            Err(e) => {
                self.record_error(e);
                false
            }
        }
    }

    /// A block hash from the database.
    pub fn block_hash(&mut self, number: u64) -> B256 {
        match self.db.block_hash(number) {
            Ok(h) => h,
            Err(e) => {
                self.record_error(e);
                B256::ZERO
            }
        }
    }
}

/// Keeps the first database error of a transaction; later ones are consequences of it.
fn keep_first<E>(slot: &mut Option<E>, error: E) {
    if slot.is_none() {
        *slot = Some(error);
    }
}

/// The accounts warm at the start of a transaction before they are loaded.
#[derive(Debug, Default)]
struct WarmAtStart {
    /// Warmed for this transaction: sender, recipient, access list, coinbase.
    this_transaction: AddressSet,
    /// Warm in every transaction (the precompiles), shared with the precompile set.
    every_transaction: Arc<AddressSet>,
}

impl WarmAtStart {
    #[inline]
    fn contains(&self, address: &Address) -> bool {
        self.this_transaction.contains(address) || self.every_transaction.contains(address)
    }
}

/// The account at `address`, read from `db` on first use (cold unless warm from the
/// start). Takes the journal's fields separately so callers can keep using the others.
fn load_into<'a, DB: Database>(
    accounts: &'a mut AddressMap<Account>,
    db: &mut DB,
    warm_at_start: &WarmAtStart,
    error: &mut Option<DB::Error>,
    address: Address,
) -> &'a mut Account {
    accounts.entry(address).or_insert_with(|| {
        let (info, exists) = match db.basic(address) {
            Ok(Some(info)) => (info, true),
            Ok(None) => (AccountInfo::default(), false),
            Err(e) => {
                keep_first(error, e);
                (AccountInfo::default(), false)
            }
        };
        Account {
            info,
            exists,
            is_cold: !warm_at_start.contains(&address),
            ..Account::default()
        }
    })
}
