//! Loading a chain (`ember node --init genesis.json --import chain.rlp`, `ember import`): the
//! fork schedule a geth genesis file expresses, its genesis block, and RLP-encoded blocks
//! imported one by one with the block executor's validation ([`ember_blockchain::Chain`],
//! the one the blockchain tests pass).
//!
//! Proof-of-work blocks are checked for their difficulty, the total difficulty against
//! `terminalTotalDifficulty` and the uncle rules, but not for their ethash seal: chains made
//! for tests (hive's, geth's) are mined with a fake ethash and carry a zero nonce and mix hash.

use std::sync::Arc;

use alloy_primitives::B64;
use ember_blockchain::{Activation, Block, Chain, ChainConfig, MAINNET_DEPOSIT_CONTRACT};
use ember_evm::InMemoryDb;
use ember_primitives::{Address, BlobParams, Fork, Spec, B256, U256};

use crate::chain::{DevChain, MinedBlock, STATE_HISTORY};
use crate::genesis::GenesisFile;
use crate::tx::NodeTx;

/// geth's `config` keys of fork blocks, with the fork each starts. `eip155Block` and
/// `eip158Block` (both Spurious Dragon, which geth allows apart) are read on their own:
/// Ember takes the later.
const FORK_BLOCKS: &[(&str, Fork)] = &[
    ("homesteadBlock", Fork::Homestead),
    ("eip150Block", Fork::Tangerine),
    ("byzantiumBlock", Fork::Byzantium),
    ("constantinopleBlock", Fork::Constantinople),
    ("petersburgBlock", Fork::Petersburg),
    ("istanbulBlock", Fork::Istanbul),
    ("berlinBlock", Fork::Berlin),
    ("londonBlock", Fork::London),
];

/// geth's `config` keys of fork times, with the fork each starts (also read by `ember run
/// --prestate`).
pub const FORK_TIMES: &[(&str, Fork)] = &[
    ("shanghaiTime", Fork::Shanghai),
    ("cancunTime", Fork::Cancun),
    ("pragueTime", Fork::Prague),
    ("osakaTime", Fork::Osaka),
    ("bpo1Time", Fork::Bpo1),
    ("bpo2Time", Fork::Bpo2),
    ("bpo3Time", Fork::Bpo3),
    ("bpo4Time", Fork::Bpo4),
    ("bpo5Time", Fork::Bpo5),
];

/// `blobSchedule` keys.
const BLOB_FORKS: &[(&str, Fork)] = &[
    ("cancun", Fork::Cancun),
    ("prague", Fork::Prague),
    ("osaka", Fork::Osaka),
    ("bpo1", Fork::Bpo1),
    ("bpo2", Fork::Bpo2),
    ("bpo3", Fork::Bpo3),
    ("bpo4", Fork::Bpo4),
    ("bpo5", Fork::Bpo5),
];

/// Keys of `config` that only move the difficulty bomb or name the network, which Ember's
/// forks need not know about for the chains it loads (the bomb is zero below block 200,000
/// past any of its delays).
const IGNORED_KEYS: &[&str] = &[
    "chainId",
    "muirGlacierBlock",
    "arrowGlacierBlock",
    "grayGlacierBlock",
    "mergeNetsplitBlock",
    "terminalTotalDifficultyPassed",
    "depositContractAddress",
    "terminalTotalDifficulty",
    "blobSchedule",
    "ethash",
    "clique",
    "daoForkSupport",
];

/// The fork schedule of a geth genesis file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Schedule {
    /// The forks by block and time (Paris not yet placed: see [`Schedule::config_for`]).
    pub config: ChainConfig,
    /// `terminalTotalDifficulty`: blocks after the one reaching it are proof of stake.
    pub terminal_total_difficulty: Option<U256>,
}

fn quantity(key: &str, value: &serde_json::Value) -> Result<u64, String> {
    match value {
        serde_json::Value::Number(n) => n
            .as_u64()
            .ok_or_else(|| format!("config.{key}: {n} is not a 64-bit number")),
        serde_json::Value::String(s) => {
            let parsed = match s.strip_prefix("0x") {
                Some(hex) => u64::from_str_radix(hex, 16).ok(),
                None => s.parse().ok(),
            };
            parsed.ok_or_else(|| format!("config.{key}: `{s}` is not a number"))
        }
        other => Err(format!("config.{key}: {other} is not a number")),
    }
}

