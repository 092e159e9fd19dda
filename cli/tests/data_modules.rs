//! The firmware's data modules, as v1.20.2 builds them (MicroPython 1.11 with
//! Pycom's own `uhashlib` and `ucrypto`): `math`, `cmath`, `ustruct`,
//! `ubinascii`, `ujson`, `uhashlib`, `ucrypto` and `uzlib`, under their
//! u-names and the firmware's weak links, with MicroPython's API and error texts.

mod common;

use common::snippet;

#[test]
fn u_names_and_weak_links_are_the_same_modules() {
    let out = snippet(
        "import ustruct, struct, ubinascii, binascii, ujson, json, uhashlib, hashlib, ucrypto, crypto, uzlib
print(struct is ustruct, binascii is ubinascii, json is ujson, hashlib is uhashlib, crypto is ucrypto)
for name in ['zlib', 'umath', 'ucmath']:
    try:
        __import__(name)
        print(name, 'imported')
    except ImportError:
        print(name, 'missing')",
    );
    assert_eq!(out, ["True True True True True", "zlib missing", "umath missing", "ucmath missing"]);
}

#[test]
fn math_has_the_core_functions_only() {
    let out = snippet(
        "import math
print(math.sqrt(16), math.pow(2, 10), math.exp(0), math.log(8, 2), math.log(1))
print(math.floor(-2.5), math.ceil(2.1), math.trunc(-2.7), type(math.floor(1.5)).__name__)
print(math.frexp(8.0), math.ldexp(0.75, 3), math.modf(-2.5), math.fmod(-7, 3), math.copysign(1, -0.0))
print(math.degrees(math.pi), math.radians(180) == math.pi, math.atan2(1, 1) == math.pi / 4)
print(math.isnan(float('nan')), math.isinf(float('-inf')), math.isfinite(1e38), math.isfinite(1e39), math.fabs(-3))
print([hasattr(math, n) for n in ('log10', 'log2', 'sinh', 'gamma', 'erf', 'factorial', 'inf', 'nan', 'isclose')])
for args in ((math.sqrt, -1), (math.exp, 1000), (math.log, 0), (math.log, -1), (math.pow, 0, -1), (math.fmod, 1, 0),
             (math.acos, 2), (math.log, 2, 1), (math.floor, float('inf')), (math.ceil, float('nan')),
             (math.sqrt, 'x'), (math.ldexp, 1.0, 1.5), (math.sqrt, 1, 2)):
    show(*args)",
    );
    assert_eq!(
        out,
        [
            "4.0 1024.0 1.0 3.0 0.0",
            "-3 3 -2 int",
            "(0.5, 4) 6.0 (-0.5, -2.0) -1.0 -1.0",
            "180.0 True True",
            "True True True False 3.0",
            "[False, False, False, False, False, False, False, False, False]",
            "ValueError: math domain error",
            "ValueError: math domain error",
            "ValueError: math domain error",
            "ValueError: math domain error",
            "ValueError: math domain error",
            "ValueError: math domain error",
            "ValueError: math domain error",
            "ZeroDivisionError: divide by zero",
            "OverflowError: can't convert inf to int",
            "ValueError: can't convert NaN to int",
            "TypeError: can't convert str to float",
            "TypeError: can't convert float to int",
            "TypeError: function takes 1 positional arguments but 2 were given",
        ]
    );
}

#[test]
fn cmath_uses_micropythons_formulas() {
    let out = snippet(
        "import cmath
print(cmath.sqrt(-4).imag, cmath.exp(0), cmath.log(1), cmath.phase(-1) == cmath.pi)
print(cmath.polar(3+4j), cmath.rect(2, 0), cmath.cos(0), cmath.sin(0))
print([hasattr(cmath, n) for n in ('log10', 'tan', 'isnan', 'e', 'pi')])
show(cmath.sqrt, 'x')",
    );
    assert_eq!(
        out,
        [
            "2.0 (1+0j) 0j True",
            "(5.0, 0.9272952) (2+0j) (1+-0j) 0j",
            "[False, False, False, True, True]",
            "TypeError: can't convert str to complex",
        ]
    );
}

