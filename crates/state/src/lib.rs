//! State for the EVM: the [`Database`] trait embedders implement, the [`InMemoryDb`], the
//! [`JournaledState`] that records every change of a transaction so a failed call frame
//! undoes exactly its own changes, and the Merkle-Patricia [`state_root`].
#![deny(missing_docs)]

mod account;
mod database;
mod journal;
mod root;

pub use account::{Account, AccountInfo, Slot};
pub use database::{AccountChange, Database, DatabaseCommit, InMemoryDb, StateChanges};
pub use journal::{Checkpoint, JournalEntry, JournaledState};
pub use root::{logs_hash, logs_rlp, state_root, state_root_with_storage_roots, storage_root};
