//! The merge by terminal total difficulty (`<Fork>ToParisAtDiff<D>`, EIP-3675), on chains
//! built with [`Chain::build_block`]: the blocks whose parent's total difficulty is below the
//! TTD are proof-of-work blocks, every later one a proof-of-stake block; a block of the wrong
//! kind on either side is rejected without touching the chain, and after the merge each valid
//! block becomes head whatever the total difficulty of the other branches.

use ember_blockchain::header::EMPTY_OMMERS_HASH;
use ember_blockchain::{Block, BlockError, BlockTemplate, Chain, ChainConfig, Header};
use ember_evm::InMemoryDb;
use ember_primitives::{Address, Fork, Spec, B256, U256};

/// The minimum difficulty of a proof-of-work block; a block 10 s after its parent keeps it.
const MIN_DIFFICULTY: u64 = 0x20000;

/// `ArrowGlacierToParisAtDiffC0000`: TTD 0xC0000, six blocks of the minimum difficulty.
fn chain() -> Chain {
    let config = ChainConfig::for_network("ArrowGlacierToParisAtDiffC0000", 1).expect("network");
    let state = InMemoryDb::new();
    let genesis = Block {
        header: Header {
            ommers_hash: EMPTY_OMMERS_HASH,
            state_root: state.state_root(),
            difficulty: U256::from(MIN_DIFFICULTY),
            gas_limit: 30_000_000,
            base_fee_per_gas: Some(U256::from(1_000_000_000u64)),
            ..Header::default()
        },
        ..Block::default()
    };
    Chain::new(config, genesis, state).expect("genesis")
}

fn build(chain: &Chain, parent: B256, timestamp: u64, miner: u8) -> Block {
    chain
        .build_block(
            parent,
            BlockTemplate {
                timestamp,
                beneficiary: Address::repeat_byte(miner),
                ..BlockTemplate::default()
            },
        )
        .expect("block builds")
}

fn import(chain: &mut Chain, block: &Block) -> B256 {
    chain
        .import(block.clone())
        .unwrap_or_else(|e| panic!("block {} imports: {e}", block.header.number));
    block.hash()
}

#[test]
fn network_names_with_a_terminal_total_difficulty() {
    let c = ChainConfig::for_network("ArrowGlacierToParisAtDiffC0000", 1).unwrap();
    assert!(c.has_terminal_total_difficulty());
    assert_eq!(c.forks[0].0, Fork::London);
    // Without a total difficulty the merge is not reached, whatever the number.
    assert_eq!(c.fork_at(1_000, 1_000), Fork::London);
    assert_eq!(c.fork_after(6, 60, U256::from(0xBFFFFu64)), Fork::London);
    assert_eq!(c.fork_after(6, 60, U256::from(0xC0000u64)), Fork::Paris);
    assert_eq!(c.fork_after(2, 20, U256::from(0xC0001u64)), Fork::Paris);
    let c = ChainConfig::for_network("LondonToParisAtDiff0", 1).unwrap();
    assert_eq!(c.fork_after(1, 1, U256::ZERO), Fork::Paris);
    let c = ChainConfig::for_network("GrayGlacierToMergeAtDiff20000", 1).unwrap();
    assert_eq!(c.fork_after(1, 1, U256::from(0x1FFFFu64)), Fork::London);
    assert_eq!(c.fork_after(1, 1, U256::from(0x20000u64)), Fork::Paris);
    for bad in [
        "LondonToParisAtDiff",
        "LondonToParisAtDiffXYZ",
        "LondonToParisAtDiff-1",
        // more than 256 bits
        "LondonToParisAtDiff10000000000000000000000000000000000000000000000000000000000000000",
        // only the merge activates by total difficulty
        "BerlinToLondonAtDiff10",
        "ParisToShanghaiAtDiff10",
        "ParisToLondonAtDiff10",
        "AtlantisToParisAtDiff10",
    ] {
        assert!(ChainConfig::for_network(bad, 1).is_err(), "{bad}");
    }
}

#[test]
fn the_merge_follows_the_total_difficulty() {
    let mut chain = chain();
    let mut parent = chain.genesis_hash();
    // Genesis (0x20000) and blocks 1..=5: total difficulty 0xC0000 at block 5, the terminal
    // proof-of-work block.
    for n in 1..=5u64 {
        let block = build(&chain, parent, n * 10, 0xaa);
        assert_eq!(
            block.header.difficulty,
            U256::from(MIN_DIFFICULTY),
            "block {n}"
        );
        parent = import(&mut chain, &block);
        assert_eq!(chain.head_hash(), parent);
    }
    let terminal = parent;
    assert_eq!(
        chain.total_difficulty(&terminal),
        Some(U256::from(0xC0000u64))
    );
    let four = chain.block(&terminal).unwrap().header.parent_hash;

    // Block 6 is a proof-of-stake block: no difficulty, no block reward.
    let pos = build(&chain, terminal, 60, 0xbb);
    assert!(pos.header.difficulty.is_zero());
    assert!(Spec::of(Fork::Paris).block_reward.is_none());
    let pos_hash = import(&mut chain, &pos);
    assert_eq!(chain.head_hash(), pos_hash);
    assert!(!chain
        .state()
        .accounts
        .contains_key(&Address::repeat_byte(0xbb)));

    // A proof-of-work block after the terminal block is rejected.
    let mut pow = build(&chain, terminal, 61, 0xcc);
    pow.header.difficulty = U256::from(MIN_DIFFICULTY);
    assert!(matches!(
        chain.import(pow),
        Err(BlockError::InvalidDifficulty { want, .. }) if want.is_zero()
    ));
    // A proof-of-stake block before it (on block 4, total difficulty 0xA0000) too.
    let mut early = build(&chain, four, 50, 0xcc);
    assert_eq!(early.header.difficulty, U256::from(MIN_DIFFICULTY));
    early.header.difficulty = U256::ZERO;
    assert!(matches!(
        chain.import(early),
        Err(BlockError::InvalidDifficulty { got, .. }) if got.is_zero()
    ));
    assert_eq!(chain.head_hash(), pos_hash);

    // A proof-of-work sibling of the terminal block, on block 4, reaches the same total
    // difficulty: imported, not head (a proof-of-stake head stays until a new block).
    let side = build(&chain, four, 51, 0xdd);
    let side_hash = import(&mut chain, &side);
    assert_eq!(chain.head_hash(), pos_hash);
    // Its child is after the TTD too: proof of stake, and the newest valid block is head.
    let side_pos = build(&chain, side_hash, 62, 0xdd);
    assert!(side_pos.header.difficulty.is_zero());
    let side_pos_hash = import(&mut chain, &side_pos);
    assert_eq!(chain.head_hash(), side_pos_hash);
    // And back: a child of the first proof-of-stake block becomes head.
    let next = build(&chain, pos_hash, 70, 0xbb);
    let next_hash = import(&mut chain, &next);
    assert_eq!(chain.head_hash(), next_hash);
    assert_eq!(chain.canonical_hashes().len(), 8);
}
