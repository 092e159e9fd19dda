//! The parsers and servers of `pycom-emu` that take outside input (board
//! files, NVS CSV, Telnet, FTP), as a library so that the fuzz targets and
//! their tests reach them; the binary (`main.rs`) uses them from here.

pub mod board_file;
pub mod duration;
pub mod fleet_file;
pub mod ftp_server;
pub mod ftp_storage;
pub mod host_input;
pub mod login_throttle;
pub mod nvs_csv;
pub mod telnet;
pub mod uart_bridge;
pub mod uart_link;
