// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// The callee: a counter bumped on every call (a warm SSTORE) and an echo.
contract Callee {
    uint256 public calls;

    function ping(uint256 v) external returns (uint256) {
        unchecked {
            calls += 1;
            return v + 1;
        }
    }
}

/// Calls `callee.ping` `n` times (CALL, ABI encoding and decoding each time).
contract Caller {
    function run(Callee callee, uint256 n) external returns (uint256 acc) {
        for (uint256 i = 0; i < n; i++) {
            acc = callee.ping(acc);
        }
    }
}
