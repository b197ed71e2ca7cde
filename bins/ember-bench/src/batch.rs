//! Block-sized batches: a fixture whose test carries a `batch` key, a list of transactions
//! run one after another on one EVM, each committed, with receipts built (no state root).
//! `bench/generate.js` writes them; `bench/README.md` describes the format.

use ember_evm::{Address, Bytes, TxEnv, TxKind, TxType, U256};
use serde_json::Value;
use std::path::Path;

/// The `batch` of the test named `test` in the fixture at `path`, as transactions; `None`
/// when the test has no batch.
pub fn load(path: &Path, test: &str, chain_id: u64) -> Result<Option<Vec<TxEnv>>, String> {
    let text = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let doc: Value =
        serde_json::from_slice(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    let Some(batch) = doc.get(test).and_then(|t| t.get("batch")) else {
        return Ok(None);
    };
    let entries = batch
        .as_array()
        .ok_or_else(|| format!("{}: {test}.batch is not a list", path.display()))?;
    if entries.is_empty() {
        return Err(format!("{}: {test}.batch is empty", path.display()));
    }
    entries
        .iter()
        .enumerate()
        .map(|(i, entry)| {
            transaction(entry, chain_id)
                .map_err(|e| format!("{}: {test}.batch[{i}]: {e}", path.display()))
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

/// One batch entry: `{from, to, nonce, gasPrice, gasLimit, value, data}`, hex strings, a
/// legacy transaction (EIP-155, `chain_id`) sent by `from` without a signature.
fn transaction(entry: &Value, chain_id: u64) -> Result<TxEnv, String> {
    let field = |name: &str| -> Result<&str, String> {
        entry
            .get(name)
            .and_then(Value::as_str)
            .ok_or_else(|| format!("missing string field `{name}`"))
    };
    let address = |name: &str| -> Result<Address, String> {
        field(name)?
            .parse()
            .map_err(|e| format!("`{name}`: not an address ({e})"))
    };
    let number = |name: &str| -> Result<U256, String> {
        let text = field(name)?;
        let digits = text
            .strip_prefix("0x")
            .ok_or_else(|| format!("`{name}`: {text:?} is not 0x-prefixed hex"))?;
        U256::from_str_radix(digits, 16).map_err(|e| format!("`{name}`: {e}"))
    };
    let small = |name: &str| -> Result<u64, String> {
        u64::try_from(number(name)?).map_err(|_| format!("`{name}` does not fit 64 bits"))
    };
    let data: Bytes = field("data")?
        .parse()
        .map_err(|e| format!("`data`: not hex ({e})"))?;
    Ok(TxEnv {
        tx_type: TxType::Legacy,
        caller: address("from")?,
        gas_limit: small("gasLimit")?,
        gas_price: number("gasPrice")?,
        kind: TxKind::Call(address("to")?),
        value: number("value")?,
        data,
        nonce: small("nonce")?,
        chain_id: Some(chain_id),
        ..TxEnv::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn an_entry_becomes_a_legacy_call() {
        let entry = json!({
            "from": "0x3000000000000000000000000000000000000001", "to": "0x1000000000000000000000000000000000000003",
            "nonce": "0x02", "gasPrice": "0x0a", "gasLimit": "0x5208", "value": "0x01", "data": "0xa9059cbb"
        });
        let tx = transaction(&entry, 1).unwrap();
        assert_eq!(tx.nonce, 2);
        assert_eq!(tx.gas_limit, 21_000);
        assert_eq!(tx.gas_price, U256::from(10));
        assert_eq!(tx.value, U256::from(1));
        assert_eq!(tx.data.as_ref(), [0xa9, 0x05, 0x9c, 0xbb]);
        assert_eq!(tx.chain_id, Some(1));
        assert!(matches!(tx.kind, TxKind::Call(to) if to.0[0] == 0x10));
    }

    #[test]
    fn bad_entries_are_errors_not_panics() {
        let missing = json!({"from": "0x3000000000000000000000000000000000000001"});
        assert!(transaction(&missing, 1).unwrap_err().contains("missing"));
        let bad = json!({
            "from": "0x30", "to": "0x1000000000000000000000000000000000000003",
            "nonce": "0x0", "gasPrice": "0x0a", "gasLimit": "0x5208", "value": "0x0", "data": "0x"
        });
        assert!(transaction(&bad, 1).unwrap_err().contains("from"));
        let wide = json!({
            "from": "0x3000000000000000000000000000000000000001", "to": "0x1000000000000000000000000000000000000003",
            "nonce": "0x10000000000000000", "gasPrice": "0x0a", "gasLimit": "0x5208", "value": "0x0", "data": "0x"
        });
        assert!(transaction(&wide, 1).unwrap_err().contains("64 bits"));
    }

    /// The committed batch fixture loads: 200 transactions from four senders.
    #[test]
    fn the_committed_batch_loads() {
        let path =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../bench/fixtures/batch_small_txs.json");
        let txs = load(&path, "batch_small_txs", 1).unwrap().expect("a batch");
        assert_eq!(txs.len(), 200);
        let senders: std::collections::HashSet<_> = txs.iter().map(|t| t.caller).collect();
        assert_eq!(senders.len(), 4);
        let other = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../bench/fixtures/tx_swap.json");
        assert!(load(&other, "tx_swap", 1).unwrap().is_none());
    }
}
