//! Chain configuration: the chain id, when each fork activates, blob parameters, and the
//! deposit contract; built from the network names the test fixtures use.

use ember_primitives::{address, Address, BlobParams, Fork, Spec, U256};
use std::fmt;

/// The mainnet deposit contract (EIP-6110 reads its logs).
pub const MAINNET_DEPOSIT_CONTRACT: Address = address!("00000000219ab540356cBB839Cbe05303d7705Fa");

/// When a fork activates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Activation {
    /// At this block number (forks up to Paris).
    Block(u64),
    /// At this timestamp (Shanghai and later).
    Timestamp(u64),
    /// For every block whose parent's total difficulty reaches this terminal total
    /// difficulty (the merge by TTD, EIP-3675: the first such parent is the terminal
    /// proof-of-work block). Only [`ChainConfig::fork_after`] sees it; [`ChainConfig::fork_at`],
    /// which knows no total difficulty, treats it as not reached.
    TotalDifficulty(U256),
}

/// A network name that describes no schedule Ember knows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownNetwork(pub String);

impl fmt::Display for UnknownNetwork {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown network `{}`", self.0)
    }
}

impl std::error::Error for UnknownNetwork {}

/// How a chain runs: its id, its forks, its blob schedule and its deposit contract.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChainConfig {
    /// The chain id.
    pub chain_id: u64,
    /// Forks with their activation, oldest first; the first is active from genesis.
    pub forks: Vec<(Fork, Activation)>,
    /// Blob parameters per fork, overriding the fork's defaults (a fixture's `blobSchedule`).
    pub blob_schedule: Vec<(Fork, BlobParams)>,
    /// The deposit contract whose logs become EIP-6110 deposit requests.
    pub deposit_contract: Address,
    /// The block of the DAO fork (EIP-779: the drain list's balances move to the refund
    /// contract, and the block and the nine after it carry `dao-hard-fork` as extra data);
    /// `None` for a chain without it.
    pub dao_fork_block: Option<u64>,
}

impl ChainConfig {
    /// A chain running `fork` from genesis.
    pub fn single(fork: Fork, chain_id: u64) -> ChainConfig {
        ChainConfig {
            chain_id,
            forks: vec![(fork, Activation::Block(0))],
            blob_schedule: Vec::new(),
            deposit_contract: MAINNET_DEPOSIT_CONTRACT,
            dao_fork_block: None,
        }
    }

    /// The configuration of a fixture network: a fork name (`Cancun`, `EIP150`...) or a
    /// transition `AToBAtN` (block number) / `AToBAtTimeN` (timestamp), where N may end
    /// in `k` for thousands (`ShanghaiToCancunAtTime15k`, `BerlinToLondonAt5`), or
    /// `AToBAtDiffD`: B from the first block whose parent's total difficulty reaches the
    /// hexadecimal D (`ArrowGlacierToParisAtDiffC0000`, the merge by terminal total
    /// difficulty), or `<Fork>ToDaoAtN`: the DAO fork at block N on top of that fork
    /// (`HomesteadToDaoAt5`). The source fork of a transition may also be `ArrowGlacier` or
    /// `GrayGlacier`, London with the difficulty bomb delayed to 10.7 and 11.4 million
    /// blocks (EIP-4345, EIP-5133): parsed as London, whose 9.7 million gives the same
    /// difficulty to every block below 9.9 million (test chains are a few blocks long).
    pub fn for_network(name: &str, chain_id: u64) -> Result<ChainConfig, UnknownNetwork> {
        let unknown = || UnknownNetwork(name.to_string());
        if let Ok(fork) = name.parse::<Fork>() {
            return Ok(ChainConfig::single(fork, chain_id));
        }
        let (from, rest) = name.split_once("To").ok_or_else(unknown)?;
        let (to, at) = rest.split_once("At").ok_or_else(unknown)?;
        let from: Fork = match from {
            // Only the bomb delay differs from London (see the doc comment).
            "ArrowGlacier" | "GrayGlacier" => Fork::London,
            other => other.parse().map_err(|_| unknown())?,
        };
        if to == "Dao" {
            let n: u64 = at.parse().map_err(|_| unknown())?;
            let mut config = ChainConfig::single(from, chain_id);
            config.dao_fork_block = Some(n);
            return Ok(config);
        }
        let to: Fork = to.parse().map_err(|_| unknown())?;
        if to <= from {
            return Err(unknown());
        }
        if let Some(hex) = at.strip_prefix("Diff") {
            if hex.is_empty() || !Spec::of(to).proof_of_stake || Spec::of(from).proof_of_stake {
                return Err(unknown());
            }
            let ttd = U256::from_str_radix(hex, 16).map_err(|_| unknown())?;
            let mut config = ChainConfig::single(from, chain_id);
            config.forks.push((to, Activation::TotalDifficulty(ttd)));
            return Ok(config);
        }
        let (by_time, number) = match at.strip_prefix("Time") {
            Some(n) => (true, n),
            None => (false, at),
        };
        let (digits, scale) = match number.strip_suffix('k') {
            Some(d) => (d, 1000),
            None => (number, 1),
        };
        let n: u64 = digits.parse().map_err(|_| unknown())?;
        let n = n.checked_mul(scale).ok_or_else(unknown)?;
        let activation = if by_time {
            Activation::Timestamp(n)
        } else {
            Activation::Block(n)
        };
        Ok(ChainConfig {
            chain_id,
            forks: vec![(from, Activation::Block(0)), (to, activation)],
            blob_schedule: Vec::new(),
            deposit_contract: MAINNET_DEPOSIT_CONTRACT,
            dao_fork_block: None,
        })
    }

