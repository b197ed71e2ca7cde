"""The pyrevm comparison: compare_pyrevm.py under pyrevm and under ember, same output."""

import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def run(module):
    done = subprocess.run(
        [sys.executable, os.path.join(HERE, "compare_pyrevm.py"), module],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.splitlines()


def test_pyrevm_and_ember_print_the_same():
    # pyrevm is a test dependency (pyproject's `test` extra): a missing one fails here.
    theirs = run("pyrevm")
    ours = run("ember")
    assert len(theirs) > 20
    for line, (a, b) in enumerate(zip(theirs, ours)):
        assert a == b, f"line {line}: pyrevm {a} != ember {b}"
    assert len(theirs) == len(ours)
