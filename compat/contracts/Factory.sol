// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

contract Child {
    uint256 public immutable seed;
    address public immutable parent;

    event Born(address indexed parent, uint256 seed);

    constructor(uint256 s) payable {
        seed = s;
        parent = msg.sender;
        emit Born(msg.sender, s);
    }

    function ping(uint256 x) external view returns (uint256) {
        return x + seed;
    }

    function fail() external pure {
        revert("child failed");
    }
}

/// CREATE and CREATE2, nested calls (for call traces), a try/catch over a reverting child.
contract Factory {
    address[] public children;

    event Created(address indexed child, bytes32 indexed salt, bool create2);

    function create(uint256 seed) external returns (address c) {
        c = address(new Child(seed));
        children.push(c);
        emit Created(c, bytes32(0), false);
    }

    function create2(bytes32 salt, uint256 seed) external payable returns (address c) {
        c = address(new Child{salt: salt, value: msg.value}(seed));
        children.push(c);
        emit Created(c, salt, true);
    }

    function predict(bytes32 salt, uint256 seed) external view returns (address) {
        bytes32 h = keccak256(
            abi.encodePacked(bytes1(0xff), address(this), salt, keccak256(abi.encodePacked(type(Child).creationCode, abi.encode(seed))))
        );
        return address(uint160(uint256(h)));
    }

    function count() external view returns (uint256) {
        return children.length;
    }

    /// Calls each child, then a reverting call caught by try/catch: a trace with nested frames.
    function pingAll(uint256 x) external returns (uint256 sum, string memory caught) {
        for (uint256 i = 0; i < children.length; i++) {
            sum += Child(children[i]).ping(x);
        }
        if (children.length > 0) {
            try Child(children[0]).fail() {
                caught = "";
            } catch Error(string memory reason) {
                caught = reason;
            }
        }
        emit Created(address(0), bytes32(sum), false);
    }
}
