//! [`Chain`]: a tree of blocks in memory. A block is imported on top of any block already
//! in the tree (its parent's post-state), validated against its own ancestry, and the head is
//! chosen by total difficulty before the merge (the first block seen wins a tie) and is the
//! newest valid block after it. A rejected block changes nothing.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use ember_evm::{InMemoryDb, PrecompileCache};
use ember_primitives::{Address, Bytes, Fork, Spec, B256, U256};
use ember_transaction::Transaction;

use crate::consensus::{
    calc_base_fee, calc_difficulty, calc_excess_blob_gas, validate_header_after,
    ELASTICITY_MULTIPLIER, INITIAL_BASE_FEE,
};
use crate::execute::{
    execute_block, BlockContext, BlockExecution, ExecuteOptions, ExecutionMode, InvalidTxPolicy,
    OmmerReward,
};
use crate::header::Header;
use crate::header::{EMPTY_OMMERS_HASH, EMPTY_REQUESTS_HASH};
use crate::{dao, Block, BlockError, ChainConfig};

/// The DAO fork's extra-data rule: the fork block and the nine after it carry
/// `dao-hard-fork`.
fn check_dao_extra_data(config: &ChainConfig, header: &Header) -> Result<(), BlockError> {
    match dao::required_extra_data(config.dao_fork_block, header.number) {
        Some(want) if header.extra_data != want => Err(BlockError::InvalidDaoExtraData {
            number: header.number,
        }),
        _ => Ok(()),
    }
}

