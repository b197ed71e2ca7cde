//! [`Chain`]: a canonical chain in memory that imports blocks one by one, validating each
//! against its parent and leaving the state at the parent when a block is rejected.

use std::collections::HashSet;

use ember_evm::{InMemoryDb, PrecompileCache};
use ember_primitives::{Fork, Spec, B256, U256};

use crate::consensus::validate_header;
use crate::execute::{
    execute_block, BlockContext, BlockExecution, ExecuteOptions, ExecutionMode, InvalidTxPolicy,
    OmmerReward,
};
use crate::header::Header;
use crate::{Block, BlockError, ChainConfig};

/// How many generations back an ommer may be.
pub const MAX_OMMER_DEPTH: u64 = 6;

/// A chain held in memory: the canonical blocks from genesis and the head state.
#[derive(Debug)]
pub struct Chain {
    config: ChainConfig,
    blocks: Vec<Block>,
    hashes: Vec<B256>,
    state: InMemoryDb,
    precompile_cache: Option<PrecompileCache>,
}

fn mismatch(field: &'static str, got: impl ToString, want: impl ToString) -> BlockError {
    BlockError::RootMismatch {
        field,
        got: got.to_string(),
        want: want.to_string(),
    }
}

impl Chain {
    /// A chain whose genesis is `genesis` with the state `state`; fails when the genesis
    /// header's state root is not the state's.
    pub fn new(
        config: ChainConfig,
        genesis: Block,
        mut state: InMemoryDb,
    ) -> Result<Chain, BlockError> {
        let root = state.state_root();
        if genesis.header.state_root != root {
            return Err(mismatch("state_root", genesis.header.state_root, root));
        }
        let hash = genesis.hash();
        state.block_hashes.insert(genesis.header.number, hash);
        Ok(Chain {
            config,
            blocks: vec![genesis],
            hashes: vec![hash],
            state,
            precompile_cache: None,
        })
    }

    /// Shares a memo of precompile results with other runs.
    pub fn with_precompile_cache(mut self, cache: PrecompileCache) -> Self {
        self.precompile_cache = Some(cache);
        self
    }

    /// The chain's configuration.
    pub fn config(&self) -> &ChainConfig {
        &self.config
    }

    /// The newest block.
    pub fn head(&self) -> &Block {
        self.blocks.last().expect("a chain always has its genesis")
    }

    /// The newest block's hash.
    pub fn head_hash(&self) -> B256 {
        *self.hashes.last().expect("a chain always has its genesis")
    }

    /// The state after the head.
    pub fn state(&self) -> &InMemoryDb {
        &self.state
    }

    /// Validates and executes `block` on top of the head. On success it becomes the head;
    /// on failure nothing changes and the error names the broken rule.
    pub fn import(&mut self, block: Block) -> Result<BlockExecution, BlockError> {
        let parent = self.head();
        if block.header.parent_hash != self.head_hash() {
            return Err(BlockError::UnknownParent(block.header.parent_hash));
        }
        let header = &block.header;
        // EIP-7934, checked first as the spec does.
        let block_fork = self.config.fork_at(header.number, header.timestamp);
        if let Some(max) = Spec::of(block_fork).max_block_rlp_size {
            let size = block.encoded().len() as u64;
            if size > max {
                return Err(BlockError::BlockTooLarge { size, max });
            }
        }
        let fork = validate_header(&self.config, header, &parent.header)?;
        self.validate_ommers(&block, fork)?;
        let spec = Spec::of(fork);
        match (&block.withdrawals, spec.withdrawals) {
            (Some(_), false) => {
                return Err(BlockError::IncorrectBlockFormat(format!(
                    "withdrawals in a {fork} block"
                )))
            }
            (None, true) => {
                return Err(BlockError::IncorrectBlockFormat(format!(
                    "no withdrawals list in a {fork} block"
                )))
            }
            _ => {}
        }

        let reward = spec.block_reward.map(U256::from);
        let options = ExecuteOptions {
            mode: ExecutionMode::Block,
            on_invalid_tx: InvalidTxPolicy::RejectBlock,
            reward,
            ommers: block
                .ommers
                .iter()
                .map(|o| OmmerReward {
                    delta: header.number - o.number,
                    beneficiary: o.beneficiary,
                })
                .collect(),
            precompile_cache: self.precompile_cache.clone(),
            allow_sender_with_code: false,
        };
        let ctx = BlockContext::from_header(fork, header);
        let (execution, db) = execute_block(
            self.state.clone(),
            &self.config,
            &ctx,
            &block.transactions,
            block.withdrawals.as_deref(),
            &options,
        )?;
        check_execution(header, &execution)?;
        let hash = block.hash();
        self.state = db;
        self.state.block_hashes.insert(header.number, hash);
        self.blocks.push(block);
        self.hashes.push(hash);
        Ok(execution)
    }

