//! The timeline as a picture: one standalone `<svg>` element with the time in each severity, the
//! key instants (the start of impact red, the resolution green), every event on its lane, the
//! key points and the stretches where nothing was recorded.
//!
//! Pure: values in, a `String` out. Every piece of text that came from a person (the title,
//! event texts, authors) goes through [`escape`], so nothing typed can close an element or add
//! one; the rest is markup this module writes itself.
//!
//! How the picture is drawn, so a reader can check it:
//! - **the axis** runs from the first event (or the start of impact, if earlier) to the
//!   resolution or the last event, whichever is later, so every event is on it. A timeline whose
//!   events fall within ten minutes is drawn over ten minutes around them. Tick labels are wall
//!   clock times in the incident's timezone, with the date when the axis spans several days.
//! - **severity bands**: the figures' severity windows, darker for more severe, each labelled
//!   with its severity so the colours need not be told apart. An incident not resolved yet has
//!   its band run to the last event, with an arrow and the words "not resolved".
//! - **lanes**: each event is a dot on the lane of its kind (cause and impact, detection,
//!   escalation, response, communication, notes); only lanes with an event are drawn. Each dot's
//!   tooltip gives its time, kind, text and author. Key points are larger, outlined and numbered,
//!   and listed under the picture.
//! - **gaps**: a stretch between two consecutive events is drawn hatched, with its duration, when
//!   it lasts at least 30 minutes *and* more than a quarter of the axis. The first condition keeps
//!   a quiet ten minutes in a short incident from looking like a hole in the record; the second
//!   keeps the picture to the silences that shape it (a multi-day incident has nights a reader
//!   expects), and means at most three gaps are drawn.
//!
//! The picture is 800 units wide, scales to its container (`width="100%"` with a `viewBox`), and
//! no text is smaller than 11 units. Its styles are scoped by the `hs-tl-` class prefix, so it
//! can sit inside a page without restyling it.

use crate::local_time;
use chrono::{
    DateTime, Datelike, Days, LocalResult, NaiveDate, NaiveTime, Offset, TimeDelta, TimeZone, Utc,
};
use chrono_tz::Tz;
use hindsight_core::{
    EventKind, IncidentRecord, Severity, TimelineEvent,
    figures::{Figures, human_duration},
};
use std::fmt::{self, Write};

/// The width of the picture in user units; the `viewBox` scales it to its container.
const WIDTH: f64 = 800.0;
const MARGIN: f64 = 16.0;
/// Where the plot starts: the lane names sit to its left.
const PLOT_LEFT: f64 = 124.0;
const PLOT_RIGHT: f64 = WIDTH - MARGIN;
/// Room at both ends of the axis, so the first and last dots are drawn whole.
const PLOT_PAD: f64 = 12.0;

/// Font sizes; 11 is the smallest that stays readable once 800 units shrink to a phone.
const SMALL: f64 = 11.0;
const BODY: f64 = 12.0;
const HEADING: f64 = 14.0;

const TIER_HEIGHT: f64 = 17.0;
const BAND_HEIGHT: f64 = 26.0;
const LANE_HEIGHT: f64 = 32.0;
const KEY_ROW_HEIGHT: f64 = 20.0;
const DOT_RADIUS: f64 = 4.5;
const KEY_DOT_RADIUS: f64 = 9.0;

/// The colour of the start of impact: red, as the product brief asks.
pub const IMPACT_RED: &str = "#d62728";
/// The colour of the resolution: green.
pub const RESOLVED_GREEN: &str = "#1a7f37";
/// Detection, acknowledgement and mitigation: dashed and neutral, told apart by their labels.
const OTHER_MARKER: &str = "#475569";
const UNRESOLVED: &str = "#9a3412";
const INK: &str = "#1d2330";
const KEY_OUTLINE: &str = "#f59e0b";

/// A stretch with no event is a gap when it lasts at least this long…
const GAP_MIN_SECONDS: i64 = 30 * 60;
/// …and more than this fraction (1 / n) of the axis.
const GAP_SHARE_DIVISOR: i64 = 4;
/// The shortest axis drawn: shorter timelines (one event, or all at one instant) are drawn over
/// this much time around their events, which also keeps every ratio's divisor above zero.
const MIN_SPAN_SECONDS: i64 = 10 * 60;

/// The lanes, in the order a response runs.
const LANE_NAMES: [&str; 6] = [
    "Cause & impact",
    "Detection",
    "Escalation",
    "Response",
    "Communication",
    "Notes",
];

/// The lane an event is drawn on. A match rather than a table, so a new kind must be placed.
fn lane_of(kind: EventKind) -> usize {
    match kind {
        EventKind::RootCauseBegan | EventKind::ImpactStarted => 0,
        EventKind::Detected | EventKind::Paged | EventKind::Acknowledged => 1,
        EventKind::Declared | EventKind::SeverityChanged => 2,
        EventKind::Action | EventKind::Mitigated | EventKind::Resolved => 3,
        EventKind::Communication | EventKind::StatusPageUpdated => 4,
        EventKind::Note => 5,
    }
}

/// The fill of a severity band and the colour of the text on it: a sequential scale from deep
/// crimson (SEV-1) to pale cream (SEV-5), so even in grey the most severe is the darkest.
fn severity_colours(severity: Severity) -> (&'static str, &'static str) {
    match severity.level() {
        1 => ("#7f0020", "#ffffff"),
        2 => ("#c8331f", "#ffffff"),
        3 => ("#f28b50", INK),
        4 => ("#fcc98a", INK),
        _ => ("#fdf1dc", INK),
    }
}

/// The timeline of `record` as one `<svg>` element, to embed in a page or save as a file.
pub fn timeline_svg(record: &IncidentRecord, figures: &Figures) -> String {
    let mut events: Vec<&TimelineEvent> = record.timeline.iter().collect();
    events.sort_by_key(|e| (e.at(), e.id));
    let picture = match (events.first(), events.last()) {
        (Some(first), Some(last)) => Picture::new(record, figures, &events, first.at(), last.at()),
        _ => return empty_picture(record),
    };
    picture.draw()
}

/// Escapes text for XML content and attribute values, and drops the characters XML 1.0 cannot
/// hold at all (control characters other than tab and line breaks), so the picture stays
/// well-formed whatever was typed.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if c.is_control() || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A coordinate, written with at most one decimal so the markup stays short and stable.
#[derive(Clone, Copy)]
struct Px(f64);

impl fmt::Display for Px {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Adding zero turns a negative zero into zero, which would otherwise print as "-0".
        let tenths = (self.0 * 10.0).round() / 10.0 + 0.0;
        if tenths.fract() == 0.0 {
            write!(f, "{tenths:.0}")
        } else {
            write!(f, "{tenths:.1}")
        }
    }
}

