//! JSON-RPC 2.0 framing, independent of the transport: parsing a body into calls, checking
//! each request object, and writing the responses.

use std::panic::{catch_unwind, AssertUnwindSafe};

use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;
use serde_json::Value;

use crate::{RpcError, RpcService};

/// One response object: `{"jsonrpc":"2.0","id":..,"result":..}` or `..,"error":{..}}`.
#[derive(Debug)]
pub(crate) struct Output {
    pub(crate) id: Value,
    pub(crate) result: Result<Value, RpcError>,
}

impl Serialize for Output {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(3))?;
        map.serialize_entry("jsonrpc", "2.0")?;
        map.serialize_entry("id", &self.id)?;
        match &self.result {
            Ok(value) => map.serialize_entry("result", value)?,
            Err(error) => map.serialize_entry("error", &ErrorObject(error))?,
        }
        map.end()
    }
}

/// An [`RpcError`] as the `error` member: `code`, `message` and `data` when present.
struct ErrorObject<'a>(&'a RpcError);

impl Serialize for ErrorObject<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let error = self.0;
        let mut map = serializer.serialize_map(Some(2 + usize::from(error.data.is_some())))?;
        map.serialize_entry("code", &error.code)?;
        map.serialize_entry("message", &error.message)?;
        if let Some(data) = &error.data {
            map.serialize_entry("data", data)?;
        }
        map.end()
    }
}

/// An `eth_subscription` notification.
pub(crate) fn notification(subscription: &str, result: &Value) -> String {
    struct Params<'a>(&'a str, &'a Value);
    impl Serialize for Params<'_> {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            let mut map = serializer.serialize_map(Some(2))?;
            map.serialize_entry("subscription", self.0)?;
            map.serialize_entry("result", self.1)?;
            map.end()
        }
    }
    struct Note<'a>(Params<'a>);
    impl Serialize for Note<'_> {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            let mut map = serializer.serialize_map(Some(3))?;
            map.serialize_entry("jsonrpc", "2.0")?;
            map.serialize_entry("method", "eth_subscription")?;
            map.serialize_entry("params", &self.0)?;
            map.end()
        }
    }
    to_json(&Note(Params(subscription, result)))
}

/// Serializes a response. Values built from JSON always serialize, so the fallback (a
/// -32603 error object) is never expected to be used.
pub(crate) fn to_json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|e| {
        let fallback = Output {
            id: Value::Null,
            result: Err(RpcError::internal(format!("serialize: {e}"))),
        };
        serde_json::to_string(&fallback).unwrap_or_default()
    })
}

/// A response body for an error that has no request id (parse errors, oversize bodies).
pub(crate) fn error_body(error: RpcError) -> String {
    to_json(&Output {
        id: Value::Null,
        result: Err(error),
    })
}

/// A parsed body: its request items, and whether they came as a batch array.
pub(crate) struct Parsed {
    items: Vec<Value>,
    batch: bool,
}

impl Parsed {
    /// The `method` of every item that has a string one.
    pub(crate) fn methods(&self) -> impl Iterator<Item = &str> {
        self.items
            .iter()
            .filter_map(|item| item.get("method").and_then(Value::as_str))
    }
}

/// Parses one HTTP body or WebSocket message: a request object or a batch array. `Err` is
/// the response to send instead: a parse error, or an empty batch.
pub(crate) fn parse(body: &[u8]) -> Result<Parsed, String> {
    match serde_json::from_slice(body) {
        Ok(Value::Array(items)) if items.is_empty() => {
            Err(error_body(RpcError::invalid_request("empty batch")))
        }
        Ok(Value::Array(items)) => Ok(Parsed { items, batch: true }),
        Ok(item) => Ok(Parsed {
            items: vec![item],
            batch: false,
        }),
        Err(e) => Err(error_body(RpcError::parse_error(e))),
    }
}

/// Runs the requests of a parsed body in order through `call`. Returns the response text,
/// or `None` when nothing is to be sent (only notifications).
pub(crate) fn process(
    parsed: Parsed,
    call: &mut dyn FnMut(&str, Value) -> Result<Value, RpcError>,
) -> Option<String> {
    let Parsed { items, batch } = parsed;
    let outputs: Vec<Output> = items
        .into_iter()
        .filter_map(|item| handle_request(item, call))
        .collect();
    match (batch, outputs.as_slice()) {
        (_, []) => None,
        (false, [output]) => Some(to_json(output)),
        _ => Some(to_json(&outputs)),
    }
}

/// [`parse`], then [`process`].
#[cfg(test)]
pub(crate) fn handle_message(
    body: &[u8],
    call: &mut dyn FnMut(&str, Value) -> Result<Value, RpcError>,
) -> Option<String> {
    match parse(body) {
        Ok(parsed) => process(parsed, call),
        Err(reply) => Some(reply),
    }
}

