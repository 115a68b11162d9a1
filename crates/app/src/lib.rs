//! The use cases of hindsight, written once over a [`Store`] and a [`Clock`] so that the CLI, the
//! web pages and the API do the same thing the same way.
//!
//! - Edits are read-modify-write: a use case reads the current value, applies the caller's
//!   change and saves. The post-mortem document is versioned, so an edit that meets a concurrent
//!   save is applied again to the newer document instead of overwriting it; responders are
//!   changed inside the store's write.
//! - Every change is followed by a revision: a snapshot of the whole post-mortem in the JSON
//!   document format, with who made the change and what it was. The revision is written right
//!   after the change, in its own transaction: a crash in between loses that entry of the
//!   history (the next snapshot still shows the change), never the change itself.

mod error;
mod intake;

pub use error::{AppError, AppResult};
pub use intake::ProposalReport;

use chrono::{DateTime, Utc};
use hindsight_core::{
    ActionId, ActionItem, Clock, EventId, Figures, Incident, IncidentKey, IncidentRecord,
    IncidentStatus, MeetingPolicy, MessageKind, NewActionItem, NewIncident, NewTimelineEvent,
    Postmortem, PostmortemStatus, Responders, Template, TimelineEvent,
    exchange::PostmortemDocument,
    lifecycle::{self, Gate},
    lint::{BlameFinding, blame_findings},
    postmortem::after_incident_checklists,
    readiness::{self, Level, ReadinessFinding, ReadinessPolicy},
};
use hindsight_import::timeline_csv;
use hindsight_render::{drafts, html, markdown};
use hindsight_store::{RevisionSummary, Store, StoreError};
use std::{io::Read, sync::Arc};
use tracing::{info, instrument};

/// What the team configured for its process.
#[derive(Debug, Clone, Default)]
pub struct Policy {
    pub meeting: MeetingPolicy,
    pub readiness: ReadinessPolicy,
    /// The team's own templates, beside the built-in ones.
    pub templates: Vec<Template>,
}

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportReport {
    pub added: Vec<TimelineEvent>,
    /// Events already on the timeline (or repeated in the file), not added again.
    pub duplicates: usize,
    /// What looks wrong in the timeline as it now stands, for the person importing.
    pub warnings: Vec<String>,
}

/// The formats a post-mortem is exported in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// GitHub-flavoured Markdown.
    Markdown,
    /// One standalone, sanitised HTML page.
    Html,
    /// The versioned JSON document format (`hindsight.postmortem`).
    Json,
}

/// The application: every use case, over injected storage and time, on behalf of one person.
#[derive(Debug, Clone)]
pub struct Hindsight {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    policy: Policy,
    /// Who the changes are made by, as the revision history names them.
    actor: String,
}

/// How many times an edit is re-applied when the document changes under it.
const EDIT_ATTEMPTS: usize = 5;

