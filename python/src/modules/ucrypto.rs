//! `ucrypto` (weak link `crypto`) as Pycom's `esp32/mods/moducrypto.c`: `AES`
//! with the ECB, CBC, CFB (8- and 128-bit segments) and CTR modes, whose
//! chaining state carries over from call to call as on the board's hardware
//! AES; `getrandbits` from the board's RNG; `generate_rsa_signature` (PKCS#1
//! v1.5 over SHA-256), `rsa_encrypt` and `rsa_decrypt` (PKCS#1 v1.5 padding)
//! with PEM keys, and mbedTLS's error codes in the messages.

pub(crate) use ucrypto::module_def;

use aes::cipher::{BlockCipherDecrypt, BlockCipherEncrypt, KeyInit};
use aes::{Aes128, Aes192, Aes256, Block};

/// `AES.MODE_ECB`.
const MODE_ECB: i32 = 1;
/// `AES.MODE_CBC`.
const MODE_CBC: i32 = 2;
/// `AES.MODE_CFB`.
const MODE_CFB: i32 = 3;
/// `AES.MODE_CTR`.
const MODE_CTR: i32 = 6;
/// `AES.SEGMENT_8`.
const SEGMENT_8: i32 = 8;
/// `AES.SEGMENT_128`.
const SEGMENT_128: i32 = 128;
/// The firmware's text for ECB and CBC input of a partial block.
const PARTIAL_BLOCK: &str = "Input strings must be a multiple of 16 in length";

/// The expanded key.
enum Key {
    Aes128(Aes128),
    Aes192(Aes192),
    Aes256(Aes256),
}

impl Key {
    fn new(key: &[u8]) -> Option<Self> {
        Some(match key.len() {
            16 => Self::Aes128(Aes128::new_from_slice(key).ok()?),
            24 => Self::Aes192(Aes192::new_from_slice(key).ok()?),
            32 => Self::Aes256(Aes256::new_from_slice(key).ok()?),
            _ => return None,
        })
    }

    fn encrypt(&self, block: [u8; 16]) -> [u8; 16] {
        let mut block = Block::from(block);
        match self {
            Self::Aes128(k) => k.encrypt_block(&mut block),
            Self::Aes192(k) => k.encrypt_block(&mut block),
            Self::Aes256(k) => k.encrypt_block(&mut block),
        }
        block.into()
    }

    fn decrypt(&self, block: [u8; 16]) -> [u8; 16] {
        let mut block = Block::from(block);
        match self {
            Self::Aes128(k) => k.decrypt_block(&mut block),
            Self::Aes192(k) => k.decrypt_block(&mut block),
            Self::Aes256(k) => k.decrypt_block(&mut block),
        }
        block.into()
    }
}

/// The chaining mode and its state.
enum Mode {
    Ecb,
    Cbc { iv: [u8; 16] },
    Cfb8 { iv: [u8; 16] },
    Cfb128 { iv: [u8; 16], offset: usize },
    Ctr { counter: [u8; 16], stream: [u8; 16], offset: usize },
}

fn block_of(bytes: &[u8]) -> [u8; 16] {
    let mut block = [0u8; 16];
    block.copy_from_slice(bytes);
    block
}

fn xor(a: [u8; 16], b: [u8; 16]) -> [u8; 16] {
    std::array::from_fn(|i| a[i] ^ b[i])
}

/// A cipher object: key and mode, as `esp_aes` keeps them between calls.
struct Cipher {
    key: Key,
    mode: Mode,
}

