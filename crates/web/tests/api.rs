//! The JSON API under `/api/v1` through the real server: every route, the answers a script
//! relies on (status codes, the field at fault, `ETag` and `If-Match`, paging), and private
//! incidents hidden from those who are not part of them.

mod seed;
mod support;

use hindsight_core::{AccountRole, IncidentKey, Person, Role};
use reqwest::Method;
use seed::{
    STAMPS, add_event, edit_postmortem, get, make_ready, masked, open_incident, patch, post, send,
};
use serde_json::{Value, json};
use support::TestApp;

/// The keys of a page of incidents, in the order listed.
fn keys(page: &Value) -> Vec<String> {
    page["incidents"]
        .as_array()
        .expect("a list of incidents")
        .iter()
        .map(|i| i["key"].as_str().expect("a key").to_owned())
        .collect()
}

/// The instant `day` at 08:00 UTC.
fn morning(day: &str) -> chrono::DateTime<chrono::Utc> {
    format!("{day}T08:00:00Z").parse().expect("an instant")
}

#[tokio::test]
async fn an_editor_opens_an_incident_and_reads_it_back_with_its_figures_and_document() {
    let app = TestApp::spawn().await;
    let ana = app.account("ana", "Ana Lima", AccountRole::Editor);
    let api = app.api(&ana);
    let created = post(
        &app,
        &api,
        "/api/v1/incidents",
        json!({"title": "Checkout returned 502s", "severity": "SEV-2",
               "services": ["checkout-api", " ", "payments"], "timezone": "Europe/Paris"}),
    )
    .await;
    assert_eq!(created.status, 201);
    assert_eq!(created.header("location"), "/api/v1/incidents/INC-1");
    insta::assert_json_snapshot!("created_incident", masked(created.body, STAMPS));

    add_event(
        &app,
        &api,
        "INC-1",
        json!({"at": "2026-11-01 10:00", "kind": "impact_started", "text": "502s began",
               "evidence": ["https://grafana.example.com/d/checkout"]}),
    )
    .await;
    add_event(
        &app,
        &api,
        "INC-1",
        json!({"at": "2026-11-01T09:20:00Z", "kind": "detected", "text": "The 5xx alert fired"}),
    )
    .await;
    let read = get(&app, &api, "/api/v1/incidents/INC-1").await;
    assert_eq!(read.status, 200);
    // A local time is read in the incident's timezone: 10:00 in Paris is 09:00 UTC.
    assert_eq!(read.body["figures"]["started_at"], "2026-11-01T09:00:00Z");
    assert_eq!(read.body["figures"]["time_to_detect_s"], 20 * 60);
    assert_eq!(read.body["document"]["format"], "hindsight.postmortem");
    insta::assert_json_snapshot!("incident_detail", masked(read.body, STAMPS));
    app.stop().await;
}

#[tokio::test]
async fn an_unknown_or_malformed_incident_key_is_404() {
    let app = TestApp::spawn().await;
    let ana = app.account("ana", "Ana Lima", AccountRole::Editor);
    let api = app.api(&ana);
    for path in [
        "/api/v1/incidents/INC-404",
        "/api/v1/incidents/not-a-key",
        "/api/v1/incidents/INC-404/timeline",
        "/api/v1/incidents/INC-404/postmortem",
        "/api/v1/incidents/INC-404/check",
        "/api/v1/incidents/INC-404/actions",
        "/api/v1/incidents/INC-404/history",
        "/api/v1/incidents/INC-404/export/markdown",
        "/api/v1/no-such-route",
    ] {
        let answer = get(&app, &api, path).await;
        assert_eq!(answer.status, 404, "GET {path}: {}", answer.text);
        assert_eq!(answer.body["status"], 404, "GET {path} answers in JSON");
    }
    app.stop().await;
}

/// Five incidents over October, with different severities, services, owners and states.
async fn five_incidents(app: &TestApp, api: &reqwest::Client) {
    let open = |day: &'static str, body: Value| {
        app.clock.set(morning(day));
        open_incident(app, api, body)
    };
    open(
        "2026-10-01",
        json!({"title": "Checkout returned 502s", "severity": "SEV-1", "services": ["checkout-api"], "timezone": "Europe/Paris"}),
    )
    .await;
    make_ready(app, api, "INC-1", "2026-10-01").await;
    let moved = post(
        app,
        api,
        "/api/v1/incidents/INC-1/postmortem/status",
        json!({"to": "in_review"}),
    )
    .await;
    assert_eq!(moved.status, 200, "{}", moved.text);
    open(
        "2026-10-10",
        json!({"title": "Search was slow", "severity": "SEV-3", "services": ["search"]}),
    )
    .await;
    add_event(
        app,
        api,
        "INC-2",
        json!({"at": "2026-10-10T09:00:00Z", "kind": "mitigated", "text": "Cache warmed"}),
    )
    .await;
    open(
        "2026-10-20",
        json!({"title": "CHECKOUT latency", "severity": "SEV-2", "services": ["checkout-api", "payments"]}),
    )
    .await;
    open(
        "2026-10-25",
        json!({"title": "Login errors", "severity": "SEV-3", "services": ["auth"]}),
    )
    .await;
    let owned = edit_postmortem(app, api, "INC-4", |pm| pm["owner"] = json!("Bo Chen")).await;
    assert_eq!(owned.status, 200, "{}", owned.text);
    open(
        "2026-10-31",
        json!({"title": "100% of uploads_failed", "severity": "SEV-4"}),
    )
    .await;
}

async fn the_list_filters_by_each_field_and_pages_through_next(app: TestApp) {
    let ana = app.account("ana", "Ana Lima", AccountRole::Editor);
    let api = app.api(&ana);
    five_incidents(&app, &api).await;
    for (query, expected) in [
        ("", vec!["INC-5", "INC-4", "INC-3", "INC-2", "INC-1"]),
        ("status=active", vec!["INC-5", "INC-4", "INC-3"]),
        ("status=mitigated", vec!["INC-2"]),
        ("status=resolved", vec!["INC-1"]),
        ("severity=SEV-3", vec!["INC-4", "INC-2"]),
        ("service=checkout-api", vec!["INC-3", "INC-1"]),
        ("service=payments", vec!["INC-3"]),
        ("owner=Bo%20Chen", vec!["INC-4"]),
        ("owner=Ana%20Lima", vec!["INC-1"]),
        ("postmortem_status=in_review", vec!["INC-1"]),
        (
            "postmortem_status=draft",
            vec!["INC-5", "INC-4", "INC-3", "INC-2"],
        ),
        ("from=2026-10-10&to=2026-10-20", vec!["INC-3", "INC-2"]),
        ("from=2026-10-26", vec!["INC-5"]),
        ("to=2026-10-01", vec!["INC-1"]),
        ("q=checkout", vec!["INC-3", "INC-1"]),
        ("q=100%25", vec!["INC-5"]),
        // `%` and `_` are letters to look for, not wildcards.
        ("q=of_u", vec![]),
        ("q=o%25d", vec![]),
        ("q=uploads_failed", vec!["INC-5"]),
        ("service=checkout-api&severity=SEV-2", vec!["INC-3"]),
        ("severity=SEV-5", vec![]),
        // Blank filters are no filters, as an empty form field sends them.
        (
            "status=&severity=&q=%20",
            vec!["INC-5", "INC-4", "INC-3", "INC-2", "INC-1"],
        ),
    ] {
        let page = get(&app, &api, &format!("/api/v1/incidents?{query}")).await;
        assert_eq!(page.status, 200, "?{query}: {}", page.text);
        assert_eq!(keys(&page.body), expected, "?{query}");
        assert_eq!(page.body["next"], Value::Null, "?{query} fits on one page");
    }

    // Following `next` walks every incident once, newest first, keeping the filters.
    for (query, expected) in [
        ("limit=2", vec!["INC-5", "INC-4", "INC-3", "INC-2", "INC-1"]),
        ("limit=1&service=checkout-api", vec!["INC-3", "INC-1"]),
    ] {
        let mut seen = Vec::new();
        let mut pages = 0;
        let mut next = Some(format!("/api/v1/incidents?{query}"));
        while let Some(path) = next {
            let page = get(&app, &api, &path).await;
            assert_eq!(page.status, 200, "{path}: {}", page.text);
            let listed = keys(&page.body);
            assert!(
                listed.len() <= query_limit(query),
                "{path} respects its limit"
            );
            seen.extend(listed);
            next = page.body["next"].as_str().map(str::to_owned);
            pages += 1;
            assert!(pages < 10, "paging ends");
        }
        assert_eq!(seen, expected, "?{query}");
        assert!(
            pages >= expected.len() / query_limit(query),
            "?{query} took several pages"
        );
    }
    app.stop().await;
}

