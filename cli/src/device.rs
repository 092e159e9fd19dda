//! Opening the device image a command works on.

use anyhow::{Context, Result, bail};
use pycom_board::DeviceImage;

use crate::DeviceArgs;

/// Opens the image of `device`. With `create`, a missing image is created for
/// the board (and the user told); without, it is an error.
pub fn open_image(device: &DeviceArgs, create: bool) -> Result<DeviceImage> {
    let path = &device.image;
    if !create && !path.exists() {
        bail!("no device image {} (create one with `pycom-emu image create`)", path.display());
    }
    let image =
        if create { DeviceImage::open_or_create(path, device.board) } else { DeviceImage::open(path, device.board) }
            .with_context(|| format!("cannot open device image {}", path.display()))?;
    if image.created {
        eprintln!("[pycom-emu] created {} for a {}", path.display(), device.board);
    }
    Ok(image)
}