impl Cipher {
    /// Encrypts or decrypts `input`; `None` for a partial block in ECB or CBC.
    fn crypt(&mut self, input: &[u8], encrypt: bool) -> Option<Vec<u8>> {
        let key = &self.key;
        match &mut self.mode {
            Mode::Ecb | Mode::Cbc { .. } if !input.len().is_multiple_of(16) => None,
            Mode::Ecb => Some(
                input
                    .chunks(16)
                    .flat_map(|b| if encrypt { key.encrypt(block_of(b)) } else { key.decrypt(block_of(b)) })
                    .collect(),
            ),
            Mode::Cbc { iv } => Some(
                input
                    .chunks(16)
                    .flat_map(|b| {
                        let b = block_of(b);
                        if encrypt {
                            *iv = key.encrypt(xor(b, *iv));
                            *iv
                        } else {
                            let plain = xor(key.decrypt(b), *iv);
                            *iv = b;
                            plain
                        }
                    })
                    .collect(),
            ),
            Mode::Cfb8 { iv } => Some(
                input
                    .iter()
                    .map(|&byte| {
                        let out = key.encrypt(*iv)[0] ^ byte;
                        iv.copy_within(1.., 0);
                        iv[15] = if encrypt { out } else { byte };
                        out
                    })
                    .collect(),
            ),
            Mode::Cfb128 { iv, offset } => Some(
                input
                    .iter()
                    .map(|&byte| {
                        if *offset == 0 {
                            *iv = key.encrypt(*iv);
                        }
                        let out = iv[*offset] ^ byte;
                        iv[*offset] = if encrypt { out } else { byte };
                        *offset = (*offset + 1) % 16;
                        out
                    })
                    .collect(),
            ),
            Mode::Ctr { counter, stream, offset } => Some(
                input
                    .iter()
                    .map(|&byte| {
                        if *offset == 0 {
                            *stream = key.encrypt(*counter);
                            *counter = (u128::from_be_bytes(*counter).wrapping_add(1)).to_be_bytes();
                        }
                        let out = stream[*offset] ^ byte;
                        *offset = (*offset + 1) % 16;
                        out
                    })
                    .collect(),
            ),
        }
    }
}

/// The board's RNG for RSA padding, as mbedTLS's CTR-DRBG seeded from it.
struct BoardRng;

impl rsa::rand_core::TryRng for BoardRng {
    type Error = std::convert::Infallible;

    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        let mut bytes = [0u8; 4];
        self.try_fill_bytes(&mut bytes)?;
        Ok(u32::from_le_bytes(bytes))
    }

    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        let mut bytes = [0u8; 8];
        self.try_fill_bytes(&mut bytes)?;
        Ok(u64::from_le_bytes(bytes))
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        dst.copy_from_slice(&crate::rng::random_bytes(dst.len()));
        Ok(())
    }
}

impl rsa::rand_core::TryCryptoRng for BoardRng {}

/// mbedTLS's `MBEDTLS_ERR_PK_KEY_INVALID_FORMAT`, what a key it cannot parse gives.
const PK_KEY_INVALID_FORMAT: i32 = 0x3D00;
/// `MBEDTLS_ERR_RSA_BAD_INPUT_DATA`.
const RSA_BAD_INPUT_DATA: i32 = 0x4080;
/// `MBEDTLS_ERR_RSA_INVALID_PADDING`.
const RSA_INVALID_PADDING: i32 = 0x4100;

/// A PEM private key, PKCS#8 or PKCS#1.
fn private_key(pem: &str) -> Option<rsa::PrivateKey> {
    use rsa::pkcs1::DecodeRsaPrivateKey;
    use rsa::pkcs8::DecodePrivateKey;
    rsa::PrivateKey::from_pkcs8_pem(pem).ok().or_else(|| rsa::PrivateKey::from_pkcs1_pem(pem).ok())
}

/// A PEM public key, SubjectPublicKeyInfo or PKCS#1.
fn public_key(pem: &str) -> Option<rsa::PublicKey> {
    use rsa::pkcs1::DecodeRsaPublicKey;
    use rsa::pkcs8::DecodePublicKey;
    rsa::PublicKey::from_public_key_pem(pem).ok().or_else(|| rsa::PublicKey::from_pkcs1_pem(pem).ok())
}

/// PKCS#1 v1.5 encryption: `Err` holds mbedTLS's error code.
fn rsa_encrypt(key: &rsa::PublicKey, message: &[u8]) -> Result<Vec<u8>, i32> {
    key.pkcs1v15_encrypt_with_rng(&mut BoardRng, message).map_err(|_| RSA_BAD_INPUT_DATA)
}

