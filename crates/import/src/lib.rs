//! Readers of outside formats into hindsight's domain types. Importers never touch the database:
//! they turn bytes into checked values, or into errors that say where and what was expected.

pub mod alertmanager;
pub mod chat;
pub mod extract;
pub mod learn;
pub mod local_time;
pub mod mattermost;
pub mod opsgenie;
pub mod pagerduty;
pub mod plain_chat;
pub mod slack;
pub mod statuspage;
pub mod template_file;
pub mod timeline_csv;
pub mod webhook;
