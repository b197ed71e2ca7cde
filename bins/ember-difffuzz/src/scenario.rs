//! A generated case ([`Scenario`]): fork, block, pre-state accounts with generated code, and
//! one transaction. It turns into an [`ember_conformance::Case`] to run and into a
//! GeneralStateTests JSON file that `ember statetest` and `ethereum-spec-evm statetest` load.

use crate::program::{Code, Program};
use ember_conformance::{Case, Filler, PreAccount};
use ember_evm::primitives::Authorization;
use ember_evm::{
    address, b256, hex, keccak256, AccessListItem, Address, BlockEnv, Bytes, Fork, Spec, TxEnv,
    TxKind, TxType, B256, U256,
};
use serde_json::{json, Map, Value};
use std::path::PathBuf;
use std::sync::Arc;

/// The secret key that signs every generated transaction (the ethereum/tests default).
pub const SECRET_KEY: B256 =
    b256!("45a915e4d060149eb4365960e6a7a45f334393093061116b197e3240065ff2d8");
/// The address of [`SECRET_KEY`]: the sender of every generated transaction.
pub const SENDER: Address = address!("a94f5374fce5edbc8e2a8697c15331677e6ebf0b");
/// The block's coinbase.
pub const COINBASE: Address = address!("2adc25665018aa1fe0e6bc666dac8fc2697ff9ba");
/// The chain id (the execution specs' state-test runner signs for chain 1 only).
pub const CHAIN_ID: u64 = 1;

/// A pre-state account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GenAccount {
    /// Its address.
    pub address: Address,
    /// Balance in wei.
    pub balance: U256,
    /// Nonce.
    pub nonce: u64,
    /// Code (an empty raw code for an externally owned account).
    pub code: Code,
    /// Storage slots (non-zero values).
    pub storage: Vec<(U256, U256)>,
}

/// The block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GenEnv {
    /// Block number.
    pub number: u64,
    /// Timestamp.
    pub timestamp: u64,
    /// Block gas limit.
    pub gas_limit: u64,
    /// Base fee (written and used from London on).
    pub base_fee: u64,
    /// Difficulty (written and used before Paris).
    pub difficulty: U256,
    /// PREVRANDAO (written and used from Paris on).
    pub random: B256,
    /// Excess blob gas (written and used from Cancun on).
    pub excess_blob_gas: u64,
    /// Whether the coinbase exists in the pre-state (it is then an empty account).
    pub coinbase_exists: bool,
}

/// The transaction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GenTx {
    /// Envelope type.
    pub tx_type: TxType,
    /// Callee, `None` for a creation.
    pub to: Option<Address>,
    /// Calldata or initcode.
    pub data: Code,
    /// Gas limit.
    pub gas_limit: u64,
    /// Value.
    pub value: U256,
    /// Nonce.
    pub nonce: u64,
    /// Gas price (legacy, access list) or max fee per gas (fee market, blob).
    pub gas_price: U256,
    /// Max priority fee (fee market, blob).
    pub priority_fee: Option<U256>,
    /// Access list (typed transactions).
    pub access_list: Vec<AccessListItem>,
    /// Blob versioned hashes (blob transactions).
    pub blob_hashes: Vec<B256>,
    /// Max fee per blob gas (blob transactions).
    pub max_fee_per_blob_gas: U256,
    /// Signed EIP-7702 authorizations (set-code transactions).
    pub authorizations: Vec<GenAuth>,
}

/// A signed EIP-7702 authorization tuple.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GenAuth {
    /// Chain id (0: any).
    pub chain_id: U256,
    /// The code to delegate to.
    pub address: Address,
    /// The authority's nonce it consumes.
    pub nonce: u64,
    /// Signature parity.
    pub y_parity: U256,
    /// Signature r.
    pub r: U256,
    /// Signature s.
    pub s: U256,
}

impl GenAuth {
    /// The tuple as Ember's fixture loader builds it (the authority recovered).
    pub fn to_authorization(&self) -> Authorization {
        Authorization {
            chain_id: self.chain_id,
            address: self.address,
            nonce: self.nonce,
            y_parity: self.y_parity,
            r: self.r,
            s: self.s,
            authority: ember_conformance::sign::recover_authority(
                self.chain_id,
                self.address,
                self.nonce,
                self.y_parity,
                self.r,
                self.s,
            ),
        }
    }
}

/// One generated case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scenario {
    /// The run's seed.
    pub seed: u64,
    /// The case's index in the run.
    pub index: u64,
    /// The fork.
    pub fork: Fork,
    /// The block.
    pub env: GenEnv,
    /// The pre-state.
    pub accounts: Vec<GenAccount>,
    /// The transaction.
    pub tx: GenTx,
}

/// `0x`-prefixed minimal hex of a quantity.
pub fn qty(v: U256) -> String {
    format!("{v:#x}")
}

/// `0x`-prefixed minimal hex of a 64-bit quantity.
pub fn qty64(v: u64) -> String {
    format!("{v:#x}")
}

