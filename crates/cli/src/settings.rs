//! One typed configuration: defaults, then a TOML file, then `HINDSIGHT_*` environment variables
//! and flags. Only the binary reads configuration; the libraries receive typed values.

use anyhow::{Context, Result, bail};
use chrono::NaiveDate;
use hindsight_core::{
    BusinessCalendar, BusinessDays, MeetingPolicy, Severity, calendar::WeekdayName,
    incident::parse_timezone, readiness::ReadinessPolicy,
};
use serde::Deserialize;
use std::{collections::BTreeMap, path::Path};

/// The file read when no `--config` is given, if it exists.
pub const DEFAULT_FILE: &str = "hindsight.toml";
/// The database used when none is configured: a SQLite file in the current directory.
pub const DEFAULT_DATABASE: &str = "hindsight.db";

/// The commented default configuration, printed by `hindsight config default`.
pub const DEFAULT_TOML: &str = r#"# hindsight configuration. Every setting is optional; these are the defaults.
# Read from --config FILE, $HINDSIGHT_CONFIG, or ./hindsight.toml when it exists.

# A SQLite file path (created when missing) or a postgres:// URL.
# $HINDSIGHT_DB and --db override it.
database = "hindsight.db"

# A folder of team templates, one TOML file each (see `hindsight template show pagerduty`
# and the README). $HINDSIGHT_TEMPLATES and --templates override it.
# templates = "templates"

[meeting]
# The post-mortem meeting must take place within this many business days of resolution.
business_days = 5
# Per severity, for those that need a different deadline, e.g. { "SEV-1" = 3 }.
business_days_by_severity = {}
# The team's timezone for counting days, an IANA name such as "Europe/Paris".
# When unset, each incident's own timezone is used.
# timezone = "Europe/Paris"
# Days nobody works, every week.
weekend = ["saturday", "sunday"]
# Public holidays and company days off, as YYYY-MM-DD.
holidays = []

