import pycom, machine, time, os
pycom.heartbeat(False)
pycom.rgbled(0x00ff00)
print(os.listdir("/flash"))
with open("/flash/x.txt", "w") as f:
    f.write("hi")
print(open("/flash/x.txt").read())
print(time.ticks_ms(), machine.unique_id())
