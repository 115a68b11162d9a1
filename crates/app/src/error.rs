//! What a use case can refuse, in words for the person who asked.

use hindsight_core::{IncidentKey, PostmortemStatus, readiness::ReadinessFinding};
use hindsight_import::timeline_csv::CsvError;
use hindsight_store::StoreError;

pub type AppResult<T> = Result<T, AppError>;

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
    /// A move refused by the readiness check: the findings are the reason.
    #[error("{key} cannot move to {}: {}", .to.as_str().replace('_', " "), list_findings(.findings))]
    NotReady {
        key: IncidentKey,
        to: PostmortemStatus,
        findings: Vec<ReadinessFinding>,
    },
    #[error("{key} cannot be closed while actions are open:\n  - {}", .open.join("\n  - "))]
    ActionsOpen { key: IncidentKey, open: Vec<String> },
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

fn list_findings(findings: &[ReadinessFinding]) -> String {
    let mut text = format!(
        "{} readiness error{}",
        findings.len(),
        if findings.len() == 1 { "" } else { "s" }
    );
    for f in findings {
        text.push_str(&format!("\n  - {} [{}]: {}", f.location, f.rule, f.message));
    }
    text
}
