//! The receive queue of an LPWAN radio task, as modlora.c's and
//! modsigfox.c's `recv` read it: whole frames in a queue of fixed length
//! (a frame arriving when it is full is dropped), and the rest of a frame
//! that a `recv` smaller than the frame left, which the next `recv` reads
//! before any other frame.

use std::collections::VecDeque;

/// Frames waiting to be read, each with a tag (the LoRaWAN port).
#[derive(Debug)]
pub struct RxQueue<T> {
    frames: VecDeque<(Vec<u8>, T)>,
    capacity: usize,
    /// What a short read left of a frame, with its tag.
    rest: Option<(Vec<u8>, T)>,
}

impl<T: Copy> RxQueue<T> {
    /// An empty queue holding up to `capacity` frames.
    pub fn new(capacity: usize) -> Self {
        Self { frames: VecDeque::new(), capacity, rest: None }
    }

    /// Queues a frame; whether it fitted.
    pub fn push(&mut self, data: Vec<u8>, tag: T) -> bool {
        let fits = self.frames.len() < self.capacity;
        if fits {
            self.frames.push_back((data, tag));
        }
        fits
    }

    /// Up to `len` bytes: of the frame a previous read left unfinished, or
    /// else of the next frame, whose rest waits for the next read.
    pub fn read(&mut self, len: usize) -> Option<(Vec<u8>, T)> {
        let (mut data, tag) = self.rest.take().or_else(|| self.frames.pop_front())?;
        if data.len() > len {
            self.rest = Some((data.split_off(len), tag));
        }
        Some((data, tag))
    }
}

#[cfg(test)]
mod tests {
    use super::RxQueue;

    #[test]
    fn a_short_read_leaves_the_rest_for_the_next_ones() {
        let mut queue = RxQueue::new(2);
        assert!(queue.push(b"abcdef".to_vec(), 1));
        assert!(queue.push(b"xy".to_vec(), 2));
        assert!(!queue.push(b"dropped".to_vec(), 3));
        assert_eq!(queue.read(4), Some((b"abcd".to_vec(), 1)));
        assert_eq!(queue.read(1), Some((b"e".to_vec(), 1)));
        assert_eq!(queue.read(64), Some((b"f".to_vec(), 1)));
        assert_eq!(queue.read(64), Some((b"xy".to_vec(), 2)));
        assert_eq!(queue.read(64), None);
    }
}
