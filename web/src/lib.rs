//! The web view of a running virtual board: a page embedded in the binary
//! (the board drawn with its pins and LED, the console, `/flash` with an
//! editor, NVS, settings, sensors, a timeline of the LED and pins, device
//! time and power, firmware) and the JSON API under `/api` it is built on,
//! with live updates as Server-Sent Events.
//!
//! The server never makes the board wait: it looks at the board's state at
//! [`live::POLL`] of wall time and pushes only what changed, and the
//! console's output reaches it through a queue the board never blocks on.

mod access;
mod api;
mod assets;
mod console;
mod error;
mod files;
mod firmware;
mod fleet;
mod live;
mod nvs;
mod power;
mod sensors;
mod settings;
mod timeline;

use std::net::SocketAddr;
use std::sync::mpsc::Receiver;
use std::sync::{Arc, Mutex};

use pycom_board::Board;
use pycom_board::pins::DeviceSpec;
use pycom_python::{PowerSwitch, UartInput};

pub use access::Access;
pub use error::WebError;
pub use settings::{SettingRefused, Settings};

/// How the config block is shown and changed (the CLI's `config show` and
/// `config set`).
pub type SettingsView = Arc<dyn Settings>;

/// What the web view shows and drives.
pub struct WebBoard {
    /// The running board.
    pub board: Arc<Mutex<Board>>,
    /// The devices of the board file, in its order.
    pub devices: Vec<DeviceSpec>,
    /// What the board writes to its UART, as the UART's line sends it.
    pub output: Receiver<Vec<u8>>,
    /// The UART's input, when the run has one.
    pub input: Option<UartInput>,
    /// Whether the REPL reads `input` after `main.py` (`serve`); without it
    /// (`run --web`) the keys reach the script only, and the page soft-resets
    /// through the power switch instead of Ctrl-D.
    pub repl: bool,
    /// How the settings are shown and changed.
    pub settings: SettingsView,
    /// The board's power switch (the run's [`pycom_python::RunConfig::power`]).
    pub power: PowerSwitch,
}

/// A web view being served.
#[derive(Debug)]
pub struct WebServer {
    /// The address it listens on.
    pub addr: SocketAddr,
    /// Who may use it.
    pub access: Access,
}

impl WebServer {
    /// The address to open in a browser (with the token, when one is needed).
    pub fn url(&self) -> String {
        match &self.access {
            Access::Open => format!("http://{}/", self.addr),
            Access::Token(token) => format!("http://{}/?token={token}", self.addr),
        }
    }
}

/// Starts serving `board` on `addr` (port 0 picks one), on threads of its
/// own, until the process ends.
pub fn start(addr: SocketAddr, board: WebBoard, access: Access) -> Result<WebServer, WebError> {
    serve(addr, api::router(board, access.clone()), access)
}

/// Starts serving a fleet's `boards`, each with its name, on `addr`: an
/// index of them under `/api/boards`, each board's API under
/// `/api/boards/NAME`, the page for all (see the README's "Web view").
pub fn start_fleet(addr: SocketAddr, boards: Vec<(String, WebBoard)>, access: Access) -> Result<WebServer, WebError> {
    serve(addr, fleet::router(boards, access.clone())?, access)
}

/// Serves `app` on `addr` on threads of its own, until the process ends.
fn serve(addr: SocketAddr, app: axum::Router, access: Access) -> Result<WebServer, WebError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("pycom-emu web")
        .enable_all()
        .build()
        .map_err(WebError::Runtime)?;
    let listen = |source| WebError::Listen { addr, source };
    let listener = std::net::TcpListener::bind(addr).map_err(listen)?;
    listener.set_nonblocking(true).map_err(listen)?;
    let bound = listener.local_addr().map_err(listen)?;
    std::thread::Builder::new()
        .name("pycom-emu web".into())
        .spawn(move || {
            runtime.block_on(async move {
                let served = match tokio::net::TcpListener::from_std(listener) {
                    Ok(listener) => axum::serve(listener, app).await,
                    Err(e) => Err(e),
                };
                if let Err(e) = served {
                    eprintln!("[pycom-emu] web view: {e}");
                }
            });
        })
        .map_err(WebError::Runtime)?;
    Ok(WebServer { addr: bound, access })
}
