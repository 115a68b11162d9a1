//! The domain of hindsight: every type and rule of a blameless post-mortem, with no IO.
//!
//! Values are parsed once at the edge (`Severity`, `IncidentKey`, `EventKind`, …) and the rest of
//! the program takes the parsed types. Nothing here reads the wall clock: functions that need
//! "now" take it as an argument, and callers get it from a [`clock::Clock`].

pub mod account;
pub mod action;
pub mod calendar;
pub mod clock;
pub mod exchange;
pub mod figures;
pub mod incident;
pub mod lifecycle;
pub mod lint;
pub mod postmortem;
pub mod proposal;
pub mod readiness;
pub mod record;
pub mod responders;
mod schema;
pub mod severity;
pub mod template;
pub mod text;
pub mod timeline;

pub use account::{
    AccountError, AccountRole, ApiTokenInfo, NewUser, Session, User, UserId, Username,
};
pub use action::{ActionId, ActionItem, ActionKind, ActionStatus, Level, NewActionItem, Priority};
pub use calendar::{BusinessCalendar, BusinessDays, MeetingPolicy};
pub use clock::{Clock, FixedClock};
pub use figures::{Figures, KeyInstants, SeverityWindow};
pub use incident::{Incident, IncidentKey, IncidentStatus, NewIncident, ServiceName};
pub use postmortem::{
    ChecklistItem, ChecklistRole, CommandUsed, Communication, ContributingFactor, CustomFigure,
    ExactNumber, FactorCategory, HowdWeDo, Impact, Link, LinkKind, Meeting, MessageKind, Messages,
    Postmortem, PostmortemStatus, Question,
};
pub use record::IncidentRecord;
pub use responders::{Person, Responders, Role};
pub use severity::Severity;
pub use template::{SectionContent, Template, TemplateSection};
pub use timeline::{EventId, EventKind, EventSource, NewTimelineEvent, TimelineEvent};