/// The advance of a character in em, as DejaVu Sans draws it (the widest of the common sans
/// fonts, so system fonts take no more room than this): text widths are estimated, since the
/// picture cannot measure them, and an estimate on the wide side keeps labels from colliding.
fn char_em(c: char) -> f64 {
    match c {
        ' ' | '.' | ',' | ':' | ';' | '·' | '\'' | '|' | '!' | 'i' | 'j' | 'l' => 0.32,
        'f' | 't' | 'r' | 'I' | '(' | ')' | '-' | '[' | ']' => 0.42,
        'm' | 'w' | 'M' | 'W' | '%' | '—' | '…' => 0.92,
        'A'..='Z' | '&' | '@' | '#' => 0.72,
        '0'..='9' => 0.64,
        c if c >= '\u{2E80}' => 1.0, // CJK and other wide scripts
        _ => 0.61,
    }
}

fn text_width(text: &str, size: f64) -> f64 {
    text.chars().map(char_em).sum::<f64>() * size * 1.04
}

/// `text` on one line, cut with an ellipsis to fit `width` at `size`.
fn fit(text: &str, size: f64, width: f64) -> String {
    let one_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text_width(&one_line, size) <= width {
        return one_line;
    }
    let room = width - text_width("…", size);
    let mut used = 0.0;
    let cut: String = one_line
        .chars()
        .take_while(|c| {
            used += char_em(*c) * size * 1.04;
            used <= room
        })
        .collect();
    format!("{}…", cut.trim_end())
}

#[derive(Clone, Copy, PartialEq)]
enum Anchor {
    Start,
    Middle,
    End,
}

impl Anchor {
    fn as_str(self) -> &'static str {
        match self {
            Anchor::Start => "start",
            Anchor::Middle => "middle",
            Anchor::End => "end",
        }
    }
}

/// Writes a `<text>` element: `class` and `extra` are this module's markup, `content` is escaped.
fn text(out: &mut String, x: f64, y: f64, anchor: Anchor, class: &str, extra: &str, content: &str) {
    let _ = writeln!(
        out,
        r#"<text x="{}" y="{}" text-anchor="{}" class="{class}"{extra}>{}</text>"#,
        Px(x),
        Px(y),
        anchor.as_str(),
        escape(content)
    );
}

/// The ids in one picture, made unique per incident so two pictures can share a page.
struct Ids {
    title: String,
    desc: String,
    hatch: String,
}

impl Ids {
    fn of(record: &IncidentRecord) -> Self {
        let prefix = format!("hs-tl-{}", record.incident.key);
        Ids {
            title: format!("{prefix}-title"),
            desc: format!("{prefix}-desc"),
            hatch: format!("{prefix}-gap"),
        }
    }
}

/// The opening of the picture: the element, its accessible name and description, and styles.
fn open_svg(out: &mut String, ids: &Ids, height: f64, title: &str, desc: &str) {
    let _ = writeln!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="hs-tl-svg" viewBox="0 0 {} {}" width="100%" role="img" aria-labelledby="{} {}">"#,
        Px(WIDTH),
        Px(height),
        ids.title,
        ids.desc
    );
    let _ = writeln!(
        out,
        r#"<title id="{}">{}</title>"#,
        ids.title,
        escape(title)
    );
    let _ = writeln!(out, r#"<desc id="{}">{}</desc>"#, ids.desc, escape(desc));
    out.push_str(STYLE);
}

