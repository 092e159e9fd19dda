//! `machine.Timer` as firmware 1.20.2 implements it (machtimer.c,
//! machtimer_alarm.c, machtimer_chrono.c): alarms whose handlers run on the
//! interrupt task at their device time, periodic ones without drift, the
//! stopwatch, and the argument errors.

mod common;
use common::{Device, ok, snippet};

fn lines(snippet_source: &str) -> Vec<String> {
    snippet(&format!("from machine import Timer\nimport machine, time\n{snippet_source}"))
}

/// Every handler runs at its due time, to the millisecond: never earlier,
/// never later, never drifting.
#[test]
fn a_one_second_periodic_alarm_runs_3600_times_in_an_hour_each_at_its_due_time() {
    let source = "
chrono = Timer.Chrono()
chrono.start()
start = time.ticks_ms()
early, on_time, worst = [], [0], [0]
count = [0]
def tick(alarm):
    count[0] += 1
    due = count[0] * 1000
    since = time.ticks_diff(time.ticks_ms(), start)
    # read_ms() is a single-precision float, as on the board: 0.125 ms steps past 1000 s.
    read = chrono.read_ms()
    if since < due or read < due - 0.25:
        early.append((count[0], since, read))
    if since == due:
        on_time[0] += 1
    worst[0] = max(worst[0], since - due)
alarm = Timer.Alarm(tick, s=1, periodic=True)
time.sleep(3600)
alarm.cancel()
time.sleep(5)
print(count[0], early[:3], on_time[0], worst[0])
";
    assert_eq!(lines(source), ["3600 [] 3600 0"]);
}