fn big(key: &str, value: &serde_json::Value) -> Result<U256, String> {
    let text = match value {
        serde_json::Value::Number(n) => n.to_string(),
        serde_json::Value::String(s) => s.clone(),
        other => return Err(format!("config.{key}: {other} is not a number")),
    };
    text.parse::<U256>()
        .map_err(|e| format!("config.{key}: `{text}` is not a number: {e}"))
}

impl Schedule {
    /// The schedule `genesis` expresses, or `None` when its `config` names no fork (a dev
    /// chain's genesis, which runs `--hardfork` from block 0). A key Ember cannot honour (a
    /// fork it does not have) is an error naming the key. The DAO fork (`daoForkBlock`) is
    /// kept when `daoForkSupport` is true, as geth does.
    pub fn from_genesis(genesis: &GenesisFile) -> Result<Option<Schedule>, String> {
        let rest = &genesis.config.rest;
        let names_a_fork = rest
            .keys()
            .any(|k| k.ends_with("Block") || k.ends_with("Time") || k == "terminalTotalDifficulty");
        if !names_a_fork {
            return Ok(None);
        }
        let mut forks: Vec<(Fork, Activation)> = vec![(Fork::Frontier, Activation::Block(0))];
        let mut spurious_dragon: Option<u64> = None;
        let mut dao_fork_block = None;
        for (key, value) in rest {
            if value.is_null() || IGNORED_KEYS.contains(&key.as_str()) {
                continue;
            }
            if key == "eip155Block" || key == "eip158Block" {
                let at = quantity(key, value)?;
                spurious_dragon = Some(spurious_dragon.map_or(at, |n| n.max(at)));
                continue;
            }
            if let Some((_, fork)) = FORK_BLOCKS.iter().find(|(k, _)| k == key) {
                forks.push((*fork, Activation::Block(quantity(key, value)?)));
                continue;
            }
            if let Some((_, fork)) = FORK_TIMES.iter().find(|(k, _)| k == key) {
                forks.push((*fork, Activation::Timestamp(quantity(key, value)?)));
                continue;
            }
            if key == "daoForkBlock" {
                let supported = rest
                    .get("daoForkSupport")
                    .and_then(serde_json::Value::as_bool)
                    .unwrap_or(false);
                if supported {
                    dao_fork_block = Some(quantity(key, value)?);
                }
                continue;
            }
            if key.ends_with("Block") || key.ends_with("Time") {
                return Err(format!("config.{key}: a fork Ember does not have"));
            }
        }
        if let Some(at) = spurious_dragon {
            forks.push((Fork::SpuriousDragon, Activation::Block(at)));
        }
        forks.sort_by_key(|(f, _)| *f);
        let mut blob_schedule = Vec::new();
        if let Some(schedule) = rest.get("blobSchedule").and_then(|v| v.as_object()) {
            for (name, params) in schedule {
                let Some((_, fork)) = BLOB_FORKS.iter().find(|(k, _)| k == name) else {
                    return Err(format!(
                        "config.blobSchedule.{name}: a fork Ember does not have"
                    ));
                };
                let field = |f: &str| {
                    params
                        .get(f)
                        .ok_or_else(|| format!("config.blobSchedule.{name}.{f} is missing"))
                        .and_then(|v| quantity(&format!("blobSchedule.{name}.{f}"), v))
                };
                blob_schedule.push((
                    *fork,
                    BlobParams {
                        target: field("target")?,
                        max: field("max")?,
                        update_fraction: field("baseFeeUpdateFraction")?,
                    },
                ));
            }
        }
        let deposit_contract = match rest.get("depositContractAddress") {
            Some(serde_json::Value::String(s)) => s
                .parse::<Address>()
                .map_err(|e| format!("config.depositContractAddress: {e}"))?,
            _ => MAINNET_DEPOSIT_CONTRACT,
        };
        let terminal_total_difficulty = match rest.get("terminalTotalDifficulty") {
            Some(v) if !v.is_null() => Some(big("terminalTotalDifficulty", v)?),
            _ => None,
        };
        let chain_id = genesis.config.chain_id.ok_or("config.chainId is missing")?;
        Ok(Some(Schedule {
            config: ChainConfig {
                chain_id,
                forks,
                blob_schedule,
                deposit_contract,
                dao_fork_block,
            },
            terminal_total_difficulty,
        }))
    }

