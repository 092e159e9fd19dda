/* Forced into the unix build of pycom-micropython-sigfox that
 * scripts/mpy-conformance uses as its reference (CFLAGS_EXTRA="-include ..."):
 * gives it the board's weak links (esp32/mpconfigport.h,
 * MICROPY_PORT_BUILTIN_MODULE_WEAK_LINKS) for the modules the unix port has,
 * so that `import json` works there as on the board and `import collections`
 * fails there as on the board; and the board's framebuf module. */
#define MICROPY_PY_FRAMEBUF (1)
#define MICROPY_MODULE_WEAK_LINKS (1)
#define MICROPY_PORT_BUILTIN_MODULE_WEAK_LINKS \
    { MP_ROM_QSTR(MP_QSTR_os), MP_ROM_PTR(&mp_module_os) }, \
    { MP_ROM_QSTR(MP_QSTR_time), MP_ROM_PTR(&mp_module_time) }, \
    { MP_ROM_QSTR(MP_QSTR_select), MP_ROM_PTR(&mp_module_uselect) }, \
    { MP_ROM_QSTR(MP_QSTR_binascii), MP_ROM_PTR(&mp_module_ubinascii) }, \
    { MP_ROM_QSTR(MP_QSTR_struct), MP_ROM_PTR(&mp_module_ustruct) }, \
    { MP_ROM_QSTR(MP_QSTR_re), MP_ROM_PTR(&mp_module_ure) }, \
    { MP_ROM_QSTR(MP_QSTR_json), MP_ROM_PTR(&mp_module_ujson) }, \
    { MP_ROM_QSTR(MP_QSTR_hashlib), MP_ROM_PTR(&mp_module_uhashlib) }, \
    { MP_ROM_QSTR(MP_QSTR_errno), MP_ROM_PTR(&mp_module_uerrno) },
