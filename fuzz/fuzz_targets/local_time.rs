#![no_main]
//! `parse_instant` over arbitrary text in timezones with and without daylight saving (and
//! Lord Howe's half-hour shift): never panics, and an instant it accepts, written back as
//! RFC 3339, reads back as the same instant.

use chrono::SecondsFormat;
use chrono_tz::Tz;
use hindsight_import::local_time::parse_instant;
use libfuzzer_sys::fuzz_target;

const ZONES: [Tz; 5] = [
    chrono_tz::Europe::Paris,
    chrono_tz::America::New_York,
    chrono_tz::Australia::Lord_Howe,
    chrono_tz::Pacific::Apia,
    chrono_tz::UTC,
];

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    for tz in ZONES {
        if let Ok(at) = parse_instant(&text, tz) {
            let written = at.to_rfc3339_opts(SecondsFormat::AutoSi, true);
            let again = parse_instant(&written, tz)
                .unwrap_or_else(|e| panic!("{text:?} read as {written}, which reads back as {e}"));
            assert_eq!(again, at, "{text:?} read as {written}");
        }
    }
});
