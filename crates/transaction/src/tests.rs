//! Unit tests: known mainnet vectors, round trips of every type, strict-decoding rejections,
//! intrinsic gas per fork, fork-level validity, and a no-panic sweep over mangled inputs.

use ember_primitives::{
    address, b256, bytes, hex, keccak256, AccessListItem, Address, Authorization, Bytes, Fork,
    Spec, TxKind, TxType, B256, U256,
};
use secp256k1::{Message, SecretKey, SECP256K1};

use crate::error::{TxDecodeError, TxError};
use crate::signature::{SECP256K1N, SECP256K1N_HALF};
use crate::*;

fn raw(s: &str) -> Vec<u8> {
    hex::decode(s).unwrap()
}

/// Signs `hash` with `key`, returning `(odd_y, r, s)`.
fn sign(key: &SecretKey, hash: B256) -> (bool, U256, U256) {
    let sig = SECP256K1.sign_ecdsa_recoverable(Message::from_digest(hash.0), key);
    let (recid, compact) = sig.serialize_compact();
    let odd = i32::from(recid) == 1;
    (
        odd,
        U256::from_be_slice(&compact[..32]),
        U256::from_be_slice(&compact[32..]),
    )
}

fn key_address(key: &SecretKey) -> Address {
    let public = key.public_key(SECP256K1).serialize_uncompressed();
    Address::from_slice(&keccak256(&public[1..])[12..])
}

fn test_key(byte: u8) -> SecretKey {
    SecretKey::from_byte_array([byte; 32]).unwrap()
}

// ---- known vectors ----

/// The first mainnet transaction (block 46147), unprotected legacy.
const MAINNET_46147: &str = "f86780862d79883d2000825208945df9b87991262f6ba471f09758cde1c0fc1de734827a69801ca088ff6cf0fefd94db46111149ae4bfc179e9b94721fffd821d38d16464b3f71d0a045e0aff800961cfce805daef7016b9b675c137a6a41a548f7b60a3484c06a33a";

#[test]
fn mainnet_legacy_decode_and_sender() {
    let bytes = raw(MAINNET_46147);
    let tx = Transaction::decode(&bytes).unwrap();
    let Transaction::Legacy(ref legacy) = tx else {
        panic!("not legacy")
    };
    assert_eq!(legacy.nonce, 0);
    assert_eq!(legacy.gas_price, U256::from(50_000_000_000_000u64));
    assert_eq!(legacy.gas_limit, 21_000);
    assert_eq!(
        legacy.to,
        TxKind::Call(address!("5df9b87991262f6ba471f09758cde1c0fc1de734"))
    );
    assert_eq!(legacy.value, U256::from(31_337u64));
    assert_eq!(legacy.v, U256::from(28u8));
    assert_eq!(legacy.chain_id(), None);
    assert_eq!(tx.tx_type(), TxType::Legacy);
    assert_eq!(
        tx.signature_hash(),
        b256!("19b1e28c14f33e74b96b88eba97d4a4fc8a97638d72e972310025b7e1189b049")
    );
    assert_eq!(
        tx.hash(),
        b256!("5c504ed432cb51138bcf09aa5e8a410dd4a1e204ef84bfed1be16dfba1b22060")
    );
    let sender = tx.recover_sender(Spec::of(Fork::Frontier)).unwrap();
    assert_eq!(sender, address!("a1e4380a3b1f749673e270229993ee55f35663b4"));
    assert_eq!(tx.encode(), bytes);

    let env = tx.to_env(sender);
    assert_eq!(env.caller, sender);
    assert_eq!(env.chain_id, None);
    assert_eq!(env.gas_priority_fee, None);
    assert_eq!(
        validate(&bytes, Spec::of(Fork::Cancun)).unwrap(),
        (sender, tx.hash())
    );
}

#[test]
fn mainnet_typed_vectors() {
    // (payload, sender, hash, signing hash), from mainnet.
    let vectors = [
        (
            "02f86a0180843b9aca00843b9aca0082520894e80d2a018c813577f33f9e69387dc621206fb3a48080c001a02c73a04cd144e5a84ceb6da942f83763c2682896b51f7922e2e2f9a524dd90b7a0235adda5f87a1d098e2739e40e83129ff82837c9042e6ad61d0481334dcb6f1a",
            address!("81f5daee2c61807d0fc5e4c8b4e1d3c3e028d9ab"),
            b256!("b4a8cd0b91310b0f84216c834c4cfa25a4ffc116b54692ac1f4e682be7fa73c9"),
            b256!("c63673a5d989925d01a6c1339252f546e99b6957ce566a488154e169ae9bd49c"),
        ),
        (
            "01f889018201f30a8301e241808080f838f7940000000000000000000000000000000000000001e1a0000000000000000000000000000000000000000000000000000000000000000080a0a2196512ef8325b781e32d96d283a9d4cf3946947da77f3cd310eee050c537d5a00144af5513a24363bf49abed9a25476cb7c33df6e0c0053b63ee8dac64b027aa",
            address!("4d8286232b1f058d8bdb1702d0f6a1e887ced385"),
            b256!("bde66bd7925917db9e49e38a12ed0dcd6f9422f8db90de26d34a4523f8861d1e"),
            b256!("7f69febd06ddc1e72d9cd34524c82b3a8a116a02a10757be34cf536d6992d51c"),
        ),
    ];
    for (payload, sender, hash, signing_hash) in vectors {
        let bytes = raw(payload);
        let tx = Transaction::decode(&bytes).unwrap();
        assert_eq!(tx.encode(), bytes);
        assert_eq!(tx.hash(), hash);
        assert_eq!(tx.signature_hash(), signing_hash);
        assert_eq!(tx.recover_sender(Spec::of(Fork::London)).unwrap(), sender);
        assert_eq!(
            validate(&bytes, Spec::of(Fork::London)).unwrap(),
            (sender, hash)
        );
    }
    // The EIP-2930 one is a creation with one access-list entry of one key.
    let tx = Transaction::decode(&raw(vectors[1].0)).unwrap();
    let env = tx.to_env(vectors[1].1);
    assert_eq!(env.kind, TxKind::Create);
    assert_eq!(env.access_list.len(), 1);
    assert_eq!(env.access_list[0].storage_keys, vec![B256::ZERO]);
    assert_eq!(
        intrinsic_gas(Spec::of(Fork::Berlin), &env),
        21_000 + 32_000 + 2_400 + 1_900
    );
}