#[test]
fn ustruct_packs_micropythons_codes() {
    let out = snippet(
        r"import ustruct as struct
print(struct.pack('<bBhHiI', -1, 255, -2, 65535, -3, 4294967295))
print(struct.pack('>hq', 1, -2), struct.pack('!H', 258), struct.pack('<lLqQ', -1, 1, -1, 1))
print(struct.pack('@bi', 1, 2), struct.calcsize('@bi'), struct.calcsize('<bi'), struct.calcsize('@bq'), struct.calcsize('@hd'))
print(struct.pack('<fd', 1.5, -0.25), struct.unpack('<fd', struct.pack('<fd', 0.5, 2.5)))
print(struct.pack('4s3s', b'ab', 'xyzw'), struct.unpack('2s3s', b'abcde'), struct.calcsize('10s'))
print(struct.unpack('<bBhHiIqQ', b'\xff\xff\xfe' + b'\xff' * 27))
print(struct.pack('<i', 2**32 + 5), struct.pack('<b', 300), struct.pack('<P', 7))
print(struct.pack('<3h', 1), struct.pack('<h', 1, 2, 3))
print(struct.unpack('<h', b'\x01\x00extra'), struct.unpack_from('<h', b'\x00\x01\x02', 1), struct.unpack_from('<b', b'\x01\x02', -1))
buf = bytearray(6)
struct.pack_into('>hh', buf, 1, 258, -1)
print(buf)
print(hasattr(struct, 'Struct'))
for args in ((struct.calcsize, 'x'), (struct.calcsize, '?'), (struct.calcsize, '=i'), (struct.calcsize, '<2'),
             (struct.unpack, '<i', b'abc'), (struct.unpack_from, '<h', b'ab', 1), (struct.pack_into, '<i', bytearray(3), 0, 1),
             (struct.pack_into, '<h', b'abcd', 0, 1), (struct.pack, 'i', 1.5), (struct.pack, 'f', 'x'), (struct.pack, 1),
             (struct.unpack, '<h', 5)):
    show(*args)",
    );
    assert_eq!(
        out,
        [
            r"b'\xff\xff\xfe\xff\xff\xff\xfd\xff\xff\xff\xff\xff\xff\xff'",
            r"b'\x00\x01\xff\xff\xff\xff\xff\xff\xff\xfe' b'\x01\x02' b'\xff\xff\xff\xff\x01\x00\x00\x00\xff\xff\xff\xff\xff\xff\xff\xff\x01\x00\x00\x00\x00\x00\x00\x00'",
            r"b'\x01\x00\x00\x00\x02\x00\x00\x00' 8 5 16 16",
            r"b'\x00\x00\xc0?\x00\x00\x00\x00\x00\x00\xd0\xbf' (0.5, 2.5)",
            r"b'ab\x00\x00xyz' (b'ab', b'cde') 10",
            "(-1, 255, -2, 65535, -1, 4294967295, -1, 18446744073709551615)",
            r"b'\x05\x00\x00\x00' b',' b'\x07\x00\x00\x00'",
            r"b'\x01\x00\x00\x00\x00\x00' b'\x01\x00'",
            "(1,) (513,) (2,)",
            r"bytearray(b'\x00\x01\x02\xff\xff\x00')",
            "False",
            "ValueError: bad typecode",
            "ValueError: bad typecode",
            "ValueError: bad typecode",
            "ValueError: bad typecode",
            "ValueError: buffer too small",
            "ValueError: buffer too small",
            "ValueError: buffer too small",
            "TypeError: object with buffer protocol required",
            "TypeError: can't convert float to int",
            "TypeError: can't convert str to float",
            "TypeError: can't convert 'int' object to str implicitly",
            "TypeError: object with buffer protocol required",
        ]
    );
}

