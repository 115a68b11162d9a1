//! The use cases of hindsight, written once over a [`Store`] and a [`Clock`] so that the CLI, the
//! web pages and the API do the same thing the same way.
//!
//! Edits are read-modify-write: a use case reads the current value, applies the caller's change
//! and saves. The post-mortem document is versioned, so an edit that meets a concurrent save is
//! applied again to the newer document instead of overwriting it.

use chrono::{DateTime, Utc};
use hindsight_core::{
    ActionId, ActionItem, Clock, Figures, Incident, IncidentKey, IncidentRecord, MeetingPolicy,
    NewActionItem, NewIncident, NewTimelineEvent, Postmortem, Responders, Template, TimelineEvent,
    timeline::new_events_only,
};
use hindsight_import::timeline_csv::{self, CsvError};
use hindsight_store::{Store, StoreError};
use std::{io::Read, sync::Arc};
use tracing::{info, instrument};

pub type AppResult<T> = Result<T, AppError>;

/// What a use case can refuse, in words for the person who asked.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{}", prefix_lines(.file, .error))]
    Csv { file: String, error: CsvError },
    #[error("unknown template `{given}`: expected one of {known}")]
    UnknownTemplate { given: String, known: String },
    /// A value the domain refused, with the field it came from.
    #[error("{field}: {message}")]
    Invalid { field: String, message: String },
    #[error("{0}")]
    NotFound(String),
    #[error(
        "the post-mortem of {0} kept changing while this edit was applied; nothing was saved, try again"
    )]
    Busy(IncidentKey),
}

impl AppError {
    pub fn invalid(field: impl Into<String>, message: impl std::fmt::Display) -> Self {
        AppError::Invalid {
            field: field.into(),
            message: message.to_string(),
        }
    }
}

fn prefix_lines(file: &str, error: &CsvError) -> String {
    error
        .to_string()
        .lines()
        .map(|line| format!("{file}: {line}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// What the team configured for its process.
#[derive(Debug, Clone, Default)]
pub struct Policy {
    pub meeting: MeetingPolicy,
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

/// The application: every use case, over injected storage and time.
#[derive(Debug, Clone)]
pub struct Hindsight {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    policy: Policy,
}

/// How many times an edit is re-applied when the document changes under it.
const EDIT_ATTEMPTS: usize = 5;

impl Hindsight {
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>, policy: Policy) -> Self {
        Hindsight {
            store,
            clock,
            policy,
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

    #[instrument(skip_all)]
    pub fn create_incident(&self, mut new: NewIncident) -> AppResult<Incident> {
        new.template = self.template(&new.template)?.name;
        let incident = self.store.create_incident(&new, self.now())?;
        info!(incident.key = %incident.key, "opened {} at {}", incident.key, incident.severity);
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

    /// Changes the incident's own fields.
    pub fn edit_incident(
        &self,
        key: IncidentKey,
        change: impl FnOnce(&mut Incident) -> AppResult<()>,
    ) -> AppResult<Incident> {
        let mut incident = self.store.incident(key)?;
        change(&mut incident)?;
        self.store.update_incident(&incident)?;
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
        let record = self.store.record(key)?;
        let events = timeline_csv::parse(input, record.incident.timezone).map_err(|error| {
            AppError::Csv {
                file: file.to_owned(),
                error,
            }
        })?;
        let total = events.len();
        let (fresh, _) = new_events_only(&record.timeline, events);
        let added = self.store.add_timeline_events(key, &fresh, self.now())?;
        let duplicates = total - added.len();
        let (_, figures) = self.figures(key)?;
        let warnings = timeline_warnings(&figures);
        info!(
            incident.key = %key,
            "imported {} events from {file} into {key} ({duplicates} already there)",
            added.len()
        );
        Ok(ImportReport {
            added,
            duplicates,
            warnings,
        })
    }

    /// Adds one event, unless the timeline already has it.
    pub fn add_event(
        &self,
        key: IncidentKey,
        event: NewTimelineEvent,
    ) -> AppResult<Option<TimelineEvent>> {
        let record = self.store.record(key)?;
        let (fresh, _) = new_events_only(&record.timeline, vec![event]);
        let mut added = self.store.add_timeline_events(key, &fresh, self.now())?;
        Ok(added.pop())
    }

    /// Changes one event of the timeline.
    pub fn edit_event(
        &self,
        key: IncidentKey,
        id: hindsight_core::EventId,
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
        Ok(event)
    }

    pub fn remove_event(&self, key: IncidentKey, id: hindsight_core::EventId) -> AppResult<()> {
        Ok(self.store.delete_timeline_event(key, id)?)
    }

    /// Changes who held which role, on the current value inside the store's write.
    pub fn edit_responders(
        &self,
        key: IncidentKey,
        mut change: impl FnMut(&mut Responders),
    ) -> AppResult<Responders> {
        Ok(self.store.edit_responders(key, &mut change)?)
    }

    /// Applies `change` to the latest post-mortem and saves it. When someone else saves in
    /// between, the change is applied again to their version rather than overwriting it.
    #[instrument(skip_all, fields(incident.key = %key))]
    pub fn edit_postmortem(
        &self,
        key: IncidentKey,
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
                Ok(_) => return Ok(edited),
                Err(StoreError::Conflict { .. }) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(AppError::Busy(key))
    }

    pub fn add_action(&self, key: IncidentKey, item: &NewActionItem) -> AppResult<ActionItem> {
        let action = self.store.add_action_item(key, item, self.now())?;
        info!(incident.key = %key, "filed action {} on {key}", action.id);
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
        Ok(action)
    }

    /// The post-mortem as Markdown, in the template it was created from.
    pub fn render_markdown(&self, key: IncidentKey) -> AppResult<String> {
        let (record, figures) = self.figures(key)?;
        let template = self.template(&record.postmortem.template)?;
        Ok(hindsight_render::markdown::postmortem(
            &record, &figures, &template,
        ))
    }
}