fn query_limit(query: &str) -> usize {
    query
        .split('&')
        .find_map(|p| p.strip_prefix("limit="))
        .and_then(|l| l.parse().ok())
        .expect("a limit")
}

#[tokio::test]
async fn the_incident_list_filters_by_each_field_and_pages_through_next() {
    the_list_filters_by_each_field_and_pages_through_next(TestApp::spawn().await).await;
}

#[tokio::test]
async fn the_incident_list_filters_and_pages_the_same_on_postgresql() {
    if let Some(app) = TestApp::spawn_postgres().await {
        the_list_filters_by_each_field_and_pages_through_next(app).await;
    }
}

#[tokio::test]
async fn a_filter_that_cannot_be_read_is_refused_naming_the_parameter() {
    let app = TestApp::spawn().await;
    let ana = app.account("ana", "Ana Lima", AccountRole::Viewer);
    let api = app.api(&ana);
    for (query, field) in [
        ("status=smouldering", "status"),
        ("severity=SEV-9", "severity"),
        ("severity=high", "severity"),
        ("postmortem_status=finished", "postmortem_status"),
        ("from=2026-13-01", "from"),
        ("to=yesterday", "to"),
        ("before=INC-x", "before"),
        ("limit=-1", "limit"),
        ("limit=many", "limit"),
    ] {
        let answer = get(&app, &api, &format!("/api/v1/incidents?{query}")).await;
        assert_eq!(answer.status, 400, "?{query}: {}", answer.text);
        assert_eq!(answer.field(), field, "?{query}: {}", answer.text);
    }
    app.stop().await;
}

#[tokio::test]
async fn patching_an_incident_changes_only_the_fields_sent() {
    let app = TestApp::spawn().await;
    let ana = app.account("ana", "Ana Lima", AccountRole::Editor);
    let api = app.api(&ana);
    open_incident(
        &app,
        &api,
        json!({"title": "Search slow", "severity": "SEV-3", "services": ["search"]}),
    )
    .await;
    let changed = patch(
        &app,
        &api,
        "/api/v1/incidents/INC-1",
        json!({"title": "Search returned stale results", "services": ["search", "indexer", "search"]}),
    )
    .await;
    assert_eq!(changed.status, 200, "{}", changed.text);
    assert_eq!(changed.body["title"], "Search returned stale results");
    assert_eq!(changed.body["services"], json!(["search", "indexer"]));
    assert_eq!(
        changed.body["severity"], "SEV-3",
        "the severity was not sent"
    );
    let changed = patch(
        &app,
        &api,
        "/api/v1/incidents/INC-1",
        json!({"severity": "SEV-2", "timezone": "America/New_York", "private": true}),
    )
    .await;
    assert_eq!(changed.status, 200, "{}", changed.text);
    assert_eq!(changed.body["title"], "Search returned stale results");
    assert_eq!(
        (
            &changed.body["severity"],
            &changed.body["timezone"],
            &changed.body["private"]
        ),
        (&json!("SEV-2"), &json!("America/New_York"), &json!(true))
    );
    for (body, field) in [
        (json!({"severity": "SEV-0"}), "severity"),
        (json!({"timezone": "Mars/Olympus"}), "timezone"),
        (json!({"title": "  "}), "title"),
        (json!({"title": "two\nlines"}), "title"),
    ] {
        let refused = patch(&app, &api, "/api/v1/incidents/INC-1", body.clone()).await;
        assert_eq!(refused.status, 400, "{body}: {}", refused.text);
        assert_eq!(refused.field(), field, "{body}");
    }
    let read = get(&app, &api, "/api/v1/incidents/INC-1").await;
    assert_eq!(
        read.body["incident"]["severity"], "SEV-2",
        "a refused change changed nothing"
    );
    app.stop().await;
}

#[tokio::test]
async fn the_timeline_takes_events_with_evidence_and_they_can_be_replaced_and_removed() {
    let app = TestApp::spawn().await;
    let ana = app.account("ana", "Ana Lima", AccountRole::Editor);
    let api = app.api(&ana);
    open_incident(
        &app,
        &api,
        json!({"title": "Checkout 502s", "severity": "SEV-2", "timezone": "Europe/Paris"}),
    )
    .await;
    let event = json!({
        "at": "2026-11-01 10:00", "kind": "severity_changed", "severity": "SEV-1",
        "text": "Raised to SEV-1 as payments failed", "author": "Ana Lima",
        "evidence": ["https://grafana.example.com/d/payments", "https://chat.example.com/m/1"],
        "key_point": true,
    });
    let added = post(
        &app,
        &api,
        "/api/v1/incidents/INC-1/timeline",
        event.clone(),
    )
    .await;
    assert_eq!(added.status, 201, "{}", added.text);
    insta::assert_json_snapshot!("added_event", masked(added.body.clone(), STAMPS));
    let id = added.body["id"].as_i64().unwrap();

    let again = post(&app, &api, "/api/v1/incidents/INC-1/timeline", event).await;
    assert_eq!(again.status, 200, "the same event again is not added twice");
    assert_eq!(again.body, Value::Null);

    let replaced = send(
        &app,
        &api,
        Method::PUT,
        &format!("/api/v1/incidents/INC-1/timeline/{id}"),
        Some(
            json!({"at": "2026-11-01T09:05:00Z", "kind": "detected", "text": "The 5xx alert fired",
                    "evidence": ["https://alerts.example.com/a/7"]}),
        ),
        &[],
    )
    .await;
    assert_eq!(replaced.status, 200, "{}", replaced.text);
    assert_eq!(replaced.body["id"], id);
    assert_eq!(replaced.body["kind"], "detected");
    assert_eq!(replaced.body["severity"], Value::Null);
    assert_eq!(
        replaced.body["evidence"],
        json!(["https://alerts.example.com/a/7"])
    );
    assert_eq!(replaced.body["key_point"], false);
    assert_eq!(replaced.body["source"], "typed");

    let listed = get(&app, &api, "/api/v1/incidents/INC-1/timeline").await;
    assert_eq!(listed.status, 200);
    assert_eq!(listed.body.as_array().unwrap().len(), 1);
    assert_eq!(listed.body[0]["text"], "The 5xx alert fired");

    let path = format!("/api/v1/incidents/INC-1/timeline/{id}");
    let removed = send(&app, &api, Method::DELETE, &path, None, &[]).await;
    assert_eq!(removed.status, 204);
    let listed = get(&app, &api, "/api/v1/incidents/INC-1/timeline").await;
    assert_eq!(listed.body, json!([]));
    let removed = send(&app, &api, Method::DELETE, &path, None, &[]).await;
    assert_eq!(removed.status, 404, "removing it twice: {}", removed.text);
    let replaced = send(
        &app,
        &api,
        Method::PUT,
        &path,
        Some(json!({"at": "2026-11-01T09:05:00Z", "kind": "detected", "text": "Gone"})),
        &[],
    )
    .await;
    assert_eq!(
        replaced.status, 404,
        "replacing a removed event: {}",
        replaced.text
    );
    app.stop().await;
}

