//! What the API, authorisation and webhook tests share: one way to send a request and read the
//! answer, timestamps masked for snapshots, and incidents filled through the API the way a team
//! would fill them.

// Each test binary includes this module and uses only part of it.
#![allow(dead_code)]

use crate::support::TestApp;
use reqwest::{Client, Method, StatusCode, header::HeaderMap};
use serde_json::{Value, json};

/// An answer of the server: its status, headers, and body (JSON when it is JSON, else text).
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
    pub text: String,
}

impl Answer {
    /// A header's value as text, or "" when absent.
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    /// The `field` an API refusal names.
    pub fn field(&self) -> &str {
        self.body["field"].as_str().unwrap_or("")
    }

    /// The `ETag` of a post-mortem answer, as sent.
    pub fn etag(&self) -> String {
        self.header("etag").to_owned()
    }
}

/// Sends `method path` with an optional JSON body and extra headers, and reads the answer.
pub async fn send(
    app: &TestApp,
    client: &Client,
    method: Method,
    path: &str,
    body: Option<Value>,
    headers: &[(&str, &str)],
) -> Answer {
    let mut request = client.request(method.clone(), app.url(path));
    if let Some(body) = body {
        request = request.json(&body);
    }
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request
        .send()
        .await
        .unwrap_or_else(|e| panic!("{method} {path}: {e}"));
    let status = response.status();
    let headers = response.headers().clone();
    let text = response.text().await.expect("a body");
    let body = serde_json::from_str(&text).unwrap_or(Value::Null);
    Answer {
        status,
        headers,
        body,
        text,
    }
}

pub async fn get(app: &TestApp, client: &Client, path: &str) -> Answer {
    send(app, client, Method::GET, path, None, &[]).await
}

pub async fn post(app: &TestApp, client: &Client, path: &str, body: Value) -> Answer {
    send(app, client, Method::POST, path, Some(body), &[]).await
}

pub async fn patch(app: &TestApp, client: &Client, path: &str, body: Value) -> Answer {
    send(app, client, Method::PATCH, path, Some(body), &[]).await
}

/// Replaces the whole post-mortem, read first so that `If-Match` is its current version; `edit`
/// changes the document as read.
pub async fn edit_postmortem(
    app: &TestApp,
    client: &Client,
    key: &str,
    edit: impl FnOnce(&mut Value),
) -> Answer {
    let read = get(app, client, &format!("/api/v1/incidents/{key}/postmortem")).await;
    assert_eq!(read.status, 200, "{}", read.text);
    let etag = read.etag();
    let mut document = read.body;
    edit(&mut document);
    send(
        app,
        client,
        Method::PUT,
        &format!("/api/v1/incidents/{key}/postmortem"),
        Some(document),
        &[("If-Match", &etag)],
    )
    .await
}

/// Replaces the value of every key named in `keys`, anywhere in `value`, with `[masked]`: the
/// instants the server stamps, so a snapshot says what a reader sees and not when it ran.
pub fn masked(mut value: Value, keys: &[&str]) -> Value {
    fn walk(value: &mut Value, keys: &[&str]) {
        match value {
            Value::Object(map) => {
                for (k, v) in map.iter_mut() {
                    if keys.contains(&k.as_str()) && !v.is_null() {
                        *v = Value::String("[masked]".into());
                    } else {
                        walk(v, keys);
                    }
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|v| walk(v, keys)),
            _ => {}
        }
    }
    walk(&mut value, keys);
    value
}

/// The instants the server stamps on what it stores.
pub const STAMPS: &[&str] = &["created_at", "recorded_at"];

/// Opens an incident through the API and returns its key.
pub async fn open_incident(app: &TestApp, client: &Client, body: Value) -> String {
    let created = post(app, client, "/api/v1/incidents", body).await;
    assert_eq!(created.status, 201, "{}", created.text);
    created.body["key"].as_str().expect("a key").to_owned()
}

/// Adds a timeline event and returns its id.
pub async fn add_event(app: &TestApp, client: &Client, key: &str, event: Value) -> i64 {
    let added = post(
        app,
        client,
        &format!("/api/v1/incidents/{key}/timeline"),
        event,
    )
    .await;
    assert_eq!(added.status, 201, "{}", added.text);
    added.body["id"].as_i64().expect("an event id")
}

/// Fills an incident opened on `day` (`YYYY-MM-DD`, UTC) until the readiness check has no error:
/// an owner, the required sections, a start and a resolution with evidence, the events dropped
/// checked, a meeting the next day, and an action item with an owner and a due date. Returns
/// the id of that action item.
pub async fn make_ready(app: &TestApp, client: &Client, key: &str, day: &str) -> i64 {
    for (time, kind, text) in [
        ("09:00", "impact_started", "Checkout began returning 502s"),
        ("09:05", "detected", "The 5xx alert fired"),
        ("09:40", "mitigated", "Traffic moved to the healthy region"),
        ("10:00", "resolved", "Error rates back to normal"),
    ] {
        add_event(
            app,
            client,
            key,
            json!({
                "at": format!("{day}T{time}:00Z"),
                "kind": kind,
                "text": text,
                "evidence": ["https://grafana.example.com/d/checkout"],
            }),
        )
        .await;
    }
    let action = post(
        app,
        client,
        &format!("/api/v1/incidents/{key}/actions"),
        json!({"title": "Alert on the load balancer's 502 rate", "owner": "Bo Chen", "due": "2026-12-01"}),
    )
    .await;
    assert_eq!(action.status, 201, "{}", action.text);
    let next_day = chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d")
        .expect("a day")
        .succ_opt()
        .expect("a next day");
    let saved = edit_postmortem(app, client, key, |pm| {
        pm["owner"] = json!("Ana Lima");
        pm["sections"] = json!({
            "overview": "Checkout returned 502s for an hour.",
            "what_happened": "A deploy exhausted the connection pool.",
            "contributing_factors": "The pool size was not load tested.",
            "resolution": "Traffic moved to the healthy region, then the deploy was rolled back.",
        });
        pm["impact"]["events_dropped"] = json!(0);
        pm["meeting"] = json!({
            "scheduled_for": format!("{next_day}T14:00:00Z"),
            "moderator": "Bo Chen",
            "note_taker": "Ana Lima",
        });
    })
    .await;
    assert_eq!(saved.status, 200, "{}", saved.text);
    action.body["id"].as_i64().expect("an action id")
}
