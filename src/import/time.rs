//! Timestamps as exports write them: RFC 3339, epoch seconds or milliseconds
//! (numbers or digit strings), or a date and time without an offset read in
//! `--default-zone`.

use jiff::civil::DateTime;
use jiff::tz::TimeZone;
use jiff::Timestamp;
use serde_json::Value;

/// Epoch values at or above this are milliseconds: 10^11 seconds is the year
/// 5138, 10^11 milliseconds is 1973.
const MILLIS_FROM: f64 = 1e11;

/// A zone name (`Europe/Paris`, `UTC`) or a fixed offset (`+02:00`).
pub fn parse_zone(name: &str) -> Result<TimeZone, String> {
    if let Some(zone) = fixed_offset(name.trim()) {
        return Ok(zone);
    }
    TimeZone::get(name.trim()).map_err(|_| format!("{name:?} is not a time zone (e.g. Europe/Paris, UTC or +02:00)"))
}

fn fixed_offset(name: &str) -> Option<TimeZone> {
    let (sign, rest) = match name.as_bytes().first()? {
        b'+' => (1, name.get(1..)?),
        b'-' => (-1, name.get(1..)?),
        _ => return None,
    };
    let (hours, minutes) = rest.split_once(':').unwrap_or((rest, "0"));
    let (hours, minutes): (i32, i32) = (hours.parse().ok()?, minutes.parse().ok()?);
    if !(0..=23).contains(&hours) || !(0..=59).contains(&minutes) {
        return None;
    }
    let offset = jiff::tz::Offset::from_seconds(sign * (hours * 3600 + minutes * 60)).ok()?;
    Some(TimeZone::fixed(offset))
}

/// Reads a JSON timestamp value; `null` is no timestamp.
pub fn from_value(value: &Value, zone: Option<&TimeZone>) -> Result<Option<Timestamp>, String> {
    match value {
        Value::Null => Ok(None),
        Value::Number(n) => n.as_f64().map(epoch).transpose().map(Option::flatten),
        Value::String(s) => from_text(s, zone),
        other => Err(format!("a timestamp is a string or a number, not {other}")),
    }
}

/// Reads a timestamp written as text; an empty cell is no timestamp.
pub fn from_text(text: &str, zone: Option<&TimeZone>) -> Result<Option<Timestamp>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    if text.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return match text.parse::<f64>() {
            Ok(n) => epoch(n),
            Err(_) => Err(format!("{text:?} is not a number of seconds or milliseconds")),
        };
    }
    if let Ok(at) = text.parse::<Timestamp>() {
        return Ok(Some(at));
    }
    let Ok(civil) = text.parse::<DateTime>() else {
        return Err(format!("{text:?} is not a timestamp (RFC 3339, epoch seconds or milliseconds)"));
    };
    let Some(zone) = zone else {
        return Err(format!("{text:?} has no offset; give the zone it was written in with --default-zone"));
    };
    zone.to_timestamp(civil)
        .map(Some)
        .map_err(|e| format!("{text:?} in {}: {e}", zone.iana_name().unwrap_or("the zone")))
}

/// Epoch seconds, or milliseconds when the value is that large.
// Seconds since 1970 fit in f64 exactly far beyond any real timestamp.
#[allow(clippy::cast_possible_truncation)]
fn epoch(value: f64) -> Result<Option<Timestamp>, String> {
    if !value.is_finite() || value < 0.0 {
        return Err(format!("{value} is not an epoch time"));
    }
    let millis = if value >= MILLIS_FROM { value } else { value * 1000.0 };
    Timestamp::from_millisecond(millis.round() as i64).map(Some).map_err(|e| format!("{value}: {e}"))
}
