//! What arrives from outside: chat exports turned into proposals for the scribe, and pager or
//! alert webhooks applied to their incident.

use crate::{AppError, AppResult, Hindsight};
use chrono::Duration;
use hindsight_core::{
    IncidentKey, NewIncident, Severity,
    proposal::{Proposal, ProposalId, ProposalStatus, Suggestion},
    text::Line,
};
use hindsight_import::{
    chat::{ChatMessage, ChatUser, ChatWindow},
    extract::{ExtractionRules, Learnt, propose_with},
    learn::{Example, TeamModel},
    webhook::WebhookUpdate,
};
use hindsight_store::{Delivery, DeliveryOutcome};

/// What proposing from a chat export did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProposalReport {
    /// The proposals made now, the quiet ones (messages kept, not proposed) included.
    pub added: Vec<Proposal>,
    /// Proposals the same messages had already made, not made again (quiet ones aside).
    pub already_proposed: usize,
    /// What the team's reviewed incidents taught this import: messages learnt from, and how
    /// many of them were kept on a timeline. `None` when the reviews are too few to learn from.
    pub learnt_from: Option<(u32, u32)>,
}

impl ProposalReport {
    /// The proposals made now that the scribe is asked to decide: not the quiet ones.
    pub fn proposed(&self) -> impl Iterator<Item = &Proposal> {
        self.added.iter().filter(|p| !p.quiet)
    }

    /// How many messages were kept now, quietly, for the scribe to add by hand.
    pub fn kept(&self) -> usize {
        self.added.iter().filter(|p| p.quiet).count()
    }
}

/// How many of the latest incidents the team's reviews are read from.
const REVIEWS_READ: u32 = 500;

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

    /// Turns chat messages into pending proposals for the incident: by the rules, then by what
    /// the team's reviewed incidents taught; every other message is kept as a quiet proposal
    /// the scribe can still accept. Messages that already made a proposal make none again.
    pub fn propose_from_chat(
        &self,
        key: IncidentKey,
        messages: &[ChatMessage],
        users: &[ChatUser],
        rules: &ExtractionRules,
        source: &str,
    ) -> AppResult<ProposalReport> {
        let team = self.team_model(key)?;
        let learnt = Learnt {
            team: team.as_ref(),
            keep_the_rest: true,
        };
        let proposals = propose_with(messages, users, rules, learnt);
        let added = self.store().add_proposals(key, &proposals, self.now())?;
        let report = ProposalReport {
            already_proposed: proposals.iter().filter(|p| !p.quiet).count()
                - added.iter().filter(|p| !p.quiet).count(),
            added,
            learnt_from: team.map(|t| t.size()),
        };
        let proposed = report.proposed().count();
        if proposed > 0 {
            self.revise(key, &format!("{proposed} proposals from {source}"))?;
        }
        Ok(report)
    }

    /// What the team's reviews teach: the chat messages of its latest reviewed incidents (those
    /// imported with the rest of the channel kept, whose proposals are all decided, quiet ones
    /// aside), the accepted ones kept, the rejected and quiet ones passed over. `except` is the
    /// incident being imported into. Of the latest incidents read, private ones teach nothing:
    /// a model's reasons quote words, and a word of a private incident must not reach the
    /// readers of another. `None` when there is too little to learn from.
    pub fn team_model(&self, except: IncidentKey) -> AppResult<Option<TeamModel>> {
        let mut reviews: Vec<Proposal> = Vec::new();
        for incident in self.list_incidents(REVIEWS_READ)? {
            if incident.key == except || incident.private {
                continue;
            }
            let proposals = self.proposals(incident.key)?;
            // Reviewed: decided, and imported with the rest of its channel kept (an import from
            // before kept nothing, so it would teach what rejected proposals say, not chatter).
            let reviewed = proposals
                .iter()
                .any(|p| p.status != ProposalStatus::Pending)
                && proposals.iter().any(|p| p.quiet)
                && !proposals
                    .iter()
                    .any(|p| p.status == ProposalStatus::Pending && !p.quiet);
            if reviewed {
                reviews.extend(proposals);
            }
        }
        let examples = reviews.iter().filter_map(|p| {
            let Suggestion::Event { event } = &p.suggestion else {
                return None;
            };
            Some(Example {
                text: p.quote.as_deref().unwrap_or(event.text()),
                bot: false,
                kept: (p.status == ProposalStatus::Accepted).then_some(event.kind()),
            })
        });
        Ok(TeamModel::train(examples))
    }

    pub fn proposals(&self, key: IncidentKey) -> AppResult<Vec<Proposal>> {
        Ok(self.store().proposals(key)?)
    }

    /// Accepts or rejects proposals: the ones named (quiet ones too: a kept message the scribe
    /// adds), or every pending one that is not quiet when `ids` is empty.
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
                    .filter(|p| p.status == ProposalStatus::Pending && !p.quiet)
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