/// `0x`-prefixed hex of bytes.
pub fn hexb(b: &[u8]) -> String {
    format!("0x{}", hex::encode(b))
}

impl Scenario {
    /// The case's name in files and messages.
    pub fn name(&self) -> String {
        format!("difffuzz_{}_{}_{}", self.seed, self.index, self.fork)
    }

    /// The block environment exactly as Ember's fixture loader builds it from [`Self::to_json`].
    pub fn block(&self) -> BlockEnv {
        let e = &self.env;
        let spec = Spec::of(self.fork);
        BlockEnv {
            number: e.number,
            coinbase: COINBASE,
            timestamp: e.timestamp,
            gas_limit: e.gas_limit,
            base_fee: if spec.tx_fee_market {
                U256::from(e.base_fee)
            } else {
                U256::ZERO
            },
            difficulty: if !spec.prevrandao {
                e.difficulty
            } else {
                U256::ZERO
            },
            prevrandao: spec.prevrandao.then_some(e.random),
            excess_blob_gas: spec.blobs.is_some().then_some(e.excess_blob_gas),
            blob_params: None,
            extension: Default::default(),
        }
    }

    /// The pre-state, code assembled; empty accounts are left out from Paris on.
    pub fn pre(&self) -> Vec<(Address, PreAccount)> {
        let mut pre: Vec<(Address, PreAccount)> = self
            .accounts
            .iter()
            .map(|a| {
                (
                    a.address,
                    PreAccount {
                        balance: a.balance,
                        nonce: a.nonce,
                        code: a.code.assemble().into(),
                        storage: a.storage.clone(),
                    },
                )
            })
            .collect();
        if self.env.coinbase_exists && !pre.iter().any(|(a, _)| *a == COINBASE) {
            pre.push((COINBASE, PreAccount::default()));
        }
        if Spec::of(self.fork).proof_of_stake {
            // The execution specs refuse empty accounts in a proof-of-stake pre-state (and
            // since EIP-161 an empty account behaves as a missing one).
            pre.retain(|(_, a)| !(a.balance.is_zero() && a.nonce == 0 && a.code.is_empty()));
        }
        pre
    }

    /// The transaction as Ember's fixture loader builds it from [`Self::to_json`].
    pub fn tx_env(&self) -> TxEnv {
        let t = &self.tx;
        TxEnv {
            tx_type: t.tx_type,
            caller: SENDER,
            gas_limit: t.gas_limit,
            gas_price: t.gas_price,
            gas_priority_fee: t.priority_fee,
            kind: match t.to {
                Some(a) => TxKind::Call(a),
                None => TxKind::Create,
            },
            value: t.value,
            data: Bytes::from(t.data.assemble()),
            nonce: t.nonce,
            chain_id: (t.tx_type != TxType::Legacy).then_some(CHAIN_ID),
            access_list: t.access_list.clone(),
            blob_hashes: t.blob_hashes.clone(),
            max_fee_per_blob_gas: t.max_fee_per_blob_gas,
            authorization_list: t
                .authorizations
                .iter()
                .map(GenAuth::to_authorization)
                .collect(),
        }
    }

    /// The executable case.
    pub fn to_case(&self) -> Case {
        Case {
            file: Arc::new(PathBuf::from(format!("{}.json", self.name()))),
            name: self.name(),
            fork: self.fork,
            index: 0,
            indexes: (0, 0, 0),
            pre: Arc::new(self.pre()),
            block: self.block(),
            chain_id: CHAIN_ID,
            tx: Ok(self.tx_env()),
            tx_bytes: None,
            expected_root: B256::ZERO,
            expected_logs: B256::ZERO,
            expect_exception: None,
            filler: Filler::ExecutionSpecs,
        }
    }

