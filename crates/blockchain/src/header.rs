//! The block header, with every field through Prague, its RLP encoding and its hash.

use alloy_rlp::{Decodable, Encodable};
use ember_primitives::alloy_primitives::{Bloom, B64};
use ember_primitives::{keccak256, Address, Bytes, B256, U256};

use crate::rlp::{list_payload, Reader};
use crate::DecodeError;

/// Keccak-256 of `rlp([])`: the ommers hash of a block without ommers.
pub const EMPTY_OMMERS_HASH: B256 =
    ember_primitives::b256!("1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347");

/// SHA-256 of the empty string: the EIP-7685 requests hash of a block without requests.
pub const EMPTY_REQUESTS_HASH: B256 =
    ember_primitives::b256!("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");

/// A block header. The fields after `nonce` were added by later forks and are `None` in
/// headers of the forks before them.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Header {
    /// Hash of the parent block's header.
    pub parent_hash: B256,
    /// Keccak-256 of the RLP list of ommer headers.
    pub ommers_hash: B256,
    /// The beneficiary (coinbase).
    pub beneficiary: Address,
    /// State root after the block.
    pub state_root: B256,
    /// Root of the transactions trie.
    pub transactions_root: B256,
    /// Root of the receipts trie.
    pub receipts_root: B256,
    /// Bloom filter of every log of the block.
    pub logs_bloom: Bloom,
    /// Proof-of-work difficulty (zero after the merge).
    pub difficulty: U256,
    /// Block number.
    pub number: u64,
    /// Gas limit.
    pub gas_limit: u64,
    /// Gas used by the transactions.
    pub gas_used: u64,
    /// Timestamp in seconds.
    pub timestamp: u64,
    /// Extra data (at most 32 bytes).
    pub extra_data: Bytes,
    /// Proof-of-work mix hash; after the merge, PREVRANDAO.
    pub mix_hash: B256,
    /// Proof-of-work nonce (zero after the merge).
    pub nonce: B64,
    /// EIP-1559 base fee per gas (London).
    pub base_fee_per_gas: Option<U256>,
    /// EIP-4895 withdrawals root (Shanghai).
    pub withdrawals_root: Option<B256>,
    /// EIP-4844 blob gas used (Cancun).
    pub blob_gas_used: Option<u64>,
    /// EIP-4844 excess blob gas (Cancun).
    pub excess_blob_gas: Option<u64>,
    /// EIP-4788 parent beacon block root (Cancun).
    pub parent_beacon_block_root: Option<B256>,
    /// EIP-7685 requests hash (Prague).
    pub requests_hash: Option<B256>,
}

impl Header {
    /// The optional fields in order, up to the first absent one (a field after an absent
    /// one cannot be represented in RLP and is not encoded).
    fn optional_fields(&self) -> Vec<&dyn Encodable> {
        let fields: [Option<&dyn Encodable>; 6] = [
            self.base_fee_per_gas.as_ref().map(|v| v as &dyn Encodable),
            self.withdrawals_root.as_ref().map(|v| v as &dyn Encodable),
            self.blob_gas_used.as_ref().map(|v| v as &dyn Encodable),
            self.excess_blob_gas.as_ref().map(|v| v as &dyn Encodable),
            self.parent_beacon_block_root
                .as_ref()
                .map(|v| v as &dyn Encodable),
            self.requests_hash.as_ref().map(|v| v as &dyn Encodable),
        ];
        fields.into_iter().map_while(|f| f).collect()
    }

    fn optional_lengths(&self) -> usize {
        self.optional_fields().iter().map(|f| f.length()).sum()
    }

    fn payload_length(&self) -> usize {
        self.parent_hash.length()
            + self.ommers_hash.length()
            + self.beneficiary.length()
            + self.state_root.length()
            + self.transactions_root.length()
            + self.receipts_root.length()
            + self.logs_bloom.length()
            + self.difficulty.length()
            + self.number.length()
            + self.gas_limit.length()
            + self.gas_used.length()
            + self.timestamp.length()
            + self.extra_data.length()
            + self.mix_hash.length()
            + self.nonce.length()
            + self.optional_lengths()
    }

