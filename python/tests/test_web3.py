"""web3.py on EmberBackend through EthereumTesterProvider: deploy a contract and call it."""

from eth_tester import EthereumTester
from web3 import EthereumTesterProvider, Web3

from contracts import STORE_VALUE, initcode
from ember.eth_tester import EmberBackend


def test_deploy_and_call_through_web3():
    w3 = Web3(EthereumTesterProvider(EthereumTester(backend=EmberBackend())))
    assert w3.is_connected()
    sender = w3.eth.accounts[0]
    tx_hash = w3.eth.send_transaction({"from": sender, "data": initcode(STORE_VALUE)})
    receipt = w3.eth.wait_for_transaction_receipt(tx_hash)
    assert receipt["status"] == 1
    address = receipt["contractAddress"]
    assert w3.eth.get_code(address) == STORE_VALUE
    # STORE_VALUE stores CALLVALUE + 1 and returns it: a call with value 4 returns 5.
    out = w3.eth.call({"from": sender, "to": address, "value": 4})
    assert int.from_bytes(out, "big") == 5
    tx_hash = w3.eth.send_transaction({"from": sender, "to": address, "value": 2})
    assert w3.eth.wait_for_transaction_receipt(tx_hash)["status"] == 1
    assert int.from_bytes(w3.eth.get_storage_at(address, 0), "big") == 3
    assert w3.eth.get_balance(address) == 2
    assert w3.eth.block_number >= 2
