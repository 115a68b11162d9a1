//! The forms that edit every part of the post-mortem beyond its Markdown sections: roles and
//! participants, the owner, impact, contributing factors with their 5 whys, how'd we do,
//! questions, the meeting, communication, the commands used, and the two messages with their
//! drafts; and the page that shows them all with a link to each form.
//!
//! Decisions:
//! - **A form is its values.** Each part is shown from a flat map of form values (`Values`),
//!   made from the document when the form opens and kept from the request when a save is
//!   refused, so a refused form shows exactly what its author typed. Lists (factors, questions,
//!   figures, links, commands, people) are numbered rows (`factors.0.description`) with empty
//!   rows to add to; a row left empty, or ticked "remove", is not kept. Saving a form that was
//!   not touched saves what it shows, which is what is stored.
//! - **A stale save is refused, never merged silently.** Every form of the document carries the
//!   version it was opened at and saves with `Hindsight::save_postmortem_at`; when someone saved
//!   in between, the answer is 409 with the form as its author left it, a clear message and what
//!   is saved now, and the form now carries the newer version, so saving again is a choice.
//! - **Responders are not in the document**: they are rows changed inside the store's write
//!   (`Hindsight::edit_responders`). Their form carries what it showed, and only what its author
//!   changed is applied to the responders as they are at that moment, so two people editing
//!   different roles both keep their change.

use super::layout::{csrf, flash, page};
use super::{DoneQuery, notice, signed_in, visible};
use crate::{
    ApiError, AppState, PageError,
    api::{
        app_for, blocking,
        document::{
            RespondersJson, message_findings, message_kind, postmortem_link, save_message_at,
        },
    },
    auth::Caller,
};
use axum::{
    Form,
    extract::{Path, Query, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use chrono::{DateTime, Timelike, Utc};
use chrono_tz::Tz;
use hindsight_core::{
    AccountRole, CommandUsed, ContributingFactor, CustomFigure, ExactNumber, FactorCategory,
    IncidentRecord, Link, LinkKind, MessageKind, Person, Postmortem, Question, Responders, User,
    figures::{Figures, human_duration},
    lint::BlameFinding,
    text::{self, Line},
};
use maud::{Markup, html};
use serde::Deserialize;
use std::collections::BTreeMap;

/// Empty rows shown under a list of one-line rows, to add to it; a list of larger blocks
/// (factors, questions, commands) shows one.
const BLANK_ROWS: usize = 2;

/// The parts of the document with a form of their own (the sections have theirs on the
/// incident page; the messages theirs below).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    Responders,
    Owner,
    Impact,
    Factors,
    Howd,
    Questions,
    Meeting,
    Communication,
    Commands,
}

impl Part {
    pub const ALL: [Part; 9] = [
        Part::Responders,
        Part::Owner,
        Part::Impact,
        Part::Factors,
        Part::Howd,
        Part::Questions,
        Part::Meeting,
        Part::Communication,
        Part::Commands,
    ];

    /// The part's name in its URL and its anchor on the document page.
    pub fn slug(self) -> &'static str {
        match self {
            Part::Responders => "responders",
            Part::Owner => "owner",
            Part::Impact => "impact",
            Part::Factors => "factors",
            Part::Howd => "howd",
            Part::Questions => "questions",
            Part::Meeting => "meeting",
            Part::Communication => "communication",
            Part::Commands => "commands",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Part::Responders => "Roles and participants",
            Part::Owner => "Post-mortem owner",
            Part::Impact => "Impact",
            Part::Factors => "Contributing factors",
            Part::Howd => "How'd we do",
            Part::Questions => "Questions",
            Part::Meeting => "Meeting",
            Part::Communication => "Communication",
            Part::Commands => "Commands and queries used",
        }
    }

    fn help(self) -> &'static str {
        match self {
            Part::Responders => {
                "Who held each response role, and everyone else who took part with their job title, so a reader knows the breadth of skills involved."
            }
            Part::Owner => "The person who writes the post-mortem and runs its meeting.",
            Part::Impact => {
                "Exact numbers. The time in each severity is derived from the timeline and is not typed here."
            }
            Part::Factors => {
                "There is no single root cause: record each factor that let the incident happen, and the actions during the response that made things worse, to learn from them. A 5 whys chain is optional."
            }
            Part::Howd => "One item per line.",
            Part::Questions => {
                "Questions raised before or in the meeting, with their answers once known."
            }
            Part::Meeting => {
                "The post-mortem meeting: when, who moderates and who takes the notes (two different people)."
            }
            Part::Communication => {
                "Where the response happened, and the logs, dashboards and recordings to look it up."
            }
            Part::Commands => {
                "The commands and queries used to look the data up, so others can run them again."
            }
        }
    }

    /// What the revision history says a save of this part did.
    fn change(self) -> &'static str {
        match self {
            Part::Responders => "changed the responders",
            Part::Owner => "designated the post-mortem owner",
            Part::Impact => "edited the impact",
            Part::Factors => "edited the contributing factors",
            Part::Howd => "edited how'd we do",
            Part::Questions => "edited the questions",
            Part::Meeting => "edited the meeting",
            Part::Communication => "edited the communication",
            Part::Commands => "edited the commands used",
        }
    }

    fn parse(slug: &str) -> Result<Part, PageError> {
        Part::ALL
            .into_iter()
            .find(|p| p.slug() == slug)
            .ok_or_else(|| {
                PageError::not_found(format!(
                    "the document has no part `{slug}`: it has {}",
                    Part::ALL.map(Part::slug).join(", ")
                ))
            })
    }
}

/// The part whose form fills a template section of this kind, if one does.
pub fn part_for(content: hindsight_core::SectionContent) -> Option<Part> {
    use hindsight_core::SectionContent as C;
    Some(match content {
        C::ContributingFactors => Part::Factors,
        C::Impact => Part::Impact,
        C::Responders => Part::Responders,
        C::HowdWeDo | C::WentWell | C::WentWrong | C::GotLucky | C::Lessons => Part::Howd,
        C::Questions => Part::Questions,
        C::Communication | C::SupportingInformation => Part::Communication,
        C::Narrative | C::Figures | C::Timeline | C::KeyPoints | C::ActionItems => return None,
    })
}

/// A form's values by field name; rows of a list are named `list.N.field`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Values(BTreeMap<String, String>);

impl Values {
    pub fn from_pairs(pairs: Vec<(String, String)>) -> Values {
        Values(pairs.into_iter().collect())
    }

    pub fn get(&self, name: &str) -> &str {
        self.0.get(name).map(String::as_str).unwrap_or("")
    }

    fn set(&mut self, name: impl Into<String>, value: impl Into<String>) {
        let value = value.into();
        if !value.is_empty() {
            self.0.insert(name.into(), value);
        }
    }

    fn checked(&self, name: &str) -> bool {
        !self.get(name).is_empty()
    }

    /// How many rows `list` has (after [`Values::compact`], they are numbered from 0).
    fn count(&self, list: &str) -> usize {
        self.rows(list, None).len()
    }

    /// The row numbers of `list`, in order: those with any of `filled` written in, or all.
    fn rows(&self, list: &str, filled: Option<&[&str]>) -> Vec<usize> {
        let prefix = format!("{list}.");
        let mut rows: Vec<usize> = self
            .0
            .iter()
            .filter_map(|(name, value)| {
                let (row, field) = name.strip_prefix(&prefix)?.split_once('.')?;
                let keep = filled.is_none_or(|f| f.contains(&field) && !value.trim().is_empty());
                keep.then(|| row.parse().ok()).flatten()
            })
            .collect();
        rows.sort_unstable();
        rows.dedup();
        rows
    }

    /// Renumbers the rows of `list` from 0, dropping those with none of `filled` written in.
    fn compact(&mut self, list: &str, filled: &[&str]) {
        let rows = self.rows(list, Some(filled));
        let prefix = format!("{list}.");
        let old: Vec<(String, String)> = self
            .0
            .iter()
            .filter(|(name, _)| name.starts_with(&prefix))
            .map(|(n, v)| (n.clone(), v.clone()))
            .collect();
        for (name, _) in &old {
            self.0.remove(name);
        }
        for (position, row) in rows.iter().enumerate() {
            let from = format!("{list}.{row}.");
            for (name, value) in &old {
                if let Some(field) = name.strip_prefix(&from) {
                    self.set(format!("{list}.{position}.{field}"), value.clone());
                }
            }
        }
    }

