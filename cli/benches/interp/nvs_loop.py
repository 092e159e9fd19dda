# Board only: NVS writes and reads of rotating keys.
import pycom
for i in range(20000):
    pycom.nvs_set('k%d' % (i % 20), i)
    pycom.nvs_get('k%d' % (i % 20))
print(pycom.nvs_get('k0'))
