//! [`Store`]: the chain kept in an embedded transactional database (`--data-dir`).

use std::path::Path;

use ember_primitives::Fork;

use crate::chain::{DevChain, MinedBlock, StateDiff};

/// A failure of the durable store.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct StoreError(pub String);

/// The durable store.
#[derive(Debug)]
pub struct Store;

impl Store {
    /// Opens the store in `dir` (creating it), with the chain it holds, if any.
    pub fn open_or_create(
        dir: &Path,
        _fork: Fork,
        _chain_id: u64,
    ) -> Result<(Store, Option<DevChain>), StoreError> {
        Err(StoreError(format!(
            "--data-dir {} is not supported yet",
            dir.display()
        )))
    }

    /// Replaces the store's content with `chain` (a new chain, or `anvil_reset`).
    pub fn init(&mut self, _chain: &DevChain) -> Result<(), StoreError> {
        Ok(())
    }

    /// Writes a mined block and the state it changed, durably.
    pub fn commit_block(
        &mut self,
        _block: &MinedBlock,
        _diff: &StateDiff,
    ) -> Result<(), StoreError> {
        Ok(())
    }

    /// Writes state changed outside a block (cheat codes).
    pub fn commit_state(&mut self, _diff: &StateDiff) -> Result<(), StoreError> {
        Ok(())
    }

    /// Drops blocks after `head` and replaces the state with `whole`.
    pub fn rewind(&mut self, _head: u64, _whole: &StateDiff) -> Result<(), StoreError> {
        Ok(())
    }
}
