# Read a DHT22 the way the pycom documentation does, and decode the pulses.
# Run with: pycom-emu run --board-file examples/dht22.toml examples/dht22.py
from machine import Pin
from pycom import pulses_get
from time import sleep_ms


def read_dht22(name):
    pin = Pin(name, mode=Pin.OPEN_DRAIN)
    pin(0)
    sleep_ms(20)
    pin(1)
    pulses = pulses_get(pin, 100)
    # A high of 26-28 us is a 0, of 70 us a 1; 40 bits, most significant first.
    bits = [1 if us > 50 else 0 for level, us in pulses if level == 1 and 18 <= us <= 75]
    if len(bits) != 40:
        raise OSError('no answer from the sensor (%d bits)' % len(bits))
    b = [0] * 5
    for i, bit in enumerate(bits):
        b[i // 8] = (b[i // 8] << 1) | bit
    if (b[0] + b[1] + b[2] + b[3]) & 0xFF != b[4]:
        raise OSError('checksum error')
    temperature = ((b[2] & 0x7F) << 8 | b[3]) / 10
    if b[2] & 0x80:
        temperature = -temperature
    return temperature, (b[0] << 8 | b[1]) / 10


for minute in range(3):
    t, rh = read_dht22('G7')
    print('%d min: %.1f C, %.1f %%RH' % (minute, t, rh))
    sleep_ms(60000)