#[test]
fn eip155_chain_id_extraction() {
    // The example of EIP-155: nonce 9, 20 gwei, 21000 gas, 1 ether to 0x3535..., chain id 1,
    // signed with the key 0x4646...46.
    let bytes = raw("f86c098504a817c800825208943535353535353535353535353535353535353535880de0b6b3a76400008025a028ef61340bd939bc2195fe537567866003e1a15d3c71ff63e1590620aa636276a067cbe9d8997f761aecb703304b3800ccf555c9f3dc64214b297fb1966a3b6d83");
    let tx = Transaction::decode(&bytes).unwrap();
    let Transaction::Legacy(ref legacy) = tx else {
        panic!("not legacy")
    };
    assert_eq!(legacy.v, U256::from(37u8));
    assert_eq!(legacy.chain_id(), Some(U256::from(1u8)));
    assert_eq!(tx.chain_id(), Some(U256::from(1u8)));
    assert_eq!(
        tx.signature_hash(),
        b256!("daf5a779ae972f972197303d7b574746c7ef83eadac0f2791ad23db92e4c8e53")
    );
    let expected = key_address(&test_key(0x46));
    assert_eq!(
        expected,
        address!("9d8a62f656a8d1615c1294fd71e9cfb3e4855a4f")
    );
    assert_eq!(
        tx.recover_sender(Spec::of(Fork::SpuriousDragon)).unwrap(),
        expected
    );
    assert_eq!(tx.to_env(expected).chain_id, Some(1));

    // Before EIP-155, v = 37 is not a recovery id.
    assert_eq!(
        tx.recover_sender(Spec::of(Fork::Tangerine)),
        Err(InvalidTransaction::InvalidV(U256::from(37u8)))
    );
    // On another chain it is rejected by chain id.
    assert!(matches!(
        validate_with_chain_id(&bytes, Spec::of(Fork::London), 5),
        Err(TxError::Validation(
            InvalidTransaction::InvalidChainId { .. }
        ))
    ));
    assert!(validate_with_chain_id(&bytes, Spec::of(Fork::London), 1).is_ok());
}

// ---- round trips, built and signed here ----

fn access_list() -> Vec<AccessListItem> {
    vec![
        AccessListItem {
            address: address!("00000000000000000000000000000000000000aa"),
            storage_keys: vec![B256::ZERO, B256::with_last_byte(7)],
        },
        AccessListItem {
            address: address!("00000000000000000000000000000000000000bb"),
            storage_keys: vec![],
        },
    ]
}

/// Signs `tx` (whose signature fields are placeholders) with `key`, checks that it encodes,
/// decodes back identically and recovers `key`'s address, and returns it.
fn sign_and_round_trip(mut tx: Transaction, key: &SecretKey, chain_id: Option<u64>) -> Transaction {
    if let (Transaction::Legacy(t), Some(id)) = (&mut tx, chain_id) {
        // The EIP-155 signing hash reads the chain id from `v`.
        t.v = U256::from(35 + 2 * id);
    }
    let (odd, r, s) = sign(key, tx.signature_hash());
    match &mut tx {
        Transaction::Legacy(t) => {
            t.v = match chain_id {
                Some(id) => U256::from(35 + 2 * id + odd as u64),
                None => U256::from(27 + odd as u64),
            };
            t.r = r;
            t.s = s;
        }
        Transaction::AccessList(t) => (t.y_parity, t.r, t.s) = (U256::from(odd as u8), r, s),
        Transaction::FeeMarket(t) => (t.y_parity, t.r, t.s) = (U256::from(odd as u8), r, s),
        Transaction::Blob(t) => (t.y_parity, t.r, t.s) = (U256::from(odd as u8), r, s),
        Transaction::SetCode(t) => (t.y_parity, t.r, t.s) = (U256::from(odd as u8), r, s),
    }
    let bytes = tx.encode();
    let decoded = Transaction::decode(&bytes).unwrap();
    assert_eq!(decoded, tx);
    assert_eq!(decoded.encode(), bytes);
    assert_eq!(decoded.hash(), keccak256(&bytes));
    assert_eq!(
        decoded.recover_sender(Spec::of(Fork::Prague)).unwrap(),
        key_address(key)
    );
    decoded
}