    /// The ommer rules: the hash matches, at most two, each a valid header of a recent
    /// ancestor's child that is neither canonical nor already included.
    fn validate_ommers(&self, block: &Block, fork: Fork) -> Result<(), BlockError> {
        let header = &block.header;
        let computed = block.ommers_hash();
        if header.ommers_hash != computed {
            return Err(mismatch("ommers_hash", header.ommers_hash, computed));
        }
        if block.ommers.is_empty() {
            return Ok(());
        }
        if Spec::of(fork).proof_of_stake {
            return Err(BlockError::InvalidOmmers("ommers after the merge".into()));
        }
        if block.ommers.len() > 2 {
            return Err(BlockError::InvalidOmmers(format!(
                "{} ommers, at most 2",
                block.ommers.len()
            )));
        }
        let recent = self
            .blocks
            .len()
            .saturating_sub(MAX_OMMER_DEPTH as usize + 1);
        let recent_hashes: HashSet<B256> = self.hashes[recent..].iter().copied().collect();
        let recent_ommers: HashSet<B256> = self.blocks[recent..]
            .iter()
            .flat_map(|b| b.ommers.iter().map(Header::hash))
            .collect();
        let mut seen = HashSet::new();
        for ommer in &block.ommers {
            let hash = ommer.hash();
            let bad = |why: &str| Err(BlockError::InvalidOmmers(format!("ommer {hash}: {why}")));
            if !seen.insert(hash) {
                return bad("duplicate");
            }
            if recent_hashes.contains(&hash) || recent_ommers.contains(&hash) {
                return bad("already in the chain");
            }
            let age = header.number.saturating_sub(ommer.number);
            if ommer.number >= header.number || ommer.number == 0 || age > MAX_OMMER_DEPTH {
                return bad("too old or not older than the block");
            }
            if !recent_hashes.contains(&ommer.parent_hash)
                || ommer.parent_hash == header.parent_hash
            {
                return bad("parent is not a recent ancestor");
            }
            let parent_index = self
                .hashes
                .iter()
                .position(|h| *h == ommer.parent_hash)
                .expect("checked to be recent");
            validate_header(&self.config, ommer, &self.blocks[parent_index].header)
                .map_err(|e| BlockError::InvalidOmmers(format!("ommer {hash}: {e}")))?;
        }
        Ok(())
    }
}

/// Compares the header's execution-dependent fields with what execution produced.
pub fn check_execution(header: &Header, execution: &BlockExecution) -> Result<(), BlockError> {
    if header.gas_used != execution.gas_used {
        return Err(BlockError::InvalidGasUsed {
            got: header.gas_used,
            want: execution.gas_used,
        });
    }
    if let Some(got) = header.blob_gas_used {
        if got != execution.blob_gas_used {
            return Err(BlockError::IncorrectBlobGasUsed {
                got,
                want: execution.blob_gas_used,
            });
        }
    }
    if header.transactions_root != execution.transactions_root {
        return Err(mismatch(
            "transactions_root",
            header.transactions_root,
            execution.transactions_root,
        ));
    }
    if header.withdrawals_root != execution.withdrawals_root {
        return Err(mismatch(
            "withdrawals_root",
            format!("{:?}", header.withdrawals_root),
            format!("{:?}", execution.withdrawals_root),
        ));
    }
    if header.requests_hash != execution.requests_hash {
        return Err(mismatch(
            "requests_hash",
            format!("{:?}", header.requests_hash),
            format!("{:?}", execution.requests_hash),
        ));
    }
    if header.receipts_root != execution.receipts_root {
        return Err(mismatch(
            "receipts_root",
            header.receipts_root,
            execution.receipts_root,
        ));
    }
    if header.logs_bloom != execution.logs_bloom {
        return Err(mismatch(
            "logs_bloom",
            header.logs_bloom,
            execution.logs_bloom,
        ));
    }
    if header.state_root != execution.state_root {
        return Err(mismatch(
            "state_root",
            header.state_root,
            execution.state_root,
        ));
    }
    Ok(())
}
