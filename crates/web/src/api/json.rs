//! `ApiJson<T>`: a JSON request body whose refusal names the field at fault, in the API's error
//! format, instead of axum's plain-text rejection.

use crate::{ApiError, AppState};
use axum::{
    body::Bytes,
    extract::{FromRequest, Request},
    http::{StatusCode, header},
};
use serde::de::DeserializeOwned;

/// The largest JSON body the API reads (a whole post-mortem with long sections fits).
const MAX_JSON: usize = 4 * 1024 * 1024;

#[derive(Debug, Clone)]
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, ApiError> {
        let is_json = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| {
                let mime = v.split(';').next().unwrap_or("").trim();
                mime == "application/json" || mime.ends_with("+json")
            });
        if !is_json {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "send the body as JSON, with Content-Type: application/json",
            ));
        }
        let bytes = axum::body::to_bytes(request.into_body(), MAX_JSON)
            .await
            .map_err(|_| {
                ApiError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    format!("the body is larger than {} MiB", MAX_JSON / 1024 / 1024),
                )
            })?;
        let _ = state;
        parse(&bytes).map(ApiJson)
    }
}

/// Reads `bytes` as a `T`, naming the path of the field at fault.
pub fn parse<T: DeserializeOwned>(bytes: &Bytes) -> Result<T, ApiError> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
        let path = error.path().to_string();
        let inner = error.into_inner();
        if path == "." || path.is_empty() {
            ApiError::bad_request("body", inner)
        } else {
            ApiError::bad_request(path, inner)
        }
    })
}
