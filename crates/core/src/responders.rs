//! The people of an incident: the response roles and everyone else who took part.

use crate::text::{self, Line, TextError};
use serde::{Deserialize, Serialize};
use std::{fmt, str::FromStr};

/// A person as a post-mortem names them: "Jane Doe, Engineer".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Person {
    pub name: Line,
    /// Their job title, so a reader knows the breadth of skills involved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job_title: Option<String>,
}

impl Person {
    pub fn new(name: &str, job_title: Option<&str>) -> Result<Self, TextError> {
        Ok(Person {
            name: Line::parse("name", name)?,
            job_title: text::optional("job title", job_title, text::SHORT)?,
        })
    }
}

impl fmt::Display for Person {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.job_title {
            Some(title) => write!(f, "{}, {}", self.name, title),
            None => write!(f, "{}", self.name),
        }
    }
}

/// A response role.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Commander,
    Deputy,
    Scribe,
    /// Subject-matter expert; an incident can have several.
    Sme,
    CustomerLiaison,
    /// Anyone else who took part.
    Participant,
}

impl Role {
    pub const ALL: [Role; 6] = [
        Role::Commander,
        Role::Deputy,
        Role::Scribe,
        Role::Sme,
        Role::CustomerLiaison,
        Role::Participant,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Commander => "commander",
            Role::Deputy => "deputy",
            Role::Scribe => "scribe",
            Role::Sme => "sme",
            Role::CustomerLiaison => "customer_liaison",
            Role::Participant => "participant",
        }
    }

    /// How the role reads in a document.
    pub fn title(self) -> &'static str {
        match self {
            Role::Commander => "Incident commander",
            Role::Deputy => "Deputy",
            Role::Scribe => "Scribe",
            Role::Sme => "Subject-matter expert",
            Role::CustomerLiaison => "Customer liaison",
            Role::Participant => "Participant",
        }
    }

    /// Whether the role holds one person (commander) or a list (SMEs, participants).
    pub fn is_single(self) -> bool {
        !matches!(self, Role::Sme | Role::Participant)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown role `{0}`: expected one of commander, deputy, scribe, sme, customer_liaison, participant"
)]
pub struct UnknownRole(pub String);

impl FromStr for Role {
    type Err = UnknownRole;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let normal = s.trim().to_ascii_lowercase().replace(['-', ' '], "_");
        let role = match normal.as_str() {
            "commander" | "incident_commander" | "ic" => Role::Commander,
            "deputy" => Role::Deputy,
            "scribe" => Role::Scribe,
            "sme" | "subject_matter_expert" => Role::Sme,
            "customer_liaison" | "liaison" => Role::CustomerLiaison,
            "participant" => Role::Participant,
            _ => return Err(UnknownRole(s.to_owned())),
        };
        Ok(role)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Who held which role, and who else took part.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Responders {
    pub commander: Option<Person>,
    pub deputy: Option<Person>,
    pub scribe: Option<Person>,
    pub smes: Vec<Person>,
    pub customer_liaison: Option<Person>,
    pub participants: Vec<Person>,
}

impl Responders {
    /// Puts `person` in `role`: single roles are replaced, lists gain the person (or update the
    /// job title of someone already there under the same name).
    pub fn assign(&mut self, role: Role, person: Person) {
        match role {
            Role::Commander => self.commander = Some(person),
            Role::Deputy => self.deputy = Some(person),
            Role::Scribe => self.scribe = Some(person),
            Role::CustomerLiaison => self.customer_liaison = Some(person),
            Role::Sme => upsert(&mut self.smes, person),
            Role::Participant => upsert(&mut self.participants, person),
        }
    }

    /// Removes `name` from `role`. Returns whether anyone was removed.
    pub fn unassign(&mut self, role: Role, name: &str) -> bool {
        let same = |p: &Person| p.name.as_str().eq_ignore_ascii_case(name.trim());
        let single = match role {
            Role::Commander => &mut self.commander,
            Role::Deputy => &mut self.deputy,
            Role::Scribe => &mut self.scribe,
            Role::CustomerLiaison => &mut self.customer_liaison,
            Role::Sme | Role::Participant => {
                let list = if role == Role::Sme {
                    &mut self.smes
                } else {
                    &mut self.participants
                };
                let before = list.len();
                list.retain(|p| !same(p));
                return list.len() != before;
            }
        };
        if single.as_ref().is_some_and(same) {
            *single = None;
            true
        } else {
            false
        }
    }

    /// Every (role, person) pair, roles first, in a stable order.
    pub fn iter(&self) -> impl Iterator<Item = (Role, &Person)> {
        let singles = [
            (Role::Commander, &self.commander),
            (Role::Deputy, &self.deputy),
            (Role::Scribe, &self.scribe),
        ]
        .into_iter()
        .filter_map(|(role, p)| p.as_ref().map(|p| (role, p)));
        singles
            .chain(self.smes.iter().map(|p| (Role::Sme, p)))
            .chain(
                self.customer_liaison
                    .iter()
                    .map(|p| (Role::CustomerLiaison, p)),
            )
            .chain(self.participants.iter().map(|p| (Role::Participant, p)))
    }

    pub fn is_empty(&self) -> bool {
        self.iter().next().is_none()
    }
}

fn upsert(list: &mut Vec<Person>, person: Person) {
    match list
        .iter_mut()
        .find(|p| p.name.as_str().eq_ignore_ascii_case(person.name.as_str()))
    {
        Some(existing) => *existing = person,
        None => list.push(person),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(name: &str, title: &str) -> Person {
        Person::new(name, Some(title)).unwrap()
    }

    #[test]
    fn a_person_reads_with_their_job_title() {
        assert_eq!(
            person("Jane Doe", "Engineer").to_string(),
            "Jane Doe, Engineer"
        );
        assert_eq!(Person::new("Jo", Some("  ")).unwrap().to_string(), "Jo");
    }

    #[test]
    fn single_roles_are_replaced_and_lists_grow_without_repeats() {
        let mut r = Responders::default();
        r.assign(Role::Commander, person("Ann", "SRE"));
        r.assign(Role::Commander, person("Bob", "SRE"));
        r.assign(Role::Sme, person("Cy", "DBA"));
        r.assign(Role::Sme, person("cy", "Senior DBA"));
        r.assign(Role::Sme, person("Di", "Network"));
        assert_eq!(r.commander.as_ref().unwrap().name.as_str(), "Bob");
        assert_eq!(r.smes.len(), 2);
        assert_eq!(r.smes[0].job_title.as_deref(), Some("Senior DBA"));
        assert!(r.unassign(Role::Sme, "Di"));
        assert!(!r.unassign(Role::Deputy, "Di"));
        assert_eq!(r.iter().count(), 2);
    }

    #[test]
    fn roles_parse_from_common_spellings() {
        assert_eq!(
            "Incident Commander".parse::<Role>().unwrap(),
            Role::Commander
        );
        assert_eq!(
            "customer-liaison".parse::<Role>().unwrap(),
            Role::CustomerLiaison
        );
        assert!(
            "boss"
                .parse::<Role>()
                .unwrap_err()
                .to_string()
                .contains("expected one of")
        );
    }
}
