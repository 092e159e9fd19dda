//! The air the boards' radios share: the LoRa medium, the FSK medium of
//! Sigfox radios in `Sigfox.FSK` mode, and who to wake when a frame is
//! coming their way.

use std::sync::{Arc, Mutex, MutexGuard};

use pycom_radio::fsk::{FskMedium, FskReception};
use pycom_radio::{LinkModel, Listen, Medium, Position, RadioId, Reception, Transmission, TxReport};

use crate::timeline::Timeline;

/// The media, shared by the radios of a fleet (or the radios of a lone
/// board), with the timeline participant behind each radio. A board's radio
/// has the same id in both.
pub struct Air {
    medium: Mutex<Medium>,
    fsk: Mutex<FskMedium>,
    timeline: Option<Arc<Timeline>>,
    participants: Mutex<Vec<Option<usize>>>,
}

impl std::fmt::Debug for Air {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Air").finish_non_exhaustive()
    }
}

impl Air {
    /// Air for the radios of one board, with nobody else in it.
    pub fn alone() -> Arc<Self> {
        Self::shared(LinkModel::default(), None)
    }

    /// Air with `model`'s path loss, for participants of `timeline`.
    pub fn shared(model: LinkModel, timeline: Option<Arc<Timeline>>) -> Arc<Self> {
        Arc::new(Self {
            medium: Mutex::new(Medium::new(model)),
            fsk: Mutex::new(FskMedium::new(model)),
            timeline,
            participants: Mutex::new(Vec::new()),
        })
    }

    /// Adds a radio at `position`, run by timeline participant
    /// `participant` (woken when a frame for it ends).
    pub fn add_radio(&self, position: Position, participant: Option<usize>) -> RadioId {
        let id = self.medium().add_radio(position);
        let fsk_id = self.fsk().add_radio(position);
        debug_assert_eq!(id, fsk_id, "both media number the radios alike");
        let mut participants = self.participants.lock().unwrap_or_else(|p| p.into_inner());
        participants.resize(id + 1, None);
        participants[id] = participant;
        id
    }

    /// Sets what `radio` hears from `at_us` on.
    pub fn listen(&self, radio: RadioId, at_us: u64, listen: Listen) {
        self.medium().listen(radio, at_us, listen);
    }

    /// Puts a frame on the air and wakes the participants that may receive
    /// it at its end; `None` while the radio is still sending another.
    pub fn transmit(&self, radio: RadioId, at_us: u64, tx: Transmission) -> Option<TxReport> {
        let report = self.medium().transmit(radio, at_us, tx).ok()?;
        self.wake(&report.candidates);
        Some(report)
    }

    /// Wakes the participants behind `candidates` at their times.
    fn wake(&self, candidates: &[(RadioId, u64)]) {
        if let Some(timeline) = &self.timeline {
            let participants = self.participants.lock().unwrap_or_else(|p| p.into_inner());
            for &(receiver, at) in candidates {
                if let Some(Some(participant)) = participants.get(receiver) {
                    timeline.wake(*participant, at);
                }
            }
        }
    }

    /// Sets the FSK channel `radio` listens on from `at_us` (`None`: off).
    pub fn fsk_listen(&self, radio: RadioId, at_us: u64, frequency_hz: Option<u32>) {
        self.fsk().listen(radio, at_us, frequency_hz);
    }

    /// Puts an FSK frame on the air and wakes the participants that may
    /// receive it at its end; when it ends, or `None` while the radio is
    /// still sending another.
    pub fn fsk_transmit(
        &self,
        radio: RadioId,
        at_us: u64,
        frequency_hz: u32,
        power_dbm: f64,
        payload: Vec<u8>,
    ) -> Option<u64> {
        let report = self.fsk().transmit(radio, at_us, frequency_hz, power_dbm, payload).ok()?;
        self.wake(&report.candidates);
        Some(report.end_us)
    }

    /// The FSK frames `radio` received by `now_us`.
    pub fn fsk_take_received(&self, radio: RadioId, now_us: u64) -> Vec<FskReception> {
        self.fsk().take_received(radio, now_us)
    }

    /// When the next FSK frame that may reach `radio` ends.
    pub fn fsk_next_arrival_us(&self, radio: RadioId) -> Option<u64> {
        self.fsk().next_arrival_us(radio)
    }

    /// The frames `radio` received by `now_us`.
    pub fn take_received(&self, radio: RadioId, now_us: u64) -> Vec<Reception> {
        self.medium().take_received(radio, now_us)
    }

    /// When the next frame that may reach `radio` ends.
    pub fn next_arrival_us(&self, radio: RadioId) -> Option<u64> {
        self.medium().next_arrival_us(radio)
    }

    /// The end of the frame `radio` is receiving at `now_us`, if any.
    pub fn receiving_until_us(&self, radio: RadioId, now_us: u64) -> Option<u64> {
        self.medium().receiving_until_us(radio, now_us)
    }

    /// The strongest signal at `radio` on `frequency_hz` at `now_us`.
    pub fn rssi_now(&self, radio: RadioId, now_us: u64, frequency_hz: u32) -> Option<f64> {
        self.medium().rssi_now(radio, now_us, frequency_hz)
    }

    /// The link model.
    pub fn model(&self) -> LinkModel {
        *self.medium().model()
    }

    fn fsk(&self) -> MutexGuard<'_, FskMedium> {
        self.fsk.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn medium(&self) -> MutexGuard<'_, Medium> {
        self.medium.lock().unwrap_or_else(|p| p.into_inner())
    }
}