#[test]
fn round_trip_legacy() {
    let key = test_key(0x11);
    for (to, chain_id) in [
        (
            TxKind::Call(address!("095e7baea6a6c7c4c2dfeb977efac326af552d87")),
            None,
        ),
        (TxKind::Create, Some(1)),
        (TxKind::Call(Address::ZERO), Some(u64::MAX / 4)),
    ] {
        let tx = Transaction::Legacy(TxLegacy {
            nonce: 7,
            gas_price: U256::from(10u8),
            gas_limit: 100_000,
            to,
            value: U256::MAX,
            data: bytes!("00ff00ff"),
            v: U256::ZERO,
            r: U256::ZERO,
            s: U256::ZERO,
        });
        let tx = sign_and_round_trip(tx, &key, chain_id);
        assert_eq!(tx.to_env(key_address(&key)).chain_id, chain_id);
    }
}

#[test]
fn round_trip_eip2930_and_eip1559() {
    let key = test_key(0x22);
    let tx = Transaction::AccessList(TxEip2930 {
        chain_id: 1,
        nonce: 0,
        gas_price: U256::from(1u8),
        gas_limit: 60_000,
        to: TxKind::Create,
        value: U256::ZERO,
        data: bytes!("6000"),
        access_list: access_list(),
        y_parity: U256::ZERO,
        r: U256::ZERO,
        s: U256::ZERO,
    });
    let tx = sign_and_round_trip(tx, &key, None);
    assert_eq!(tx.tx_type(), TxType::AccessList);
    assert_eq!(tx.encode()[0], 0x01);

    let tx = Transaction::FeeMarket(TxEip1559 {
        chain_id: 1,
        nonce: u64::MAX - 1,
        max_priority_fee_per_gas: U256::from(2u8),
        max_fee_per_gas: U256::from(30u8),
        gas_limit: 30_000,
        to: TxKind::Call(address!("00000000000000000000000000000000000000cc")),
        value: U256::from(5u8),
        data: Bytes::new(),
        access_list: vec![],
        y_parity: U256::ZERO,
        r: U256::ZERO,
        s: U256::ZERO,
    });
    let tx = sign_and_round_trip(tx, &key, None);
    let env = tx.to_env(key_address(&key));
    assert_eq!(env.tx_type, TxType::FeeMarket);
    assert_eq!(env.gas_price, U256::from(30u8));
    assert_eq!(env.gas_priority_fee, Some(U256::from(2u8)));
    assert_eq!(env.chain_id, Some(1));
}

fn blob_tx() -> TxEip4844 {
    TxEip4844 {
        chain_id: 1,
        nonce: 3,
        max_priority_fee_per_gas: U256::from(1u8),
        max_fee_per_gas: U256::from(100u8),
        gas_limit: 50_000,
        to: address!("00000000000000000000000000000000000000dd"),
        value: U256::ZERO,
        data: bytes!("01"),
        access_list: access_list(),
        max_fee_per_blob_gas: U256::from(10u8),
        blob_versioned_hashes: vec![
            b256!("0100000000000000000000000000000000000000000000000000000000000001"),
            b256!("0100000000000000000000000000000000000000000000000000000000000002"),
        ],
        y_parity: U256::ZERO,
        r: U256::ZERO,
        s: U256::ZERO,
    }
}

#[test]
fn round_trip_eip4844() {
    let key = test_key(0x33);
    let tx = sign_and_round_trip(Transaction::Blob(blob_tx()), &key, None);
    let env = tx.to_env(key_address(&key));
    assert_eq!(env.tx_type, TxType::Blob);
    assert_eq!(env.blob_hashes.len(), 2);
    assert_eq!(env.max_fee_per_blob_gas, U256::from(10u8));
    let bytes = tx.encode();
    assert!(validate(&bytes, Spec::of(Fork::Cancun)).is_ok());
    assert_eq!(
        validate(&bytes, Spec::of(Fork::Shanghai)),
        Err(TxError::Validation(InvalidTransaction::TypeNotSupported(
            TxType::Blob
        )))
    );
}

fn signed_authorization(key: &SecretKey, chain_id: u64, nonce: u64) -> Authorization {
    let mut auth = Authorization {
        chain_id: U256::from(chain_id),
        address: address!("00000000000000000000000000000000000000ee"),
        nonce,
        y_parity: U256::ZERO,
        r: U256::ZERO,
        s: U256::ZERO,
        authority: None,
    };
    let (odd, r, s) = sign(key, crate::signature::authorization_signing_hash(&auth));
    auth.y_parity = U256::from(odd as u8);
    auth.r = r;
    auth.s = s;
    auth
}