    #[cfg(test)]
    fn row(&self, list: &str, row: usize, field: &str) -> &str {
        self.get(&format!("{list}.{row}.{field}"))
    }
}

/// The lists of each part: their name, every field of a row, and the fields that make a row
/// worth keeping when written in.
const LISTS: &[(Part, &str, &[&str])] = &[
    (Part::Responders, "smes", &["name", "job_title"]),
    (Part::Responders, "participants", &["name", "job_title"]),
    (Part::Impact, "custom", &["name", "value", "unit"]),
    (Part::Factors, "factors", &["description", "whys"]),
    (
        Part::Questions,
        "questions",
        &["question", "answer", "asked_by"],
    ),
    (Part::Communication, "links", &["url", "title"]),
    (Part::Commands, "commands", &["description", "command"]),
];

impl Part {
    /// Values as a request sent them, with the rows of each list renumbered.
    fn tidy(self, mut values: Values) -> Values {
        for (part, list, filled) in LISTS {
            if *part == self {
                values.compact(list, filled);
            }
        }
        values
    }
}

/// Why a form was refused: the field (its form name) and what is wrong, in words that name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub field: String,
    pub message: String,
}

fn refuse(field: impl Into<String>, label: &str, error: impl std::fmt::Display) -> Refusal {
    Refusal {
        field: field.into(),
        message: format!("{label}: {error}"),
    }
}

/// A time as the forms write it: local to the incident, to the minute unless it has seconds.
fn local_input(at: DateTime<Utc>, tz: Tz) -> String {
    let local = at.with_timezone(&tz);
    if local.second() == 0 && local.nanosecond() == 0 {
        local.format("%Y-%m-%d %H:%M").to_string()
    } else {
        local.format("%Y-%m-%d %H:%M:%S").to_string()
    }
}

fn shown_time(at: DateTime<Utc>, tz: Tz) -> String {
    at.with_timezone(&tz)
        .format("%a %d %b %Y %H:%M %Z")
        .to_string()
}

fn lines(items: &[String]) -> String {
    items.join("\n")
}

/// The form values that show `part` of `record`.
pub fn values_of(part: Part, record: &IncidentRecord) -> Values {
    let pm = &record.postmortem;
    let tz = record.incident.timezone;
    let mut v = Values::default();
    v.set("version", record.postmortem_version.to_string());
    let number = |n: Option<u64>| n.map(|n| n.to_string()).unwrap_or_default();
    match part {
        Part::Responders => {
            let r = &record.responders;
            for (slot, person) in singles(r) {
                if let Some(p) = person {
                    v.set(format!("{slot}.name"), p.name.as_str());
                    v.set(
                        format!("{slot}.job_title"),
                        p.job_title.clone().unwrap_or_default(),
                    );
                }
            }
            for (list, people) in [("smes", &r.smes), ("participants", &r.participants)] {
                for (i, p) in people.iter().enumerate() {
                    v.set(format!("{list}.{i}.name"), p.name.as_str());
                    v.set(
                        format!("{list}.{i}.job_title"),
                        p.job_title.clone().unwrap_or_default(),
                    );
                }
            }
            v.set(
                "original",
                serde_json::to_string(&RespondersJson::from(r)).unwrap_or_default(),
            );
        }
        Part::Owner => v.set("owner", pm.owner.as_ref().map(|o| o.as_str()).unwrap_or("")),
        Part::Impact => {
            let i = &pm.impact;
            v.set(
                "notifications_out_of_sla",
                number(i.notifications_out_of_sla),
            );
            v.set("events_dropped", number(i.events_dropped));
            v.set("accounts_affected", number(i.accounts_affected));
            v.set("users_affected", number(i.users_affected));
            v.set("support_requests", number(i.support_requests));
            v.set(
                "support_tickets",
                i.support_tickets
                    .iter()
                    .map(|u| u.to_string())
                    .collect::<Vec<_>>()
                    .join("\n"),
            );
            for (n, c) in i.custom.iter().enumerate() {
                v.set(format!("custom.{n}.name"), c.name.as_str());
                v.set(format!("custom.{n}.value"), c.value.to_string());
                v.set(
                    format!("custom.{n}.unit"),
                    c.unit.clone().unwrap_or_default(),
                );
            }
            if i.full_outage {
                v.set("full_outage", "true");
            }
        }
        Part::Factors => {
            for (n, f) in pm.factors.iter().enumerate() {
                v.set(format!("factors.{n}.category"), f.category.as_str());
                v.set(format!("factors.{n}.description"), f.description.clone());
                v.set(format!("factors.{n}.whys"), lines(&f.whys));
                if f.made_worse {
                    v.set(format!("factors.{n}.made_worse"), "true");
                }
            }
        }
        Part::Howd => {
            let h = &pm.howd_we_do;
            v.set("went_well", lines(&h.went_well));
            v.set("went_wrong", lines(&h.went_wrong));
            v.set("got_lucky", lines(&h.got_lucky));
            v.set("lessons", lines(&h.lessons));
        }
        Part::Questions => {
            for (n, q) in pm.questions.iter().enumerate() {
                v.set(format!("questions.{n}.question"), q.question.clone());
                v.set(
                    format!("questions.{n}.answer"),
                    q.answer.clone().unwrap_or_default(),
                );
                v.set(
                    format!("questions.{n}.asked_by"),
                    q.asked_by.clone().unwrap_or_default(),
                );
            }
        }
        Part::Meeting => {
            let m = &pm.meeting;
            v.set(
                "scheduled_for",
                m.scheduled_for
                    .map(|at| local_input(at, tz))
                    .unwrap_or_default(),
            );
            v.set(
                "moderator",
                m.moderator.as_ref().map(|p| p.as_str()).unwrap_or(""),
            );
            v.set(
                "note_taker",
                m.note_taker.as_ref().map(|p| p.as_str()).unwrap_or(""),
            );
        }
        Part::Communication => {
            let c = &pm.communication;
            v.set("channel", c.channel.clone().unwrap_or_default());
            for (n, l) in c.links.iter().enumerate() {
                v.set(format!("links.{n}.kind"), l.kind.as_str());
                v.set(format!("links.{n}.url"), l.url.to_string());
                v.set(
                    format!("links.{n}.title"),
                    l.title.clone().unwrap_or_default(),
                );
            }
        }
        Part::Commands => {
            for (n, c) in pm.commands.iter().enumerate() {
                v.set(format!("commands.{n}.description"), c.description.clone());
                v.set(format!("commands.{n}.command"), c.command.clone());
            }
        }
    }
    v
}

/// The single roles, by their form name.
fn singles(r: &Responders) -> [(&'static str, &Option<Person>); 4] {
    [
        ("commander", &r.commander),
        ("deputy", &r.deputy),
        ("scribe", &r.scribe),
        ("customer_liaison", &r.customer_liaison),
    ]
}

fn single_title(slot: &str) -> &'static str {
    match slot {
        "commander" => "Incident commander",
        "deputy" => "Deputy",
        "scribe" => "Scribe",
        _ => "Customer liaison",
    }
}

/// A whole number typed in a form: empty is "not filled in".
fn whole_number(v: &Values, field: &str, label: &str) -> Result<Option<u64>, Refusal> {
    match v.get(field).trim() {
        "" => Ok(None),
        text => text.parse().map(Some).map_err(|_| {
            refuse(
                field,
                label,
                format!("`{text}` is not a whole number: write digits only, like 0 or 1234"),
            )
        }),
    }
}

fn optional_text(
    v: &Values,
    field: &str,
    label: &str,
    max: usize,
) -> Result<Option<String>, Refusal> {
    text::optional("text", Some(v.get(field)), max)
        .map_err(|_| refuse(field, label, format!("longer than {max} characters")))
}

fn optional_line(v: &Values, field: &str, label: &str) -> Result<Option<Line>, Refusal> {
    match v.get(field).trim() {
        "" => Ok(None),
        text => Line::parse("name", text)
            .map(Some)
            .map_err(|e| refuse(field, label, line_error(e))),
    }
}

