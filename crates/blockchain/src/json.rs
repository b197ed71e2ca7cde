//! JSON helpers shared by the fixture runners (blockchain tests, t8n) and the dev node's
//! state files: quantities (hex or decimal), byte strings, and account maps (`pre`,
//! `postState`, `alloc`).

use std::collections::{BTreeMap, HashMap};

use ember_evm::state::AccountInfo;
use ember_evm::Bytecode;
use ember_primitives::hex_parse;
use ember_primitives::{Address, Bytes, B256, U256};
use serde_json::{Map, Value};

/// An account of an allocation.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct AllocAccount {
    /// Balance in wei.
    pub balance: U256,
    /// Nonce.
    pub nonce: u64,
    /// Code.
    pub code: Bytes,
    /// Storage (zero values dropped).
    pub storage: BTreeMap<U256, U256>,
}

impl AllocAccount {
    /// The account as the executor's fields and storage.
    pub fn to_state(&self) -> (AccountInfo, HashMap<U256, U256>) {
        let info =
            AccountInfo::with_code(self.balance, self.nonce, Bytecode::new(self.code.clone()));
        let storage = self
            .storage
            .iter()
            .filter(|(_, v)| !v.is_zero())
            .map(|(k, v)| (*k, *v))
            .collect();
        (info, storage)
    }
}

/// An allocation: accounts by address, sorted.
pub type Alloc = BTreeMap<Address, AllocAccount>;

/// A JSON value as a string, or an error naming `what`.
pub fn as_str<'a>(v: &'a Value, what: &str) -> Result<&'a str, String> {
    v.as_str()
        .ok_or_else(|| format!("{what}: expected a string, got {v}"))
}

/// A 256-bit quantity: `0x` hex, or decimal digits, or a JSON number.
pub fn quantity(v: &Value, what: &str) -> Result<U256, String> {
    if let Some(n) = v.as_u64() {
        return Ok(U256::from(n));
    }
    let s = as_str(v, what)?;
    if s.starts_with("0x") || s.starts_with("0X") {
        hex_parse::parse_u256(s).map_err(|e| format!("{what}: {e}"))
    } else {
        U256::from_str_radix(s, 10).map_err(|_| format!("{what}: invalid number `{s}`"))
    }
}

/// A 64-bit quantity: `0x` hex, decimal digits, or a JSON number.
pub fn quantity_u64(v: &Value, what: &str) -> Result<u64, String> {
    let n = quantity(v, what)?;
    u64::try_from(n).map_err(|_| format!("{what}: {n} does not fit in 64 bits"))
}

/// A `0x` byte string.
pub fn bytes(v: &Value, what: &str) -> Result<Bytes, String> {
    hex_parse::parse_bytes(as_str(v, what)?).map_err(|e| format!("{what}: {e}"))
}

/// A 20-byte address.
pub fn address(v: &Value, what: &str) -> Result<Address, String> {
    hex_parse::parse_address(as_str(v, what)?).map_err(|e| format!("{what}: {e}"))
}

/// A 32-byte hash.
pub fn b256(v: &Value, what: &str) -> Result<B256, String> {
    hex_parse::parse_b256(as_str(v, what)?).map_err(|e| format!("{what}: {e}"))
}

/// A 32-byte word written as a hash or as a quantity.
pub fn word(v: &Value, what: &str) -> Result<B256, String> {
    quantity(v, what).map(B256::from)
}

/// The object of a JSON value.
pub fn object<'a>(v: &'a Value, what: &str) -> Result<&'a Map<String, Value>, String> {
    v.as_object()
        .ok_or_else(|| format!("{what}: expected an object"))
}

/// Parses an allocation object `{address: {balance, nonce, code, storage}}`; every field
/// of an account is optional.
pub fn parse_alloc(v: &Value, what: &str) -> Result<Alloc, String> {
    let mut alloc = Alloc::new();
    for (addr, account) in object(v, what)? {
        let address = hex_parse::parse_address(addr).map_err(|e| format!("{what}: {e}"))?;
        let ctx = format!("{what}.{addr}");
        let fields = object(account, &ctx)?;
        let mut acc = AllocAccount::default();
        if let Some(b) = fields.get("balance") {
            acc.balance = quantity(b, &format!("{ctx}.balance"))?;
        }
        if let Some(n) = fields.get("nonce") {
            acc.nonce = quantity_u64(n, &format!("{ctx}.nonce"))?;
        }
        if let Some(c) = fields.get("code") {
            acc.code = bytes(c, &format!("{ctx}.code"))?;
        }
        if let Some(s) = fields.get("storage") {
            for (key, value) in object(s, &format!("{ctx}.storage"))? {
                let k = quantity(&Value::String(key.clone()), &format!("{ctx}.storage key"))?;
                let v = quantity(value, &format!("{ctx}.storage[{key}]"))?;
                if !v.is_zero() {
                    acc.storage.insert(k, v);
                }
            }
        }
        alloc.insert(address, acc);
    }
    Ok(alloc)
}

/// Hex of a quantity, `0x0` for zero (geth's `HexOrDecimal` / `hexutil.Big` style).
pub fn hex_quantity(n: U256) -> String {
    format!("{n:#x}")
}

/// Hex of bytes with `0x`.
pub fn hex_bytes(b: &[u8]) -> String {
    format!("0x{}", ember_primitives::hex::encode(b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn quantities() {
        assert_eq!(quantity(&json!("0x10"), "x"), Ok(U256::from(16)));
        assert_eq!(quantity(&json!("16"), "x"), Ok(U256::from(16)));
        assert_eq!(quantity(&json!(16), "x"), Ok(U256::from(16)));
        assert!(quantity(&json!("zz"), "x").is_err());
        assert!(quantity(&json!([]), "x").is_err());
        assert!(quantity_u64(&json!("0x10000000000000000"), "x").is_err());
        assert_eq!(hex_quantity(U256::ZERO), "0x0");
    }

    #[test]
    fn alloc() {
        let a = parse_alloc(
            &json!({"0x1000000000000000000000000000000000000001": {
                "balance": "0x0a", "storage": {"0x01": "0x02", "0x03": "0x00"}}}),
            "alloc",
        )
        .unwrap();
        let acc = a.values().next().unwrap();
        assert_eq!(acc.balance, U256::from(10));
        assert_eq!(acc.storage.len(), 1);
        assert!(parse_alloc(&json!({"0x12": {}}), "alloc").is_err());
        assert!(parse_alloc(&json!([]), "alloc").is_err());
    }
}
