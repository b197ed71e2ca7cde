//! Inputs for the precompiles (0x01–0x11, and P256VERIFY at 0x100): mostly well-formed
//! edge cases (generators, the point at infinity, off-curve points, coordinates at or above
//! the field modulus, zero-length and misaligned inputs), sometimes random bytes.

use crate::rng::Rng;
use ember_evm::{hex, U256};

/// BN254 base field modulus.
const BN_P: &str = "30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd47";
/// BN254 group order.
const BN_N: &str = "30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001";
/// BN254 G2 generator in EIP-197 order (x imaginary, x real, y imaginary, y real).
const BN_G2: [&str; 4] = [
    "198e9393920d483a7260bfb731fb5d25f1aa493335a9e71297e485b7aef312c2",
    "1800deef121f1e76426a00665e5c4479674322d4f75edadd46debd5cd992f6ed",
    "090689d0585ff075ec9e99ad690c3395bc4b313370b38ef355acdadcd122975b",
    "12c85ea5db8c6deb4aab71808dcb408fe3d1e7690c43d37b4ce6cc0166fa7daa",
];
/// BLS12-381 base field modulus (48 bytes).
const BLS_P: &str = "1a0111ea397fe69a4b1ba7b6434bacd764774b84f38512bf6730d2a0f6b0f6241eabfffeb153ffffb9feffffffffaaab";
/// BLS12-381 G1 generator (x, y).
const BLS_G1: [&str; 2] = [
    "17f1d3a73197d7942695638c4fa9ac0fc3688c4f9774b905a14e3a3f171bac586c55e83ff97a1aeffb3af00adb22c6bb",
    "08b3f481e3aaa0f1a09e30ed741d8ae4fcf5e095d5d00af600db18cb2c04b3edd03cc744a2888ae40caa232946c5e7e1",
];
/// BLS12-381 G2 generator (x.c0, x.c1, y.c0, y.c1).
const BLS_G2: [&str; 4] = [
    "024aa2b2f08f0a91260805272dc51051c6e47ad4fa403b02b4510b647ae3d1770bac0326a805bbefd48056c8c121bdb8",
    "13e02b6052719f607dacd3a088274f65596bd0d09920b61ab5da61bbdc7f5049334cf11213945d57e5ac7d055d042b7e",
    "0ce5d527727d6e118cc9cdc6da2e351aadfd9baa8cbdd3a76d429a695160d12c923ac9cc3baca289e193548608b82801",
    "0606c4a02ea734cc32acd2b02bc28b99cb3e287e85a763af267492ab572e99ab3f370d275cec1da1aaa9075ff05f79be",
];
/// A valid ecrecover input (hash, v, r, s).
const ECRECOVER_OK: [&str; 4] = [
    "456e9aea5e197a1f1af7a3e85a3212fa4049a3ba34c2289b4c860fc0b0c64ef3",
    "000000000000000000000000000000000000000000000000000000000000001c",
    "9242685bf161793cc25603c231bc2f568eb630ea16aa137d2664ac8038825608",
    "4f8ae3bd7535248d0bd448298cc2e2071e56992d0774dc340c368ae950852ada",
];
/// A valid P256VERIFY input (hash, r, s, x, y), the RIP-7212 example.
const P256_OK: [&str; 5] = [
    "4cee90eb86eaa050036147a12d49004b6b9c72bd725d39d4785011fe190f0b4d",
    "a73bd4903f0ce3b639bbbf6e8e80d16931ff4bcf5993d58468e8fb19086e8cac",
    "36dbcd03009df8c59286b162af3bd7fcc0450c9aa81be5d10d312af6c66b1d60",
    "4aebd3099c618202fcfe16ae7770b0c49ab5eadf74b754204a3bb6060e44eff3",
    "7618b065f9832de4ca6ca971a7a1adc826d0f7c00181a5fb2ddf79ae00b4e10e",
];
/// The secp256r1 group order.
const P256_N: &str = "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551";
/// The secp256r1 field modulus.
const P256_P: &str = "ffffffff00000001000000000000000000000000ffffffffffffffffffffffff";

/// The versioned hash of the KZG commitment to the zero polynomial (the point at infinity).
const KZG_ZERO_VERSIONED_HASH: &str =
    "010657f37554c781402a22917dee2f75def7ab966d7b770905398eba3c444014";

fn h(s: &str) -> Vec<u8> {
    hex::decode(s).expect("constant hex")
}

fn word(v: U256) -> Vec<u8> {
    v.to_be_bytes::<32>().to_vec()
}

/// A BN254 coordinate word: mostly small or valid, sometimes the modulus or random.
fn bn_point(rng: &mut Rng) -> Vec<u8> {
    let mut out = Vec::with_capacity(64);
    match rng.below(7) {
        0 | 1 => {
            out.extend(word(U256::from(1)));
            out.extend(word(U256::from(2)));
        }
        2 => out.extend([0u8; 64]),
        3 => {
            out.extend(word(U256::from(1)));
            out.extend(word(U256::from(3)));
        }
        4 => {
            out.extend(h(BN_P));
            out.extend(word(U256::from(2)));
        }
        5 => {
            // (1, p - 2) = -G
            let p = U256::from_be_slice(&h(BN_P));
            out.extend(word(U256::from(1)));
            out.extend(word(p - U256::from(2)));
        }
        _ => out.extend(rng.bytes(64)),
    }
    out
}