fn line_error(error: text::TextError) -> String {
    match error {
        text::TextError::Empty { .. } => "it is empty".to_owned(),
        text::TextError::TooLong { max, .. } => format!("longer than {max} characters"),
        text::TextError::NotOneLine { .. } => {
            "one line only, without line breaks or control characters".to_owned()
        }
    }
}

/// The items of a one-per-line list.
fn item_lines(v: &Values, field: &str, label: &str) -> Result<Vec<String>, Refusal> {
    v.get(field)
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .enumerate()
        .map(|(i, line)| {
            text::required("item", line, text::LONG).map_err(|_| {
                refuse(
                    field,
                    label,
                    format!("item {} is longer than {} characters", i + 1, text::LONG),
                )
            })
        })
        .collect()
}

fn person(
    v: &Values,
    name_field: &str,
    title_field: &str,
    label: &str,
) -> Result<Option<Person>, Refusal> {
    let name = v.get(name_field).trim();
    let title = v.get(title_field).trim();
    if name.is_empty() {
        if !title.is_empty() {
            return Err(refuse(
                name_field,
                label,
                "a job title needs the person's name",
            ));
        }
        return Ok(None);
    }
    let name_line =
        Line::parse("name", name).map_err(|e| refuse(name_field, label, line_error(e)))?;
    let title = text::optional("job title", Some(title), text::SHORT)
        .map_err(|e| refuse(title_field, label, e))?;
    if title
        .as_deref()
        .is_some_and(|t| t.chars().any(char::is_control))
    {
        return Err(refuse(title_field, label, "the job title must be one line"));
    }
    Ok(Some(Person {
        name: name_line,
        job_title: title,
    }))
}

/// The responders a form describes.
pub fn responders_of(v: &Values) -> Result<Responders, Refusal> {
    let mut r = Responders::default();
    for slot in ["commander", "deputy", "scribe", "customer_liaison"] {
        let p = person(
            v,
            &format!("{slot}.name"),
            &format!("{slot}.job_title"),
            single_title(slot),
        )?;
        match slot {
            "commander" => r.commander = p,
            "deputy" => r.deputy = p,
            "scribe" => r.scribe = p,
            _ => r.customer_liaison = p,
        }
    }
    for (list, label, role) in [
        ("smes", "Subject-matter expert", hindsight_core::Role::Sme),
        (
            "participants",
            "Participant",
            hindsight_core::Role::Participant,
        ),
    ] {
        for row in 0..v.count(list) {
            if v.checked(&format!("{list}.{row}.remove")) {
                continue;
            }
            if let Some(p) = person(
                v,
                &format!("{list}.{row}.name"),
                &format!("{list}.{row}.job_title"),
                &format!("{label} {}", row + 1),
            )? {
                r.assign(role, p);
            }
        }
    }
    Ok(r)
}

/// Applies what a person changed in the form (from `was` to `now`) to the responders as they
/// are (`current`): roles and people they did not touch keep whatever someone else saved.
pub fn merge_responders(current: &mut Responders, was: &Responders, now: &Responders) {
    for (slot, before, after) in [
        (&mut current.commander, &was.commander, &now.commander),
        (&mut current.deputy, &was.deputy, &now.deputy),
        (&mut current.scribe, &was.scribe, &now.scribe),
        (
            &mut current.customer_liaison,
            &was.customer_liaison,
            &now.customer_liaison,
        ),
    ] {
        if before != after {
            *slot = after.clone();
        }
    }
    merge_people(&mut current.smes, &was.smes, &now.smes);
    merge_people(
        &mut current.participants,
        &was.participants,
        &now.participants,
    );
}

fn merge_people(current: &mut Vec<Person>, was: &[Person], now: &[Person]) {
    let same = |a: &Person, b: &Person| a.name.as_str().eq_ignore_ascii_case(b.name.as_str());
    for gone in was.iter().filter(|w| !now.iter().any(|n| same(n, w))) {
        current.retain(|c| !same(c, gone));
    }
    for changed in now.iter().filter(|n| !was.contains(n)) {
        match current.iter_mut().find(|c| same(c, changed)) {
            Some(existing) => *existing = changed.clone(),
            None => current.push(changed.clone()),
        }
    }
}

/// Writes the form's values for `part` into `pm`, or says which field is wrong.
pub fn apply(part: Part, v: &Values, pm: &mut Postmortem, tz: Tz) -> Result<(), Refusal> {
    match part {
        Part::Responders => {}
        Part::Owner => pm.owner = optional_line(v, "owner", "Owner")?,
        Part::Impact => {
            let i = &mut pm.impact;
            i.notifications_out_of_sla = whole_number(
                v,
                "notifications_out_of_sla",
                "Notifications delivered out of SLA",
            )?;
            i.events_dropped = whole_number(v, "events_dropped", "Events dropped")?;
            i.accounts_affected = whole_number(v, "accounts_affected", "Accounts affected")?;
            i.users_affected = whole_number(v, "users_affected", "Users affected")?;
            i.support_requests = whole_number(v, "support_requests", "Support requests")?;
            let mut tickets = Vec::new();
            for (n, line) in v
                .get("support_tickets")
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .enumerate()
            {
                let url = text::web_url(line).map_err(|e| {
                    refuse(
                        "support_tickets",
                        &format!("Support ticket link {}", n + 1),
                        e,
                    )
                })?;
                if !tickets.contains(&url) {
                    tickets.push(url);
                }
            }
            i.support_tickets = tickets;
            let mut custom = Vec::new();
            for row in 0..v.count("custom") {
                if v.checked(&format!("custom.{row}.remove")) {
                    continue;
                }
                let label = format!("Figure {}", row + 1);
                let field = |f: &str| format!("custom.{row}.{f}");
                let name = Line::parse("name", v.get(&field("name")))
                    .map_err(|e| refuse(field("name"), &format!("{label}, name"), line_error(e)))?;
                let value: ExactNumber = v
                    .get(&field("value"))
                    .parse()
                    .map_err(|e| refuse(field("value"), &format!("{label}, value"), e))?;
                let unit =
                    optional_text(v, &field("unit"), &format!("{label}, unit"), text::SHORT)?;
                custom.push(CustomFigure { name, value, unit });
            }
            i.custom = custom;
            i.full_outage = v.checked("full_outage");
        }
        Part::Factors => {
            let mut factors = Vec::new();
            for row in 0..v.count("factors") {
                if v.checked(&format!("factors.{row}.remove")) {
                    continue;
                }
                let label = format!("Factor {}", row + 1);
                let field = |f: &str| format!("factors.{row}.{f}");
                let category: FactorCategory = v
                    .get(&field("category"))
                    .parse()
                    .map_err(|e| refuse(field("category"), &format!("{label}, category"), e))?;
                let mut factor = ContributingFactor::new(category, v.get(&field("description")))
                    .map_err(|e| {
                        refuse(
                            field("description"),
                            &format!("{label}, description"),
                            match e {
                                text::TextError::Empty { .. } => {
                                    "describe the factor (its whys alone are not enough)".to_owned()
                                }
                                other => line_error(other),
                            },
                        )
                    })?;
                factor.whys = item_lines(v, &field("whys"), &format!("{label}, 5 whys"))?;
                factor.made_worse = v.checked(&field("made_worse"));
                factors.push(factor);
            }
            pm.factors = factors;
        }
        Part::Howd => {
            let h = &mut pm.howd_we_do;
            h.went_well = item_lines(v, "went_well", "Went well")?;
            h.went_wrong = item_lines(v, "went_wrong", "Did not go well")?;
            h.got_lucky = item_lines(v, "got_lucky", "Got lucky")?;
            h.lessons = item_lines(v, "lessons", "Lessons")?;
        }
        Part::Questions => {
            let mut questions = Vec::new();
            for row in 0..v.count("questions") {
                if v.checked(&format!("questions.{row}.remove")) {
                    continue;
                }
                let label = format!("Question {}", row + 1);
                let field = |f: &str| format!("questions.{row}.{f}");
                let question = text::required("question", v.get(&field("question")), text::LONG)
                    .map_err(|e| {
                        refuse(
                            field("question"),
                            &label,
                            match e {
                                text::TextError::Empty { .. } => {
                                    "write the question itself".to_owned()
                                }
                                other => line_error(other),
                            },
                        )
                    })?;
                let answer =
                    optional_text(v, &field("answer"), &format!("{label}, answer"), text::LONG)?;
                let asked_by = optional_line(v, &field("asked_by"), &format!("{label}, asked by"))?
                    .map(|l| l.as_str().to_owned());
                questions.push(Question {
                    question,
                    answer,
                    asked_by,
                });
            }
            pm.questions = questions;
        }
        Part::Meeting => {
            let m = &mut pm.meeting;
            m.scheduled_for = match v.get("scheduled_for").trim() {
                "" => None,
                when => Some(
                    hindsight_import::local_time::parse_instant(when, tz)
                        .map_err(|e| refuse("scheduled_for", "When", e))?,
                ),
            };
            m.moderator = optional_line(v, "moderator", "Moderator")?;
            m.note_taker = optional_line(v, "note_taker", "Note-taker")?;
            if let (Some(moderator), Some(note_taker)) = (&m.moderator, &m.note_taker)
                && moderator.as_str().eq_ignore_ascii_case(note_taker.as_str())
            {
                return Err(refuse(
                    "note_taker",
                    "Note-taker",
                    format!(
                        "{moderator} is also the moderator: one person cannot do both well, name another note-taker"
                    ),
                ));
            }
        }
        Part::Communication => {
            let c = &mut pm.communication;
            c.channel =
                optional_line(v, "channel", "War-room channel")?.map(|l| l.as_str().to_owned());
            let mut links = Vec::new();
            for row in 0..v.count("links") {
                if v.checked(&format!("links.{row}.remove")) {
                    continue;
                }
                let label = format!("Link {}", row + 1);
                let field = |f: &str| format!("links.{row}.{f}");
                let kind: LinkKind = v
                    .get(&field("kind"))
                    .parse()
                    .map_err(|e| refuse(field("kind"), &format!("{label}, kind"), e))?;
                let url = match v.get(&field("url")).trim() {
                    "" => {
                        return Err(refuse(
                            field("url"),
                            &format!("{label}, address"),
                            "a link needs its address (http:// or https://)",
                        ));
                    }
                    text => text::web_url(text)
                        .map_err(|e| refuse(field("url"), &format!("{label}, address"), e))?,
                };
                let title = optional_line(v, &field("title"), &format!("{label}, title"))?
                    .map(|l| l.as_str().to_owned());
                links.push(Link { kind, url, title });
            }
            c.links = links;
        }
        Part::Commands => {
            let mut commands = Vec::new();
            for row in 0..v.count("commands") {
                if v.checked(&format!("commands.{row}.remove")) {
                    continue;
                }
                let label = format!("Command {}", row + 1);
                let field = |f: &str| format!("commands.{row}.{f}");
                let description = Line::parse("description", v.get(&field("description")))
                    .map_err(|e| {
                        refuse(
                            field("description"),
                            &format!("{label}, what it looks up"),
                            line_error(e),
                        )
                    })?;
                let command = v.get(&field("command")).trim_end().to_owned();
                let command = text::required("command", &command, text::LONG)
                    .map(|_| command.trim_start_matches(['\n', '\r']).to_owned())
                    .map_err(|e| {
                        refuse(
                            field("command"),
                            &format!("{label}, command"),
                            match e {
                                text::TextError::Empty { .. } => {
                                    "write the command or query itself".to_owned()
                                }
                                other => line_error(other),
                            },
                        )
                    })?;
                commands.push(CommandUsed {
                    description: description.as_str().to_owned(),
                    command,
                });
            }
            pm.commands = commands;
        }
    }
    Ok(())
}

