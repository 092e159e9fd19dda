# Fails against a CPython reference: the board is MicroPython.
import sys

print(sys.implementation.name)
