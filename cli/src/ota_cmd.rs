//! `pycom-emu ota push FILE`: streams a firmware image (or a bsdiff patch) into
//! a device image through the firmware's updater, 4096 bytes at a time as the
//! documentation recommends, then reboots the board and reports what runs.

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use indicatif::{ProgressBar, ProgressStyle};
use pycom_board::{Board, BootKind, Clock, ClockMode, OtaFinish, OtaWrite, ResetCause};

use crate::DeviceArgs;

/// Bytes per `ota_write`, as the pycom documentation's example writes them.
const BLOCK: usize = 4096;

/// Pushes `file` into the device and reboots it; returns the exit status (1 when
/// the board ends up running something other than the pushed firmware). A
/// file larger than an app slot is refused before anything is written: unlike
/// `pycom.ota_write`, which writes on past the slot as the firmware does.
pub fn push(device: &DeviceArgs, file: &Path, diff_update: bool) -> Result<i32> {
    let image = crate::device::open_image(device, true)?;
    let wall = Instant::now();
    let clock = Arc::new(Clock::new(ClockMode::Virtual));
    let mut board = Board::new(device.board, image, clock.clone());
    let data = crate::host_input::read_at_most(file, board.ota_slot_size().into(), "an app slot")?;
    if data.is_empty() {
        bail!("{} is empty", file.display());
    }
    if diff_update {
        board.enable_diff_update();
    }
    board.boot(BootKind::Hard(ResetCause::PowerOn)).context("the board did not boot")?;
    let before = board.running_app().map(|a| a.version);
    board.ota_start().context("ota_start failed")?;
    let bar = ProgressBar::new(data.len() as u64).with_style(
        ProgressStyle::with_template("{bar:40} {bytes}/{total_bytes} {bytes_per_sec}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    for block in data.chunks(BLOCK) {
        if let OtaWrite::Aborted(why) = board.ota_write(block).context("ota_write failed")? {
            bail!("{why}");
        }
        bar.inc(block.len() as u64);
    }
    bar.finish_and_clear();
    for note in board.take_diagnostics() {
        eprintln!("[pycom-emu] {note}");
    }
    match board.ota_finish().context("ota_finish failed")? {
        OtaFinish::Marked(message) | OtaFinish::PatchPending(message) => println!("{message}"),
        OtaFinish::DiffDisabled(message) => {
            println!("{message}");
            bail!("the firmware refused the patch (use --diff-update for firmware built with differential updates)");
        }
        OtaFinish::Nothing | OtaFinish::AlreadyMarked => {}
    }
    board.boot(BootKind::Hard(ResetCause::Hard)).context("the board did not boot after the update")?;
    for line in board.take_uart_output() {
        println!("{line}");
    }
    let after = board.running_app().map(|a| a.version);
    let shown = |v: &Option<String>| v.clone().unwrap_or_else(|| "no valid firmware".into());
    println!(
        "running {} (was {}), {} bytes pushed in {:.1} s of device time, {:.0} ms of wall time",
        shown(&after),
        shown(&before),
        data.len(),
        clock.now_us() as f64 / 1e6,
        wall.elapsed().as_secs_f64() * 1e3
    );
    let pushed_runs = after.is_some() && after != before && board.bootmgr_state().status == 1;
    Ok(if pushed_runs { 0 } else { 1 })
}