/// Inputs of a form over its values; the field at fault is marked and focused.
struct Inputs<'a> {
    values: &'a Values,
    invalid: Option<&'a str>,
}

fn field_id(name: &str) -> String {
    format!("f-{}", name.replace('.', "-"))
}

impl Inputs<'_> {
    fn bad(&self, name: &str) -> bool {
        self.invalid == Some(name)
    }

    fn label(&self, name: &str, label: &str, hint: &str) -> Markup {
        html! {
            label for=(field_id(name)) {
                (label)
                @if !hint.is_empty() { span.hint { " " (hint) } }
                @if self.bad(name) { " " span.lvl-error { "— check this" } }
            }
        }
    }

    fn text(&self, name: &str, label: &str, hint: &str) -> Markup {
        self.typed(name, label, hint, "text")
    }

    fn typed(&self, name: &str, label: &str, hint: &str, kind: &str) -> Markup {
        let bad = self.bad(name);
        html! {
            div.field {
                (self.label(name, label, hint))
                input id=(field_id(name)) name=(name) type=(kind) value=(self.values.get(name))
                    aria-invalid=[bad.then_some("true")] autofocus[bad]
                    min=[(kind == "number").then_some("0")] step=[(kind == "number").then_some("1")];
            }
        }
    }

    fn area(&self, name: &str, label: &str, hint: &str, rows: u32) -> Markup {
        let bad = self.bad(name);
        html! {
            div.field {
                (self.label(name, label, hint))
                textarea id=(field_id(name)) name=(name) rows=(rows) style="min-height: auto"
                    aria-invalid=[bad.then_some("true")] autofocus[bad] { (self.values.get(name)) }
            }
        }
    }

    fn check(&self, name: &str, label: &str) -> Markup {
        html! {
            div.field {
                label { input type="checkbox" name=(name) value="true" checked[self.values.checked(name)]; " " (label) }
            }
        }
    }

    fn select(&self, name: &str, label: &str, options: &[(&str, String)]) -> Markup {
        let bad = self.bad(name);
        html! {
            div.field {
                (self.label(name, label, ""))
                select id=(field_id(name)) name=(name) aria-invalid=[bad.then_some("true")] {
                    @for (value, text) in options {
                        option value=(value) selected[self.values.get(name) == *value] { (text) }
                    }
                }
            }
        }
    }
}

/// The rows to show of `list`: those written in, then `blank` empty ones to add to.
fn shown_rows(values: &Values, list: &str, blank: usize) -> std::ops::Range<usize> {
    0..values.count(list) + blank
}

/// The "remove" box of a row that holds something; an empty cell of the same width for a row to
/// add, so the columns line up.
fn remove_cell(i: &Inputs, list: &str, row: usize) -> Markup {
    html! {
        div.field style="flex: 0 0 6.5rem; justify-content: flex-end" {
            @if row < i.values.count(list) {
                label { input type="checkbox" name={ (list) "." (row) ".remove" } value="true" checked[i.values.checked(&format!("{list}.{row}.remove"))]; " Remove" }
            }
        }
    }
}

fn people_rows(i: &Inputs, list: &str, label: &str) -> Markup {
    html! {
        @for row in shown_rows(i.values, list, BLANK_ROWS) {
            div.row {
                (i.text(&format!("{list}.{row}.name"), &format!("{label} {}", row + 1), ""))
                (i.text(&format!("{list}.{row}.job_title"), "Job title", ""))
                (remove_cell(i, list, row))
            }
        }
    }
}

