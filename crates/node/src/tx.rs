//! Transactions on the dev chain: [`TxRequest`] (what `eth_sendTransaction` and `eth_call`
//! are sent) and [`NodeTx`] (a signed or impersonated transaction the pool and blocks hold).

use ember_blockchain::BlockTransaction;
use ember_primitives::{
    keccak256, AccessListItem, Address, Authorization, Bytes, Spec, TxEnv, TxKind, TxType, B256,
    U256,
};
use ember_transaction::{
    check_signature, check_transaction, check_transaction_from, gas_price_at, InvalidTransaction,
    Transaction, TxEip1559, TxEip2930, TxEip4844, TxEip7702, TxLegacy,
};
use serde::Deserialize;

use crate::params::Quantity;

/// An access-list entry as JSON-RPC writes it.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RpcAccessListItem {
    /// The address.
    pub address: Address,
    /// Its storage keys.
    #[serde(default)]
    pub storage_keys: Vec<B256>,
}

/// An EIP-7702 authorization as JSON-RPC writes it.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RpcAuthorization {
    /// Chain id (0: any).
    pub chain_id: U256,
    /// Delegation target.
    pub address: Address,
    /// Authority nonce.
    pub nonce: Quantity,
    /// Signature parity (`v` is taken too).
    #[serde(alias = "v")]
    pub y_parity: U256,
    /// Signature r.
    pub r: U256,
    /// Signature s.
    pub s: U256,
}

impl RpcAuthorization {
    /// The authorization with its authority recovered.
    pub fn to_authorization(&self) -> Authorization {
        let mut auth = Authorization {
            chain_id: self.chain_id,
            address: self.address,
            nonce: self.nonce.0,
            y_parity: self.y_parity,
            r: self.r,
            s: self.s,
            authority: None,
        };
        auth.authority = ember_transaction::recover_authority(&auth);
        auth
    }
}

/// A transaction request: `eth_sendTransaction`, `eth_call`, `eth_estimateGas`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TxRequest {
    /// Sender.
    pub from: Option<Address>,
    /// Recipient; absent for a creation.
    pub to: Option<Address>,
    /// Gas limit.
    pub gas: Option<Quantity>,
    /// Legacy gas price.
    pub gas_price: Option<U256>,
    /// EIP-1559 max fee.
    pub max_fee_per_gas: Option<U256>,
    /// EIP-1559 tip.
    pub max_priority_fee_per_gas: Option<U256>,
    /// EIP-4844 max blob fee.
    pub max_fee_per_blob_gas: Option<U256>,
    /// Value.
    pub value: Option<U256>,
    /// Calldata (`input`).
    pub input: Option<Bytes>,
    /// Calldata (`data`, older clients).
    pub data: Option<Bytes>,
    /// Nonce.
    pub nonce: Option<Quantity>,
    /// Chain id.
    pub chain_id: Option<Quantity>,
    /// Envelope type.
    #[serde(rename = "type")]
    pub tx_type: Option<Quantity>,
    /// Access list.
    pub access_list: Option<Vec<RpcAccessListItem>>,
    /// EIP-4844 versioned hashes.
    pub blob_versioned_hashes: Option<Vec<B256>>,
    /// EIP-7702 authorizations.
    pub authorization_list: Option<Vec<RpcAuthorization>>,
}

/// The values a request leaves to the node.
#[derive(Clone, Copy, Debug)]
pub struct TxDefaults {
    /// The sender's next nonce.
    pub nonce: u64,
    /// The gas limit to use when none is given.
    pub gas: u64,
    /// Legacy gas price / EIP-1559 max fee when none is given.
    pub gas_price: U256,
    /// Tip when none is given.
    pub priority_fee: U256,
    /// Blob fee cap when none is given.
    pub blob_fee: U256,
    /// The chain id.
    pub chain_id: u64,
}

impl TxRequest {
    /// The calldata (`input` wins over `data`).
    pub fn calldata(&self) -> Bytes {
        self.input
            .clone()
            .or_else(|| self.data.clone())
            .unwrap_or_default()
    }