/// PKCS#1 v1.5 decryption with explicit padding errors, as mbedTLS reports them.
fn rsa_decrypt(key: &rsa::PrivateKey, ciphertext: &[u8]) -> Result<Vec<u8>, i32> {
    use rsa::traits::PublicKeyParts;
    let k = key.size();
    if ciphertext.len() != k {
        return Err(RSA_BAD_INPUT_DATA);
    }
    let precision = key.n().as_ref().bits_precision();
    let c = rsa::BoxedUint::from_be_slice(ciphertext, precision).map_err(|_| RSA_BAD_INPUT_DATA)?;
    let m = rsa::hazmat::rsa_decrypt_and_check(key, Some(&mut BoardRng), &c).map_err(|_| RSA_INVALID_PADDING)?;
    let bytes = m.to_be_bytes();
    let em = &bytes[bytes.len().saturating_sub(k)..];
    // EM = 00 || 02 || PS (8 or more non-zero bytes) || 00 || M
    if em.len() != k || em[0] != 0 || em[1] != 2 {
        return Err(RSA_INVALID_PADDING);
    }
    let separator = em[2..].iter().position(|&b| b == 0).ok_or(RSA_INVALID_PADDING)?;
    if separator < 8 {
        return Err(RSA_INVALID_PADDING);
    }
    Ok(em[2 + separator + 1..].to_vec())
}

/// The text of a str or bytes argument up to its first NUL, as C's `strlen` sees it.
fn c_string(bytes: &[u8]) -> String {
    let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
    String::from_utf8_lossy(&bytes[..end]).into_owned()
}

#[rustpython_vm::pymodule]
mod ucrypto {
    use rustpython_vm::builtins::{PyIntRef, PyType};
    use rustpython_vm::common::lock::PyMutex;
    use rustpython_vm::function::FuncArgs;
    use rustpython_vm::types::Constructor;
    use rustpython_vm::{Context, Py, PyObjectRef, PyPayload, PyResult, VirtualMachine, pyclass};
    use sha2::Digest;

    use super::{
        Cipher, Key, MODE_CBC, MODE_CFB, MODE_CTR, MODE_ECB, Mode, PARTIAL_BLOCK, PK_KEY_INVALID_FORMAT, SEGMENT_8,
        SEGMENT_128, c_string, private_key, public_key,
    };
    use crate::args::{arity, get_int, method_arity, parse_args, str_or_bytes};
    use crate::buffer::{check_alloc, read_bytes};

    /// `AES(key, mode=MODE_ECB, IV=None, counter=None, segment_size=8)`: makes an
    /// `AESCipher`.
    #[pyattr(name = "AES")]
    #[pyclass(module = "ucrypto", name = "AES")]
    #[derive(Debug, PyPayload)]
    struct Aes {}

    impl Constructor for Aes {
        type Args = FuncArgs;

        /// `AES(...)` makes an `AESCipher`, not an `AES`.
        fn slot_new(_cls: rustpython_vm::builtins::PyTypeRef, args: FuncArgs, vm: &VirtualMachine) -> PyResult {
            Ok(AesCipher::new(args, vm)?.into_ref(&vm.ctx).into())
        }

        fn py_new(_cls: &Py<PyType>, args: FuncArgs, vm: &VirtualMachine) -> PyResult<Self> {
            AesCipher::new(args, vm).map(|_| Self {})
        }
    }

    #[pyclass(with(Constructor))]
    impl Aes {
        #[pyattr(name = "MODE_ECB")]
        fn mode_ecb(ctx: &Context) -> PyIntRef {
            ctx.new_int(MODE_ECB)
        }
        #[pyattr(name = "MODE_CBC")]
        fn mode_cbc(ctx: &Context) -> PyIntRef {
            ctx.new_int(MODE_CBC)
        }
        #[pyattr(name = "MODE_CFB")]
        fn mode_cfb(ctx: &Context) -> PyIntRef {
            ctx.new_int(MODE_CFB)
        }
        #[pyattr(name = "MODE_CTR")]
        fn mode_ctr(ctx: &Context) -> PyIntRef {
            ctx.new_int(MODE_CTR)
        }
        #[pyattr(name = "SEGMENT_8")]
        fn segment_8(ctx: &Context) -> PyIntRef {
            ctx.new_int(SEGMENT_8)
        }
        #[pyattr(name = "SEGMENT_128")]
        fn segment_128(ctx: &Context) -> PyIntRef {
            ctx.new_int(SEGMENT_128)
        }
    }