    /// The GeneralStateTests JSON of this case, one fork, one post entry with `hash` and
    /// `logs` as given (`expect_exception` for a transaction to reject), and `info` as `_info`.
    pub fn to_json(
        &self,
        hash: B256,
        logs: B256,
        expect_exception: Option<&str>,
        info: Value,
    ) -> Value {
        let e = &self.env;
        let mut env = Map::new();
        env.insert("currentCoinbase".into(), json!(COINBASE.to_string()));
        env.insert("currentGasLimit".into(), json!(qty64(e.gas_limit)));
        env.insert("currentNumber".into(), json!(qty64(e.number)));
        env.insert("currentTimestamp".into(), json!(qty64(e.timestamp)));
        // The spec's runner answers BLOCKHASH from `previousHash` as block 0's hash; Ember
        // and revm answer keccak256 of the decimal number. With block 1 they agree.
        env.insert(
            "previousHash".into(),
            json!(keccak256(e.number.saturating_sub(1).to_string()).to_string()),
        );
        let spec = Spec::of(self.fork);
        if !spec.prevrandao {
            env.insert("currentDifficulty".into(), json!(qty(e.difficulty)));
        } else {
            env.insert("currentRandom".into(), json!(e.random.to_string()));
            env.insert("currentDifficulty".into(), json!("0x00"));
        }
        if spec.tx_fee_market {
            env.insert("currentBaseFee".into(), json!(qty64(e.base_fee)));
        }
        if spec.blobs.is_some() {
            env.insert(
                "currentExcessBlobGas".into(),
                json!(qty64(e.excess_blob_gas)),
            );
        }

        let mut pre = Map::new();
        for (address, account) in self.pre() {
            let storage: Map<String, Value> = account
                .storage
                .iter()
                .map(|(k, v)| (qty(*k), json!(qty(*v))))
                .collect();
            pre.insert(
                address.to_string().to_lowercase(),
                json!({
                    "balance": qty(account.balance),
                    "nonce": qty64(account.nonce),
                    "code": hexb(&account.code),
                    "storage": storage,
                }),
            );
        }

        let t = &self.tx;
        let mut tx = Map::new();
        tx.insert("data".into(), json!([hexb(&t.data.assemble())]));
        tx.insert("gasLimit".into(), json!([qty64(t.gas_limit)]));
        tx.insert("value".into(), json!([qty(t.value)]));
        tx.insert("nonce".into(), json!(qty64(t.nonce)));
        tx.insert("secretKey".into(), json!(SECRET_KEY.to_string()));
        tx.insert("sender".into(), json!(SENDER.to_string().to_lowercase()));
        tx.insert(
            "to".into(),
            json!(t
                .to
                .map(|a| a.to_string().to_lowercase())
                .unwrap_or_default()),
        );
        match t.tx_type {
            TxType::Legacy | TxType::AccessList => {
                tx.insert("gasPrice".into(), json!(qty(t.gas_price)));
            }
            _ => {
                tx.insert("maxFeePerGas".into(), json!(qty(t.gas_price)));
                tx.insert(
                    "maxPriorityFeePerGas".into(),
                    json!(qty(t.priority_fee.unwrap_or_default())),
                );
            }
        }
        if t.tx_type != TxType::Legacy {
            let list: Vec<Value> = t
                .access_list
                .iter()
                .map(|item| {
                    json!({
                        "address": item.address.to_string().to_lowercase(),
                        "storageKeys": item.storage_keys.iter().map(|k| k.to_string()).collect::<Vec<_>>(),
                    })
                })
                .collect();
            tx.insert("accessLists".into(), json!([list]));
        }
        if t.tx_type == TxType::Blob {
            tx.insert(
                "blobVersionedHashes".into(),
                json!(t
                    .blob_hashes
                    .iter()
                    .map(|h| h.to_string())
                    .collect::<Vec<_>>()),
            );
            tx.insert(
                "maxFeePerBlobGas".into(),
                json!(qty(t.max_fee_per_blob_gas)),
            );
        }

        if t.tx_type == TxType::SetCode {
            let list: Vec<Value> = t
                .authorizations
                .iter()
                .map(|a| {
                    json!({
                        "chainId": qty(a.chain_id),
                        "address": a.address.to_string().to_lowercase(),
                        "nonce": qty64(a.nonce),
                        "v": qty(a.y_parity),
                        "yParity": qty(a.y_parity),
                        "r": qty(a.r),
                        "s": qty(a.s),
                    })
                })
                .collect();
            tx.insert("authorizationList".into(), json!(list));
        }

        let mut post = json!({
            "hash": hash.to_string(),
            "logs": logs.to_string(),
            "indexes": {"data": 0, "gas": 0, "value": 0},
        });
        if let Some(e) = expect_exception {
            post["expectException"] = json!(e);
        }
        let mut test = Map::new();
        test.insert("_info".into(), info);
        test.insert("env".into(), Value::Object(env));
        test.insert("pre".into(), Value::Object(pre));
        test.insert("transaction".into(), Value::Object(tx));
        test.insert("post".into(), json!({ self.fork.fixture_name(): [post] }));
        let mut file = Map::new();
        file.insert(self.name(), Value::Object(test));
        Value::Object(file)
    }

    /// Every program of the case: account code, then the transaction's data.
    fn programs_mut(&mut self) -> Vec<&mut Program> {
        let mut out = Vec::new();
        for a in &mut self.accounts {
            if let Code::Program(p) = &mut a.code {
                out.push(p);
            }
        }
        if let Code::Program(p) = &mut self.tx.data {
            out.push(p);
        }
        out
    }

    /// The number of fragments in all programs (see [`Self::remove_fragment`]).
    pub fn fragment_count(&mut self) -> usize {
        self.programs_mut().iter().map(|p| p.count()).sum()
    }

    /// Removes the `n`-th fragment counting across all programs; false when out of range.
    pub fn remove_fragment(&mut self, mut n: usize) -> bool {
        for p in self.programs_mut() {
            match p.remove_nth(n) {
                Ok(()) => return true,
                Err(rest) => n = rest,
            }
        }
        false
    }
}