#[test]
fn a_periodic_alarm_is_due_again_one_interval_after_its_due_time_not_after_its_handler() {
    let source = "
start = time.ticks_ms()
seen = []
def slow(alarm):
    seen.append(time.ticks_diff(time.ticks_ms(), start) // 100 * 100)
    time.sleep_ms(300)
a = Timer.Alarm(slow, s=1, periodic=True)
time.sleep_ms(3500)
a.cancel()
print(seen)
";
    assert_eq!(lines(source), ["[1000, 2000, 3000]"]);
}

#[test]
fn one_shot_alarms_fire_once_in_due_order_whatever_order_they_were_made_in() {
    let source = "
seen = []
def note(word):
    seen.append((word, time.ticks_diff(time.ticks_ms(), start) // 100 * 100))
start = time.ticks_ms()
alarms = [Timer.Alarm(note, s=3, arg='3s'), Timer.Alarm(note, ms=1500, arg='1500ms'), Timer.Alarm(note, us=250, arg='250us')]
time.sleep(5)
print(seen)
";
    assert_eq!(lines(source), ["[('250us', 0), ('1500ms', 1500), ('3s', 3000)]"]);
}

#[test]
fn a_cancelled_alarm_never_fires_and_callback_starts_it_again_from_now() {
    let source = "
seen = []
a = Timer.Alarm(seen.append, s=1, arg='a')
b = Timer.Alarm(seen.append, s=2, arg='b')
a.cancel()
time.sleep(3)
print(seen)
a.callback(seen.append, arg='again')
time.sleep_ms(999)
print(seen)
time.sleep_ms(2)
print(seen)
a.callback(None)
time.sleep(2)
print(seen)
";
    assert_eq!(lines(source), ["['b']", "['b']", "['b', 'again']", "['b', 'again']"]);
}

#[test]
fn the_handler_gets_the_alarm_itself_unless_an_argument_is_given() {
    let source = "
got = []
a = Timer.Alarm(got.append, ms=10)
time.sleep_ms(20)
print(got[0] is a, type(a).__name__)
";
    assert_eq!(lines(source), ["True Alarm"]);
}

#[test]
fn alarms_fire_while_the_script_computes_without_sleeping() {
    let source = "
fired = []
chrono = Timer.Chrono()
chrono.start()
a = Timer.Alarm(lambda alarm: fired.append(chrono.read_ms()), ms=20, periodic=True)
while chrono.read_ms() < 200:
    pass
a.cancel()
print(len(fired) >= 5, all(x >= 20 for x in fired))
";
    assert_eq!(lines(source), ["True True"]);
}

#[test]
fn bad_durations_and_too_many_alarms_get_the_firmwares_errors() {
    let source = "
def cb(a):
    pass
show(Timer.Alarm, cb)
show(Timer.Alarm, cb, 1, ms=5)
show(Timer.Alarm, cb, -1)
show(Timer.Alarm, cb, us=0)
show(Timer.Alarm)
show(Timer.Alarm, cb, 1, 2)
show(Timer.Alarm, cb, s=1, when=3)
alarms = [Timer.Alarm(cb, s=10) for _ in range(16)]
show(Timer.Alarm, cb, s=10)
alarms[0].cancel()
print(type(Timer.Alarm(cb, s=10)).__name__)
";
    assert_eq!(
        lines(source),
        [
            "ValueError: please provide a single duration",
            "ValueError: please provide a single duration",
            "ValueError: please provide a positive number",
            "ValueError: please provide a single duration",
            "TypeError: 'handler' argument required",
            "TypeError: extra positional arguments given",
            "TypeError: extra keyword arguments given",
            "MemoryError: maximum number of 16 alarms already reached",
            "Alarm",
        ]
    );
}

#[test]
fn an_exception_in_an_alarm_handler_ends_the_interrupt_task_until_the_next_boot() {
    let device = Device::new();
    let source = "from machine import Timer\nimport time\nseen = []\n\
                  def bad(a):\n    seen.append('bad')\n    raise ValueError('boom')\n\
                  Timer.Alarm(bad, ms=10)\nTimer.Alarm(seen.append, ms=20, arg='later')\n\
                  time.sleep_ms(50)\nprint(seen)\n";
    let run = ok(device.run(source));
    let out = run.stdout.replace("\r\n", "\n");
    assert!(out.starts_with("Unhandled exception in callback handler\nTraceback"), "{out}");
    assert!(out.contains("ValueError: boom\n"), "{out}");
    assert!(out.ends_with("['bad']\n"), "the second alarm's handler never runs: {out}");
}

#[test]
fn disable_irq_holds_alarm_handlers_back_until_enable_irq() {
    let source = "
seen = []
a = Timer.Alarm(seen.append, ms=10, arg='fired')
state = machine.disable_irq()
time.sleep_ms(50)
print(seen)
machine.enable_irq(state)
print(seen)
";
    assert_eq!(lines(source), ["[]", "['fired']"]);
}

#[test]
fn the_chrono_counts_only_while_running_and_reset_keeps_it_running() {
    let source = "
c = Timer.Chrono()
print(c.read())
c.start()
time.sleep_ms(1500)
c.stop()
time.sleep(5)
print(round(c.read(), 3), round(c.read_ms()), round(c.read_us() / 1000))
c.start()
time.sleep_ms(500)
print(round(c.read(), 3))
c.reset()
time.sleep_ms(250)
print(round(c.read_ms()))
";
    assert_eq!(lines(source), ["0.0", "1.5 1500 1500", "2.0", "250"]);
}

#[test]
fn timer_is_a_namespace_that_cannot_be_instantiated() {
    assert_eq!(
        lines("show(Timer)\nprint(Timer.Alarm.__name__, Timer.Chrono.__name__)"),
        ["TypeError: cannot create 'Timer' instances", "Alarm Chrono"]
    );
}

#[test]
fn timer_sleep_us_lets_device_time_pass() {
    let source = "
start = time.ticks_us()
Timer.sleep_us(2500)
print(time.ticks_diff(time.ticks_us(), start) // 100)
";
    assert_eq!(lines(source), ["25"]);
}