#[tokio::test]
async fn an_event_that_breaks_a_timeline_rule_is_refused_naming_the_field() {
    let app = TestApp::spawn().await;
    let ana = app.account("ana", "Ana Lima", AccountRole::Editor);
    let api = app.api(&ana);
    open_incident(
        &app,
        &api,
        json!({"title": "Checkout 502s", "severity": "SEV-2", "timezone": "Europe/Paris"}),
    )
    .await;
    let good = json!({"at": "2026-11-01T09:00:00Z", "kind": "detected", "text": "Alert"});
    let with = |field: &str, value: Value| {
        let mut event = good.clone();
        event[field] = value;
        event
    };
    for (event, field) in [
        (with("at", json!("yesterday")), "at"),
        (with("at", json!("2026-02-30 10:00")), "at"),
        // Paris skips 02:00–03:00 on the last Sunday of March.
        (with("at", json!("2026-03-29 02:30")), "at"),
        (with("kind", json!("exploded")), "kind"),
        (with("text", json!("")), "text"),
        (with("severity", json!("SEV-1")), "severity"),
        (
            with("evidence", json!(["javascript:alert(1)"])),
            "evidence[0]",
        ),
        (
            with("evidence", json!(["https://ok.example.com", "ftp://files"])),
            "evidence[1]",
        ),
        (
            json!({"at": "2026-11-01T09:00:00Z", "kind": "severity_changed", "text": "Raised"}),
            "severity",
        ),
        (with("key_point", json!("yes")), "key_point"),
        (with("colour", json!("red")), "colour"),
    ] {
        let refused = post(
            &app,
            &api,
            "/api/v1/incidents/INC-1/timeline",
            event.clone(),
        )
        .await;
        assert_eq!(refused.status, 400, "{event}: {}", refused.text);
        assert_eq!(refused.field(), field, "{event}: {}", refused.text);
    }
    let listed = get(&app, &api, "/api/v1/incidents/INC-1/timeline").await;
    assert_eq!(listed.body, json!([]), "nothing refused was added");
    app.stop().await;
}