    /// What `AES(...)` returns: `encrypt(data)` and `decrypt(data)`.
    #[pyattr]
    #[pyclass(module = "ucrypto", name = "AESCipher")]
    #[derive(PyPayload)]
    struct AesCipher {
        cipher: PyMutex<Cipher>,
    }

    impl std::fmt::Debug for AesCipher {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("AESCipher")
        }
    }

    /// A 16-byte buffer argument, else `ValueError(message)`.
    fn block_arg(obj: &PyObjectRef, message: &str, vm: &VirtualMachine) -> PyResult<[u8; 16]> {
        let bytes = read_bytes(obj, vm)?;
        <[u8; 16]>::try_from(bytes.as_slice()).map_err(|_| vm.new_value_error(message.to_owned()))
    }

    impl AesCipher {
        /// `AES_make_new`, checking in the firmware's order.
        fn new(args: FuncArgs, vm: &VirtualMachine) -> PyResult<Self> {
            let mut args = parse_args(args, &["key", "mode", "IV", "counter", "segment_size"], &[], vm)?;
            let key = args.remove("key").ok_or_else(|| vm.new_type_error("'key' argument required"))?;
            let key = Key::new(&read_bytes(&key, vm)?)
                .ok_or_else(|| vm.new_value_error("AES key must be either 16, 24, or 32 bytes long"))?;
            let mode = args.remove("mode").map(|m| get_int(&m, vm)).transpose()?.unwrap_or(MODE_ECB);
            if ![MODE_ECB, MODE_CBC, MODE_CFB, MODE_CTR].contains(&mode) {
                return Err(vm.new_value_error(format!("Unknown cipher feedback mode {mode}")));
            }
            let none = vm.ctx.none();
            let iv = match args.remove("IV").filter(|iv| !vm.is_none(iv)) {
                Some(iv) if mode != MODE_ECB && mode != MODE_CTR => block_arg(&iv, "IV must be 16 bytes long", vm)?,
                _ => [0; 16],
            };
            let counter = args.remove("counter").unwrap_or(none);
            let counter = if mode == MODE_CTR {
                block_arg(&counter, "Initial counter value must be 16 bytes long", vm)?
            } else if !vm.is_none(&counter) {
                return Err(vm.new_value_error("'counter' parameter only useful with CTR mode"));
            } else {
                [0; 16]
            };
            let segment = match args.remove("segment_size") {
                Some(size) => get_int(&size, vm)?,
                None => SEGMENT_8,
            };
            let mode = match mode {
                MODE_ECB => Mode::Ecb,
                MODE_CBC => Mode::Cbc { iv },
                MODE_CTR => Mode::Ctr { counter, stream: [0; 16], offset: 0 },
                _ if segment == SEGMENT_8 => Mode::Cfb8 { iv },
                _ if segment == SEGMENT_128 => Mode::Cfb128 { iv, offset: 0 },
                _ => return Err(vm.new_value_error("segment_size must be 8 or 128")),
            };
            Ok(Self { cipher: PyMutex::new(Cipher { key, mode }) })
        }

        fn run(&self, args: FuncArgs, encrypt: bool, vm: &VirtualMachine) -> PyResult<Vec<u8>> {
            method_arity(&args, 1, 1, vm)?;
            let data = read_bytes(&args.args[0], vm)?;
            self.cipher.lock().crypt(&data, encrypt).ok_or_else(|| vm.new_value_error(PARTIAL_BLOCK))
        }
    }

    #[pyclass]
    impl AesCipher {
        /// `encrypt(plaintext)`.
        #[pymethod]
        fn encrypt(&self, args: FuncArgs, vm: &VirtualMachine) -> PyResult<Vec<u8>> {
            self.run(args, true, vm)
        }

        /// `decrypt(ciphertext)`.
        #[pymethod]
        fn decrypt(&self, args: FuncArgs, vm: &VirtualMachine) -> PyResult<Vec<u8>> {
            self.run(args, false, vm)
        }
    }

    /// `getrandbits(bits)`: bytes of whole 32-bit random words, `bits` rounded up
    /// to a multiple of 32 (computed in 32 bits, as the firmware does).
    #[pyfunction]
    fn getrandbits(args: FuncArgs, vm: &VirtualMachine) -> PyResult<Vec<u8>> {
        arity(&args, 1, 1, vm)?;
        let bits = get_int(&args.args[0], vm)? as u32;
        let words = bits.wrapping_add(if bits & 0x1f != 0 { 0x20 } else { 0 }) >> 5;
        let len = words as usize * 4;
        check_alloc(len, vm)?;
        Ok(crate::rng::random_bytes(len))
    }

    /// `generate_rsa_signature(message, private_key, *, pers)`: PKCS#1 v1.5
    /// signature of SHA-256(`message`).
    #[pyfunction]
    fn generate_rsa_signature(args: FuncArgs, vm: &VirtualMachine) -> PyResult<Vec<u8>> {
        let mut args = parse_args(args, &["message", "private_key"], &["pers"], vm)?;
        let message = args.remove("message").ok_or_else(|| vm.new_type_error("'message' argument required"))?;
        let key = args.remove("private_key").ok_or_else(|| vm.new_type_error("'private_key' argument required"))?;
        let message = c_string(&str_or_bytes(&message, vm)?);
        let key = c_string(&str_or_bytes(&key, vm)?);
        if let Some(pers) = args.remove("pers") {
            str_or_bytes(&pers, vm)?;
        }
        let key = private_key(&key).ok_or_else(|| {
            vm.new_value_error(format!("Invalid Private Key, error code: {}", -PK_KEY_INVALID_FORMAT))
        })?;
        let digest = sha2::Sha256::digest(message.as_bytes());
        key.pkcs1v15_sign_prehash::<sha2::Sha256>(&digest)
            .map_err(|_| vm.new_runtime_error(format!("Signing failed, error code: {}!", -super::RSA_BAD_INPUT_DATA)))
    }

    fn message_and_key(args: FuncArgs, vm: &VirtualMachine) -> PyResult<(Vec<u8>, String)> {
        let mut args = parse_args(args, &["message", "key"], &[], vm)?;
        let message = args.remove("message").ok_or_else(|| vm.new_type_error("'message' argument required"))?;
        let key = args.remove("key").ok_or_else(|| vm.new_type_error("'key' argument required"))?;
        let key = c_string(&str_or_bytes(&key, vm)?);
        Ok((read_bytes(&message, vm)?, key))
    }

    /// `rsa_encrypt(message, key)`: PKCS#1 v1.5 encryption with a PEM public key.
    #[pyfunction]
    fn rsa_encrypt(args: FuncArgs, vm: &VirtualMachine) -> PyResult<Vec<u8>> {
        let (message, key) = message_and_key(args, vm)?;
        let key = public_key(&key).ok_or_else(|| {
            vm.new_value_error(format!("Invalid public key, mbedtls error code: 0x{PK_KEY_INVALID_FORMAT:X}"))
        })?;
        super::rsa_encrypt(&key, &message)
            .map_err(|code| vm.new_runtime_error(format!("Encrypt failed, mbedtls error code: 0x{code:X}!")))
    }

    /// `rsa_decrypt(message, key)`: PKCS#1 v1.5 decryption with a PEM private key.
    #[pyfunction]
    fn rsa_decrypt(args: FuncArgs, vm: &VirtualMachine) -> PyResult<Vec<u8>> {
        let (message, key) = message_and_key(args, vm)?;
        let key = private_key(&key).ok_or_else(|| {
            vm.new_value_error(format!("Invalid private key, mbedtls error code: 0x{PK_KEY_INVALID_FORMAT:X}"))
        })?;
        super::rsa_decrypt(&key, &message)
            .map_err(|code| vm.new_runtime_error(format!("Decrypt failed, mbedtls error code: 0x{code:X}!")))
    }
}
