# The pycom documentation's quick example, plus a look at the LED.
import pycom
import time

pycom.heartbeat(False)  # disable the heartbeat LED
pycom.heartbeat(True)   # enable the heartbeat LED
print("heartbeat on:", pycom.heartbeat())  # get the heartbeat state

try:
    pycom.rgbled(0xff00)  # refused while the heartbeat owns the LED
except OSError as e:
    print("rgbled while the heartbeat runs:", e)

pycom.heartbeat(False)
for colour in (0xff0000, 0x00ff00, 0x0000ff):
    pycom.rgbled(colour)
    print("LED is now 0x%06x" % pycom.rgbled())
    time.sleep(1)
print("done after", time.ticks_ms() // 1000, "s of device time")
