//! Telnet input: option negotiation and subnegotiation taken out of the
//! byte stream before it reaches the REPL.

use pycom_emu::telnet::Filter;

/// Any bytes as what a Telnet client sends (the first byte sets the size of
/// the reads it arrives in): the filter never panics, yields only 7-bit
/// non-NUL data, never more than it was given, and yields the same whatever
/// the reads' size.
pub fn telnet(data: &[u8]) {
    let Some((&read_size, stream)) = data.split_first() else { return };
    let whole = Filter::default().data(stream);
    let mut filter = Filter::default();
    let in_reads: Vec<u8> = stream.chunks(usize::from(read_size % 16) + 1).flat_map(|read| filter.data(read)).collect();
    assert_eq!(in_reads, whole, "reads of {} bytes", read_size % 16 + 1);
    assert!(whole.len() <= stream.len());
    assert!(whole.iter().all(|&b| b != 0 && b < 0x80), "{whole:?}");
    if !stream.contains(&0xFF) {
        let plain: Vec<u8> = stream.iter().copied().filter(|&b| b != 0 && b < 0x80).collect();
        assert_eq!(whole, plain, "without IAC every 7-bit byte but NUL is data");
    }
}