#[test]
fn ubinascii_has_hex_and_base64_without_crc32() {
    let out = snippet(
        r"import ubinascii as binascii
print(binascii.hexlify(b'\x01\xab\xff'), binascii.hexlify(b'\x01\xab', ':'), binascii.hexlify(b'\x01\xab', '-+'), binascii.hexlify(b'', ':'))
print(binascii.hexlify('Az'), binascii.hexlify(bytearray(b'\x10')), binascii.unhexlify('01aBfF'), binascii.unhexlify(b''))
print(binascii.b2a_base64(b'hello'), binascii.b2a_base64(b'hi'), binascii.b2a_base64(b''))
print(binascii.a2b_base64(b'aGVsbG8='), binascii.a2b_base64('aG\nV*sbG8='), binascii.a2b_base64('aGk=trailing'))
print(hasattr(binascii, 'crc32'), hasattr(binascii, 'b2a_hex'))
for args in ((binascii.unhexlify, 'abc'), (binascii.unhexlify, 'zz'), (binascii.a2b_base64, 'aGVsbG8'), (binascii.hexlify, 5)):
    show(*args)",
    );
    assert_eq!(
        out,
        [
            "b'01abff' b'01:ab' b'01-ab' b''",
            r"b'417a' b'10' b'\x01\xab\xff' b''",
            r"b'aGVsbG8=\n' b'aGk=\n' b'\n'",
            "b'hello' b'hello' b'hi'",
            "False False",
            "ValueError: odd-length string",
            "ValueError: non-hex digit found",
            "ValueError: incorrect padding",
            "TypeError: object with buffer protocol required",
        ]
    );
}

#[test]
fn ujson_prints_and_parses_as_micropython() {
    let out = snippet(
        r#"import ujson as json
print(json.dumps({'a': 1}), json.dumps([1, 2.5, None, True, False]), json.dumps((1,)), json.dumps('q"\\\n\t\x01\u00e9'))
print(json.dumps({'k': {'n': [1, {'m': ()}]}}), json.dumps(b'raw'), json.dumps({1: 2}), json.dumps({1, 2}))
print(json.loads('{"a": [1, -2, 3.5e2, true, false, null], "b": "\\u0041\\n\\/"}'))
print(json.loads('[1 2, 3'), json.loads('{"a" "b" "c": 4}'), json.loads(b' 123456789012345678901 '), json.loads('-0.5'))
class Sink:
    def __init__(self): self.parts = []
    def write(self, text): self.parts.append(text)
class Source:
    def read(self, *args): return '{"x": [1, 2]}'
sink = Sink(); json.dump({'x': [1, 2]}, sink); print(sink.parts, json.load(Source()))
for text in ('', '[1]]', 'nul', '{[1]: 2}', '1-2', '1.2.3', '"abc', ']', '01x', 'tru'):
    show(json.loads, text)
show(json.loads, 5)
show(json.dump, 1, 2)"#,
    );
    assert_eq!(
        out,
        [
            r#"{"a": 1} [1, 2.5, null, true, false] [1] "q\"\\\n\t\u0001é""#,
            r#"{"k": {"n": [1, {"m": []}]}} "raw" {1: 2} {1, 2}"#,
            r"{'a': [1, -2, 350.0, True, False, None], 'b': 'A\n/'}",
            "[1, 2, 3] {'a': 'b', 'c': 4} 123456789012345678901 -0.5",
            r#"['{"x": [1, 2]}'] {'x': [1, 2]}"#,
            "ValueError: syntax error in JSON",
            "ValueError: syntax error in JSON",
            "ValueError: syntax error in JSON",
            "ValueError: syntax error in JSON",
            "ValueError: invalid syntax for integer with base 10",
            "ValueError: invalid syntax for number",
            "ValueError: syntax error in JSON",
            "ValueError: syntax error in JSON",
            "ValueError: syntax error in JSON",
            "ValueError: syntax error in JSON",
            "TypeError: can't convert 'int' object to str implicitly",
            "OSError: stream operation not supported",
        ]
    );
}

