//! `0x0b`–`0x11` BLS12-381 curve operations (Prague, EIP-2537), backed by `blst`.
//!
//! | Address | Precompile      | Input                         | Gas                               |
//! |---------|-----------------|-------------------------------|-----------------------------------|
//! | `0x0b`  | G1ADD           | 2 G1 points (256 bytes)       | 375                               |
//! | `0x0c`  | G1MSM           | k × (G1 point ‖ scalar), 160k | `k * 12000 * discount(k) / 1000`  |
//! | `0x0d`  | G2ADD           | 2 G2 points (512 bytes)       | 600                               |
//! | `0x0e`  | G2MSM           | k × (G2 point ‖ scalar), 288k | `k * 22500 * discount(k) / 1000`  |
//! | `0x0f`  | PAIRING_CHECK   | k × (G1 ‖ G2), 384k           | `32600 * k + 37700`               |
//! | `0x10`  | MAP_FP_TO_G1    | 1 Fp element (64 bytes)       | 5500                              |
//! | `0x11`  | MAP_FP2_TO_G2   | 1 Fp2 element (128 bytes)     | 23800                             |
//!
//! Encoding: a base-field element is 64 big-endian bytes whose top 16 bytes are zero and
//! whose value is below the field modulus `p`. An Fp2 element `c0 + c1·v` is `c0 ‖ c1`. A
//! point is `x ‖ y` (128 bytes in G1, 256 in G2); all zeros encode the point at infinity.
//! Every decoded point must be on its curve; G1ADD and G2ADD skip the subgroup check, MSM and
//! pairing require it. Scalars are 32 big-endian bytes, not reduced modulo the group order.
//! A malformed input fails and consumes all the gas given to the call.

use crate::{charge, PrecompileError, PrecompileFn, PrecompileOutput, PrecompileResult};
use blst::{
    blst_bendian_from_fp, blst_final_exp, blst_fp, blst_fp12, blst_fp12_is_one, blst_fp2,
    blst_fp_from_bendian, blst_map_to_g1, blst_map_to_g2, blst_miller_loop_n, blst_p1,
    blst_p1_add_or_double, blst_p1_affine, blst_p1_affine_in_g1, blst_p1_affine_is_inf,
    blst_p1_affine_on_curve, blst_p1_from_affine, blst_p1_to_affine, blst_p1s_mult_pippenger,
    blst_p1s_mult_pippenger_scratch_sizeof, blst_p2, blst_p2_add_or_double, blst_p2_affine,
    blst_p2_affine_in_g2, blst_p2_affine_is_inf, blst_p2_affine_on_curve, blst_p2_from_affine,
    blst_p2_to_affine, blst_p2s_mult_pippenger, blst_p2s_mult_pippenger_scratch_sizeof, limb_t,
};
use std::ptr;

/// `0x0b` G1ADD: the sum of two G1 points (no subgroup check).
pub const G1_ADD: PrecompileFn = g1_add;
/// `0x0c` G1MSM: `Σ scalar_i · P_i` over G1 points in the subgroup.
pub const G1_MSM: PrecompileFn = g1_msm;
/// `0x0d` G2ADD: the sum of two G2 points (no subgroup check).
pub const G2_ADD: PrecompileFn = g2_add;
/// `0x0e` G2MSM: `Σ scalar_i · Q_i` over G2 points in the subgroup.
pub const G2_MSM: PrecompileFn = g2_msm;
/// `0x0f` PAIRING_CHECK: 1 when `Π e(P_i, Q_i)` is the identity, else 0 (a 32-byte word).
pub const PAIRING_CHECK: PrecompileFn = pairing_check;
/// `0x10` MAP_FP_TO_G1: the simplified SWU map of an Fp element to G1.
pub const MAP_FP_TO_G1: PrecompileFn = map_fp_to_g1;
/// `0x11` MAP_FP2_TO_G2: the simplified SWU map of an Fp2 element to G2.
pub const MAP_FP2_TO_G2: PrecompileFn = map_fp2_to_g2;

/// Gas of G1ADD.
pub const G1_ADD_GAS: u64 = 375;
/// Gas of one G1 scalar multiplication, before the MSM discount.
pub const G1_MUL_GAS: u64 = 12_000;
/// Gas of MAP_FP_TO_G1.
pub const MAP_FP_TO_G1_GAS: u64 = 5_500;
/// Gas of G2ADD.
pub const G2_ADD_GAS: u64 = 600;
/// Gas of one G2 scalar multiplication, before the MSM discount.
pub const G2_MUL_GAS: u64 = 22_500;
/// Gas of MAP_FP2_TO_G2.
pub const MAP_FP2_TO_G2_GAS: u64 = 23_800;
/// Fixed gas of a pairing check.
pub const PAIRING_BASE_GAS: u64 = 37_700;
/// Gas per (G1, G2) pair of a pairing check.
pub const PAIRING_PER_PAIR_GAS: u64 = 32_600;

/// The MSM discount denominator.
pub const MSM_MULTIPLIER: u64 = 1_000;

/// G1MSM discount (per mille) for `k` = 1..=128 pairs, at index `k - 1`.
pub const G1_MSM_DISCOUNT: [u16; 128] = [
    1000, 949, 848, 797, 764, 750, 738, 728, 719, 712, 705, 698, 692, 687, 682, 677, 673, 669, 665,
    661, 658, 654, 651, 648, 645, 642, 640, 637, 635, 632, 630, 627, 625, 623, 621, 619, 617, 615,
    613, 611, 609, 608, 606, 604, 603, 601, 599, 598, 596, 595, 593, 592, 591, 589, 588, 586, 585,
    584, 582, 581, 580, 579, 577, 576, 575, 574, 573, 572, 570, 569, 568, 567, 566, 565, 564, 563,
    562, 561, 560, 559, 558, 557, 556, 555, 554, 553, 552, 551, 550, 549, 548, 547, 547, 546, 545,
    544, 543, 542, 541, 540, 540, 539, 538, 537, 536, 536, 535, 534, 533, 532, 532, 531, 530, 529,
    528, 528, 527, 526, 525, 525, 524, 523, 522, 522, 521, 520, 520, 519,
];
/// G1MSM discount (per mille) for more than 128 pairs.
pub const G1_MSM_MAX_DISCOUNT: u16 = 519;

