//! One virtual clock for several boards: a discrete-event schedule.
//!
//! Every board of a fleet (and the fleet's network side) is a participant
//! of one [`Timeline`]. Exactly one participant runs at a time; the others
//! wait, each until a device time of its own. When the running one waits
//! ([`Pace::wait_until`]), the participant with the earliest wake-up time
//! runs next (the lowest index on a tie), so device time moves on only when
//! every board waits, and a run depends on the boards' scripts alone, never
//! on how the host schedules threads. A frame on the air wakes its receiver
//! early ([`Timeline::wake`]); a board that computes past the time another
//! should wake lets that one run first ([`Pace::let_others_catch_up`]).

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

use crate::clock_control::ClockControl;

/// What a participant is doing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Slot {
    /// It holds the turn.
    Running,
    /// It waits until this device time (or an earlier wake-up).
    Waiting(u64),
    /// It has left the timeline.
    Left,
}

struct State {
    slots: Vec<Slot>,
    /// The waiting participants by wake-up time, then index.
    queue: BTreeSet<(u64, usize)>,
    /// The participant holding the turn.
    running: Option<usize>,
    /// Device time of the last hand-over.
    now_us: u64,
    /// The fleet has stopped: nobody waits any more.
    halted: bool,
}

/// The shared schedule of a fleet.
pub struct Timeline {
    state: Mutex<State>,
    turns: Mutex<Vec<Arc<Condvar>>>,
    /// Earliest wake-up time among the waiting, for a cheap look from the
    /// running participant.
    next_wake_us: AtomicU64,
    /// [`Timeline::halt`] was called (for a look without the lock).
    halted: AtomicBool,
    /// The fleet's device time: the furthest any board's clock has got.
    front_us: AtomicU64,
    /// Pause, step and speed of the fleet's one clock (the web view's).
    control: ClockControl,
}

impl std::fmt::Debug for Timeline {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Timeline").field("next_wake_us", &self.next_wake_us).finish_non_exhaustive()
    }
}

impl Timeline {
    /// An empty timeline at device time 0.
    pub fn new() -> Arc<Self> {
        Arc::new(Self {
            state: Mutex::new(State {
                slots: Vec::new(),
                queue: BTreeSet::new(),
                running: None,
                now_us: 0,
                halted: false,
            }),
            turns: Mutex::new(Vec::new()),
            next_wake_us: AtomicU64::new(u64::MAX),
            halted: AtomicBool::new(false),
            front_us: AtomicU64::new(0),
            control: ClockControl::default(),
        })
    }

    /// Pause, step and speed of the fleet's one clock: every board's clock
    /// moves on through it, so a pause holds them all and a step moves the
    /// fleet's device time ([`Timeline::device_us`]) by exactly the step.
    /// Untouched, it lets everything through at once.
    pub fn control(&self) -> &ClockControl {
        &self.control
    }

    /// The fleet's device time: the furthest any board's clock has got.
    pub fn device_us(&self) -> u64 {
        self.front_us.load(Ordering::Relaxed)
    }

    /// A board's clock moves on to `us`: the fleet's device time gets
    /// there first, waiting where the control says.
    pub(crate) fn reach(&self, us: u64) {
        self.control.advance_to(&self.front_us, us);
    }

    /// A board's clock moves on to `us` without waiting (a reset is on its way).
    pub(crate) fn pass(&self, us: u64) {
        self.front_us.fetch_max(us, Ordering::Relaxed);
    }

    /// Adds a participant, waiting for its first turn at device time 0.
    /// Add every participant before any of them starts.
    pub fn join(self: &Arc<Self>) -> Pace {
        let mut state = self.lock();
        let index = state.slots.len();
        state.slots.push(Slot::Waiting(0));
        state.queue.insert((0, index));
        self.turns.lock().unwrap_or_else(|p| p.into_inner()).push(Arc::new(Condvar::new()));
        self.publish(&state);
        Pace { timeline: self.clone(), index }
    }

    /// Wakes participant `index` no later than device time `at_us` (a frame
    /// reaches it then). A participant that is running or waits for an
    /// earlier time is left as it is.
    pub fn wake(&self, index: usize, at_us: u64) {
        let mut state = self.lock();
        if let Some(Slot::Waiting(until)) = state.slots.get(index).copied()
            && at_us < until
        {
            let at_us = at_us.max(state.now_us);
            state.queue.remove(&(until, index));
            state.queue.insert((at_us, index));
            state.slots[index] = Slot::Waiting(at_us);
            self.publish(&state);
        }
    }

