//! `ApiJson<T>`: a JSON request body whose refusal names the field at fault, in the API's error
//! format, instead of axum's plain-text rejection; `parse_strict` for the domain's types, which
//! otherwise ignore unknown fields; and `json_refusals`, the same format for axum's own refusals.

use crate::{ApiError, AppState};
use axum::{
    body::Bytes,
    extract::{FromRequest, Request},
    http::{StatusCode, header},
    response::{IntoResponse, Response},
};
use serde::{Serialize, de::DeserializeOwned};
use serde_json::Value;

/// The largest JSON body the API reads (a whole post-mortem with long sections fits).
const MAX_JSON: usize = 4 * 1024 * 1024;

#[derive(Debug, Clone)]
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, _state: &AppState) -> Result<Self, ApiError> {
        let (parts, body) = request.into_parts();
        let bytes = json_body(&parts.headers, body, MAX_JSON, "the body").await?;
        parse(&bytes).map(ApiJson)
    }
}

/// The bytes of a JSON body of at most `max` bytes: refused with 415 when it is not declared as
/// JSON and 413 when it is larger; `what` names it in the message ("the document").
pub async fn json_body(
    headers: &axum::http::HeaderMap,
    body: axum::body::Body,
    max: usize,
    what: &str,
) -> Result<Bytes, ApiError> {
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            let mime = v.split(';').next().unwrap_or("").trim();
            mime == "application/json" || mime.ends_with("+json")
        });
    if !is_json {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format!("send {what} as JSON, with Content-Type: application/json"),
        ));
    }
    axum::body::to_bytes(body, max).await.map_err(|_| {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("{what} is larger than {} MiB", max / 1024 / 1024),
        )
    })
}

/// Reads `bytes` as a `T`, naming the path of the field at fault.
pub fn parse<T: DeserializeOwned>(bytes: &Bytes) -> Result<T, ApiError> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut deserializer).map_err(path_error)?;
    // Whatever follows the value is refused too, not ignored.
    deserializer
        .end()
        .map_err(|e| ApiError::bad_request("body", e))?;
    Ok(value)
}

/// Reads `value` as a `T` and refuses any field `T` does not have, naming its path. For the
/// domain's types, which accept unknown fields where they are read back from storage: a
/// misspelt field sent to the API would otherwise be dropped without a word.
pub fn parse_strict<T: DeserializeOwned + Serialize>(value: Value) -> Result<T, ApiError> {
    let parsed: T = serde_path_to_error::deserialize(&value).map_err(path_error)?;
    let known = serde_json::to_value(&parsed).map_err(|_| ApiError::internal())?;
    match unknown_field(&value, &known, "") {
        Some(path) => Err(ApiError::bad_request(path, "unknown field")),
        None => Ok(parsed),
    }
}

/// The path of the first field of `given` that reading and writing back did not keep.
fn unknown_field(given: &Value, known: &Value, at: &str) -> Option<String> {
    match (given, known) {
        (Value::Object(given), Value::Object(known)) => given.iter().find_map(|(name, value)| {
            let path = if at.is_empty() {
                name.clone()
            } else {
                format!("{at}.{name}")
            };
            match known.get(name) {
                // A field left out when it is empty (`null`) was not lost.
                None if value.is_null() => None,
                None => Some(path),
                Some(kept) => unknown_field(value, kept, &path),
            }
        }),
        (Value::Array(given), Value::Array(known)) => given
            .iter()
            .zip(known)
            .enumerate()
            .find_map(|(i, (value, kept))| unknown_field(value, kept, &format!("{at}[{i}]"))),
        _ => None,
    }
}

/// A refusal naming the path where reading stopped; the whole body when it stopped before any
/// field (`.`) or could not tell where (`?`, a syntax error).
fn path_error<E: std::fmt::Display>(error: serde_path_to_error::Error<E>) -> ApiError {
    let path = error.path().to_string();
    let inner = error.into_inner();
    match path.as_str() {
        "" | "." | "?" => ApiError::bad_request("body", inner),
        _ => ApiError::bad_request(path, inner),
    }
}

/// Puts the refusals axum makes itself (a query string or path parameter that cannot be read, a
/// method the route does not have, a body over the limit) in the API's JSON error format, naming
/// the query parameter at fault, so that every refusal of the API reads the same way.
pub async fn json_refusals(response: Response) -> Response {
    let status = response.status();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !status.is_client_error() || is_json {
        return response;
    }
    let (parts, body) = response.into_parts();
    let text = axum::body::to_bytes(body, 64 * 1024)
        .await
        .map(|b| String::from_utf8_lossy(&b).trim().to_owned())
        .unwrap_or_default();
    let query = text
        .strip_prefix("Failed to deserialize query string: ")
        .and_then(|rest| rest.split_once(": "));
    let mut error = match query {
        Some((field, message)) => ApiError::bad_request(field, message),
        None if text.is_empty() => ApiError::new(
            status,
            status
                .canonical_reason()
                .unwrap_or("refused")
                .to_lowercase(),
        ),
        None => ApiError::new(status, text),
    };
    error.status = status;
    error.body.status = status.as_u16();
    let mut answer = error.into_response();
    // What the answer said besides its body stays: `Allow` on a 405, for one.
    let own: Vec<_> = answer.headers().keys().cloned().collect();
    for (name, value) in &parts.headers {
        if !own.contains(name) {
            answer.headers_mut().append(name, value.clone());
        }
    }
    answer
}