#[test]
fn uhashlib_is_pycoms_one_hash_at_a_time_module() {
    let out = snippet(
        "import uhashlib, ubinascii
hexd = lambda h: ubinascii.hexlify(h.digest()).decode()
for name in ('md5', 'sha1', 'sha224', 'sha256', 'sha384', 'sha512'):
    print(name, hexd(getattr(uhashlib, name)(b'abc')))
h = uhashlib.sha256()
h.update(b'a' * 100)
h.update(bytearray(b'a' * 100))
first = h.digest()
print(ubinascii.hexlify(first).decode())
h.update(b'ignored after digest')
print(h.digest() == first, repr(h))
print(hexd(uhashlib.md5('abc')), hasattr(h, 'hexdigest'), hasattr(h, 'copy'), type(h).__name__)
show(uhashlib.md5, 5)
show(uhashlib.md5)
show(uhashlib.md5, b'a', b'b')",
    );
    assert_eq!(
        out,
        [
            "md5 900150983cd24fb0d6963f7d28e17f72",
            "sha1 a9993e364706816aba3e25717850c26c9cd0d89d",
            "sha224 23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7",
            "sha256 ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
            "sha384 cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7",
            "sha512 ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
            "c2a908d98f5df987ade41b5fce213067efbcc21ef2240212a41e54b5e7c28ae5",
            "True <sha256>",
            "900150983cd24fb0d6963f7d28e17f72 False False sha256",
            "TypeError: object with buffer protocol required",
            "OSError: only one active hash operation is permitted at a time",
            "TypeError: function expected at most 1 arguments, got 2",
        ]
    );
}

/// NIST SP 800-38A, F.1-F.5: AES-128 key, IV and first plaintext block.
const AES_SETUP: &str = "import ucrypto, ubinascii
from ucrypto import AES
key = ubinascii.unhexlify('2b7e151628aed2a6abf7158809cf4f3c')
iv = ubinascii.unhexlify('000102030405060708090a0b0c0d0e0f')
plain = ubinascii.unhexlify('6bc1bee22e409f96e93d7e117393172a')
hexd = lambda b: ubinascii.hexlify(b).decode()
";