    /// The chain configuration with Paris placed: at the first block after the one whose
    /// total difficulty reaches `terminalTotalDifficulty` (or at the first block of zero
    /// difficulty in `blocks`, which the import then checks against the total difficulty).
    pub fn config_for(&self, genesis_difficulty: U256, blocks: &[Block]) -> ChainConfig {
        let mut config = self.config.clone();
        let Some(ttd) = self.terminal_total_difficulty else {
            return config;
        };
        let paris = if genesis_difficulty >= ttd {
            u64::from(!genesis_difficulty.is_zero())
        } else {
            let mut td = genesis_difficulty;
            let mut at = blocks.last().map_or(1, |b| b.header.number + 1);
            for block in blocks {
                if block.header.difficulty.is_zero() {
                    at = block.header.number;
                    break;
                }
                td = td.saturating_add(block.header.difficulty);
                if td >= ttd {
                    at = block.header.number + 1;
                    break;
                }
            }
            at
        };
        config.forks.push((Fork::Paris, Activation::Block(paris)));
        config.forks.sort_by_key(|(f, _)| *f);
        config
    }
}

/// The genesis block of `genesis` under `config`, with `state` (its `alloc`) as state: the
/// header fields of the fork in force at block 0 (a base fee from London, withdrawals from
/// Shanghai, blob gas and the beacon root from Cancun, the requests hash from Prague).
pub fn genesis_block(genesis: &GenesisFile, config: &ChainConfig, state: &mut InMemoryDb) -> Block {
    let number = genesis.number.unwrap_or(0);
    let timestamp = genesis.timestamp.unwrap_or(0);
    let spec = Spec::of(config.fork_at(number, timestamp));
    let header = ember_blockchain::Header {
        parent_hash: genesis.parent_hash.unwrap_or_default(),
        ommers_hash: ember_blockchain::header::EMPTY_OMMERS_HASH,
        beneficiary: genesis.coinbase.unwrap_or_default(),
        state_root: state.state_root(),
        transactions_root: ember_primitives::EMPTY_ROOT,
        receipts_root: ember_primitives::EMPTY_ROOT,
        difficulty: genesis.difficulty.unwrap_or_default(),
        number,
        gas_limit: genesis.gas_limit.unwrap_or(5000),
        timestamp,
        extra_data: genesis.extra_data.clone().unwrap_or_default(),
        mix_hash: genesis.mix_hash.unwrap_or_default(),
        nonce: B64::from(genesis.nonce.unwrap_or(0).to_be_bytes()),
        base_fee_per_gas: spec
            .tx_fee_market
            .then(|| U256::from(genesis.base_fee_per_gas.unwrap_or(1_000_000_000))),
        withdrawals_root: spec.withdrawals.then_some(ember_primitives::EMPTY_ROOT),
        blob_gas_used: spec.blobs.map(|_| genesis.blob_gas_used.unwrap_or(0)),
        excess_blob_gas: spec.blobs.map(|_| genesis.excess_blob_gas.unwrap_or(0)),
        parent_beacon_block_root: spec.beacon_roots_call.then_some(B256::ZERO),
        requests_hash: spec
            .execution_requests
            .then_some(ember_blockchain::header::EMPTY_REQUESTS_HASH),
        ..ember_blockchain::Header::default()
    };
    Block {
        header,
        transactions: Vec::new(),
        ommers: Vec::new(),
        withdrawals: spec.withdrawals.then(Vec::new),
    }
}

/// Splits a file of concatenated RLP blocks (geth's `export` format) into blocks. Stops at
/// the first malformed one and returns the blocks before it with an error naming it (its
/// position in the file and, when its header decodes, its number).
pub fn decode_blocks(bytes: &[u8]) -> (Vec<Block>, Option<String>) {
    let mut blocks = Vec::new();
    let mut rest = bytes;
    let mut offset = 0usize;
    while !rest.is_empty() {
        let position = blocks.len() + 1;
        let mut probe = rest;
        let item_len = match alloy_rlp::Header::decode(&mut probe) {
            Ok(h) if h.list => (rest.len() - probe.len()).checked_add(h.payload_length),
            Ok(_) => None,
            Err(_) => None,
        };
        let Some(item_len) = item_len.filter(|n| *n <= rest.len()) else {
            return (
                blocks,
                Some(format!(
                    "block {position} of the file (byte {offset}): malformed RLP: not a complete list"
                )),
            );
        };
        match Block::decode(&rest[..item_len]) {
            Ok(block) => blocks.push(block),
            Err(e) => {
                return (
                    blocks,
                    Some(format!(
                        "block {position} of the file (byte {offset}): malformed block: {e}"
                    )),
                )
            }
        }
        rest = &rest[item_len..];
        offset += item_len;
    }
    (blocks, None)
}

