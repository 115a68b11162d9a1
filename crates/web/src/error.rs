//! Refusals as HTTP answers: one mapping from the app's errors to status codes, shown as JSON to
//! the API and as a page to a browser. Internal errors are logged with their detail and answered
//! with a generic message, so nothing about the database leaks to a caller.

use axum::{
    Json,
    http::StatusCode,
    response::{IntoResponse, Response},
};
use hindsight_app::AppError;
use hindsight_store::StoreError;
use serde::Serialize;
use utoipa::ToSchema;

/// The body of every API error.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ErrorBody {
    /// The HTTP status, repeated for scripts that only keep the body.
    pub status: u16,
    /// What was refused and why, for a person.
    pub message: String,
    /// The request field at fault, when one is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// The readiness findings that block a move through the lifecycle.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub findings: Vec<crate::api::model::FindingJson>,
    /// For a stale save: the version the document is at now.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_version: Option<u64>,
}

/// An API refusal.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    pub body: ErrorBody,
}

impl ApiError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        ApiError {
            status,
            body: ErrorBody {
                status: status.as_u16(),
                message: message.into(),
                field: None,
                findings: Vec::new(),
                current_version: None,
            },
        }
    }

    pub fn bad_request(field: impl Into<String>, message: impl std::fmt::Display) -> Self {
        let field = field.into();
        let mut error = ApiError::new(StatusCode::BAD_REQUEST, format!("{field}: {message}"));
        error.body.field = Some(field);
        error
    }

    pub fn not_found(what: impl Into<String>) -> Self {
        ApiError::new(StatusCode::NOT_FOUND, what)
    }

    pub fn unauthorized() -> Self {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "sign in, or send an API token as `Authorization: Bearer TOKEN`",
        )
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::FORBIDDEN, message)
    }

    pub fn internal() -> Self {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "something went wrong on the server; it has been logged",
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (self.status, Json(self.body)).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                axum::http::header::WWW_AUTHENTICATE,
                axum::http::HeaderValue::from_static("Bearer realm=\"hindsight\""),
            );
        }
        response
    }
}

impl From<AppError> for ApiError {
    fn from(error: AppError) -> Self {
        let (status, field) = classify(&error);
        if status == StatusCode::INTERNAL_SERVER_ERROR {
            tracing::error!(error = %error, "internal error: {error}");
            return ApiError::internal();
        }
        let mut api = ApiError::new(status, error.to_string());
        api.body.field = field;
        match error {
            AppError::NotReady { findings, .. } => {
                api.body.findings = findings.iter().map(Into::into).collect();
            }
            AppError::Store(StoreError::Conflict { actual, .. }) => {
                api.body.current_version = Some(actual);
            }
            _ => {}
        }
        api
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        AppError::Store(error).into()
    }
}

/// The status code of a refusal and the field at fault.
pub(crate) fn classify(error: &AppError) -> (StatusCode, Option<String>) {
    match error {
        AppError::Store(store) if store.is_not_found() => (StatusCode::NOT_FOUND, None),
        AppError::Store(StoreError::Conflict { .. })
        | AppError::Store(StoreError::AlreadyDecided { .. })
        | AppError::Store(StoreError::UserExists(_)) => (StatusCode::CONFLICT, None),
        AppError::Store(_) => (StatusCode::INTERNAL_SERVER_ERROR, None),
        AppError::Csv { file, .. } => (StatusCode::BAD_REQUEST, Some(file.clone())),
        AppError::UnknownTemplate { .. } => (StatusCode::BAD_REQUEST, Some("template".into())),
        AppError::Invalid { field, .. } => (StatusCode::BAD_REQUEST, Some(field.clone())),
        AppError::NotFound(_) => (StatusCode::NOT_FOUND, None),
        AppError::Busy(_) => (StatusCode::CONFLICT, None),
        AppError::NotReady { .. } | AppError::ActionsOpen { .. } => {
            (StatusCode::UNPROCESSABLE_ENTITY, None)
        }
    }
}

/// A refusal shown to a browser as a page.
#[derive(Debug)]
pub struct PageError {
    pub status: StatusCode,
    pub message: String,
}

impl PageError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        PageError {
            status,
            message: message.into(),
        }
    }

    pub fn not_found(what: impl Into<String>) -> Self {
        PageError::new(StatusCode::NOT_FOUND, what)
    }
}

impl From<AppError> for PageError {
    fn from(error: AppError) -> Self {
        let (status, _) = classify(&error);
        if status == StatusCode::INTERNAL_SERVER_ERROR {
            tracing::error!(error = %error, "internal error: {error}");
            return PageError::new(
                status,
                "something went wrong on the server; it has been logged",
            );
        }
        PageError::new(status, error.to_string())
    }
}

impl From<StoreError> for PageError {
    fn from(error: StoreError) -> Self {
        AppError::Store(error).into()
    }
}

impl From<ApiError> for PageError {
    fn from(error: ApiError) -> Self {
        PageError::new(error.status, error.body.message)
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let title = self
            .status
            .canonical_reason()
            .unwrap_or("Refused")
            .to_owned();
        let body = crate::pages::layout::bare(
            &title,
            maud::html! {
                section.card {
                    h1 { (title) }
                    p.error-message { (self.message) }
                    p { a href="/" { "Back to the incidents" } }
                }
            },
        );
        (self.status, body).into_response()
    }
}
