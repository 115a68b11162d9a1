//! Webhook deliveries through the real server, with the bodies the tools really send
//! (`../shared/fixtures/webhooks/`): PagerDuty proves itself with its signature, the others
//! with an editor's API token; each delivery is applied once, and a retry changes nothing.

mod seed;
mod support;

use hindsight_core::AccountRole;
use hindsight_web::WebConfig;
use reqwest::StatusCode;
use seed::get;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::path::PathBuf;
use support::TestApp;

/// A file of the shared webhook fixtures, as bytes.
fn fixture(path: &str) -> Vec<u8> {
    let file = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/fixtures/webhooks")
        .join(path);
    std::fs::read(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()))
}

/// The secret of PagerDuty's published test vector.
fn vector_secret() -> String {
    String::from_utf8(fixture("pagerduty-signature-test-vector/secret.txt"))
        .expect("the secret is text")
        .trim()
        .to_owned()
}

/// A header of the test vector: `valid` or `mismatch`.
fn vector_header(which: &str) -> String {
    let vectors = String::from_utf8(fixture("pagerduty-signature-test-vector/vectors.txt"))
        .expect("the vectors are text");
    vectors
        .lines()
        .find_map(|line| line.strip_prefix(&format!("{which} header:")))
        .unwrap_or_else(|| panic!("vectors.txt has a {which} header"))
        .trim()
        .to_owned()
}

/// HMAC-SHA256 of `body` with `secret`, in hex: what PagerDuty sends after `v1=`.
fn sign(secret: &str, body: &[u8]) -> String {
    let mut key = [0u8; 64];
    if secret.len() > 64 {
        key[..32].copy_from_slice(&Sha256::digest(secret.as_bytes()));
    } else {
        key[..secret.len()].copy_from_slice(secret.as_bytes());
    }
    let pad = |byte: u8| key.iter().map(|k| k ^ byte).collect::<Vec<u8>>();
    let inner = Sha256::new()
        .chain_update(pad(0x36))
        .chain_update(body)
        .finalize();
    let outer = Sha256::new()
        .chain_update(pad(0x5c))
        .chain_update(inner)
        .finalize();
    hex::encode(outer)
}

struct Delivery {
    status: StatusCode,
    body: Value,
    text: String,
}

async fn deliver(app: &TestApp, path: &str, body: Vec<u8>, headers: &[(&str, &str)]) -> Delivery {
    let mut request = app
        .anonymous()
        .post(app.url(path))
        .header("Content-Type", "application/json")
        .body(body);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let answer = request.send().await.expect("the server answers");
    let status = answer.status();
    let text = answer.text().await.expect("a body");
    Delivery {
        status,
        body: serde_json::from_str(&text).unwrap_or(Value::Null),
        text,
    }
}

/// The server with PagerDuty's test-vector secret configured.
async fn with_pagerduty_secret(secrets: Vec<String>) -> TestApp {
    TestApp::spawn_with(WebConfig {
        pagerduty_secrets: secrets,
        ..Default::default()
    })
    .await
}

/// The keys of every incident, and each one's timeline length, as an editor reads them.
async fn incidents(app: &TestApp, api: &reqwest::Client) -> Vec<(String, usize)> {
    let page = get(app, api, "/api/v1/incidents").await;
    let mut found = Vec::new();
    for incident in page.body["incidents"].as_array().expect("a list") {
        let key = incident["key"].as_str().expect("a key").to_owned();
        let timeline = get(app, api, &format!("/api/v1/incidents/{key}/timeline")).await;
        found.push((key, timeline.body.as_array().expect("a timeline").len()));
    }
    found
}

#[test]
fn the_signature_helper_agrees_with_pagerdutys_test_vector() {
    let body = fixture("pagerduty-signature-test-vector/body.json");
    assert_eq!(
        format!("v1={}", sign(&vector_secret(), &body)),
        vector_header("valid")
    );
}