#[tokio::test]
async fn a_postmortem_save_needs_if_match_and_a_stale_one_is_409_with_the_current_version() {
    let app = TestApp::spawn().await;
    let ana = app.account("ana", "Ana Lima", AccountRole::Editor);
    let api = app.api(&ana);
    open_incident(
        &app,
        &api,
        json!({"title": "Search slow", "severity": "SEV-3"}),
    )
    .await;
    let path = "/api/v1/incidents/INC-1/postmortem";
    let read = get(&app, &api, path).await;
    assert_eq!(read.status, 200);
    assert_eq!(read.etag(), "\"1\"");
    insta::assert_json_snapshot!("empty_postmortem", read.body);
    let mut document = read.body.clone();
    document["owner"] = json!("Ana Lima");
    document["sections"]["overview"] = json!("Search answered in 4 s instead of 200 ms.");

    let missing = send(&app, &api, Method::PUT, path, Some(document.clone()), &[]).await;
    assert_eq!(missing.status, 428, "{}", missing.text);
    assert!(
        missing.body["message"]
            .as_str()
            .unwrap()
            .contains("If-Match")
    );

    let unreadable = send(
        &app,
        &api,
        Method::PUT,
        path,
        Some(document.clone()),
        &[("If-Match", "latest")],
    )
    .await;
    assert_eq!(unreadable.status, 400);
    assert_eq!(unreadable.field(), "If-Match");

    let saved = send(
        &app,
        &api,
        Method::PUT,
        path,
        Some(document.clone()),
        &[("If-Match", "\"1\"")],
    )
    .await;
    assert_eq!(saved.status, 200, "{}", saved.text);
    assert_eq!(saved.etag(), "\"2\"");
    assert_eq!(saved.body["owner"], "Ana Lima");

    // Saving the same document again changes nothing and keeps the version.
    let same = send(
        &app,
        &api,
        Method::PUT,
        path,
        Some(document.clone()),
        &[("If-Match", "\"2\"")],
    )
    .await;
    assert_eq!(
        (same.status.as_u16(), same.etag()),
        (200, "\"2\"".to_owned())
    );

    let mut stale_edit = read.body.clone();
    stale_edit["owner"] = json!("Bo Chen");
    let stale = send(
        &app,
        &api,
        Method::PUT,
        path,
        Some(stale_edit),
        &[("If-Match", "W/\"1\"")],
    )
    .await;
    assert_eq!(stale.status, 409, "{}", stale.text);
    assert_eq!(stale.body["current_version"], 2);
    assert_eq!(get(&app, &api, path).await.body["owner"], "Ana Lima");

    let mut published = document.clone();
    published["status"] = json!("published");
    let moved = send(
        &app,
        &api,
        Method::PUT,
        path,
        Some(published),
        &[("If-Match", "\"2\"")],
    )
    .await;
    assert_eq!(moved.status, 400, "{}", moved.text);
    assert_eq!(moved.field(), "status");
    let mut retemplated = document.clone();
    retemplated["template"] = json!("google-sre");
    let retemplated = send(
        &app,
        &api,
        Method::PUT,
        path,
        Some(retemplated),
        &[("If-Match", "\"2\"")],
    )
    .await;
    assert_eq!(retemplated.status, 400, "{}", retemplated.text);
    assert_eq!(retemplated.field(), "template");
    assert_eq!(
        get(&app, &api, path).await.etag(),
        "\"2\"",
        "nothing refused was saved"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_postmortem_with_a_misspelt_or_mistyped_field_is_refused_instead_of_dropped() {
    let app = TestApp::spawn().await;
    let ana = app.account("ana", "Ana Lima", AccountRole::Editor);
    let api = app.api(&ana);
    open_incident(
        &app,
        &api,
        json!({"title": "Search slow", "severity": "SEV-3"}),
    )
    .await;
    let path = "/api/v1/incidents/INC-1/postmortem";
    let read = get(&app, &api, path).await;
    for (edit, field) in [
        (json!({"ownr": "Ana Lima"}), "ownr"),
        (
            json!({"impact": {"events_droped": 0}}),
            "impact.events_droped",
        ),
        (
            json!({"impact": {"events_dropped": -1}}),
            "impact.events_dropped",
        ),
        (
            json!({"meeting": {"scheduled_for": "next tuesday"}}),
            "meeting.scheduled_for",
        ),
        (json!({"owner": ""}), "owner"),
        (json!({"status": "finished"}), "status"),
    ] {
        let mut document = read.body.clone();
        merge(&mut document, &edit);
        let refused = send(
            &app,
            &api,
            Method::PUT,
            path,
            Some(document),
            &[("If-Match", "\"1\"")],
        )
        .await;
        assert_eq!(refused.status, 400, "{edit}: {}", refused.text);
        assert_eq!(refused.field(), field, "{edit}: {}", refused.text);
    }
    assert_eq!(get(&app, &api, path).await.etag(), "\"1\"");
    app.stop().await;
}

/// Merges the keys of `patch` into `value`, recursively.
fn merge(value: &mut Value, patch: &Value) {
    match (value, patch) {
        (Value::Object(into), Value::Object(from)) => {
            for (k, v) in from {
                merge(into.entry(k.clone()).or_insert(Value::Null), v);
            }
        }
        (slot, v) => *slot = v.clone(),
    }
}

#[tokio::test]
async fn a_section_is_saved_by_its_id_and_an_unknown_section_is_404() {
    let app = TestApp::spawn().await;
    let ana = app.account("ana", "Ana Lima", AccountRole::Editor);
    let api = app.api(&ana);
    open_incident(
        &app,
        &api,
        json!({"title": "Search slow", "severity": "SEV-3"}),
    )
    .await;
    let section = |id: &str| format!("/api/v1/incidents/INC-1/postmortem/sections/{id}");
    let body = Some(json!({"markdown": "Search answered in **4 s**."}));
    let missing = send(
        &app,
        &api,
        Method::PUT,
        &section("overview"),
        body.clone(),
        &[],
    )
    .await;
    assert_eq!(missing.status, 428);
    let saved = send(
        &app,
        &api,
        Method::PUT,
        &section("overview"),
        body.clone(),
        &[("If-Match", "\"1\"")],
    )
    .await;
    assert_eq!(saved.status, 204, "{}", saved.text);
    assert_eq!(saved.etag(), "\"2\"");
    let read = get(&app, &api, "/api/v1/incidents/INC-1/postmortem").await;
    assert_eq!(
        read.body["sections"]["overview"],
        "Search answered in **4 s**."
    );
    let unknown = send(
        &app,
        &api,
        Method::PUT,
        &section("epilogue"),
        body.clone(),
        &[("If-Match", "\"2\"")],
    )
    .await;
    assert_eq!(unknown.status, 404, "{}", unknown.text);
    assert!(
        unknown.body["message"]
            .as_str()
            .unwrap()
            .contains("overview"),
        "it lists the sections"
    );
    let stale = send(
        &app,
        &api,
        Method::PUT,
        &section("resolution"),
        body.clone(),
        &[("If-Match", "\"1\"")],
    )
    .await;
    assert_eq!(stale.status, 409);
    assert_eq!(stale.body["current_version"], 2);
    let wrong_type = send(
        &app,
        &api,
        Method::PUT,
        &section("resolution"),
        Some(json!({"markdown": ["a list"]})),
        &[("If-Match", "\"2\"")],
    )
    .await;
    assert_eq!(
        (wrong_type.status.as_u16(), wrong_type.field()),
        (400, "markdown")
    );
    app.stop().await;
}

#[tokio::test]
async fn moving_to_review_is_refused_with_the_findings_until_the_postmortem_is_ready() {
    let app = TestApp::spawn().await;
    let ana = app.account("ana", "Ana Lima", AccountRole::Editor);
    let api = app.api(&ana);
    app.clock.set(morning("2026-11-02"));
    open_incident(
        &app,
        &api,
        json!({"title": "Checkout 502s", "severity": "SEV-2"}),
    )
    .await;
    let status = "/api/v1/incidents/INC-1/postmortem/status";

    let refused = post(&app, &api, status, json!({"to": "in_review"})).await;
    assert_eq!(refused.status, 422, "{}", refused.text);
    let rules: Vec<&str> = refused.body["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    for rule in [
        "no-owner",
        "required-section-empty",
        "no-start",
        "no-resolution",
        "meeting-not-scheduled",
    ] {
        assert!(rules.contains(&rule), "{rule} is among {rules:?}");
    }
    assert!(
        refused.body["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["level"] == "error"),
        "only errors block a move"
    );

    let skipping = post(&app, &api, status, json!({"to": "published"})).await;
    assert_eq!(
        (skipping.status.as_u16(), skipping.field()),
        (400, "to"),
        "{}",
        skipping.text
    );
    let unknown = post(&app, &api, status, json!({"to": "finished"})).await;
    assert_eq!((unknown.status.as_u16(), unknown.field()), (400, "to"));

    let action = make_ready(&app, &api, "INC-1", "2026-11-02").await;
    let check = get(&app, &api, "/api/v1/incidents/INC-1/check").await;
    assert!(
        check
            .body
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["level"] == "warning"),
        "{}",
        check.text
    );
    for to in ["in_review", "reviewed", "published"] {
        let moved = post(&app, &api, status, json!({"to": to})).await;
        assert_eq!(moved.status, 200, "to {to}: {}", moved.text);
        assert_eq!(moved.body["postmortem_status"], to);
    }
    // Closing waits for every action item.
    let refused = post(&app, &api, status, json!({"to": "closed"})).await;
    assert_eq!(refused.status, 422, "{}", refused.text);
    assert!(
        refused.body["message"]
            .as_str()
            .unwrap()
            .contains("Alert on the load balancer")
    );
    let done = patch(
        &app,
        &api,
        &format!("/api/v1/incidents/INC-1/actions/{action}"),
        json!({"status": "done"}),
    )
    .await;
    assert_eq!(done.status, 200, "{}", done.text);
    let closed = post(&app, &api, status, json!({"to": "closed"})).await;
    assert_eq!(closed.status, 200, "{}", closed.text);
    assert_eq!(closed.body["postmortem_status"], "closed");
    app.stop().await;
}

#[tokio::test]
async fn the_check_lists_errors_before_warnings() {
    let app = TestApp::spawn().await;
    let ana = app.account("ana", "Ana Lima", AccountRole::Viewer);
    let bo = app.account("bo", "Bo Chen", AccountRole::Editor);
    open_incident(
        &app,
        &app.api(&bo),
        json!({"title": "Search slow", "severity": "SEV-3"}),
    )
    .await;
    add_event(
        &app,
        &app.api(&bo),
        "INC-1",
        json!({"at": "2026-11-01T09:00:00Z", "kind": "detected", "text": "Alert"}),
    )
    .await;
    let check = get(&app, &app.api(&ana), "/api/v1/incidents/INC-1/check").await;
    assert_eq!(check.status, 200);
    let levels: Vec<&str> = check
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["level"].as_str().unwrap())
        .collect();
    assert!(
        levels.contains(&"error") && levels.contains(&"warning"),
        "{levels:?}"
    );
    let first_warning = levels.iter().position(|l| *l == "warning").unwrap();
    assert!(
        levels[first_warning..].iter().all(|l| *l == "warning"),
        "{levels:?}"
    );
    insta::assert_json_snapshot!("check_findings", check.body);
    app.stop().await;
}

#[tokio::test]
async fn action_items_are_filed_and_changed_with_their_tags() {
    let app = TestApp::spawn().await;
    let ana = app.account("ana", "Ana Lima", AccountRole::Editor);
    let api = app.api(&ana);
    open_incident(
        &app,
        &api,
        json!({"title": "Checkout 502s", "severity": "SEV-1"}),
    )
    .await;
    add_event(
        &app,
        &api,
        "INC-1",
        json!({"at": "2026-10-30T09:00:00Z", "kind": "impact_started", "text": "502s began"}),
    )
    .await;
    let actions = "/api/v1/incidents/INC-1/actions";
    let filed = post(
        &app,
        &api,
        actions,
        json!({"title": "Load test the connection pool", "owner": "Bo Chen", "due": "2026-12-01",
               "priority": "p1", "kind": "prevent", "impact": "high", "effort": "medium",
               "ticket": "https://jira.example.com/browse/OPS-1"}),
    )
    .await;
    assert_eq!(filed.status, 201, "{}", filed.text);
    insta::assert_json_snapshot!("filed_action", masked(filed.body.clone(), STAMPS));
    let id = filed.body["id"].as_i64().unwrap();

    let changed = patch(
        &app,
        &api,
        &format!("{actions}/{id}"),
        json!({"status": "in_progress", "due": "", "ticket": ""}),
    )
    .await;
    assert_eq!(changed.status, 200, "{}", changed.text);
    assert_eq!(changed.body["status"], "in_progress");
    assert_eq!(
        changed.body["due"],
        Value::Null,
        "an empty due date removes it"
    );
    assert_eq!(changed.body["ticket"], Value::Null);
    assert_eq!(
        changed.body["owner"], "Bo Chen",
        "fields not sent keep their value"
    );
    assert_eq!(changed.body["priority"], "p1");

    let listed = get(&app, &api, actions).await;
    assert_eq!(listed.status, 200);
    assert_eq!(listed.body.as_array().unwrap().len(), 1);
    assert_eq!(listed.body[0]["status"], "in_progress");

    for (body, field) in [
        (json!({"owner": "Bo Chen"}), "title"),
        (json!({"title": "X", "due": "2026-12-32"}), "due"),
        (json!({"title": "X", "priority": "urgent"}), "priority"),
        (json!({"title": "X", "kind": "blame"}), "kind"),
        (json!({"title": "X", "impact": "huge"}), "impact"),
        (json!({"title": "X", "effort": 3}), "effort"),
        (json!({"title": "X", "status": "closed"}), "status"),
        (
            json!({"title": "X", "ticket": "javascript:alert(1)"}),
            "ticket",
        ),
        (json!({"title": "X", "assignee": "Bo"}), "assignee"),
    ] {
        let refused = post(&app, &api, actions, body.clone()).await;
        assert_eq!(refused.status, 400, "{body}: {}", refused.text);
        assert_eq!(refused.field(), field, "{body}: {}", refused.text);
    }
    let refused = patch(
        &app,
        &api,
        &format!("{actions}/{id}"),
        json!({"status": "closed"}),
    )
    .await;
    assert_eq!(
        (refused.status.as_u16(), refused.field()),
        (400, "status"),
        "{}",
        refused.text
    );
    let unknown = patch(
        &app,
        &api,
        &format!("{actions}/999"),
        json!({"status": "done"}),
    )
    .await;
    assert_eq!(unknown.status, 404, "{}", unknown.text);
    assert_eq!(
        get(&app, &api, actions)
            .await
            .body
            .as_array()
            .unwrap()
            .len(),
        1
    );
    app.stop().await;
}

#[tokio::test]
async fn every_change_is_in_the_history_and_two_revisions_diff() {
    let app = TestApp::spawn().await;
    let ana = app.account("ana", "Ana Lima", AccountRole::Editor);
    let api = app.api(&ana);
    open_incident(
        &app,
        &api,
        json!({"title": "Search slow", "severity": "SEV-3"}),
    )
    .await;
    let saved = edit_postmortem(&app, &api, "INC-1", |pm| {
        pm["sections"]["overview"] = json!("Search answered in 4 s.");
    })
    .await;
    assert_eq!(saved.status, 200);
    add_event(
        &app,
        &api,
        "INC-1",
        json!({"at": "2026-11-01T09:00:00Z", "kind": "detected", "text": "Latency alert"}),
    )
    .await;
    let history = get(&app, &api, "/api/v1/incidents/INC-1/history").await;
    assert_eq!(history.status, 200);
    insta::assert_json_snapshot!("history", masked(history.body.clone(), &["at"]));
    let last = history.body.as_array().unwrap().len();
    assert_eq!(last, 3);

    let diff = get(
        &app,
        &api,
        &format!("/api/v1/incidents/INC-1/diff?from=1&to={last}"),
    )
    .await;
    assert_eq!(diff.status, 200, "{}", diff.text);
    assert!(diff.header("content-type").starts_with("text/plain"));
    assert!(
        diff.text.contains("+Search answered in 4 s."),
        "{}",
        diff.text
    );
    assert!(diff.text.contains("Latency alert"), "{}", diff.text);

    for (query, status) in [
        ("from=1&to=99", 404),
        ("from=one&to=2", 400),
        ("to=2", 400),
        ("", 400),
    ] {
        let answer = get(&app, &api, &format!("/api/v1/incidents/INC-1/diff?{query}")).await;
        assert_eq!(answer.status, status, "?{query}: {}", answer.text);
        assert_eq!(answer.body["status"], status, "?{query} answers in JSON");
    }
    app.stop().await;
}

#[tokio::test]
async fn the_postmortem_exports_as_markdown_html_and_json() {
    let app = TestApp::spawn().await;
    let ana = app.account("ana", "Ana Lima", AccountRole::Viewer);
    let bo = app.account("bo", "Bo Chen", AccountRole::Editor);
    let editor = app.api(&bo);
    app.clock.set(morning("2026-11-02"));
    open_incident(
        &app,
        &editor,
        json!({"title": "Checkout <script>alert(1)</script> 502s", "severity": "SEV-2"}),
    )
    .await;
    make_ready(&app, &editor, "INC-1", "2026-11-02").await;
    let api = app.api(&ana);
    let export = async |format: &str| {
        get(
            &app,
            &api,
            &format!("/api/v1/incidents/INC-1/export/{format}"),
        )
        .await
    };

    let markdown = export("markdown").await;
    assert_eq!(markdown.status, 200);
    assert_eq!(
        markdown.header("content-type"),
        "text/markdown; charset=utf-8"
    );
    assert_eq!(
        markdown.header("content-disposition"),
        "inline; filename=\"inc-1.md\""
    );
    assert!(
        markdown
            .text
            .contains("Checkout returned 502s for an hour.")
    );
    insta::assert_snapshot!("export_markdown", markdown.text);

    let html = export("html").await;
    assert_eq!(html.status, 200);
    assert_eq!(html.header("content-type"), "text/html; charset=utf-8");
    assert!(html.text.contains("Checkout returned 502s for an hour."));
    assert!(
        !html.text.contains("<script>alert(1)</script>"),
        "the title is escaped"
    );

    let json = export("json").await;
    assert_eq!(json.status, 200);
    assert_eq!(json.header("content-type"), "application/json");
    assert_eq!(json.body["format"], "hindsight.postmortem");
    assert_eq!(json.body["incident"]["key"], "INC-1");
    assert_eq!(json.body["timeline"].as_array().unwrap().len(), 4);

    assert_eq!(export("md").await.text, markdown.text, "md is markdown");
    let unknown = export("docx").await;
    assert_eq!(unknown.status, 404);
    assert!(
        unknown.body["message"]
            .as_str()
            .unwrap()
            .contains("markdown, html or json")
    );
    app.stop().await;
}

#[tokio::test]
async fn me_says_who_is_calling_and_anonymous_callers_are_asked_to_sign_in() {
    let app = TestApp::spawn().await;
    let ana = app.account("ana", "Ana Lima", AccountRole::Editor);
    let me = get(&app, &app.api(&ana), "/api/v1/me").await;
    assert_eq!(me.status, 200);
    insta::assert_json_snapshot!("me", masked(me.body, STAMPS));
    let anonymous = get(&app, &app.anonymous(), "/api/v1/me").await;
    assert_eq!(anonymous.status, 401);
    assert_eq!(
        anonymous.header("www-authenticate"),
        "Bearer realm=\"hindsight\""
    );
    let forged = send(
        &app,
        &app.anonymous(),
        Method::GET,
        "/api/v1/me",
        None,
        &[("Authorization", "Bearer hs_not_a_token")],
    )
    .await;
    assert_eq!(forged.status, 401);
    assert!(
        forged.body["message"]
            .as_str()
            .unwrap()
            .contains("unknown or was revoked")
    );
    app.stop().await;
}

#[tokio::test]
async fn a_token_made_through_the_api_works_until_it_is_revoked() {
    let app = TestApp::spawn().await;
    let ana = app.account("ana", "Ana Lima", AccountRole::Viewer);
    let bo = app.account("bo", "Bo Chen", AccountRole::Viewer);
    let api = app.api(&ana);
    let made = post(
        &app,
        &api,
        "/api/v1/tokens",
        json!({"label": "laptop script"}),
    )
    .await;
    assert_eq!(made.status, 201, "{}", made.text);
    let secret = made.body["token"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("hs_"));
    let id = made.body["id"].as_i64().unwrap();

    let listed = get(&app, &api, "/api/v1/tokens").await;
    assert_eq!(listed.status, 200);
    let labels: Vec<&str> = listed
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["label"].as_str().unwrap())
        .collect();
    assert_eq!(
        labels.len(),
        2,
        "the test token and the new one: {labels:?}"
    );
    assert!(labels.contains(&"laptop script"));
    assert!(
        !listed.text.contains(&secret),
        "a secret is shown only once"
    );
    assert!(
        listed
            .body
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t.get("token").is_none()),
        "{}",
        listed.text
    );

    let bearer = format!("Bearer {secret}");
    let me = send(
        &app,
        &app.anonymous(),
        Method::GET,
        "/api/v1/me",
        None,
        &[("Authorization", &bearer)],
    )
    .await;
    assert_eq!(
        (me.status.as_u16(), me.body["name"].as_str()),
        (200, Some("ana"))
    );

    let theirs = send(
        &app,
        &app.api(&bo),
        Method::DELETE,
        &format!("/api/v1/tokens/{id}"),
        None,
        &[],
    )
    .await;
    assert_eq!(theirs.status, 404, "nobody revokes someone else's token");
    let revoked = send(
        &app,
        &api,
        Method::DELETE,
        &format!("/api/v1/tokens/{id}"),
        None,
        &[],
    )
    .await;
    assert_eq!(revoked.status, 204);
    let me = send(
        &app,
        &app.anonymous(),
        Method::GET,
        "/api/v1/me",
        None,
        &[("Authorization", &bearer)],
    )
    .await;
    assert_eq!(me.status, 401, "a revoked token stops working");
    let again = send(
        &app,
        &api,
        Method::DELETE,
        &format!("/api/v1/tokens/{id}"),
        None,
        &[],
    )
    .await;
    assert_eq!(again.status, 404);
    for (body, field) in [
        (json!({"label": ""}), "label"),
        (json!({"name": "x"}), "name"),
        (json!({}), "body"),
    ] {
        let refused = post(&app, &api, "/api/v1/tokens", body.clone()).await;
        assert_eq!(
            (refused.status.as_u16(), refused.field()),
            (400, field),
            "{body}: {}",
            refused.text
        );
    }
    app.stop().await;
}

