//! Log filters (`eth_getLogs`, `eth_newFilter`, `logs` subscriptions), the installed
//! filters polled by `eth_getFilterChanges`, and WebSocket subscriptions.

use std::collections::HashMap;

use ember_evm::Log;
use ember_primitives::{Address, B256};
use ember_rpc::RpcError;
use serde::Deserialize;
use serde_json::Value;
use tokio::sync::mpsc::UnboundedSender;

use crate::chain::MinedBlock;
use crate::params::BlockId;
use crate::render;

/// One value or a list of them, as filters write addresses and topics.
#[derive(Clone, Debug, Deserialize)]
#[serde(untagged)]
enum OneOrMany<T> {
    One(T),
    Many(Vec<T>),
}

impl<T> OneOrMany<T> {
    fn into_vec(self) -> Vec<T> {
        match self {
            OneOrMany::One(x) => vec![x],
            OneOrMany::Many(v) => v,
        }
    }
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawFilter {
    from_block: Option<BlockId>,
    to_block: Option<BlockId>,
    block_hash: Option<B256>,
    address: Option<OneOrMany<Address>>,
    #[serde(default)]
    topics: Vec<Option<OneOrMany<B256>>>,
}

/// A log filter.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LogFilter {
    /// First block (`latest` when absent).
    pub from_block: Option<BlockId>,
    /// Last block (`latest` when absent).
    pub to_block: Option<BlockId>,
    /// One block by hash (instead of the range).
    pub block_hash: Option<B256>,
    /// Emitting contracts (any when empty).
    pub addresses: Vec<Address>,
    /// Per position: the topics that match (`None`: any).
    pub topics: Vec<Option<Vec<B256>>>,
}

impl LogFilter {
    /// Parses a filter object, naming a malformed field.
    pub fn from_value(value: &Value) -> Result<LogFilter, RpcError> {
        let raw: RawFilter = crate::params::parse(value, "filter")?;
        if raw.block_hash.is_some() && (raw.from_block.is_some() || raw.to_block.is_some()) {
            return Err(RpcError::invalid_params(
                "`filter`: blockHash cannot be combined with fromBlock/toBlock",
            ));
        }
        if raw.topics.len() > 4 {
            return Err(RpcError::invalid_params("`filter`: more than 4 topics"));
        }
        Ok(LogFilter {
            from_block: raw.from_block,
            to_block: raw.to_block,
            block_hash: raw.block_hash,
            addresses: raw.address.map(OneOrMany::into_vec).unwrap_or_default(),
            topics: raw
                .topics
                .into_iter()
                .map(|t| t.map(OneOrMany::into_vec))
                .collect(),
        })
    }

    /// True when `log` passes the address and topic conditions.
    pub fn matches(&self, log: &Log) -> bool {
        if !self.addresses.is_empty() && !self.addresses.contains(&log.address) {
            return false;
        }
        self.topics.iter().enumerate().all(|(i, want)| match want {
            None => true,
            Some(options) if options.is_empty() => true,
            Some(options) => log.topics.get(i).is_some_and(|t| options.contains(t)),
        })
    }

    /// The matching logs of `block`, rendered.
    pub fn block_logs(&self, block: &MinedBlock, out: &mut Vec<Value>) {
        if !self.addresses.is_empty() || !self.topics.is_empty() {
            let bloom = &block.block.header.logs_bloom;
            let address_ok = self.addresses.is_empty()
                || self.addresses.iter().any(|a| {
                    bloom.contains_input(ember_primitives::alloy_primitives::BloomInput::Raw(
                        a.as_slice(),
                    ))
                });
            if !address_ok {
                return;
            }
        }
        let mut log_index = 0;
        for (tx_index, outcome) in block.outcomes.iter().enumerate() {
            for log in &outcome.receipt.logs {
                if self.matches(log) {
                    out.push(render::mined_log(block, tx_index, log_index, log));
                }
                log_index += 1;
            }
        }
    }
}

/// What an installed filter reports.
#[derive(Clone, Debug)]
pub enum FilterKind {
    /// New logs matching a filter.
    Logs(LogFilter),
    /// New block hashes.
    Blocks,
    /// New pending transaction hashes.
    PendingTransactions,
}

