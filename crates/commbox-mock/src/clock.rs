//! Timestamps: the format CommBox uses for `response_time` and `createdTime`, and the two
//! Chatwoot (Rails) emits: ISO 8601 with milliseconds for model JSON, unix seconds in views.

use std::time::{SystemTime, UNIX_EPOCH};

/// The current UTC time as `YYYY-MM-DDTHH:MM:SS.fffffffZ`.
pub(crate) fn now() -> String {
    format(SystemTime::now())
}

/// Formats `time` with 7 fractional digits (.NET "ticks"), which is what the real API emits.
pub(crate) fn format(time: SystemTime) -> String {
    // Times before 1970 cannot come from the system clock in practice; clamping keeps this total.
    let since_epoch = time.duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = since_epoch.as_secs();
    let ticks = since_epoch.subsec_nanos() / 100;
    let (year, month, day) = civil_from_days(secs / 86_400);
    let in_day = secs % 86_400;
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{ticks:07}Z",
        in_day / 3600,
        in_day % 3600 / 60,
        in_day % 60
    )
}

/// Formats `time` as Rails encodes times in JSON: `YYYY-MM-DDTHH:MM:SS.mmmZ`.
pub(crate) fn format_rails(time: SystemTime) -> String {
    let since_epoch = time.duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = since_epoch.as_secs();
    let (year, month, day) = civil_from_days(secs / 86_400);
    let in_day = secs % 86_400;
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        in_day / 3600,
        in_day % 3600 / 60,
        in_day % 60,
        since_epoch.subsec_millis()
    )
}

/// Whole seconds since the epoch, as Ruby's `Time#to_i`.
pub(crate) fn unix_seconds(time: SystemTime) -> u64 {
    time.duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs()
}

/// Converts days since 1970-01-01 to a proleptic Gregorian date.
///
/// Howard Hinnant's `civil_from_days`, restricted to non-negative day counts so it can stay
/// in unsigned arithmetic.
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn formats_epoch_and_fraction() {
        assert_eq!(format(UNIX_EPOCH), "1970-01-01T00:00:00.0000000Z");
        let t = UNIX_EPOCH + Duration::new(951_827_696, 123_456_789);
        assert_eq!(format(t), "2000-02-29T12:34:56.1234567Z");
        assert_eq!(format_rails(t), "2000-02-29T12:34:56.123Z");
        assert_eq!(unix_seconds(t), 951_827_696);
    }

    #[test]
    fn dates_agree_with_httpdate() {
        // httpdate has its own, independent calendar code: a cheap oracle for the date part.
        let mut secs = 0u64;
        while secs < 8_000_000_000 {
            let t = UNIX_EPOCH + Duration::from_secs(secs);
            let ours = format(t);
            let theirs = httpdate::fmt_http_date(t); // "Sun, 06 Nov 1994 08:49:37 GMT"
            let fields: Vec<&str> = theirs.split(' ').collect();
            let months = [
                "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
            ];
            let month = months.iter().position(|m| *m == fields[2]).unwrap() + 1;
            let expected = format!("{}-{:02}-{}T{}", fields[3], month, fields[1], fields[4]);
            assert_eq!(&ours[..19], expected, "at {secs}");
            secs += 86_400 * 13 + 3_601;
        }
    }
}
