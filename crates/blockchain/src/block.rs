//! Blocks: the header and the body (transactions, ommers, withdrawals) as they travel in RLP.

use alloy_rlp::Encodable;
use ember_primitives::{keccak256, Address, B256};
use ember_transaction::Transaction;

use crate::header::Header;
use crate::rlp::{list_payload, Reader};
use crate::DecodeError;

/// An EIP-4895 withdrawal: `amount` gwei credited to `address`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Withdrawal {
    /// Monotonic index of the withdrawal.
    pub index: u64,
    /// The validator it comes from.
    pub validator_index: u64,
    /// The recipient.
    pub address: Address,
    /// The amount in gwei.
    pub amount: u64,
}

impl Withdrawal {
    fn payload_length(&self) -> usize {
        self.index.length()
            + self.validator_index.length()
            + self.address.length()
            + self.amount.length()
    }

    /// The RLP encoding `[index, validator_index, address, amount]`.
    pub fn encoded(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.payload_length() + 2);
        alloy_rlp::Header {
            list: true,
            payload_length: self.payload_length(),
        }
        .encode(&mut out);
        self.index.encode(&mut out);
        self.validator_index.encode(&mut out);
        self.address.encode(&mut out);
        self.amount.encode(&mut out);
        out
    }

    fn decode_from(buf: &mut &[u8]) -> Result<Withdrawal, DecodeError> {
        let payload = list_payload(buf, "withdrawal")?;
        let mut r = Reader::new(payload, "withdrawal");
        let w = Withdrawal {
            index: r.field("index")?,
            validator_index: r.field("validator_index")?,
            address: r.field("address")?,
            amount: r.field("amount")?,
        };
        r.finish()?;
        Ok(w)
    }
}

/// A block: header, transactions, ommers and (from Shanghai) withdrawals.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Block {
    /// The header.
    pub header: Header,
    /// The transactions, in order.
    pub transactions: Vec<Transaction>,
    /// Ommer (uncle) headers.
    pub ommers: Vec<Header>,
    /// Withdrawals; `None` for blocks before Shanghai (absent from the RLP).
    pub withdrawals: Option<Vec<Withdrawal>>,
}

/// Wraps `payload` (already encoded items) in a list header.
pub(crate) fn encode_list_of(items: &[Vec<u8>]) -> Vec<u8> {
    let payload_length = items.iter().map(Vec::len).sum();
    let mut out = Vec::with_capacity(payload_length + 5);
    alloy_rlp::Header {
        list: true,
        payload_length,
    }
    .encode(&mut out);
    for item in items {
        out.extend_from_slice(item);
    }
    out
}

/// The bytes a transaction takes inside a block's transaction list: legacy transactions as
/// their RLP list, typed ones as an RLP string holding `type ‖ payload`.
pub fn transaction_item(tx: &Transaction) -> Vec<u8> {
    let encoded = tx.encode();
    match tx {
        Transaction::Legacy(_) => encoded,
        _ => {
            let mut out = Vec::with_capacity(encoded.len() + 4);
            alloy_rlp::Header {
                list: false,
                payload_length: encoded.len(),
            }
            .encode(&mut out);
            out.extend_from_slice(&encoded);
            out
        }
    }
}

/// The RLP list of a block's transactions (geth's `--output.body`).
pub fn encode_transactions(txs: &[Transaction]) -> Vec<u8> {
    let items: Vec<Vec<u8>> = txs.iter().map(transaction_item).collect();
    encode_list_of(&items)
}

/// Decodes one transaction item of a block body (see [`transaction_item`]).
pub fn decode_transaction_item(item: &[u8], is_list: bool) -> Result<Transaction, String> {
    if is_list {
        return Transaction::decode(item).map_err(|e| e.to_string());
    }
    let mut buf = item;
    let bytes = <alloy_rlp::Bytes as alloy_rlp::Decodable>::decode(&mut buf)
        .map_err(|e| format!("typed transaction: {e}"))?;
    match bytes.first() {
        None => Err("empty typed transaction".into()),
        Some(&b) if b >= 0x80 => Err(format!("typed transaction with invalid type byte {b:#04x}")),
        Some(_) => Transaction::decode(&bytes).map_err(|e| e.to_string()),
    }
}