/// Scoped by class so that, inside a page, these rules touch nothing but the picture.
const STYLE: &str = r#"<style>
.hs-tl-svg { display: block; max-width: 100%; height: auto; margin: .75rem 0 1.25rem; background: #ffffff; }
.hs-tl-svg text { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", Arial, sans-serif; fill: #1d2330; font-size: 12px; }
.hs-tl-svg .hs-tl-heading { font-size: 14px; font-weight: 700; }
.hs-tl-svg .hs-tl-muted { fill: #5b6475; }
.hs-tl-svg .hs-tl-small { font-size: 11px; }
.hs-tl-svg .hs-tl-strong { font-weight: 700; }
.hs-tl-svg .hs-tl-halo { paint-order: stroke; stroke: #ffffff; stroke-width: 3px; stroke-linejoin: round; }
.hs-tl-svg .hs-tl-gap-label { font-style: italic; }
</style>
"#;

/// The picture of a timeline with no event: what it will show, and how to get there.
fn empty_picture(record: &IncidentRecord) -> String {
    let ids = Ids::of(record);
    let heading = heading_text(record);
    let mut body = String::new();
    text(
        &mut body,
        MARGIN,
        MARGIN + HEADING,
        Anchor::Start,
        "hs-tl-heading",
        "",
        &fit(&heading, HEADING * 1.1, WIDTH - 2.0 * MARGIN),
    );
    let box_top = MARGIN + HEADING + 14.0;
    let box_height = 70.0;
    let _ = writeln!(
        body,
        r##"<rect x="{}" y="{}" width="{}" height="{}" rx="6" fill="#f5f7fa" stroke="#cbd2dc" stroke-dasharray="6 4"/>"##,
        Px(MARGIN),
        Px(box_top),
        Px(WIDTH - 2.0 * MARGIN),
        Px(box_height)
    );
    text(
        &mut body,
        WIDTH / 2.0,
        box_top + 31.0,
        Anchor::Middle,
        "hs-tl-strong",
        "",
        "No events on the timeline yet",
    );
    text(
        &mut body,
        WIDTH / 2.0,
        box_top + 50.0,
        Anchor::Middle,
        "hs-tl-muted hs-tl-small",
        "",
        "The picture draws itself as events are added: severities, key instants, gaps.",
    );
    let height = box_top + box_height + MARGIN;
    let desc = format!(
        "The timeline of {} has no events yet, so there are no figures to show.",
        record.incident.key
    );
    let mut out = String::new();
    open_svg(&mut out, &ids, height, &title_text(record), &desc);
    out.push_str(&body);
    out.push_str("</svg>\n");
    out
}

fn title_text(record: &IncidentRecord) -> String {
    format!(
        "Timeline of {}: {}",
        record.incident.key, record.incident.title
    )
}

fn heading_text(record: &IncidentRecord) -> String {
    format!(
        "{} timeline: {}",
        record.incident.key, record.incident.title
    )
}

/// Maps instants to x.
struct Axis {
    start: DateTime<Utc>,
    end: DateTime<Utc>,
}

impl Axis {
    /// The axis over `first ..= last`, widened around them when shorter than the minimum.
    fn over(first: DateTime<Utc>, last: DateTime<Utc>) -> Self {
        let span = (last - first).num_seconds();
        if span >= MIN_SPAN_SECONDS {
            return Axis {
                start: first,
                end: last,
            };
        }
        let before = TimeDelta::seconds((MIN_SPAN_SECONDS - span) / 2);
        let after = TimeDelta::seconds(MIN_SPAN_SECONDS - span) - before;
        Axis {
            start: first.checked_sub_signed(before).unwrap_or(first),
            end: last.checked_add_signed(after).unwrap_or(last),
        }
    }

    fn span_seconds(&self) -> i64 {
        (self.end - self.start).num_seconds()
    }

    fn x(&self, at: DateTime<Utc>) -> f64 {
        // Never zero: the axis is at least MIN_SPAN_SECONDS long, and `max` guards even so.
        let span = (self.end - self.start).num_milliseconds().max(1) as f64;
        let offset = (at - self.start).num_milliseconds() as f64;
        let left = PLOT_LEFT + PLOT_PAD;
        let width = PLOT_RIGHT - PLOT_LEFT - 2.0 * PLOT_PAD;
        left + (offset / span).clamp(0.0, 1.0) * width
    }
}

/// How instants read on the picture: with the date when the timeline spans several days, and
/// with the zone's abbreviation when it changes within it (a daylight saving change).
struct TimeStyle {
    tz: Tz,
    several_days: bool,
    zone_changes: bool,
}

impl TimeStyle {
    fn short(&self, at: DateTime<Utc>) -> String {
        let local = at.with_timezone(&self.tz);
        let format = match (self.several_days, self.zone_changes) {
            (true, true) => "%-d %b %H:%M %Z",
            (true, false) => "%-d %b %H:%M",
            (false, true) => "%H:%M %Z",
            (false, false) => "%H:%M",
        };
        local.format(format).to_string()
    }

    fn long(&self, at: DateTime<Utc>) -> String {
        at.with_timezone(&self.tz)
            .format("%a %-d %b %Y %H:%M %Z")
            .to_string()
    }
}

/// A vertical marker of a key instant, with its label.
struct Marker {
    x: f64,
    label: String,
    colour: &'static str,
    class: &'static str,
    /// Whether a line runs down through the plot: the "not resolved" flag has none.
    line: bool,
    dashed: bool,
}

/// Where a label of the marker row goes: its tier (0 is the one nearest the plot) and side.
#[derive(Clone)]
struct Placement {
    tier: usize,
    left_of_line: bool,
    /// The x range the label and its dot take.
    extent: (f64, f64),
}

/// Puts every label where it overlaps no other, in as few tiers as it can, and so that as few
/// marker lines as possible run through a label: a line runs from its label down to the axis,
/// so it crosses every label below it that spans its x.
///
/// Labels are placed one by one, each where it adds the fewest crossings (then where it covers
/// the fewest lines still to come, then in the lowest tier, then to the right of its line). Close markers cross nothing when placed right to left
/// with labels to the right, or left to right with labels to the left, so both orders are
/// tried and the better kept.
fn place_labels(markers: &[Marker]) -> Vec<Placement> {
    let left_to_right: Vec<usize> = (0..markers.len()).collect();
    let right_to_left: Vec<usize> = left_to_right.iter().rev().copied().collect();
    let (forward, forward_cost) = place_labels_in(markers, &left_to_right);
    let (backward, backward_cost) = place_labels_in(markers, &right_to_left);
    if backward_cost < forward_cost {
        backward
    } else {
        forward
    }
}

/// Places the labels in `order`; returns the placements (in the markers' order) and their cost:
/// the crossings, then the tiers used.
fn place_labels_in(markers: &[Marker], order: &[usize]) -> (Vec<Placement>, (usize, usize)) {
    const GAP: f64 = 8.0;
    let covers = |(from, to): (f64, f64), x: f64| from <= x && x <= to;
    let mut placed: Vec<Option<Placement>> = vec![None; markers.len()];
    let mut crossings_total = 0;
    for &index in order {
        let Some(marker) = markers.get(index) else {
            continue;
        };
        let width = text_width(&marker.label, SMALL) * 1.08;
        let sides = [
            (false, (marker.x - 5.0, marker.x + 8.0 + width)),
            (true, (marker.x - 8.0 - width, marker.x + 5.0)),
        ];
        let others: Vec<(&Marker, &Placement)> = markers
            .iter()
            .zip(&placed)
            .filter_map(|(m, p)| p.as_ref().map(|p| (m, p)))
            .collect();
        let tiers_used = others.iter().map(|(_, p)| p.tier + 1).max().unwrap_or(0);
        let mut best: Option<((usize, usize, usize), Placement)> = None;
        for tier in 0..=tiers_used {
            for (left_of_line, extent) in sides {
                let fits = extent.0 >= MARGIN / 2.0 && extent.1 <= WIDTH - MARGIN / 2.0;
                let overlaps = others.iter().any(|(_, p)| {
                    p.tier == tier
                        && !(extent.1 + GAP <= p.extent.0 || extent.0 >= p.extent.1 + GAP)
                });
                if !fits || overlaps {
                    continue;
                }
                let through_below = others
                    .iter()
                    .filter(|(_, p)| marker.line && p.tier < tier && covers(p.extent, marker.x))
                    .count();
                let under_lines_above = others
                    .iter()
                    .filter(|(m, p)| m.line && p.tier > tier && covers(extent, m.x))
                    .count();
                // A label over a line still to be placed may force it to cross later.
                let over_lines_to_come = markers
                    .iter()
                    .zip(&placed)
                    .enumerate()
                    .filter(|(other, (m, p))| {
                        *other != index && p.is_none() && m.line && covers(extent, m.x)
                    })
                    .count();
                let cost = (through_below + under_lines_above, over_lines_to_come, tier);
                if best.as_ref().is_none_or(|(best_cost, _)| cost < *best_cost) {
                    best = Some((
                        cost,
                        Placement {
                            tier,
                            left_of_line,
                            extent,
                        },
                    ));
                }
            }
        }
        // A label too wide for either side still gets a tier of its own.
        let (crossings, placement) = match best {
            Some(((crossings, _, _), placement)) => (crossings, placement),
            None => (
                0,
                Placement {
                    tier: tiers_used,
                    left_of_line: false,
                    extent: sides[0].1,
                },
            ),
        };
        crossings_total += crossings;
        if let Some(slot) = placed.get_mut(index) {
            *slot = Some(placement);
        }
    }
    let placements: Vec<Placement> = placed.into_iter().flatten().collect();
    let tiers = placements.iter().map(|p| p.tier + 1).max().unwrap_or(0);
    (placements, (crossings_total, tiers))
}

/// A stretch with no event.
struct Gap {
    from: DateTime<Utc>,
    to: DateTime<Utc>,
}

impl Gap {
    fn seconds(&self) -> i64 {
        (self.to - self.from).num_seconds()
    }
}

/// The gaps between consecutive `events` (see the module docs for the rule).
fn gaps(events: &[&TimelineEvent]) -> Vec<Gap> {
    let (Some(first), Some(last)) = (events.first(), events.last()) else {
        return Vec::new();
    };
    let span = (last.at() - first.at()).num_seconds();
    events
        .windows(2)
        .filter_map(|pair| match pair {
            [before, after] => Some(Gap {
                from: before.at(),
                to: after.at(),
            }),
            _ => None,
        })
        .filter(|gap| {
            let seconds = gap.seconds();
            seconds >= GAP_MIN_SECONDS && seconds * GAP_SHARE_DIVISOR > span
        })
        .collect()
}

/// The steps between ticks shorter than a day, each dividing a day.
const SUB_DAY_STEPS_S: [i64; 11] = [
    60, 120, 300, 600, 900, 1800, 3600, 7200, 10_800, 21_600, 43_200,
];
const DAY_STEPS: [u64; 4] = [1, 2, 7, 14];

/// A tick of the axis and its label.
struct Tick {
    at: DateTime<Utc>,
    label: String,
    x: f64,
    anchor: Anchor,
}

/// Ticks at round wall-clock times in the incident's timezone, as many as fit their labels.
fn ticks(axis: &Axis, style: &TimeStyle) -> Vec<Tick> {
    let tz = style.tz;
    let sample = if style.several_days {
        "24 Oct 22:00"
    } else {
        "22:00"
    };
    let spacing = text_width(sample, SMALL) + 28.0;
    let max_ticks = (((PLOT_RIGHT - PLOT_LEFT) / spacing).floor() as i64).max(2);
    let span = axis.span_seconds().max(1);
    let sub_day_format = if style.several_days {
        "%-d %b %H:%M"
    } else {
        "%H:%M"
    };
    // The instants a wall-clock time stands for: none in the hour a DST change skips, two in
    // the hour it repeats.
    let instants = |day: NaiveDate, seconds: i64| -> Vec<DateTime<Utc>> {
        let Some(naive) = day
            .and_time(NaiveTime::MIN)
            .checked_add_signed(TimeDelta::seconds(seconds))
        else {
            return Vec::new();
        };
        match tz.from_local_datetime(&naive) {
            LocalResult::Single(at) => vec![at.with_timezone(&Utc)],
            LocalResult::Ambiguous(first, second) => {
                vec![first.with_timezone(&Utc), second.with_timezone(&Utc)]
            }
            LocalResult::None => Vec::new(),
        }
    };
    let on_axis = |at: &DateTime<Utc>| *at >= axis.start && *at <= axis.end;
    let first_day = axis.start.with_timezone(&tz).date_naive();
    let last_day = axis.end.with_timezone(&tz).date_naive();
    let mut found: Vec<(DateTime<Utc>, String)> = Vec::new();
    if let Some(step) = SUB_DAY_STEPS_S
        .iter()
        .find(|step| span / **step < max_ticks)
    {
        // Walk the wall clock, so ticks stay on round local times across a DST change. In the
        // repeated hour both instants get a tick when ticks are an hour apart or closer (so the
        // real spacing stays even), each label saying which zone; wider ticks take the first.
        let mut day = first_day;
        while day <= last_day {
            let mut seconds = 0;
            while seconds < 86_400 {
                let mut candidates = instants(day, seconds);
                let repeated = candidates.len() > 1;
                if *step > 3600 {
                    candidates.truncate(1);
                }
                for at in candidates.into_iter().filter(on_axis) {
                    let local = at.with_timezone(&tz);
                    let mut label = local.format(sub_day_format).to_string();
                    if repeated {
                        let _ = write!(label, " {}", local.format("%Z"));
                    }
                    found.push((at, label));
                }
                seconds += step;
            }
            match day.succ_opt() {
                Some(next) => day = next,
                None => break,
            }
        }
    } else {
        let span_days = span / 86_400 + 1;
        let step_days = DAY_STEPS
            .iter()
            .copied()
            .find(|days| span_days / (*days as i64) < max_ticks)
            .unwrap_or_else(|| (span_days / max_ticks + 1).unsigned_abs());
        let day_format = if first_day.year() == last_day.year() {
            "%-d %b"
        } else {
            "%-d %b %Y"
        };
        let midnight = |day: NaiveDate| instants(day, 0).into_iter().next();
        let mut day = first_day;
        if midnight(day).is_none_or(|at| at < axis.start) {
            day = day.succ_opt().unwrap_or(day);
        }
        while day <= last_day {
            if let Some(at) = midnight(day).filter(on_axis) {
                found.push((at, day.format(day_format).to_string()));
            }
            match day.checked_add_days(Days::new(step_days)) {
                Some(next) => day = next,
                None => break,
            }
        }
    }
    lay_out_ticks(axis, found)
}

/// Centres each label under its tick (kept inside the picture at the ends) and drops a tick
/// whose label would touch the one before, so no two labels overlap.
fn lay_out_ticks(axis: &Axis, found: Vec<(DateTime<Utc>, String)>) -> Vec<Tick> {
    const GAP: f64 = 8.0;
    let mut ticks: Vec<Tick> = Vec::with_capacity(found.len());
    let mut free_from = f64::NEG_INFINITY;
    for (at, label) in found {
        let x = axis.x(at);
        let width = text_width(&label, SMALL);
        let (anchor, x_text, from, to) = if x + width / 2.0 > WIDTH - 2.0 {
            (Anchor::End, WIDTH - 2.0, WIDTH - 2.0 - width, WIDTH - 2.0)
        } else {
            (Anchor::Middle, x, x - width / 2.0, x + width / 2.0)
        };
        if from < free_from {
            continue;
        }
        free_from = to + GAP;
        ticks.push(Tick {
            at,
            label,
            x: x_text,
            anchor,
        });
    }
    ticks
}

/// Where each dot goes within its lane: a second or third row when it would overlap the one
/// before (events minutes apart, or at one instant).
fn dot_offsets(events: &[&TimelineEvent], axis: &Axis) -> Vec<f64> {
    const ROWS: [f64; 3] = [0.0, -8.5, 8.5];
    let mut right_edges = vec![[f64::NEG_INFINITY; 3]; LANE_NAMES.len()];
    events
        .iter()
        .map(|event| {
            let lane = lane_of(event.kind());
            let radius = if event.is_key_point() {
                KEY_DOT_RADIUS
            } else {
                DOT_RADIUS
            };
            let x = axis.x(event.at());
            let Some(edges) = right_edges.get_mut(lane) else {
                return 0.0;
            };
            let row = (0..ROWS.len())
                .find(|row| edges[*row] <= x - radius - 1.0)
                .unwrap_or_else(|| {
                    // All rows are taken here: reuse the one that frees up first.
                    (0..ROWS.len())
                        .min_by(|a, b| edges[*a].total_cmp(&edges[*b]))
                        .unwrap_or(0)
                });
            edges[row] = x + radius;
            ROWS[row]
        })
        .collect()
}

/// Everything the drawing needs, worked out once.
struct Picture<'a> {
    record: &'a IncidentRecord,
    figures: &'a Figures,
    events: &'a [&'a TimelineEvent],
    first: DateTime<Utc>,
    last: DateTime<Utc>,
    axis: Axis,
    style: TimeStyle,
    ids: Ids,
    resolved: bool,
    gaps: Vec<Gap>,
    /// The lanes with at least one event, in order.
    lanes: Vec<usize>,
}

impl<'a> Picture<'a> {
    fn new(
        record: &'a IncidentRecord,
        figures: &'a Figures,
        events: &'a [&'a TimelineEvent],
        first_event: DateTime<Utc>,
        last_event: DateTime<Utc>,
    ) -> Self {
        let tz = record.incident.timezone;
        let instants = &figures.instants;
        let first = instants.started.map_or(first_event, |s| s.min(first_event));
        let last = instants.resolved.map_or(last_event, |r| r.max(last_event));
        let axis = Axis::over(first, last);
        let local = |at: DateTime<Utc>| at.with_timezone(&tz);
        let style = TimeStyle {
            tz,
            several_days: local(axis.start).date_naive() != local(axis.end).date_naive(),
            zone_changes: local(first).offset().fix() != local(last).offset().fix(),
        };
        let mut lanes: Vec<usize> = events.iter().map(|e| lane_of(e.kind())).collect();
        lanes.sort_unstable();
        lanes.dedup();
        Picture {
            record,
            figures,
            events,
            first,
            last,
            axis,
            style,
            ids: Ids::of(record),
            resolved: instants.resolved.is_some(),
            gaps: gaps(events),
            lanes,
        }
    }

    fn key_points(&self) -> impl Iterator<Item = &&'a TimelineEvent> {
        self.events.iter().filter(|e| e.is_key_point())
    }

    fn markers(&self) -> Vec<Marker> {
        let i = &self.figures.instants;
        let mut markers: Vec<Marker> = [
            (i.started, "Impact started", IMPACT_RED, "hs-tl-started"),
            (i.detected, "Detected", OTHER_MARKER, "hs-tl-detected"),
            (
                i.acknowledged,
                "Acknowledged",
                OTHER_MARKER,
                "hs-tl-acknowledged",
            ),
            (i.mitigated, "Mitigated", OTHER_MARKER, "hs-tl-mitigated"),
            (i.resolved, "Resolved", RESOLVED_GREEN, "hs-tl-resolved"),
        ]
        .into_iter()
        .filter_map(|(at, name, colour, class)| {
            let at = at?;
            Some(Marker {
                x: self.axis.x(at),
                label: format!("{name} {}", self.style.short(at)),
                colour,
                class,
                line: true,
                dashed: colour == OTHER_MARKER,
            })
        })
        .collect();
        if !self.resolved {
            markers.push(Marker {
                x: self.axis.x(self.axis.end),
                label: "Not resolved".to_owned(),
                colour: UNRESOLVED,
                class: "hs-tl-unresolved",
                line: false,
                dashed: false,
            });
        }
        // Placed left to right, so labels stack in the order they are read.
        markers.sort_by(|a, b| a.x.total_cmp(&b.x));
        markers
    }

    /// The figures in one sentence each, for the summary line and the description.
    fn figure_phrases(&self) -> Vec<String> {
        let f = self.figures;
        let mut phrases = Vec::new();
        match (f.impact_duration_s, f.instants.started) {
            (Some(seconds), _) => phrases.push(format!("Impact {}", human_duration(seconds))),
            (None, Some(_)) => phrases.push("Not resolved yet".to_owned()),
            (None, None) => phrases.push("No start of impact recorded".to_owned()),
        }
        for (name, seconds) in [
            ("time to detect", f.time_to_detect_s),
            ("to acknowledge", f.time_to_acknowledge_s),
            ("to mitigate", f.time_to_mitigate_s),
            ("to resolve", f.time_to_resolve_s),
        ] {
            if let Some(seconds) = seconds {
                phrases.push(format!("{name} {}", human_duration(seconds)));
            }
        }
        phrases
    }

    fn description(&self) -> String {
        let f = self.figures;
        let mut desc = format!(
            "Timeline of {} from {} to {}, {} event{} in the {} timezone. ",
            self.record.incident.key,
            local_time(self.first, self.style.tz),
            local_time(self.last, self.style.tz),
            self.events.len(),
            if self.events.len() == 1 { "" } else { "s" },
            self.style.tz.name()
        );
        let duration = |s: Option<i64>| s.map_or("not known".to_owned(), human_duration);
        match f.instants.started {
            Some(started) => {
                let _ = write!(
                    desc,
                    "Impact started {}. Time to detect: {}; to acknowledge (from detection): {}; \
                     to mitigate: {}; to resolve: {}. ",
                    local_time(started, self.style.tz),
                    duration(f.time_to_detect_s),
                    duration(f.time_to_acknowledge_s),
                    duration(f.time_to_mitigate_s),
                    duration(f.time_to_resolve_s),
                );
            }
            None => desc.push_str("No start of impact is recorded. "),
        }
        if !self.resolved {
            desc.push_str("The incident is not resolved yet. ");
        }
        let severities: Vec<String> = f
            .time_in_severity_s
            .iter()
            .map(|(severity, seconds)| format!("{severity} {}", human_duration(*seconds)))
            .collect();
        if !severities.is_empty() {
            let _ = write!(desc, "Time in severity: {}. ", severities.join(", "));
        }
        for gap in &self.gaps {
            let _ = write!(
                desc,
                "No events for {} from {}. ",
                human_duration(gap.seconds()),
                local_time(gap.from, self.style.tz)
            );
        }
        match self.key_points().count() {
            0 => {}
            1 => desc.push_str("One key point is numbered and listed."),
            n => {
                let _ = write!(desc, "{n} key points are numbered and listed.");
            }
        }
        desc.trim_end().to_owned()
    }

    fn draw(&self) -> String {
        let mut body = String::new();
        let mut y = MARGIN;

        // Heading, span and figures.
        y += HEADING;
        text(
            &mut body,
            MARGIN,
            y,
            Anchor::Start,
            "hs-tl-heading",
            "",
            &fit(
                &heading_text(self.record),
                HEADING * 1.1,
                WIDTH - 2.0 * MARGIN,
            ),
        );
        y += 19.0;
        let span = if self.first == self.last {
            self.style.long(self.first)
        } else {
            format!(
                "{} → {}",
                self.style.long(self.first),
                self.style.long(self.last)
            )
        };
        let span_line = format!(
            "{span} · {} · {} event{}",
            self.style.tz.name(),
            self.events.len(),
            if self.events.len() == 1 { "" } else { "s" }
        );
        text(
            &mut body,
            MARGIN,
            y,
            Anchor::Start,
            "hs-tl-muted",
            "",
            &span_line,
        );
        for line in wrap_phrases(&self.figure_phrases(), BODY, WIDTH - 2.0 * MARGIN) {
            y += 17.0;
            text(&mut body, MARGIN, y, Anchor::Start, "", "", &line);
        }

        // The marker labels, in tiers above the plot.
        let markers = self.markers();
        let placements = place_labels(&markers);
        let tiers = placements.iter().map(|p| p.tier + 1).max().unwrap_or(0);
        let band_top = y + 14.0 + tiers as f64 * TIER_HEIGHT + 6.0;
        let lanes_top = band_top + BAND_HEIGHT + 6.0;
        let lanes_bottom = lanes_top + self.lanes.len() as f64 * LANE_HEIGHT;
        let tier_y = |tier: usize| band_top - 8.0 - tier as f64 * TIER_HEIGHT;

        // Lane stripes and names, then the grid, so everything else draws over them.
        for (row, lane) in self.lanes.iter().enumerate() {
            let top = lanes_top + row as f64 * LANE_HEIGHT;
            let fill = if row % 2 == 0 { "#f5f7fa" } else { "#ffffff" };
            let _ = writeln!(
                body,
                r#"<rect x="{}" y="{}" width="{}" height="{}" fill="{fill}"/>"#,
                Px(PLOT_LEFT),
                Px(top),
                Px(PLOT_RIGHT - PLOT_LEFT),
                Px(LANE_HEIGHT)
            );
            text(
                &mut body,
                PLOT_LEFT - 8.0,
                top + LANE_HEIGHT / 2.0 + 4.0,
                Anchor::End,
                "hs-tl-muted hs-tl-small",
                "",
                LANE_NAMES.get(*lane).copied().unwrap_or("Other"),
            );
        }
        let ticks = ticks(&self.axis, &self.style);
        for tick in &ticks {
            let x = self.axis.x(tick.at);
            let _ = writeln!(
                body,
                r##"<line x1="{x}" y1="{}" x2="{x}" y2="{}" stroke="#dde2ea" stroke-width="1"/>"##,
                Px(band_top),
                Px(lanes_bottom),
                x = Px(x)
            );
        }

        self.draw_gaps(&mut body, lanes_top, lanes_bottom);
        self.draw_band(&mut body, band_top);

        // Marker lines, under the dots; their labels go on top of everything.
        for (marker, placement) in markers.iter().zip(&placements) {
            if !marker.line {
                continue;
            }
            let dash = if marker.dashed {
                r#" stroke-dasharray="5 3""#
            } else {
                ""
            };
            let width = if marker.dashed { 1.25 } else { 2.0 };
            let _ = writeln!(
                body,
                r#"<line class="hs-tl-marker-line {}" x1="{x}" y1="{}" x2="{x}" y2="{}" stroke="{}" stroke-width="{}"{dash}/>"#,
                marker.class,
                Px(tier_y(placement.tier) - 4.0),
                Px(lanes_bottom),
                marker.colour,
                Px(width),
                x = Px(marker.x)
            );
        }

        self.draw_dots(&mut body, lanes_top);

        // The axis.
        let _ = writeln!(
            body,
            r#"<line x1="{}" y1="{y}" x2="{}" y2="{y}" stroke="{INK}" stroke-width="1"/>"#,
            Px(PLOT_LEFT),
            Px(PLOT_RIGHT),
            y = Px(lanes_bottom)
        );
        for tick in &ticks {
            let x = self.axis.x(tick.at);
            let _ = writeln!(
                body,
                r#"<line x1="{x}" y1="{}" x2="{x}" y2="{}" stroke="{INK}" stroke-width="1"/>"#,
                Px(lanes_bottom),
                Px(lanes_bottom + 5.0),
                x = Px(x)
            );
            text(
                &mut body,
                tick.x,
                lanes_bottom + 18.0,
                tick.anchor,
                "hs-tl-small",
                "",
                &tick.label,
            );
        }

        for (marker, placement) in markers.iter().zip(&placements) {
            self.draw_marker_label(&mut body, marker, placement, tier_y(placement.tier));
        }

        y = lanes_bottom + 40.0;
        y = self.draw_legend(&mut body, y);
        y = self.draw_key_points(&mut body, y);

        let mut out = String::new();
        open_svg(
            &mut out,
            &self.ids,
            y + MARGIN,
            &title_text(self.record),
            &self.description(),
        );
        let _ = writeln!(
            out,
            r##"<defs><pattern id="{}" width="8" height="8" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="8" height="8" fill="#f3f4f6"/><line x1="0" y1="0" x2="0" y2="8" stroke="#c4cad4" stroke-width="3"/></pattern></defs>"##,
            self.ids.hatch
        );
        let _ = writeln!(
            out,
            r##"<rect width="{}" height="{}" fill="#ffffff"/>"##,
            Px(WIDTH),
            Px(y + MARGIN)
        );
        out.push_str(&body);
        out.push_str("</svg>\n");
        out
    }

    fn draw_gaps(&self, out: &mut String, top: f64, bottom: f64) {
        for gap in &self.gaps {
            // Inset from the dots at either end, so the hatching reads as the time between.
            let from = self.axis.x(gap.from) + KEY_DOT_RADIUS + 2.0;
            let to = self.axis.x(gap.to) - KEY_DOT_RADIUS - 2.0;
            if to <= from {
                continue;
            }
            let duration = human_duration(gap.seconds());
            let _ = writeln!(
                out,
                r#"<g class="hs-tl-gap"><title>No events recorded from {} to {} ({duration})</title><rect x="{}" y="{}" width="{}" height="{}" fill="url(#{})" opacity="0.9"/>"#,
                escape(&local_time(gap.from, self.style.tz)),
                escape(&local_time(gap.to, self.style.tz)),
                Px(from),
                Px(top),
                Px(to - from),
                Px(bottom - top),
                self.ids.hatch
            );
            let label = format!("no events for {duration}");
            let middle = (top + bottom) / 2.0 + 4.0;
            let lines = if text_width(&label, SMALL) + 8.0 <= to - from || bottom - top < 40.0 {
                vec![(middle, label)]
            } else {
                vec![
                    (middle - 7.0, "no events".to_owned()),
                    (middle + 7.0, format!("for {duration}")),
                ]
            };
            for (y, line) in lines {
                text(
                    out,
                    (from + to) / 2.0,
                    y,
                    Anchor::Middle,
                    "hs-tl-small hs-tl-muted hs-tl-halo hs-tl-gap-label",
                    "",
                    &line,
                );
            }
            out.push_str("</g>\n");
        }
    }

    fn draw_band(&self, out: &mut String, top: f64) {
        let left = self.axis.x(self.axis.start);
        let right = self.axis.x(self.axis.end);
        text(
            out,
            PLOT_LEFT - 8.0,
            top + BAND_HEIGHT / 2.0 + 4.0,
            Anchor::End,
            "hs-tl-muted hs-tl-small",
            "",
            "Severity",
        );
        // The track: before the start of impact there is no severity to show.
        let _ = writeln!(
            out,
            r##"<rect x="{}" y="{}" width="{}" height="{}" rx="3" fill="#eef1f5"/>"##,
            Px(left),
            Px(top),
            Px((right - left).max(1.0)),
            Px(BAND_HEIGHT)
        );
        let windows = self
            .figures
            .severity_windows
            .iter()
            .filter(|w| w.to > self.axis.start && w.from < self.axis.end);
        let mut last_window = None;
        for window in windows {
            let from = window.from.max(self.axis.start);
            let to = window.to.min(self.axis.end);
            let (x0, x1) = (self.axis.x(from), self.axis.x(to));
            let (fill, ink) = severity_colours(window.severity);
            let ongoing = if self.resolved { "" } else { " (so far)" };
            let _ = writeln!(
                out,
                r##"<g class="hs-tl-severity"><title>{} from {} to {}: {}{ongoing}</title><rect x="{}" y="{}" width="{}" height="{}" fill="{fill}" stroke="#ffffff" stroke-width="1"/>"##,
                window.severity,
                escape(&local_time(window.from, self.style.tz)),
                escape(&local_time(window.to, self.style.tz)),
                human_duration(window.seconds()),
                Px(x0),
                Px(top),
                Px((x1 - x0).max(1.0)),
                Px(BAND_HEIGHT)
            );
            let room = x1 - x0 - 8.0;
            // A window cut at the last event of an open incident is longer than it looks.
            let duration = if window.to > self.axis.end {
                "ongoing".to_owned()
            } else {
                human_duration(window.seconds())
            };
            let labels = [
                format!("{} · {duration}", window.severity),
                window.severity.to_string(),
                window.severity.level().to_string(),
            ];
            if let Some(label) = labels
                .iter()
                .find(|label| text_width(label, SMALL) * 1.08 <= room)
            {
                text(
                    out,
                    (x0 + x1) / 2.0,
                    top + BAND_HEIGHT / 2.0 + 4.0,
                    Anchor::Middle,
                    "hs-tl-small hs-tl-strong",
                    &format!(r#" style="fill:{ink}""#),
                    label,
                );
            }
            out.push_str("</g>\n");
            last_window = Some((x1, fill));
        }
        if !self.resolved
            && let Some((x1, fill)) = last_window
        {
            // The band goes on past the picture: the incident is still open.
            let _ = writeln!(
                out,
                r#"<path class="hs-tl-ongoing" d="M{} {}L{} {}L{} {}Z" fill="{fill}"/>"#,
                Px(x1 + 1.0),
                Px(top),
                Px(x1 + PLOT_PAD - 1.0),
                Px(top + BAND_HEIGHT / 2.0),
                Px(x1 + 1.0),
                Px(top + BAND_HEIGHT)
            );
        }
    }

    fn draw_dots(&self, out: &mut String, lanes_top: f64) {
        let offsets = dot_offsets(self.events, &self.axis);
        let lane_centre = |lane: usize| {
            let row = self.lanes.iter().position(|l| *l == lane).unwrap_or(0);
            lanes_top + row as f64 * LANE_HEIGHT + LANE_HEIGHT / 2.0
        };
        let tooltip = |event: &TimelineEvent| {
            let mut tip = format!(
                "{} · {}",
                local_time(event.at(), self.style.tz),
                event.kind().label()
            );
            if let Some(severity) = event.severity() {
                let _ = write!(tip, " ({severity})");
            }
            let _ = write!(tip, ": {}", event.text());
            if let Some(author) = event.author() {
                let _ = write!(tip, " — {author}");
            }
            escape(&tip)
        };
        // Ordinary dots first, so key points sit on top of them.
        for (event, offset) in self.events.iter().zip(&offsets) {
            if event.is_key_point() {
                continue;
            }
            let _ = writeln!(
                out,
                r##"<circle class="hs-tl-event" cx="{}" cy="{}" r="{}" fill="#3f4a5c" stroke="#ffffff" stroke-width="1"><title>{}</title></circle>"##,
                Px(self.axis.x(event.at())),
                Px(lane_centre(lane_of(event.kind())) + offset),
                Px(DOT_RADIUS),
                tooltip(event)
            );
        }
        let key_points = self
            .events
            .iter()
            .zip(&offsets)
            .filter(|(event, _)| event.is_key_point());
        for (number, (event, offset)) in key_points.enumerate() {
            let (x, y) = (
                self.axis.x(event.at()),
                lane_centre(lane_of(event.kind())) + offset,
            );
            let _ = writeln!(
                out,
                r#"<g class="hs-tl-key-point"><title>Key point {}: {}</title><circle cx="{}" cy="{}" r="{}" fill="{INK}" stroke="{KEY_OUTLINE}" stroke-width="2.5"/>"#,
                number + 1,
                tooltip(event),
                Px(x),
                Px(y),
                Px(KEY_DOT_RADIUS)
            );
            text(
                out,
                x,
                y + 4.0,
                Anchor::Middle,
                "hs-tl-small hs-tl-strong",
                r#" style="fill:#ffffff""#,
                &(number + 1).to_string(),
            );
            out.push_str("</g>\n");
        }
    }

    fn draw_marker_label(&self, out: &mut String, marker: &Marker, placement: &Placement, y: f64) {
        let (anchor, x) = if placement.left_of_line {
            (Anchor::End, marker.x - 7.0)
        } else {
            (Anchor::Start, marker.x + 7.0)
        };
        let _ = writeln!(
            out,
            r#"<g class="hs-tl-marker {}"><circle cx="{}" cy="{}" r="3.5" fill="{}"/>"#,
            marker.class,
            Px(marker.x),
            Px(y - 4.0),
            marker.colour
        );
        text(
            out,
            x,
            y,
            anchor,
            "hs-tl-small hs-tl-strong hs-tl-halo",
            &format!(r#" style="fill:{}""#, marker.colour),
            &marker.label,
        );
        out.push_str("</g>\n");
    }

    /// The time in each severity and what the symbols mean; returns the y below it.
    fn draw_legend(&self, out: &mut String, top: f64) -> f64 {
        let mut items: Vec<(Swatch, String)> = Vec::new();
        let so_far = if self.resolved { "" } else { " so far" };
        for (severity, seconds) in &self.figures.time_in_severity_s {
            items.push((
                Swatch::Band(severity_colours(*severity).0),
                format!("{severity} {}{so_far}", human_duration(*seconds)),
            ));
        }
        items.push((Swatch::Dot, "event".to_owned()));
        if self.key_points().next().is_some() {
            items.push((Swatch::KeyPoint, "key point".to_owned()));
        }
        if !self.gaps.is_empty() {
            items.push((Swatch::Gap, "no events recorded".to_owned()));
        }
        let lead = if self.figures.time_in_severity_s.is_empty() {
            "Legend:"
        } else {
            "Time in severity:"
        };
        text(
            out,
            MARGIN,
            top,
            Anchor::Start,
            "hs-tl-small hs-tl-strong",
            "",
            lead,
        );
        let mut x = MARGIN + text_width(lead, SMALL) * 1.08 + 10.0;
        let mut y = top;
        for (swatch, label) in items {
            let width = 16.0 + text_width(&label, SMALL) + 14.0;
            if x + width > WIDTH - MARGIN {
                x = MARGIN;
                y += 20.0;
            }
            swatch.draw(out, x, y - 4.0, &self.ids);
            text(out, x + 16.0, y, Anchor::Start, "hs-tl-small", "", &label);
            x += width;
        }
        y + 12.0
    }

    /// The numbered list of key points, in two columns when it is long; returns the y below.
    fn draw_key_points(&self, out: &mut String, top: f64) -> f64 {
        const TWO_COLUMNS_FROM: usize = 10;
        let count = self.key_points().count();
        if count == 0 {
            return top;
        }
        let heading_y = top + 16.0;
        text(
            out,
            MARGIN,
            heading_y,
            Anchor::Start,
            "hs-tl-strong",
            "",
            "Key points",
        );
        let (columns, rows) = if count >= TWO_COLUMNS_FROM {
            (2, count.div_ceil(2))
        } else {
            (1, count)
        };
        let column_width = (WIDTH - 2.0 * MARGIN) / columns as f64;
        for (index, event) in self.key_points().enumerate() {
            let number = index + 1;
            let left = MARGIN + (index / rows) as f64 * column_width;
            let y = heading_y + (index % rows + 1) as f64 * KEY_ROW_HEIGHT;
            let when = self.style.short(event.at());
            let text_x = left + 26.0;
            let when_width = text_width(&when, BODY) * 1.08 + 8.0;
            let room = left + column_width - 12.0 - text_x - when_width;
            let _ = writeln!(
                out,
                r#"<g class="hs-tl-key-row"><title>{}</title><circle cx="{}" cy="{}" r="{}" fill="{INK}" stroke="{KEY_OUTLINE}" stroke-width="2"/>"#,
                escape(&format!(
                    "{} · {}",
                    local_time(event.at(), self.style.tz),
                    event.text()
                )),
                Px(left + KEY_DOT_RADIUS),
                Px(y - 4.0),
                Px(KEY_DOT_RADIUS)
            );
            text(
                out,
                left + KEY_DOT_RADIUS,
                y,
                Anchor::Middle,
                "hs-tl-small hs-tl-strong",
                r#" style="fill:#ffffff""#,
                &number.to_string(),
            );
            let _ = writeln!(
                out,
                r#"<text x="{}" y="{}"><tspan class="hs-tl-strong">{}</tspan> {}</text>"#,
                Px(text_x),
                Px(y),
                escape(&when),
                escape(&fit(event.text(), BODY, room))
            );
            out.push_str("</g>\n");
        }
        heading_y + rows as f64 * KEY_ROW_HEIGHT + 8.0
    }
}

/// The symbols of the legend.
enum Swatch {
    Band(&'static str),
    Dot,
    KeyPoint,
    Gap,
}

impl Swatch {
    fn draw(&self, out: &mut String, x: f64, centre: f64, ids: &Ids) {
        let _ = match self {
            Swatch::Band(fill) => writeln!(
                out,
                r##"<rect x="{}" y="{}" width="12" height="12" fill="{fill}" stroke="#8a93a3" stroke-width="0.5"/>"##,
                Px(x),
                Px(centre - 6.0)
            ),
            Swatch::Dot => writeln!(
                out,
                r##"<circle cx="{}" cy="{}" r="{}" fill="#3f4a5c"/>"##,
                Px(x + 6.0),
                Px(centre),
                Px(DOT_RADIUS)
            ),
            Swatch::KeyPoint => writeln!(
                out,
                r#"<circle cx="{}" cy="{}" r="6" fill="{INK}" stroke="{KEY_OUTLINE}" stroke-width="2"/>"#,
                Px(x + 6.0),
                Px(centre)
            ),
            Swatch::Gap => writeln!(
                out,
                r##"<rect x="{}" y="{}" width="12" height="12" fill="url(#{})" stroke="#c4cad4" stroke-width="0.5"/>"##,
                Px(x),
                Px(centre - 6.0),
                ids.hatch
            ),
        };
    }
}

/// Joins phrases with " · " into as few lines as fit `width`.
fn wrap_phrases(phrases: &[String], size: f64, width: f64) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for phrase in phrases {
        match lines.last_mut() {
            Some(line) if text_width(&format!("{line} · {phrase}"), size) <= width => {
                line.push_str(" · ");
                line.push_str(phrase);
            }
            _ => lines.push(phrase.clone()),
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_leaves_no_markup_and_no_character_xml_refuses() {
        assert_eq!(
            escape(r#"</title><script>alert(1)</script> & "q" 'a'"#),
            "&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;q&quot; &apos;a&apos;"
        );
        assert_eq!(escape("a\u{7}b\u{0}c\u{FFFF}"), "a b c ");
        assert_eq!(escape("line\nnext\ttab"), "line\nnext\ttab");
        assert_eq!(escape("SEV-1 · 3h — ok"), "SEV-1 · 3h — ok");
    }

    #[test]
    fn coordinates_are_short_and_stable() {
        assert_eq!(Px(12.0).to_string(), "12");
        assert_eq!(Px(12.04).to_string(), "12");
        assert_eq!(Px(12.06).to_string(), "12.1");
        assert_eq!(Px(-3.25).to_string(), "-3.3");
        assert_eq!(Px(-0.01).to_string(), "0");
    }

    #[test]
    fn long_text_is_cut_to_fit_with_an_ellipsis() {
        assert_eq!(fit("short", BODY, 200.0), "short");
        let cut = fit(&"word ".repeat(50), BODY, 100.0);
        assert!(
            cut.ends_with('…') && text_width(&cut, BODY) <= 100.0,
            "{cut}"
        );
    }

    #[test]
    fn labels_of_close_markers_go_to_different_tiers() {
        let marker = |x: f64, label: &str| Marker {
            x,
            label: label.to_owned(),
            colour: OTHER_MARKER,
            class: "",
            line: true,
            dashed: true,
        };
        let placements = place_labels(&[
            marker(200.0, "Detected 22:58"),
            marker(210.0, "Acknowledged 23:03"),
            marker(700.0, "Resolved 02:30"),
        ]);
        assert_ne!(placements[0].tier, placements[1].tier);
        // Neither line runs through the other's label.
        for (line, label) in [(0, 1), (1, 0)] {
            let x = [200.0, 210.0][line];
            let (from, to) = placements[label].extent;
            let below = placements[label].tier < placements[line].tier;
            assert!(!(below && from <= x && x <= to), "{line} crosses {label}");
        }
        // Near the right edge the label goes to the left of its line.
        assert!(placements[2].left_of_line);
        assert_eq!(placements[2].tier, 0);
    }
}
