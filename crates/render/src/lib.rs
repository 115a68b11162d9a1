//! Renderers: a post-mortem in, a document out. Renderers never touch the network or the
//! database; everything they show is in the values they are given.

pub mod markdown;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

/// An instant as a reader of the document sees it: the full date and time in the incident's
/// timezone with its abbreviation, so multi-day incidents and DST changes read unambiguously.
pub fn local_time(at: DateTime<Utc>, tz: Tz) -> String {
    at.with_timezone(&tz)
        .format("%Y-%m-%d %H:%M:%S %Z")
        .to_string()
}