    /// Appends the RLP encoding. Optional fields are written in order while present; the
    /// first absent one ends the list.
    pub fn encode(&self, out: &mut Vec<u8>) {
        alloy_rlp::Header {
            list: true,
            payload_length: self.payload_length(),
        }
        .encode(out);
        self.parent_hash.encode(out);
        self.ommers_hash.encode(out);
        self.beneficiary.encode(out);
        self.state_root.encode(out);
        self.transactions_root.encode(out);
        self.receipts_root.encode(out);
        self.logs_bloom.encode(out);
        self.difficulty.encode(out);
        self.number.encode(out);
        self.gas_limit.encode(out);
        self.gas_used.encode(out);
        self.timestamp.encode(out);
        self.extra_data.encode(out);
        self.mix_hash.encode(out);
        self.nonce.encode(out);
        for field in self.optional_fields() {
            field.encode(out);
        }
    }

    /// The RLP encoding.
    pub fn encoded(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.payload_length() + 4);
        self.encode(&mut out);
        out
    }

    /// The block hash: keccak-256 of the RLP encoding.
    pub fn hash(&self) -> B256 {
        keccak256(self.encoded())
    }

    /// Decodes exactly one header from `bytes` (no trailing bytes).
    pub fn decode(bytes: &[u8]) -> Result<Header, DecodeError> {
        let mut buf = bytes;
        let header = Header::decode_from(&mut buf)?;
        if !buf.is_empty() {
            return Err(DecodeError::TrailingBytes(buf.len()));
        }
        Ok(header)
    }

    /// Decodes one header from the front of `buf`, advancing it. Integers must be canonical,
    /// fixed-size fields exactly sized, and the list must hold 15 to 21 fields.
    pub fn decode_from(buf: &mut &[u8]) -> Result<Header, DecodeError> {
        let payload = list_payload(buf, "header")?;
        let mut r = Reader::new(payload, "header");
        let mut h = Header {
            parent_hash: r.field("parent_hash")?,
            ommers_hash: r.field("ommers_hash")?,
            beneficiary: r.field("beneficiary")?,
            state_root: r.field("state_root")?,
            transactions_root: r.field("transactions_root")?,
            receipts_root: r.field("receipts_root")?,
            logs_bloom: r.field("logs_bloom")?,
            difficulty: r.field("difficulty")?,
            number: r.field("number")?,
            gas_limit: r.field("gas_limit")?,
            gas_used: r.field("gas_used")?,
            timestamp: r.field("timestamp")?,
            extra_data: r.field("extra_data")?,
            mix_hash: r.field("mix_hash")?,
            nonce: r.field("nonce")?,
            ..Header::default()
        };
        h.base_fee_per_gas = r.optional("base_fee_per_gas")?;
        h.withdrawals_root = r.optional("withdrawals_root")?;
        h.blob_gas_used = r.optional("blob_gas_used")?;
        h.excess_blob_gas = r.optional("excess_blob_gas")?;
        h.parent_beacon_block_root = r.optional("parent_beacon_block_root")?;
        h.requests_hash = r.optional("requests_hash")?;
        r.finish()?;
        Ok(h)
    }
}

impl Encodable for Header {
    fn encode(&self, out: &mut dyn alloy_rlp::BufMut) {
        out.put_slice(&self.encoded());
    }

    fn length(&self) -> usize {
        let payload = self.payload_length();
        payload + alloy_rlp::length_of_length(payload)
    }
}

impl Decodable for Header {
    fn decode(buf: &mut &[u8]) -> alloy_rlp::Result<Self> {
        Header::decode_from(buf).map_err(|_| alloy_rlp::Error::Custom("invalid header"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_all_fields() {
        let h = Header {
            number: 7,
            gas_limit: 30_000_000,
            extra_data: Bytes::from_static(b"ember"),
            base_fee_per_gas: Some(U256::from(7)),
            withdrawals_root: Some(B256::repeat_byte(1)),
            blob_gas_used: Some(0),
            excess_blob_gas: Some(131072),
            parent_beacon_block_root: Some(B256::ZERO),
            requests_hash: Some(EMPTY_REQUESTS_HASH),
            ..Header::default()
        };
        let enc = h.encoded();
        assert_eq!(enc.len(), Encodable::length(&h));
        assert_eq!(Header::decode(&enc).unwrap(), h);
        assert_eq!(h.hash(), keccak256(&enc));
    }

    #[test]
    fn rejects_malformed() {
        assert!(Header::decode(&[]).is_err());
        assert!(Header::decode(&[0xc0]).is_err());
        assert!(Header::decode(&[0x80]).is_err());
        let mut enc = Header::default().encoded();
        enc.push(0);
        assert!(matches!(
            Header::decode(&enc),
            Err(DecodeError::TrailingBytes(1))
        ));
        // a truncated list
        let enc = Header::default().encoded();
        assert!(Header::decode(&enc[..enc.len() - 1]).is_err());
    }
}