#[test]
fn ucrypto_aes_modes_match_the_nist_vectors() {
    let out = snippet(&format!(
        r"{AES_SETUP}
print(AES.MODE_ECB, AES.MODE_CBC, AES.MODE_CFB, AES.MODE_CTR, AES.SEGMENT_8, AES.SEGMENT_128)
print(hexd(AES(key).encrypt(plain)), hexd(AES(key, AES.MODE_ECB).decrypt(ubinascii.unhexlify('3ad77bb40d7a3660a89ecaf32466ef97'))))
print(hexd(AES(key, AES.MODE_CBC, IV=iv).encrypt(plain)))
print(hexd(AES(key, AES.MODE_CFB, IV=iv, segment_size=128).encrypt(plain)))
print(hexd(AES(key, AES.MODE_CFB, IV=iv).encrypt(plain + b'\xae\x2d')))
print(hexd(AES(key, AES.MODE_CTR, counter=ubinascii.unhexlify('f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff')).encrypt(plain)))
# The chaining state carries over between calls, as on the board.
c = AES(key, AES.MODE_CTR, counter=bytes(16))
d = AES(key, AES.MODE_CTR, counter=bytes(16))
stream = c.encrypt(b'hello ') + c.encrypt(b'world, in pieces')
print(d.decrypt(stream))
e = AES(key, AES.MODE_CBC, IV=iv)
print(e.encrypt(plain) + e.encrypt(plain) == AES(key, AES.MODE_CBC, IV=iv).encrypt(plain + plain))
f = AES(key, AES.MODE_CFB, IV=iv, segment_size=128)
g = AES(key, AES.MODE_CFB, IV=iv, segment_size=128)
print(g.decrypt(f.encrypt(b'abc') + f.encrypt(b'defghijklmnopqrstu')))
print(type(c).__name__, len(ucrypto.getrandbits(1)), len(ucrypto.getrandbits(32)), len(ucrypto.getrandbits(33)), ucrypto.getrandbits(0))
show(AES, b'short')
show(AES, key, 4)
show(AES, key, AES.MODE_CBC, IV=b'1234')
show(AES, key, AES.MODE_CTR)
show(AES, key, AES.MODE_CBC, counter=iv)
show(AES, key, AES.MODE_CFB, IV=iv, segment_size=64)
show(AES(key).encrypt, b'x' * 15)
show(AES(key, AES.MODE_CBC, IV=iv).decrypt, b'x' * 17)
print(len(AES(key, AES.MODE_CFB, IV=iv).encrypt(b'x' * 17)))"
    ));
    assert_eq!(
        out,
        [
            "1 2 3 6 8 128",
            "3ad77bb40d7a3660a89ecaf32466ef97 6bc1bee22e409f96e93d7e117393172a",
            "7649abac8119b246cee98e9b12e9197d",
            "3b3fd92eb72dad20333449f8e83cfb4a",
            "3b79424c9c0dd436bace9e0ed4586a4f32b9",
            "874d6191b620e3261bef6864990db6ce",
            "b'hello world, in pieces'",
            "True",
            "b'abcdefghijklmnopqrstu'",
            "AESCipher 4 4 8 b''",
            "ValueError: AES key must be either 16, 24, or 32 bytes long",
            "ValueError: Unknown cipher feedback mode 4",
            "ValueError: IV must be 16 bytes long",
            "TypeError: object with buffer protocol required",
            "ValueError: 'counter' parameter only useful with CTR mode",
            "ValueError: segment_size must be 8 or 128",
            "ValueError: Input strings must be a multiple of 16 in length",
            "ValueError: Input strings must be a multiple of 16 in length",
            "17",
        ]
    );
}

