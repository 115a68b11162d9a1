//! What arrives from outside: chat exports turned into proposals for the scribe, and pager or
//! alert webhooks applied to their incident.

use crate::{AppError, AppResult, Hindsight};
use chrono::Duration;
use hindsight_core::{
    IncidentKey, NewIncident, Severity,
    proposal::{Proposal, ProposalId, ProposalStatus},
    text::Line,
};
use hindsight_import::{
    chat::{ChatMessage, ChatUser, ChatWindow},
    extract::{ExtractionRules, propose},
    webhook::WebhookUpdate,
};
use hindsight_store::{Delivery, DeliveryOutcome};

/// What proposing from a chat export did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProposalReport {
    /// The proposals made now.
    pub added: Vec<Proposal>,
    /// Proposals the same messages had already made, not made again.
    pub already_proposed: usize,
}

/// How much chat before the start and after the resolution of an incident belongs to it by
/// default: the hour before impact holds the first signs, the day after holds the to-dos.
const BEFORE_START: i64 = 1;
const AFTER_RESOLUTION: i64 = 24;

impl Hindsight {
    /// The chat window of an incident when the scribe names none: its war-room channel, from an
    /// hour before the first event to a day after resolution. Either is open when unknown.
    pub fn default_chat_window(&self, key: IncidentKey) -> AppResult<ChatWindow> {
        let (record, figures) = self.figures(key)?;
        let first = record.timeline.iter().map(|e| e.at()).min();
        Ok(ChatWindow {
            channel: record.postmortem.communication.channel.clone(),
            from: first.map(|at| at - Duration::hours(BEFORE_START)),
            to: figures
                .instants
                .resolved
                .map(|at| at + Duration::hours(AFTER_RESOLUTION)),
        })
    }

    /// Turns chat messages into pending proposals for the incident. Messages that already made
    /// a proposal make none again.
    pub fn propose_from_chat(
        &self,
        key: IncidentKey,
        messages: &[ChatMessage],
        users: &[ChatUser],
        rules: &ExtractionRules,
        source: &str,
    ) -> AppResult<ProposalReport> {
        let proposals = propose(messages, users, rules);
        let added = self.store().add_proposals(key, &proposals, self.now())?;
        let report = ProposalReport {
            already_proposed: proposals.len() - added.len(),
            added,
        };
        if !report.added.is_empty() {
            self.revise(
                key,
                &format!("{} proposals from {source}", report.added.len()),
            )?;
        }
        Ok(report)
    }

    pub fn proposals(&self, key: IncidentKey) -> AppResult<Vec<Proposal>> {
        Ok(self.store().proposals(key)?)
    }

    /// Accepts or rejects proposals: the ones named, or every pending one when `ids` is empty.
    /// Every id is checked before any is decided, so a wrong id decides nothing. Returns those
    /// decided.
    pub fn decide_proposals(
        &self,
        key: IncidentKey,
        ids: &[ProposalId],
        accept: bool,
    ) -> AppResult<Vec<Proposal>> {
        let all = self.proposals(key)?;
        let mut chosen: Vec<ProposalId> = Vec::new();
        if ids.is_empty() {
            chosen.extend(
                all.iter()
                    .filter(|p| p.status == ProposalStatus::Pending)
                    .map(|p| p.id),
            );
        }
        for id in ids {
            let proposal = all
                .iter()
                .find(|p| p.id == *id)
                .ok_or(hindsight_store::StoreError::ProposalNotFound { key, id: *id })?;
            if proposal.status != ProposalStatus::Pending {
                return Err(hindsight_store::StoreError::AlreadyDecided {
                    key,
                    id: *id,
                    status: proposal.status,
                }
                .into());
            }
            if !chosen.contains(id) {
                chosen.push(*id);
            }
        }
        let mut decided = Vec::with_capacity(chosen.len());
        let mut failure = None;
        for id in chosen {
            match self.store().decide_proposal(key, id, accept, self.now()) {
                Ok(proposal) => decided.push(proposal),
                // Someone else decided it meanwhile: stop, but keep what was decided.
                Err(e) => {
                    failure = Some(e);
                    break;
                }
            }
        }
        if !decided.is_empty() {
            let verb = if accept { "accepted" } else { "rejected" };
            self.revise(key, &format!("{verb} {} proposals", decided.len()))?;
            if accept {
                self.after_timeline_change(key)?;
            }
        }
        match failure {
            Some(e) => Err(e.into()),
            None => Ok(decided),
        }
    }

    /// Applies a webhook delivery to its incident, opening it when the tool's incident is new.
    /// The same delivery twice changes nothing. A delivery that records nothing (a service
    /// event, an action the parser does not know) is not applied: it opens no incident.
    pub fn apply_webhook(&self, update: &WebhookUpdate) -> AppResult<Option<DeliveryOutcome>> {
        if update.events.is_empty() && update.participants.is_empty() {
            return Ok(None);
        }
        let title = update
            .title
            .as_deref()
            .and_then(|t| Line::parse("title", t).ok())
            .or_else(|| {
                Line::parse(
                    "title",
                    &format!("{} incident {}", update.source, update.external_id),
                )
                .ok()
            })
            .map_or_else(|| Line::parse("title", update.source.as_str()), Ok)
            .map_err(|e| AppError::invalid("title", e))?;
        let timezone = self.policy().meeting.timezone.unwrap_or(chrono_tz::UTC);
        let new_incident = NewIncident {
            title,
            // A tool that does not say how bad it is gets the middle of the scale, for a person
            // to correct.
            severity: update.severity.unwrap_or(Severity::ALL[2]),
            services: update
                .services
                .iter()
                .filter_map(|s| Line::parse("service", s).ok())
                .collect(),
            timezone,
            private: false,
            template: hindsight_core::Template::DEFAULT.to_owned(),
        };
        let delivery = Delivery {
            source: update.source.as_str().to_owned(),
            external_id: update.external_id.clone(),
            delivery_id: update.delivery_id.clone(),
            new_incident,
            events: update.events.clone(),
            participants: update.participants.clone(),
        };
        let outcome = self.store().apply_delivery(&delivery, self.now())?;
        if !outcome.duplicate {
            let what = if outcome.created {
                format!(
                    "opened from {} incident {}",
                    update.source, update.external_id
                )
            } else {
                format!("{} events from {}", outcome.events_added, update.source)
            };
            self.revise(outcome.key, &what)?;
            self.after_timeline_change(outcome.key)?;
        }
        Ok(Some(outcome))
    }
}
