// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// SSTORE and SLOAD loops over slots 0, 1, 2, ...
contract Storage {
    /// Writes slots [0, n) once each (fresh slots: cold, zero to non-zero).
    function writeCold(uint256 n) external {
        assembly {
            for { let i := 0 } lt(i, n) { i := add(i, 1) } { sstore(i, add(i, 1)) }
        }
    }

    /// Reads slots [0, n) once each (cold); returns their sum.
    function readCold(uint256 n) external view returns (uint256 acc) {
        assembly {
            for { let i := 0 } lt(i, n) { i := add(i, 1) } { acc := add(acc, sload(i)) }
        }
    }

    /// Writes slots [0, k) `rounds` times (warm and dirty after the first round).
    function writeWarm(uint256 k, uint256 rounds) external {
        assembly {
            for { let r := 1 } iszero(gt(r, rounds)) { r := add(r, 1) } {
                for { let i := 0 } lt(i, k) { i := add(i, 1) } { sstore(i, add(r, i)) }
            }
        }
    }

    /// Reads slots [0, k) `rounds` times (warm after the first round); returns the sum.
    function readWarm(uint256 k, uint256 rounds) external view returns (uint256 acc) {
        assembly {
            for { let r := 0 } lt(r, rounds) { r := add(r, 1) } {
                for { let i := 0 } lt(i, k) { i := add(i, 1) } { acc := add(acc, sload(i)) }
            }
        }
    }
}