#[tokio::test]
async fn a_signed_pagerduty_delivery_opens_an_incident_and_its_retry_changes_nothing() {
    let app = with_pagerduty_secret(vec![vector_secret()]).await;
    let ana = app.account("ana", "Ana Lima", AccountRole::Viewer);
    let api = app.api(&ana);
    let body = fixture("pagerduty-signature-test-vector/body.json");
    let valid = vector_header("valid");

    let first = deliver(
        &app,
        "/hooks/pagerduty",
        body.clone(),
        &[("X-PagerDuty-Signature", &valid)],
    )
    .await;
    assert_eq!(first.status, 201, "{}", first.text);
    assert_eq!(first.body["incident"], "INC-1");
    assert_eq!(first.body["created"], true);
    assert_eq!(first.body["duplicate"], false);
    let opened = get(&app, &api, "/api/v1/incidents/INC-1").await;
    assert_eq!(
        opened.body["incident"]["title"],
        "A little bump in the road"
    );
    let before = (
        incidents(&app, &api).await,
        get(&app, &api, "/api/v1/incidents/INC-1/history")
            .await
            .body,
    );
    assert!(
        before.0[0].1 > 0,
        "the delivery is on the timeline: {before:?}"
    );

    let retry = deliver(
        &app,
        "/hooks/pagerduty",
        body,
        &[("X-PagerDuty-Signature", &valid)],
    )
    .await;
    assert_eq!(retry.status, 200, "{}", retry.text);
    assert_eq!(retry.body["incident"], "INC-1");
    assert_eq!(retry.body["duplicate"], true);
    assert_eq!(retry.body["created"], false);
    assert_eq!(retry.body["events_added"], 0);
    let after = (
        incidents(&app, &api).await,
        get(&app, &api, "/api/v1/incidents/INC-1/history")
            .await
            .body,
    );
    assert_eq!(before, after, "a retried delivery changes nothing");
    app.stop().await;
}

#[tokio::test]
async fn a_pagerduty_delivery_with_a_wrong_or_missing_signature_is_refused_and_opens_nothing() {
    let app = with_pagerduty_secret(vec![vector_secret()]).await;
    let root = app.account("root", "Rita Admin", AccountRole::Admin);
    let body = fixture("pagerduty-signature-test-vector/body.json");
    let mut tampered = body.clone();
    let at = tampered.iter().position(|b| *b == b'2').unwrap();
    tampered[at] = b'3';
    let valid = vector_header("valid");
    let mismatch = vector_header("mismatch");
    let other_scheme = valid.replace("v1=", "v0=");
    let bearer = format!("Bearer {}", root.token);
    for (what, body, headers) in [
        (
            "the test vector's wrong signature",
            body.clone(),
            vec![("X-PagerDuty-Signature", mismatch.as_str())],
        ),
        ("no signature", body.clone(), vec![]),
        (
            "an empty signature",
            body.clone(),
            vec![("X-PagerDuty-Signature", "")],
        ),
        (
            "a signature of another scheme",
            body.clone(),
            vec![("X-PagerDuty-Signature", other_scheme.as_str())],
        ),
        (
            "a body changed after signing",
            tampered,
            vec![("X-PagerDuty-Signature", valid.as_str())],
        ),
        // Once PagerDuty's secret is configured, even an admin's token is no signature.
        (
            "an admin's token instead",
            body.clone(),
            vec![("Authorization", bearer.as_str())],
        ),
    ] {
        let refused = deliver(&app, "/hooks/pagerduty", body, &headers).await;
        assert_eq!(refused.status, 401, "{what}: {}", refused.text);
        assert_eq!(refused.body["status"], 401, "{what} is answered in JSON");
    }
    assert_eq!(
        incidents(&app, &app.api(&root)).await,
        vec![],
        "nothing was opened"
    );
    app.stop().await;
}

