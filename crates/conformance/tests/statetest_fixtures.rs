//! Loads every state-test fixture of both suites and checks the counts and the derived
//! transactions against what the fixtures themselves encode (`txbytes`, `sender`, `signer`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use ember_conformance::{collect_files, load, sign, Case};
use ember_primitives::hex_parse as hex;
use ember_primitives::{Fork, TxType};
use rayon::prelude::*;
use serde_json::Value;

fn fixtures(sub: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../target/fixtures")
        .join(sub);
    assert!(
        dir.is_dir(),
        "{} is missing: run ../shared/fixtures/unpack from the workspace root",
        dir.display()
    );
    dir
}

#[derive(Default)]
struct Tally {
    files: usize,
    cases: usize,
    skipped: usize,
    per_fork: BTreeMap<Fork, usize>,
    invalid_txs: usize,
    typed: BTreeMap<u8, usize>,
    errors: Vec<String>,
}

impl Tally {
    fn add(mut self, other: Tally) -> Tally {
        self.files += other.files;
        self.cases += other.cases;
        self.skipped += other.skipped;
        for (f, n) in other.per_fork {
            *self.per_fork.entry(f).or_default() += n;
        }
        for (t, n) in other.typed {
            *self.typed.entry(t).or_default() += n;
        }
        self.invalid_txs += other.invalid_txs;
        self.errors.extend(other.errors);
        self
    }
}

/// The envelope type a signed transaction's first byte announces.
fn type_of_tx_bytes(bytes: &[u8]) -> Option<TxType> {
    Some(match *bytes.first()? {
        0xc0.. => TxType::Legacy,
        1 => TxType::AccessList,
        2 => TxType::FeeMarket,
        3 => TxType::Blob,
        4 => TxType::SetCode,
        _ => return None,
    })
}

fn check_case(case: &Case, errors: &mut Vec<String>) {
    let here = || {
        format!(
            "{} {} {}[{}]",
            case.file.display(),
            case.name,
            case.fork,
            case.index
        )
    };
    match &case.tx {
        Ok(tx) => {
            if let Some(bytes) = &case.tx_bytes {
                let want = type_of_tx_bytes(bytes);
                if want != Some(tx.tx_type) {
                    errors.push(format!(
                        "{}: type {:?}, txbytes say {want:?}",
                        here(),
                        tx.tx_type
                    ));
                }
            }
        }
        Err(reason) => {
            if case.expect_exception.is_none() {
                errors.push(format!(
                    "{}: invalid tx ({reason}) without expectException",
                    here()
                ));
            }
        }
    }
}

/// Cross-checks against the raw JSON: `sender` is the `secretKey`'s address, and every
/// recovered EIP-7702 authority equals the fixture's `signer`.
fn check_raw(path: &Path, errors: &mut Vec<String>) {
    let raw: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    for (name, test) in raw.as_object().unwrap() {
        let tx = &test["transaction"];
        let key = hex::parse_b256(tx["secretKey"].as_str().unwrap()).unwrap();
        let sender = hex::parse_address(tx["sender"].as_str().unwrap()).unwrap();
        if sign::address_from_secret_key(&key) != Ok(sender) {
            errors.push(format!(
                "{}: {name}: secretKey does not sign as sender",
                path.display()
            ));
        }
        let Some(auths) = tx.get("authorizationList").and_then(Value::as_array) else {
            continue;
        };
        for (i, a) in auths.iter().enumerate() {
            let q = |k: &str| hex::parse_u256(a[k].as_str().unwrap());
            let (Ok(chain_id), Ok(nonce), Ok(y), Ok(r), Ok(s)) = (
                q("chainId"),
                hex::parse_u64(a["nonce"].as_str().unwrap()),
                q("yParity"),
                q("r"),
                q("s"),
            ) else {
                continue;
            };
            let address = hex::parse_address(a["address"].as_str().unwrap()).unwrap();
            let got = sign::recover_authority(chain_id, address, nonce, y, r, s);
            let want = a
                .get("signer")
                .map(|s| hex::parse_address(s.as_str().unwrap()).unwrap());
            // A fixture may name the signer of a high-s signature, which EIP-7702 rejects.
            let half_n = ember_primitives::U256::from_be_bytes(
                ember_primitives::b256!(
                    "7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0"
                )
                .0,
            );
            let high_s = s > half_n;
            if got != want && !(got.is_none() && high_s) {
                errors.push(format!(
                    "{}: {name}: authorizationList[{i}] recovers {got:?}, signer {want:?}",
                    path.display()
                ));
            }
        }
    }
}

fn load_all(dir: &Path) -> Tally {
    let files = collect_files(dir).expect("collect fixture files");
    files
        .par_iter()
        .map(|path| {
            let mut t = Tally {
                files: 1,
                ..Tally::default()
            };
            match load(path) {
                Ok(loaded) => {
                    t.cases = loaded.cases.len();
                    t.skipped = loaded.skipped.iter().map(|s| s.cases).sum();
                    for case in &loaded.cases {
                        *t.per_fork.entry(case.fork).or_default() += 1;
                        match &case.tx {
                            Ok(tx) => *t.typed.entry(tx.tx_type as u8).or_default() += 1,
                            Err(_) => t.invalid_txs += 1,
                        }
                        check_case(case, &mut t.errors);
                    }
                    check_raw(path, &mut t.errors);
                }
                Err(e) => t.errors.push(e.to_string()),
            }
            t
        })
        .reduce(Tally::default, Tally::add)
}

fn report(suite: &str, t: &Tally) {
    println!(
        "{suite}: {} files, {} cases, {} skipped, {} invalid txs",
        t.files, t.cases, t.skipped, t.invalid_txs
    );
    for (fork, n) in &t.per_fork {
        println!("  {fork:<18} {n}");
    }
    println!("  tx types {:?}", t.typed);
    for e in t.errors.iter().take(20) {
        println!("  ERROR {e}");
    }
}

#[test]
fn general_state_tests_load() {
    let t = load_all(&fixtures("ethereum-tests/GeneralStateTests"));
    report("GeneralStateTests", &t);
    assert!(
        t.errors.is_empty(),
        "{} errors, first: {}",
        t.errors.len(),
        t.errors[0]
    );
    assert_eq!(t.files, 2_815);
    assert_eq!(t.cases, 102_989);
    assert_eq!(t.skipped, 0);
    let early: usize = t.per_fork.range(..=Fork::Petersburg).map(|(_, n)| n).sum();
    assert_eq!(early, 1_690, "Frontier..ConstantinopleFix cases");
    // ValueOverflow and ValueOverflowParis: a value of 257 bits
    assert!(t.invalid_txs > 0);
}

#[test]
fn execution_spec_state_tests_load() {
    let t = load_all(&fixtures("execution-spec-tests/state_tests"));
    report("execution-spec-tests state_tests", &t);
    assert!(
        t.errors.is_empty(),
        "{} errors, first: {}",
        t.errors.len(),
        t.errors[0]
    );
    assert_eq!(t.files, 2_647);
    assert_eq!(t.cases, 22_382);
    assert_eq!(t.skipped, 0);
    let up_to_cancun: usize = t.per_fork.range(..=Fork::Cancun).map(|(_, n)| n).sum();
    assert_eq!(up_to_cancun, 12_463);
    assert_eq!(t.per_fork.get(&Fork::Prague), Some(&9_919));
}
