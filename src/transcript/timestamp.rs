//! Message timestamps: RFC 3339, as jiff reads them, with a shortcut for the form bot
//! platforms write almost always (`2024-06-11T02:13:32Z`). jiff's parser accepts every
//! form RFC 3339 allows and costs about 450 instructions a timestamp, an eighth of
//! reading a whole conversation; the shortcut reads the fixed-width form in a
//! tenth of that and hands anything else, valid or not, to jiff, so what is accepted and
//! what every accepted string means is jiff's answer.

use jiff::civil::Date;
use jiff::Timestamp;

/// The timestamp `text` writes, or `None` when it is not RFC 3339.
pub(crate) fn parse(text: &str) -> Option<Timestamp> {
    match utc_seconds(text) {
        Some(timestamp) => Some(timestamp),
        None => text.parse().ok(),
    }
}

/// `YYYY-MM-DDTHH:MM:SSZ` exactly, read without jiff's parser; `None` for any other
/// form and for anything jiff must judge (a leap second, a day the month lacks).
fn utc_seconds(text: &str) -> Option<Timestamp> {
    let b: &[u8; 20] = text.as_bytes().try_into().ok()?;
    let [y0, y1, y2, y3, b'-', mo0, mo1, b'-', d0, d1, b'T', h0, h1, b':', mi0, mi1, b':', s0, s1, b'Z'] = *b else {
        return None;
    };
    let year = i16::from(digits(y0, y1)?) * 100 + i16::from(digits(y2, y3)?);
    let (month, day) = (digits(mo0, mo1)?, digits(d0, d1)?);
    let (hour, minute, second) = (digits(h0, h1)?, digits(mi0, mi1)?, digits(s0, s1)?);
    // jiff decides what a leap second means; anything past it is not a time.
    if hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    // jiff says whether the day exists (the 29th of February, the 31st of April).
    Date::new(year, month, day).ok()?;
    let seconds = days_since_epoch(year, month, day) * 86_400
        + i64::from(hour) * 3_600
        + i64::from(minute) * 60
        + i64::from(second);
    Timestamp::from_second(seconds).ok()
}

/// Days from 1970-01-01 to a date of the proleptic Gregorian calendar, year 0 to
/// 9999 (Howard Hinnant's `days_from_civil`, with March as the first month so the
/// leap day ends the year).
fn days_since_epoch(year: i16, month: i8, day: i8) -> i64 {
    let (month, day) = (i64::from(month), i64::from(day));
    let year = i64::from(year) - i64::from(month <= 2);
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let day_of_year = (153 * ((month + 9) % 12) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// Two ASCII digits as a number.
fn digits(tens: u8, ones: u8) -> Option<i8> {
    let (t, o) = (tens.checked_sub(b'0')?, ones.checked_sub(b'0')?);
    if t > 9 || o > 9 {
        return None;
    }
    i8::try_from(t * 10 + o).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every string the shortcut reads, jiff reads the same; every string it leaves,
    /// jiff still judges.
    #[test]
    fn the_shortcut_agrees_with_jiff() {
        let mut read_by_shortcut = 0;
        let years = ["0000", "0001", "1969", "1970", "2000", "2023", "2024", "2100", "9999"];
        let months = ["00", "01", "02", "04", "09", "12", "13", "1a"];
        let days = ["00", "01", "28", "29", "30", "31", "32"];
        let times = ["00:00:00", "23:59:59", "23:59:60", "24:00:00", "12:60:00", "07:05:09", "7:05:09", "12:00:6x"];
        for year in years {
            for month in months {
                for day in days {
                    for time in times {
                        for (t, z) in [("T", "Z"), ("t", "z"), (" ", "Z"), ("T", "+00:00"), ("T", ".5Z")] {
                            let text = format!("{year}-{month}-{day}{t}{time}{z}");
                            let jiff: Option<Timestamp> = text.parse().ok();
                            assert_eq!(parse(&text), jiff, "{text}");
                            if let Some(fast) = utc_seconds(&text) {
                                assert_eq!(Some(fast), jiff, "{text}");
                                read_by_shortcut += 1;
                            }
                        }
                    }
                }
            }
        }
        // The shortcut is taken for the common form, or this test compares nothing.
        assert!(read_by_shortcut > 500, "{read_by_shortcut}");
        assert_eq!(utc_seconds("2024-02-29T12:00:00Z"), "2024-02-29T12:00:00Z".parse().ok());
        assert_eq!(utc_seconds("2023-02-29T12:00:00Z"), None);
        assert_eq!(parse("2023-02-29T12:00:00Z"), None);
    }

    #[test]
    fn other_forms_and_garbage_go_to_jiff() {
        for text in
            ["", "2024-06-11", "2024-06-11T02:13:32+01:00", "2024-06-11T02:13:32.123Z", "２０２４-06-11T02:13:32Z"]
        {
            assert_eq!(utc_seconds(text), None, "{text}");
            assert_eq!(parse(text), text.parse().ok(), "{text}");
        }
        assert_eq!(parse("2024-06-11T02:13:32+01:00"), Some("2024-06-11T01:13:32Z".parse().unwrap_or_default()));
    }
}