/// G2MSM discount (per mille) for `k` = 1..=128 pairs, at index `k - 1`.
pub const G2_MSM_DISCOUNT: [u16; 128] = [
    1000, 1000, 923, 884, 855, 832, 812, 796, 782, 770, 759, 749, 740, 732, 724, 717, 711, 704,
    699, 693, 688, 683, 679, 674, 670, 666, 663, 659, 655, 652, 649, 646, 643, 640, 637, 634, 632,
    629, 627, 624, 622, 620, 618, 615, 613, 611, 609, 607, 606, 604, 602, 600, 598, 597, 595, 593,
    592, 590, 589, 587, 586, 584, 583, 582, 580, 579, 578, 576, 575, 574, 573, 571, 570, 569, 568,
    567, 566, 565, 563, 562, 561, 560, 559, 558, 557, 556, 555, 554, 553, 552, 552, 551, 550, 549,
    548, 547, 546, 545, 545, 544, 543, 542, 541, 541, 540, 539, 538, 537, 537, 536, 535, 535, 534,
    533, 532, 532, 531, 530, 530, 529, 528, 528, 527, 526, 526, 525, 524, 524,
];
/// G2MSM discount (per mille) for more than 128 pairs.
pub const G2_MSM_MAX_DISCOUNT: u16 = 524;

/// Length of an encoded Fp element.
pub const FP_LEN: usize = 64;
/// Length of an encoded Fp2 element.
pub const FP2_LEN: usize = 2 * FP_LEN;
/// Length of an encoded G1 point.
pub const G1_LEN: usize = 2 * FP_LEN;
/// Length of an encoded G2 point.
pub const G2_LEN: usize = 2 * FP2_LEN;
/// Length of an encoded scalar.
pub const SCALAR_LEN: usize = 32;
/// Length of one G1MSM pair.
pub const G1_MSM_PAIR_LEN: usize = G1_LEN + SCALAR_LEN;
/// Length of one G2MSM pair.
pub const G2_MSM_PAIR_LEN: usize = G2_LEN + SCALAR_LEN;
/// Length of one pairing-check pair.
pub const PAIRING_PAIR_LEN: usize = G1_LEN + G2_LEN;

/// Zero bytes padding each 48-byte field element to 64.
const FP_PAD: usize = FP_LEN - 48;

/// The base-field modulus `p`, 48 big-endian bytes.
const MODULUS: [u8; 48] = [
    0x1a, 0x01, 0x11, 0xea, 0x39, 0x7f, 0xe6, 0x9a, 0x4b, 0x1b, 0xa7, 0xb6, 0x43, 0x4b, 0xac, 0xd7,
    0x64, 0x77, 0x4b, 0x84, 0xf3, 0x85, 0x12, 0xbf, 0x67, 0x30, 0xd2, 0xa0, 0xf6, 0xb0, 0xf6, 0x24,
    0x1e, 0xab, 0xff, 0xfe, 0xb1, 0x53, 0xff, 0xff, 0xb9, 0xfe, 0xff, 0xff, 0xff, 0xff, 0xaa, 0xab,
];

/// Gas of an MSM over `k` pairs: `k * mul_gas * discount(k) / 1000`, saturating.
pub fn msm_gas(k: usize, mul_gas: u64, discounts: &[u16; 128], max_discount: u16) -> u64 {
    if k == 0 {
        return 0;
    }
    let discount = discounts.get(k - 1).copied().unwrap_or(max_discount);
    let gas = (k as u128) * u128::from(mul_gas) * u128::from(discount) / u128::from(MSM_MULTIPLIER);
    u64::try_from(gas).unwrap_or(u64::MAX)
}

/// Gas of G1MSM over `k` pairs.
pub fn g1_msm_gas(k: usize) -> u64 {
    msm_gas(k, G1_MUL_GAS, &G1_MSM_DISCOUNT, G1_MSM_MAX_DISCOUNT)
}

/// Gas of G2MSM over `k` pairs.
pub fn g2_msm_gas(k: usize) -> u64 {
    msm_gas(k, G2_MUL_GAS, &G2_MSM_DISCOUNT, G2_MSM_MAX_DISCOUNT)
}

/// Gas of a pairing check over `k` pairs.
pub fn pairing_gas(k: usize) -> u64 {
    PAIRING_PER_PAIR_GAS
        .saturating_mul(k as u64)
        .saturating_add(PAIRING_BASE_GAS)
}

const fn fail(reason: &'static str) -> PrecompileError {
    PrecompileError::Failure(reason)
}

// ---------------------------------------------------------------------------------------
// Decoding and encoding.
// ---------------------------------------------------------------------------------------

/// Decodes a 64-byte Fp element: 16 zero bytes, then a big-endian value below `p`.
fn decode_fp(bytes: &[u8]) -> Result<blst_fp, PrecompileError> {
    debug_assert_eq!(bytes.len(), FP_LEN);
    let (pad, value) = bytes.split_at(FP_PAD);
    if pad.iter().any(|&b| b != 0) {
        return Err(fail("bls12-381: field element top 16 bytes are not zero"));
    }
    // Equal-length big-endian byte strings compare like the numbers they encode.
    if value >= &MODULUS[..] {
        return Err(fail("bls12-381: field element not below the modulus"));
    }
    let mut fp = blst_fp::default();
    // SAFETY: `value` holds exactly the 48 bytes `blst_fp_from_bendian` reads, and `fp` is a
    // valid, exclusively borrowed output.
    unsafe { blst_fp_from_bendian(&mut fp, value.as_ptr()) };
    Ok(fp)
}

/// Decodes a 128-byte Fp2 element `c0 ‖ c1`.
fn decode_fp2(bytes: &[u8]) -> Result<blst_fp2, PrecompileError> {
    debug_assert_eq!(bytes.len(), FP2_LEN);
    Ok(blst_fp2 {
        fp: [decode_fp(&bytes[..FP_LEN])?, decode_fp(&bytes[FP_LEN..])?],
    })
}

/// Encodes an Fp element as 16 zero bytes and 48 big-endian bytes into `out` (64 bytes).
fn encode_fp(fp: &blst_fp, out: &mut [u8]) {
    debug_assert_eq!(out.len(), FP_LEN);
    let mut be = [0u8; 48];
    // SAFETY: `be` has room for the 48 bytes written; `fp` is a valid field element.
    unsafe { blst_bendian_from_fp(be.as_mut_ptr(), fp) };
    out[..FP_PAD].fill(0);
    out[FP_PAD..].copy_from_slice(&be);
}

/// Decodes a 128-byte G1 point on the curve; all zeros is the point at infinity (which blst
/// also represents as all zeros). With `subgroup_check`, the point must be in G1.
fn decode_g1(bytes: &[u8], subgroup_check: bool) -> Result<blst_p1_affine, PrecompileError> {
    debug_assert_eq!(bytes.len(), G1_LEN);
    let point = blst_p1_affine {
        x: decode_fp(&bytes[..FP_LEN])?,
        y: decode_fp(&bytes[FP_LEN..])?,
    };
    // SAFETY: `point` is a valid affine point for the duration of the call.
    if !unsafe { blst_p1_affine_on_curve(&point) } {
        return Err(fail("bls12-381: G1 point not on the curve"));
    }
    // SAFETY: as above; `point` is on the curve (or infinity).
    if subgroup_check && !unsafe { blst_p1_affine_in_g1(&point) } {
        return Err(fail("bls12-381: G1 point not in the subgroup"));
    }
    Ok(point)
}

