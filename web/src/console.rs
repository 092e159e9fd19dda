//! The console as the web view holds it: the board's UART output kept as
//! text (the last [`SCROLLBACK`] bytes, for a page that opens later) and
//! passed on to every open page. A page that falls behind loses output, as
//! a slow UART reader does; the board never waits for it.

use std::sync::mpsc::Receiver;
use std::sync::{Arc, Mutex};

use tokio::sync::broadcast;

/// Bytes of output kept for a page that opens later.
pub const SCROLLBACK: usize = 64 * 1024;
/// Pieces of output queued for each page before it starts to lose them.
const PAGE_BACKLOG: usize = 1024;

/// The console's output, kept and passed on.
pub struct ConsoleHub {
    scrollback: Mutex<String>,
    pages: broadcast::Sender<Arc<str>>,
}

impl ConsoleHub {
    /// Starts taking the board's output from `output`, on a thread of its own.
    pub fn start(output: Receiver<Vec<u8>>) -> Arc<Self> {
        let hub = Arc::new(Self { scrollback: Mutex::new(String::new()), pages: broadcast::channel(PAGE_BACKLOG).0 });
        let taker = hub.clone();
        std::thread::Builder::new()
            .name("pycom-emu web console".into())
            .spawn(move || {
                let mut text = Utf8Text::default();
                for bytes in output {
                    taker.add(text.push(&bytes));
                }
            })
            .expect("a thread for the web console");
        hub
    }

    fn add(&self, text: String) {
        if text.is_empty() {
            return;
        }
        let mut scrollback = self.scrollback.lock().unwrap_or_else(|p| p.into_inner());
        scrollback.push_str(&text);
        if scrollback.len() > SCROLLBACK {
            let mut cut = scrollback.len() - SCROLLBACK;
            while !scrollback.is_char_boundary(cut) {
                cut += 1;
            }
            scrollback.drain(..cut);
        }
        // Sent under the lock, so a page that subscribes sees each piece once.
        let _ = self.pages.send(text.into());
    }

    /// The output so far and what comes after it.
    pub fn subscribe(&self) -> (String, broadcast::Receiver<Arc<str>>) {
        let scrollback = self.scrollback.lock().unwrap_or_else(|p| p.into_inner());
        (scrollback.clone(), self.pages.subscribe())
    }
}

/// Bytes to text, holding back a character split between two pieces.
#[derive(Default)]
struct Utf8Text {
    pending: Vec<u8>,
}

impl Utf8Text {
    fn push(&mut self, bytes: &[u8]) -> String {
        self.pending.extend_from_slice(bytes);
        let complete = match std::str::from_utf8(&self.pending) {
            Ok(_) => self.pending.len(),
            Err(e) if e.error_len().is_none() => e.valid_up_to(),
            Err(_) => self.pending.len(),
        };
        let text = String::from_utf8_lossy(&self.pending[..complete]).into_owned();
        self.pending.drain(..complete);
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_character_split_between_pieces_comes_out_whole() {
        let mut text = Utf8Text::default();
        let euro = "€".as_bytes();
        assert_eq!(text.push(&[b'a', euro[0]]), "a");
        assert_eq!(text.push(&euro[1..]), "€");
        assert_eq!(text.push(&[0xFF, b'b']), "\u{FFFD}b");
    }

    #[test]
    fn the_scrollback_keeps_the_latest_output() {
        let (sender, receiver) = std::sync::mpsc::sync_channel(4);
        let hub = ConsoleHub::start(receiver);
        let (_, mut later) = hub.subscribe();
        sender.send(vec![b'x'; SCROLLBACK]).unwrap();
        sender.send(b"end".to_vec()).unwrap();
        drop(sender);
        assert_eq!(later.blocking_recv().unwrap().len(), SCROLLBACK);
        assert_eq!(&*later.blocking_recv().unwrap(), "end");
        let (kept, _) = hub.subscribe();
        assert_eq!(kept.len(), SCROLLBACK);
        assert!(kept.ends_with("xend"));
    }
}
