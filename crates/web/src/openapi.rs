//! The OpenAPI 3.1 document of the API, generated from the handlers' annotations and the API's
//! types, served at `/api/openapi.json`. The post-mortem document format's JSON Schema (generated
//! from the domain by schemars) is added to its components, so one schema describes the format
//! everywhere.

use crate::api::{accounts, document, incidents, intake, model};
use crate::error::ErrorBody;
use axum::{Json, response::IntoResponse};
use std::sync::OnceLock;
use utoipa::{
    Modify, OpenApi,
    openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme},
};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "hindsight",
        description = "Blameless incident post-mortems: incidents, timelines with evidence, derived figures, the post-mortem document and its review, action items.\n\nAuthenticate with an API token (`Authorization: Bearer hs_…`, made on the account page or with `POST /api/v1/tokens`). Reads need the viewer role, changes the editor role, accounts the admin role. A private incident the caller is not part of answers 404.",
        license(name = "Apache-2.0"),
    ),
    paths(
        incidents::list_incidents, incidents::create_incident, incidents::get_incident,
        incidents::change_incident, incidents::list_events, incidents::add_event,
        incidents::replace_event, incidents::delete_event, incidents::get_postmortem,
        incidents::put_postmortem, incidents::put_section, incidents::move_postmortem,
        incidents::check, incidents::list_actions, incidents::add_action, incidents::change_action,
        incidents::history, incidents::diff, incidents::export,
        accounts::me, accounts::list_tokens, accounts::create_token, accounts::revoke_token,
        accounts::list_users, accounts::create_user, accounts::change_user,
        document::put_responders, document::draft_message, document::put_message,
        document::tick_checklist, document::import_document,
        intake::list_proposals, intake::decide_proposals, intake::import_chat,
    ),
    components(schemas(
        ErrorBody, model::IncidentJson, model::IncidentPage, model::NewIncidentJson,
        model::IncidentChangeJson, model::FiguresJson, model::IncidentDetailJson, model::EventJson,
        model::NewEventJson, model::ActionJson, model::ActionFieldsJson, model::FindingJson,
        model::UserJson,
        document::PersonJson, document::RespondersJson, document::MessageTextJson,
        document::DraftJson, document::BlameFindingJson, document::MessageJson,
        document::TickJson, document::ChecklistItemJson,
        intake::ProposalJson, intake::LearntJson, intake::ProposedEventJson, intake::ProposedActionJson,
        intake::ProposedPersonJson, intake::DecideJson, intake::DecidedJson, intake::ImportJson,
    )),
    modifiers(&Security),
    security(("token" = []), ("session" = [])),
    tags(
        (name = "incidents", description = "Open, list and change incidents"),
        (name = "timeline", description = "What happened when, with evidence"),
        (name = "postmortem", description = "The document, its review and its history"),
        (name = "actions", description = "Follow-up action items"),
        (name = "accounts", description = "Who you are, your tokens, and accounts"),
        (name = "intake", description = "Chat exports read into proposals, and the scribe's decisions"),
    )
)]
#[derive(Debug)]
pub struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "token",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("hs_…")
                    .build(),
            ),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                crate::auth::SESSION_COOKIE,
                "a browser session; changes also need its X-CSRF-Token header",
            ))),
        );
    }
}

/// The whole document as JSON: utoipa's, with the document format's schema and its definitions
/// moved into `components/schemas`.
pub fn json() -> &'static serde_json::Value {
    static DOCUMENT: OnceLock<serde_json::Value> = OnceLock::new();
    DOCUMENT.get_or_init(|| {
        let mut document = serde_json::to_value(ApiDoc::openapi()).unwrap_or_default();
        let format: serde_json::Value =
            serde_json::from_str(&hindsight_core::exchange::PostmortemDocument::json_schema())
                .unwrap_or_default();
        if let Some(schemas) = document
            .pointer_mut("/components/schemas")
            .and_then(|s| s.as_object_mut())
        {
            let mut format = rewrite_refs(format);
            if let Some(defs) = format.as_object_mut().and_then(|f| f.remove("$defs")) {
                for (name, schema) in defs.as_object().into_iter().flatten() {
                    schemas.entry(name.clone()).or_insert(schema.clone());
                }
            }
            if let Some(object) = format.as_object_mut() {
                object.remove("$schema");
            }
            schemas.insert("PostmortemDocument".to_owned(), format);
        }
        document
    })
}

/// Points the format's `#/$defs/X` references at `#/components/schemas/X`.
fn rewrite_refs(value: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| match (k.as_str(), v) {
                    ("$ref", Value::String(r)) => (
                        k,
                        Value::String(r.replace("#/$defs/", "#/components/schemas/")),
                    ),
                    (_, v) => (k, rewrite_refs(v)),
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(rewrite_refs).collect()),
        other => other,
    }
}

pub async fn document() -> impl IntoResponse {
    Json(json().clone())
}
