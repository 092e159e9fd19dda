//! `machine.RTC` as firmware 1.20.2 implements it (machrtc.c): one clock with
//! `time.time()`/`localtime()`, set with `init`, read with `now`, SNTP that
//! cannot sync without a network, and the RTC memory.

mod common;
use common::snippet;

fn lines(snippet_source: &str) -> Vec<String> {
    snippet(&format!("from machine import RTC\nimport time\n{snippet_source}"))
}

#[test]
fn the_time_set_with_init_is_what_now_and_the_time_module_read() {
    let source = "
rtc = RTC()
rtc.init((2020, 2, 29, 23, 59, 58, 250000, None))
now = rtc.now()
print(now[:6], now[7], now[6] >= 250000)
print(time.localtime()[:6], time.time() == time.mktime((2020, 2, 29, 23, 59, 58, 0, 0)))
time.sleep(3)
print(rtc.now()[:6], time.gmtime()[:3])
";
    assert_eq!(
        lines(source),
        ["(2020, 2, 29, 23, 59, 58) None True", "(2020, 2, 29, 23, 59, 58) True", "(2020, 3, 1, 0, 0, 1) (2020, 3, 1)",]
    );
}

#[test]
fn the_constructor_sets_the_datetime_and_short_tuples_mean_midnight() {
    let source = "
print(RTC().now()[:3], time.time() < 5)
RTC(datetime=(2030, 1, 2))
print(RTC().now()[:6])
RTC(0, (2030, 1, 2, 3))
print(RTC().now()[:6])
";
    assert_eq!(lines(source), ["(1970, 1, 1) True", "(2030, 1, 2, 0, 0, 0)", "(2030, 1, 2, 3, 0, 0)"]);
}

#[test]
fn bad_ids_and_datetimes_get_the_firmwares_errors() {
    let source = "
show(RTC, 1)
show(RTC().init, (2020, 1))
show(RTC().init, (2020, 1, 2, 3, 4, 5, 6, 7, 8))
show(RTC().init, 5)
show(RTC().ntp_sync, 'pool.ntp.org', 14)
show(RTC().ntp_sync)
show(lambda: (RTC.INTERNAL_RC, RTC.XTAL_32KHZ))
";
    assert_eq!(
        lines(source),
        [
            "OSError: resource not available",
            "ValueError: invalid argument(s) value",
            "ValueError: invalid argument(s) value",
            "TypeError: object 'int' isn't a tuple or list",
            "ValueError: update period cannot be shorter than 15 s",
            "TypeError: 'server' argument required",
            "(0, 1)",
        ]
    );
}

#[test]
fn ntp_sync_returns_at_once_and_never_syncs_without_a_network() {
    let source = "
rtc = RTC()
print(rtc.ntp_sync('pool.ntp.org'), rtc.synced())
time.sleep(60)
print(rtc.synced(), rtc.now()[0])
";
    assert_eq!(lines(source), ["None False", "False 1970"]);
}

#[test]
fn rtc_memory_holds_up_to_2048_bytes() {
    let source = "
rtc = RTC()
rtc.memory(b'')
print(rtc.memory())
rtc.memory(b'10101010')
print(rtc.memory())
show(rtc.memory, bytes(2049))
rtc.memory(bytearray(2048))
print(len(rtc.memory()))
";
    assert_eq!(lines(source), ["b''", "b'10101010'", "ValueError: buffer too long", "2048"]);
}
