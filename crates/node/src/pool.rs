//! [`Pool`]: transactions waiting for a block, as anvil keeps them: ready ones (nonces that
//! follow the sender's) ordered by tip, queued ones held until the gap fills, replacement of
//! a sender's nonce by a higher fee.

use std::collections::{BTreeMap, HashMap};

use ember_primitives::{Address, B256, U256};

use crate::tx::NodeTx;

/// Why the pool refused a transaction.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PoolError {
    /// The same hash is in the pool.
    #[error("transaction already imported")]
    AlreadyKnown,
    /// A transaction with the same sender and nonce pays no more.
    #[error("replacement transaction underpriced")]
    ReplacementUnderpriced,
}

#[derive(Clone, Debug)]
struct Pooled {
    tx: NodeTx,
    seq: u64,
}

/// The pending transactions.
#[derive(Clone, Debug, Default)]
pub struct Pool {
    by_sender: HashMap<Address, BTreeMap<u64, Pooled>>,
    by_hash: HashMap<B256, (Address, u64)>,
    seq: u64,
}

impl Pool {
    /// Adds `tx`; a transaction with the same sender and nonce is replaced when `tx` pays a
    /// higher max fee and tip, and returned.
    pub fn add(&mut self, tx: NodeTx) -> Result<Option<NodeTx>, PoolError> {
        if self.by_hash.contains_key(&tx.hash) {
            return Err(PoolError::AlreadyKnown);
        }
        let (sender, nonce) = (tx.sender, tx.nonce());
        let queue = self.by_sender.entry(sender).or_default();
        let replaced = match queue.get(&nonce) {
            Some(old) => {
                let higher = tx.tx.max_fee_per_gas() > old.tx.tx.max_fee_per_gas()
                    && tx.tx.max_priority_fee_per_gas() >= old.tx.tx.max_priority_fee_per_gas();
                if !higher {
                    return Err(PoolError::ReplacementUnderpriced);
                }
                let old = queue.remove(&nonce).expect("present");
                self.by_hash.remove(&old.tx.hash);
                Some(old.tx)
            }
            None => None,
        };
        self.seq += 1;
        self.by_hash.insert(tx.hash, (sender, nonce));
        queue.insert(nonce, Pooled { tx, seq: self.seq });
        Ok(replaced)
    }

    /// The transaction with `hash`.
    pub fn get(&self, hash: &B256) -> Option<&NodeTx> {
        let (sender, nonce) = self.by_hash.get(hash)?;
        self.by_sender.get(sender)?.get(nonce).map(|p| &p.tx)
    }

    /// Removes the transaction with `hash`.
    pub fn remove(&mut self, hash: &B256) -> Option<NodeTx> {
        let (sender, nonce) = self.by_hash.remove(hash)?;
        let queue = self.by_sender.get_mut(&sender)?;
        let tx = queue.remove(&nonce).map(|p| p.tx);
        if queue.is_empty() {
            self.by_sender.remove(&sender);
        }
        tx
    }

    /// Removes every transaction of `sender`.
    pub fn remove_sender(&mut self, sender: &Address) {
        if let Some(queue) = self.by_sender.remove(sender) {
            for pooled in queue.values() {
                self.by_hash.remove(&pooled.tx.hash);
            }
        }
    }

    /// Removes everything.
    pub fn clear(&mut self) {
        self.by_sender.clear();
        self.by_hash.clear();
    }

    /// Number of transactions held.
    pub fn len(&self) -> usize {
        self.by_hash.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.by_hash.is_empty()
    }

    /// Drops transactions whose nonce is below their sender's account nonce.
    pub fn prune(&mut self, nonce_of: impl Fn(Address) -> u64) {
        let mut dropped = Vec::new();
        for (sender, queue) in &mut self.by_sender {
            let next = nonce_of(*sender);
            let keep = queue.split_off(&next);
            dropped.extend(queue.values().map(|p| p.tx.hash));
            *queue = keep;
        }
        self.by_sender.retain(|_, q| !q.is_empty());
        for hash in dropped {
            self.by_hash.remove(&hash);
        }
    }

    /// The highest nonce a sender has in the pool, if any.
    pub fn highest_nonce(&self, sender: &Address) -> Option<u64> {
        self.by_sender.get(sender)?.keys().next_back().copied()
    }

    /// Splits the pool into ready transactions (each sender's run of nonces from its account
    /// nonce) and queued ones (after a gap), each by sender and nonce.
    pub fn split(&self, nonce_of: impl Fn(Address) -> u64) -> (Vec<&NodeTx>, Vec<&NodeTx>) {
        let mut ready = Vec::new();
        let mut queued = Vec::new();
        let mut senders: Vec<_> = self.by_sender.iter().collect();
        senders.sort_by_key(|(a, _)| **a);
        for (sender, queue) in senders {
            let mut next = nonce_of(*sender);
            for (nonce, pooled) in queue {
                if *nonce == next {
                    ready.push(&pooled.tx);
                    next += 1;
                } else {
                    queued.push(&pooled.tx);
                }
            }
        }
        (ready, queued)
    }

    /// The transactions of the next block: ready ones, the highest tip first (the earliest
    /// first among equals), each sender's in nonce order, while their gas limits fit
    /// `gas_limit` and they can pay `base_fee`.
    pub fn select(
        &self,
        nonce_of: impl Fn(Address) -> u64,
        base_fee: U256,
        gas_limit: u64,
    ) -> Vec<NodeTx> {
        // Each sender's ready run, as a queue.
        let mut runs: Vec<std::collections::VecDeque<&Pooled>> = Vec::new();
        for (sender, queue) in &self.by_sender {
            // The nonces that follow the account's without a gap.
            let run: std::collections::VecDeque<&Pooled> = (nonce_of(*sender)..)
                .zip(queue)
                .take_while(|(want, (nonce, _))| *nonce == want)
                .map(|(_, (_, pooled))| pooled)
                .collect();
            if !run.is_empty() {
                runs.push(run);
            }
        }
        let mut out = Vec::new();
        let mut gas_left = gas_limit;
        loop {
            let best = runs
                .iter()
                .enumerate()
                .filter_map(|(i, run)| run.front().map(|p| (i, p)))
                .filter(|(_, p)| p.tx.effective_gas_price(base_fee).is_some())
                .max_by(|(_, a), (_, b)| {
                    a.tx.tip(base_fee)
                        .cmp(&b.tx.tip(base_fee))
                        .then(b.seq.cmp(&a.seq))
                });
            let Some((i, _)) = best else { break };
            let pooled = runs[i].pop_front().expect("front exists");
            let gas = pooled.tx.tx.gas_limit();
            if gas > gas_left {
                // This sender's later nonces cannot go before it.
                runs[i].clear();
                continue;
            }
            gas_left -= gas;
            out.push(pooled.tx.clone());
        }
        out
    }
}
