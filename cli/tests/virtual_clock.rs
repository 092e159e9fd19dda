//! The virtual clock: device time moves only by what the script does on the
//! board, so a run prints the same times however fast or loaded the host is.

mod common;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use common::{Device, ok, snippet};

#[test]
fn plain_computation_costs_no_device_time_and_a_busy_wait_ends_at_its_time() {
    let lines = snippet(
        "import time
t0 = time.ticks_us()
total = sum(i * i for i in range(20000))
print(time.ticks_diff(time.ticks_us(), t0) < 10)
t0 = time.ticks_ms()
while time.ticks_diff(time.ticks_ms(), t0) < 250:
    pass
print(time.ticks_diff(time.ticks_ms(), t0))",
    );
    assert_eq!(lines, ["True", "250"]);
}

/// Pins, a bus, sleeps and alarm handlers, each printing the device time it
/// saw.
const TIMED: &str = "
import time
from machine import Pin, I2C, Timer
start = time.ticks_us()
def at():
    return time.ticks_diff(time.ticks_us(), start)
p = Pin('P9', Pin.OUT)
for _ in range(100):
    p(1); p(0)
print('toggled', at())
i2c = I2C(0, baudrate=100000)
i2c.writeto(0x48, bytes(20))
print('i2c', at())
seen = []
alarm = Timer.Alarm(lambda a: seen.append(at()), ms=7, periodic=True)
while len(seen) < 3:
    time.sleep_ms(2)
print('alarms while sleeping', seen)
done = [False]
def fifth(a):
    seen.append(at())
    done[0] = len(seen) == 5
alarm.callback(fifth)
while not done[0]:
    pass
alarm.cancel()
print('alarms while spinning', seen)
time.sleep_us(333)
print('slept', at())
";

const SENSOR: &str = "[[device]]\nkind = \"i2c\"\naddress = 0x48\n";

/// With a run timeout: a host too busy to run the interpreter must not look
/// like a script spinning until its next interrupt (the timeout).
fn timed_run() -> String {
    let device = Device::new();
    ok(device.run_with_board_file(SENSOR, TIMED, &["--timeout", "60s"])).stdout
}

#[test]
fn a_run_prints_the_same_device_times_however_loaded_the_host_is() {
    let idle = timed_run();
    assert!(idle.contains("alarms while spinning ["), "{idle}");
    let stop = Arc::new(AtomicBool::new(false));
    let hogs: Vec<_> = (0..4)
        .map(|_| {
            let stop = stop.clone();
            std::thread::spawn(move || {
                let mut x = 0u64;
                while !stop.load(Ordering::Relaxed) {
                    x = std::hint::black_box(x.wrapping_mul(6364136223846793005).wrapping_add(1));
                }
            })
        })
        .collect();
    let loaded = [timed_run(), timed_run()];
    stop.store(true, Ordering::Relaxed);
    for hog in hogs {
        hog.join().unwrap();
    }
    assert_eq!(loaded, [idle.clone(), idle]);
}

#[test]
fn a_loop_that_never_touches_the_board_is_still_reset_by_its_watchdog() {
    let lines = snippet(
        "import machine
if machine.reset_cause() == machine.WDT_RESET:
    print('reset by the watchdog')
else:
    machine.WDT(timeout=1000)
    while True:
        pass",
    );
    assert_eq!(lines, ["reset by the watchdog"]);
}