fn bn_g2(rng: &mut Rng) -> Vec<u8> {
    match rng.below(5) {
        0..=2 => BN_G2.iter().flat_map(|s| h(s)).collect(),
        3 => vec![0u8; 128],
        _ => {
            let mut g: Vec<u8> = BN_G2.iter().flat_map(|s| h(s)).collect();
            let i = rng.below(128) as usize;
            g[i] ^= 1 << rng.below(8);
            g
        }
    }
}

fn bn_scalar(rng: &mut Rng) -> Vec<u8> {
    match rng.below(7) {
        0 => word(U256::ZERO),
        1 => word(U256::from(1)),
        2 => word(U256::from(2)),
        3 => h(BN_N),
        4 => word(U256::MAX),
        _ => rng.bytes(32),
    }
}

/// A 64-byte BLS12-381 field element from 48 bytes.
fn fp(bytes48: &[u8]) -> Vec<u8> {
    let mut out = vec![0u8; 16];
    out.extend_from_slice(bytes48);
    out
}

fn bls_g1(rng: &mut Rng) -> Vec<u8> {
    match rng.below(8) {
        0..=2 => BLS_G1.iter().flat_map(|s| fp(&h(s))).collect(),
        3 | 4 => vec![0u8; 128],
        5 => {
            // Off the curve: the generator's y plus one in its last byte.
            let mut g: Vec<u8> = BLS_G1.iter().flat_map(|s| fp(&h(s))).collect();
            g[127] ^= 1;
            g
        }
        6 => {
            // x equal to the modulus.
            let mut g = fp(&h(BLS_P));
            g.extend(fp(&h(BLS_G1[1])));
            g
        }
        _ => {
            // Non-zero top padding.
            let mut g: Vec<u8> = BLS_G1.iter().flat_map(|s| fp(&h(s))).collect();
            g[rng.below(16) as usize] = 1;
            g
        }
    }
}

fn bls_g2(rng: &mut Rng) -> Vec<u8> {
    match rng.below(7) {
        0..=2 => BLS_G2.iter().flat_map(|s| fp(&h(s))).collect(),
        3 | 4 => vec![0u8; 256],
        5 => {
            let mut g: Vec<u8> = BLS_G2.iter().flat_map(|s| fp(&h(s))).collect();
            g[255] ^= 1;
            g
        }
        _ => {
            let mut g = fp(&h(BLS_P));
            g.extend(BLS_G2[1..].iter().flat_map(|s| fp(&h(s))));
            g
        }
    }
}

fn bls_scalar(rng: &mut Rng) -> Vec<u8> {
    match rng.below(5) {
        0 => word(U256::ZERO),
        1 => word(U256::from(1)),
        2 => word(U256::MAX),
        _ => rng.bytes(32),
    }
}

fn bls_fp(rng: &mut Rng) -> Vec<u8> {
    match rng.below(5) {
        0 => fp(&h(BLS_P)),
        1 => vec![0u8; 64],
        _ => {
            let mut b = rng.bytes(48);
            b[0] &= 0x0f; // below the modulus, mostly
            fp(&b)
        }
    }
}

/// Repeats `item` `k` times into one input.
fn repeat(rng: &mut Rng, k: u64, item: &dyn Fn(&mut Rng) -> Vec<u8>) -> Vec<u8> {
    (0..k).flat_map(|_| item(rng)).collect()
}

/// Occasionally trims or extends an input by a few bytes.
fn jitter(rng: &mut Rng, mut input: Vec<u8>) -> Vec<u8> {
    match rng.below(12) {
        0 if !input.is_empty() => {
            let cut = rng.range(1, input.len().min(33) as u64) as usize;
            input.truncate(input.len() - cut);
        }
        1 => {
            let n = rng.range(1, 33) as usize;
            input.extend(rng.bytes(n));
        }
        _ => {}
    }
    input
}