/// What an import did: the chain up to the last valid block, and the first error.
#[derive(Debug)]
pub struct Imported {
    /// The chain, its head the last valid block.
    pub chain: DevChain,
    /// How many blocks were imported.
    pub imported: usize,
    /// The first block rejected (named, with the rule it breaks), or the malformed input.
    pub error: Option<String>,
}

/// Builds the chain of `genesis` and imports `blocks` onto it; `decode_error` (from
/// [`decode_blocks`]) is reported when every block before it imported.
pub fn import_chain(
    genesis: &GenesisFile,
    schedule: &Schedule,
    blocks: Vec<Block>,
    decode_error: Option<String>,
) -> Result<Imported, String> {
    let mut state = InMemoryDb::new();
    genesis.apply(&mut state);
    let genesis_difficulty = genesis.difficulty.unwrap_or_default();
    let config = schedule.config_for(genesis_difficulty, &blocks);
    let genesis_block = genesis_block(genesis, &config, &mut state);
    let genesis_hash = genesis_block.hash();
    let mut chain = Chain::new(config.clone(), genesis_block.clone(), state.clone())
        .map_err(|e| format!("genesis: {e}"))?;
    let mut mined = vec![MinedBlock {
        block: genesis_block,
        hash: genesis_hash,
        txs: Vec::new(),
        outcomes: Vec::new(),
    }];
    let mut history: Vec<(u64, Arc<InMemoryDb>)> = Vec::new();
    let mut td = genesis_difficulty;
    let mut error = None;
    let mut imported = 0;
    let mut head_state = Arc::new(chain.state().clone());
    for block in blocks {
        let number = block.header.number;
        let hash = block.hash();
        let name = format!("block {number} ({hash})");
        if let Some(ttd) = schedule.terminal_total_difficulty {
            let pow = !block.header.difficulty.is_zero();
            if pow && td >= ttd {
                error = Some(format!(
                    "{name}: a proof-of-work block after the terminal total difficulty (parent's total difficulty {td} >= {ttd})"
                ));
                break;
            }
            if !pow && td < ttd {
                error = Some(format!(
                    "{name}: a proof-of-stake block before the terminal total difficulty (parent's total difficulty {td} < {ttd})"
                ));
                break;
            }
        }
        let execution = match chain.import(block.clone()) {
            Ok(execution) => execution,
            Err(e) => {
                error = Some(format!("{name}: {e}"));
                break;
            }
        };
        td = td.saturating_add(block.header.difficulty);
        let txs = block
            .transactions
            .iter()
            .zip(&execution.transactions)
            .map(|(tx, outcome)| NodeTx::signed(tx.clone(), outcome.sender))
            .collect();
        let parent_number = mined.last().map_or(0, MinedBlock::number);
        history.push((parent_number, head_state));
        if history.len() > STATE_HISTORY {
            history.remove(0);
        }
        head_state = Arc::new(chain.state().clone());
        mined.push(MinedBlock {
            block,
            hash,
            txs,
            outcomes: execution.transactions,
        });
        imported += 1;
    }
    if error.is_none() {
        error = decode_error;
    }
    let state = Arc::try_unwrap(head_state).unwrap_or_else(|arc| (*arc).clone());
    let chain = DevChain::from_imported(config, mined, history, state);
    Ok(Imported {
        chain,
        imported,
        error,
    })
}

/// The EIP-2124 fork hash after the forks of `genesis`'s config active at block `number`
/// and `timestamp`: CRC-32 of the genesis hash and each distinct fork block, then fork time
/// (those after the genesis time), as 8 big-endian bytes.
pub fn fork_hash(genesis: &GenesisFile, genesis_hash: B256, number: u64, timestamp: u64) -> u32 {
    let (blocks, times) = fork_points(genesis);
    let mut crc = flate2::Crc::new();
    crc.update(genesis_hash.as_slice());
    for b in blocks.into_iter().filter(|b| *b <= number) {
        crc.update(&b.to_be_bytes());
    }
    for t in times.into_iter().filter(|t| *t <= timestamp) {
        crc.update(&t.to_be_bytes());
    }
    crc.sum()
}

