import pycom
pycom.nvs_set("k", 5)
print(pycom.nvs_get("k"))
import machine
machine.reset()