#[tokio::test]
async fn every_pagerduty_fixture_signed_during_a_secret_rotation_lands_on_its_incident() {
    let (old, new) = ("the secret being retired".to_owned(), vector_secret());
    let app = with_pagerduty_secret(vec![old, new.clone()]).await;
    let ana = app.account("ana", "Ana Lima", AccountRole::Viewer);
    let api = app.api(&ana);
    let mut landed = Vec::new();
    for name in [
        "triggered_v3.json",
        "acknowledged_v3.json",
        "resolved_v3.json",
        "escalate_v3.json",
        "annotated_v3.json",
        "priority_updated_v3.json",
        "responder_added.json",
    ] {
        let body = fixture(&format!("pagerduty-v3/{name}"));
        // During a rotation PagerDuty signs with both; only the new secret matches here.
        let header = format!("v1={},v1={}", "0".repeat(64), sign(&new, &body));
        let applied = deliver(
            &app,
            "/hooks/pagerduty",
            body,
            &[("X-PagerDuty-Signature", &header)],
        )
        .await;
        assert!(
            [200, 201, 202].contains(&applied.status.as_u16()),
            "{name}: {}",
            applied.text
        );
        landed.push((
            name,
            applied.status.as_u16(),
            applied.body["incident"].clone(),
        ));
    }
    // The four 2026 deliveries are about one PagerDuty incident: one hindsight incident.
    let q3b: Vec<_> = landed[3..].iter().map(|(_, _, key)| key.clone()).collect();
    assert!(
        q3b.iter().all(|key| *key == q3b[0] && key.is_string()),
        "{landed:?}"
    );
    assert_eq!(landed[3].1, 201, "the first about it opens it: {landed:?}");
    assert!(
        landed[4..].iter().all(|(_, status, _)| *status == 200),
        "{landed:?}"
    );
    let opened = incidents(&app, &api).await;
    assert_eq!(
        opened.len(),
        4,
        "four PagerDuty incidents, four hindsight ones: {opened:?}"
    );
    let resolved = landed[2].2.as_str().unwrap();
    let resolved = get(&app, &api, &format!("/api/v1/incidents/{resolved}")).await;
    assert_eq!(
        resolved.body["incident"]["status"], "resolved",
        "{}",
        resolved.text
    );
    app.stop().await;
}