/// Distinct fork blocks (above 0) and fork times (above the genesis time), ascending.
fn fork_points(genesis: &GenesisFile) -> (Vec<u64>, Vec<u64>) {
    let genesis_time = genesis.timestamp.unwrap_or(0);
    let mut blocks = std::collections::BTreeSet::new();
    let mut times = std::collections::BTreeSet::new();
    for (key, value) in &genesis.config.rest {
        let Ok(n) = quantity(key, value) else {
            continue;
        };
        if key.ends_with("Block") && n > 0 {
            blocks.insert(n);
        } else if key.ends_with("Time") && n > genesis_time {
            times.insert(n);
        }
    }
    (blocks.into_iter().collect(), times.into_iter().collect())
}

/// The name EIP-7910 gives each precompile.
fn precompile_name(address: &Address) -> Option<&'static str> {
    let n = u16::from_be_bytes([address[18], address[19]]);
    if address[..18].iter().any(|b| *b != 0) {
        return None;
    }
    Some(match n {
        1 => "ECREC",
        2 => "SHA256",
        3 => "RIPEMD160",
        4 => "ID",
        5 => "MODEXP",
        6 => "BN254_ADD",
        7 => "BN254_MUL",
        8 => "BN254_PAIRING",
        9 => "BLAKE2F",
        0x0a => "KZG_POINT_EVALUATION",
        0x0b => "BLS12_G1ADD",
        0x0c => "BLS12_G1MSM",
        0x0d => "BLS12_G2ADD",
        0x0e => "BLS12_G2MSM",
        0x0f => "BLS12_PAIRING_CHECK",
        0x10 => "BLS12_MAP_FP_TO_G1",
        0x11 => "BLS12_MAP_FP2_TO_G2",
        0x100 => "P256VERIFY",
        _ => return None,
    })
}

/// `eth_config` (EIP-7910) for a chain loaded at `head`: the fork in force, the next one
/// scheduled by time and the last one, each with its blob schedule, fork id, precompiles
/// and system contracts.
pub fn eth_config(genesis: &GenesisFile, chain: &DevChain) -> serde_json::Value {
    use serde_json::json;
    let config = chain.config();
    let genesis_hash = chain
        .block(chain.first_number())
        .map_or(B256::ZERO, |b| b.hash);
    let head = &chain.head().block.header;
    let describe = |fork: Fork, number: u64, time: u64| {
        let spec = Spec::of(fork);
        let activation_time = match config.forks.iter().find(|(f, _)| *f == fork) {
            Some((_, Activation::Timestamp(t))) => *t,
            _ => 0,
        };
        let mut precompiles = serde_json::Map::new();
        for address in ember_evm::Precompiles::for_fork(fork).addresses() {
            if let Some(name) = precompile_name(address) {
                precompiles.insert(name.into(), json!(address));
            }
        }
        let mut system = serde_json::Map::new();
        if spec.beacon_roots_call {
            system.insert(
                "BEACON_ROOTS_ADDRESS".into(),
                json!(ember_blockchain::execute::BEACON_ROOTS_ADDRESS),
            );
        }
        if spec.execution_requests {
            system.insert(
                "CONSOLIDATION_REQUEST_PREDEPLOY_ADDRESS".into(),
                json!(ember_blockchain::execute::CONSOLIDATION_REQUEST_ADDRESS),
            );
            system.insert(
                "DEPOSIT_CONTRACT_ADDRESS".into(),
                json!(config.deposit_contract),
            );
            system.insert(
                "WITHDRAWAL_REQUEST_PREDEPLOY_ADDRESS".into(),
                json!(ember_blockchain::execute::WITHDRAWAL_REQUEST_ADDRESS),
            );
        }
        if spec.history_call {
            system.insert(
                "HISTORY_STORAGE_ADDRESS".into(),
                json!(ember_blockchain::execute::HISTORY_STORAGE_ADDRESS),
            );
        }
        let blob = config.blob_params(fork).map_or(serde_json::Value::Null, |b| {
            json!({"target": b.target, "max": b.max, "baseFeeUpdateFraction": b.update_fraction})
        });
        json!({
            "activationTime": activation_time,
            "blobSchedule": blob,
            "chainId": format!("{:#x}", config.chain_id),
            "forkId": format!("{:#010x}", fork_hash(genesis, genesis_hash, number, time)),
            "precompiles": precompiles,
            "systemContracts": system,
        })
    };
    let current_fork = config.fork_at(head.number, head.timestamp);
    let current = describe(current_fork, head.number, head.timestamp);
    let later: Vec<(Fork, u64)> = config
        .forks
        .iter()
        .filter_map(|(f, a)| match a {
            Activation::Timestamp(t) if *t > head.timestamp => Some((*f, *t)),
            _ => None,
        })
        .collect();
    let next = later.first().map_or(serde_json::Value::Null, |(f, t)| {
        describe(*f, head.number, *t)
    });
    let last = later.last().map_or(serde_json::Value::Null, |(f, t)| {
        describe(*f, head.number, *t)
    });
    json!({"current": current, "next": next, "last": last})
}