    /// Stops the schedule: from now on no wait blocks (each returns at the
    /// time it waits for), so every participant runs on to notice that the
    /// fleet has stopped ([`Timeline::halted`]) and end.
    pub fn halt(&self) {
        let mut state = self.lock();
        state.halted = true;
        state.running = None;
        self.halted.store(true, Ordering::Relaxed);
        drop(state);
        // A paused or paced fleet runs on to its end at once.
        self.control.set_hurry(self.device_us(), true);
        for turn in self.turns.lock().unwrap_or_else(|p| p.into_inner()).iter() {
            turn.notify_all();
        }
    }

    /// Whether [`Timeline::halt`] was called.
    pub fn halted(&self) -> bool {
        self.halted.load(Ordering::Relaxed)
    }

    /// Device time of the last hand-over: no participant is behind it.
    pub fn now_us(&self) -> u64 {
        self.lock().now_us
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn publish(&self, state: &State) {
        let next = state.queue.first().map_or(u64::MAX, |&(at, _)| at);
        self.next_wake_us.store(next, Ordering::Relaxed);
    }

    fn turn(&self, index: usize) -> Arc<Condvar> {
        self.turns.lock().unwrap_or_else(|p| p.into_inner())[index].clone()
    }

    /// Gives the turn to the earliest waiting participant, if no one holds it.
    fn hand_over(&self, state: &mut State) {
        if state.running.is_some() {
            return;
        }
        let Some((at, next)) = state.queue.pop_first() else { return };
        state.slots[next] = Slot::Running;
        state.running = Some(next);
        state.now_us = state.now_us.max(at);
        self.publish(state);
        self.turn(next).notify_one();
    }

    /// Waits in `state` until participant `index` holds the turn; returns the
    /// device time of the hand-over (or `until`, once the timeline is halted).
    fn await_turn<'a>(&'a self, mut state: MutexGuard<'a, State>, index: usize, until: u64) -> u64 {
        let turn = self.turn(index);
        while state.running != Some(index) {
            if state.halted {
                return until.max(state.now_us);
            }
            state = turn.wait(state).unwrap_or_else(|p| p.into_inner());
        }
        state.now_us
    }
}

/// One participant's hold on a [`Timeline`].
#[derive(Debug)]
pub struct Pace {
    timeline: Arc<Timeline>,
    index: usize,
}

impl Pace {
    /// The participant's index (the order it joined in).
    pub fn index(&self) -> usize {
        self.index
    }

    /// The timeline it is on.
    pub fn timeline(&self) -> &Arc<Timeline> {
        &self.timeline
    }

    /// Waits for the participant's first turn; returns its device time.
    pub fn start(&self) -> u64 {
        let timeline = &*self.timeline;
        let mut state = timeline.lock();
        timeline.hand_over(&mut state);
        timeline.await_turn(state, self.index, 0)
    }

    /// The running participant waits until its turn at device time
    /// `until_us`, or an earlier one if something wakes it
    /// ([`Timeline::wake`]); returns the device time it runs at again (no
    /// earlier than the time any other participant has reached).
    pub fn wait_until(&self, until_us: u64) -> u64 {
        let timeline = &*self.timeline;
        let mut state = timeline.lock();
        if state.halted {
            return until_us.max(state.now_us);
        }
        if state.running == Some(self.index) {
            state.running = None;
            state.slots[self.index] = Slot::Waiting(until_us);
            state.queue.insert((until_us, self.index));
            timeline.hand_over(&mut state);
        }
        timeline.await_turn(state, self.index, until_us)
    }

    /// The running participant steps aside at device time `at_us` for work
    /// that touches nothing the others see (building an interpreter): the
    /// others run meanwhile, as if it waited until `at_us`, and it goes on
    /// at [`Pace::rejoin`]. Two cores then do two boards' work at once,
    /// and the order of turns stays what the device times make it.
    pub fn step_aside(&self, at_us: u64) {
        let timeline = &*self.timeline;
        let mut state = timeline.lock();
        if state.running == Some(self.index) && !state.halted {
            state.running = None;
            state.slots[self.index] = Slot::Waiting(at_us);
            state.queue.insert((at_us, self.index));
            timeline.hand_over(&mut state);
        }
    }

