/* Configuration file (MP_CONFIGFILE) for a second unix build of
 * pycom-micropython-sigfox: the unix port's configuration with the board's
 * single-precision floats (esp32/mpconfigport.h: MICROPY_FLOAT_IMPL_FLOAT),
 * a reference for the float/ tests as the board prints them. */
#include <mpconfigport.h>
#undef MICROPY_FLOAT_IMPL
#define MICROPY_FLOAT_IMPL (MICROPY_FLOAT_IMPL_FLOAT)