#[test]
fn round_trip_eip7702_and_authorities() {
    let key = test_key(0x44);
    let authority_key = test_key(0x55);
    let good = signed_authorization(&authority_key, 0, 9);
    let mut bad = signed_authorization(&authority_key, 1, 0);
    bad.s = SECP256K1N - bad.s; // a high s: not a valid authorization signature
    let mut tx = TxEip7702 {
        chain_id: 1,
        nonce: 0,
        max_priority_fee_per_gas: U256::from(1u8),
        max_fee_per_gas: U256::from(1u8),
        gas_limit: 100_000,
        to: address!("00000000000000000000000000000000000000ff"),
        value: U256::ZERO,
        data: Bytes::new(),
        access_list: vec![],
        authorization_list: vec![good, bad],
        y_parity: U256::ZERO,
        r: U256::ZERO,
        s: U256::ZERO,
    };
    tx.recover_authorities();
    assert_eq!(
        tx.authorization_list[0].authority,
        Some(key_address(&authority_key))
    );
    assert_eq!(tx.authorization_list[1].authority, None);

    let tx = sign_and_round_trip(Transaction::SetCode(tx), &key, None);
    let env = tx.to_env(key_address(&key));
    assert_eq!(
        env.authorization_list[0].authority,
        Some(key_address(&authority_key))
    );
    assert_eq!(env.authorization_list[1].authority, None);
    // 21000 + 2 * 25000.
    assert_eq!(intrinsic_gas(Spec::of(Fork::Prague), &env), 71_000);
    // A bad authorization does not invalidate the transaction.
    assert!(validate(&tx.encode(), Spec::of(Fork::Prague)).is_ok());
    assert!(validate(&tx.encode(), Spec::of(Fork::Cancun)).is_err());
}

#[test]
fn recover_authority_rules() {
    let key = test_key(0x66);
    let auth = signed_authorization(&key, 1, 1);
    assert_eq!(recover_authority(&auth), Some(key_address(&key)));
    let mut wrong_parity = auth.clone();
    wrong_parity.y_parity = U256::from(2u8);
    assert_eq!(recover_authority(&wrong_parity), None);
    let mut huge_parity = auth.clone();
    huge_parity.y_parity = U256::MAX;
    assert_eq!(recover_authority(&huge_parity), None);
    let mut zero_r = auth.clone();
    zero_r.r = U256::ZERO;
    assert_eq!(recover_authority(&zero_r), None);
    let mut high_s = auth;
    high_s.s = SECP256K1N_HALF + U256::from(1u8);
    assert_eq!(recover_authority(&high_s), None);
}

// ---- strict decoding ----

/// A minimal legacy transaction list with `nonce_item` spliced in as the nonce.
fn legacy_with_nonce(nonce_item: &[u8]) -> Vec<u8> {
    let mut payload = nonce_item.to_vec();
    // gas_price 1, gas 21000, to, value 0, data empty, v 27, r 1, s 1
    payload.extend_from_slice(&raw(
        "01825208940000000000000000000000000000000000000001808081", /* v follows */
    ));
    payload.truncate(payload.len() - 1);
    payload.extend_from_slice(&raw("1b0101"));
    let mut out = Vec::new();
    alloy_rlp::Header {
        list: true,
        payload_length: payload.len(),
    }
    .encode(&mut out);
    out.extend_from_slice(&payload);
    out
}

#[test]
fn rejects_leading_zero_integer() {
    assert!(Transaction::decode(&legacy_with_nonce(&[0x80])).is_ok());
    assert!(Transaction::decode(&legacy_with_nonce(&[0x05])).is_ok());
    assert_eq!(
        Transaction::decode(&legacy_with_nonce(&[0x82, 0x00, 0x05])),
        Err(TxDecodeError::LeadingZeros { field: "nonce" })
    );
    // Zero encoded as a 0x00 byte rather than the empty string.
    assert_eq!(
        Transaction::decode(&legacy_with_nonce(&[0x00])),
        Err(TxDecodeError::LeadingZeros { field: "nonce" })
    );
    // A single byte below 0x80 wrapped in a string header.
    assert!(matches!(
        Transaction::decode(&legacy_with_nonce(&[0x81, 0x05])),
        Err(TxDecodeError::Rlp {
            field: "nonce",
            error: alloy_rlp::Error::NonCanonicalSingleByte
        })
    ));
    // Wider than 64 bits.
    assert!(matches!(
        Transaction::decode(&legacy_with_nonce(&raw("89010000000000000000"))),
        Err(TxDecodeError::IntegerOverflow {
            field: "nonce",
            len: 9,
            max_bits: 64
        })
    ));
    // A list where the nonce belongs.
    assert_eq!(
        Transaction::decode(&legacy_with_nonce(&[0xc0])),
        Err(TxDecodeError::UnexpectedList { field: "nonce" })
    );
}

#[test]
fn rejects_malformed_envelopes() {
    let good = raw(MAINNET_46147);
    assert_eq!(Transaction::decode(&[]), Err(TxDecodeError::Empty));
    let mut trailing = good.clone();
    trailing.push(0x00);
    assert_eq!(
        Transaction::decode(&trailing),
        Err(TxDecodeError::TrailingBytes(1))
    );
    assert!(matches!(
        Transaction::decode(&good[..good.len() - 1]),
        Err(TxDecodeError::Rlp {
            field: "transaction",
            error: alloy_rlp::Error::InputTooShort
        })
    ));
    assert_eq!(
        Transaction::decode(&[0x05, 0xc0]),
        Err(TxDecodeError::UnknownType(0x05))
    );
    assert_eq!(
        Transaction::decode(&[0x00, 0xc0]),
        Err(TxDecodeError::UnknownType(0x00))
    );
    assert_eq!(
        Transaction::decode(&[0x02]),
        Err(TxDecodeError::EmptyTypedPayload(0x02))
    );
    assert_eq!(
        Transaction::decode(&[0x02, 0xc0]),
        Err(TxDecodeError::MissingField { field: "chain_id" })
    );
    assert_eq!(
        Transaction::decode(&[0x85, 1, 2, 3, 4, 5]),
        Err(TxDecodeError::NotAList(0x85))
    );

    // A 1559 transaction with a trailing byte inside the typed payload, and one outside the list.
    let typed = raw("02f86a0180843b9aca00843b9aca0082520894e80d2a018c813577f33f9e69387dc621206fb3a48080c001a02c73a04cd144e5a84ceb6da942f83763c2682896b51f7922e2e2f9a524dd90b7a0235adda5f87a1d098e2739e40e83129ff82837c9042e6ad61d0481334dcb6f1a");
    let mut extra = typed.clone();
    extra.push(0x80);
    assert_eq!(
        Transaction::decode(&extra),
        Err(TxDecodeError::TrailingBytes(1))
    );
    let mut extra_field = typed.clone();
    extra_field[2] += 1; // list length
    extra_field.push(0x80);
    assert_eq!(
        Transaction::decode(&extra_field),
        Err(TxDecodeError::ExtraFields {
            context: "transaction"
        })
    );
}

