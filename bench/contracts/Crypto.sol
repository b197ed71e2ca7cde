// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// KECCAK256, ECRECOVER (0x01) and BLS12-381 pairing (0x0f, Prague) loops.
contract Crypto {
    /// Chains `n` KECCAK256 of 64 bytes (the previous hash and the counter).
    function keccakLoop(uint256 n, bytes32 seed) external pure returns (bytes32 h) {
        assembly {
            h := seed
            for { let i := 0 } lt(i, n) { i := add(i, 1) } {
                mstore(0, h)
                mstore(32, i)
                h := keccak256(0, 64)
            }
        }
    }

    /// `n` ECRECOVER calls, each on a different message hash with the same valid (v, r, s);
    /// returns the XOR of the recovered addresses.
    function ecrecoverLoop(uint256 n, uint8 v, bytes32 r, bytes32 s) external view returns (address acc) {
        for (uint256 i = 0; i < n; i++) {
            address a = ecrecover(keccak256(abi.encode(i)), v, r, s);
            require(a != address(0), "ecrecover");
            acc = address(uint160(acc) ^ uint160(a));
        }
    }

    /// `n` calls of the BLS12-381 pairing check (0x0f) on `input`; returns how many said 1.
    function pairingLoop(uint256 n, bytes calldata input) external view returns (uint256 ok) {
        bytes memory data = input;
        for (uint256 i = 0; i < n; i++) {
            (bool success, bytes memory out) = address(0x0f).staticcall(data);
            require(success && out.length == 32, "pairing");
            ok += abi.decode(out, (uint256));
        }
    }
}