#[tokio::test]
async fn an_admin_lists_makes_and_changes_accounts_and_a_taken_name_is_409() {
    let app = TestApp::spawn().await;
    let root = app.account("root", "Rita Admin", AccountRole::Admin);
    let api = app.api(&root);
    let made = post(
        &app,
        &api,
        "/api/v1/users",
        json!({"name": "Cleo", "display_name": "Cleo Park", "role": "viewer", "password": "a long enough password"}),
    )
    .await;
    assert_eq!(made.status, 201, "{}", made.text);
    assert_eq!(made.body["name"], "cleo", "names are lower-cased");
    insta::assert_json_snapshot!("made_user", masked(made.body.clone(), STAMPS));
    let id = made.body["id"].as_i64().unwrap();

    let taken = post(
        &app,
        &api,
        "/api/v1/users",
        json!({"name": "CLEO", "display_name": "Another Cleo", "role": "editor", "password": "a long enough password"}),
    )
    .await;
    assert_eq!(taken.status, 409, "{}", taken.text);

    let listed = get(&app, &api, "/api/v1/users").await;
    assert_eq!(listed.status, 200);
    let names: Vec<&str> = listed
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["name"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), 2);
    assert!(
        names.contains(&"root") && names.contains(&"cleo"),
        "{names:?}"
    );
    assert!(!listed.text.contains("argon2"), "no password hash is shown");

    let promoted = patch(
        &app,
        &api,
        &format!("/api/v1/users/{id}"),
        json!({"role": "editor"}),
    )
    .await;
    assert_eq!(promoted.status, 200, "{}", promoted.text);
    assert_eq!(promoted.body["role"], "editor");

    for (body, field) in [
        (
            json!({"name": "dee", "display_name": "Dee", "role": "owner", "password": "a long enough password"}),
            "role",
        ),
        (
            json!({"name": "dee", "display_name": "Dee", "role": "viewer", "password": "short"}),
            "password",
        ),
        (
            json!({"name": "dee lee", "display_name": "Dee", "role": "viewer", "password": "a long enough password"}),
            "name",
        ),
        (
            json!({"name": "dee", "display_name": " ", "role": "viewer", "password": "a long enough password"}),
            "display_name",
        ),
        (
            json!({"name": "dee", "display_name": "Dee", "role": "viewer"}),
            "body",
        ),
    ] {
        let refused = post(&app, &api, "/api/v1/users", body.clone()).await;
        assert_eq!(
            (refused.status.as_u16(), refused.field()),
            (400, field),
            "{body}: {}",
            refused.text
        );
    }
    let demote_self = patch(
        &app,
        &api,
        &format!("/api/v1/users/{}", root.user.id.0),
        json!({"role": "viewer"}),
    )
    .await;
    assert_eq!(
        (demote_self.status.as_u16(), demote_self.field()),
        (400, "role")
    );
    let unknown = patch(&app, &api, "/api/v1/users/999", json!({"role": "viewer"})).await;
    assert_eq!(unknown.status, 404, "{}", unknown.text);
    let bad_role = patch(
        &app,
        &api,
        &format!("/api/v1/users/{id}"),
        json!({"role": "god"}),
    )
    .await;
    assert_eq!((bad_role.status.as_u16(), bad_role.field()), (400, "role"));
    assert_eq!(
        get(&app, &api, "/api/v1/users")
            .await
            .body
            .as_array()
            .unwrap()
            .len(),
        2
    );
    app.stop().await;
}