#[cfg(test)]
mod tests {
    use super::*;

    fn genesis(config: &str) -> GenesisFile {
        serde_json::from_str(&format!(
            r#"{{"config": {config}, "difficulty": "0x20000", "gasLimit": "0x5f5e100", "alloc": {{}}}}"#
        ))
        .unwrap()
    }

    #[test]
    fn schedule_from_geth_config() {
        let g = genesis(
            r#"{"chainId": 7, "homesteadBlock": 0, "eip150Block": 3, "eip155Block": 6, "eip158Block": 6,
                "byzantiumBlock": 9, "londonBlock": 27, "terminalTotalDifficulty": 4732352,
                "shanghaiTime": 390, "cancunTime": 420, "bpo2Time": 540,
                "blobSchedule": {"cancun": {"target": 3, "max": 6, "baseFeeUpdateFraction": 3338477}}}"#,
        );
        let s = Schedule::from_genesis(&g).unwrap().unwrap();
        assert_eq!(s.config.chain_id, 7);
        assert_eq!(s.terminal_total_difficulty, Some(U256::from(4732352u64)));
        let c = &s.config;
        assert_eq!(c.fork_at(0, 0), Fork::Homestead);
        assert_eq!(c.fork_at(6, 0), Fork::SpuriousDragon);
        assert_eq!(c.fork_at(30, 0), Fork::London);
        assert_eq!(c.fork_at(40, 400), Fork::Shanghai);
        // No block to import: the genesis has not reached the TTD, Paris starts at block 1.
        let c = s.config_for(U256::from(0x20000u64), &[]);
        assert_eq!(c.fork_at(0, 0), Fork::Homestead);
        assert_eq!(c.fork_at(1, 0), Fork::Paris);
        assert_eq!(c.fork_at(40, 600), Fork::Bpo2);
        assert_eq!(c.blob_params(Fork::Cancun).unwrap().max, 6);
    }

    #[test]
    fn dev_genesis_has_no_schedule_and_unknown_forks_are_errors() {
        assert!(Schedule::from_genesis(&genesis(r#"{"chainId": 1}"#))
            .unwrap()
            .is_none());
        let err =
            Schedule::from_genesis(&genesis(r#"{"chainId": 1, "amsterdamTime": 5}"#)).unwrap_err();
        assert!(err.contains("amsterdamTime"), "{err}");
    }

    #[test]
    fn the_dao_fork_is_kept_when_supported() {
        let with = |support: bool| {
            let config = format!(
                r#"{{"chainId": 1, "homesteadBlock": 0, "daoForkBlock": 5, "daoForkSupport": {support}, "bpo3Time": 9}}"#
            );
            Schedule::from_genesis(&genesis(&config)).unwrap().unwrap()
        };
        assert_eq!(with(true).config.dao_fork_block, Some(5));
        assert_eq!(with(false).config.dao_fork_block, None);
        assert_eq!(with(true).config.fork_at(1, 10), Fork::Bpo3);
    }

    #[test]
    fn malformed_rlp_names_the_block() {
        let (blocks, err) = decode_blocks(&[0xc1]);
        assert!(blocks.is_empty());
        assert!(err.unwrap().contains("block 1 of the file"));
        let (_, err) = decode_blocks(&[0xc0]);
        assert!(err.unwrap().contains("malformed block"));
    }
}
