//! The CPU time one thread has used, readable from another: the watcher
//! counts the interpreter's computing by it, so time the host's scheduler
//! gives to other programs never counts as the script's.

use std::time::Duration;
#[cfg(not(target_os = "linux"))]
use std::time::Instant;

/// A thread's CPU clock.
#[derive(Clone, Copy, Debug)]
pub struct ThreadCpuClock {
    #[cfg(target_os = "linux")]
    id: libc::clockid_t,
    /// Where a thread's CPU clock cannot be read: wall time since this.
    #[cfg(not(target_os = "linux"))]
    since: Instant,
}

impl ThreadCpuClock {
    /// The clock of the calling thread.
    pub fn of_this_thread() -> Self {
        #[cfg(target_os = "linux")]
        {
            let mut id: libc::clockid_t = libc::CLOCK_THREAD_CPUTIME_ID;
            // SAFETY: `pthread_self` is this thread; `id` is a valid out pointer.
            // On failure `id` keeps the calling thread's own CPU clock.
            let _ = unsafe { libc::pthread_getcpuclockid(libc::pthread_self(), &mut id) };
            Self { id }
        }
        #[cfg(not(target_os = "linux"))]
        {
            Self { since: Instant::now() }
        }
    }

    /// CPU time the thread has used (zero once it has ended).
    pub fn used(&self) -> Duration {
        #[cfg(target_os = "linux")]
        {
            let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
            // SAFETY: `ts` is a valid out pointer; a stale clock id gives an error, not UB.
            if unsafe { libc::clock_gettime(self.id, &mut ts) } != 0 {
                return Duration::ZERO;
            }
            Duration::new(u64::try_from(ts.tv_sec).unwrap_or(0), u32::try_from(ts.tv_nsec).unwrap_or(0))
        }
        #[cfg(not(target_os = "linux"))]
        {
            self.since.elapsed()
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use super::*;

    #[test]
    fn a_sleeping_thread_uses_no_cpu_and_a_computing_one_does() {
        let clock = ThreadCpuClock::of_this_thread();
        let before = clock.used();
        std::thread::sleep(Duration::from_millis(30));
        let slept = clock.used() - before;
        assert!(slept < Duration::from_millis(10), "slept {slept:?}");
        // However loaded the host, computing moves the clock.
        let give_up = Instant::now() + Duration::from_secs(20);
        let mut x = 0u64;
        while clock.used() - before < Duration::from_millis(20) {
            assert!(Instant::now() < give_up, "20 ms of computing never showed");
            for _ in 0..10_000 {
                x = std::hint::black_box(x.wrapping_add(1));
            }
        }
    }
}