/// An input for the precompile at `address` (by its low bits).
pub fn input(rng: &mut Rng, address: u64) -> Vec<u8> {
    if rng.chance(8) {
        let n = rng.below(200) as usize;
        return rng.bytes(n);
    }
    let raw = match address {
        0x01 => {
            let mut v: Vec<u8> = ECRECOVER_OK.iter().flat_map(|s| h(s)).collect();
            match rng.below(6) {
                0 => v[63] = 27,
                1 => v[63] = 29,
                2 => v[62] = 1,
                3 => v[0] ^= 1,
                4 => v[64..96].copy_from_slice(&[0u8; 32]),
                _ => {}
            }
            v
        }
        0x02..=0x04 => {
            let n = rng.pick(&[0usize, 1, 31, 32, 33, 55, 56, 64, 100, 200]);
            rng.bytes(n)
        }
        0x05 => {
            let len = |rng: &mut Rng| -> U256 {
                match rng.weighted(&[10, 10, 10, 10, 8, 8, 6, 2, 1, 1]) {
                    0 => U256::ZERO,
                    1 => U256::from(1),
                    2 => U256::from(rng.range(2, 31)),
                    3 => U256::from(32),
                    4 => U256::from(rng.range(33, 64)),
                    5 => U256::from(rng.range(65, 200)),
                    6 => U256::from(rng.range(201, 1024)),
                    7 => U256::from(1u64 << 32),
                    8 => U256::MAX,
                    _ => U256::from(u64::MAX),
                }
            };
            let (b, e, m) = (len(rng), len(rng), len(rng));
            let mut v = word(b);
            v.extend(word(e));
            v.extend(word(m));
            let body = [b, e, m]
                .iter()
                .map(|x| x.saturating_to::<u64>().min(1100))
                .sum::<u64>();
            let body = if rng.chance(80) {
                body
            } else {
                rng.below(body + 1)
            };
            let mut data = rng.bytes(body as usize);
            if rng.chance(30) && !data.is_empty() {
                // A modulus that is all zeros, or an exponent of zero.
                let start = rng.below(data.len() as u64) as usize;
                let end = rng.range(start as u64, data.len() as u64) as usize;
                data[start..end].fill(0);
            }
            v.extend(data);
            v
        }
        0x06 => {
            let mut v = bn_point(rng);
            v.extend(bn_point(rng));
            v
        }
        0x07 => {
            let mut v = bn_point(rng);
            v.extend(bn_scalar(rng));
            v
        }
        0x08 => {
            let k = rng.pick(&[0u64, 1, 1, 2, 2, 3]);
            repeat(rng, k, &|r| {
                let mut v = bn_point(r);
                v.extend(bn_g2(r));
                v
            })
        }
        0x09 => {
            let rounds: u32 = match rng.below(6) {
                0 => 0,
                1 => 1,
                2 => 12,
                3 => rng.below(64) as u32,
                _ => rng.below(2000) as u32,
            };
            let mut v = rounds.to_be_bytes().to_vec();
            v.extend(rng.bytes(64 + 128 + 16));
            v.push(match rng.below(10) {
                0 => 2,
                1..=4 => 0,
                _ => 1,
            });
            v
        }
        0x0a => {
            let mut v = h(KZG_ZERO_VERSIONED_HASH);
            let mut z = rng.bytes(32);
            z[0] &= 0x3f;
            v.extend(z);
            v.extend([0u8; 32]);
            let mut inf = vec![0u8; 48];
            inf[0] = 0xc0;
            v.extend(&inf);
            v.extend(&inf);
            match rng.below(6) {
                0 => v[0] = 0x02,
                1 => v[95] = 1,
                2 => v[100] ^= 1,
                3 => v[32..64].fill(0xff),
                _ => {}
            }
            v
        }
        0x0b => {
            let mut v = bls_g1(rng);
            v.extend(bls_g1(rng));
            v
        }
        0x0c => {
            let k = rng.pick(&[0u64, 1, 1, 2, 3]);
            repeat(rng, k, &|r| {
                let mut v = bls_g1(r);
                v.extend(bls_scalar(r));
                v
            })
        }
        0x0d => {
            let mut v = bls_g2(rng);
            v.extend(bls_g2(rng));
            v
        }
        0x0e => {
            let k = rng.pick(&[0u64, 1, 1, 2]);
            repeat(rng, k, &|r| {
                let mut v = bls_g2(r);
                v.extend(bls_scalar(r));
                v
            })
        }
        0x0f => {
            let k = rng.pick(&[0u64, 1, 1, 2]);
            repeat(rng, k, &|r| {
                let mut v = bls_g1(r);
                v.extend(bls_g2(r));
                v
            })
        }
        0x100 => {
            let mut v: Vec<u8> = P256_OK.iter().flat_map(|s| h(s)).collect();
            match rng.below(10) {
                0 => v[0] ^= 1,
                1 => {
                    // s -> n - s (the other, "high" s)
                    let n = U256::from_be_slice(&h(P256_N));
                    let s = U256::from_be_slice(&v[64..96]);
                    v[64..96].copy_from_slice(&word(n - s));
                }
                2 => v[32..64].fill(0),
                3 => v[32..64].copy_from_slice(&h(P256_N)),
                4 => v[96..128].copy_from_slice(&h(P256_P)),
                5 => v[159] ^= 1,
                6 => v[96..160].fill(0),
                _ => {}
            }
            v
        }
        0x10 => bls_fp(rng),
        0x11 => {
            let mut v = bls_fp(rng);
            v.extend(bls_fp(rng));
            v
        }
        _ => rng.bytes(160),
    };
    jitter(rng, raw)
}