/// RLP string item.
fn item(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    alloy_rlp::Encodable::encode(bytes, &mut out);
    out
}

/// RLP list of already-encoded items.
fn list(items: &[Vec<u8>]) -> Vec<u8> {
    let payload = items.concat();
    let mut out = Vec::new();
    alloy_rlp::Header {
        list: true,
        payload_length: payload.len(),
    }
    .encode(&mut out);
    out.extend_from_slice(&payload);
    out
}

#[test]
fn rejects_bad_addresses_and_missing_to() {
    let one = item(&[1]);
    let empty = item(&[]);
    let addr = |len: usize| item(&vec![0x11; len]);
    let hashes = list(&[item(&[1; 32])]);
    // [chain_id, nonce, tip, max_fee, gas, to, value, data, access_list, blob_fee, hashes, y, r, s]
    let blob = |to: Vec<u8>, access: Vec<u8>| {
        let mut out = vec![0x03];
        out.extend(list(&[
            one.clone(),
            empty.clone(),
            one.clone(),
            one.clone(),
            item(&[0x52, 0x08]),
            to,
            empty.clone(),
            empty.clone(),
            access,
            one.clone(),
            hashes.clone(),
            empty.clone(),
            one.clone(),
            one.clone(),
        ]));
        out
    };
    assert!(Transaction::decode(&blob(addr(20), list(&[]))).is_ok());
    assert_eq!(
        Transaction::decode(&blob(empty.clone(), list(&[]))),
        Err(TxDecodeError::MissingTo { field: "to" })
    );
    assert_eq!(
        Transaction::decode(&blob(addr(21), list(&[]))),
        Err(TxDecodeError::AddressLength {
            field: "to",
            len: 21
        })
    );
    let entry = |a: Vec<u8>, keys: Vec<Vec<u8>>| list(&[a, list(&keys)]);
    assert!(Transaction::decode(&blob(
        addr(20),
        list(&[entry(addr(20), vec![item(&[0; 32])])])
    ))
    .is_ok());
    assert_eq!(
        Transaction::decode(&blob(addr(20), list(&[entry(addr(19), vec![])]))),
        Err(TxDecodeError::AddressLength {
            field: "access_list.address",
            len: 19
        })
    );
    assert_eq!(
        Transaction::decode(&blob(
            addr(20),
            list(&[entry(addr(20), vec![item(&[0; 31])])])
        )),
        Err(TxDecodeError::HashLength {
            field: "access_list.storage_key",
            len: 31
        })
    );
    assert_eq!(
        Transaction::decode(&blob(
            addr(20),
            list(&[list(&[addr(20), list(&[]), list(&[])])])
        )),
        Err(TxDecodeError::ExtraFields {
            context: "access_list.item"
        })
    );

    // Legacy: [nonce, gas_price, gas, to, value, data, v, r, s].
    let legacy = |to: Vec<u8>| {
        list(&[
            empty.clone(),
            one.clone(),
            item(&[0x52, 0x08]),
            to,
            empty.clone(),
            empty.clone(),
            item(&[27]),
            one.clone(),
            one.clone(),
        ])
    };
    assert!(Transaction::decode(&legacy(addr(20))).is_ok());
    assert!(
        matches!(Transaction::decode(&legacy(empty.clone())), Ok(tx) if tx.kind() == TxKind::Create)
    );
    assert_eq!(
        Transaction::decode(&legacy(addr(19))),
        Err(TxDecodeError::AddressLength {
            field: "to",
            len: 19
        })
    );
    assert_eq!(
        Transaction::decode(&legacy(list(&[]))),
        Err(TxDecodeError::UnexpectedList { field: "to" })
    );
}

