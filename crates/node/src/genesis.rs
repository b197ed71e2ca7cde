//! The dev chain's genesis: the funded dev accounts, the system contracts the fork needs
//! (as geth's dev mode deploys them), and geth's `genesis.json` for `--init`.

use std::collections::BTreeMap;
use std::path::Path;

use ember_blockchain::execute::{
    BEACON_ROOTS_ADDRESS, CONSOLIDATION_REQUEST_ADDRESS, HISTORY_STORAGE_ADDRESS,
    WITHDRAWAL_REQUEST_ADDRESS,
};
use ember_evm::{AccountInfo, Bytecode, InMemoryDb};
use ember_primitives::{address, hex, keccak256, Address, Bytes, Fork, Spec, B256, U256};
use serde::Deserialize;

/// EIP-4788 beacon roots contract code.
const BEACON_ROOTS_CODE: &str = "3373fffffffffffffffffffffffffffffffffffffffe14604d57602036146024575f5ffd5b5f35801560495762001fff810690815414603c575f5ffd5b62001fff01545f5260205ff35b5f5ffd5b62001fff42064281555f359062001fff015500";
/// EIP-2935 block hash history contract code.
const HISTORY_STORAGE_CODE: &str = "3373fffffffffffffffffffffffffffffffffffffffe14604657602036036042575f35600143038111604257611fff81430311604257611fff9006545f5260205ff35b5f5ffd5b5f35611fff60014303065500";
/// EIP-7002 withdrawal request contract code.
const WITHDRAWAL_REQUEST_CODE: &str = "3373fffffffffffffffffffffffffffffffffffffffe1460cb5760115f54807fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff146101f457600182026001905f5b5f82111560685781019083028483029004916001019190604d565b909390049250505036603814608857366101f457346101f4575f5260205ff35b34106101f457600154600101600155600354806003026004013381556001015f35815560010160203590553360601b5f5260385f601437604c5fa0600101600355005b6003546002548082038060101160df575060105b5f5b8181146101835782810160030260040181604c02815460601b8152601401816001015481526020019060020154807fffffffffffffffffffffffffffffffff00000000000000000000000000000000168252906010019060401c908160381c81600701538160301c81600601538160281c81600501538160201c81600401538160181c81600301538160101c81600201538160081c81600101535360010160e1565b910180921461019557906002556101a0565b90505f6002555f6003555b5f54807fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff14156101cd57505f5b6001546002828201116101e25750505f6101e8565b01600290035b5f555f600155604c025ff35b5f5ffd";
/// EIP-7251 consolidation request contract code.
const CONSOLIDATION_REQUEST_CODE: &str = "3373fffffffffffffffffffffffffffffffffffffffe1460d35760115f54807fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff1461019a57600182026001905f5b5f82111560685781019083028483029004916001019190604d565b9093900492505050366060146088573661019a573461019a575f5260205ff35b341061019a57600154600101600155600354806004026004013381556001015f358155600101602035815560010160403590553360601b5f5260605f60143760745fa0600101600355005b6003546002548082038060021160e7575060025b5f5b8181146101295782810160040260040181607402815460601b815260140181600101548152602001816002015481526020019060030154905260010160e9565b910180921461013b5790600255610146565b90505f6002555f6003555b5f54807fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff141561017357505f5b6001546001828201116101885750505f61018e565b01600190035b5f555f6001556074025ff35b5f5ffd";

/// The deterministic deployment proxy (CREATE2 factory) anvil and most dev chains carry,
/// which deployment scripts expect at this address.
pub const CREATE2_DEPLOYER: Address = address!("4e59b44847b379578588920ca78fbf26c0b4956c");
const CREATE2_DEPLOYER_CODE: &str = "7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffe03601600081602082378035828234f58015156039578182fd5b8082525050506014600cf3";

/// The contracts every dev chain of `fork` starts with: the CREATE2 factory and the system
/// contracts the fork calls around every block.
pub fn system_contracts(fork: Fork) -> Vec<(Address, &'static str)> {
    let spec = Spec::of(fork);
    let mut out = vec![(CREATE2_DEPLOYER, CREATE2_DEPLOYER_CODE)];
    if spec.beacon_roots_call {
        out.push((BEACON_ROOTS_ADDRESS, BEACON_ROOTS_CODE));
    }
    if spec.history_call {
        out.push((HISTORY_STORAGE_ADDRESS, HISTORY_STORAGE_CODE));
    }
    if spec.execution_requests {
        out.push((WITHDRAWAL_REQUEST_ADDRESS, WITHDRAWAL_REQUEST_CODE));
        out.push((CONSOLIDATION_REQUEST_ADDRESS, CONSOLIDATION_REQUEST_CODE));
    }
    out
}

