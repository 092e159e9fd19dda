//! The firmware is built with `MICROPY_FLOAT_IMPL_FLOAT`: every float is an
//! IEEE single, so arithmetic, literals, `float(str)`, int conversions,
//! comparisons, hashing, `math`, `cmath` and complex numbers round to single
//! precision. Expected values are what MicroPython built single precision
//! (the firmware's `ports/unix` with `MICROPY_FLOAT_IMPL_FLOAT`) prints.

mod common;
use common::snippet;

#[test]
fn sums_accumulate_single_precision_rounding() {
    let lines = snippet(
        "x = 0.0\nfor i in range(10000):\n    x += 0.1\nprint(x)\nprint(10 / 3, 7 / 2 ** 24, 1 / 3 * 3 == 1.0)\n",
    );
    assert_eq!(lines, ["999.9029", "3.333333 4.172325e-07 True"]);
}

#[test]
fn values_past_the_single_range_are_infinite_or_zero() {
    let lines = snippet("print(1e38 * 10, float('1e39'), -1e38 * 10, 1e-46, 3.4e38 * 1.0)\n");
    assert_eq!(lines, ["inf inf -inf 0.0 3.4e+38"]);
}

#[test]
fn integers_past_24_bits_lose_their_last_bits() {
    let lines = snippet(
        "print(16777217.0 == 16777216.0, 16777217 == 16777216.0, 16777216.0 < 16777217)\n\
         print(int(1e10), int(16777217.0), int(float(16777217)), int(1e38))\n\
         print(hash(16777217.0) == hash(16777216), len({16777216.0: 'a', 16777217.0: 'b'}))\n",
    );
    assert_eq!(
        lines,
        ["True True False", "10000000000 16777216 16777216 99999996802856924650656260769173209088", "True 1"]
    );
}

#[test]
fn products_and_constant_expressions_round_like_the_board() {
    // `2 ** 0.5 * 2 ** 0.5` is folded by the compiler; it must round as the
    // same computation at run time does.
    let lines = snippet(
        "print(2 ** 0.5 * 2 ** 0.5 == 2.0)\nr = 2 ** 0.5\nprint(r * r == 2.0, 0.1 + 0.2 == 0.3, 0.1 + 0.2 == 0.30000001192092896)\n",
    );
    assert_eq!(lines, ["False", "False True True"]);
}

#[test]
fn math_results_are_singles_and_overflow_past_their_range() {
    let lines = snippet("import math\nprint(math.sin(1e7), math.sqrt(2) ** 2, math.exp(88))\nshow(math.exp, 89)\n");
    assert_eq!(lines, ["0.4205478 2.0 1.651636e+38", "ValueError: math domain error"]);
}

#[test]
fn struct_packs_the_single_value() {
    let lines = snippet(
        "import struct\nprint(struct.pack('f', 0.1), struct.pack('d', 0.1))\nprint(struct.unpack('d', struct.pack('d', 0.1))[0] == 0.1)\n",
    );
    assert_eq!(lines, ["b'\\xcd\\xcc\\xcc=' b'\\x00\\x00\\x00\\xa0\\x99\\x99\\xb9?'", "True"]);
}

#[test]
fn complex_parts_are_singles() {
    let lines = snippet("print(1j * 1e39, (1 + 2j) / 3, complex(0.1, 0.2) * 10, complex(1e39, 1))\n");
    assert_eq!(lines, ["(nan+infj) (0.3333333+0.6666667j) (1+2j) (inf+1j)"]);
}

#[test]
fn sleep_takes_whole_milliseconds_of_a_single_product() {
    // modutime.c: `mp_hal_delay_ms(1000 * mp_obj_get_float(seconds))`.
    let lines = snippet(
        "import time\n\
         def slept(s):\n    t = time.ticks_us()\n    time.sleep(s)\n    return time.ticks_diff(time.ticks_us(), t)\n\
         print(1000 <= slept(0.0015) < 1100, 700000 <= slept(0.7) < 700100, slept(0.0007) < 100)\n",
    );
    assert_eq!(lines, ["True True True"]);
}

#[test]
fn powers_of_negative_numbers_are_complex_computed_in_single_precision() {
    // py/objfloat.c: a negative base and a power that is not whole (NaN
    // too) go to py/objcomplex.c's exp(z2 * ln(z1)), all in single floats.
    let lines = snippet(
        "print((-2) ** 0.5, (-8) ** (1 / 3), (-2.0) ** float('nan'))\nprint((1 + 2j) ** (0.5 + 1j), 2j ** 3, 0.99999994)\n",
    );
    assert_eq!(
        lines,
        ["(-6.181724e-08+1.414214j) (1+1.732051j) (nan+nanj)", "(0.1042331+0.4830959j) (9.539905e-08-8j) 1.0"]
    );
}

#[test]
fn round_to_digits_scales_in_single_precision() {
    // py/modbuiltins.c: nearbyint(x * powf(10, n)) / powf(10, n).
    let lines = snippet("print(round(2.675, 2), round(1234.5678, -2), round(0.125, 2), round(-0.5, 0), round(2.5))\n");
    assert_eq!(lines, ["2.68 1200.0 0.12 -0.0 2"]);
}

#[test]
fn dividing_ints_divides_their_singles() {
    let lines = snippet("print(2 ** 200 / 2 ** 199, 0 / -2, 16777217 / 1, 7 / 3, -1 / 3)\n");
    assert_eq!(lines, ["nan -0.0 1.677722e+07 2.333333 -0.3333333"]);
}