#[test]
fn never_panics_on_mangled_input() {
    let key = test_key(0x12);
    let mut seeds: Vec<Vec<u8>> = vec![raw(MAINNET_46147), Transaction::Blob(blob_tx()).encode()];
    let mut setcode = TxEip7702 {
        chain_id: 1,
        nonce: 1,
        max_priority_fee_per_gas: U256::from(1u8),
        max_fee_per_gas: U256::from(1u8),
        gas_limit: 100_000,
        to: Address::ZERO,
        value: U256::ZERO,
        data: bytes!("00"),
        access_list: access_list(),
        authorization_list: vec![signed_authorization(&key, 1, 1)],
        y_parity: U256::ZERO,
        r: U256::ZERO,
        s: U256::ZERO,
    };
    setcode.recover_authorities();
    seeds.push(Transaction::SetCode(setcode).encode());

    let mut state = 0x9E3779B97F4A7C15u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let specs = [
        Spec::of(Fork::Frontier),
        Spec::of(Fork::Prague),
        Spec::of(Fork::Osaka),
    ];
    for seed in &seeds {
        // Every truncation.
        for len in 0..seed.len() {
            let _ = validate(&seed[..len], specs[len % 3]);
        }
        // Random byte flips, insertions and deletions.
        for _ in 0..3000 {
            let mut m = seed.clone();
            for _ in 0..1 + next() % 4 {
                let i = (next() as usize) % m.len().max(1);
                match next() % 3 {
                    0 if !m.is_empty() => m[i] = next() as u8,
                    1 => m.insert(i.min(m.len()), next() as u8),
                    _ if !m.is_empty() => {
                        m.remove(i);
                    }
                    _ => {}
                }
            }
            for spec in specs {
                if let Ok(tx) = Transaction::decode(&m) {
                    // Whatever decodes must re-encode to the same bytes.
                    assert_eq!(tx.encode(), m);
                }
                let _ = validate(&m, spec);
            }
        }
    }
    // Pure noise.
    for _ in 0..3000 {
        let len = (next() % 80) as usize;
        let m: Vec<u8> = (0..len).map(|_| next() as u8).collect();
        let _ = validate(&m, Spec::of(Fork::Prague));
    }
}

// ---- intrinsic gas ----

#[test]
fn intrinsic_gas_per_fork() {
    use ember_primitives::TxEnv;
    let call = TxEnv {
        data: bytes!("0001ff00"),
        kind: TxKind::Call(Address::ZERO),
        ..TxEnv::default()
    };
    // 2 zero bytes, 2 non-zero bytes.
    assert_eq!(
        intrinsic_gas(Spec::of(Fork::Frontier), &call),
        21_000 + 8 + 136
    );
    assert_eq!(
        intrinsic_gas(Spec::of(Fork::Petersburg), &call),
        21_000 + 8 + 136
    );
    assert_eq!(
        intrinsic_gas(Spec::of(Fork::Istanbul), &call),
        21_000 + 8 + 32
    );
    assert_eq!(
        intrinsic_gas(Spec::of(Fork::Prague), &call),
        21_000 + 8 + 32
    );

    let create = TxEnv {
        kind: TxKind::Create,
        data: Bytes::from(vec![1u8; 33]),
        ..TxEnv::default()
    };
    assert_eq!(
        intrinsic_gas(Spec::of(Fork::Frontier), &create),
        21_000 + 33 * 68
    );
    assert_eq!(
        intrinsic_gas(Spec::of(Fork::Homestead), &create),
        53_000 + 33 * 68
    );
    assert_eq!(
        intrinsic_gas(Spec::of(Fork::Istanbul), &create),
        53_000 + 33 * 16
    );
    // EIP-3860: two initcode words.
    assert_eq!(
        intrinsic_gas(Spec::of(Fork::Shanghai), &create),
        53_000 + 33 * 16 + 4
    );

    let with_list = TxEnv {
        access_list: access_list(),
        ..TxEnv::default()
    };
    assert_eq!(
        intrinsic_gas(Spec::of(Fork::Berlin), &with_list),
        21_000 + 2 * 2_400 + 2 * 1_900
    );

    let key = test_key(0x01);
    let with_auth = TxEnv {
        authorization_list: vec![signed_authorization(&key, 1, 0)],
        ..TxEnv::default()
    };
    assert_eq!(intrinsic_gas(Spec::of(Fork::Prague), &with_auth), 46_000);
    assert_eq!(intrinsic_gas(Spec::of(Fork::Cancun), &with_auth), 21_000);

    // EIP-7623: 2 zero + 4 * 2 non-zero = 10 tokens; no floor before Prague.
    let prague = Spec::of(Fork::Prague);
    assert_eq!(calldata_floor_gas(prague, &call), 21_000 + 100);
    assert_eq!(calldata_floor_gas(prague, &TxEnv::default()), 21_000);
    assert_eq!(calldata_floor_gas(Spec::of(Fork::Cancun), &call), 0);
    // The least gas limit is the higher of the two.
    assert_eq!(min_gas_limit(prague, &call), 21_000 + 100);
    assert_eq!(
        min_gas_limit(Spec::of(Fork::Cancun), &call),
        21_000 + 8 + 32
    );
    let big = TxEnv {
        data: Bytes::from(vec![0u8; 1000]),
        kind: TxKind::Create,
        ..TxEnv::default()
    };
    // 53000 + 4000 + 32 words * 2 against a floor of 21000 + 10000.
    assert_eq!(min_gas_limit(prague, &big), 53_000 + 4_000 + 64);
}

// ---- fork-level validity ----

fn signed_legacy(key: &SecretKey, edit: impl FnOnce(&mut TxLegacy)) -> (TxLegacy, Vec<u8>) {
    let mut tx = TxLegacy {
        nonce: 0,
        gas_price: U256::from(1u8),
        gas_limit: 21_000,
        to: TxKind::Call(Address::ZERO),
        value: U256::ZERO,
        data: Bytes::new(),
        v: U256::ZERO,
        r: U256::ZERO,
        s: U256::ZERO,
    };
    edit(&mut tx);
    let (odd, r, s) = sign(key, tx.signature_hash());
    tx.v = U256::from(27 + odd as u8);
    tx.r = r;
    tx.s = s;
    let bytes = Transaction::Legacy(tx.clone()).encode();
    (tx, bytes)
}

