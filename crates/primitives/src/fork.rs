//! The list of Ethereum forks, oldest first, with the names the test fixtures use.

use std::fmt;
use std::str::FromStr;

/// An Ethereum fork (hard fork): a name that selects a rule set. What a fork changes is in
/// its [`Spec`](crate::Spec) (`Spec::of(fork)`): read the field named for the rule
/// (`spec.access_lists` for EIP-2929, `spec.precompiles`, ...) instead of comparing forks.
/// Only `spec.rs` compares forks, to build the table; `scripts/check-fork-rules.sh` (CI)
/// rejects a fork comparison anywhere else. The order (`Ord`) is activation order, for
/// sorting and reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(u8)]
pub enum Fork {
    /// Launch rules (July 2015).
    Frontier = 0,
    /// EIP-2, EIP-7 (DELEGATECALL), EIP-8.
    Homestead,
    /// Tangerine Whistle, EIP-150 gas repricing (fixtures: `EIP150`).
    Tangerine,
    /// Spurious Dragon: EIP-155, EIP-160, EIP-161, EIP-170 (fixtures: `EIP158`).
    SpuriousDragon,
    /// Byzantium: REVERT, RETURNDATA, STATICCALL, precompiles 0x05–0x08.
    Byzantium,
    /// Constantinople: shifts, CREATE2, EXTCODEHASH, EIP-1283 net gas metering.
    Constantinople,
    /// Petersburg: Constantinople without EIP-1283 (fixtures: `ConstantinopleFix`).
    Petersburg,
    /// Istanbul: EIP-1884, EIP-2028, EIP-2200, CHAINID, SELFBALANCE, BLAKE2F.
    Istanbul,
    /// Berlin: EIP-2929 access lists and EIP-2930 transactions, EIP-2565.
    Berlin,
    /// London: EIP-1559, EIP-3198 BASEFEE, EIP-3529, EIP-3541.
    London,
    /// Paris (the Merge): EIP-4399 PREVRANDAO.
    Paris,
    /// Shanghai: PUSH0, EIP-3651 warm coinbase, EIP-3860 initcode limits.
    Shanghai,
    /// Cancun: EIP-1153, EIP-4844, EIP-5656, EIP-6780, EIP-7516.
    Cancun,
    /// Prague (Pectra): EIP-7702, EIP-2537, EIP-7623, EIP-7691.
    Prague,
    /// Osaka (Fusaka): CLZ, P256VERIFY, modexp repricing, transaction gas cap, PeerDAS blob
    /// limits (EIP-7594), blob base fee floor (EIP-7918).
    Osaka,
    /// BPO1, the first blob-parameter-only fork (EIP-7892): target 10, max 15 blobs.
    Bpo1,
    /// BPO2, the second blob-parameter-only fork (EIP-7892): target 14, max 21 blobs.
    Bpo2,
    /// BPO3, a test-only blob-parameter-only fork of execution-spec-tests: target 21, max 32
    /// blobs (a fixture's `blobSchedule` may set others).
    Bpo3,
    /// BPO4, a test-only blob-parameter-only fork of execution-spec-tests: target 14, max 21
    /// blobs (a decrease from BPO3).
    Bpo4,
    /// BPO5, a test-only blob-parameter-only fork of execution-spec-tests: BPO4's parameters
    /// unless the fixture's `blobSchedule` sets its own.
    Bpo5,
}

/// A fork name that no [`Fork`] answers to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownFork(pub String);

impl fmt::Display for UnknownFork {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown fork `{}`", self.0)
    }
}

impl std::error::Error for UnknownFork {}

impl Fork {
    /// Every fork, oldest first.
    pub const ALL: [Fork; 20] = [
        Fork::Frontier,
        Fork::Homestead,
        Fork::Tangerine,
        Fork::SpuriousDragon,
        Fork::Byzantium,
        Fork::Constantinople,
        Fork::Petersburg,
        Fork::Istanbul,
        Fork::Berlin,
        Fork::London,
        Fork::Paris,
        Fork::Shanghai,
        Fork::Cancun,
        Fork::Prague,
        Fork::Osaka,
        Fork::Bpo1,
        Fork::Bpo2,
        Fork::Bpo3,
        Fork::Bpo4,
        Fork::Bpo5,
    ];

