from machine import Pin, Timer
p = Pin("P9", mode=Pin.OUT)
p.value(1)
print(p.value())
import gc
gc.collect()
print(gc.mem_free() > 0)
import sys
sys.exit(3)
