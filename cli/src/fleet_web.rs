//! `fleet --web ADDR`: one web view for the whole fleet (`pycom-web`'s
//! fleet routes), each board's console shared with its lines on stdout.
//!
//! Each board is made on its own thread; the view is served once every
//! board is made and before any boots, so it sees each from power-on. A
//! board keeps its object through every reboot and deep sleep, and its
//! view with it.

use std::net::SocketAddr;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex};

use anyhow::{Context, Result, anyhow};
use pycom_board::Board;
use pycom_board::pins::DeviceSpec;
use pycom_python::{Console, PowerSwitch};
use pycom_web::{Access, WebBoard};

use crate::console::Tee;
use crate::uart_link::Outputs;
use crate::web_view::{ConfigSettings, announce};

/// A board of the fleet, until it is made.
struct Pending {
    name: String,
    devices: Vec<DeviceSpec>,
    output: Receiver<Vec<u8>>,
    /// The board's power switch, for the page's reset and power buttons.
    power: PowerSwitch,
    made: Receiver<Arc<Mutex<Board>>>,
    go: Sender<()>,
}

/// The fleet's web view, before it is served.
pub struct FleetWeb {
    addr: SocketAddr,
    boards: Vec<Pending>,
}

/// A board's side of the fleet's web view.
pub struct WebHook {
    outputs: Outputs,
    made: Sender<Arc<Mutex<Board>>>,
    go: Receiver<()>,
}

impl FleetWeb {
    /// A web view to serve on `addr`.
    pub fn new(addr: SocketAddr) -> Self {
        Self { addr, boards: Vec::new() }
    }

    /// Adds board `name` with the board file's `devices`; its thread uses the hook.
    pub fn add(&mut self, name: &str, devices: Vec<DeviceSpec>, power: PowerSwitch) -> WebHook {
        let outputs = Outputs::default();
        let (_, output) = outputs.add();
        let (made, made_here) = channel();
        let (go_here, go) = channel();
        self.boards.push(Pending { name: name.to_owned(), devices, output, power, made: made_here, go: go_here });
        WebHook { outputs, made, go }
    }

    /// Waits until each board is made (one that failed first is left out),
    /// serves them, prints where, and lets them boot.
    pub fn start(self) -> Result<()> {
        let access = Access::for_address(self.addr).context("cannot make the web view's token")?;
        let mut boards = Vec::new();
        let mut go = Vec::new();
        for pending in self.boards {
            let Ok(board) = pending.made.recv() else { continue };
            let settings = Arc::new(ConfigSettings);
            let web = WebBoard {
                board,
                devices: pending.devices,
                output: pending.output,
                input: None,
                repl: false,
                settings,
                power: pending.power,
            };
            boards.push((pending.name, web));
            go.push(pending.go);
        }
        announce(&pycom_web::start_fleet(self.addr, boards, access)?);
        for go in go {
            let _ = go.send(());
        }
        Ok(())
    }
}

impl WebHook {
    /// The board's console: `console`, its output also to the web view.
    pub fn console(&self, console: Box<dyn Console>) -> Box<dyn Console> {
        Box::new(Tee(console, self.outputs.console()))
    }

    /// Hands the made board to the web view and waits until it is served.
    pub fn ready(self, board: &Arc<Mutex<Board>>) -> Result<()> {
        let _ = self.made.send(board.clone());
        self.go.recv().map_err(|_| anyhow!("the fleet's web view did not start"))
    }
}
