//! `_thread` as firmware 1.20.2 has it (`py/modthread.c`, GIL on): threads
//! start at once and run one at a time, their sleeps are device time, so the
//! interleaving follows device time alone; locks, `get_ident`, `stack_size`,
//! `exit`, and the message of an exception that ends a thread.

mod common;
use common::{Burners, Device, ok, snippet};

const WORKERS: &str = "
import _thread, time
start = time.ticks_ms()
def stamp():
    return time.ticks_diff(time.ticks_ms(), start)
def worker(name, period, count):
    for i in range(count):
        time.sleep_ms(period)
        print(name, i, stamp())
_thread.start_new_thread(worker, ('a', 300, 4))
_thread.start_new_thread(worker, ('b', 500, 3))
for i in range(3):
    time.sleep_ms(400)
    print('main', i, stamp())
";

const INTERLEAVING: [&str; 10] = [
    "a 0 300",
    "main 0 400",
    "b 0 500",
    "a 1 600",
    "main 1 800",
    "a 2 900",
    "b 1 1000",
    "main 2 1200",
    "a 3 1200",
    "b 2 1500",
];

#[test]
fn two_workers_and_main_print_in_the_order_of_their_device_time_sleeps() {
    assert_eq!(snippet(WORKERS), INTERLEAVING);
}

#[test]
fn the_interleaving_is_the_same_in_twenty_runs_and_under_a_cpu_load() {
    let device = Device::new();
    let burners = Burners::start();
    for _ in 0..20 {
        assert_eq!(ok(device.run(WORKERS)).lines(), INTERLEAVING);
    }
    drop(burners);
}

#[test]
fn start_new_thread_returns_none_and_the_thread_runs_at_the_next_wait_of_the_main_one() {
    let source = "
import _thread, time
ran = []
print(_thread.start_new_thread(ran.append, ('x',)))
print(ran)
time.sleep_ms(1)
print(ran)
_thread.start_new_thread(lambda a, b=0: ran.append(a + b), [1], {'b': 2})
time.sleep_ms(1)
print(ran)
";
    assert_eq!(snippet(source), ["None", "[]", "['x']", "['x', 3]"]);
}

#[test]
fn a_thread_started_while_main_spins_runs_within_a_slice_of_device_time() {
    // The firmware releases the GIL while the main thread computes, so a
    // thread an alarm starts runs during a busy-wait, not after it
    // (Pycom's tests/esp32/usertask_immediate_terminate.py).
    let source = "
import _thread, time
from machine import Timer
log = []
def work(n):
    log.append(n)
def started(alarm):
    _thread.start_new_thread(work, (time.ticks_ms(),))
alarms = [Timer.Alarm(started, ms=ms) for ms in (100, 200, 300)]
end = time.ticks_ms() + 1000
while time.ticks_ms() < end:
    pass
print(len(log), [t - log[0] for t in log])
";
    assert_eq!(snippet(source), ["3 [0, 100, 200]"]);
}

#[test]
fn a_worker_blocked_for_ever_or_spinning_does_not_block_main() {
    let source = "
import _thread, time
stop = [False]
spins = [0]
def blocked():
    lock = _thread.allocate_lock()
    lock.acquire()
    lock.acquire()
def spin():
    while not stop[0]:
        spins[0] += 1
_thread.start_new_thread(blocked, ())
_thread.start_new_thread(spin, ())
for i in range(3):
    time.sleep_ms(100)
    print('main', i, spins[0] > 0)
stop[0] = True
";
    let run = Device::new().run_with(source, &["--timeout", "30s", "--timeout-exit-code", "0"]);
    assert_eq!(ok(run).lines(), ["main 0 True", "main 1 True", "main 2 True"]);
}