fn validation_error(bytes: &[u8], fork: Fork) -> InvalidTransaction {
    match validate(bytes, Spec::of(fork)) {
        Err(TxError::Validation(e)) => e,
        other => panic!("expected a validation error, got {other:?}"),
    }
}

#[test]
fn high_s_only_from_homestead() {
    let key = test_key(0x21);
    let (mut tx, _) = signed_legacy(&key, |_| {});
    // (r, n - s) with the other parity is the same signature with a high s.
    tx.s = SECP256K1N - tx.s;
    tx.v = if tx.v == U256::from(27u8) {
        U256::from(28u8)
    } else {
        U256::from(27u8)
    };
    let bytes = Transaction::Legacy(tx).encode();
    assert_eq!(
        validate(&bytes, Spec::of(Fork::Frontier)).unwrap().0,
        key_address(&key)
    );
    assert_eq!(
        validation_error(&bytes, Fork::Homestead),
        InvalidTransaction::HighS
    );
}

#[test]
fn gas_nonce_and_size_limits() {
    let key = test_key(0x31);
    let (_, bytes) = signed_legacy(&key, |t| t.gas_limit = 20_999);
    assert_eq!(
        validation_error(&bytes, Fork::Cancun),
        InvalidTransaction::IntrinsicGasTooLow {
            have: 20_999,
            want: 21_000
        }
    );

    let (_, bytes) = signed_legacy(&key, |t| t.nonce = u64::MAX);
    assert_eq!(
        validation_error(&bytes, Fork::Frontier),
        InvalidTransaction::NonceOverflow(u64::MAX)
    );
    let (_, bytes) = signed_legacy(&key, |t| t.nonce = u64::MAX - 1);
    assert!(validate(&bytes, Spec::of(Fork::Frontier)).is_ok());

    // EIP-7623: 100 non-zero bytes cost 21000 + 1600 normally, but the floor is 21000 + 4000.
    let (_, bytes) = signed_legacy(&key, |t| {
        t.data = Bytes::from(vec![0xffu8; 100]);
        t.gas_limit = 22_600;
    });
    assert!(validate(&bytes, Spec::of(Fork::Cancun)).is_ok());
    assert_eq!(
        validation_error(&bytes, Fork::Prague),
        InvalidTransaction::FloorGasTooLow {
            have: 22_600,
            want: 25_000
        }
    );

    // EIP-3860.
    let (_, bytes) = signed_legacy(&key, |t| {
        t.to = TxKind::Create;
        t.data = Bytes::from(vec![0u8; 0xC001]);
        t.gas_limit = 1_000_000;
    });
    assert!(validate(&bytes, Spec::of(Fork::Paris)).is_ok());
    assert_eq!(
        validation_error(&bytes, Fork::Shanghai),
        InvalidTransaction::InitcodeTooLarge {
            size: 0xC001,
            max: 0xC000
        }
    );

    // EIP-7825 (Osaka): 2^24 gas at most.
    let (_, bytes) = signed_legacy(&key, |t| t.gas_limit = (1 << 24) + 1);
    assert!(validate(&bytes, Spec::of(Fork::Prague)).is_ok());
    assert_eq!(
        validation_error(&bytes, Fork::Osaka),
        InvalidTransaction::GasLimitExceedsCap {
            gas_limit: (1 << 24) + 1,
            cap: 1 << 24
        }
    );

    // gas * price beyond 256 bits.
    let (_, bytes) = signed_legacy(&key, |t| t.gas_price = U256::MAX);
    assert_eq!(
        validation_error(&bytes, Fork::Frontier),
        InvalidTransaction::GasLimitOverflow
    );
}

#[test]
fn typed_rules() {
    let key = test_key(0x41);
    let mut blob = blob_tx();
    blob.blob_versioned_hashes = vec![];
    let no_blobs = sign_and_round_trip(Transaction::Blob(blob), &key, None).encode();
    assert_eq!(
        validation_error(&no_blobs, Fork::Cancun),
        InvalidTransaction::EmptyBlobs
    );

    let mut blob = blob_tx();
    blob.blob_versioned_hashes[1] = B256::with_last_byte(1);
    let bad_version = sign_and_round_trip(Transaction::Blob(blob), &key, None).encode();
    assert_eq!(
        validation_error(&bad_version, Fork::Cancun),
        InvalidTransaction::BlobVersionNotSupported {
            index: 1,
            version: 0
        }
    );

    let mut blob = blob_tx();
    blob.max_priority_fee_per_gas = U256::from(101u8);
    let tip = sign_and_round_trip(Transaction::Blob(blob), &key, None).encode();
    assert!(matches!(
        validation_error(&tip, Fork::Cancun),
        InvalidTransaction::PriorityFeeGreaterThanMaxFee { .. }
    ));

    let mut blob = blob_tx();
    blob.chain_id = 5;
    let other_chain = sign_and_round_trip(Transaction::Blob(blob), &key, None).encode();
    assert!(matches!(
        validation_error(&other_chain, Fork::Cancun),
        InvalidTransaction::InvalidChainId { .. }
    ));
    assert!(validate_with_chain_id(&other_chain, Spec::of(Fork::Cancun), 5).is_ok());

    // y_parity 2 on a typed transaction.
    let Transaction::Blob(mut blob) = Transaction::decode(&tip).unwrap() else {
        unreachable!()
    };
    blob.max_priority_fee_per_gas = U256::from(1u8);
    blob.y_parity = U256::from(2u8);
    assert_eq!(
        Transaction::Blob(blob).recover_sender(Spec::of(Fork::Cancun)),
        Err(InvalidTransaction::InvalidYParity(U256::from(2u8)))
    );

    // Type support by fork.
    assert!(!type_enabled(Spec::of(Fork::Istanbul), TxType::AccessList));
    assert!(type_enabled(Spec::of(Fork::Berlin), TxType::AccessList));
    assert!(!type_enabled(Spec::of(Fork::Berlin), TxType::FeeMarket));
    assert!(type_enabled(Spec::of(Fork::London), TxType::FeeMarket));
    assert!(!type_enabled(Spec::of(Fork::Shanghai), TxType::Blob));
    assert!(type_enabled(Spec::of(Fork::Cancun), TxType::Blob));
    assert!(!type_enabled(Spec::of(Fork::Cancun), TxType::SetCode));
    assert!(type_enabled(Spec::of(Fork::Prague), TxType::SetCode));
}

