// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// The ERC-20 calls the pair and the router make.
interface IToken {
    function transfer(address to, uint256 value) external returns (bool);
    function transferFrom(address from, address to, uint256 value) external returns (bool);
    function balanceOf(address owner) external view returns (uint256);
}

/// A constant-product pair in the style of Uniswap V2 (written here, not Uniswap's code):
/// reserves packed in one slot, a 0.3% fee, the `x * y >= k` check after an optimistic
/// transfer out, `Sync` and `Swap` events.
contract Pair {
    address public token0; // slot 0
    address public token1; // slot 1
    uint112 private reserve0; // slot 2, low 112 bits
    uint112 private reserve1; // slot 2, next 112 bits
    uint32 private blockTimestampLast; // slot 2, high 32 bits

    event Sync(uint112 reserve0, uint112 reserve1);
    event Swap(
        address indexed sender,
        uint256 amount0In,
        uint256 amount1In,
        uint256 amount0Out,
        uint256 amount1Out,
        address indexed to
    );

    function getReserves() external view returns (uint112, uint112, uint32) {
        return (reserve0, reserve1, blockTimestampLast);
    }

    /// Sends the amounts out, then requires that the tokens paid in keep the product of the
    /// balances (net of the fee) at least the product of the old reserves.
    function swap(uint256 amount0Out, uint256 amount1Out, address to) external {
        require(amount0Out > 0 || amount1Out > 0, "output");
        (uint112 r0, uint112 r1) = (reserve0, reserve1);
        require(amount0Out < r0 && amount1Out < r1, "liquidity");
        if (amount0Out > 0) IToken(token0).transfer(to, amount0Out);
        if (amount1Out > 0) IToken(token1).transfer(to, amount1Out);
        uint256 balance0 = IToken(token0).balanceOf(address(this));
        uint256 balance1 = IToken(token1).balanceOf(address(this));
        uint256 in0 = balance0 > r0 - amount0Out ? balance0 - (r0 - amount0Out) : 0;
        uint256 in1 = balance1 > r1 - amount1Out ? balance1 - (r1 - amount1Out) : 0;
        require(in0 > 0 || in1 > 0, "input");
        uint256 adjusted0 = balance0 * 1000 - in0 * 3;
        uint256 adjusted1 = balance1 * 1000 - in1 * 3;
        require(adjusted0 * adjusted1 >= uint256(r0) * uint256(r1) * 1_000_000, "K");
        reserve0 = uint112(balance0);
        reserve1 = uint112(balance1);
        blockTimestampLast = uint32(block.timestamp);
        emit Sync(reserve0, reserve1);
        emit Swap(msg.sender, in0, in1, amount0Out, amount1Out, to);
    }
}

/// A router in the style of Uniswap V2's: finds the pair of two tokens in its registry,
/// prices the trade from the reserves, moves the input into the pair and swaps.
contract Router {
    mapping(address => mapping(address => address)) public getPair; // slot 0

    function getAmountOut(uint256 amountIn, uint256 reserveIn, uint256 reserveOut)
        public
        pure
        returns (uint256)
    {
        require(amountIn > 0 && reserveIn > 0 && reserveOut > 0, "amount");
        uint256 withFee = amountIn * 997;
        return (withFee * reserveOut) / (reserveIn * 1000 + withFee);
    }

    /// A one-hop swap of exactly `amountIn` of `path[0]` for `path[1]`.
    function swapExactTokensForTokens(
        uint256 amountIn,
        uint256 amountOutMin,
        address[] calldata path,
        address to,
        uint256 deadline
    ) external returns (uint256[] memory amounts) {
        require(block.timestamp <= deadline, "expired");
        require(path.length == 2, "path");
        amounts = new uint256[](2);
        amounts[0] = amountIn;
        amounts[1] = quote(amountIn, path[0], path[1]);
        require(amounts[1] >= amountOutMin, "slippage");
        pay(path[0], path[1], amountIn, amounts[1], to);
    }

    /// What the pair of `tokenIn` and `tokenOut` gives for `amountIn`.
    function quote(uint256 amountIn, address tokenIn, address tokenOut) private view returns (uint256) {
        address pair = getPair[tokenIn][tokenOut];
        require(pair != address(0), "pair");
        (uint112 r0, uint112 r1,) = Pair(pair).getReserves();
        return tokenIn < tokenOut ? getAmountOut(amountIn, r0, r1) : getAmountOut(amountIn, r1, r0);
    }

    /// Moves `amountIn` from the sender into the pair and has it send `amountOut` to `to`.
    function pay(address tokenIn, address tokenOut, uint256 amountIn, uint256 amountOut, address to) private {
        address pair = getPair[tokenIn][tokenOut];
        require(IToken(tokenIn).transferFrom(msg.sender, pair, amountIn), "transferFrom");
        if (tokenIn < tokenOut) {
            Pair(pair).swap(0, amountOut, to);
        } else {
            Pair(pair).swap(amountOut, 0, to);
        }
    }
}
