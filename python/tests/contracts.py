"""Hand-assembled contracts the tests and scripts share (no compiler needed)."""

# SSTORE(0, CALLVALUE + 1); return SLOAD(0) as 32 bytes.
STORE_VALUE = bytes.fromhex("346001015f555f545f5260205ff3")
# REVERT with 32 bytes holding 1.
REVERTER = bytes.fromhex("60015f5260205ffd")
# LOG1(topic 0x11..11, data = 42 as 32 bytes), then STOP.
LOGGER = bytes.fromhex("602a5f52" + "7f" + "11" * 32 + "60205fa100")
# INVALID (0xfe).
INVALID = bytes.fromhex("fe")
# An endless loop: JUMPDEST PUSH0 JUMP.
LOOP = bytes.fromhex("5b5f56")
# Returns the calldata as is: CALLDATASIZE PUSH0 PUSH0 CALLDATACOPY CALLDATASIZE PUSH0 RETURN.
ECHO = bytes.fromhex("365f5f37365ff3")
# STATICCALL(gas, 0x0100, input = calldata) and return what it returned.
CALL_0100 = bytes.fromhex("365f5f37" + "5f5f365f610100" + "5afa" + "503d5f5f3e3d5ff3")


def initcode(runtime: bytes) -> bytes:
    """Initcode that deploys `runtime` (under 256 bytes)."""
    n = len(runtime)
    assert n < 256
    return bytes.fromhex(f"60{n:02x}600a5f3960{n:02x}5ff3") + runtime