[readiness]
# The most action items a post-mortem of each severity should file; more is a warning.
max_actions = { "SEV-1" = 10, "SEV-2" = 7, "SEV-3" = 5, "SEV-4" = 3, "SEV-5" = 2 }
"#;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct SettingsFile {
    database: Option<String>,
    templates: Option<std::path::PathBuf>,
    #[serde(default)]
    meeting: MeetingFile,
    #[serde(default)]
    readiness: ReadinessFile,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ReadinessFile {
    #[serde(default)]
    max_actions: BTreeMap<String, usize>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct MeetingFile {
    business_days: Option<u16>,
    #[serde(default)]
    business_days_by_severity: BTreeMap<String, u16>,
    timezone: Option<String>,
    weekend: Option<Vec<WeekdayName>>,
    #[serde(default)]
    holidays: Vec<NaiveDate>,
}

/// The settings hindsight runs with.
#[derive(Debug, Clone)]
pub struct Settings {
    pub database: String,
    /// The folder of team templates, if any.
    pub templates: Option<std::path::PathBuf>,
    pub meeting: MeetingPolicy,
    pub readiness: ReadinessPolicy,
}

impl Settings {
    /// Reads `file` (an explicit path must exist; the default file may not), then applies the
    /// database given on the command line or in `$HINDSIGHT_DB`.
    pub fn load(
        file: Option<&Path>,
        database: Option<String>,
        templates: Option<std::path::PathBuf>,
    ) -> Result<Self> {
        let text = match file {
            Some(path) => Some(
                std::fs::read_to_string(path)
                    .with_context(|| format!("cannot read the configuration {}", path.display()))?,
            ),
            None => std::fs::read_to_string(DEFAULT_FILE).ok(),
        };
        let name = file.map_or(DEFAULT_FILE.to_owned(), |p| p.display().to_string());
        let mut settings = match text {
            Some(text) => Settings::parse(&text).with_context(|| format!("in {name}"))?,
            None => Settings::parse("")?,
        };
        if let Some(database) = database {
            settings.database = database;
        }
        if templates.is_some() {
            settings.templates = templates;
        }
        Ok(settings)
    }

    /// Reads every `*.toml` of the templates folder, in name order.
    pub fn load_templates(&self) -> Result<Vec<hindsight_core::Template>> {
        let Some(dir) = &self.templates else {
            return Ok(Vec::new());
        };
        let entries = std::fs::read_dir(dir)
            .with_context(|| format!("cannot read the templates folder {}", dir.display()))?;
        let mut paths: Vec<_> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
        paths.sort();
        let built_in = hindsight_core::Template::built_in();
        let mut templates: Vec<hindsight_core::Template> = Vec::new();
        for path in paths {
            let template = read_template(&path)?;
            if let Some(clash) = built_in
                .iter()
                .chain(&templates)
                .find(|t| t.name.eq_ignore_ascii_case(&template.name))
            {
                bail!(
                    "{}: a template named `{}` already exists; give this one another name",
                    path.display(),
                    clash.name
                );
            }
            templates.push(template);
        }
        Ok(templates)
    }

    pub fn parse(text: &str) -> Result<Self> {
        let file: SettingsFile = toml::from_str(text)?;
        let mut readiness = ReadinessPolicy::default();
        for (name, max) in file.readiness.max_actions {
            let severity: Severity = name.parse().with_context(|| "in readiness.max_actions")?;
            readiness.max_actions.insert(severity, max);
        }
        let meeting = file.meeting;
        let mut days_by_severity = BTreeMap::new();
        for (name, days) in meeting.business_days_by_severity {
            let severity: Severity = name
                .parse()
                .with_context(|| "in meeting.business_days_by_severity")?;
            days_by_severity.insert(severity, BusinessDays(days));
        }
        let weekend = meeting
            .weekend
            .unwrap_or_else(|| vec![WeekdayName::Saturday, WeekdayName::Sunday]);
        let calendar = match BusinessCalendar::new(weekend, meeting.holidays) {
            Ok(calendar) => calendar,
            Err(e) => bail!("meeting.weekend: {e}"),
        };
        let timezone = meeting
            .timezone
            .map(|tz| parse_timezone(&tz).context("meeting.timezone"))
            .transpose()?;
        Ok(Settings {
            database: file.database.unwrap_or_else(|| DEFAULT_DATABASE.to_owned()),
            templates: file.templates,
            readiness,
            meeting: MeetingPolicy {
                default_days: BusinessDays(meeting.business_days.unwrap_or(5)),
                days_by_severity,
                calendar,
                timezone,
            },
        })
    }
}

/// Reads one template file, naming the file in any error.
pub fn read_template(path: &Path) -> Result<hindsight_core::Template> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    hindsight_import::template_file::parse(&text)
        .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_printed_default_configuration_is_the_default() {
        let printed = Settings::parse(DEFAULT_TOML).unwrap();
        let empty = Settings::parse("").unwrap();
        assert_eq!(printed.database, empty.database);
        assert_eq!(printed.meeting, empty.meeting);
        assert_eq!(printed.readiness, empty.readiness);
        assert_eq!(empty.meeting, MeetingPolicy::default());
    }

    #[test]
    fn a_team_calendar_is_read_from_the_file() {
        let s = Settings::parse(
            r#"
            database = "postgres://localhost/h"
            [meeting]
            business_days = 3
            business_days_by_severity = { "SEV-1" = 2 }
            timezone = "Europe/Paris"
            weekend = ["friday", "saturday"]
            holidays = ["2026-12-25"]
            "#,
        )
        .unwrap();
        assert_eq!(s.database, "postgres://localhost/h");
        assert_eq!(
            s.meeting.days_for(Severity::from_level(1).unwrap()),
            BusinessDays(2)
        );
        assert_eq!(
            s.meeting.days_for(Severity::from_level(2).unwrap()),
            BusinessDays(3)
        );
        let christmas = NaiveDate::from_ymd_opt(2026, 12, 25).unwrap();
        assert!(!s.meeting.calendar.is_business_day(christmas));
    }

    #[test]
    fn mistakes_in_the_file_say_where() {
        let typo = Settings::parse("[meeting]\nbusiness_dayz = 3\n").unwrap_err();
        assert!(
            format!("{typo:#}").contains("unknown field `business_dayz`"),
            "{typo:#}"
        );
        assert!(format!("{typo:#}").contains("line 2"), "{typo:#}");
        let severity =
            Settings::parse("[meeting]\nbusiness_days_by_severity = { \"SEV-9\" = 1 }\n")
                .unwrap_err();
        assert!(
            format!("{severity:#}").contains("unknown severity `SEV-9`"),
            "{severity:#}"
        );
    }
}