    /// The access list in Ember's form.
    pub fn access_list(&self) -> Vec<AccessListItem> {
        self.access_list
            .iter()
            .flatten()
            .map(|item| AccessListItem {
                address: item.address,
                storage_keys: item.storage_keys.clone(),
            })
            .collect()
    }

    /// The authorizations in Ember's form.
    pub fn authorizations(&self) -> Vec<Authorization> {
        self.authorization_list
            .iter()
            .flatten()
            .map(RpcAuthorization::to_authorization)
            .collect()
    }

    /// The envelope type: as asked when the fields allow it (as anvil, a legacy or access-list
    /// type without a gas price is EIP-1559), else implied by the fields, else EIP-1559 from
    /// London.
    pub fn envelope_type(&self, spec: &Spec) -> Result<TxType, String> {
        if let Some(Quantity(ty)) = self.tx_type {
            let priced = self.gas_price.is_some() || !spec.tx_fee_market;
            match ty {
                0 if priced => return Ok(TxType::Legacy),
                1 if priced => return Ok(TxType::AccessList),
                0 | 1 => {}
                2 => return Ok(TxType::FeeMarket),
                3 => return Ok(TxType::Blob),
                4 => return Ok(TxType::SetCode),
                other => return Err(format!("unsupported transaction type {other:#x}")),
            }
        }
        Ok(if self.authorization_list.is_some() {
            TxType::SetCode
        } else if self.blob_versioned_hashes.is_some() {
            TxType::Blob
        } else if self.max_fee_per_gas.is_some() || self.max_priority_fee_per_gas.is_some() {
            TxType::FeeMarket
        } else if self.gas_price.is_some() {
            if self.access_list.is_some() {
                TxType::AccessList
            } else {
                TxType::Legacy
            }
        } else if spec.tx_fee_market {
            TxType::FeeMarket
        } else {
            TxType::Legacy
        })
    }

    /// The unsigned transaction, its missing fields filled from `defaults`.
    pub fn build(&self, spec: &Spec, defaults: &TxDefaults) -> Result<Transaction, String> {
        let ty = self.envelope_type(spec)?;
        let nonce = self.nonce.map_or(defaults.nonce, |q| q.0);
        let gas_limit = self.gas.map_or(defaults.gas, |q| q.0);
        let chain_id = self.chain_id.map_or(defaults.chain_id, |q| q.0);
        let value = self.value.unwrap_or_default();
        let data = self.calldata();
        let kind = self.to.map_or(TxKind::Create, TxKind::Call);
        let gas_price = self.gas_price.unwrap_or(defaults.gas_price);
        let priority = self
            .max_priority_fee_per_gas
            .unwrap_or(defaults.priority_fee);
        let max_fee = self
            .max_fee_per_gas
            .or(self.gas_price)
            .unwrap_or(defaults.gas_price)
            .max(priority);
        let need_to = |what: &str| {
            self.to
                .ok_or_else(|| format!("a {what} transaction needs a `to` address"))
        };
        Ok(match ty {
            TxType::Legacy => Transaction::Legacy(TxLegacy {
                nonce,
                gas_price,
                gas_limit,
                to: kind,
                value,
                data,
                v: U256::from(chain_id * 2 + 35),
                r: U256::ZERO,
                s: U256::ZERO,
            }),
            TxType::AccessList => Transaction::AccessList(TxEip2930 {
                chain_id,
                nonce,
                gas_price,
                gas_limit,
                to: kind,
                value,
                data,
                access_list: self.access_list(),
                y_parity: U256::ZERO,
                r: U256::ZERO,
                s: U256::ZERO,
            }),
            TxType::FeeMarket => Transaction::FeeMarket(TxEip1559 {
                chain_id,
                nonce,
                max_priority_fee_per_gas: priority,
                max_fee_per_gas: max_fee,
                gas_limit,
                to: kind,
                value,
                data,
                access_list: self.access_list(),
                y_parity: U256::ZERO,
                r: U256::ZERO,
                s: U256::ZERO,
            }),
            TxType::Blob => Transaction::Blob(TxEip4844 {
                chain_id,
                nonce,
                max_priority_fee_per_gas: priority,
                max_fee_per_gas: max_fee,
                gas_limit,
                to: need_to("blob")?,
                value,
                data,
                access_list: self.access_list(),
                max_fee_per_blob_gas: self.max_fee_per_blob_gas.unwrap_or(defaults.blob_fee),
                blob_versioned_hashes: self.blob_versioned_hashes.clone().unwrap_or_default(),
                y_parity: U256::ZERO,
                r: U256::ZERO,
                s: U256::ZERO,
            }),
            TxType::SetCode => Transaction::SetCode(TxEip7702 {
                chain_id,
                nonce,
                max_priority_fee_per_gas: priority,
                max_fee_per_gas: max_fee,
                gas_limit,
                to: need_to("set-code")?,
                value,
                data,
                access_list: self.access_list(),
                authorization_list: self.authorizations(),
                y_parity: U256::ZERO,
                r: U256::ZERO,
                s: U256::ZERO,
            }),
        })
    }
}