/// The inputs of `part`.
fn part_fields(part: Part, i: &Inputs, record: &IncidentRecord, figures: &Figures) -> Markup {
    let names: Vec<&str> = record
        .responders
        .iter()
        .map(|(_, p)| p.name.as_str())
        .collect();
    html! {
        @match part {
            Part::Responders => {
                @for (slot, _) in singles(&record.responders) {
                    div.row {
                        (i.text(&format!("{slot}.name"), single_title(slot), ""))
                        (i.text(&format!("{slot}.job_title"), "Job title", ""))
                        div.field style="flex: 0 0 6.5rem" {}
                    }
                }
                h3 { "Subject-matter experts" }
                (people_rows(i, "smes", "Expert"))
                h3 { "Participants" }
                p.small.muted { "Everyone else who took part, with their job title (\"Engineer\", \"Support lead\")." }
                (people_rows(i, "participants", "Participant"))
                input type="hidden" name="original" value=(i.values.get("original"));
            }
            Part::Owner => {
                div.field {
                    (i.label("owner", "Owner", "a person's name; empty for nobody yet"))
                    input #f-owner name="owner" list="responder-names" value=(i.values.get("owner"))
                        aria-invalid=[i.bad("owner").then_some("true")] autofocus[i.bad("owner")];
                }
                datalist #responder-names { @for name in &names { option value=(name) {} } }
            }
            Part::Impact => {
                div.row {
                    (i.typed("notifications_out_of_sla", "Notifications delivered out of SLA", "", "number"))
                    (i.typed("events_dropped", "Events dropped or not accepted", "expected 0, but check it: enter 0 once checked; empty means not checked yet", "number"))
                }
                div.row {
                    (i.typed("accounts_affected", "Accounts affected", "", "number"))
                    (i.typed("users_affected", "Users affected", "", "number"))
                    (i.typed("support_requests", "Support requests raised", "", "number"))
                }
                (i.area("support_tickets", "Support tickets", "one link per line", 3))
                (i.check("full_outage", "Full outage: the affected services were entirely down, not degraded (only then may the external message say \"outage\")"))
                h3 { "Custom figures" }
                @for row in shown_rows(i.values, "custom", BLANK_ROWS) {
                    div.row {
                        (i.text(&format!("custom.{row}.name"), &format!("Figure {}", row + 1), "e.g. orders lost"))
                        (i.text(&format!("custom.{row}.value"), "Value", "exact, like 312 or 1520.50"))
                        (i.text(&format!("custom.{row}.unit"), "Unit", "e.g. EUR"))
                        (remove_cell(i, "custom", row))
                    }
                }
                h3 { "Time in each severity" }
                p.small.muted { "Derived from the timeline: "
                    @if figures.time_in_severity_s.is_empty() { "no severity window yet." } @else {
                        (figures.time_in_severity_s.iter().map(|(s, secs)| format!("{s} {}", human_duration(*secs))).collect::<Vec<_>>().join(", ")) "."
                    }
                }
            }
            Part::Factors => {
                @let categories: Vec<(&str, String)> = FactorCategory::ALL.iter().map(|c| (c.as_str(), c.as_str().replace('_', " "))).collect();
                @for row in shown_rows(i.values, "factors", 1) {
                    fieldset.card {
                        legend { @if row < i.values.count("factors") { "Factor " (row + 1) } @else { "Add a factor" } }
                        (i.select(&format!("factors.{row}.category"), "Category", &categories))
                        (i.area(&format!("factors.{row}.description"), "Description", "what about the system or the process let this happen", 3))
                        (i.area(&format!("factors.{row}.whys"), "5 whys", "optional: one answer per line, each asking the next why", 5))
                        div.row {
                            (i.check(&format!("factors.{row}.made_worse"), "An action during the response that made things worse"))
                            @if row < i.values.count("factors") { (i.check(&format!("factors.{row}.remove"), "Remove this factor")) }
                        }
                    }
                }
            }
            Part::Howd => {
                (i.area("went_well", "Went well", "", 4))
                (i.area("went_wrong", "Did not go well", "", 4))
                (i.area("got_lucky", "Where we got lucky", "", 4))
                (i.area("lessons", "Lessons", "", 4))
            }
            Part::Questions => {
                @for row in shown_rows(i.values, "questions", 1) {
                    fieldset.card {
                        legend { @if row < i.values.count("questions") { "Question " (row + 1) } @else { "Add a question" } }
                        (i.area(&format!("questions.{row}.question"), "Question", "", 2))
                        (i.area(&format!("questions.{row}.answer"), "Answer", "empty until known", 3))
                        div.row {
                            (i.text(&format!("questions.{row}.asked_by"), "Asked by", ""))
                            @if row < i.values.count("questions") { (i.check(&format!("questions.{row}.remove"), "Remove this question")) }
                        }
                    }
                }
            }
            Part::Meeting => {
                (i.text("scheduled_for", "When", &format!("local time in {} (2026-11-05 14:00), or RFC 3339{}", record.incident.timezone.name(),
                    figures.meeting_deadline.map(|d| format!("; due by {}", d.format("%a %Y-%m-%d"))).unwrap_or_default())))
                div.row {
                    div.field {
                        (i.label("moderator", "Moderator", ""))
                        input #f-moderator name="moderator" list="responder-names" value=(i.values.get("moderator"))
                            aria-invalid=[i.bad("moderator").then_some("true")] autofocus[i.bad("moderator")];
                    }
                    div.field {
                        (i.label("note_taker", "Note-taker", "not the moderator"))
                        input #f-note_taker name="note_taker" list="responder-names" value=(i.values.get("note_taker"))
                            aria-invalid=[i.bad("note_taker").then_some("true")] autofocus[i.bad("note_taker")];
                    }
                }
                datalist #responder-names { @for name in &names { option value=(name) {} } }
            }
            Part::Communication => {
                (i.text("channel", "War-room channel", "where the response ran, e.g. #inc-checkout; chat imports read it by default"))
                @let kinds: Vec<(&str, String)> = LinkKind::ALL.iter().map(|k| (k.as_str(), k.as_str().to_owned())).collect();
                h3 { "Links" }
                @for row in shown_rows(i.values, "links", BLANK_ROWS) {
                    div.row {
                        (i.select(&format!("links.{row}.kind"), &format!("Link {}", row + 1), &kinds))
                        (i.typed(&format!("links.{row}.url"), "Address", "http(s)", "url"))
                        (i.text(&format!("links.{row}.title"), "Title", ""))
                        (remove_cell(i, "links", row))
                    }
                }
            }
            Part::Commands => {
                @for row in shown_rows(i.values, "commands", 1) {
                    fieldset.card {
                        legend { @if row < i.values.count("commands") { "Command " (row + 1) } @else { "Add a command" } }
                        (i.text(&format!("commands.{row}.description"), "What it looks up", ""))
                        (i.area(&format!("commands.{row}.command"), "Command or query", "", 3))
                        @if row < i.values.count("commands") { (i.check(&format!("commands.{row}.remove"), "Remove this command")) }
                    }
                }
            }
        }
    }
}

fn person_line(p: &Option<Person>) -> Markup {
    html! {
        @match p { Some(p) => { (p.to_string()) } None => { span.muted { "nobody named" } } }
    }
}

fn number_shown(n: Option<u64>) -> Markup {
    html! { @match n { Some(n) => { (n) } None => { span.muted { "not filled in" } } } }
}

fn item_list(items: &[String]) -> Markup {
    html! {
        @if items.is_empty() { span.muted { "nothing yet" } } @else { ul { @for item in items { li { (item) } } } }
    }
}