#[test]
fn a_lock_keeps_a_critical_section_whole_across_the_sleeps_inside_it() {
    let source = "
import _thread, time
lock = _thread.allocate_lock()
log = []
def worker(name):
    for i in range(2):
        with lock:
            log.append(name + '<')
            time.sleep_ms(10)
            log.append('>' + name)
        time.sleep_ms(1)
for name in 'abc':
    _thread.start_new_thread(worker, (name,))
time.sleep_ms(200)
print(' '.join(log))
print(lock.locked())
";
    let lines = snippet(source);
    let log: Vec<&str> = lines[0].split(' ').collect();
    assert_eq!(log.len(), 12, "{log:?}");
    for pair in log.chunks(2) {
        assert_eq!(pair[1], format!(">{}", &pair[0][..1]), "a section was entered twice: {log:?}");
    }
    assert_eq!(lines[1], "False");
}

#[test]
fn a_lock_acquired_without_waiting_says_whether_it_got_it_and_release_of_a_free_lock_raises() {
    let source = "
import _thread
lock = _thread.allocate_lock()
print(type(lock), _thread.LockType is type(lock))
print(lock.locked(), lock.acquire(), lock.locked(), lock.acquire(0), lock.acquire(False, -1))
lock.release()
show(lock.release)
";
    assert_eq!(snippet(source), ["<class 'lock'> True", "False True True False False", "RuntimeError: "]);
}

#[test]
fn an_exception_that_ends_a_thread_is_printed_with_the_function_and_exit_ends_it_quietly() {
    let source = "
import _thread, time
def fails():
    raise ValueError('bad reading')
def leaves():
    _thread.exit()
    print('not reached')
_thread.start_new_thread(fails, ())
_thread.start_new_thread(leaves, ())
time.sleep_ms(1)
print('main goes on')
";
    let run = ok(Device::new().run(source));
    let lines = run.lines();
    assert!(lines[0].starts_with("Unhandled exception in thread started by <function fails at 0x"), "{lines:?}");
    assert_eq!(
        lines[1..],
        [
            "Traceback (most recent call last):",
            "  File \"main.py\", line 4, in fails",
            "ValueError: bad reading",
            "main goes on"
        ]
    );
}

#[test]
fn get_ident_tells_threads_apart_and_stack_size_returns_the_size_before() {
    let source = "
import _thread, time
idents = [_thread.get_ident()]
_thread.start_new_thread(lambda: idents.append(_thread.get_ident()), ())
_thread.start_new_thread(lambda: idents.append(_thread.get_ident()), ())
time.sleep_ms(1)
print(len(set(idents)), idents[0] == _thread.get_ident())
print(_thread.stack_size(8192), _thread.stack_size(), _thread.stack_size())
";
    assert_eq!(snippet(source), ["3 True", "0 8192 0"]);
}

#[test]
fn bad_arguments_raise_the_firmwares_type_errors() {
    let source = "
import _thread
show(_thread.start_new_thread, print, 5)
show(_thread.start_new_thread, print, (), [])
";
    assert_eq!(
        snippet(source),
        ["TypeError: object 'int' isn't a tuple or list", "TypeError: expecting a dict for keyword args"]
    );
}

#[test]
fn the_run_goes_on_while_threads_run_after_main_py_ends_and_ends_with_the_last_one() {
    let source = "
import _thread, time
def later():
    time.sleep(2)
    print('thread done', time.ticks_ms())
_thread.start_new_thread(later, ())
print('main done')
";
    assert_eq!(ok(Device::new().run(source)).lines(), ["main done", "thread done 2000"]);
}

#[test]
fn a_soft_reset_ends_the_threads_of_the_boot_before() {
    let script = "
import _thread, time, machine, pycom
try:
    boots = pycom.nvs_get('boots')
except ValueError:
    boots = 0
pycom.nvs_set('boots', boots + 1)
def ticker(boot):
    while True:
        time.sleep_ms(100)
        print('tick', boot)
_thread.start_new_thread(ticker, (boots,))
time.sleep_ms(250)
if boots == 0:
    machine.soft_reset()
";
    let run = ok(Device::new().run_with(script, &["--timeout", "1s", "--timeout-exit-code", "0"]));
    let ticks: Vec<&str> = run.lines().into_iter().filter(|line| line.starts_with("tick")).collect();
    assert_eq!(ticks[..2], ["tick 0", "tick 0"], "{ticks:?}");
    assert!(ticks.len() > 4 && ticks[2..].iter().all(|tick| *tick == "tick 1"), "{ticks:?}");
}