/// Checks one request object and runs it. `None` for a notification (no `id` member).
fn handle_request(
    item: Value,
    call: &mut dyn FnMut(&str, Value) -> Result<Value, RpcError>,
) -> Option<Output> {
    let invalid = |id: Value, detail: &str| {
        Some(Output {
            id,
            result: Err(RpcError::invalid_request(detail)),
        })
    };
    let Value::Object(mut object) = item else {
        return invalid(Value::Null, "not a request object");
    };
    // `id` absent: a notification. Present: a string, an integer or null (JSON-RPC 2.0
    // discourages fractions; anvil rejects them, and objects and arrays, with id null).
    let id = match object.remove("id") {
        None => None,
        Some(id @ (Value::Null | Value::String(_))) => Some(id),
        Some(Value::Number(n)) if n.is_i64() || n.is_u64() => Some(Value::Number(n)),
        Some(_) => return invalid(Value::Null, "id must be a string, an integer or null"),
    };
    let error_id = || id.clone().unwrap_or(Value::Null);
    if object.get("jsonrpc").and_then(Value::as_str) != Some("2.0") {
        return invalid(error_id(), "jsonrpc must be \"2.0\"");
    }
    let method = match object.remove("method") {
        Some(Value::String(method)) => method,
        _ => return invalid(error_id(), "method must be a string"),
    };
    let params = match object.remove("params") {
        None => Value::Null,
        Some(params @ (Value::Null | Value::Array(_) | Value::Object(_))) => params,
        Some(_) => return invalid(error_id(), "params must be an array or an object"),
    };
    let result = call(&method, params);
    id.map(|id| Output { id, result })
}

/// `service.call`, with a panic turned into a -32603 error.
pub(crate) fn guarded_call(
    service: &dyn RpcService,
    method: &str,
    params: Value,
) -> Result<Value, RpcError> {
    catch_unwind(AssertUnwindSafe(|| service.call(method, params)))
        .unwrap_or_else(|payload| Err(panicked(method, &*payload)))
}

/// The -32603 error for a panic with `payload` while running `method`.
pub(crate) fn panicked(method: &str, payload: &(dyn std::any::Any + Send)) -> RpcError {
    let message = payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("(no message)");
    RpcError::internal(format!("Internal error: {method} panicked: {message}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(body: &str) -> Option<Value> {
        let mut echo = |method: &str, params: Value| match method {
            "echo" => Ok(params),
            _ => Err(RpcError::method_not_found(method)),
        };
        handle_message(body.as_bytes(), &mut echo).map(|s| serde_json::from_str(&s).unwrap())
    }

    #[test]
    fn ids_params_and_versions() {
        let ok = run(r#"{"jsonrpc":"2.0","id":"a","method":"echo","params":[1]}"#).unwrap();
        assert_eq!(
            ok,
            serde_json::json!({"jsonrpc":"2.0","id":"a","result":[1]})
        );
        let null_id = run(r#"{"jsonrpc":"2.0","id":null,"method":"echo"}"#).unwrap();
        assert_eq!(
            null_id,
            serde_json::json!({"jsonrpc":"2.0","id":null,"result":null})
        );
        let neg = run(r#"{"jsonrpc":"2.0","id":-3,"method":"echo","params":{"a":1}}"#).unwrap();
        assert_eq!(neg["result"], serde_json::json!({"a":1}));
        for (body, id) in [
            (r#"{"jsonrpc":"2.0","id":1.5,"method":"echo"}"#, Value::Null),
            (r#"{"jsonrpc":"2.0","id":[1],"method":"echo"}"#, Value::Null),
            (
                r#"{"jsonrpc":"1.0","id":1,"method":"echo"}"#,
                Value::from(1),
            ),
            (r#"{"id":1,"method":"echo"}"#, Value::from(1)),
            (r#"{"jsonrpc":"2.0","id":1,"method":5}"#, Value::from(1)),
            (
                r#"{"jsonrpc":"2.0","id":1,"method":"echo","params":5}"#,
                Value::from(1),
            ),
            (
                r#"{"jsonrpc":"2.0","method":"echo","params":"x"}"#,
                Value::Null,
            ),
            ("{}", Value::Null),
            ("7", Value::Null),
        ] {
            let out = run(body).unwrap();
            assert_eq!(out["error"]["code"], -32600, "{body}");
            assert_eq!(out["id"], id, "{body}");
        }
    }

    #[test]
    fn notifications_are_run_but_not_answered() {
        let mut calls = 0;
        let mut count = |_: &str, _: Value| {
            calls += 1;
            Ok(Value::Null)
        };
        let body = br#"[{"jsonrpc":"2.0","method":"a"},{"jsonrpc":"2.0","method":"b"}]"#;
        assert_eq!(handle_message(body, &mut count), None);
        assert_eq!(calls, 2);
    }

    #[test]
    fn error_data_is_serialized_only_when_present() {
        let with = Output {
            id: Value::from(1),
            result: Err(RpcError::new(3, "execution reverted").with_data(Value::from("0x01"))),
        };
        assert_eq!(
            to_json(&with),
            r#"{"jsonrpc":"2.0","id":1,"error":{"code":3,"message":"execution reverted","data":"0x01"}}"#
        );
        let without = Output {
            id: Value::from(1),
            result: Err(RpcError::new(-1, "x")),
        };
        assert_eq!(
            to_json(&without),
            r#"{"jsonrpc":"2.0","id":1,"error":{"code":-1,"message":"x"}}"#
        );
        assert_eq!(
            notification("0x1", &Value::from(2)),
            r#"{"jsonrpc":"2.0","method":"eth_subscription","params":{"subscription":"0x1","result":2}}"#
        );
    }
}
