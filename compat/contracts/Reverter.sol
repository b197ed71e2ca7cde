// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// Every way a call can fail: require with a reason, a custom error with arguments, panics
/// (division by zero, assert, overflow, array bounds), a bare revert, and running out of gas.
contract Reverter {
    error Insufficient(uint256 available, uint256 required);
    error Unauthorized();

    uint256 public touched;

    function requireOk(uint256 x) external pure returns (uint256) {
        require(x > 0, "x must be positive");
        return x * 2;
    }

    function customError(uint256 want) external view returns (uint256) {
        if (want > 10) revert Insufficient(10, want);
        if (want == 0) revert Unauthorized();
        return touched + want;
    }

    function divide(uint256 a, uint256 b) external pure returns (uint256) {
        return a / b;
    }

    function assertFalse() external pure {
        assert(false);
    }

    function overflow(uint8 x) external pure returns (uint8) {
        return x + 255;
    }

    function outOfBounds(uint256 i) external pure returns (uint256) {
        uint256[] memory a = new uint256[](2);
        return a[i];
    }

    function bareRevert() external pure {
        revert();
    }

    /// State-changing variants, so a transaction reverts (status 0) after writing.
    function touchAndRequire(uint256 x) external {
        touched += 1;
        require(x > 0, "touch: x must be positive");
    }

    function touchAndError(uint256 want) external {
        touched += 1;
        if (want > 10) revert Insufficient(touched, want);
    }

    function burn() external {
        touched += 1;
        while (true) {
            touched += 1;
        }
    }
}