// ---- the block and sender layers of the validator ----

#[test]
fn fee_block_and_sender_rules() {
    use ember_primitives::{BlockEnv, TxEnv};
    let london = Spec::of(Fork::London);
    let berlin = Spec::of(Fork::Berlin);
    let tx = TxEnv {
        tx_type: TxType::FeeMarket,
        gas_limit: 21_000,
        gas_price: U256::from(100u8),
        gas_priority_fee: Some(U256::from(3u8)),
        value: U256::from(5u8),
        ..TxEnv::default()
    };
    // min(max fee, base fee + tip), and the gas price before London.
    assert_eq!(
        effective_gas_price(london, &tx, U256::from(10u8)),
        U256::from(13u8)
    );
    assert_eq!(
        effective_gas_price(london, &tx, U256::from(99u8)),
        U256::from(100u8)
    );
    assert_eq!(
        effective_gas_price(berlin, &tx, U256::from(10u8)),
        U256::from(100u8)
    );
    assert_eq!(
        gas_price_at(U256::MAX, Some(U256::MAX), U256::from(1u8)),
        U256::MAX
    );

    assert!(check_base_fee(london, &tx, U256::from(100u8)).is_ok());
    assert_eq!(
        check_base_fee(london, &tx, U256::from(101u8)),
        Err(InvalidTransaction::FeeCapTooLow {
            max_fee: U256::from(100u8),
            base_fee: U256::from(101u8)
        })
    );
    // No base fee before London.
    assert!(check_base_fee(berlin, &tx, U256::from(101u8)).is_ok());

    let block = BlockEnv {
        gas_limit: 20_999,
        base_fee: U256::from(1u8),
        ..BlockEnv::default()
    };
    assert_eq!(
        check_block(london, &block, &tx, true),
        Err(InvalidTransaction::GasLimitExceedsBlock {
            gas_limit: 21_000,
            block_gas_limit: 20_999
        })
    );
    let block = BlockEnv {
        base_fee: U256::from(101u8),
        ..BlockEnv::default()
    };
    assert!(check_block(london, &block, &tx, true).is_err());
    // A call simulation skips the base fee.
    assert!(check_block(london, &block, &tx, false).is_ok());

    // The sender: nonce, then balance for gas at the fee cap plus value.
    let cost = U256::from(21_000u64 * 100 + 5);
    assert_eq!(max_cost(&tx), Some(cost));
    let rich = SenderAccount {
        balance: cost,
        ..SenderAccount::default()
    };
    assert!(check_sender(london, &tx, &rich, false).is_ok());
    let poor = SenderAccount {
        balance: cost - U256::from(1u8),
        ..rich
    };
    assert_eq!(
        check_sender(london, &tx, &poor, false),
        Err(InvalidTransaction::InsufficientFunds {
            balance: cost - U256::from(1u8),
            cost
        })
    );
    let ahead = SenderAccount { nonce: 1, ..rich };
    assert_eq!(
        check_sender(london, &tx, &ahead, false),
        Err(InvalidTransaction::NonceTooLow { tx: 0, state: 1 })
    );
    // A cost past 256 bits is never affordable, not even with the largest balance.
    let huge = TxEnv {
        value: U256::MAX,
        ..tx.clone()
    };
    let max = SenderAccount {
        balance: U256::MAX,
        ..rich
    };
    assert_eq!(max_cost(&huge), None);
    assert_eq!(
        check_sender(london, &huge, &max, false),
        Err(InvalidTransaction::InsufficientFunds {
            balance: U256::MAX,
            cost: U256::MAX
        })
    );
    // EIP-3607, waived for a delegation (from Prague) and for a dev chain.
    let contract = SenderAccount {
        has_code: true,
        ..rich
    };
    assert_eq!(
        check_sender(london, &tx, &contract, false),
        Err(InvalidTransaction::SenderNotEoa)
    );
    assert!(check_sender(london, &tx, &contract, true).is_ok());
    let delegated = SenderAccount {
        is_delegated: true,
        ..contract
    };
    assert!(check_sender(london, &tx, &delegated, false).is_err());
    assert!(check_sender(Spec::of(Fork::Prague), &tx, &delegated, false).is_ok());
}