impl Hindsight {
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>, policy: Policy) -> Self {
        Hindsight {
            store,
            clock,
            policy,
            actor: "hindsight".to_owned(),
        }
    }

    /// The same application, making changes on behalf of `actor`.
    pub fn acting_as(&self, actor: &str) -> Hindsight {
        Hindsight {
            actor: actor.trim().to_owned(),
            ..self.clone()
        }
    }

    pub fn store(&self) -> &dyn Store {
        &*self.store
    }

    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// Every template this instance knows: the built-in ones, then the team's.
    pub fn templates(&self) -> Vec<Template> {
        let mut all = Template::built_in();
        all.extend(self.policy.templates.iter().cloned());
        all
    }

    /// Finds a template by name among those this instance knows.
    pub fn template(&self, name: &str) -> AppResult<Template> {
        let all = self.templates();
        let known = all
            .iter()
            .map(|t| t.name.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        all.iter()
            .find(|t| t.name.eq_ignore_ascii_case(name))
            .cloned()
            .ok_or_else(|| AppError::UnknownTemplate {
                given: name.to_owned(),
                known,
            })
    }

    /// Records a revision of the post-mortem as it now stands.
    pub(crate) fn revise(&self, key: IncidentKey, summary: &str) -> AppResult<()> {
        self.revised(key, summary).map(drop)
    }

    /// Records a revision and returns the record it is a snapshot of, for what follows the
    /// change to read without reading it again.
    pub(crate) fn revised(&self, key: IncidentKey, summary: &str) -> AppResult<IncidentRecord> {
        let record = self.store.record(key)?;
        let document = PostmortemDocument::from_record(&record).to_json();
        let number = self
            .store
            .add_revision(key, &self.actor, self.now(), summary, &document)?;
        info!(incident.key = %key, revision = number, "{key} revision {number} by {}: {summary}", self.actor);
        Ok(record)
    }

    #[instrument(skip_all)]
    pub fn create_incident(&self, mut new: NewIncident) -> AppResult<Incident> {
        new.template = self.template(&new.template)?.name;
        let incident = self.store.create_incident(&new, self.now())?;
        self.revise(
            incident.key,
            &format!("opened {} at {}", incident.key, incident.severity),
        )?;
        Ok(incident)
    }

    pub fn incident(&self, key: IncidentKey) -> AppResult<Incident> {
        Ok(self.store.incident(key)?)
    }

    pub fn list_incidents(&self, limit: u32) -> AppResult<Vec<Incident>> {
        Ok(self.store.list_incidents(limit)?)
    }

    pub fn record(&self, key: IncidentKey) -> AppResult<IncidentRecord> {
        Ok(self.store.record(key)?)
    }

    /// The record with every derived figure.
    pub fn figures(&self, key: IncidentKey) -> AppResult<(IncidentRecord, Figures)> {
        let record = self.record(key)?;
        let figures = record.figures(&self.policy.meeting, self.now());
        Ok((record, figures))
    }

    /// The readiness check of the post-mortem: errors first, then warnings.
    pub fn check(
        &self,
        key: IncidentKey,
    ) -> AppResult<(IncidentRecord, Figures, Vec<ReadinessFinding>)> {
        let (record, figures) = self.figures(key)?;
        let template = self.template(&record.postmortem.template)?;
        let findings = readiness::check(&record, &figures, &template, &self.policy.readiness);
        Ok((record, figures, findings))
    }

    /// Changes the incident's own fields.
    pub fn edit_incident(
        &self,
        key: IncidentKey,
        change: impl FnOnce(&mut Incident) -> AppResult<()>,
    ) -> AppResult<Incident> {
        let mut incident = self.store.incident(key)?;
        change(&mut incident)?;
        self.store.update_incident(&incident)?;
        self.revise(
            key,
            "changed the incident's title, severity, services or timezone",
        )?;
        Ok(incident)
    }

    /// Reads a timeline CSV (local times in the incident's timezone) and adds its events, all or
    /// none. Events already on the timeline are skipped, so importing a file twice adds nothing.
    #[instrument(skip_all, fields(incident.key = %key))]
    pub fn import_timeline_csv(
        &self,
        key: IncidentKey,
        input: impl Read,
        file: &str,
    ) -> AppResult<ImportReport> {
        let timezone = self.store.incident(key)?.timezone;
        let events = timeline_csv::parse(input, timezone).map_err(|error| AppError::Csv {
            file: file.to_owned(),
            error,
        })?;
        let total = events.len();
        // The store skips events already on the timeline (or repeated in the file) inside its
        // transaction, where a concurrent import cannot slip in between.
        let added = self.store.add_timeline_events(key, &events, self.now())?;
        let duplicates = total - added.len();
        if !added.is_empty() {
            let record =
                self.revised(key, &format!("imported {} events from {file}", added.len()))?;
            self.after_timeline_change_of(key, &record)?;
        }
        let (_, figures) = self.figures(key)?;
        Ok(ImportReport {
            added,
            duplicates,
            warnings: timeline_warnings(&figures),
        })
    }

    /// Adds one event, unless the timeline already has it.
    pub fn add_event(
        &self,
        key: IncidentKey,
        event: NewTimelineEvent,
    ) -> AppResult<Option<TimelineEvent>> {
        let mut added = self.store.add_timeline_events(key, &[event], self.now())?;
        let Some(event) = added.pop() else {
            return Ok(None);
        };
        let record = self.revised(
            key,
            &format!("added the {} event {}", event.kind(), event.id),
        )?;
        self.after_timeline_change_of(key, &record)?;
        Ok(Some(event))
    }

    /// Changes one event of the timeline.
    pub fn edit_event(
        &self,
        key: IncidentKey,
        id: EventId,
        change: impl FnOnce(&mut TimelineEvent) -> AppResult<()>,
    ) -> AppResult<TimelineEvent> {
        let record = self.store.record(key)?;
        let mut event = record
            .timeline
            .into_iter()
            .find(|e| e.id == id)
            .ok_or(StoreError::EventNotFound { key, id })?;
        change(&mut event)?;
        self.store.update_timeline_event(key, &event)?;
        let record = self.revised(key, &format!("changed event {id}"))?;
        self.after_timeline_change_of(key, &record)?;
        Ok(event)
    }

    pub fn remove_event(&self, key: IncidentKey, id: EventId) -> AppResult<()> {
        self.store.delete_timeline_event(key, id)?;
        self.revise(key, &format!("removed event {id}"))
    }

    /// Resolving an incident gives each role its after-incident checklist, once.
    pub(crate) fn after_timeline_change(&self, key: IncidentKey) -> AppResult<()> {
        let record = self.store.record(key)?;
        self.after_timeline_change_of(key, &record)
    }

    /// The same, from a record read since the change (a concurrent resolution makes its own
    /// checklists; the edit below checks again that there are none).
    pub(crate) fn after_timeline_change_of(
        &self,
        key: IncidentKey,
        record: &IncidentRecord,
    ) -> AppResult<()> {
        if record.status() == IncidentStatus::Resolved && record.postmortem.checklists.is_empty() {
            self.edit_postmortem(key, "resolved: each role's checklist created", |pm| {
                if pm.checklists.is_empty() {
                    pm.checklists = after_incident_checklists();
                }
                Ok(())
            })?;
        }
        Ok(())
    }

    /// Changes who held which role, on the current value inside the store's write.
    pub fn edit_responders(
        &self,
        key: IncidentKey,
        what: &str,
        mut change: impl FnMut(&mut Responders),
    ) -> AppResult<Responders> {
        let responders = self.store.edit_responders(key, &mut change)?;
        self.revise(key, what)?;
        Ok(responders)
    }

    /// Applies `change` to the latest post-mortem and saves it, as the change `what`. When
    /// someone else saves in between, the change is applied again to their version rather than
    /// overwriting it.
    #[instrument(skip_all, fields(incident.key = %key))]
    pub fn edit_postmortem(
        &self,
        key: IncidentKey,
        what: &str,
        change: impl Fn(&mut Postmortem) -> AppResult<()>,
    ) -> AppResult<Postmortem> {
        for _ in 0..EDIT_ATTEMPTS {
            let current = self.store.postmortem(key)?;
            let mut edited = current.value.clone();
            change(&mut edited)?;
            if edited == current.value {
                return Ok(edited);
            }
            match self
                .store
                .save_postmortem(key, &edited, current.version, self.now())
            {
                Ok(_) => {
                    self.revise(key, what)?;
                    return Ok(edited);
                }
                Err(StoreError::Conflict { .. }) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(AppError::Busy(key))
    }

    /// Saves `postmortem` as the change `what`, only if the document is still at
    /// `expected_version`: the save of a person who edited an older version is refused with
    /// [`StoreError::Conflict`] rather than applied. Its status and template are not changed here
    /// (the lifecycle moves the status), so a save that changes them is refused.
    #[instrument(skip_all, fields(incident.key = %key))]
    pub fn save_postmortem_at(
        &self,
        key: IncidentKey,
        expected_version: u64,
        postmortem: &Postmortem,
        what: &str,
    ) -> AppResult<u64> {
        let current = self.store.postmortem(key)?;
        if current.version != expected_version {
            return Err(StoreError::Conflict {
                key,
                expected: expected_version,
                actual: current.version,
            }
            .into());
        }
        if postmortem.status != current.value.status {
            return Err(AppError::invalid(
                "status",
                "the status moves through the lifecycle (review, publish), not by saving the document",
            ));
        }
        if postmortem.template != current.value.template {
            return Err(AppError::invalid(
                "template",
                "the template of a post-mortem is chosen when it is created",
            ));
        }
        if *postmortem == current.value {
            return Ok(current.version);
        }
        let version = self
            .store
            .save_postmortem(key, postmortem, expected_version, self.now())?;
        self.revise(key, what)?;
        Ok(version)
    }

    /// Moves the post-mortem through its life, if the move's gate allows it.
    pub fn move_postmortem(&self, key: IncidentKey, to: PostmortemStatus) -> AppResult<Postmortem> {
        let (record, _, findings) = self.check(key)?;
        let from = record.postmortem.status;
        let gate = lifecycle::gate(from, to).map_err(|e| AppError::invalid("status", e))?;
        match gate {
            Gate::Open => {}
            Gate::Ready => {
                let errors: Vec<_> = findings
                    .into_iter()
                    .filter(|f| f.level == Level::Error)
                    .collect();
                if !errors.is_empty() {
                    return Err(AppError::NotReady {
                        key,
                        to,
                        findings: errors,
                    });
                }
            }
            Gate::ActionsClosed => {
                let open: Vec<_> = record
                    .actions
                    .iter()
                    .filter(|a| !a.status.is_closed())
                    .map(|a| {
                        format!(
                            "{} “{}” is {}",
                            a.id,
                            a.title,
                            a.status.as_str().replace('_', " ")
                        )
                    })
                    .collect();
                if !open.is_empty() {
                    return Err(AppError::ActionsOpen { key, open });
                }
            }
        }
        let what = format!(
            "moved the post-mortem from {} to {}",
            from.as_str().replace('_', " "),
            to.as_str().replace('_', " ")
        );
        self.edit_postmortem(key, &what, |pm| {
            if pm.status != from {
                // Someone moved it meanwhile: their move stands, ours is refused.
                return Err(AppError::invalid(
                    "status",
                    format!("the post-mortem was moved to {} meanwhile", pm.status),
                ));
            }
            pm.status = to;
            Ok(())
        })
    }

    /// Ticks (or unticks) the checklist item at `position` (1 is the first).
    pub fn tick_checklist(&self, key: IncidentKey, position: usize, done: bool) -> AppResult<()> {
        let what = format!(
            "{} checklist item {position}",
            if done { "ticked" } else { "unticked" }
        );
        self.edit_postmortem(key, &what, |pm| {
            let count = pm.checklists.len();
            let item = position
                .checked_sub(1)
                .and_then(|i| pm.checklists.get_mut(i))
                .ok_or_else(|| {
                    AppError::NotFound(format!(
                        "{key} has no checklist item {position} (it has {count}; checklists are made when the incident is resolved)"
                    ))
                })?;
            item.done = done;
            Ok(())
        })?;
        Ok(())
    }

    /// A first draft of a message, written from the document; `link` is where the post-mortem
    /// can be read.
    pub fn draft_message(
        &self,
        key: IncidentKey,
        kind: MessageKind,
        link: Option<&str>,
    ) -> AppResult<String> {
        let (record, figures) = self.figures(key)?;
        Ok(match kind {
            MessageKind::Internal => drafts::internal_email(&record, &figures, link),
            MessageKind::External => drafts::external_message(&record, &figures),
        })
    }

    /// Saves a message and returns what the blameless-language lint finds in it.
    pub fn set_message(
        &self,
        key: IncidentKey,
        kind: MessageKind,
        text: &str,
    ) -> AppResult<Vec<BlameFinding>> {
        let text =
            hindsight_core::text::optional("message", Some(text), hindsight_core::text::LONG)
                .map_err(|e| AppError::invalid("message", e))?;
        let record = self.record(key)?;
        self.edit_postmortem(key, &format!("wrote the {kind} message"), |pm| {
            pm.messages.set(kind, text.clone());
            Ok(())
        })?;
        let people: Vec<&str> = record
            .responders
            .iter()
            .map(|(_, p)| p.name.as_str())
            .collect();
        Ok(text
            .map(|t| blame_findings(&t, &people))
            .unwrap_or_default())
    }

    pub fn add_action(&self, key: IncidentKey, item: &NewActionItem) -> AppResult<ActionItem> {
        let action = self.store.add_action_item(key, item, self.now())?;
        self.revise(
            key,
            &format!("filed action {} “{}”", action.id, action.title),
        )?;
        Ok(action)
    }

    /// Changes one action item.
    pub fn edit_action(
        &self,
        key: IncidentKey,
        id: ActionId,
        change: impl FnOnce(&mut ActionItem) -> AppResult<()>,
    ) -> AppResult<ActionItem> {
        let mut action = self
            .store
            .record(key)?
            .actions
            .into_iter()
            .find(|a| a.id == id)
            .ok_or(StoreError::ActionNotFound { key, id })?;
        change(&mut action)?;
        self.store.update_action_item(key, &action)?;
        self.revise(key, &format!("changed action {id}"))?;
        Ok(action)
    }

    /// The post-mortem in `format`, in the template it was created from.
    pub fn export(&self, key: IncidentKey, format: ExportFormat) -> AppResult<String> {
        let (record, figures) = self.figures(key)?;
        self.render(&record, &figures, format)
    }

    fn render(
        &self,
        record: &IncidentRecord,
        figures: &Figures,
        format: ExportFormat,
    ) -> AppResult<String> {
        Ok(match format {
            ExportFormat::Json => PostmortemDocument::from_record(record).to_json() + "\n",
            ExportFormat::Markdown => markdown::postmortem(
                record,
                figures,
                &self.template(&record.postmortem.template)?,
            ),
            ExportFormat::Html => html::postmortem_page(
                record,
                figures,
                &self.template(&record.postmortem.template)?,
            ),
        })
    }

    /// The post-mortem as Markdown, in the template it was created from.
    pub fn render_markdown(&self, key: IncidentKey) -> AppResult<String> {
        self.export(key, ExportFormat::Markdown)
    }

    /// Stores a post-mortem from the JSON document format as a new incident, all or nothing.
    ///
    /// It starts its review again as a draft: a status reached elsewhere passed gates this
    /// instance did not check.
    pub fn import_document(&self, text: &str, file: &str) -> AppResult<Incident> {
        let document =
            PostmortemDocument::from_json(text).map_err(|e| AppError::invalid(file, e))?;
        let mut record = document.into_record(1);
        record.postmortem.status = PostmortemStatus::Draft;
        self.template(&record.postmortem.template)?;
        let incident = self.store.import_record(&record, self.now())?;
        self.revise(
            incident.key,
            &format!("imported from {file} (was {})", record.incident.key),
        )?;
        self.after_timeline_change(incident.key)?;
        Ok(incident)
    }

    /// The history of the post-mortem, oldest first.
    pub fn history(&self, key: IncidentKey) -> AppResult<Vec<RevisionSummary>> {
        Ok(self.store.revisions(key)?)
    }

    /// What changed between two revisions, as a unified diff of the rendered Markdown.
    pub fn diff(&self, key: IncidentKey, from: u64, to: u64) -> AppResult<String> {
        let render = |number: u64| -> AppResult<String> {
            let revision = self.store.revision(key, number)?;
            let document = PostmortemDocument::from_json(&revision.document)
                .map_err(|e| StoreError::corrupt(format!("revision {number}"), e))?;
            let record = document.into_record(number);
            let figures = record.figures(&self.policy.meeting, revision.summary.at);
            let template = self
                .template(&record.postmortem.template)
                .or_else(|_| self.template(Template::DEFAULT))?;
            Ok(markdown::postmortem(&record, &figures, &template))
        };
        let (before, after) = (render(from)?, render(to)?);
        Ok(similar::TextDiff::from_lines(&before, &after)
            .unified_diff()
            .context_radius(2)
            .header(&format!("revision {from}"), &format!("revision {to}"))
            .to_string())
    }
}

/// What a person should look at in a timeline's figures: instants out of order.
fn timeline_warnings(figures: &Figures) -> Vec<String> {
    let i = &figures.instants;
    let mut warnings = Vec::new();
    for (name, at) in [
        ("detection", i.detected),
        ("mitigation", i.mitigated),
        ("resolution", i.resolved),
    ] {
        if let (Some(start), Some(at)) = (i.started, at)
            && at < start
        {
            warnings.push(format!(
                "the {name} ({at}) is before the start of impact ({start}): check the times of those events"
            ));
        }
    }
    warnings
}