#[tokio::test]
async fn malformed_json_wrong_types_and_unknown_fields_are_400_naming_the_field_never_500() {
    let app = TestApp::spawn().await;
    let root = app.account("root", "Rita Admin", AccountRole::Admin);
    let api = app.api(&root);
    open_incident(
        &app,
        &api,
        json!({"title": "Search slow", "severity": "SEV-3"}),
    )
    .await;
    let event = add_event(
        &app,
        &api,
        "INC-1",
        json!({"at": "2026-11-01T09:00:00Z", "kind": "detected", "text": "Alert"}),
    )
    .await;
    let action = post(
        &app,
        &api,
        "/api/v1/incidents/INC-1/actions",
        json!({"title": "Fix"}),
    )
    .await;
    let action = action.body["id"].as_i64().unwrap();
    let routes = [
        (Method::POST, "/api/v1/incidents".to_owned()),
        (Method::PATCH, "/api/v1/incidents/INC-1".to_owned()),
        (Method::POST, "/api/v1/incidents/INC-1/timeline".to_owned()),
        (
            Method::PUT,
            format!("/api/v1/incidents/INC-1/timeline/{event}"),
        ),
        (Method::PUT, "/api/v1/incidents/INC-1/postmortem".to_owned()),
        (
            Method::PUT,
            "/api/v1/incidents/INC-1/postmortem/sections/overview".to_owned(),
        ),
        (
            Method::POST,
            "/api/v1/incidents/INC-1/postmortem/status".to_owned(),
        ),
        (Method::POST, "/api/v1/incidents/INC-1/actions".to_owned()),
        (
            Method::PATCH,
            format!("/api/v1/incidents/INC-1/actions/{action}"),
        ),
        (Method::POST, "/api/v1/tokens".to_owned()),
        (Method::POST, "/api/v1/users".to_owned()),
        (Method::PATCH, format!("/api/v1/users/{}", root.user.id.0)),
    ];
    let if_match = [("If-Match", "\"1\""), ("Content-Type", "application/json")];
    for (method, path) in &routes {
        for body in [
            "not json",
            "",
            "{",
            "null",
            "42",
            "{\"title\": ",
            "{} trailing",
        ] {
            let answer = app
                .api(&root)
                .request(method.clone(), app.url(path))
                .header("If-Match", "\"1\"")
                .header("Content-Type", "application/json")
                .body(body)
                .send()
                .await
                .unwrap();
            let status = answer.status();
            let error: Value = answer.json().await.unwrap_or(Value::Null);
            assert_eq!(status, 400, "{method} {path} with {body:?}: {error}");
            // Where reading stopped: the whole body, or the field whose value was cut short.
            let expected = if body.starts_with("{\"title\"") {
                "title"
            } else {
                "body"
            };
            assert_eq!(
                error["field"], expected,
                "{method} {path} with {body:?}: {error}"
            );
        }
        let unknown = send(
            &app,
            &api,
            method.clone(),
            path,
            Some(json!({"surprise": true})),
            &if_match[..1],
        )
        .await;
        assert_eq!(unknown.status, 400, "{method} {path}: {}", unknown.text);
        // The whole post-mortem misses its required fields first; its unknown fields are the
        // subject of their own test.
        assert!(
            path.ends_with("/postmortem") || unknown.field() == "surprise",
            "{method} {path} names the unknown field: {}",
            unknown.text
        );
        let not_json = app
            .api(&root)
            .request(method.clone(), app.url(path))
            .header("If-Match", "\"1\"")
            .header("Content-Type", "text/plain")
            .body("{}")
            .send()
            .await
            .unwrap();
        assert_eq!(not_json.status(), 415, "{method} {path}");
    }
    for (body, field) in [
        (json!({"title": 42, "severity": "SEV-2"}), "title"),
        (json!({"title": "X", "severity": 2}), "severity"),
        (
            json!({"title": "X", "severity": "SEV-2", "services": "checkout"}),
            "services",
        ),
        (
            json!({"title": "X", "severity": "SEV-2", "private": "yes"}),
            "private",
        ),
        (json!({"title": "X", "severity": "critical"}), "severity"),
        (
            json!({"title": "X", "severity": "SEV-2", "timezone": "Europe/Atlantis"}),
            "timezone",
        ),
        (
            json!({"title": "X", "severity": "SEV-2", "template": "no-such-template"}),
            "template",
        ),
        (
            json!({"title": "X", "severity": "SEV-2", "colour": "red"}),
            "colour",
        ),
        (json!({"title": "", "severity": "SEV-2"}), "title"),
        (
            json!({"title": "X".repeat(100_000), "severity": "SEV-2"}),
            "title",
        ),
    ] {
        let refused = post(&app, &api, "/api/v1/incidents", body.clone()).await;
        assert_eq!(refused.status, 400, "{}: {}", field, refused.text);
        assert_eq!(refused.field(), field, "{}", refused.text);
    }
    let listed = get(&app, &api, "/api/v1/incidents").await;
    assert_eq!(keys(&listed.body), ["INC-1"], "nothing refused was opened");
    app.stop().await;
}

