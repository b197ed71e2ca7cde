//! Reading JSON-RPC parameters: positional arguments by name, quantities, block tags. A
//! missing or malformed parameter is a -32602 error that names it.

use ember_primitives::B256;
use ember_rpc::RpcError;
use serde::de::{DeserializeOwned, Error as _};
use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// A request's positional parameters.
pub struct Params(Vec<Value>);

impl Params {
    /// The parameters as sent: an array, nothing, or (for one-object methods) an object.
    pub fn new(value: Value) -> Result<Params, RpcError> {
        match value {
            Value::Null => Ok(Params(Vec::new())),
            Value::Array(items) => Ok(Params(items)),
            // By-name parameters are not taken (anvil's answer, in serde's words).
            Value::Object(_) => Err(RpcError::invalid_params(
                "invalid type: map, expected a sequence",
            )),
            other => Err(RpcError::invalid_params(format!(
                "params must be an array, got {other}"
            ))),
        }
    }

    /// How many were sent.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True when none were sent.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Parameter `index`, which must be present.
    pub fn required<T: DeserializeOwned>(&self, index: usize, name: &str) -> Result<T, RpcError> {
        match self.0.get(index) {
            None | Some(Value::Null) => Err(RpcError::invalid_params(format!(
                "missing parameter {index} `{name}`"
            ))),
            Some(v) => parse(v, name),
        }
    }

    /// Parameter `index`, or `None` when absent or null.
    pub fn optional<T: DeserializeOwned>(
        &self,
        index: usize,
        name: &str,
    ) -> Result<Option<T>, RpcError> {
        match self.0.get(index) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => parse(v, name).map(Some),
        }
    }

    /// The raw value of parameter `index`.
    pub fn raw(&self, index: usize) -> Option<&Value> {
        self.0.get(index)
    }
}

/// Parses one parameter, naming it in the error.
pub fn parse<T: DeserializeOwned>(value: &Value, name: &str) -> Result<T, RpcError> {
    T::deserialize(value).map_err(|e| RpcError::invalid_params(format!("{e} (parameter `{name}`)")))
}

/// A quantity as JSON-RPC sends it: `"0x1a"` (decimal strings and numbers are taken too).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Quantity(pub u64);

fn quantity_from_str(s: &str) -> Result<u64, String> {
    if let Some(hex) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        if hex.is_empty() {
            return Err(format!("`{s}` is not a quantity"));
        }
        u64::from_str_radix(hex, 16).map_err(|e| format!("`{s}` is not a 64-bit quantity: {e}"))
    } else {
        s.parse::<u64>()
            .map_err(|e| format!("`{s}` is not a quantity: {e}"))
    }
}

impl<'de> Deserialize<'de> for Quantity {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match Value::deserialize(d)? {
            Value::String(s) => quantity_from_str(&s)
                .map(Quantity)
                .map_err(D::Error::custom),
            Value::Number(n) => n
                .as_u64()
                .map(Quantity)
                .ok_or_else(|| D::Error::custom(format!("{n} is not a 64-bit quantity"))),
            other => Err(D::Error::custom(format!("{other} is not a quantity"))),
        }
    }
}

/// serde `deserialize_with` for an optional 64-bit quantity.
pub fn opt_quantity<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    Ok(Option::<Quantity>::deserialize(d)?.map(|q| q.0))
}

/// A block as a parameter names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BlockId {
    /// A number.
    Number(u64),
    /// `latest`.
    Latest,
    /// `safe`: as anvil, 32 blocks (an epoch) behind the head.
    Safe,
    /// `finalized`: as anvil, 64 blocks (two epochs) behind the head.
    Finalized,
    /// `earliest`: the genesis.
    Earliest,
    /// `pending`: the block the pool would mine next.
    Pending,
    /// A block hash (`{"blockHash": ...}` or a bare 32-byte hash).
    Hash(B256),
}

impl<'de> Deserialize<'de> for BlockId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(d)?;
        block_id_from_value(&value).map_err(D::Error::custom)
    }
}

fn block_id_from_value(value: &Value) -> Result<BlockId, String> {
    match value {
        Value::String(s) => match s.as_str() {
            "latest" => Ok(BlockId::Latest),
            "safe" => Ok(BlockId::Safe),
            "finalized" => Ok(BlockId::Finalized),
            "earliest" => Ok(BlockId::Earliest),
            "pending" => Ok(BlockId::Pending),
            s if s.len() == 66 => s
                .parse::<B256>()
                .map(BlockId::Hash)
                .map_err(|e| format!("`{s}` is not a block hash: {e}")),
            s => quantity_from_str(s)
                .map(BlockId::Number)
                .map_err(|_| format!("`{s}` is not a block number, hash or tag")),
        },
        Value::Number(n) => n
            .as_u64()
            .map(BlockId::Number)
            .ok_or_else(|| format!("{n} is not a block number")),
        Value::Object(map) => {
            if let Some(hash) = map.get("blockHash") {
                let s = hash.as_str().ok_or("blockHash must be a string")?;
                s.parse::<B256>()
                    .map(BlockId::Hash)
                    .map_err(|e| format!("`{s}` is not a block hash: {e}"))
            } else if let Some(number) = map.get("blockNumber") {
                block_id_from_value(number)
            } else {
                Err("a block object needs blockHash or blockNumber".into())
            }
        }
        other => Err(format!("{other} is not a block number, hash or tag")),
    }
}

/// Formats a quantity as `0x`-hex without leading zeros.
pub fn hex_u64(n: u64) -> Value {
    Value::String(format!("{n:#x}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn quantities_and_tags() {
        let p = Params::new(json!(["0x1a", "latest", "0xzz"])).unwrap();
        assert_eq!(p.required::<Quantity>(0, "n").unwrap(), Quantity(26));
        assert_eq!(p.required::<BlockId>(1, "block").unwrap(), BlockId::Latest);
        let err = p.required::<Quantity>(2, "count").unwrap_err();
        assert_eq!(err.code, -32602);
        assert!(err.message.contains("parameter `count`"), "{}", err.message);
        let err = p.required::<Quantity>(3, "missing").unwrap_err();
        assert!(err.message.contains("missing parameter 3 `missing`"));
        assert_eq!(p.optional::<Quantity>(3, "x").unwrap(), None);
    }

    #[test]
    fn block_objects() {
        let h = format!("0x{}", "11".repeat(32));
        assert_eq!(
            parse::<BlockId>(&json!({ "blockHash": h }), "b").unwrap(),
            BlockId::Hash(h.parse().unwrap())
        );
        assert_eq!(
            parse::<BlockId>(&json!({ "blockNumber": "0x5" }), "b").unwrap(),
            BlockId::Number(5)
        );
        assert!(parse::<BlockId>(&json!(true), "b").is_err());
    }
}
