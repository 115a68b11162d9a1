//! hindsight over HTTP: the HTML pages, the JSON API under `/api/v1`, the webhook endpoints
//! under `/hooks/`, sign-in and API tokens, health and metrics.
//!
//! Only this crate knows HTTP. Every handler is thin: it reads who is calling ([`auth::Caller`]),
//! checks what that caller may do, hands the work to a use case of [`hindsight_app::Hindsight`]
//! on a blocking thread (the store is synchronous), and turns the answer (or the refusal) into a
//! page or a JSON document.

pub mod api;
pub mod auth;
mod callers;
mod error;
pub mod hooks;
mod metrics;
pub mod openapi;
pub mod pages;
mod state;

pub use error::{ApiError, PageError};
pub use state::{AppState, WebConfig};

use axum::{
    Router,
    extract::{MatchedPath, Request, State},
    middleware::{self, Next},
    response::{IntoResponse, Response},
    routing::get,
};
use std::{future::Future, time::Instant};
use tokio::net::TcpListener;
use tracing::info;

/// Every route of the server.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics_text))
        .merge(pages::routes())
        .nest(
            "/api/v1",
            api::routes()
                .layer(middleware::from_fn_with_state(
                    state.clone(),
                    auth::require_account,
                ))
                .layer(middleware::map_response(api::json::json_refusals)),
        )
        .route("/api/openapi.json", get(openapi::document))
        .nest("/hooks", hooks::routes())
        .layer(middleware::from_fn(security_headers))
        .layer(middleware::from_fn_with_state(state.clone(), observe))
        .with_state(state)
}

/// Serves `router` on `listener` until `shutdown` completes, then lets requests in flight finish.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let address = listener.local_addr()?;
    info!(%address, "hindsight listening on http://{address}");
    axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown)
        .await?;
    info!("hindsight stopped");
    Ok(())
}

async fn healthz(State(state): State<AppState>) -> Response {
    let store = state.app.clone();
    match tokio::task::spawn_blocking(move || store.store().users().map(|_| ())).await {
        Ok(Ok(())) => "ok\n".into_response(),
        _ => (
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            "the database does not answer\n",
        )
            .into_response(),
    }
}

async fn metrics_text(State(state): State<AppState>) -> Response {
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        state.metrics.render(),
    )
        .into_response()
}

/// Headers that keep a page from being framed, sniffed or made to run a script: even if some
/// author's markup slipped past the sanitiser, the browser would refuse to run it.
async fn security_headers(request: Request, next: Next) -> Response {
    use axum::http::{HeaderValue, header};
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; \
             form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    response
}

/// Counts and times every request by route and status, and logs it.
async fn observe(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".to_owned());
    let response = next.run(request).await;
    let elapsed = started.elapsed();
    let status = response.status().as_u16();
    state
        .metrics
        .record(method.as_str(), &route, status, elapsed);
    tracing::debug!(
        http.method = %method,
        http.route = %route,
        http.status = status,
        elapsed_us = elapsed.as_micros() as u64,
        "{method} {route} {status}"
    );
    response
}