/// An installed filter and how far it has been polled.
#[derive(Clone, Debug)]
pub struct InstalledFilter {
    /// What it reports.
    pub kind: FilterKind,
    /// The first block not yet reported.
    pub next_block: u64,
    /// Pending transaction hashes not yet reported.
    pub pending: Vec<B256>,
}

/// The installed filters by id.
#[derive(Clone, Debug, Default)]
pub struct Filters {
    filters: HashMap<u64, InstalledFilter>,
    next_id: u64,
}

impl Filters {
    /// Installs a filter whose first poll reports from block `next_block` on.
    pub fn install(&mut self, kind: FilterKind, next_block: u64) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.filters.insert(
            id,
            InstalledFilter {
                kind,
                next_block,
                pending: Vec::new(),
            },
        );
        filter_id(id)
    }

    /// The filter with `id`.
    pub fn get_mut(&mut self, id: &str) -> Option<&mut InstalledFilter> {
        self.filters.get_mut(&parse_filter_id(id)?)
    }

    /// Removes the filter with `id`; false when there was none.
    pub fn remove(&mut self, id: &str) -> bool {
        parse_filter_id(id).is_some_and(|id| self.filters.remove(&id).is_some())
    }

    /// Tells pending-transaction filters about a new transaction.
    pub fn on_pending(&mut self, hash: B256) {
        for f in self.filters.values_mut() {
            if matches!(f.kind, FilterKind::PendingTransactions) {
                f.pending.push(hash);
            }
        }
    }
}

/// Filter ids look like anvil's: 16 bytes of hex, unguessable from the count. The low
/// eight bytes are the counter, the high eight a per-process salt.
fn filter_id(id: u64) -> Value {
    Value::String(format!("0x{:016x}{id:016x}", salt()))
}

fn salt() -> u64 {
    use std::sync::OnceLock;
    static SALT: OnceLock<u64> = OnceLock::new();
    *SALT.get_or_init(|| {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let hash = ember_primitives::keccak256(nanos.to_be_bytes());
        u64::from_be_bytes(hash[..8].try_into().expect("8 bytes")) | 1
    })
}

fn parse_filter_id(id: &str) -> Option<u64> {
    let hex = id.strip_prefix("0x")?;
    if hex.len() != 32 || u64::from_str_radix(&hex[..16], 16).ok()? != salt() {
        return None;
    }
    u64::from_str_radix(&hex[16..], 16).ok()
}

/// A WebSocket subscription.
#[derive(Debug)]
pub struct Subscription {
    /// What it wants.
    pub kind: SubscriptionKind,
    /// Where notifications go; a closed channel ends it.
    pub sender: UnboundedSender<Value>,
}

/// What a subscription wants.
#[derive(Clone, Debug)]
pub enum SubscriptionKind {
    /// Each new block's header.
    NewHeads,
    /// Each new log matching the filter.
    Logs(LogFilter),
    /// Each new pending transaction hash.
    PendingTransactions,
}

/// The live subscriptions.
#[derive(Debug, Default)]
pub struct Subscriptions {
    subs: Vec<Subscription>,
}

impl Subscriptions {
    /// Adds one.
    pub fn add(&mut self, sub: Subscription) {
        self.subs.push(sub);
    }

    /// Sends `block`'s header and logs to whoever wants them; drops closed subscriptions.
    pub fn on_block(&mut self, block: &MinedBlock) {
        if self.subs.is_empty() {
            return;
        }
        let mut header = None;
        self.subs.retain(|sub| match &sub.kind {
            SubscriptionKind::NewHeads => {
                // Anvil sends the whole block (transaction hashes included).
                let header = header.get_or_insert_with(|| render::block(block, false));
                sub.sender.send(header.clone()).is_ok()
            }
            SubscriptionKind::Logs(filter) => {
                let mut logs = Vec::new();
                filter.block_logs(block, &mut logs);
                logs.into_iter().all(|log| sub.sender.send(log).is_ok())
            }
            SubscriptionKind::PendingTransactions => !sub.sender.is_closed(),
        });
    }

    /// Sends a new pending transaction's hash to whoever wants it.
    pub fn on_pending(&mut self, hash: B256) {
        self.subs.retain(|sub| match sub.kind {
            SubscriptionKind::PendingTransactions => {
                sub.sender.send(serde_json::json!(hash)).is_ok()
            }
            _ => !sub.sender.is_closed(),
        });
    }
}