#[tokio::test]
async fn alertmanager_opsgenie_and_statuspage_deliveries_with_an_editor_token_are_applied_once() {
    let app = TestApp::spawn().await;
    let eddie = app.account("eddie", "Eddie Editor", AccountRole::Editor);
    let api = app.api(&eddie);
    let bearer = format!("Bearer {}", eddie.token);
    let by_query = |tool: &str| format!("/hooks/{tool}?token={}", eddie.token);
    let cases = [
        (
            "/hooks/alertmanager".to_owned(),
            "alertmanager/zulip_alert_firing.json",
            vec![("Authorization", bearer.as_str())],
        ),
        (by_query("opsgenie"), "opsgenie/create.json", vec![]),
        (
            by_query("statuspage"),
            "statuspage/incident_update.json",
            vec![],
        ),
    ];
    for (path, file, headers) in &cases {
        let applied = deliver(&app, path, fixture(file), headers).await;
        assert_eq!(applied.status, 201, "{file}: {}", applied.text);
        assert_eq!(applied.body["created"], true, "{file}");
        assert!(
            applied.body["events_added"].as_u64().unwrap() > 0,
            "{file}: {}",
            applied.text
        );
    }
    let opened = incidents(&app, &api).await;
    assert_eq!(opened.len(), 3, "{opened:?}");
    let statuspage = get(&app, &api, "/api/v1/incidents/INC-3").await;
    assert_eq!(
        statuspage.body["incident"]["title"],
        "Database query delays"
    );
    assert_eq!(statuspage.body["incident"]["status"], "resolved");

    for (path, file, headers) in &cases {
        let again = deliver(&app, path, fixture(file), headers).await;
        assert_eq!(again.status, 200, "{file}: {}", again.text);
        assert_eq!(again.body["duplicate"], true, "{file}");
        assert_eq!(again.body["events_added"], 0, "{file}");
    }
    assert_eq!(
        incidents(&app, &api).await,
        opened,
        "retries change nothing"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_webhook_without_an_editors_token_is_refused_and_opens_nothing() {
    let app = TestApp::spawn().await;
    let vera = app.account("vera", "Vera Viewer", AccountRole::Viewer);
    let eddie = app.account("eddie", "Eddie Editor", AccountRole::Editor);
    let viewer_bearer = format!("Bearer {}", vera.token);
    for (tool, file) in [
        ("alertmanager", "alertmanager/zulip_alert_firing.json"),
        ("opsgenie", "opsgenie/create.json"),
        ("statuspage", "statuspage/incident_update.json"),
        // Without a configured secret, PagerDuty takes a token like the others.
        ("pagerduty", "pagerduty-v3/triggered_v3.json"),
    ] {
        let path = format!("/hooks/{tool}");
        for (what, path, headers, status) in [
            ("no token", path.clone(), vec![], 401),
            (
                "an unknown token",
                format!("{path}?token=hs_nobody"),
                vec![],
                401,
            ),
            (
                "an unknown bearer",
                path.clone(),
                vec![("Authorization", "Bearer hs_nobody")],
                401,
            ),
            (
                "a viewer's token",
                format!("{path}?token={}", vera.token),
                vec![],
                403,
            ),
            (
                "a viewer's bearer",
                path.clone(),
                vec![("Authorization", viewer_bearer.as_str())],
                403,
            ),
        ] {
            let refused = deliver(&app, &path, fixture(file), &headers).await;
            assert_eq!(
                refused.status, status,
                "{tool} with {what}: {}",
                refused.text
            );
        }
    }
    assert_eq!(incidents(&app, &app.api(&eddie)).await, vec![]);
    let applied = deliver(
        &app,
        &format!("/hooks/pagerduty?token={}", eddie.token),
        fixture("pagerduty-v3/triggered_v3.json"),
        &[],
    )
    .await;
    assert_eq!(applied.status, 201, "{}", applied.text);
    app.stop().await;
}

#[tokio::test]
async fn a_delivery_that_cannot_be_read_is_400_and_opens_nothing() {
    let secret = vector_secret();
    let app = with_pagerduty_secret(vec![secret.clone()]).await;
    let eddie = app.account("eddie", "Eddie Editor", AccountRole::Editor);
    let bearer = format!("Bearer {}", eddie.token);
    for body in [
        b"not json at all".to_vec(),
        b"".to_vec(),
        b"{\"event\": 42}".to_vec(),
        b"[]".to_vec(),
        vec![0xff, 0xfe, 0x00],
    ] {
        for tool in ["alertmanager", "opsgenie", "statuspage", "pagerduty"] {
            let signature = format!("v1={}", sign(&secret, &body));
            let headers = if tool == "pagerduty" {
                vec![("X-PagerDuty-Signature", signature.as_str())]
            } else {
                vec![("Authorization", bearer.as_str())]
            };
            let refused = deliver(&app, &format!("/hooks/{tool}"), body.clone(), &headers).await;
            assert_eq!(
                refused.status,
                400,
                "{tool} with {:?}: {}",
                String::from_utf8_lossy(&body),
                refused.text
            );
            assert_eq!(refused.body["field"], "body", "{tool}: {}", refused.text);
        }
    }
    let unknown = deliver(
        &app,
        "/hooks/nagios",
        b"{}".to_vec(),
        &[("Authorization", &bearer)],
    )
    .await;
    assert_eq!(unknown.status, 404, "{}", unknown.text);
    assert_eq!(incidents(&app, &app.api(&eddie)).await, vec![]);
    app.stop().await;
}
