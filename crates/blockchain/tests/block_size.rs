//! EIP-7934: from Osaka a block whose RLP exceeds MAX_RLP_BLOCK_SIZE is rejected before
//! anything else is checked, and the chain stays at its parent.

use ember_blockchain::{Block, BlockError, Chain, ChainConfig, Header, Withdrawal};
use ember_evm::{Address, InMemoryDb};
use ember_primitives::spec::MAX_RLP_BLOCK_SIZE;
use ember_primitives::Fork;

fn chain(fork: Fork) -> Chain {
    let state = InMemoryDb::new();
    let genesis = Block {
        header: Header {
            state_root: state.state_root(),
            ..Header::default()
        },
        transactions: Vec::new(),
        ommers: Vec::new(),
        withdrawals: Some(Vec::new()),
    };
    Chain::new(ChainConfig::single(fork, 1), genesis, state).expect("genesis")
}

/// A child of the head carrying `n` withdrawals (about 30 bytes of RLP each).
fn child(chain: &Chain, n: u64) -> Block {
    let withdrawal = |i| Withdrawal {
        index: i,
        validator_index: i,
        address: Address::repeat_byte(0x11),
        amount: 1,
    };
    Block {
        header: Header {
            parent_hash: chain.head_hash(),
            number: 1,
            timestamp: 12,
            ..chain.head().header.clone()
        },
        transactions: Vec::new(),
        ommers: Vec::new(),
        withdrawals: Some((0..n).map(withdrawal).collect()),
    }
}

#[test]
fn oversized_block_is_rejected_from_osaka() {
    let mut osaka = chain(Fork::Osaka);
    let block = child(&osaka, 300_000);
    let size = block.encoded().len() as u64;
    assert!(size > MAX_RLP_BLOCK_SIZE);
    let head = osaka.head_hash();
    match osaka.import(block) {
        Err(BlockError::BlockTooLarge { size: got, max }) => {
            assert_eq!((got, max), (size, MAX_RLP_BLOCK_SIZE));
        }
        other => panic!("want BlockTooLarge, got {other:?}"),
    }
    assert_eq!(osaka.head_hash(), head);

    // Prague has no cap: the same block fails on something else (its header), not its size.
    let mut prague = chain(Fork::Prague);
    let block = child(&prague, 300_000);
    assert!(!matches!(
        prague.import(block),
        Err(BlockError::BlockTooLarge { .. })
    ));
}