/// What a new block built by [`Chain::build_block`] holds; the rest of its header (number,
/// difficulty, base fee, blob gas, roots, gas used) follows from its parent and its execution.
#[derive(Clone, Debug, Default)]
pub struct BlockTemplate {
    /// The timestamp (must be after the parent's).
    pub timestamp: u64,
    /// The beneficiary.
    pub beneficiary: Address,
    /// The extra data (replaced by `dao-hard-fork` in the DAO fork's range).
    pub extra_data: Bytes,
    /// The gas limit; `None` keeps the parent's (doubled at the London block).
    pub gas_limit: Option<u64>,
    /// The mix hash (PREVRANDAO after the merge).
    pub mix_hash: B256,
    /// The transactions, in order (a block with an invalid one is not built).
    pub transactions: Vec<Transaction>,
    /// The ommer headers.
    pub ommers: Vec<Header>,
}

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
        let block_fork =
            self.config
                .fork_after(header.number, header.timestamp, parent.total_difficulty);
        if let Some(max) = Spec::of(block_fork).max_block_rlp_size {
            let size = block.encoded().len() as u64;
            if size > max {
                return Err(BlockError::BlockTooLarge { size, max });
            }
        }
        let fork = validate_header_after(
            &self.config,
            header,
            &parent.block.header,
            parent.total_difficulty,
        )?;
        check_dao_extra_data(&self.config, header)?;
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
        let mut pre = parent.state.as_ref().clone();
        if self.config.dao_fork_block == Some(header.number) {
            dao::apply_dao_fork(&mut pre);
        }
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

    /// Builds a valid child of the block `parent` (any block of the tree) from `template`:
    /// derives the header from the parent under the fork in force, executes the transactions
    /// on the parent's state and fills in the roots, gas used and blob gas used. The block is
    /// not imported.
    pub fn build_block(&self, parent: B256, template: BlockTemplate) -> Result<Block, BlockError> {
        let parent_node = self
            .nodes
            .get(&parent)
            .ok_or(BlockError::UnknownParent(parent))?;
        let p = &parent_node.block.header;
        let number = p.number.saturating_add(1);
        let parent_td = parent_node.total_difficulty;
        let fork = self
            .config
            .fork_after(number, template.timestamp, parent_td);
        let spec = Spec::of(fork);
        let parent_spec = Spec::of(self.config.fork_after(
            p.number,
            p.timestamp,
            parent_td.saturating_sub(p.difficulty),
        ));
        let london_block = spec.tx_fee_market && !parent_spec.tx_fee_market;
        let gas_limit = template.gas_limit.unwrap_or(if london_block {
            p.gas_limit.saturating_mul(ELASTICITY_MULTIPLIER)
        } else {
            p.gas_limit
        });
        let base_fee_per_gas = spec.tx_fee_market.then(|| {
            if london_block {
                U256::from(INITIAL_BASE_FEE)
            } else {
                calc_base_fee(
                    p.gas_limit,
                    p.gas_used,
                    p.base_fee_per_gas.unwrap_or_default(),
                )
            }
        });
        let difficulty = if spec.proof_of_stake {
            U256::ZERO
        } else {
            calc_difficulty(
                fork,
                number,
                template.timestamp,
                p.timestamp,
                p.difficulty,
                p.ommers_hash != EMPTY_OMMERS_HASH,
            )
        };
        let extra_data = dao::required_extra_data(self.config.dao_fork_block, number)
            .unwrap_or(template.extra_data);
        let excess_blob_gas = self
            .config
            .blob_params(fork)
            .map(|params| calc_excess_blob_gas(fork, params, p));
        let mut header = Header {
            parent_hash: parent,
            ommers_hash: crate::block::ommers_hash(&template.ommers),
            beneficiary: template.beneficiary,
            difficulty,
            number,
            gas_limit,
            timestamp: template.timestamp,
            extra_data,
            mix_hash: template.mix_hash,
            base_fee_per_gas,
            withdrawals_root: spec.withdrawals.then_some(B256::ZERO),
            blob_gas_used: excess_blob_gas.map(|_| 0),
            excess_blob_gas,
            parent_beacon_block_root: spec.beacon_roots_call.then_some(B256::ZERO),
            requests_hash: spec.execution_requests.then_some(EMPTY_REQUESTS_HASH),
            ..Header::default()
        };
        let withdrawals = spec.withdrawals.then(Vec::new);
        let options = ExecuteOptions {
            mode: ExecutionMode::Block,
            on_invalid_tx: InvalidTxPolicy::RejectBlock,
            reward: spec.block_reward.map(U256::from),
            ommers: template
                .ommers
                .iter()
                .map(|o| OmmerReward {
                    delta: number.saturating_sub(o.number),
                    beneficiary: o.beneficiary,
                })
                .collect(),
            precompile_cache: None,
            allow_sender_with_code: false,
        };
        let mut pre = parent_node.state.as_ref().clone();
        if self.config.dao_fork_block == Some(number) {
            dao::apply_dao_fork(&mut pre);
        }
        let ctx = BlockContext::from_header(fork, &header);
        let (execution, _) = execute_block(
            pre,
            &self.config,
            &ctx,
            &template.transactions,
            withdrawals.as_deref(),
            &options,
        )?;
        header.state_root = execution.state_root;
        header.transactions_root = execution.transactions_root;
        header.receipts_root = execution.receipts_root;
        header.logs_bloom = execution.logs_bloom;
        header.gas_used = execution.gas_used;
        header.withdrawals_root = execution.withdrawals_root;
        if header.blob_gas_used.is_some() {
            header.blob_gas_used = Some(execution.blob_gas_used);
        }
        if header.requests_hash.is_some() {
            header.requests_hash = execution.requests_hash;
        }
        Ok(Block {
            header,
            transactions: template.transactions,
            ommers: template.ommers,
            withdrawals,
        })
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
        let mut ancestors: HashMap<B256, (&Header, U256)> = HashMap::new();
        let mut included: HashSet<B256> = HashSet::new();
        let mut hash = header.parent_hash;
        for _ in 0..=MAX_OMMER_DEPTH {
            let Some(node) = self.nodes.get(&hash) else {
                break;
            };
            ancestors.insert(hash, (&node.block.header, node.total_difficulty));
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
            if ommer.parent_hash == header.parent_hash {
                return bad("is a sibling of the block");
            }
            // Its parent is one of the last seven generations, so the ommer (one number
            // above its parent, checked with its header) is at most six generations back.
            let Some(&(ommer_parent, ommer_parent_td)) = ancestors.get(&ommer.parent_hash) else {
                return bad("parent is not a recent ancestor (too old, or not on this branch)");
            };
            validate_header_after(&self.config, ommer, ommer_parent, ommer_parent_td)
                .and_then(|_| check_dao_extra_data(&self.config, ommer))
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
