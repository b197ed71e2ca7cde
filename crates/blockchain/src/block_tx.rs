//! [`BlockTransaction`]: what the block executor needs of a transaction, for signed
//! transactions ([`Transaction`]) and for the state tests' unsigned ones ([`StateTestTx`]).

use ember_primitives::{Spec, TxEnv, TxType, B256};
use ember_transaction::{InvalidTransaction, Transaction};

/// A transaction the block executor can run.
pub trait BlockTransaction {
    /// Its environment with the sender, after the checks only it can make (a signed
    /// transaction's type, chain id and signature: [`ember_transaction::check_signature`]);
    /// the EVM runs the transaction validator on the environment. `Err` says why it is
    /// invalid.
    fn checked_env(&self, spec: &Spec, chain_id: u64) -> Result<TxEnv, InvalidTransaction>;
    /// Its envelope type (the receipt's type).
    fn tx_type(&self) -> TxType;
    /// Its hash.
    fn hash(&self) -> B256;
    /// Its value in the transactions trie (the canonical encoding).
    fn trie_item(&self) -> Vec<u8>;
}

impl BlockTransaction for Transaction {
    fn checked_env(&self, spec: &Spec, chain_id: u64) -> Result<TxEnv, InvalidTransaction> {
        let sender = ember_transaction::check_signature(self, spec, chain_id)?;
        Ok(self.to_env(sender))
    }

    fn tx_type(&self) -> TxType {
        Transaction::tx_type(self)
    }

    fn hash(&self) -> B256 {
        Transaction::hash(self)
    }

    fn trie_item(&self) -> Vec<u8> {
        self.encode()
    }
}

/// A state test's transaction: its environment as the fixture gives it (sender included, no
/// signature), or why the fixture's values form no transaction. The checks are the EVM's
/// own, as in the state-test runner; it has no hash (zero) and no encoding (an empty trie
/// item), so a block of them has no meaningful transactions root.
#[derive(Clone, Copy, Debug)]
pub struct StateTestTx<'a>(pub &'a Result<TxEnv, String>);

impl BlockTransaction for StateTestTx<'_> {
    fn checked_env(&self, _spec: &Spec, _chain_id: u64) -> Result<TxEnv, InvalidTransaction> {
        self.0.clone().map_err(InvalidTransaction::Malformed)
    }

    fn tx_type(&self) -> TxType {
        self.0.as_ref().map_or(TxType::Legacy, |env| env.tx_type)
    }

    fn hash(&self) -> B256 {
        B256::ZERO
    }

    fn trie_item(&self) -> Vec<u8> {
        Vec::new()
    }
}