    /// Waits for the turn after [`Pace::step_aside`] (at once if it holds it).
    pub fn rejoin(&self) -> u64 {
        let timeline = &*self.timeline;
        let state = timeline.lock();
        timeline.await_turn(state, self.index, 0)
    }

    /// Called by the running participant as its own clock moves to `now_us`:
    /// if another should have woken before that, it runs first, and this
    /// participant goes on once the others have caught up.
    pub fn let_others_catch_up(&self, now_us: u64) {
        if self.others_due_before(now_us) {
            self.wait_until(now_us);
        }
    }

    /// The earliest device time another participant waits for.
    pub fn next_wake_us(&self) -> Option<u64> {
        Some(self.timeline.next_wake_us.load(Ordering::Relaxed)).filter(|&at| at != u64::MAX)
    }

    /// Whether another participant should have run before device time `now_us`.
    pub fn others_due_before(&self, now_us: u64) -> bool {
        self.timeline.next_wake_us.load(Ordering::Relaxed) < now_us
    }

    /// Leaves the timeline: the others go on without this participant.
    pub fn leave(&self) {
        let timeline = &*self.timeline;
        let mut state = timeline.lock();
        if let Some(Slot::Waiting(at)) = state.slots.get(self.index).copied() {
            state.queue.remove(&(at, self.index));
        }
        if state.running == Some(self.index) {
            state.running = None;
        }
        state.slots[self.index] = Slot::Left;
        timeline.publish(&state);
        timeline.hand_over(&mut state);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;

    #[test]
    fn participants_run_one_at_a_time_in_device_time_order() {
        let timeline = Timeline::new();
        let paces: Vec<Pace> = (0..3).map(|_| timeline.join()).collect();
        let (log, seen) = mpsc::channel();
        let threads: Vec<_> = paces
            .into_iter()
            .map(|pace| {
                let log = log.clone();
                std::thread::spawn(move || {
                    let period = 10 * (pace.index() as u64 + 1);
                    let mut now = pace.start();
                    while now < 60 {
                        log.send((now, pace.index())).unwrap();
                        now = pace.wait_until(now + period);
                    }
                    pace.leave();
                })
            })
            .collect();
        drop(log);
        for thread in threads {
            thread.join().unwrap();
        }
        let order: Vec<(u64, usize)> = seen.iter().collect();
        assert_eq!(
            order,
            [(0, 0), (0, 1), (0, 2), (10, 0), (20, 0), (20, 1), (30, 0), (30, 2), (40, 0), (40, 1), (50, 0)]
        );
    }

    #[test]
    fn a_wake_brings_a_waiting_participant_forward() {
        let timeline = Timeline::new();
        let (sender, receiver) = (timeline.join(), timeline.join());
        let woken = std::thread::spawn(move || {
            receiver.start();
            let at = receiver.wait_until(1_000_000);
            receiver.leave();
            at
        });
        sender.start();
        sender.wait_until(5);
        timeline.wake(1, 700);
        sender.wait_until(2_000_000);
        sender.leave();
        assert_eq!(woken.join().unwrap(), 700);
    }

    #[test]
    fn a_halt_frees_every_waiting_participant() {
        let timeline = Timeline::new();
        let (first, second) = (timeline.join(), timeline.join());
        let waiting = std::thread::spawn(move || {
            second.start();
            second.wait_until(u64::MAX)
        });
        first.start();
        first.wait_until(10);
        timeline.halt();
        assert_eq!(waiting.join().unwrap(), u64::MAX);
        assert_eq!(first.wait_until(99), 99);
    }

    #[test]
    fn a_participant_that_steps_aside_keeps_its_place_in_time() {
        let timeline = Timeline::new();
        let (first, second) = (timeline.join(), timeline.join());
        let (log, seen) = mpsc::channel();
        let other = {
            let log = log.clone();
            std::thread::spawn(move || {
                second.start();
                log.send((second.wait_until(5), 1)).unwrap();
                second.leave();
            })
        };
        first.start();
        first.step_aside(10);
        log.send((first.rejoin(), 0)).unwrap();
        first.leave();
        other.join().unwrap();
        drop(log);
        assert_eq!(seen.iter().collect::<Vec<_>>(), [(5, 1), (10, 0)]);
    }

    #[test]
    fn a_lone_participant_never_blocks() {
        let timeline = Timeline::new();
        let pace = timeline.join();
        pace.start();
        for t in 0..1000 {
            assert_eq!(pace.wait_until(t * 1_000_000), t * 1_000_000);
        }
        pace.leave();
    }
}