#[tokio::test]
async fn a_path_parameter_that_is_not_a_number_is_answered_in_json() {
    let app = TestApp::spawn().await;
    let root = app.account("root", "Rita Admin", AccountRole::Admin);
    let api = app.api(&root);
    open_incident(
        &app,
        &api,
        json!({"title": "Search slow", "severity": "SEV-3"}),
    )
    .await;
    for (method, path) in [
        (Method::DELETE, "/api/v1/incidents/INC-1/timeline/abc"),
        (Method::DELETE, "/api/v1/tokens/abc"),
        (Method::PATCH, "/api/v1/users/99999999999999999999"),
        (Method::PATCH, "/api/v1/incidents/INC-1/actions/1.5"),
    ] {
        let answer = send(&app, &api, method.clone(), path, Some(json!({})), &[]).await;
        assert!(
            answer.status == 400 || answer.status == 404,
            "{method} {path}: {}",
            answer.text
        );
        assert_eq!(
            answer.body["status"],
            answer.status.as_u16(),
            "{method} {path}: {}",
            answer.text
        );
    }
    app.stop().await;
}

/// A private incident with Cleo as its scribe, and a public one.
async fn private_and_public(
    app: &TestApp,
) -> (support::Account, support::Account, support::Account) {
    let root = app.account("root", "Rita Admin", AccountRole::Admin);
    let cleo = app.account("cleo", "Cleo Park", AccountRole::Viewer);
    let dan = app.account("dan", "Dan Ito", AccountRole::Editor);
    let api = app.api(&root);
    open_incident(
        app,
        &api,
        json!({"title": "Payroll export leaked", "severity": "SEV-1", "private": true}),
    )
    .await;
    open_incident(
        app,
        &api,
        json!({"title": "Search slow", "severity": "SEV-3"}),
    )
    .await;
    let key: IncidentKey = "INC-1".parse().expect("a key");
    let hindsight = app.app.clone();
    support::off_runtime(move || {
        hindsight.edit_responders(key, "Cleo was the scribe", |r| {
            r.assign(
                Role::Scribe,
                Person::new("Cleo Park", Some("Engineer")).expect("a person"),
            )
        })
    })
    .expect("Cleo is the scribe");
    (root, cleo, dan)
}

