// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// A small contract: one immutable, one getter.
contract Child {
    uint256 public immutable id;

    constructor(uint256 id_) {
        id = id_;
    }
}

/// Creates `n` Child contracts (CREATE); returns the last one's address.
contract Factory {
    function run(uint256 n) external returns (address last) {
        for (uint256 i = 0; i < n; i++) {
            last = address(new Child(i));
        }
    }
}
