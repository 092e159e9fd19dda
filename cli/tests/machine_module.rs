//! The `machine` module's own functions as firmware 1.20.2's modmachine.c
//! has them: the globals table, the chip's identity, the RNG, the sensors
//! and reports, interrupts on and off, and the memory windows.

mod common;
use common::{Device, SHOW, ok, snippet};

fn lines(snippet_source: &str) -> Vec<String> {
    snippet(&format!("import machine\n{snippet_source}"))
}

#[test]
fn the_module_has_every_name_of_the_firmwares_globals_table_but_the_peripherals_of_others() {
    let names = "mem8 mem16 mem32 reset freq unique_id main rng idle sleep deepsleep remaining_sleep_time \
                 pin_sleep_wakeup reset_cause wake_reason disable_irq enable_irq info temperature flash_encrypt \
                 secure_boot Pin SD Timer RTC WDT PWRON_RESET HARD_RESET WDT_RESET DEEPSLEEP_RESET SOFT_RESET \
                 BROWN_OUT_RESET PWRON_WAKE PIN_WAKE RTC_WAKE ULP_WAKE WAKEUP_ALL_LOW WAKEUP_ANY_HIGH";
    let source = format!("print([n for n in '{names}'.split() if n not in dir(machine)])");
    assert_eq!(lines(&source), ["[]"]);
}

#[test]
fn the_wake_and_wake_up_constants_are_the_firmwares_values() {
    assert_eq!(
        lines(
            "print(machine.PWRON_WAKE, machine.PIN_WAKE, machine.RTC_WAKE, machine.ULP_WAKE, \
             machine.WAKEUP_ALL_LOW, machine.WAKEUP_ANY_HIGH)\nprint(machine.wake_reason(), machine.remaining_sleep_time())"
        ),
        ["0 1 2 3 0 1", "(0, None) 0"]
    );
}

#[test]
fn unique_id_is_the_same_for_one_image_and_differs_between_images() {
    let source = "import machine, ubinascii\nprint(ubinascii.hexlify(machine.unique_id()))\n";
    let first = Device::new();
    let a = ok(first.run(source)).stdout;
    let again = ok(first.run(source)).stdout;
    let b = ok(Device::new().run(source)).stdout;
    assert_eq!(a, again, "one image, one identity");
    assert_ne!(a, b, "two images, two identities");
    assert!(a.starts_with("b'30aea4") && a.trim_end().len() == 15, "an Espressif MAC: {a}");
}

#[test]
fn rng_gives_24_bit_numbers_that_do_not_repeat() {
    let source = "nums = [machine.rng() for _ in range(100)]\n\
                  print(len(set(nums)) == 100, all(0 <= n < 2**24 for n in nums))";
    assert_eq!(lines(source), ["True True"]);
}

#[test]
fn the_soc_reports_plausible_figures() {
    let source = "print(machine.freq(), 20 < machine.temperature() < 200, machine.flash_encrypt(), machine.secure_boot())\n\
                  machine.info()";
    let out = lines(source);
    assert_eq!(out[0], "160000000 True 0 0");
    assert_eq!(out[1], "---------------------------------------------");
    assert_eq!(out[2], "System memory info (in bytes)");
    let tasks: Vec<&str> = out[4..].iter().filter_map(|l| l.split(" stack water mark: ").next()).collect();
    assert_eq!(
        &tasks[..6],
        ["MPTask", "ServersTask", "LoRaTask", "SigfoxTask", "TimerTask", "IdleTask"],
        "the LoPy4's tasks: {out:?}"
    );
    assert!(out.iter().any(|l| l.starts_with("System free heap: ")), "{out:?}");
}

#[test]
fn disable_irq_holds_pin_handlers_back_until_interrupts_are_enabled_again() {
    let device = Device::new();
    let board = "[[device]]\nkind = \"button\"\npin = \"P11\"\npresses = [1000]\n";
    let source = "from machine import Pin\nimport machine, time\nseen = []\n\
                  p = Pin('P11', mode=Pin.IN, pull=Pin.PULL_UP)\np.callback(Pin.IRQ_FALLING, lambda pin: seen.append(time.ticks_ms()))\n\
                  state = machine.disable_irq()\ntime.sleep_ms(1500)\nprint(len(seen))\nmachine.enable_irq(state)\n\
                  print(len(seen), seen[0] >= 1500)\n";
    let run = ok(device.run_with_board_file(board, source, &[]));
    assert_eq!(run.lines(), ["0", "1 True"]);
}

#[test]
fn the_memory_windows_check_alignment_and_then_refuse_with_enodev() {
    let source = format!(
        "{SHOW}import machine\nshow(lambda: machine.mem32[0x3FF44004])\nshow(lambda: machine.mem16[0x3FF44001])\n\
         def poke():\n    machine.mem8[0x3FF44004] = 1\nshow(poke)\n"
    );
    let run = ok(Device::new().run(&source));
    assert_eq!(
        run.lines(),
        [
            "OSError: [Errno 19] ENODEV",
            "ValueError: address 3ff44001 is not aligned to 2 bytes",
            "OSError: [Errno 19] ENODEV"
        ]
    );
    assert!(run.stderr.contains("no memory-mapped registers"), "{}", run.stderr);
}