/// An account's fields from code bytes: the code hash computed, the code analysed.
pub fn account_info(balance: U256, nonce: u64, code: Bytes) -> AccountInfo {
    if code.is_empty() {
        return AccountInfo {
            balance,
            nonce,
            ..AccountInfo::default()
        };
    }
    AccountInfo {
        balance,
        nonce,
        code_hash: keccak256(&code),
        code: Some(Bytecode::new(code)),
    }
}

/// Adds the contracts of [`system_contracts`] (nonce 1 for the system contracts, as deployed
/// on mainnet) where no account is.
pub fn add_system_contracts(db: &mut InMemoryDb, fork: Fork) {
    for (address, code) in system_contracts(fork) {
        if db.accounts.contains_key(&address) {
            continue;
        }
        let code = Bytes::from(hex::decode(code).expect("constant hex"));
        let nonce = u64::from(address != CREATE2_DEPLOYER);
        db.insert_account(address, account_info(U256::ZERO, nonce, code), []);
    }
}

/// A geth `genesis.json` (the fields a dev chain uses).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GenesisFile {
    /// `config.chainId`.
    #[serde(default)]
    pub config: GenesisChainConfig,
    /// Initial accounts.
    #[serde(default)]
    pub alloc: BTreeMap<Address, GenesisAccount>,
    /// Genesis timestamp.
    #[serde(default, deserialize_with = "crate::params::opt_quantity")]
    pub timestamp: Option<u64>,
    /// Block gas limit.
    #[serde(default, deserialize_with = "crate::params::opt_quantity")]
    pub gas_limit: Option<u64>,
    /// Base fee of the genesis block.
    #[serde(default, deserialize_with = "crate::params::opt_quantity")]
    pub base_fee_per_gas: Option<u64>,
    /// Coinbase.
    #[serde(default)]
    pub coinbase: Option<Address>,
    /// Extra data.
    #[serde(default)]
    pub extra_data: Option<Bytes>,
    /// Mix hash (PREVRANDAO of the genesis).
    #[serde(default)]
    pub mix_hash: Option<B256>,
    /// Proof-of-work difficulty of the genesis.
    #[serde(default)]
    pub difficulty: Option<U256>,
    /// Proof-of-work nonce of the genesis.
    #[serde(default, deserialize_with = "crate::params::opt_quantity")]
    pub nonce: Option<u64>,
    /// Parent hash of the genesis (zero on every real chain).
    #[serde(default)]
    pub parent_hash: Option<B256>,
    /// Number of the genesis (zero on every real chain).
    #[serde(default, deserialize_with = "crate::params::opt_quantity")]
    pub number: Option<u64>,
    /// Excess blob gas of a Cancun genesis.
    #[serde(default, deserialize_with = "crate::params::opt_quantity")]
    pub excess_blob_gas: Option<u64>,
    /// Blob gas used by a Cancun genesis.
    #[serde(default, deserialize_with = "crate::params::opt_quantity")]
    pub blob_gas_used: Option<u64>,
}

/// `config` of a geth genesis file: the chain id and, for a chain loaded with `--import`, the
/// fork schedule (fork blocks and times, the terminal total difficulty, the blob schedule).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GenesisChainConfig {
    /// The chain id.
    #[serde(default)]
    pub chain_id: Option<u64>,
    /// Fork blocks by geth's names (`homesteadBlock`...) and fork times (`shanghaiTime`...),
    /// with every other field of `config`.
    #[serde(flatten)]
    pub rest: BTreeMap<String, serde_json::Value>,
}

/// One account of a genesis `alloc`.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct GenesisAccount {
    /// Balance in wei.
    #[serde(default)]
    pub balance: U256,
    /// Nonce.
    #[serde(default, deserialize_with = "crate::params::opt_quantity")]
    pub nonce: Option<u64>,
    /// Code.
    #[serde(default)]
    pub code: Option<Bytes>,
    /// Storage.
    #[serde(default)]
    pub storage: BTreeMap<U256, U256>,
}

impl GenesisFile {
    /// Reads and parses `path`; the error names the file and the problem.
    pub fn load(path: &Path) -> Result<GenesisFile, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// Puts the `alloc` accounts into `db`.
    pub fn apply(&self, db: &mut InMemoryDb) {
        for (address, account) in &self.alloc {
            let info = account_info(
                account.balance,
                account.nonce.unwrap_or(0),
                account.code.clone().unwrap_or_default(),
            );
            db.insert_account(
                *address,
                info,
                account.storage.iter().map(|(k, v)| (*k, *v)),
            );
        }
    }
}
