//! Which frames a medium settles next: those still open that ended by its
//! clock, in the order they ended (the LoRa and the FSK media share it).

/// The indices of the `frames` not `settled` yet that ended by `now_us`,
/// by end time, then by index (the order they went on the air).
pub(crate) fn ended_by<F>(
    frames: &[F],
    now_us: u64,
    settled: impl Fn(&F) -> bool,
    end_us: impl Fn(&F) -> u64,
) -> Vec<usize> {
    let mut due: Vec<usize> =
        (0..frames.len()).filter(|&i| !settled(&frames[i]) && end_us(&frames[i]) <= now_us).collect();
    due.sort_by_key(|&i| (end_us(&frames[i]), i));
    due
}