/// A 1024-bit RSA key (PKCS#8), the same key in PKCS#1, and its public key.
const RSA_KEYS: &str = "KEY8 = '''-----BEGIN PRIVATE KEY-----
MIICdQIBADANBgkqhkiG9w0BAQEFAASCAl8wggJbAgEAAoGBAJ2T8qq/ijJDYot+
OnCdCNYe6n56VJj7oG/hmis7fqnELD86+qSqVW3rYPoumBEhkohk8ikB0ltXFXuA
+iIP2MeuYTEbvjpYFggGiWJS4DA1jdw2ZUrkrqo9xwM7iun/7hbUMUjuv+PD9DEz
U07zCqOqREsd9WkjW6XalzoSejtxAgMBAAECgYBYoaS2gbG7f8dn6oH4YXtc5FrE
9Q2sVqvxAhXzBy3BU0QH9KaSA/S1NNWBIsAJsrZ23UCP7CRjl+HPa8ZFbmBhXhyc
zjQNxttNmp5GheAHQbCVdBTYRNRQlnoPHFgTaHeMy4LBjRasT2+iFQJmrUrSLs1U
4HeMZ6z+fwwEaJBpGQJBAM6+zOjWF14/5s+esGZ8nqwFy9lgNJOpDuc6k4vVMpAy
rAzt4B3CszL8CS1/matIpkFMTSclHdyjIPRgHnB8MHMCQQDDHnmf+ebQRWkNYzit
/iqPtqfd8QOjHpkqccjwO51K2TOdgBJwEMc9iOA5BVaG/KZE33cVTGfk8R5Et4Hw
mh+LAkBGN0L8qQmStv068lhS1mxFXEqZbzUsGTS4j4pg6W2cz7jjQz7knKWj4Tl0
vGuCYtAkSTfC3bZAox6kIKj15xfFAkAEn6dALDrU+qAXqh9AuEIn76sgrkJoziPR
Bqs9ThxXFriLZeqJ70vZYHH3x/GZ90i1XxpCTfI0UaZm+HZCzlQrAkB8sDS6lOk3
a8XDaOyfMjYsSThE2q3io6i4gPvbu1XyXPREenc6kDV+Gjdr1XHGNyrvq/A8paj1
yx1UtYoin+1o
-----END PRIVATE KEY-----'''
KEY1 = '''-----BEGIN RSA PRIVATE KEY-----
MIICWwIBAAKBgQCdk/Kqv4oyQ2KLfjpwnQjWHup+elSY+6Bv4ZorO36pxCw/Ovqk
qlVt62D6LpgRIZKIZPIpAdJbVxV7gPoiD9jHrmExG746WBYIBoliUuAwNY3cNmVK
5K6qPccDO4rp/+4W1DFI7r/jw/QxM1NO8wqjqkRLHfVpI1ul2pc6Eno7cQIDAQAB
AoGAWKGktoGxu3/HZ+qB+GF7XORaxPUNrFar8QIV8wctwVNEB/SmkgP0tTTVgSLA
CbK2dt1Aj+wkY5fhz2vGRW5gYV4cnM40DcbbTZqeRoXgB0GwlXQU2ETUUJZ6DxxY
E2h3jMuCwY0WrE9vohUCZq1K0i7NVOB3jGes/n8MBGiQaRkCQQDOvszo1hdeP+bP
nrBmfJ6sBcvZYDSTqQ7nOpOL1TKQMqwM7eAdwrMy/Aktf5mrSKZBTE0nJR3coyD0
YB5wfDBzAkEAwx55n/nm0EVpDWM4rf4qj7an3fEDox6ZKnHI8DudStkznYAScBDH
PYjgOQVWhvymRN93FUxn5PEeRLeB8JofiwJARjdC/KkJkrb9OvJYUtZsRVxKmW81
LBk0uI+KYOltnM+440M+5Jylo+E5dLxrgmLQJEk3wt22QKMepCCo9ecXxQJABJ+n
QCw61PqgF6ofQLhCJ++rIK5CaM4j0QarPU4cVxa4i2Xqie9L2WBx98fxmfdItV8a
Qk3yNFGmZvh2Qs5UKwJAfLA0upTpN2vFw2jsnzI2LEk4RNqt4qOouID727tV8lz0
RHp3OpA1fho3a9Vxxjcq76vwPKWo9csdVLWKIp/taA==
-----END RSA PRIVATE KEY-----'''
PUB = '''-----BEGIN PUBLIC KEY-----
MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQCdk/Kqv4oyQ2KLfjpwnQjWHup+
elSY+6Bv4ZorO36pxCw/OvqkqlVt62D6LpgRIZKIZPIpAdJbVxV7gPoiD9jHrmEx
G746WBYIBoliUuAwNY3cNmVK5K6qPccDO4rp/+4W1DFI7r/jw/QxM1NO8wqjqkRL
HfVpI1ul2pc6Eno7cQIDAQAB
-----END PUBLIC KEY-----'''
";

#[test]
fn ucrypto_rsa_signs_encrypts_and_decrypts_with_pem_keys() {
    let out = snippet(&format!(
        r"{RSA_KEYS}
import crypto, ubinascii
sig = crypto.generate_rsa_signature('hello', KEY8)
print(ubinascii.hexlify(sig).decode())
print(crypto.generate_rsa_signature(b'hello', KEY1, pers='other') == sig)
secret = crypto.rsa_encrypt(b'top secret', PUB)
print(len(secret), crypto.rsa_decrypt(secret, KEY8), crypto.rsa_decrypt(secret, KEY1))
print(crypto.rsa_encrypt(b'top secret', PUB) != secret)
show(crypto.generate_rsa_signature, 'hello', 'not a key')
show(crypto.rsa_encrypt, b'x', 'not a key')
show(crypto.rsa_decrypt, secret, 'not a key')
show(crypto.rsa_encrypt, b'x' * 118, PUB)
show(crypto.rsa_decrypt, b'x' * 10, KEY8)
show(crypto.rsa_decrypt, bytes(127) + b'\x01', KEY8)
show(crypto.generate_rsa_signature, 'hello')"
    ));
    assert_eq!(
        out,
        [
            "1fb9d54bcb4b8478be6a9b9c70859cb5cd7dac171dff37dbb51331480a0750247c6b65f4d2ee292dac39c04005d0b6aea37e13534a99d7bbc0cbf738251b7afc804660eb26a416ce85cce44f94118b6f5b8f037ed2dc96d47345372c224b60dac05dddc5e110fb41cde57f43e2c172af64c9da6cbcd9cbaf1f9b65721c74bd55",
            "True",
            "128 b'top secret' b'top secret'",
            "True",
            "ValueError: Invalid Private Key, error code: -15616",
            "ValueError: Invalid public key, mbedtls error code: 0x3D00",
            "ValueError: Invalid private key, mbedtls error code: 0x3D00",
            "RuntimeError: Encrypt failed, mbedtls error code: 0x4080!",
            "RuntimeError: Decrypt failed, mbedtls error code: 0x4080!",
            "RuntimeError: Decrypt failed, mbedtls error code: 0x4100!",
            "TypeError: 'private_key' argument required",
        ]
    );
}

#[test]
fn uzlib_decompresses_zlib_raw_and_gzip_streams() {
    let out = snippet(
        r#"import uzlib
packed = b"x\x9c\xcbH\xcd\xc9\xc9W\xc8@'\x01h\x03\x08\xb1"
print(uzlib.decompress(packed), uzlib.decompress(packed + b'trailing'), uzlib.decompress(b'+J,WHI,I\x04\x00', -15))
gz = b'\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03+\xa8L\xce\xcfUH\xaf\xca,P\xc8\xc9\xccK\xe5*NM\xce\xcfK\x81\xb0\x01\x8c\xfc\xe5\xe9\x1c\x00\x00\x00'
class Source:
    def __init__(self, data): self.data, self.pos = data, 0
    def read(self, n):
        chunk = self.data[self.pos:self.pos + n]
        self.pos += n
        return chunk
d = uzlib.DecompIO(Source(gz), 31)
print(d.readline(), d.read(3), d.read(), d.read())
d = uzlib.DecompIO(Source(packed))
buf = bytearray(5)
print(d.readinto(buf), buf, d.read())
print(uzlib.DecompIO(Source(b'+J,WHI,I\x04\x00'), -8).read())
show(uzlib.decompress, b'not zlib data')
show(uzlib.decompress, packed[:-1] + b'\x00')
show(uzlib.decompress, packed[:8])
show(uzlib.decompress, 5)
show(uzlib.DecompIO, Source(b'xx'))
show(uzlib.DecompIO, 5)
try:
    uzlib.DecompIO(Source(packed[:-1] + b'\x00')).read()
except OSError as e:
    print('OSError', e.args[0])
show(uzlib.DecompIO(Source(packed[:8])).read)"#,
    );
    assert_eq!(
        out,
        [
            "bytearray(b'hello hello hello hello') bytearray(b'hello hello hello hello') bytearray(b'raw data')",
            r"b'pycom gzip line\n' b'sec' b'ond line\n' b''",
            "5 bytearray(b'hello') b' hello hello hello'",
            "b'raw data'",
            "ValueError: -3",
            "ValueError: -4",
            "ValueError: -3",
            "TypeError: object with buffer protocol required",
            "ValueError: compression header",
            "OSError: stream operation not supported",
            "OSError 22",
            "EOFError: ",
        ]
    );
}