/// `part` of `record` as a reader sees it: the document page, and what is saved now when a save
/// is refused.
fn summary(part: Part, record: &IncidentRecord, figures: &Figures) -> Markup {
    let pm = &record.postmortem;
    let tz = record.incident.timezone;
    html! {
        @match part {
            Part::Responders => {
                @let r = &record.responders;
                dl.figures {
                    @for (slot, p) in singles(r) { dt { (single_title(slot)) } dd { (person_line(p)) } }
                    dt { "Subject-matter experts" } dd { @if r.smes.is_empty() { span.muted { "none named" } } @else { (r.smes.iter().map(|p| p.to_string()).collect::<Vec<_>>().join("; ")) } }
                    dt { "Participants" } dd { @if r.participants.is_empty() { span.muted { "none named" } } @else { (r.participants.iter().map(|p| p.to_string()).collect::<Vec<_>>().join("; ")) } }
                }
            }
            Part::Owner => {
                p { @match &pm.owner { Some(o) => { (o.as_str()) } None => { span.lvl-warning { "not designated" } } } }
            }
            Part::Impact => {
                @let i = &pm.impact;
                dl.figures {
                    dt { "Out-of-SLA notifications" } dd { (number_shown(i.notifications_out_of_sla)) }
                    dt { "Events dropped" } dd { @match i.events_dropped { Some(0) => { "0 (checked)" } Some(n) => { (n) } None => { span.lvl-warning { "not checked yet" } } } }
                    dt { "Accounts affected" } dd { (number_shown(i.accounts_affected)) }
                    dt { "Users affected" } dd { (number_shown(i.users_affected)) }
                    dt { "Support requests" } dd { (number_shown(i.support_requests))
                        @for (n, t) in i.support_tickets.iter().enumerate() { " " a href=(t) rel="noopener noreferrer nofollow" { "ticket " (n + 1) } } }
                    @for c in &i.custom { dt { (c.name.as_str()) } dd { (c.value) @if let Some(u) = &c.unit { " " (u) } } }
                    dt { "Full outage" } dd { @if i.full_outage { "yes" } @else { "no (degraded)" } }
                    @for (s, secs) in &figures.time_in_severity_s { dt { "In " (s) } dd { (human_duration(*secs)) } }
                }
            }
            Part::Factors => {
                @if pm.factors.is_empty() { p.muted { "No contributing factor yet." } } @else {
                    ol { @for f in &pm.factors { li {
                        span.badge { (f.category.as_str().replace('_', " ")) }
                        @if f.made_worse { " " span.badge.lvl-warning { "made things worse" } }
                        div.prose style="white-space: pre-wrap" { (f.description) }
                        @if !f.whys.is_empty() { ol.small { @for why in &f.whys { li { "Why? " (why) } } } }
                    } } }
                }
            }
            Part::Howd => {
                @let h = &pm.howd_we_do;
                h4 { "Went well" } (item_list(&h.went_well))
                h4 { "Did not go well" } (item_list(&h.went_wrong))
                h4 { "Where we got lucky" } (item_list(&h.got_lucky))
                h4 { "Lessons" } (item_list(&h.lessons))
            }
            Part::Questions => {
                @if pm.questions.is_empty() { p.muted { "No question yet." } } @else {
                    ol { @for q in &pm.questions { li {
                        strong { (q.question) } @if let Some(who) = &q.asked_by { span.small.muted { " — asked by " (who) } }
                        br;
                        @match &q.answer { Some(a) => { span style="white-space: pre-wrap" { (a) } } None => { span.lvl-warning { "not answered yet" } } }
                    } } }
                }
            }
            Part::Meeting => {
                @let m = &pm.meeting;
                dl.figures {
                    dt { "When" } dd { @match m.scheduled_for { Some(at) => { (shown_time(at, tz)) } None => { span.lvl-warning { "not scheduled" } } } }
                    dt { "Due by" } dd { (figures.meeting_deadline.map(|d| d.format("%a %Y-%m-%d").to_string()).unwrap_or_else(|| "set once resolved".to_owned())) }
                    dt { "Moderator" } dd { (m.moderator.as_ref().map(|p| p.as_str()).unwrap_or("—")) }
                    dt { "Note-taker" } dd { (m.note_taker.as_ref().map(|p| p.as_str()).unwrap_or("—")) }
                }
            }
            Part::Communication => {
                @let c = &pm.communication;
                p { "War room: " @match &c.channel { Some(ch) => { code { (ch) } } None => { span.muted { "not named" } } } }
                @if !c.links.is_empty() { ul { @for l in &c.links { li {
                    span.small.muted { (l.kind.as_str()) ": " }
                    a href=(l.url) rel="noopener noreferrer nofollow" { (l.title.as_deref().unwrap_or(l.url.as_str())) }
                } } } }
            }
            Part::Commands => {
                @if pm.commands.is_empty() { p.muted { "No command recorded." } } @else {
                    @for c in &pm.commands { p { (c.description) } pre { code { (c.command) } } }
                }
            }
        }
    }
}

fn figures_of(state: &AppState, record: &IncidentRecord) -> Figures {
    record.figures(&state.app.policy().meeting, state.app.now())
}

fn breadcrumbs(record: &IncidentRecord, last: Markup) -> Markup {
    let key = record.incident.key;
    html! {
        div.actions-bar.small.muted {
            a href="/" { "Incidents" } " / " a href={ "/incidents/" (key) } { (key) } " / "
            a href={ "/incidents/" (key) "/document" } { "document" } " / " (last)
        }
    }
}

/// Every part of the document as a reader sees it, each with a link to its form.
pub async fn document_page(
    State(state): State<AppState>,
    caller: Caller,
    Path(key): Path<String>,
    Query(query): Query<DoneQuery>,
) -> Result<Response, PageError> {
    let user = match signed_in(&caller, &format!("/incidents/{key}/document")) {
        Ok(user) => user,
        Err(redirect) => return Ok(redirect),
    };
    let record = visible(&state, &user, &key).await?;
    let figures = figures_of(&state, &record);
    let key = record.incident.key;
    let base = format!("/incidents/{key}");
    let can_edit = user.role.can_edit();
    let body = html! {
        (flash(notice(query.done.as_deref()), None))
        div.actions-bar.small.muted { a href="/" { "Incidents" } " / " a href=(base) { (key) } " / document" }
        h1 { "The document of " (key) ": " (record.incident.title.as_str()) }
        p.muted { "Every part of the post-mortem beyond its sections, which are edited on "
            a href={ (base) "#document" } { "the incident's page" } "." }
        div.grid {
            div {
                @for part in Part::ALL {
                    section.card id=(part.slug()) {
                        div.section-head {
                            h2 style="margin-top: 0" { (part.title()) }
                            @if can_edit { a href={ (base) "/document/" (part.slug()) } { "Edit" } }
                        }
                        (summary(part, &record, &figures))
                    }
                }
            }
            aside {
                @for kind in MessageKind::ALL {
                    section.card id={ "message-" (kind.as_str()) } {
                        div.section-head {
                            h2 style="margin-top: 0" { (message_title(*kind)) }
                            @if can_edit { a href={ (base) "/messages/" (kind.as_str()) } { "Edit" } }
                        }
                        @match record.postmortem.messages.get(*kind) {
                            Some(text) => { pre.small style="white-space: pre-wrap" { (text) } }
                            None => { p.muted { "Not written yet." @if can_edit { " Start from a draft written from the document." } } }
                        }
                    }
                }
                section.card {
                    h2 { "Chat imports" }
                    p { a href={ (base) "/proposals" } { "Review the proposals of chat imports" } }
                }
            }
        }
    };
    Ok(page(&format!("The document of {key}"), &caller, body).into_response())
}

fn message_title(kind: MessageKind) -> &'static str {
    match kind {
        MessageKind::Internal => "Internal e-mail",
        MessageKind::External => "External status-page message",
    }
}

/// What a form page shows besides its values.
struct FormPage<'a> {
    part: Part,
    values: &'a Values,
    invalid: Option<&'a str>,
    /// A refusal, in words.
    error: Option<&'a str>,
    /// When a save was refused because someone saved first: what is saved now.
    conflict: Option<Markup>,
    status: StatusCode,
}

fn form_view(
    caller: &Caller,
    record: &IncidentRecord,
    figures: &Figures,
    form: FormPage<'_>,
) -> Response {
    let key = record.incident.key;
    let part = form.part;
    let inputs = Inputs {
        values: form.values,
        invalid: form.invalid,
    };
    let body = html! {
        (breadcrumbs(record, html! { (part.title()) }))
        h1 { (part.title()) }
        (flash(None, form.error))
        @if let Some(saved) = &form.conflict {
            section.card #saved-now {
                h2 { "What is saved now" }
                (saved)
            }
        }
        p.muted { (part.help()) }
        section.card {
            form method="post" action={ "/incidents/" (key) "/document/" (part.slug()) } {
                (csrf(caller))
                @if part != Part::Responders {
                    input type="hidden" name="version" value=(form.values.get("version"));
                }
                (part_fields(part, &inputs, record, figures))
                div.actions-bar {
                    button type="submit" { "Save" }
                    a href={ "/incidents/" (key) "/document#" (part.slug()) } { "Cancel" }
                }
            }
        }
    };
    (
        form.status,
        page(&format!("{key}: {}", part.title()), caller, body),
    )
        .into_response()
}