/// Decodes a 256-byte G2 point on the curve; all zeros is the point at infinity. With
/// `subgroup_check`, the point must be in G2.
fn decode_g2(bytes: &[u8], subgroup_check: bool) -> Result<blst_p2_affine, PrecompileError> {
    debug_assert_eq!(bytes.len(), G2_LEN);
    let point = blst_p2_affine {
        x: decode_fp2(&bytes[..FP2_LEN])?,
        y: decode_fp2(&bytes[FP2_LEN..])?,
    };
    // SAFETY: `point` is a valid affine point for the duration of the call.
    if !unsafe { blst_p2_affine_on_curve(&point) } {
        return Err(fail("bls12-381: G2 point not on the curve"));
    }
    // SAFETY: as above; `point` is on the curve (or infinity).
    if subgroup_check && !unsafe { blst_p2_affine_in_g2(&point) } {
        return Err(fail("bls12-381: G2 point not in the subgroup"));
    }
    Ok(point)
}

/// Encodes a G1 point as `x ‖ y` (128 bytes); infinity is all zeros.
fn encode_g1(point: &blst_p1) -> Vec<u8> {
    let mut affine = blst_p1_affine::default();
    // SAFETY: `point` is a valid projective point and `affine` a valid output; blst maps the
    // point at infinity (Z = 0) to the all-zero affine point.
    unsafe { blst_p1_to_affine(&mut affine, point) };
    let mut out = vec![0u8; G1_LEN];
    encode_fp(&affine.x, &mut out[..FP_LEN]);
    encode_fp(&affine.y, &mut out[FP_LEN..]);
    out
}

/// Encodes a G2 point as `x.c0 ‖ x.c1 ‖ y.c0 ‖ y.c1` (256 bytes); infinity is all zeros.
fn encode_g2(point: &blst_p2) -> Vec<u8> {
    let mut affine = blst_p2_affine::default();
    // SAFETY: `point` is a valid projective point and `affine` a valid output; blst maps the
    // point at infinity (Z = 0) to the all-zero affine point.
    unsafe { blst_p2_to_affine(&mut affine, point) };
    let mut out = vec![0u8; G2_LEN];
    let coords = [
        &affine.x.fp[0],
        &affine.x.fp[1],
        &affine.y.fp[0],
        &affine.y.fp[1],
    ];
    for (fp, chunk) in coords.into_iter().zip(out.chunks_exact_mut(FP_LEN)) {
        encode_fp(fp, chunk);
    }
    out
}

/// A big-endian scalar as little-endian bytes (blst's scalar order); `None` when zero.
fn scalar_le(be: &[u8]) -> Option<[u8; SCALAR_LEN]> {
    debug_assert_eq!(be.len(), SCALAR_LEN);
    if be.iter().all(|&b| b == 0) {
        return None;
    }
    let mut le = [0u8; SCALAR_LEN];
    for (dst, src) in le.iter_mut().zip(be.iter().rev()) {
        *dst = *src;
    }
    Some(le)
}

// ---------------------------------------------------------------------------------------
// Group arithmetic.
// ---------------------------------------------------------------------------------------

fn p1_from_affine(point: &blst_p1_affine) -> blst_p1 {
    let mut out = blst_p1::default();
    // SAFETY: both pointers are valid; the all-zero affine point becomes Z = 0 (infinity).
    unsafe { blst_p1_from_affine(&mut out, point) };
    out
}

fn p2_from_affine(point: &blst_p2_affine) -> blst_p2 {
    let mut out = blst_p2::default();
    // SAFETY: both pointers are valid; the all-zero affine point becomes Z = 0 (infinity).
    unsafe { blst_p2_from_affine(&mut out, point) };
    out
}

/// `Σ scalars_i · points_i` in G1. The points must be finite and in G1, the scalars non-zero,
/// 32 little-endian bytes each (`scalars.len() == 32 * points.len()`), and `points` non-empty.
fn p1_msm(points: &[blst_p1_affine], scalars: &[u8]) -> blst_p1 {
    assert!(!points.is_empty() && scalars.len() == SCALAR_LEN * points.len());
    let mut out = blst_p1::default();
    // A two-entry pointer list whose second entry is null tells blst the points (scalars)
    // lie contiguously from the first one.
    let point_ptrs = [points.as_ptr(), ptr::null()];
    let scalar_ptrs = [scalars.as_ptr(), ptr::null()];
    // SAFETY: `blst_p1s_mult_pippenger_scratch_sizeof` only computes a size.
    let scratch_bytes = unsafe { blst_p1s_mult_pippenger_scratch_sizeof(points.len()) };
    let mut scratch = vec![0 as limb_t; scratch_bytes.div_ceil(size_of::<limb_t>())];
    // SAFETY: `points` holds `points.len()` affine points and `scalars` as many 32-byte
    // (256-bit) scalars, both contiguous as signalled by the null second pointer; `scratch`
    // has the size blst asked for; `out` is a valid output. The points are finite and in the
    // subgroup, as the batched routines assume.
    unsafe {
        blst_p1s_mult_pippenger(
            &mut out,
            point_ptrs.as_ptr(),
            points.len(),
            scalar_ptrs.as_ptr(),
            SCALAR_LEN * 8,
            scratch.as_mut_ptr(),
        )
    };
    out
}

/// `Σ scalars_i · points_i` in G2, with the requirements of [`p1_msm`].
fn p2_msm(points: &[blst_p2_affine], scalars: &[u8]) -> blst_p2 {
    assert!(!points.is_empty() && scalars.len() == SCALAR_LEN * points.len());
    let mut out = blst_p2::default();
    let point_ptrs = [points.as_ptr(), ptr::null()];
    let scalar_ptrs = [scalars.as_ptr(), ptr::null()];
    // SAFETY: `blst_p2s_mult_pippenger_scratch_sizeof` only computes a size.
    let scratch_bytes = unsafe { blst_p2s_mult_pippenger_scratch_sizeof(points.len()) };
    let mut scratch = vec![0 as limb_t; scratch_bytes.div_ceil(size_of::<limb_t>())];
    // SAFETY: as in `p1_msm`, for G2.
    unsafe {
        blst_p2s_mult_pippenger(
            &mut out,
            point_ptrs.as_ptr(),
            points.len(),
            scalar_ptrs.as_ptr(),
            SCALAR_LEN * 8,
            scratch.as_mut_ptr(),
        )
    };
    out
}

// ---------------------------------------------------------------------------------------
// The precompiles.
// ---------------------------------------------------------------------------------------