    /// The fork in force for a block with this number and timestamp; an activation by total
    /// difficulty counts as not reached (use [`ChainConfig::fork_after`] where the parent's
    /// total difficulty is known).
    pub fn fork_at(&self, number: u64, timestamp: u64) -> Fork {
        self.fork_for(number, timestamp, None)
    }

    /// The fork in force for a block with this number and timestamp whose parent's total
    /// difficulty (the sum of the difficulties from genesis to the parent) is
    /// `parent_total_difficulty`.
    pub fn fork_after(&self, number: u64, timestamp: u64, parent_total_difficulty: U256) -> Fork {
        self.fork_for(number, timestamp, Some(parent_total_difficulty))
    }

    /// True when a fork of this chain activates by total difficulty.
    pub fn has_terminal_total_difficulty(&self) -> bool {
        self.forks
            .iter()
            .any(|(_, a)| matches!(a, Activation::TotalDifficulty(_)))
    }

    fn fork_for(&self, number: u64, timestamp: u64, parent_td: Option<U256>) -> Fork {
        let mut current = self.forks.first().map_or(Fork::Frontier, |f| f.0);
        for (fork, activation) in &self.forks {
            let active = match activation {
                Activation::Block(n) => number >= *n,
                Activation::Timestamp(t) => timestamp >= *t,
                Activation::TotalDifficulty(ttd) => parent_td.is_some_and(|td| td >= *ttd),
            };
            if active {
                current = *fork;
            }
        }
        current
    }

    /// The blob parameters of `fork`: the schedule's entry, else the fork's defaults
    /// (`None` before Cancun).
    pub fn blob_params(&self, fork: Fork) -> Option<BlobParams> {
        let defaults = Spec::of(fork).blobs?;
        Some(
            self.blob_schedule
                .iter()
                .find(|(f, _)| *f == fork)
                .map_or(defaults, |(_, p)| *p),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn networks() {
        let c = ChainConfig::for_network("Cancun", 1).unwrap();
        assert_eq!(c.fork_at(100, 100), Fork::Cancun);
        let c = ChainConfig::for_network("ShanghaiToCancunAtTime15k", 1).unwrap();
        assert_eq!(c.fork_at(1, 14_999), Fork::Shanghai);
        assert_eq!(c.fork_at(2, 15_000), Fork::Cancun);
        let c = ChainConfig::for_network("BerlinToLondonAt5", 1).unwrap();
        assert_eq!(c.fork_at(4, 0), Fork::Berlin);
        assert_eq!(c.fork_at(5, 0), Fork::London);
        let c = ChainConfig::for_network("EIP158ToByzantiumAt5", 1).unwrap();
        assert_eq!(c.fork_at(5, 0), Fork::Byzantium);
        let c = ChainConfig::for_network("OsakaToBPO1AtTime15k", 1).unwrap();
        assert_eq!(c.fork_at(1, 14_999), Fork::Osaka);
        assert_eq!(c.fork_at(2, 15_000), Fork::Bpo1);
        let c = ChainConfig::for_network("BPO1ToBPO2AtTime15k", 1).unwrap();
        assert_eq!(c.fork_at(2, 15_000), Fork::Bpo2);
        assert_eq!(c.blob_params(Fork::Bpo2), Some(BlobParams::BPO2));
        let c = ChainConfig::for_network("HomesteadToDaoAt5", 1).unwrap();
        assert_eq!(c.fork_at(5, 0), Fork::Homestead);
        assert_eq!(c.dao_fork_block, Some(5));
        for bad in [
            "HomesteadToDaoAtX",
            "AtlantisToDaoAt5",
            "Atlantis",
            "CancunToShanghaiAtTime15k",
            "ParisToShanghaiAtTimeX",
            "BPO2ToBPO1AtTime15k",
        ] {
            assert!(ChainConfig::for_network(bad, 1).is_err(), "{bad}");
        }
    }

    #[test]
    fn blob_schedule() {
        let mut c = ChainConfig::single(Fork::Prague, 1);
        assert_eq!(c.blob_params(Fork::Prague), Some(BlobParams::PRAGUE));
        assert_eq!(c.blob_params(Fork::Shanghai), None);
        let custom = BlobParams {
            target: 1,
            max: 2,
            update_fraction: 3,
        };
        c.blob_schedule.push((Fork::Prague, custom));
        assert_eq!(c.blob_params(Fork::Prague), Some(custom));
        assert_eq!(c.blob_params(Fork::Cancun), Some(BlobParams::CANCUN));
    }
}
