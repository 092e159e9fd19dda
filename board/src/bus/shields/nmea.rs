//! NMEA 0183 sentences as a GNSS receiver prints them: `$`, the fields,
//! `*`, the XOR checksum of everything between in two hex digits, CR LF.

/// A fix: latitude and longitude in degrees (north and east positive).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Fix {
    pub lat: f64,
    pub lon: f64,
}

/// The sentence `$body*CS\r\n`.
pub(super) fn sentence(body: &str) -> String {
    let checksum = body.bytes().fold(0u8, |sum, b| sum ^ b);
    format!("${body}*{checksum:02X}\r\n")
}

/// `degrees` as NMEA's `(d)ddmm.mmmm` (`width` digits of whole degrees) and
/// its hemisphere letter.
fn angle(degrees: f64, width: usize, positive: char, negative: char) -> (String, char) {
    let units = (degrees.abs() * 60.0 * 10_000.0).round() as u64;
    let (whole, minutes) = (units / 600_000, units % 600_000);
    let text = format!("{whole:0width$}{:02}.{:04}", minutes / 10_000, minutes % 10_000);
    (text, if degrees < 0.0 { negative } else { positive })
}

/// `(year, month, day)` of a day counted from 1970-01-01.
fn civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(month <= 2), month, day)
}

/// The RMC, GGA and GLL sentences (GN talker: GPS and GLONASS) a receiver
/// prints for the second starting `utc_s` seconds after 1970, with or
/// without a fix.
pub(super) fn burst(utc_s: u64, fix: Option<Fix>) -> String {
    let (days, seconds) = (utc_s / 86_400, utc_s % 86_400);
    let time = format!("{:02}{:02}{:02}.000", seconds / 3600, seconds / 60 % 60, seconds % 60);
    let (year, month, day) = civil(days as i64);
    let date = format!("{day:02}{month:02}{:02}", year % 100);
    let Some(fix) = fix else {
        return [
            sentence(&format!("GNRMC,{time},V,,,,,0.00,0.00,{date},,,N")),
            sentence(&format!("GNGGA,{time},,,,,0,0,,,M,,M,,")),
            sentence(&format!("GNGLL,,,,,{time},V,N")),
        ]
        .concat();
    };
    let (lat, ns) = angle(fix.lat, 2, 'N', 'S');
    let (lon, ew) = angle(fix.lon, 3, 'E', 'W');
    [
        sentence(&format!("GNRMC,{time},A,{lat},{ns},{lon},{ew},0.00,0.00,{date},,,A")),
        sentence(&format!("GNGGA,{time},{lat},{ns},{lon},{ew},1,8,1.00,0.0,M,0.0,M,,")),
        sentence(&format!("GNGLL,{lat},{ns},{lon},{ew},{time},A,A")),
    ]
    .concat()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sentence_carries_the_xor_of_its_body() {
        assert_eq!(sentence("GPGLL,,,,,,V,N"), "$GPGLL,,,,,,V,N*64\r\n");
    }

    #[test]
    fn angles_are_degrees_and_minutes_to_four_decimals() {
        assert_eq!(angle(51.441_6, 2, 'N', 'S'), ("5126.4960".to_owned(), 'N'));
        assert_eq!(angle(-5.469_7, 3, 'E', 'W'), ("00528.1820".to_owned(), 'W'));
        assert_eq!(angle(10.999_999_9, 2, 'N', 'S'), ("1100.0000".to_owned(), 'N'));
    }

    #[test]
    fn dates_are_the_gregorian_calendars() {
        assert_eq!(civil(0), (1970, 1, 1));
        assert_eq!(civil(18_628), (2021, 1, 1));
        assert_eq!(civil(19_417), (2023, 3, 1));
    }
}
