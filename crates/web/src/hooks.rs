//! Webhook endpoints under `/hooks/`: PagerDuty (V3, signed), Alertmanager (v4), Opsgenie and
//! Statuspage. Each delivery is parsed by the importers and applied to its incident once, so a
//! delivery retried by the tool changes nothing.
//!
//! PagerDuty proves itself with `X-PagerDuty-Signature` against the configured secrets. The
//! other tools present an editor's API token, as `Authorization: Bearer …` (Alertmanager's
//! `http_config.authorization`, Opsgenie's custom headers) or, for tools that can only be given a
//! URL (Statuspage), as `?token=…`.

use crate::{
    ApiError, AppState,
    auth::{self, Caller},
};
use axum::{
    Json, Router,
    body::Bytes,
    extract::{Path, Query, State},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    routing::post,
};
use hindsight_core::AccountRole;
use hindsight_import::webhook::WebhookUpdate;
use serde::{Deserialize, Serialize};

pub fn routes() -> Router<AppState> {
    Router::new().route("/{tool}", post(receive))
}

#[derive(Debug, Deserialize)]
pub struct HookQuery {
    token: Option<String>,
}

/// What a delivery did.
#[derive(Debug, Serialize)]
pub struct HookOutcome {
    /// The hindsight incident it went to, if any.
    pub incident: Option<String>,
    pub created: bool,
    pub duplicate: bool,
    pub events_added: usize,
    pub warnings: Vec<String>,
}

async fn receive(
    State(state): State<AppState>,
    caller: Caller,
    Path(tool): Path<String>,
    Query(query): Query<HookQuery>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let update: WebhookUpdate = match tool.as_str() {
        "pagerduty" => {
            verify_pagerduty(&state, &caller, &query, &headers, &body).await?;
            hindsight_import::pagerduty::parse(&body)
        }
        "alertmanager" | "opsgenie" | "statuspage" => {
            require_token(&state, &caller, &query).await?;
            match tool.as_str() {
                "alertmanager" => hindsight_import::alertmanager::parse(&body),
                "opsgenie" => hindsight_import::opsgenie::parse(&body),
                _ => hindsight_import::statuspage::parse(&body),
            }
        }
        other => {
            return Err(ApiError::not_found(format!(
                "no webhook `{other}`: expected pagerduty, alertmanager, opsgenie or statuspage"
            )));
        }
    }
    .map_err(|e| ApiError::bad_request("body", e))?;
    let app = state.app.acting_as(&format!("{tool} webhook"));
    let warnings = update.warnings.clone();
    let outcome =
        crate::api::blocking(move || Ok::<_, ApiError>(app.apply_webhook(&update)?)).await?;
    let (status, body) = match outcome {
        Some(o) => {
            tracing::info!(incident.key = %o.key, tool, "{tool} delivery applied to {}", o.key);
            (
                if o.created {
                    StatusCode::CREATED
                } else {
                    StatusCode::OK
                },
                HookOutcome {
                    incident: Some(o.key.to_string()),
                    created: o.created,
                    duplicate: o.duplicate,
                    events_added: o.events_added,
                    warnings,
                },
            )
        }
        None => (
            StatusCode::ACCEPTED,
            HookOutcome {
                incident: None,
                created: false,
                duplicate: false,
                events_added: 0,
                warnings,
            },
        ),
    };
    Ok((status, Json(body)).into_response())
}

/// PagerDuty's signature against any configured secret; without a secret configured, an
/// editor's token as for the other tools.
async fn verify_pagerduty(
    state: &AppState,
    caller: &Caller,
    query: &HookQuery,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(), ApiError> {
    if state.config.pagerduty_secrets.is_empty() {
        return require_token(state, caller, query).await;
    }
    let signature = headers
        .get("x-pagerduty-signature")
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::UNAUTHORIZED,
                "the delivery has no X-PagerDuty-Signature header",
            )
        })?;
    let mut last = None;
    for secret in &state.config.pagerduty_secrets {
        match hindsight_import::pagerduty::verify_signature(secret.as_bytes(), body, signature) {
            Ok(()) => return Ok(()),
            Err(e) => last = Some(e),
        }
    }
    Err(ApiError::new(
        StatusCode::UNAUTHORIZED,
        format!(
            "X-PagerDuty-Signature: {}",
            last.map(|e| e.to_string()).unwrap_or_default()
        ),
    ))
}

/// An editor's API token, from the `Authorization` header or `?token=`.
async fn require_token(
    state: &AppState,
    caller: &Caller,
    query: &HookQuery,
) -> Result<(), ApiError> {
    if caller.user.is_some() && caller.via == auth::Via::Token {
        caller.api_require(AccountRole::Editor)?;
        return Ok(());
    }
    let Some(token) = query.token.as_deref() else {
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "a webhook needs an editor's API token: `Authorization: Bearer TOKEN` or `?token=TOKEN`",
        ));
    };
    auth::token_caller(state, token)
        .await?
        .api_require(AccountRole::Editor)?;
    Ok(())
}
