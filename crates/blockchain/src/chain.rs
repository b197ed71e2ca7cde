//! [`Chain`]: a tree of blocks in memory. A block is imported on top of any block already
//! in the tree (its parent's post-state), validated against its own ancestry, and the head is
//! chosen by total difficulty before the merge (the first block seen wins a tie) and is the
//! newest valid block after it. A rejected block changes nothing.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

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

/// One block of the tree with what importing it produced.
#[derive(Debug)]
struct Node {
    block: Block,
    /// The sum of the difficulties from genesis to this block.
    total_difficulty: U256,
    /// The state after the block.
    state: Arc<InMemoryDb>,
}

/// A tree of blocks held in memory, rooted at the genesis, with the state after every block
/// and a head chosen by the fork-choice rule (see the module documentation).
#[derive(Debug)]
pub struct Chain {
    config: ChainConfig,
    nodes: HashMap<B256, Node>,
    genesis_hash: B256,
    head: B256,
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
        let node = Node {
            total_difficulty: genesis.header.difficulty,
            block: genesis,
            state: Arc::new(state),
        };
        Ok(Chain {
            config,
            nodes: HashMap::from([(hash, node)]),
            genesis_hash: hash,
            head: hash,
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

    fn head_node(&self) -> &Node {
        &self.nodes[&self.head]
    }

    /// The head block.
    pub fn head(&self) -> &Block {
        &self.head_node().block
    }

    /// The head block's hash.
    pub fn head_hash(&self) -> B256 {
        self.head
    }

    /// The genesis block's hash.
    pub fn genesis_hash(&self) -> B256 {
        self.genesis_hash
    }

    /// The state after the head.
    pub fn state(&self) -> &InMemoryDb {
        &self.head_node().state
    }

    /// The block with this hash, on any branch.
    pub fn block(&self, hash: &B256) -> Option<&Block> {
        self.nodes.get(hash).map(|n| &n.block)
    }

    /// The state after the block with this hash, on any branch.
    pub fn state_at(&self, hash: &B256) -> Option<&InMemoryDb> {
        self.nodes.get(hash).map(|n| n.state.as_ref())
    }

    /// The total difficulty (sum of difficulties from genesis) of the block with this hash.
    pub fn total_difficulty(&self, hash: &B256) -> Option<U256> {
        self.nodes.get(hash).map(|n| n.total_difficulty)
    }

    /// The number of blocks in the tree, genesis included.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Always false: a chain holds at least its genesis.
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// The hashes from the head back to the genesis (the canonical chain, newest first).
    pub fn canonical_hashes(&self) -> Vec<B256> {
        let mut out = Vec::new();
        let mut hash = self.head;
        while let Some(node) = self.nodes.get(&hash) {
            out.push(hash);
            if hash == self.genesis_hash {
                break;
            }
            hash = node.block.header.parent_hash;
        }
        out
    }

    /// Validates `block` against its parent (any block of the tree) and executes it on the
    /// parent's state. On success the block joins the tree and becomes the head when the
    /// fork choice says so (before the merge: a greater total difficulty than the head's;
    /// from the merge on: always); on failure nothing changes and the error names the broken
    /// rule. A block already in the tree is rejected as [`BlockError::KnownBlock`].
    pub fn import(&mut self, block: Block) -> Result<BlockExecution, BlockError> {
        let hash = block.hash();
        if self.nodes.contains_key(&hash) {
            return Err(BlockError::KnownBlock(hash));
        }
        let parent = self
            .nodes
            .get(&block.header.parent_hash)
            .ok_or(BlockError::UnknownParent(block.header.parent_hash))?;
        let header = &block.header;
        // EIP-7934, checked first as the spec does.
        let block_fork = self.config.fork_at(header.number, header.timestamp);
        if let Some(max) = Spec::of(block_fork).max_block_rlp_size {
            let size = block.encoded().len() as u64;
            if size > max {
                return Err(BlockError::BlockTooLarge { size, max });
            }
        }
        let fork = validate_header(&self.config, header, &parent.block.header)?;
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
        let pre = parent.state.as_ref().clone();
        let (execution, mut db) = execute_block(
            pre,
            &self.config,
            &ctx,
            &block.transactions,
            block.withdrawals.as_deref(),
            &options,
        )?;
        check_execution(header, &execution)?;
        db.block_hashes.insert(header.number, hash);
        let total_difficulty = parent.total_difficulty.saturating_add(header.difficulty);
        let becomes_head =
            spec.proof_of_stake || total_difficulty > self.head_node().total_difficulty;
        self.nodes.insert(
            hash,
            Node {
                block,
                total_difficulty,
                state: Arc::new(db),
            },
        );
        if becomes_head {
            self.head = hash;
        }
        Ok(execution)
    }

    /// The ommer rules against the block's own ancestry (any branch): the hash matches, at
    /// most two, none after the merge; each is distinct, neither an ancestor nor an ommer of
    /// one of the last six generations, the child of one of the last six ancestors other
    /// than the parent (not a sibling), and a valid header against its own parent.
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
        // The parent and up to six generations before it, with the ommers they include.
        let mut ancestors: HashMap<B256, &Header> = HashMap::new();
        let mut included: HashSet<B256> = HashSet::new();
        let mut hash = header.parent_hash;
        for _ in 0..=MAX_OMMER_DEPTH {
            let Some(node) = self.nodes.get(&hash) else {
                break;
            };
            ancestors.insert(hash, &node.block.header);
            included.extend(node.block.ommers.iter().map(Header::hash));
            if hash == self.genesis_hash {
                break;
            }
            hash = node.block.header.parent_hash;
        }
        let own_hash = block.hash();
        included.insert(own_hash);
        for ommer in &block.ommers {
            let hash = ommer.hash();
            let bad = |why: &str| Err(BlockError::InvalidOmmers(format!("ommer {hash}: {why}")));
            if !included.insert(hash) {
                return bad("already included (duplicate, or an ommer of an ancestor)");
            }
            if ancestors.contains_key(&hash) {
                return bad("is an ancestor of the block");
            }
            let age = header.number.saturating_sub(ommer.number);
            if ommer.number >= header.number || age > MAX_OMMER_DEPTH {
                return bad("too old or not older than the block");
            }
            if ommer.parent_hash == header.parent_hash {
                return bad("is a sibling of the block");
            }
            let Some(ommer_parent) = ancestors.get(&ommer.parent_hash) else {
                return bad("parent is not a recent ancestor");
            };
            validate_header(&self.config, ommer, ommer_parent)
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
