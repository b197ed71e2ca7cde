// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

interface IERC20 {
    function transfer(address to, uint256 value) external returns (bool);
    function balanceOf(address owner) external view returns (uint256);
}

/// Holds tokens and sends `n` transfers of 1 unit: to `first`, `first + stride`,
/// `first + 2 * stride`, ... (stride 0: always the same recipient). Returns what is left.
contract TransferDriver {
    function run(IERC20 token, uint256 n, uint256 first, uint256 stride) external returns (uint256) {
        for (uint256 i = 0; i < n; i++) {
            require(token.transfer(address(uint160(first + i * stride)), 1), "transfer");
        }
        return token.balanceOf(address(this));
    }
}
