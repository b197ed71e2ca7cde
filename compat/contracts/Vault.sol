// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// Payable entry points and value transfers out (call with value, to an EOA and a contract).
contract Vault {
    mapping(address => uint256) public deposits;

    event Deposit(address indexed from, uint256 amount);
    event Withdraw(address indexed to, uint256 amount);
    event Received(address indexed from, uint256 amount);

    function deposit() external payable {
        deposits[msg.sender] += msg.value;
        emit Deposit(msg.sender, msg.value);
    }

    function withdraw(uint256 amount) external {
        require(deposits[msg.sender] >= amount, "Vault: insufficient deposit");
        deposits[msg.sender] -= amount;
        (bool ok, ) = msg.sender.call{value: amount}("");
        require(ok, "Vault: transfer failed");
        emit Withdraw(msg.sender, amount);
    }

    function sendTo(address payable to, uint256 amount) external {
        (bool ok, ) = to.call{value: amount}("");
        require(ok, "Vault: send failed");
    }

    function nonPayable() external pure returns (uint256) {
        return 1;
    }

    receive() external payable {
        emit Received(msg.sender, msg.value);
    }
}