fn g1_add(input: &[u8], gas_limit: u64) -> PrecompileResult {
    if input.len() != 2 * G1_LEN {
        return Err(fail("bls12-381: G1ADD input must be 256 bytes"));
    }
    charge(G1_ADD_GAS, gas_limit)?;
    let a = p1_from_affine(&decode_g1(&input[..G1_LEN], false)?);
    let b = p1_from_affine(&decode_g1(&input[G1_LEN..], false)?);
    let mut sum = blst_p1::default();
    // SAFETY: all pointers are valid; `blst_p1_add_or_double` handles infinity, doubling and
    // points outside the subgroup (it only needs them on the curve).
    unsafe { blst_p1_add_or_double(&mut sum, &a, &b) };
    Ok(PrecompileOutput::new(G1_ADD_GAS, encode_g1(&sum)))
}

fn g2_add(input: &[u8], gas_limit: u64) -> PrecompileResult {
    if input.len() != 2 * G2_LEN {
        return Err(fail("bls12-381: G2ADD input must be 512 bytes"));
    }
    charge(G2_ADD_GAS, gas_limit)?;
    let a = p2_from_affine(&decode_g2(&input[..G2_LEN], false)?);
    let b = p2_from_affine(&decode_g2(&input[G2_LEN..], false)?);
    let mut sum = blst_p2::default();
    // SAFETY: as in `g1_add`, for G2.
    unsafe { blst_p2_add_or_double(&mut sum, &a, &b) };
    Ok(PrecompileOutput::new(G2_ADD_GAS, encode_g2(&sum)))
}

fn g1_msm(input: &[u8], gas_limit: u64) -> PrecompileResult {
    if input.is_empty() || !input.len().is_multiple_of(G1_MSM_PAIR_LEN) {
        return Err(fail(
            "bls12-381: G1MSM input must be a non-zero multiple of 160 bytes",
        ));
    }
    let k = input.len() / G1_MSM_PAIR_LEN;
    let gas = g1_msm_gas(k);
    charge(gas, gas_limit)?;
    let mut points = Vec::with_capacity(k);
    let mut scalars = Vec::with_capacity(k * SCALAR_LEN);
    for pair in input.chunks_exact(G1_MSM_PAIR_LEN) {
        let point = decode_g1(&pair[..G1_LEN], true)?;
        // Pairs with a zero scalar or the point at infinity add nothing; dropping them keeps
        // infinity out of blst's batched routines.
        // SAFETY: `point` is a valid affine point.
        if unsafe { blst_p1_affine_is_inf(&point) } {
            continue;
        }
        if let Some(scalar) = scalar_le(&pair[G1_LEN..]) {
            points.push(point);
            scalars.extend_from_slice(&scalar);
        }
    }
    let result = if points.is_empty() {
        blst_p1::default()
    } else {
        p1_msm(&points, &scalars)
    };
    Ok(PrecompileOutput::new(gas, encode_g1(&result)))
}

fn g2_msm(input: &[u8], gas_limit: u64) -> PrecompileResult {
    if input.is_empty() || !input.len().is_multiple_of(G2_MSM_PAIR_LEN) {
        return Err(fail(
            "bls12-381: G2MSM input must be a non-zero multiple of 288 bytes",
        ));
    }
    let k = input.len() / G2_MSM_PAIR_LEN;
    let gas = g2_msm_gas(k);
    charge(gas, gas_limit)?;
    let mut points = Vec::with_capacity(k);
    let mut scalars = Vec::with_capacity(k * SCALAR_LEN);
    for pair in input.chunks_exact(G2_MSM_PAIR_LEN) {
        let point = decode_g2(&pair[..G2_LEN], true)?;
        // SAFETY: `point` is a valid affine point.
        if unsafe { blst_p2_affine_is_inf(&point) } {
            continue;
        }
        if let Some(scalar) = scalar_le(&pair[G2_LEN..]) {
            points.push(point);
            scalars.extend_from_slice(&scalar);
        }
    }
    let result = if points.is_empty() {
        blst_p2::default()
    } else {
        p2_msm(&points, &scalars)
    };
    Ok(PrecompileOutput::new(gas, encode_g2(&result)))
}

fn pairing_check(input: &[u8], gas_limit: u64) -> PrecompileResult {
    if input.is_empty() || !input.len().is_multiple_of(PAIRING_PAIR_LEN) {
        return Err(fail(
            "bls12-381: pairing input must be a non-zero multiple of 384 bytes",
        ));
    }
    let k = input.len() / PAIRING_PAIR_LEN;
    let gas = pairing_gas(k);
    charge(gas, gas_limit)?;
    let mut g1s = Vec::with_capacity(k);
    let mut g2s = Vec::with_capacity(k);
    for pair in input.chunks_exact(PAIRING_PAIR_LEN) {
        let p = decode_g1(&pair[..G1_LEN], true)?;
        let q = decode_g2(&pair[G1_LEN..], true)?;
        // e(P, Q) is 1 when either point is infinity: such pairs change nothing.
        // SAFETY: `p` and `q` are valid affine points.
        if unsafe { blst_p1_affine_is_inf(&p) || blst_p2_affine_is_inf(&q) } {
            continue;
        }
        g1s.push(p);
        g2s.push(q);
    }
    let mut is_one = true;
    if !g1s.is_empty() {
        let mut miller = blst_fp12::default();
        let mut result = blst_fp12::default();
        let q_ptrs = [g2s.as_ptr(), ptr::null()];
        let p_ptrs = [g1s.as_ptr(), ptr::null()];
        // SAFETY: `g1s` and `g2s` each hold `g1s.len()` finite subgroup points, contiguous as
        // the null second pointers signal; `miller` and `result` are valid outputs.
        unsafe {
            blst_miller_loop_n(&mut miller, q_ptrs.as_ptr(), p_ptrs.as_ptr(), g1s.len());
            blst_final_exp(&mut result, &miller);
            is_one = blst_fp12_is_one(&result);
        }
    }
    let mut out = vec![0u8; 32];
    out[31] = u8::from(is_one);
    Ok(PrecompileOutput::new(gas, out))
}

fn map_fp_to_g1(input: &[u8], gas_limit: u64) -> PrecompileResult {
    if input.len() != FP_LEN {
        return Err(fail("bls12-381: MAP_FP_TO_G1 input must be 64 bytes"));
    }
    charge(MAP_FP_TO_G1_GAS, gas_limit)?;
    let u = decode_fp(input)?;
    let mut point = blst_p1::default();
    // SAFETY: `u` is a valid field element and `point` a valid output; a null second element
    // asks for the plain map of `u` (SWU, isogeny, cofactor clearing) with no hashing.
    unsafe { blst_map_to_g1(&mut point, &u, ptr::null()) };
    Ok(PrecompileOutput::new(MAP_FP_TO_G1_GAS, encode_g1(&point)))
}

