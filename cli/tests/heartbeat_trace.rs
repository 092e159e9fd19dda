//! The LED history against device time: the heartbeat's 80 ms / 3920 ms rhythm.

mod common;
use common::Device;

fn csv_events(text: &str) -> Vec<(u64, u32)> {
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("time_us,rgb,hex"));
    lines
        .map(|l| {
            let mut f = l.split(',');
            let t = f.next().unwrap().parse().unwrap();
            let rgb = f.next().unwrap().parse().unwrap();
            assert_eq!(f.next().unwrap(), format!("#{rgb:06x}"));
            (t, rgb)
        })
        .collect()
}

#[test]
fn one_hour_of_heartbeat_is_900_blue_flashes_of_80_ms() {
    let device = Device::new();
    let trace = device.path("led.csv");
    let run = device.run_with("import time\ntime.sleep(3600)\n", &["--trace-led", trace.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let events = csv_events(&std::fs::read_to_string(&trace).unwrap());
    let hour = 3_600_000_000;
    let flashes: Vec<&(u64, u32)> = events.iter().filter(|(t, rgb)| *rgb == 0x000050 && *t < hour).collect();
    assert_eq!(flashes.len(), 900);
    for (i, (t, _)) in flashes.iter().enumerate() {
        assert_eq!(*t, i as u64 * 4_000_000, "flash {i} starts on the 4 s grid");
        let off = events.iter().find(|(at, _)| at > t).expect("every flash ends");
        assert_eq!(*off, (t + 80_000, 0), "flash {i} lasts 80 ms");
    }
}

#[test]
fn rgbled_changes_are_traced_as_json_lines() {
    let device = Device::new();
    let trace = device.path("led.jsonl");
    let run = device.run_with(
        "import pycom, time\npycom.heartbeat(False)\ntime.sleep_ms(500)\npycom.rgbled(0x123456)\ntime.sleep(2)\npycom.rgbled(0x123456)\npycom.rgbled(0)\n",
        &["--trace-led", trace.to_str().unwrap()],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let events: Vec<serde_json::Value> =
        std::fs::read_to_string(&trace).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let colours: Vec<u64> = events.iter().map(|e| e["rgb"].as_u64().unwrap()).collect();
    assert_eq!(colours, [0, 0x50, 0, 0x123456, 0], "power-on, boot flash, off, set (a repeat is no change), off");
    assert_eq!(events[0]["time_us"], 0);
    assert_eq!(events[3]["hex"], "#123456");
    let set_at = events[3]["time_us"].as_u64().unwrap();
    let cleared_at = events[4]["time_us"].as_u64().unwrap();
    assert!(set_at >= 500_000, "set after the 500 ms sleep: {set_at}");
    assert!(cleared_at - set_at >= 2_000_000, "cleared 2 s of device time later");
}

#[test]
fn an_uncaught_exception_leaves_the_heartbeat_disabled() {
    let device = Device::new();
    let trace = device.path("led.csv");
    let run = device
        .run_with("import time\ntime.sleep(5)\nraise ValueError('boom')\n", &["--trace-led", trace.to_str().unwrap()]);
    assert_eq!(run.code, 1);
    let events = csv_events(&std::fs::read_to_string(&trace).unwrap());
    assert_eq!(events.last().unwrap().1, 0, "LED dark after the error");
    assert_eq!(events.iter().filter(|(_, rgb)| *rgb == 0x50).count(), 2, "flashes at 0 s and 4 s");
}