/// Decodes the transaction list payload of a block body or of a t8n RLP input.
pub fn decode_transactions(list: &[u8]) -> Result<Vec<Transaction>, DecodeError> {
    let mut buf = list;
    let payload = list_payload(&mut buf, "transactions")?;
    if !buf.is_empty() {
        return Err(DecodeError::TrailingBytes(buf.len()));
    }
    decode_transaction_payload(payload)
}

fn decode_transaction_payload(payload: &[u8]) -> Result<Vec<Transaction>, DecodeError> {
    let mut r = Reader::new(payload, "transactions");
    let mut txs = Vec::new();
    while !r.is_empty() {
        let (item, is_list) = r.raw_item()?;
        let tx =
            decode_transaction_item(item, is_list).map_err(|reason| DecodeError::Transaction {
                index: txs.len(),
                reason,
            })?;
        txs.push(tx);
    }
    Ok(txs)
}

impl Block {
    /// The block hash (the header's).
    pub fn hash(&self) -> B256 {
        self.header.hash()
    }

    /// Keccak-256 of the RLP list of the ommer headers.
    pub fn ommers_hash(&self) -> B256 {
        ommers_hash(&self.ommers)
    }

    /// The RLP encoding `[header, [txs], [ommers], [withdrawals]?]`.
    pub fn encoded(&self) -> Vec<u8> {
        let mut items = vec![
            self.header.encoded(),
            encode_transactions(&self.transactions),
            encode_list_of(&self.ommers.iter().map(Header::encoded).collect::<Vec<_>>()),
        ];
        if let Some(withdrawals) = &self.withdrawals {
            items.push(encode_list_of(
                &withdrawals
                    .iter()
                    .map(Withdrawal::encoded)
                    .collect::<Vec<_>>(),
            ));
        }
        encode_list_of(&items)
    }

    /// Decodes a block from its RLP, strictly: no trailing bytes, canonical integers, typed
    /// transactions as strings with a known type, at most four body fields.
    pub fn decode(bytes: &[u8]) -> Result<Block, DecodeError> {
        let mut buf = bytes;
        let payload = list_payload(&mut buf, "block")?;
        if !buf.is_empty() {
            return Err(DecodeError::TrailingBytes(buf.len()));
        }
        let mut r = Reader::new(payload, "block");
        let header = {
            let (item, is_list) = r.raw_item()?;
            if !is_list {
                return Err(DecodeError::NotAList("header"));
            }
            Header::decode(item)?
        };
        let transactions = decode_transaction_payload(r.list("transactions")?)?;
        let mut ommers = Vec::new();
        let mut ommer_reader = Reader::new(r.list("ommers")?, "ommers");
        while !ommer_reader.is_empty() {
            let (item, is_list) = ommer_reader.raw_item()?;
            if !is_list {
                return Err(DecodeError::NotAList("ommer header"));
            }
            ommers.push(Header::decode(item)?);
        }
        let withdrawals = if r.is_empty() {
            None
        } else {
            let mut list = r.list("withdrawals")?;
            let mut withdrawals = Vec::new();
            while !list.is_empty() {
                withdrawals.push(Withdrawal::decode_from(&mut list)?);
            }
            Some(withdrawals)
        };
        r.finish()?;
        Ok(Block {
            header,
            transactions,
            ommers,
            withdrawals,
        })
    }
}

/// Keccak-256 of the RLP list of `ommers`.
pub fn ommers_hash(ommers: &[Header]) -> B256 {
    keccak256(encode_list_of(
        &ommers.iter().map(Header::encoded).collect::<Vec<_>>(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::header::EMPTY_OMMERS_HASH;

    #[test]
    fn empty_block_round_trip() {
        let block = Block {
            withdrawals: Some(vec![Withdrawal {
                index: 1,
                validator_index: 2,
                address: Address::repeat_byte(3),
                amount: 4,
            }]),
            ..Block::default()
        };
        let enc = block.encoded();
        assert_eq!(Block::decode(&enc).unwrap(), block);
        assert_eq!(block.ommers_hash(), EMPTY_OMMERS_HASH);
    }

    #[test]
    fn malformed_blocks_are_errors() {
        for bad in [
            &[][..],
            &[0xc0],
            &[0xc1, 0xc0],
            &[0xff, 0xff],
            &[0x83, 1, 2, 3],
        ] {
            assert!(Block::decode(bad).is_err(), "{bad:?}");
        }
        let mut enc = Block::default().encoded();
        enc.push(0x80);
        assert!(Block::decode(&enc).is_err());
    }
}