fn map_fp2_to_g2(input: &[u8], gas_limit: u64) -> PrecompileResult {
    if input.len() != FP2_LEN {
        return Err(fail("bls12-381: MAP_FP2_TO_G2 input must be 128 bytes"));
    }
    charge(MAP_FP2_TO_G2_GAS, gas_limit)?;
    let u = decode_fp2(input)?;
    let mut point = blst_p2::default();
    // SAFETY: as in `map_fp_to_g1`, for G2.
    unsafe { blst_map_to_g2(&mut point, &u, ptr::null()) };
    Ok(PrecompileOutput::new(MAP_FP2_TO_G2_GAS, encode_g2(&point)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{addresses, Precompiles};
    use blst::{blst_p1_add_or_double, blst_p1_cneg, blst_p1_mult, blst_p2_cneg, blst_p2_mult};
    use ember_primitives::Fork;

    // Expected values computed independently with py_ecc (the execution specs' backend).
    const G1: &str = "0000000000000000000000000000000017f1d3a73197d7942695638c4fa9ac0fc3688c4f9774b905a14e3a3f171bac586c55e83ff97a1aeffb3af00adb22c6bb0000000000000000000000000000000008b3f481e3aaa0f1a09e30ed741d8ae4fcf5e095d5d00af600db18cb2c04b3edd03cc744a2888ae40caa232946c5e7e1";
    const G1_DOUBLE: &str = "000000000000000000000000000000000572cbea904d67468808c8eb50a9450c9721db309128012543902d0ac358a62ae28f75bb8f1c7c42c39a8c5529bf0f4e00000000000000000000000000000000166a9d8cabc673a322fda673779d8e3822ba3ecb8670e461f73bb9021d5fd76a4c56d9d4cd16bd1bba86881979749d28";
    const G2: &str = "00000000000000000000000000000000024aa2b2f08f0a91260805272dc51051c6e47ad4fa403b02b4510b647ae3d1770bac0326a805bbefd48056c8c121bdb80000000000000000000000000000000013e02b6052719f607dacd3a088274f65596bd0d09920b61ab5da61bbdc7f5049334cf11213945d57e5ac7d055d042b7e000000000000000000000000000000000ce5d527727d6e118cc9cdc6da2e351aadfd9baa8cbdd3a76d429a695160d12c923ac9cc3baca289e193548608b82801000000000000000000000000000000000606c4a02ea734cc32acd2b02bc28b99cb3e287e85a763af267492ab572e99ab3f370d275cec1da1aaa9075ff05f79be";
    const G2_DOUBLE: &str = "000000000000000000000000000000001638533957d540a9d2370f17cc7ed5863bc0b995b8825e0ee1ea1e1e4d00dbae81f14b0bf3611b78c952aacab827a053000000000000000000000000000000000a4edef9c1ed7f729f520e47730a124fd70662a904ba1074728114d1031e1572c6c886f6b57ec72a6178288c47c33577000000000000000000000000000000000468fb440d82b0630aeb8dca2b5256789a66da69bf91009cbfe6bd221e47aa8ae88dece9764bf3bd999d95d71e4c9899000000000000000000000000000000000f6d4552fa65dd2638b361543f887136a43253d9c66c411697003f7a13c308f5422e1aa0a59c8967acdefd8b6e36ccf3";
    /// `(2^256 - 1) · G1`.
    const G1_MAX_SCALAR: &str = "0000000000000000000000000000000016ea601ca88f7d3489479129b258960b4c1df37194d30803627c30c34252679a0ada1a51bc7a4006a4f0564050d3174600000000000000000000000000000000039e394a6f95c4a2f27bf38f950b2af8d2aa8e0c4a1ffbe9ca518d1bedb573e310fba8f436aec3a3c8f2655fad5e2013";
    /// `(2^256 - 1) · G2`.
    const G2_MAX_SCALAR: &str = "000000000000000000000000000000001894914549a2c52cf2780a07ca06db9147bf7b6a8ca3bc54915a6b3173986be41448500d2f103b6b51c59d71cb8ffcff00000000000000000000000000000000103fce7f3245b093eb614cb59dadb177f3462b162204f785dda90bdc1b5a34bf93ad1b41289bea4a9a944887974cfda2000000000000000000000000000000000a37200b9f3309d4c123ef920f20424e10d075f130057e3d4e7390b4eaca02d59e46171ef74907370b6277418252ff8800000000000000000000000000000000170fc445500aeebc2a728d9c10a760f94e4076091493430284434c67e1bd5561516c1ad102430cd7c115fe7903e95e96";
    /// `map_fp_to_g1(1)`.
    const MAP_G1_ONE: &str = "000000000000000000000000000000001073311196f8ef19477219ccee3a48035ff432295aa9419eed45d186027d88b90832e14c4f0e2aa4d15f54d1c3ed0f9300000000000000000000000000000000034d6e3755a2073039d609db4cf3aef548283b5cc92f1021cbdb276414bcd8072b112d80a2b0a7dbf22bdaf17e006d45";
    /// `map_fp2_to_g2(1 + 2v)`.
    const MAP_G2_ONE_TWO: &str = "0000000000000000000000000000000003affe41434a0ba0c57a12a44659cb0a3880ab68671d59e14ada0697e1e284a24bbd1027e73fb2a5fa1b7b83a2ee3693000000000000000000000000000000000afb7419b48cf4b1d4205cb7a65b76bb00da7a3bdfa1b8da5bfda384aa78e27dbe4838d2660c885c80845e83ff4eea300000000000000000000000000000000016472687b24e83cbb72b626b04f37e880ff22701500ab276f7a553cd95315b06f39f8f21218aabc3367aeca0152322e8000000000000000000000000000000000a17e8006aa32586025a73fb9f5147067aeec10241a8eca8d8e2f121cf18080cfb0618c528d92a5ad538c7ffcf46d81f";
    /// A point on the G2 curve outside the subgroup (the SWU map of `3 + 4v`, cofactor kept).
    const G2_NOT_IN_SUBGROUP: &str = "0000000000000000000000000000000017ed5a23e53d657131dd88d86d6ac21c33d8a68d17fd100626eed2c2b21e1ae463ded085cea517f5abe00740654bf59e000000000000000000000000000000001287a04d8837c5c81c97f13eeb6dfde38e10ae4a921be9558c288f104426b05800a129695aeca4d349d55dfb2d0471860000000000000000000000000000000002b54716ab232b0be534264fd667dc90dd33b55b7a304e11497569f0f8684c238e229435f787c8c7d74cb43ddcc27b73000000000000000000000000000000000648c3136338c48532a613a97d1d8f9f71a42bfdaf96b0b848d3229048c13786ae608f712d6750f11e8184a1ac52fdaf";
    /// The G1 group order `r`, big-endian.
    const R: &str = "73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001";

    fn hex(s: &str) -> Vec<u8> {
        assert!(s.len().is_multiple_of(2));
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    fn cat(parts: &[&[u8]]) -> Vec<u8> {
        parts.concat()
    }

    fn scalar(n: u64) -> [u8; 32] {
        let mut out = [0u8; 32];
        out[24..].copy_from_slice(&n.to_be_bytes());
        out
    }

    /// `-point` for an encoded G1 point.
    fn neg_g1(encoded: &[u8]) -> Vec<u8> {
        let mut p = p1_from_affine(&decode_g1(encoded, false).unwrap());
        // SAFETY: `p` is a valid point.
        unsafe { blst_p1_cneg(&mut p, true) };
        encode_g1(&p)
    }

    /// `-point` for an encoded G2 point.
    fn neg_g2(encoded: &[u8]) -> Vec<u8> {
        let mut p = p2_from_affine(&decode_g2(encoded, false).unwrap());
        // SAFETY: `p` is a valid point.
        unsafe { blst_p2_cneg(&mut p, true) };
        encode_g2(&p)
    }

    fn ok(f: PrecompileFn, input: &[u8]) -> (u64, Vec<u8>) {
        let out = f(input, u64::MAX).unwrap();
        (out.gas_used, out.output.to_vec())
    }

    fn err(f: PrecompileFn, input: &[u8]) -> &'static str {
        match f(input, u64::MAX) {
            Err(PrecompileError::Failure(reason)) => reason,
            other => panic!("expected a failure, got {other:?}"),
        }
    }

    #[test]
    fn registered_in_prague() {
        let prague = Precompiles::for_fork(Fork::Prague);
        let cancun = Precompiles::for_fork(Fork::Cancun);
        for n in 0x0b..=0x11 {
            let address = crate::precompile_address(n);
            assert!(prague.contains(&address), "{n:#x}");
            assert!(
                Precompiles::for_fork(Fork::Osaka).contains(&address),
                "{n:#x}"
            );
            assert!(!cancun.contains(&address), "{n:#x}");
        }
        let g1_add = prague.get(&addresses::BLS12_G1_ADD).unwrap();
        let input = cat(&[&hex(G1), &hex(G1)]);
        assert_eq!(g1_add(&input, 375).unwrap().output.to_vec(), hex(G1_DOUBLE));
        let map = prague.get(&addresses::BLS12_MAP_FP2_TO_G2).unwrap();
        assert_eq!(map(&[0; 128], 23_800).unwrap().gas_used, 23_800);
    }

    #[test]
    fn g1_add_double_and_infinity() {
        let (g, g2x, inf) = (hex(G1), hex(G1_DOUBLE), vec![0u8; G1_LEN]);
        assert_eq!(ok(G1_ADD, &cat(&[&g, &g])), (375, g2x.clone()));
        assert_eq!(ok(G1_ADD, &cat(&[&g, &inf])).1, g);
        assert_eq!(ok(G1_ADD, &cat(&[&inf, &g])).1, g);
        assert_eq!(ok(G1_ADD, &cat(&[&inf, &inf])).1, inf);
        assert_eq!(ok(G1_ADD, &cat(&[&g, &neg_g1(&g)])).1, inf);
        // 2G + (-G) = G.
        assert_eq!(ok(G1_ADD, &cat(&[&g2x, &neg_g1(&g)])).1, g);
    }

    #[test]
    fn g2_add_double_and_infinity() {
        let (g, g2x, inf) = (hex(G2), hex(G2_DOUBLE), vec![0u8; G2_LEN]);
        assert_eq!(ok(G2_ADD, &cat(&[&g, &g])), (600, g2x.clone()));
        assert_eq!(ok(G2_ADD, &cat(&[&g, &inf])).1, g);
        assert_eq!(ok(G2_ADD, &cat(&[&inf, &g])).1, g);
        assert_eq!(ok(G2_ADD, &cat(&[&inf, &inf])).1, inf);
        assert_eq!(ok(G2_ADD, &cat(&[&g, &neg_g2(&g)])).1, inf);
        assert_eq!(ok(G2_ADD, &cat(&[&g2x, &neg_g2(&g)])).1, g);
    }

    #[test]
    fn add_skips_subgroup_check_but_msm_requires_it() {
        // (0, 2) is on y² = x³ + 4 but outside G1.
        let mut outside = vec![0u8; G1_LEN];
        outside[G1_LEN - 1] = 2;
        let (_, sum) = ok(G1_ADD, &cat(&[&outside, &[0u8; G1_LEN]]));
        assert_eq!(sum, outside);
        assert_eq!(
            err(G1_MSM, &cat(&[&outside, &scalar(1)])),
            "bls12-381: G1 point not in the subgroup"
        );
        let pairing_input = cat(&[&outside, &hex(G2)]);
        assert_eq!(
            err(PAIRING_CHECK, &pairing_input),
            "bls12-381: G1 point not in the subgroup"
        );

        let outside = hex(G2_NOT_IN_SUBGROUP);
        ok(G2_ADD, &cat(&[&outside, &hex(G2)]));
        assert_eq!(
            err(G2_MSM, &cat(&[&outside, &scalar(1)])),
            "bls12-381: G2 point not in the subgroup"
        );
        assert_eq!(
            err(PAIRING_CHECK, &cat(&[&hex(G1), &outside])),
            "bls12-381: G2 point not in the subgroup"
        );
        // Zero scalars or not, the subgroup check applies to every MSM pair.
        assert_eq!(
            err(G2_MSM, &cat(&[&hex(G2), &scalar(1), &outside, &scalar(0)])),
            "bls12-381: G2 point not in the subgroup"
        );
    }

    #[test]
    fn encoding_failures() {
        let g = hex(G1);
        // Non-zero byte in the 16-byte padding of x, then of y.
        for index in [0, 15, FP_LEN, FP_LEN + 15] {
            let mut bad = g.clone();
            bad[index] = 1;
            assert_eq!(
                err(G1_ADD, &cat(&[&bad, &g])),
                "bls12-381: field element top 16 bytes are not zero"
            );
        }
        // A coordinate equal to p, and to p + 1 (x = p would be x = 0 if reduced).
        let mut at_p = vec![0u8; G1_LEN];
        at_p[FP_PAD..FP_LEN].copy_from_slice(&MODULUS);
        at_p[G1_LEN - 1] = 2;
        let reason = "bls12-381: field element not below the modulus";
        assert_eq!(err(G1_ADD, &cat(&[&at_p, &g])), reason);
        assert_eq!(err(G1_MSM, &cat(&[&at_p, &scalar(1)])), reason);
        let mut fp = vec![0u8; FP_LEN];
        fp[FP_PAD..].copy_from_slice(&MODULUS);
        assert_eq!(err(MAP_FP_TO_G1, &fp), reason);
        fp[FP_LEN - 1] += 1;
        assert_eq!(err(MAP_FP_TO_G1, &fp), reason);
        assert_eq!(err(MAP_FP2_TO_G2, &cat(&[&[0u8; FP_LEN], &fp])), reason);
        let mut g2 = hex(G2);
        g2[3 * FP_LEN..].copy_from_slice(&fp);
        assert_eq!(err(G2_ADD, &cat(&[&hex(G2), &g2])), reason);
        // p - 1 is a valid field element.
        fp[FP_LEN - 1] -= 2;
        ok(MAP_FP_TO_G1, &fp);
        // Not on the curve: (1, 1), and G with y + 1.
        let mut one_one = vec![0u8; G1_LEN];
        one_one[FP_LEN - 1] = 1;
        one_one[G1_LEN - 1] = 1;
        assert_eq!(
            err(G1_ADD, &cat(&[&g, &one_one])),
            "bls12-381: G1 point not on the curve"
        );
        let mut g2_off = hex(G2);
        g2_off[G2_LEN - 1] ^= 1;
        assert_eq!(
            err(G2_ADD, &cat(&[&g2_off, &hex(G2)])),
            "bls12-381: G2 point not on the curve"
        );
        assert_eq!(
            err(G2_MSM, &cat(&[&g2_off, &scalar(1)])),
            "bls12-381: G2 point not on the curve"
        );
        // (0, y) with y ≠ ±2 is not infinity and not on the curve.
        let mut zero_x = vec![0u8; G1_LEN];
        zero_x[G1_LEN - 1] = 1;
        assert_eq!(
            err(G1_ADD, &cat(&[&zero_x, &g])),
            "bls12-381: G1 point not on the curve"
        );
    }

    #[test]
    fn length_failures() {
        for len in [0, 255, 257, 512] {
            assert!(G1_ADD(&vec![0; len], u64::MAX).is_err(), "{len}");
        }
        for len in [0, 511, 513, 256] {
            assert!(G2_ADD(&vec![0; len], u64::MAX).is_err(), "{len}");
        }
        for len in [0, 159, 161, 288] {
            assert!(G1_MSM(&vec![0; len], u64::MAX).is_err(), "{len}");
        }
        for len in [0, 287, 289, 160] {
            assert!(G2_MSM(&vec![0; len], u64::MAX).is_err(), "{len}");
        }
        for len in [0, 383, 385, 128] {
            assert!(PAIRING_CHECK(&vec![0; len], u64::MAX).is_err(), "{len}");
        }
        for len in [0, 63, 65, 32] {
            assert!(MAP_FP_TO_G1(&vec![0; len], u64::MAX).is_err(), "{len}");
        }
        for len in [0, 127, 129, 64] {
            assert!(MAP_FP2_TO_G2(&vec![0; len], u64::MAX).is_err(), "{len}");
        }
        // Valid lengths of all zeros (infinity / zero scalars / u = 0) succeed.
        assert_eq!(ok(G1_MSM, &[0; 160]).1, vec![0; G1_LEN]);
        assert_eq!(ok(G2_MSM, &[0; 288]).1, vec![0; G2_LEN]);
        ok(MAP_FP_TO_G1, &[0; 64]);
        ok(MAP_FP2_TO_G2, &[0; 128]);
    }

    #[test]
    fn pairing_check() {
        let (p, q) = (hex(G1), hex(G2));
        let true_word = scalar(1).to_vec();
        let false_word = vec![0u8; 32];
        // e(P, Q) · e(-P, Q) = 1.
        let (gas, out) = ok(PAIRING_CHECK, &cat(&[&p, &q, &neg_g1(&p), &q]));
        assert_eq!((gas, out), (32_600 * 2 + 37_700, true_word.clone()));
        // e(P, Q) · e(P, -Q) = 1 and e(2P, Q) · e(-P, 2Q) = 1.
        assert_eq!(
            ok(PAIRING_CHECK, &cat(&[&p, &q, &p, &neg_g2(&q)])).1,
            true_word
        );
        let (p2, q2) = (hex(G1_DOUBLE), hex(G2_DOUBLE));
        assert_eq!(
            ok(PAIRING_CHECK, &cat(&[&p2, &q, &neg_g1(&p), &q2])).1,
            true_word
        );
        // e(P, Q) alone and e(P, Q) · e(P, Q) are not 1.
        assert_eq!(
            ok(PAIRING_CHECK, &cat(&[&p, &q])),
            (70_300, false_word.clone())
        );
        assert_eq!(ok(PAIRING_CHECK, &cat(&[&p, &q, &p, &q])).1, false_word);
        // Pairs with infinity contribute 1.
        let (p_inf, q_inf) = (vec![0u8; G1_LEN], vec![0u8; G2_LEN]);
        assert_eq!(ok(PAIRING_CHECK, &cat(&[&p_inf, &q_inf])).1, true_word);
        assert_eq!(
            ok(PAIRING_CHECK, &cat(&[&p, &q_inf, &p_inf, &q])).1,
            true_word
        );
        assert_eq!(ok(PAIRING_CHECK, &cat(&[&p_inf, &q, &p, &q])).1, false_word);
    }

    #[test]
    fn map_to_curve() {
        let mut one = vec![0u8; FP_LEN];
        one[FP_LEN - 1] = 1;
        assert_eq!(ok(MAP_FP_TO_G1, &one), (5_500, hex(MAP_G1_ONE)));
        let mut two = vec![0u8; FP_LEN];
        two[FP_LEN - 1] = 2;
        assert_eq!(
            ok(MAP_FP2_TO_G2, &cat(&[&one, &two])),
            (23_800, hex(MAP_G2_ONE_TWO))
        );
    }

    #[test]
    fn msm_values() {
        let (g, g2) = (hex(G1), hex(G2));
        let max = [0xffu8; 32];
        assert_eq!(ok(G1_MSM, &cat(&[&g, &scalar(2)])).1, hex(G1_DOUBLE));
        assert_eq!(ok(G2_MSM, &cat(&[&g2, &scalar(2)])).1, hex(G2_DOUBLE));
        assert_eq!(ok(G1_MSM, &cat(&[&g, &max])).1, hex(G1_MAX_SCALAR));
        assert_eq!(ok(G2_MSM, &cat(&[&g2, &max])).1, hex(G2_MAX_SCALAR));
        // Scalars are not reduced, but r · P = 0 and (r + 2) · P = 2P.
        let r: [u8; 32] = hex(R).try_into().unwrap();
        let mut r_plus_2 = r;
        r_plus_2[31] += 2;
        assert_eq!(ok(G1_MSM, &cat(&[&g, &r])).1, vec![0; G1_LEN]);
        assert_eq!(ok(G1_MSM, &cat(&[&g, &r_plus_2])).1, hex(G1_DOUBLE));
        assert_eq!(ok(G2_MSM, &cat(&[&g2, &r])).1, vec![0; G2_LEN]);
        assert_eq!(ok(G2_MSM, &cat(&[&g2, &r_plus_2])).1, hex(G2_DOUBLE));
        // G + G, 3G + (-G), and zero-scalar / infinity pairs mixed in.
        let inf1 = vec![0u8; G1_LEN];
        let input = cat(&[
            &g,
            &scalar(1),
            &inf1,
            &scalar(9),
            &g,
            &scalar(1),
            &g,
            &scalar(0),
        ]);
        assert_eq!(ok(G1_MSM, &input), (g1_msm_gas(4), hex(G1_DOUBLE)));
        let input = cat(&[&g, &scalar(3), &neg_g1(&g), &scalar(1)]);
        assert_eq!(ok(G1_MSM, &input).1, hex(G1_DOUBLE));
        let input = cat(&[&g, &scalar(5), &neg_g1(&g), &scalar(5)]);
        assert_eq!(ok(G1_MSM, &input).1, inf1);
        let inf2 = vec![0u8; G2_LEN];
        let input = cat(&[&g2, &scalar(1), &inf2, &scalar(9), &g2, &scalar(1)]);
        assert_eq!(ok(G2_MSM, &input).1, hex(G2_DOUBLE));
        let input = cat(&[&g2, &scalar(7), &neg_g2(&g2), &scalar(5)]);
        assert_eq!(ok(G2_MSM, &input).1, hex(G2_DOUBLE));
    }

    /// Pippenger (and blst's small-count path) agrees with a sum of single multiplications
    /// for many pairs, repeated points and full 256-bit scalars.
    #[test]
    fn msm_matches_naive_sum() {
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        // SAFETY: the generators are static points.
        let (g1, g2) = unsafe { (*blst::blst_p1_generator(), *blst::blst_p2_generator()) };
        for k in [1usize, 2, 3, 31, 32, 33, 64, 129] {
            let mut g1_input = Vec::new();
            let mut g2_input = Vec::new();
            let mut sum1 = blst_p1::default();
            let mut sum2 = blst_p2::default();
            for i in 0..k {
                let mut s = [0u8; 32];
                for chunk in s.chunks_exact_mut(8) {
                    chunk.copy_from_slice(&next().to_be_bytes());
                }
                if i % 5 == 0 {
                    s = [0xff; 32];
                }
                let m = (next() % 4) + 1; // points m·G, so points repeat
                let le: Vec<u8> = s.iter().rev().copied().collect();
                let mb = m.to_le_bytes();
                let mut p1 = blst_p1::default();
                let mut p2 = blst_p2::default();
                let mut t1 = blst_p1::default();
                let mut t2 = blst_p2::default();
                // SAFETY: valid points and scalar buffers of the stated bit lengths.
                unsafe {
                    blst_p1_mult(&mut p1, &g1, mb.as_ptr(), 64);
                    blst_p2_mult(&mut p2, &g2, mb.as_ptr(), 64);
                    blst_p1_mult(&mut t1, &p1, le.as_ptr(), 256);
                    blst_p2_mult(&mut t2, &p2, le.as_ptr(), 256);
                    blst_p1_add_or_double(&mut sum1, &sum1, &t1);
                    blst_p2_add_or_double(&mut sum2, &sum2, &t2);
                }
                g1_input.extend(encode_g1(&p1));
                g1_input.extend_from_slice(&s);
                g2_input.extend(encode_g2(&p2));
                g2_input.extend_from_slice(&s);
            }
            assert_eq!(ok(G1_MSM, &g1_input).1, encode_g1(&sum1), "G1 k={k}");
            assert_eq!(ok(G2_MSM, &g2_input).1, encode_g2(&sum2), "G2 k={k}");
        }
    }

    #[test]
    fn msm_gas() {
        assert_eq!(g1_msm_gas(1), 12_000);
        assert_eq!(g1_msm_gas(2), 2 * 12_000 * 949 / 1000);
        assert_eq!(g1_msm_gas(2), 22_776);
        assert_eq!(g1_msm_gas(128), 128 * 12_000 * 519 / 1000);
        assert_eq!(g1_msm_gas(128), 797_184);
        assert_eq!(g1_msm_gas(129), 129 * 12_000 * 519 / 1000);
        assert_eq!(g1_msm_gas(129), 803_412);
        assert_eq!(g2_msm_gas(1), 22_500);
        assert_eq!(g2_msm_gas(2), 45_000);
        assert_eq!(g2_msm_gas(128), 128 * 22_500 * 524 / 1000);
        assert_eq!(g2_msm_gas(128), 1_509_120);
        assert_eq!(g2_msm_gas(129), 129 * 22_500 * 524 / 1000);
        assert_eq!(g2_msm_gas(129), 1_520_910);
        assert_eq!(g1_msm_gas(usize::MAX), u64::MAX);
        assert_eq!(pairing_gas(1), 70_300);
        assert_eq!(pairing_gas(usize::MAX), u64::MAX);

        // Charged by the precompiles, before any work: exactly enough passes, one less fails.
        for (k, gas) in [(1, 12_000), (2, 22_776), (128, 797_184), (129, 803_412)] {
            let input = vec![0u8; k * G1_MSM_PAIR_LEN];
            assert_eq!(G1_MSM(&input, gas).unwrap().gas_used, gas);
            assert_eq!(G1_MSM(&input, gas - 1), Err(PrecompileError::OutOfGas));
        }
        for (k, gas) in [(1, 22_500), (2, 45_000), (128, 1_509_120), (129, 1_520_910)] {
            let input = vec![0u8; k * G2_MSM_PAIR_LEN];
            assert_eq!(G2_MSM(&input, gas).unwrap().gas_used, gas);
            assert_eq!(G2_MSM(&input, gas - 1), Err(PrecompileError::OutOfGas));
        }
        let fixed: [(PrecompileFn, usize, u64); 5] = [
            (G1_ADD, 256, 375),
            (G2_ADD, 512, 600),
            (PAIRING_CHECK, 384, 70_300),
            (MAP_FP_TO_G1, 64, 5_500),
            (MAP_FP2_TO_G2, 128, 23_800),
        ];
        for (f, len, gas) in fixed {
            let input = vec![0u8; len];
            assert_eq!(f(&input, gas).unwrap().gas_used, gas);
            assert_eq!(f(&input, gas - 1), Err(PrecompileError::OutOfGas));
        }
    }

    /// Arbitrary bytes of every length around the valid ones never panic.
    #[test]
    fn never_panics_on_garbage() {
        let all = [
            G1_ADD,
            G1_MSM,
            G2_ADD,
            G2_MSM,
            PAIRING_CHECK,
            MAP_FP_TO_G1,
            MAP_FP2_TO_G2,
        ];
        let mut byte = 0u8;
        for len in [0, 1, 32, 64, 128, 160, 256, 288, 384, 512, 768, 1000] {
            for fill in [0x00, 0x01, 0xff] {
                for pattern in 0..2 {
                    let input: Vec<u8> = (0..len)
                        .map(|i| {
                            byte = byte.wrapping_mul(31).wrapping_add(7);
                            // Keep the 16-byte pads zero half of the time.
                            if pattern == 0 && i % 64 < 16 {
                                0
                            } else if pattern == 0 {
                                byte & 0x0f
                            } else {
                                fill ^ byte
                            }
                        })
                        .collect();
                    for f in all {
                        let _ = f(&input, u64::MAX);
                        let _ = f(&input, 0);
                    }
                }
            }
        }
    }
}
