//! Durations on the command line: `30s`, `500ms`, `2m`, `1h`, `250us`; a bare
//! number is milliseconds, as in wokwi-cli.

/// Parses a duration into microseconds.
pub fn parse_duration_us(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let split = text.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let value: f64 = number.parse().map_err(|_| format!("{text:?} is not a duration like 30s, 500ms or 2m"))?;
    let scale = match unit.trim() {
        "" | "ms" => 1e3,
        "us" | "µs" => 1.0,
        "s" => 1e6,
        "m" | "min" => 60e6,
        "h" => 3600e6,
        other => return Err(format!("unknown unit {other:?} in {text:?} (use us, ms, s, m or h)")),
    };
    Ok((value * scale).round() as u64)
}

#[cfg(test)]
mod tests {
    use super::parse_duration_us;

    #[test]
    fn units() {
        assert_eq!(parse_duration_us("30s"), Ok(30_000_000));
        assert_eq!(parse_duration_us("500ms"), Ok(500_000));
        assert_eq!(parse_duration_us("1.5s"), Ok(1_500_000));
        assert_eq!(parse_duration_us("2m"), Ok(120_000_000));
        assert_eq!(parse_duration_us("1h"), Ok(3_600_000_000));
        assert_eq!(parse_duration_us("250"), Ok(250_000));
        assert!(parse_duration_us("soon").is_err());
        assert!(parse_duration_us("5 parsecs").is_err());
    }
}
