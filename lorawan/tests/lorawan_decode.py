"""An independent LoRaWAN 1.0.2 reader for the Rust tests: the specification's MIC
(AES-CMAC over B0 | msg) and FRMPayload decryption (A_i blocks) written from scratch on the
`cryptography` package's AES and CMAC.

Usage:
  lorawan_decode.py uplink FRAME_HEX NWK_SKEY_HEX APP_SKEY_HEX [FCNT_HIGH16]
      prints "dev_addr=<hex> fcnt=<n> port=<n|none> data=<hex> mic=ok|bad"
  lorawan_decode.py joinrequest APP_EUI DEV_EUI DEV_NONCE_HEX APP_KEY_HEX
      prints the join request frame in hex (EUIs as written, MSB first; DevNonce as a number)
  lorawan_decode.py skeys APP_KEY_HEX APP_NONCE_HEX NET_ID_HEX DEV_NONCE_HEX
      prints "nwk_skey=<hex> app_skey=<hex>" (numbers as written, MSB first)
  lorawan_decode.py downlink DEV_ADDR_HEX FCNT PORT DATA_HEX NWK_SKEY_HEX APP_SKEY_HEX
      prints an unconfirmed data downlink frame in hex (DevAddr as written, MSB first)
"""
import struct
import sys

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.cmac import CMAC


def aes_ecb(key, block):
    enc = Cipher(algorithms.AES(key), modes.ECB()).encryptor()
    return enc.update(block) + enc.finalize()


def cmac(key, data):
    c = CMAC(algorithms.AES(key))
    c.update(data)
    return c.finalize()


def uplink(frame, nwk_skey, app_skey, fcnt_high=0):
    mhdr, body, mic = frame[0], frame[1:-4], frame[-4:]
    dev_addr = body[0:4]
    fctrl = body[4]
    fcnt = struct.unpack("<H", body[5:7])[0] | (fcnt_high << 16)
    fopts_len = fctrl & 0x0F
    rest = body[7 + fopts_len:]
    port = rest[0] if rest else None
    frm = rest[1:]
    b0 = bytes([0x49, 0, 0, 0, 0, 0]) + dev_addr + struct.pack("<I", fcnt) + bytes([0, len(frame) - 4])
    mic_ok = cmac(nwk_skey, b0 + frame[:-4])[:4] == mic
    key = nwk_skey if port == 0 else app_skey
    clear = bytearray()
    for i in range(0, len(frm), 16):
        a = bytes([0x01, 0, 0, 0, 0, 0]) + dev_addr + struct.pack("<I", fcnt) + bytes([0, i // 16 + 1])
        s = aes_ecb(key, a)
        clear += bytes(x ^ y for x, y in zip(frm[i:i + 16], s))
    print("dev_addr=%s fcnt=%d port=%s data=%s mic=%s" % (
        dev_addr[::-1].hex(), fcnt, "none" if port is None else port, clear.hex(), "ok" if mic_ok else "bad"))


def join_request(app_eui, dev_eui, dev_nonce, app_key):
    msg = bytes([0x00]) + app_eui[::-1] + dev_eui[::-1] + struct.pack("<H", dev_nonce)
    print((msg + cmac(app_key, msg)[:4]).hex())


def session_keys(app_key, app_nonce, net_id, dev_nonce):
    tail = app_nonce.to_bytes(3, "little") + net_id.to_bytes(3, "little") + struct.pack("<H", dev_nonce)
    nwk = aes_ecb(app_key, bytes([0x01]) + tail + bytes(7))
    app = aes_ecb(app_key, bytes([0x02]) + tail + bytes(7))
    print("nwk_skey=%s app_skey=%s" % (nwk.hex(), app.hex()))


def downlink(dev_addr, fcnt, port, data, nwk_skey, app_skey):
    addr = dev_addr[::-1]
    key = nwk_skey if port == 0 else app_skey
    frm = bytearray()
    for i in range(0, len(data), 16):
        a = bytes([0x01, 0, 0, 0, 0, 1]) + addr + struct.pack("<I", fcnt) + bytes([0, i // 16 + 1])
        frm += bytes(x ^ y for x, y in zip(data[i:i + 16], aes_ecb(key, a)))
    msg = bytes([0x60]) + addr + bytes([0x00]) + struct.pack("<H", fcnt & 0xFFFF) + bytes([port]) + frm
    b0 = bytes([0x49, 0, 0, 0, 0, 1]) + addr + struct.pack("<I", fcnt) + bytes([0, len(msg)])
    print((msg + cmac(nwk_skey, b0 + msg)[:4]).hex())


def main(args):
    h = bytes.fromhex
    if args[0] == "uplink":
        uplink(h(args[1]), h(args[2]), h(args[3]), int(args[4]) if len(args) > 4 else 0)
    elif args[0] == "joinrequest":
        join_request(h(args[1]), h(args[2]), int(args[3], 16), h(args[4]))
    elif args[0] == "skeys":
        session_keys(h(args[1]), int(args[2], 16), int(args[3], 16), int(args[4], 16))
    elif args[0] == "downlink":
        downlink(h(args[1]), int(args[2]), int(args[3]), h(args[4]), h(args[5]), h(args[6]))


main(sys.argv[1:])
