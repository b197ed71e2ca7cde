//! Receipts, log blooms, and the ordered tries (transactions, receipts, withdrawals).

use alloy_rlp::Encodable;
use alloy_trie::{HashBuilder, Nibbles};
use ember_evm::Log;
use ember_primitives::alloy_primitives::Bloom;
use ember_primitives::{TxType, B256};

/// What a receipt records about the transaction's outcome.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReceiptOutcome {
    /// Before Byzantium: the state root after the transaction.
    StateRoot(B256),
    /// From Byzantium (EIP-658): whether the transaction succeeded.
    Status(bool),
}

/// A transaction receipt (the consensus fields).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Receipt {
    /// The transaction's envelope type.
    pub tx_type: TxType,
    /// Status or intermediate state root.
    pub outcome: ReceiptOutcome,
    /// Gas used by this and every earlier transaction of the block.
    pub cumulative_gas_used: u64,
    /// The logs.
    pub logs: Vec<Log>,
    /// The bloom filter of the logs.
    pub bloom: Bloom,
}

/// The bloom filter of `logs`: addresses and topics, three bits each.
pub fn logs_bloom<'a>(logs: impl IntoIterator<Item = &'a Log>) -> Bloom {
    let mut bloom = Bloom::ZERO;
    for log in logs {
        bloom.accrue_raw_log(log.address, &log.topics);
    }
    bloom
}

impl Receipt {
    /// A receipt with the bloom computed from the logs.
    pub fn new(
        tx_type: TxType,
        outcome: ReceiptOutcome,
        cumulative_gas_used: u64,
        logs: Vec<Log>,
    ) -> Receipt {
        let bloom = logs_bloom(&logs);
        Receipt {
            tx_type,
            outcome,
            cumulative_gas_used,
            logs,
            bloom,
        }
    }

    /// True unless the receipt records a failure.
    pub fn succeeded(&self) -> bool {
        !matches!(self.outcome, ReceiptOutcome::Status(false))
    }

    /// The encoding in the receipts trie: `rlp([status, cumulative gas, bloom, logs])`,
    /// prefixed with the type byte for typed transactions (EIP-2718).
    pub fn encoded(&self) -> Vec<u8> {
        let logs = ember_evm::state::logs_rlp(&self.logs);
        let outcome_len = match self.outcome {
            ReceiptOutcome::StateRoot(root) => root.length(),
            ReceiptOutcome::Status(ok) => (ok as u8).length(),
        };
        let payload_length =
            outcome_len + self.cumulative_gas_used.length() + self.bloom.length() + logs.len();
        let mut out = Vec::with_capacity(payload_length + 6);
        if self.tx_type != TxType::Legacy {
            out.push(self.tx_type as u8);
        }
        alloy_rlp::Header {
            list: true,
            payload_length,
        }
        .encode(&mut out);
        match self.outcome {
            ReceiptOutcome::StateRoot(root) => root.encode(&mut out),
            ReceiptOutcome::Status(ok) => (ok as u8).encode(&mut out),
        }
        self.cumulative_gas_used.encode(&mut out);
        self.bloom.encode(&mut out);
        out.extend_from_slice(&logs);
        out
    }
}

/// The root of a trie keyed by `rlp(index)` holding `values` in order (the transactions,
/// receipts and withdrawals tries).
pub fn ordered_trie_root(values: &[Vec<u8>]) -> B256 {
    let mut leaves: Vec<(Vec<u8>, &[u8])> = values
        .iter()
        .enumerate()
        .map(|(i, v)| (alloy_rlp::encode(i), v.as_slice()))
        .collect();
    leaves.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    let mut builder = HashBuilder::default();
    for (key, value) in leaves {
        builder.add_leaf(Nibbles::unpack(&key), value);
    }
    builder.root()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ember_primitives::{Address, Bytes, EMPTY_ROOT};

    #[test]
    fn empty_trie_and_bloom() {
        assert_eq!(ordered_trie_root(&[]), EMPTY_ROOT);
        assert_eq!(logs_bloom([]), Bloom::ZERO);
    }

    #[test]
    fn receipt_encoding() {
        let log = Log {
            address: Address::repeat_byte(0x11),
            topics: vec![B256::repeat_byte(0x22)],
            data: Bytes::from_static(&[1, 2]),
        };
        let r = Receipt::new(
            TxType::FeeMarket,
            ReceiptOutcome::Status(true),
            21000,
            vec![log],
        );
        let enc = r.encoded();
        assert_eq!(enc[0], 2);
        assert_ne!(r.bloom, Bloom::ZERO);
        let failed = Receipt::new(TxType::Legacy, ReceiptOutcome::Status(false), 1, vec![]);
        // list header, 0x80 (status 0), 0x01, bloom (0xb9 0x01 0x00 + 256), 0xc0
        assert_eq!(&failed.encoded()[3..5], &[0x80, 0x01]);
    }
}
