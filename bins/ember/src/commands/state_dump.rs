//! The post-state as geth's `state.Dump` writes it, for `ember run --dump` and
//! `ember statetest --dump`.

use ember_evm::state::storage_root;
use ember_evm::{Address, InMemoryDb, B256, U256};
use serde_json::{json, Map, Value};

/// geth's state dump (`{"root", "accounts": {address: {...}}}`) of `db`.
pub fn dump_json(db: &InMemoryDb) -> Value {
    let mut addresses: Vec<&Address> = db.accounts.keys().collect();
    addresses.sort();
    let mut accounts = Map::new();
    for address in addresses {
        let account = &db.accounts[address];
        let info = &account.info;
        let mut entry = Map::new();
        entry.insert("balance".into(), Value::String(info.balance.to_string()));
        entry.insert("nonce".into(), json!(info.nonce));
        entry.insert(
            "root".into(),
            Value::String(storage_root(account.storage.iter()).to_string()),
        );
        entry.insert("codeHash".into(), Value::String(info.code_hash.to_string()));
        if let Some(code) = info.code.as_ref().filter(|c| !c.is_empty()) {
            entry.insert("code".into(), Value::String(code.original().to_string()));
        }
        if !account.storage.is_empty() {
            let mut slots: Vec<(&U256, &U256)> = account.storage.iter().collect();
            slots.sort();
            let storage: Map<String, Value> = slots
                .into_iter()
                .map(|(k, v)| {
                    // geth: the slot's RLP content in hex, without 0x.
                    let bytes = v.to_be_bytes::<32>();
                    let first = bytes.iter().position(|b| *b != 0).unwrap_or(31);
                    let value = ember_evm::hex::encode(&bytes[first..]);
                    (B256::from(*k).to_string(), Value::String(value))
                })
                .collect();
            entry.insert("storage".into(), Value::Object(storage));
        }
        let address = format!("0x{}", ember_evm::hex::encode(address));
        entry.insert("address".into(), Value::String(address.clone()));
        accounts.insert(address, Value::Object(entry));
    }
    json!({ "root": db.state_root().to_string(), "accounts": accounts })
}
