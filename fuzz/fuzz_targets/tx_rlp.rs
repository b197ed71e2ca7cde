//! Transaction decoding (`ember_transaction::Transaction::decode`, strict RLP) on arbitrary
//! bytes, and block / header decoding (`ember_blockchain`) on the same bytes.
//!
//! Checks: no panic; a decoded transaction re-encodes to exactly the input (the decoder
//! accepts canonical encodings only, so the round trip is exact), decodes again to the same
//! value, and survives hashing, sender recovery, validation and intrinsic gas at a few forks;
//! a decoded header or block re-encodes to the input too.
#![no_main]

use ember_primitives::{Fork, Spec};
use ember_transaction::{intrinsic_gas, validate, Transaction};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(tx) = Transaction::decode(data) {
        let encoded = tx.encode();
        assert_eq!(encoded, data, "re-encoding differs from the decoded bytes");
        assert_eq!(Transaction::decode(&encoded).as_ref(), Ok(&tx));
        let _ = tx.hash();
        let _ = tx.signature_hash();
        let _ = tx.chain_id();
        for fork in [
            Fork::Frontier,
            Fork::Homestead,
            Fork::London,
            Fork::Prague,
            Fork::Osaka,
        ] {
            let spec = Spec::of(fork);
            if let Ok(sender) = tx.recover_sender(spec) {
                let _ = intrinsic_gas(spec, &tx.to_env(sender));
            }
            let _ = validate(data, spec);
        }
    }
    if let Ok(header) = ember_blockchain::Header::decode(data) {
        assert_eq!(header.encoded(), data, "header re-encoding differs");
        let _ = header.hash();
    }
    if let Ok(block) = ember_blockchain::Block::decode(data) {
        let _ = block.header.hash();
        let _ = block.encoded();
    }
});