/// The form of one part of the document.
pub async fn part_page(
    State(state): State<AppState>,
    caller: Caller,
    Path((key, part)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let user = match signed_in(&caller, &format!("/incidents/{key}/document/{part}")) {
        Ok(user) => user,
        Err(redirect) => return Ok(redirect),
    };
    caller.page_require(AccountRole::Editor)?;
    let part = Part::parse(&part)?;
    let record = visible(&state, &user, &key).await?;
    let figures = figures_of(&state, &record);
    let values = values_of(part, &record);
    Ok(form_view(
        &caller,
        &record,
        &figures,
        FormPage {
            part,
            values: &values,
            invalid: None,
            error: None,
            conflict: None,
            status: StatusCode::OK,
        },
    ))
}

/// Where a saved form goes: the document page, at the part.
fn saved(key: hindsight_core::IncidentKey, anchor: &str) -> Response {
    Redirect::to(&format!("/incidents/{key}/document?done=saved#{anchor}")).into_response()
}

/// Saves one part of the document from its form.
pub async fn save_part(
    State(state): State<AppState>,
    caller: Caller,
    Path((key, part)): Path<(String, String)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let values = Values::from_pairs(pairs);
    let user = caller
        .page_require_form(AccountRole::Editor, values.get("csrf"))?
        .clone();
    let part = Part::parse(&part)?;
    let values = part.tidy(values);
    let record = visible(&state, &user, &key).await?;
    let figures = figures_of(&state, &record);
    let refused = |refusal: &Refusal, status: StatusCode| {
        form_view(
            &caller,
            &record,
            &figures,
            FormPage {
                part,
                values: &values,
                invalid: Some(&refusal.field),
                error: Some(&refusal.message),
                conflict: None,
                status,
            },
        )
    };
    if part == Part::Responders {
        return save_responders(&state, &user, &record, &values)
            .await
            .map(|()| saved(record.incident.key, part.slug()))
            .or_else(|refusal| match refusal {
                Ok(refusal) => Ok(refused(&refusal, StatusCode::BAD_REQUEST)),
                Err(e) => Err(e),
            });
    }
    let Ok(version) = values.get("version").trim().parse::<u64>() else {
        return Ok(refused(
            &Refusal {
                field: "version".into(),
                message: "this form does not say which version of the post-mortem it edits: reload the page and make the change again".into(),
            },
            StatusCode::BAD_REQUEST,
        ));
    };
    let mut postmortem = record.postmortem.clone();
    if let Err(refusal) = apply(part, &values, &mut postmortem, record.incident.timezone) {
        return Ok(refused(&refusal, StatusCode::BAD_REQUEST));
    }
    let app = app_for(&state, &user);
    let incident_key = record.incident.key;
    let result = blocking(move || {
        Ok::<_, ApiError>(app.save_postmortem_at(incident_key, version, &postmortem, part.change()))
    })
    .await?;
    match result.map_err(ApiError::from) {
        Ok(_) => Ok(saved(incident_key, part.slug())),
        Err(e) if e.status == StatusCode::CONFLICT => {
            let now = visible(&state, &user, &key).await?;
            let now_figures = figures_of(&state, &now);
            let mut kept = values.clone();
            kept.set("version", now.postmortem_version.to_string());
            let message = conflict_message(part.title(), &now);
            Ok(form_view(
                &caller,
                &now,
                &now_figures,
                FormPage {
                    part,
                    values: &kept,
                    invalid: None,
                    error: Some(&message),
                    conflict: Some(summary(part, &now, &now_figures)),
                    status: StatusCode::CONFLICT,
                },
            ))
        }
        Err(e) if e.status == StatusCode::BAD_REQUEST => Ok(refused(
            &Refusal {
                field: e.body.field.clone().unwrap_or_default(),
                message: e.body.message.clone(),
            },
            StatusCode::BAD_REQUEST,
        )),
        Err(e) => Err(e.into()),
    }
}

fn conflict_message(what: &str, now: &IncidentRecord) -> String {
    format!(
        "Not saved: someone else saved this post-mortem (it is now at version {}) since you opened this form. Your input is still in the form below, and what is saved now is shown above it. Compare them, keep what you need, and save again to replace the {} with what the form says.",
        now.postmortem_version,
        what.to_lowercase()
    )
}

/// Saves the responders from their form: `Ok(Err(refusal))` is a form to show again.
async fn save_responders(
    state: &AppState,
    user: &User,
    record: &IncidentRecord,
    values: &Values,
) -> Result<(), Result<Refusal, PageError>> {
    let was: RespondersJson = serde_json::from_str(values.get("original")).map_err(|_| {
        Ok(Refusal {
            field: "original".into(),
            message:
                "this form does not say what it showed: reload the page and make the change again"
                    .into(),
        })
    })?;
    let was = was.to_domain().map_err(|e| {
        Ok(Refusal {
            field: "original".into(),
            message: format!("this form is damaged ({}): reload the page", e.body.message),
        })
    })?;
    let now = responders_of(values).map_err(Ok)?;
    if was == now {
        return Ok(());
    }
    let app = app_for(state, user);
    let key = record.incident.key;
    blocking(move || {
        Ok::<_, PageError>(
            app.edit_responders(key, Part::Responders.change(), |current| {
                merge_responders(current, &was, &now)
            })?,
        )
    })
    .await
    .map(drop)
    .map_err(Err)
}

/// The blameless-language findings of a message, for the page.
fn findings_list(findings: &[BlameFinding]) -> Markup {
    html! {
        @if findings.is_empty() { p.muted { "The blameless-language check finds nothing to reword." } } @else {
            p.small.muted { (findings.len()) " sentence" @if findings.len() != 1 { "s" } " to reword (the readiness check lists them too):" }
            ul.findings { @for f in findings { li {
                span.lvl-warning { "Reword" } " " span.rule { "[" (f.rule) "]" } br;
                "“" (f.sentence) "” — " (f.message) br;
                span.small.muted { "Try: " (f.suggestion) }
            } } }
        }
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct MessageForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    version: String,
    #[serde(default)]
    text: String,
    /// `save` or `draft`.
    #[serde(default)]
    intent: String,
}

struct MessagePage<'a> {
    kind: MessageKind,
    text: &'a str,
    version: u64,
    ok: Option<&'a str>,
    error: Option<&'a str>,
    /// What is saved now, when a save was refused because someone saved first.
    saved_now: Option<Option<&'a str>>,
    status: StatusCode,
}

fn message_view(caller: &Caller, record: &IncidentRecord, view: MessagePage<'_>) -> Response {
    let key = record.incident.key;
    let kind = view.kind;
    let findings = message_findings(record, view.text);
    let body = html! {
        (breadcrumbs(record, html! { (message_title(kind)) }))
        h1 { (message_title(kind)) }
        (flash(view.ok, view.error))
        @if let Some(saved) = view.saved_now {
            section.card #saved-now {
                h2 { "What is saved now" }
                @match saved { Some(text) => { pre style="white-space: pre-wrap" { (text) } } None => { p.muted { "No message." } } }
            }
        }
        p.muted { @match kind {
            MessageKind::Internal => "A short paragraph and the link, sent to stakeholders right after the meeting.",
            MessageKind::External => "For the status page: what happened, what we are doing about it, and a genuine apology. Reviewed in the meeting, then published by the customer liaison.",
        } }
        section.card {
            form method="post" action={ "/incidents/" (key) "/messages/" (kind.as_str()) } {
                (csrf(caller))
                input type="hidden" name="version" value=(view.version);
                div.field { label for="text" { "Message" span.hint { " empty removes it" } } textarea #text name="text" { (view.text) } }
                div.actions-bar {
                    button type="submit" name="intent" value="save" { "Save" }
                    button.secondary type="submit" name="intent" value="draft" { "Draft from the document" }
                    a href={ "/incidents/" (key) "/document#message-" (kind.as_str()) } { "Cancel" }
                }
                p.small.muted { "A draft replaces the text in the form with one written from the document; nothing is saved until you save." }
            }
        }
        section.card #findings {
            h2 { "Blameless language" }
            (findings_list(&findings))
        }
    };
    (
        view.status,
        page(&format!("{key}: {}", message_title(kind)), caller, body),
    )
        .into_response()
}

