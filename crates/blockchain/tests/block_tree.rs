//! The block tree of [`Chain`]: blocks built with [`Chain::build_block`] on competing
//! branches; after each import the head (total difficulty before the merge, the newest valid
//! block after it) and the head's state are checked, and the ommer rules against side chains.

use ember_blockchain::dao::{DAO_DRAIN_LIST, DAO_FORK_EXTRA_DATA, DAO_REFUND_CONTRACT};
use ember_blockchain::header::EMPTY_OMMERS_HASH;
use ember_blockchain::{Block, BlockError, BlockTemplate, Chain, ChainConfig, Header};
use ember_evm::state::AccountInfo;
use ember_evm::InMemoryDb;
use ember_primitives::{Address, Bytes, Fork, B256, U256};

const ETHER: u128 = 1_000_000_000_000_000_000;

fn genesis_chain(config: ChainConfig, state: InMemoryDb) -> Chain {
    let pos = config.forks[0].0 >= Fork::Paris;
    let genesis = Block {
        header: Header {
            ommers_hash: EMPTY_OMMERS_HASH,
            state_root: state.state_root(),
            difficulty: if pos {
                U256::ZERO
            } else {
                U256::from(1u64 << 21)
            },
            gas_limit: 3_141_592,
            base_fee_per_gas: pos.then_some(U256::from(7)),
            ..Header::default()
        },
        ..Block::default()
    };
    Chain::new(config, genesis, state).expect("genesis")
}

fn coinbase(n: u8) -> Address {
    Address::repeat_byte(n)
}

/// A child of `parent` at `timestamp` paying `miner`, with `ommers`.
fn build(chain: &Chain, parent: B256, timestamp: u64, miner: u8, ommers: Vec<Header>) -> Block {
    chain
        .build_block(
            parent,
            BlockTemplate {
                timestamp,
                beneficiary: coinbase(miner),
                ommers,
                ..BlockTemplate::default()
            },
        )
        .expect("block builds")
}

fn import(chain: &mut Chain, block: &Block) -> B256 {
    chain.import(block.clone()).expect("block imports");
    block.hash()
}

fn balance(state: &InMemoryDb, address: Address) -> Option<U256> {
    state.accounts.get(&address).map(|a| a.info.balance)
}

fn eth(n: u128) -> U256 {
    U256::from(n * ETHER)
}

#[test]
fn heaviest_branch_is_head_and_reorgs_follow_total_difficulty() {
    let mut chain = genesis_chain(ChainConfig::single(Fork::Frontier, 1), InMemoryDb::new());
    let genesis = chain.head_hash();

    // a1: a fast block (difficulty rises).
    let a1 = build(&chain, genesis, 10, 0xaa, vec![]);
    let a1h = import(&mut chain, &a1);
    assert_eq!(chain.head_hash(), a1h);
    assert_eq!(balance(chain.state(), coinbase(0xaa)), Some(eth(5)));

    // b1: a slow sibling (lower difficulty): imported, not head.
    let b1 = build(&chain, genesis, 20, 0xbb, vec![]);
    assert!(b1.header.difficulty < a1.header.difficulty);
    let b1h = import(&mut chain, &b1);
    assert_eq!(chain.head_hash(), a1h);
    assert_eq!(balance(chain.state(), coinbase(0xbb)), None);
    assert_eq!(
        balance(chain.state_at(&b1h).unwrap(), coinbase(0xbb)),
        Some(eth(5))
    );

    // c1: same difficulty as a1 (same timestamp): a tie, the first seen stays head.
    let c1 = build(&chain, genesis, 10, 0xcc, vec![]);
    import(&mut chain, &c1);
    assert_eq!(
        chain.total_difficulty(&c1.hash()),
        chain.total_difficulty(&a1h)
    );
    assert_eq!(chain.head_hash(), a1h);

    // b2 on b1: the b branch is now heavier; reorg to it.
    let b2 = build(&chain, b1h, 21, 0xbb, vec![]);
    let b2h = import(&mut chain, &b2);
    assert!(chain.total_difficulty(&b2h) > chain.total_difficulty(&a1h));
    assert_eq!(chain.head_hash(), b2h);
    assert_eq!(balance(chain.state(), coinbase(0xbb)), Some(eth(10)));
    assert_eq!(balance(chain.state(), coinbase(0xaa)), None);
    assert_eq!(chain.canonical_hashes(), vec![b2h, b1h, genesis]);

    // a2 on a1: back to the a branch.
    let a2 = build(&chain, a1h, 11, 0xaa, vec![]);
    let a2h = import(&mut chain, &a2);
    assert!(chain.total_difficulty(&a2h) > chain.total_difficulty(&b2h));
    assert_eq!(chain.head_hash(), a2h);
    assert_eq!(balance(chain.state(), coinbase(0xaa)), Some(eth(10)));
    assert_eq!(balance(chain.state(), coinbase(0xbb)), None);
    assert_eq!(chain.state().state_root(), a2.header.state_root);
    assert_eq!(chain.len(), 6);
}

