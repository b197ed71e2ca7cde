// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// Storage with events: one indexed and one non-indexed argument each, a string payload,
/// and an anonymous event, so logs carry every topic/data layout.
contract Counter {
    uint256 public count;
    mapping(uint256 => uint256) public values;
    address public lastCaller;

    event Incremented(address indexed by, uint256 newCount);
    event ValueSet(uint256 indexed key, uint256 indexed value, string note);
    event Anon(uint256 a, bytes32 b) anonymous;

    constructor(uint256 start) {
        count = start;
    }

    function increment() external returns (uint256) {
        count += 1;
        lastCaller = msg.sender;
        emit Incremented(msg.sender, count);
        return count;
    }

    function set(uint256 key, uint256 value, string calldata note) external {
        values[key] = value;
        emit ValueSet(key, value, note);
    }

    function anon(uint256 a, bytes32 b) external {
        emit Anon(a, b);
    }

    function get(uint256 key) external view returns (uint256) {
        return values[key];
    }

    function info() external view returns (uint256 blockNumber, uint256 chainId, address coinbase, uint256 gasLimit, uint256 baseFee) {
        return (block.number, block.chainid, block.coinbase, block.gaslimit, block.basefee);
    }

    function time() external view returns (uint256) {
        return block.timestamp;
    }

    /// Burns gas in a loop: a long-running call for estimateGas and load checks.
    function spin(uint256 n) external pure returns (uint256 acc) {
        for (uint256 i = 0; i < n; i++) {
            acc = uint256(keccak256(abi.encode(acc, i)));
        }
    }
}