/// A transaction the node holds: the envelope, its sender and hash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeTx {
    /// The transaction (signed, or with an empty signature when impersonated).
    pub tx: Transaction,
    /// Its sender.
    pub sender: Address,
    /// Its hash.
    pub hash: B256,
    /// Sent from an impersonated account: the sender is taken, not recovered.
    pub impersonated: bool,
}

impl NodeTx {
    /// A signed transaction with its recovered sender.
    pub fn signed(tx: Transaction, sender: Address) -> NodeTx {
        let hash = tx.hash();
        NodeTx {
            tx,
            sender,
            hash,
            impersonated: false,
        }
    }

    /// An unsigned transaction sent as `sender`; its hash also covers the sender, so two
    /// impersonated senders never share one.
    pub fn impersonated(tx: Transaction, sender: Address) -> NodeTx {
        let mut preimage = tx.encode();
        preimage.extend_from_slice(sender.as_slice());
        NodeTx {
            hash: keccak256(preimage),
            tx,
            sender,
            impersonated: true,
        }
    }

    /// Its nonce.
    pub fn nonce(&self) -> u64 {
        self.tx.nonce()
    }

    /// The price per gas it pays at `base_fee`; `None` when it cannot pay the base fee.
    pub fn effective_gas_price(&self, base_fee: U256) -> Option<U256> {
        let max = self.tx.max_fee_per_gas();
        (max >= base_fee).then(|| gas_price_at(max, self.tx.max_priority_fee_per_gas(), base_fee))
    }

    /// The transaction validator's checks that need no state nor block (pool admission):
    /// [`check_transaction`], or for an impersonated sender [`check_transaction_from`] (no
    /// signature). Returns its environment.
    pub fn check(&self, spec: &Spec, chain_id: u64) -> Result<TxEnv, InvalidTransaction> {
        let sender = if self.impersonated {
            check_transaction_from(&self.tx, spec, chain_id, self.sender)
        } else {
            check_transaction(&self.tx, spec, chain_id)
        }?;
        Ok(self.tx.to_env(sender))
    }

    /// The miner's tip per gas at `base_fee` (zero when it cannot pay the base fee).
    pub fn tip(&self, base_fee: U256) -> U256 {
        self.effective_gas_price(base_fee)
            .map_or(U256::ZERO, |price| price - base_fee)
    }
}

impl BlockTransaction for NodeTx {
    /// The signature's checks (none for an impersonated sender); the EVM runs the rest.
    fn checked_env(&self, spec: &Spec, chain_id: u64) -> Result<TxEnv, InvalidTransaction> {
        let sender = if self.impersonated {
            self.sender
        } else {
            check_signature(&self.tx, spec, chain_id)?
        };
        Ok(self.tx.to_env(sender))
    }

    fn tx_type(&self) -> TxType {
        self.tx.tx_type()
    }

    fn hash(&self) -> B256 {
        self.hash
    }

    fn trie_item(&self) -> Vec<u8> {
        self.tx.encode()
    }
}