async fn private_incidents_are_seen_only_by_their_members_and_admins(app: TestApp) {
    let (root, cleo, dan) = private_and_public(&app).await;
    let reads = [
        "/api/v1/incidents/INC-1",
        "/api/v1/incidents/INC-1/timeline",
        "/api/v1/incidents/INC-1/postmortem",
        "/api/v1/incidents/INC-1/check",
        "/api/v1/incidents/INC-1/actions",
        "/api/v1/incidents/INC-1/history",
        "/api/v1/incidents/INC-1/diff?from=1&to=2",
        "/api/v1/incidents/INC-1/export/markdown",
        "/api/v1/incidents/INC-1/export/json",
    ];
    // Dan is an editor, but not part of INC-1: it does not exist for him.
    let outsider = app.api(&dan);
    for path in reads {
        let answer = get(&app, &outsider, path).await;
        assert_eq!(answer.status, 404, "{path}: {}", answer.text);
        assert!(
            !answer.text.contains("Payroll"),
            "{path} says nothing of it"
        );
    }
    for (method, path, body) in [
        (
            Method::PATCH,
            "/api/v1/incidents/INC-1",
            json!({"title": "Mine now"}),
        ),
        (
            Method::POST,
            "/api/v1/incidents/INC-1/timeline",
            json!({"at": "2026-11-01T09:00:00Z", "kind": "detected", "text": "Seen"}),
        ),
        (
            Method::POST,
            "/api/v1/incidents/INC-1/actions",
            json!({"title": "Peek"}),
        ),
        (
            Method::POST,
            "/api/v1/incidents/INC-1/postmortem/status",
            json!({"to": "in_review"}),
        ),
    ] {
        let answer = send(&app, &outsider, method.clone(), path, Some(body), &[]).await;
        assert_eq!(answer.status, 404, "{method} {path}: {}", answer.text);
    }
    let listed = get(&app, &outsider, "/api/v1/incidents").await;
    assert_eq!(keys(&listed.body), ["INC-2"]);
    let searched = get(&app, &outsider, "/api/v1/incidents?q=payroll").await;
    assert_eq!(keys(&searched.body), Vec::<String>::new());

    // Cleo was its scribe: she sees it, in the list and on its own.
    let member = app.api(&cleo);
    for path in reads {
        let answer = get(&app, &member, path).await;
        assert_eq!(answer.status, 200, "{path}: {}", answer.text);
    }
    let listed = get(&app, &member, "/api/v1/incidents").await;
    assert_eq!(keys(&listed.body), ["INC-2", "INC-1"]);
    assert_eq!(listed.body["incidents"][1]["private"], true);

    // An admin sees every incident.
    let admin = app.api(&root);
    assert_eq!(
        get(&app, &admin, "/api/v1/incidents/INC-1").await.status,
        200
    );
    assert_eq!(
        keys(&get(&app, &admin, "/api/v1/incidents").await.body),
        ["INC-2", "INC-1"]
    );

    // Naming Dan the post-mortem's owner makes him part of it.
    let owned = edit_postmortem(&app, &admin, "INC-1", |pm| pm["owner"] = json!("Dan Ito")).await;
    assert_eq!(owned.status, 200);
    assert_eq!(
        get(&app, &outsider, "/api/v1/incidents/INC-1").await.status,
        200
    );
    assert_eq!(
        keys(&get(&app, &outsider, "/api/v1/incidents").await.body),
        ["INC-2", "INC-1"]
    );
    app.stop().await;
}

#[tokio::test]
async fn private_incidents_are_seen_only_by_their_members_and_admins_on_sqlite() {
    private_incidents_are_seen_only_by_their_members_and_admins(TestApp::spawn().await).await;
}

#[tokio::test]
async fn private_incidents_are_seen_only_by_their_members_and_admins_on_postgresql() {
    if let Some(app) = TestApp::spawn_postgres().await {
        private_incidents_are_seen_only_by_their_members_and_admins(app).await;
    }
}

#[tokio::test]
async fn a_json_body_followed_by_more_text_is_refused_instead_of_read_in_part() {
    let app = TestApp::spawn().await;
    let ana = app.account("ana", "Ana Lima", AccountRole::Editor);
    let answer = app
        .api(&ana)
        .post(app.url("/api/v1/incidents"))
        .header("Content-Type", "application/json")
        .body(r#"{"title": "Checkout 502s", "severity": "SEV-2"} {"title": "A second one"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 400);
    let error: Value = answer.json().await.unwrap();
    assert_eq!(error["field"], "body", "{error}");
    let listed = get(&app, &app.api(&ana), "/api/v1/incidents").await;
    assert_eq!(
        keys(&listed.body),
        Vec::<String>::new(),
        "nothing was opened"
    );
    app.stop().await;
}

#[tokio::test]
async fn an_editor_who_opens_or_hides_a_private_incident_can_still_read_it() {
    let app = TestApp::spawn().await;
    let ana = app.account("ana", "Ana Lima", AccountRole::Editor);
    let dan = app.account("dan", "Dan Ito", AccountRole::Editor);
    let api = app.api(&ana);
    let created = post(
        &app,
        &api,
        "/api/v1/incidents",
        json!({"title": "Payroll export leaked", "severity": "SEV-1", "private": true}),
    )
    .await;
    assert_eq!(created.status, 201, "{}", created.text);
    let read = get(&app, &api, created.header("location")).await;
    assert_eq!(
        read.status, 200,
        "the Location of a new incident opens: {}",
        read.text
    );
    assert_eq!(
        read.body["document"]["responders"]["participants"][0]["name"],
        "Ana Lima"
    );
    assert_eq!(
        keys(&get(&app, &api, "/api/v1/incidents").await.body),
        ["INC-1"]
    );
    assert_eq!(
        get(&app, &app.api(&dan), "/api/v1/incidents/INC-1")
            .await
            .status,
        404,
        "it stays hidden from the others"
    );

    // Dan makes his own public incident private: he keeps it.
    open_incident(
        &app,
        &app.api(&dan),
        json!({"title": "Search slow", "severity": "SEV-3"}),
    )
    .await;
    let hidden = patch(
        &app,
        &app.api(&dan),
        "/api/v1/incidents/INC-2",
        json!({"private": true}),
    )
    .await;
    assert_eq!(hidden.status, 200, "{}", hidden.text);
    assert_eq!(
        get(&app, &app.api(&dan), "/api/v1/incidents/INC-2")
            .await
            .status,
        200
    );
    assert_eq!(get(&app, &api, "/api/v1/incidents/INC-2").await.status, 404);
    app.stop().await;
}

#[tokio::test]
async fn an_anonymous_caller_is_told_to_sign_in_before_anything_of_the_request_is_read() {
    let app = TestApp::spawn().await;
    let anonymous = app.anonymous();
    for (method, path, body) in [
        (Method::POST, "/api/v1/incidents", Some("{\"title\": 42")),
        (Method::POST, "/api/v1/incidents", Some("{}")),
        (
            Method::PUT,
            "/api/v1/incidents/INC-1/postmortem",
            Some("[]"),
        ),
        (Method::PATCH, "/api/v1/users/not-a-number", Some("{}")),
        (Method::GET, "/api/v1/incidents?limit=-1", None),
        (Method::GET, "/api/v1/incidents/INC-1/diff?from=x", None),
        (Method::DELETE, "/api/v1/tokens/abc", None),
        (Method::GET, "/api/v1/no-such-route", None),
    ] {
        let mut request = anonymous
            .request(method.clone(), app.url(path))
            .header("Content-Type", "application/json");
        if let Some(body) = body {
            request = request.body(body);
        }
        let answer = request.send().await.unwrap();
        assert_eq!(answer.status(), 401, "{method} {path}");
        assert_eq!(
            answer.headers()["www-authenticate"],
            "Bearer realm=\"hindsight\""
        );
        let error: Value = answer.json().await.unwrap();
        assert_eq!(
            error.get("field"),
            None,
            "{method} {path} says nothing of the request: {error}"
        );
    }
    app.stop().await;
}