    /// The default fork: the newest one with new EVM rules. The blob-parameter-only forks
    /// after it ([`Fork::Bpo1`] to [`Fork::Bpo5`]) change only the blob schedule.
    pub const LATEST: Fork = Fork::Osaka;

    /// The newest fork Ember implements.
    pub const NEWEST: Fork = Fork::Bpo5;

    /// The name the ethereum/tests fixtures use for this fork (`EIP150`, `ConstantinopleFix`...).
    pub const fn fixture_name(self) -> &'static str {
        match self {
            Fork::Frontier => "Frontier",
            Fork::Homestead => "Homestead",
            Fork::Tangerine => "EIP150",
            Fork::SpuriousDragon => "EIP158",
            Fork::Byzantium => "Byzantium",
            Fork::Constantinople => "Constantinople",
            Fork::Petersburg => "ConstantinopleFix",
            Fork::Istanbul => "Istanbul",
            Fork::Berlin => "Berlin",
            Fork::London => "London",
            Fork::Paris => "Paris",
            Fork::Shanghai => "Shanghai",
            Fork::Cancun => "Cancun",
            Fork::Prague => "Prague",
            Fork::Osaka => "Osaka",
            Fork::Bpo1 => "BPO1",
            Fork::Bpo2 => "BPO2",
            Fork::Bpo3 => "BPO3",
            Fork::Bpo4 => "BPO4",
            Fork::Bpo5 => "BPO5",
        }
    }

    /// True when `self` is `other` or a later fork: for [`Spec::new`](crate::Spec::new)'s
    /// cumulative deltas only (elsewhere, read the rule from the `Spec`).
    #[inline]
    pub(crate) const fn is_enabled(self, other: Fork) -> bool {
        self as u8 >= other as u8
    }
}

impl fmt::Display for Fork {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.fixture_name())
    }
}

impl FromStr for Fork {
    type Err = UnknownFork;

    /// Accepts the fixture names and the common aliases, case-insensitively.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let fork = match s.to_ascii_lowercase().as_str() {
            "frontier" => Fork::Frontier,
            "homestead" => Fork::Homestead,
            "eip150" | "tangerine" | "tangerinewhistle" => Fork::Tangerine,
            "eip158" | "spuriousdragon" => Fork::SpuriousDragon,
            "byzantium" => Fork::Byzantium,
            "constantinople" => Fork::Constantinople,
            "constantinoplefix" | "petersburg" => Fork::Petersburg,
            "istanbul" => Fork::Istanbul,
            "berlin" => Fork::Berlin,
            "london" => Fork::London,
            "paris" | "merge" => Fork::Paris,
            "shanghai" => Fork::Shanghai,
            "cancun" => Fork::Cancun,
            "prague" => Fork::Prague,
            "osaka" | "fusaka" => Fork::Osaka,
            "bpo1" => Fork::Bpo1,
            "bpo2" => Fork::Bpo2,
            "bpo3" => Fork::Bpo3,
            "bpo4" => Fork::Bpo4,
            "bpo5" => Fork::Bpo5,
            _ => return Err(UnknownFork(s.to_string())),
        };
        Ok(fork)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for fork in Fork::ALL {
            assert_eq!(fork.fixture_name().parse::<Fork>(), Ok(fork));
        }
        assert_eq!("Merge".parse::<Fork>(), Ok(Fork::Paris));
        assert_eq!("bpo1".parse::<Fork>(), Ok(Fork::Bpo1));
        assert_eq!("BPO2".parse::<Fork>(), Ok(Fork::Bpo2));
        assert_eq!("osaka".parse::<Fork>(), Ok(Fork::Osaka));
        assert_eq!("BPO5".parse::<Fork>(), Ok(Fork::Bpo5));
        assert!("BPO6".parse::<Fork>().is_err());
        assert!("Atlantis".parse::<Fork>().is_err());
    }

    #[test]
    fn ordered() {
        assert!(Fork::Cancun.is_enabled(Fork::Berlin));
        assert!(!Fork::Istanbul.is_enabled(Fork::Berlin));
        assert!(Fork::Bpo1.is_enabled(Fork::Osaka));
        assert!(Fork::Bpo2 > Fork::Bpo1);
        assert_eq!(Fork::ALL.last(), Some(&Fork::NEWEST));
    }
}