#[test]
fn an_invalid_block_on_a_side_branch_changes_nothing() {
    let mut chain = genesis_chain(ChainConfig::single(Fork::Homestead, 1), InMemoryDb::new());
    let genesis = chain.head_hash();
    let a1 = build(&chain, genesis, 10, 0xaa, vec![]);
    let a1h = import(&mut chain, &a1);
    let a2 = build(&chain, a1h, 20, 0xaa, vec![]);
    let a2h = import(&mut chain, &a2);
    let root = chain.state().state_root();

    // A side block with a forged state root, then one with a forged timestamp.
    let mut bad = build(&chain, genesis, 30, 0xbb, vec![]);
    bad.header.state_root = B256::repeat_byte(1);
    assert!(matches!(
        chain.import(bad.clone()),
        Err(BlockError::RootMismatch {
            field: "state_root",
            ..
        })
    ));
    let mut early = build(&chain, a1h, 15, 0xbb, vec![]);
    early.header.timestamp = a1.header.timestamp;
    assert!(matches!(
        chain.import(early),
        Err(BlockError::InvalidTimestamp { .. })
    ));
    // A child of the rejected block has no parent; a known block is not imported twice.
    let orphan = Block {
        header: Header {
            parent_hash: bad.hash(),
            number: 2,
            ..bad.header.clone()
        },
        ..Block::default()
    };
    assert!(matches!(
        chain.import(orphan),
        Err(BlockError::UnknownParent(_))
    ));
    assert!(matches!(
        chain.import(a1.clone()),
        Err(BlockError::KnownBlock(_))
    ));
    assert_eq!(chain.head_hash(), a2h);
    assert_eq!(chain.state().state_root(), root);
    assert_eq!(chain.len(), 3);
}

#[test]
fn ommers_from_side_chains_and_their_rules() {
    let mut chain = genesis_chain(ChainConfig::single(Fork::Byzantium, 1), InMemoryDb::new());
    let genesis = chain.head_hash();
    let a1 = build(&chain, genesis, 10, 0xaa, vec![]);
    let a1h = import(&mut chain, &a1);
    // b1: a side-chain block, sibling of a1.
    let b1 = build(&chain, genesis, 12, 0xbb, vec![]);
    import(&mut chain, &b1);
    // x2: a slow child of a1 on a side branch.
    let x2 = build(&chain, a1h, 30, 0xdd, vec![]);
    import(&mut chain, &x2);

    // A sibling of the block (same parent) is not an ommer; nor is an ancestor.
    let sibling = build(&chain, a1h, 20, 0xaa, vec![x2.header.clone()]);
    assert!(matches!(
        chain.import(sibling),
        Err(BlockError::InvalidOmmers(_))
    ));
    let ancestor = build(&chain, a1h, 20, 0xaa, vec![a1.header.clone()]);
    assert!(matches!(
        chain.import(ancestor),
        Err(BlockError::InvalidOmmers(_))
    ));
    // The same ommer twice is a duplicate.
    let twice = build(
        &chain,
        a1h,
        20,
        0xaa,
        vec![b1.header.clone(), b1.header.clone()],
    );
    assert!(matches!(
        chain.import(twice),
        Err(BlockError::InvalidOmmers(_))
    ));
    // An ommer with a bad header of its own (timestamp not after its parent's).
    let mut forged = b1.header.clone();
    forged.timestamp = 0;
    let bad_ommer = build(&chain, a1h, 20, 0xaa, vec![forged]);
    assert!(matches!(
        chain.import(bad_ommer),
        Err(BlockError::InvalidOmmers(_))
    ));

    // a2 includes b1 from the side chain: accepted, rewards paid (Byzantium: 3 ETH, the
    // ommer 3 * 7/8, the includer 3/32 more).
    let a2 = build(&chain, a1h, 20, 0xaa, vec![b1.header.clone()]);
    let a2h = import(&mut chain, &a2);
    assert_eq!(chain.head_hash(), a2h);
    let state = chain.state();
    assert_eq!(
        balance(state, coinbase(0xaa)),
        Some(eth(6) + eth(3) / U256::from(32))
    );
    assert_eq!(
        balance(state, coinbase(0xbb)),
        Some(eth(3) * U256::from(7) / U256::from(8))
    );
    // Once included, it cannot be included again on that branch...
    let again = build(&chain, a2h, 30, 0xaa, vec![b1.header.clone()]);
    assert!(matches!(
        chain.import(again),
        Err(BlockError::InvalidOmmers(_))
    ));
    // ...but another branch that has not included it may (x2's child).
    let y3 = build(&chain, x2.hash(), 40, 0xee, vec![b1.header.clone()]);
    import(&mut chain, &y3);

    // Six generations on, b1 (number 1) is too old for block 8.
    let mut parent = a2h;
    for (i, t) in (3..=7u64).zip(40..) {
        let block = build(&chain, parent, t * 10 + i, 0xaa, vec![]);
        parent = import(&mut chain, &block);
    }
    let old = build(&chain, parent, 1000, 0xaa, vec![b1.header.clone()]);
    assert_eq!(old.header.number, 8);
    assert!(matches!(
        chain.import(old),
        Err(BlockError::InvalidOmmers(_))
    ));
}

