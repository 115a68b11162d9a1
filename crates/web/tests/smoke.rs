//! The server as a user first meets it: health, sign-in, the front page, and one incident made
//! through the API and read back on its page.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod support;

use hindsight_core::AccountRole;
use serde_json::{Value, json};
use support::TestApp;

#[tokio::test]
async fn health_answers_ok_without_signing_in() {
    let app = TestApp::spawn().await;
    let answer = app
        .anonymous()
        .get(app.url("/healthz"))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    assert_eq!(answer.text().await.unwrap(), "ok\n");
    app.stop().await;
}

#[tokio::test]
async fn an_anonymous_visitor_is_sent_to_sign_in_and_back() {
    let app = TestApp::spawn().await;
    let answer = app
        .anonymous()
        .get(app.url("/incidents/INC-1"))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 303);
    assert_eq!(
        answer.headers()["location"],
        "/signin?next=%2Fincidents%2FINC-1"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_wrong_password_is_refused_without_saying_which_part_was_wrong() {
    let app = TestApp::spawn().await;
    // The account exists; only the password sent is wrong.
    app.account("ana", "Ana Lima", AccountRole::Editor);
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let form = client
        .get(app.url("/signin"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let nonce = support::hidden_field(&form, "nonce").unwrap();
    let answer = client
        .post(app.url("/signin"))
        .form(&[("name", "ana"), ("password", "wrong"), ("nonce", &nonce)])
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 401);
    assert!(
        answer
            .text()
            .await
            .unwrap()
            .contains("The name or the password is wrong.")
    );
    app.stop().await;
}

#[tokio::test]
async fn an_incident_opened_through_the_api_shows_on_the_front_page_and_its_own() {
    let app = TestApp::spawn().await;
    let ana = app.account("ana", "Ana Lima", AccountRole::Editor);
    let api = app.api(&ana);
    let created = api
        .post(app.url("/api/v1/incidents"))
        .json(&json!({"title": "Checkout <b>502s</b>", "severity": "SEV-2", "services": ["checkout-api"], "timezone": "Europe/Paris"}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    assert_eq!(created.headers()["location"], "/api/v1/incidents/INC-1");
    let body: Value = created.json().await.unwrap();
    assert_eq!(body["key"], "INC-1");
    assert_eq!(body["status"], "active");

    let (browser, _) = app.browser(&ana).await;
    let front = browser
        .get(app.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        front.contains("Checkout &lt;b&gt;502s&lt;/b&gt;"),
        "the title is escaped on the list"
    );
    assert!(!front.contains("<b>502s</b>"));
    let page = browser
        .get(app.url("/incidents/INC-1"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let page = page.text().await.unwrap();
    assert!(page.contains("INC-1"));
    assert!(page.contains("Readiness"));
    app.stop().await;
}

#[tokio::test]
async fn a_stale_save_of_a_section_is_refused_with_409_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let ana = app.account("ana", "Ana Lima", AccountRole::Editor);
    let api = app.api(&ana);
    api.post(app.url("/api/v1/incidents"))
        .json(&json!({"title": "Search slow", "severity": "SEV-3"}))
        .send()
        .await
        .unwrap();
    let read = api
        .get(app.url("/api/v1/incidents/INC-1/postmortem"))
        .send()
        .await
        .unwrap();
    let etag = read.headers()["etag"].to_str().unwrap().to_owned();
    let first = api
        .put(app.url("/api/v1/incidents/INC-1/postmortem/sections/overview"))
        .header("If-Match", &etag)
        .json(&json!({"markdown": "First writer."}))
        .send()
        .await
        .unwrap();
    assert_eq!(first.status(), 204);
    let second = api
        .put(app.url("/api/v1/incidents/INC-1/postmortem/sections/overview"))
        .header("If-Match", &etag)
        .json(&json!({"markdown": "Second writer, from the same version."}))
        .send()
        .await
        .unwrap();
    assert_eq!(second.status(), 409);
    let error: Value = second.json().await.unwrap();
    assert!(
        error["current_version"].as_u64().unwrap() > etag.trim_matches('"').parse::<u64>().unwrap()
    );
    let now: Value = api
        .get(app.url("/api/v1/incidents/INC-1/postmortem"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(now["sections"]["overview"], "First writer.");
    app.stop().await;
}

#[tokio::test]
async fn pages_forbid_scripts_framing_and_sniffing() {
    let app = TestApp::spawn().await;
    let answer = app
        .anonymous()
        .get(app.url("/signin"))
        .send()
        .await
        .unwrap();
    let headers = answer.headers();
    let policy = headers["content-security-policy"].to_str().unwrap();
    assert!(policy.contains("default-src 'none'"), "{policy}");
    assert!(
        !policy.contains("script-src"),
        "no script source is allowed: {policy}"
    );
    assert!(policy.contains("frame-ancestors 'none'"));
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["x-frame-options"], "DENY");
    app.stop().await;
}