pub async fn message_page(
    State(state): State<AppState>,
    caller: Caller,
    Path((key, kind)): Path<(String, String)>,
    Query(query): Query<DoneQuery>,
) -> Result<Response, PageError> {
    let user = match signed_in(&caller, &format!("/incidents/{key}/messages/{kind}")) {
        Ok(user) => user,
        Err(redirect) => return Ok(redirect),
    };
    caller.page_require(AccountRole::Editor)?;
    let kind = message_kind(&kind)?;
    let record = visible(&state, &user, &key).await?;
    let text = record
        .postmortem
        .messages
        .get(kind)
        .unwrap_or("")
        .to_owned();
    Ok(message_view(
        &caller,
        &record,
        MessagePage {
            kind,
            text: &text,
            version: record.postmortem_version,
            ok: notice(query.done.as_deref()),
            error: None,
            saved_now: None,
            status: StatusCode::OK,
        },
    ))
}

/// Drafts a message from the document into the form, or saves the form's message at the version
/// it was opened at.
pub async fn save_message(
    State(state): State<AppState>,
    caller: Caller,
    Path((key, kind)): Path<(String, String)>,
    Form(form): Form<MessageForm>,
) -> Result<Response, PageError> {
    let user = caller
        .page_require_form(AccountRole::Editor, &form.csrf)?
        .clone();
    let kind = message_kind(&kind)?;
    let record = visible(&state, &user, &key).await?;
    let incident_key = record.incident.key;
    let Ok(version) = form.version.trim().parse::<u64>() else {
        return Ok(message_view(
            &caller,
            &record,
            MessagePage {
                kind,
                text: &form.text,
                version: record.postmortem_version,
                ok: None,
                error: Some(
                    "This form does not say which version of the post-mortem it edits: check the text below and save again.",
                ),
                saved_now: None,
                status: StatusCode::BAD_REQUEST,
            },
        ));
    };
    let app = app_for(&state, &user);
    if form.intent == "draft" {
        let link = postmortem_link(&state, incident_key);
        let draft = blocking(move || {
            Ok::<_, PageError>(app.draft_message(incident_key, kind, link.as_deref())?)
        })
        .await?;
        return Ok(message_view(
            &caller,
            &record,
            MessagePage {
                kind,
                text: &draft,
                version,
                ok: Some(
                    "A first draft from the document is in the form. Edit it, then save: nothing is saved yet.",
                ),
                error: None,
                saved_now: None,
                status: StatusCode::OK,
            },
        ));
    }
    let text = form.text.clone();
    let saving = record.clone();
    let result =
        blocking(move || Ok::<_, PageError>(save_message_at(&app, &saving, version, kind, &text)))
            .await?;
    match result {
        Ok(_) => Ok(Redirect::to(&format!(
            "/incidents/{incident_key}/messages/{}?done=saved",
            kind.as_str()
        ))
        .into_response()),
        Err(e) if e.status == StatusCode::CONFLICT => {
            let now = visible(&state, &user, &key).await?;
            let message = conflict_message(message_title(kind), &now);
            Ok(message_view(
                &caller,
                &now,
                MessagePage {
                    kind,
                    text: &form.text,
                    version: now.postmortem_version,
                    ok: None,
                    error: Some(&message),
                    saved_now: Some(now.postmortem.messages.get(kind)),
                    status: StatusCode::CONFLICT,
                },
            ))
        }
        Err(e) if e.status == StatusCode::BAD_REQUEST => Ok(message_view(
            &caller,
            &record,
            MessagePage {
                kind,
                text: &form.text,
                version,
                ok: None,
                error: Some(&e.body.message),
                saved_now: None,
                status: StatusCode::BAD_REQUEST,
            },
        )),
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(name: &str, title: &str) -> Person {
        Person::new(name, Some(title)).unwrap()
    }

    #[test]
    fn rows_are_renumbered_and_empty_ones_dropped() {
        let mut v = Values::from_pairs(vec![
            ("factors.0.category".into(), "technical".into()),
            ("factors.0.description".into(), "".into()),
            ("factors.3.category".into(), "process".into()),
            ("factors.3.description".into(), "No canary".into()),
            ("factors.7.whys".into(), "Because".into()),
        ]);
        v.compact("factors", &["description", "whys"]);
        assert_eq!(v.count("factors"), 2);
        assert_eq!(v.row("factors", 0, "category"), "process");
        assert_eq!(v.row("factors", 1, "whys"), "Because");
    }

    #[test]
    fn a_form_saves_what_it_shows() {
        let mut record = sample();
        record.postmortem.impact.events_dropped = Some(0);
        record.postmortem.impact.custom.push(CustomFigure {
            name: Line::parse("name", "orders lost").unwrap(),
            value: "312".parse().unwrap(),
            unit: None,
        });
        record.postmortem.factors.push(ContributingFactor {
            category: FactorCategory::Process,
            description: "No canary\nfor config".into(),
            whys: vec!["Because".into(), "And because".into()],
            made_worse: true,
        });
        record.postmortem.meeting.moderator = Some(Line::parse("m", "Ana").unwrap());
        for part in Part::ALL {
            let values = part.tidy(values_of(part, &record));
            let mut pm = record.postmortem.clone();
            apply(part, &values, &mut pm, record.incident.timezone).unwrap();
            assert_eq!(pm, record.postmortem, "{part:?}");
        }
        let values = values_of(Part::Responders, &record);
        assert_eq!(responders_of(&values).unwrap(), record.responders);
    }

    fn sample() -> IncidentRecord {
        let incident = hindsight_core::Incident {
            key: "INC-1".parse().unwrap(),
            title: Line::parse("t", "Checkout 502s").unwrap(),
            severity: hindsight_core::Severity::ALL[1],
            services: vec![],
            timezone: chrono_tz::Europe::Paris,
            private: false,
            created_at: Utc::now(),
        };
        let mut record = IncidentRecord {
            incident,
            responders: Responders::default(),
            timeline: vec![],
            postmortem: Postmortem::new("pagerduty"),
            postmortem_version: 1,
            actions: vec![],
        };
        record.responders.commander = Some(person("Ana", "SRE"));
        record.responders.smes.push(person("Bo", "DBA"));
        record
    }

    #[test]
    fn the_same_person_cannot_moderate_and_take_notes() {
        let mut v = Values::default();
        v.set("moderator", "Ana Lima");
        v.set("note_taker", "ana lima");
        let mut pm = Postmortem::new("pagerduty");
        let refusal = apply(Part::Meeting, &v, &mut pm, chrono_tz::UTC).unwrap_err();
        assert_eq!(refusal.field, "note_taker");
        assert!(refusal.message.contains("also the moderator"));
    }

    #[test]
    fn a_change_of_responders_keeps_what_others_changed_meanwhile() {
        let was = Responders {
            commander: Some(person("Ana", "SRE")),
            participants: vec![person("Cy", "Support")],
            ..Responders::default()
        };
        // Someone else named a scribe and a participant meanwhile.
        let mut current = was.clone();
        current.scribe = Some(person("Di", "Engineer"));
        current.participants.push(person("Ed", "Engineer"));
        // This form removed Cy and changed the commander.
        let now = Responders {
            commander: Some(person("Bo", "SRE")),
            ..Responders::default()
        };
        merge_responders(&mut current, &was, &now);
        assert_eq!(current.commander, Some(person("Bo", "SRE")));
        assert_eq!(current.scribe, Some(person("Di", "Engineer")));
        assert_eq!(current.participants, vec![person("Ed", "Engineer")]);
    }

    #[test]
    fn bad_numbers_and_links_name_their_field() {
        let mut v = Values::default();
        v.set("events_dropped", "a few");
        let mut pm = Postmortem::new("pagerduty");
        let refusal = apply(Part::Impact, &v, &mut pm, chrono_tz::UTC).unwrap_err();
        assert_eq!(refusal.field, "events_dropped");
        assert!(refusal.message.starts_with("Events dropped:"));
        let mut v = Values::default();
        v.set(
            "support_tickets",
            "https://t.example/1\njavascript:alert(1)",
        );
        let refusal = apply(Part::Impact, &v, &mut pm, chrono_tz::UTC).unwrap_err();
        assert_eq!(refusal.field, "support_tickets");
        assert!(refusal.message.starts_with("Support ticket link 2:"));
    }
}