#[test]
fn after_the_merge_every_valid_block_becomes_head() {
    let mut chain = genesis_chain(ChainConfig::single(Fork::Paris, 1), InMemoryDb::new());
    let genesis = chain.head_hash();
    let p1 = build(&chain, genesis, 12, 0xaa, vec![]);
    let p1h = import(&mut chain, &p1);
    let p2 = build(&chain, p1h, 24, 0xaa, vec![]);
    let p2h = import(&mut chain, &p2);
    assert_eq!(chain.head_hash(), p2h);
    // A sibling of p1, with no more total difficulty, becomes head when imported.
    let q1 = build(&chain, genesis, 13, 0xbb, vec![]);
    let q1h = import(&mut chain, &q1);
    assert_eq!(chain.total_difficulty(&q1h), chain.total_difficulty(&p2h));
    assert_eq!(chain.head_hash(), q1h);
    assert_eq!(chain.state().state_root(), q1.header.state_root);
}

#[test]
fn dao_fork_moves_the_drain_list_and_requires_its_extra_data() {
    let mut state = InMemoryDb::new();
    let rich = DAO_DRAIN_LIST[3];
    state.insert_account(
        rich,
        AccountInfo {
            balance: eth(100),
            ..AccountInfo::default()
        },
        [],
    );
    let config = ChainConfig::for_network("HomesteadToDaoAt2", 1).unwrap();
    let mut chain = genesis_chain(config, state);
    let b1 = build(&chain, chain.head_hash(), 10, 0xaa, vec![]);
    let b1h = import(&mut chain, &b1);
    assert_eq!(balance(chain.state(), rich), Some(eth(100)));
    assert_eq!(balance(chain.state(), DAO_REFUND_CONTRACT), None);

    let b2 = build(&chain, b1h, 20, 0xaa, vec![]);
    assert_eq!(b2.header.extra_data.as_ref(), DAO_FORK_EXTRA_DATA);
    // The fork block without the extra data is rejected.
    let mut plain = b2.clone();
    plain.header.extra_data = Bytes::new();
    assert!(matches!(
        chain.import(plain),
        Err(BlockError::InvalidDaoExtraData { number: 2 })
    ));
    import(&mut chain, &b2);
    assert_eq!(balance(chain.state(), rich), Some(U256::ZERO));
    assert_eq!(balance(chain.state(), DAO_REFUND_CONTRACT), Some(eth(100)));
    // Every drain-list account exists (emptied) after the fork.
    assert!(DAO_DRAIN_LIST
        .iter()
        .all(|a| chain.state().accounts.contains_key(a)));
}
