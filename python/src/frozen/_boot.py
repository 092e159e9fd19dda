# The firmware's frozen _boot.py: its names stay in the globals of boot.py,
# main.py and the REPL. On the board it goes on with
# `from machine import UART` and `os.dupterm(UART(0, 115200))`, which follow
# here once machine.UART exists.
import os
