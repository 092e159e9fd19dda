# Board only: an output pin toggled and read back in a loop.
from machine import Pin
p = Pin('P9', mode=Pin.OUT)
n = 0
for i in range(100000):
    p.value(i & 1)
    n += p.value()
print(n)
