//! Who may do what, through the real server: one walk of every route (the API's read from the
//! OpenAPI document it serves, the pages and webhooks from the tables below) as an anonymous
//! caller, a viewer, an editor and an admin, and with a session cookie but no CSRF token; and
//! checks that no route is left out of the walk or out of the document.

mod seed;
mod support;

use hindsight_core::AccountRole;
use reqwest::{Client, Method, StatusCode};
use seed::{add_event, get, open_incident, post};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use support::{Account, TestApp};

/// Who calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Who {
    Anonymous,
    Viewer,
    Editor,
    Admin,
}

const CALLERS: [Who; 4] = [Who::Anonymous, Who::Viewer, Who::Editor, Who::Admin];

/// Who a route is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Need {
    /// Anyone, signed in or not.
    Public,
    /// At least this role.
    Role(Who),
    /// An editor's API token, in the header or `?token=` (the webhooks without a signature).
    EditorToken,
    /// The nonce of the sign-in form, which a request made elsewhere does not have.
    SigninForm,
}

/// The least role an API operation needs, by the rule the API documents: reads need a viewer,
/// changes an editor, accounts an admin; everyone manages their own tokens and reads `me`.
fn api_need(method: &str, path: &str) -> Who {
    if path.starts_with("/api/v1/users") {
        Who::Admin
    } else if path.starts_with("/api/v1/tokens") || path == "/api/v1/me" || !changes(method, path) {
        Who::Viewer
    } else {
        Who::Editor
    }
}

/// Whether an API operation changes anything: every one but a read, and drafting a message
/// (written for the caller to read; nothing is saved).
fn changes(method: &str, path: &str) -> bool {
    method != "GET" && !path.ends_with("/messages/{kind}/draft")
}

/// Every page route, with who it is for. `tests_cover_every_page_route` keeps this complete.
const PAGES: &[(&str, &str, Need)] = &[
    ("GET", "/", Need::Role(Who::Viewer)),
    ("GET", "/static/hindsight.css", Need::Public),
    ("GET", "/signin", Need::Public),
    ("POST", "/signin", Need::SigninForm),
    ("POST", "/signout", Need::Role(Who::Viewer)),
    ("GET", "/account", Need::Role(Who::Viewer)),
    ("POST", "/account/tokens", Need::Role(Who::Viewer)),
    (
        "POST",
        "/account/tokens/{id}/revoke",
        Need::Role(Who::Viewer),
    ),
    ("POST", "/account/password", Need::Role(Who::Viewer)),
    ("GET", "/admin/users", Need::Role(Who::Admin)),
    ("POST", "/admin/users", Need::Role(Who::Admin)),
    ("POST", "/admin/users/{id}/role", Need::Role(Who::Admin)),
    ("GET", "/incidents/new", Need::Role(Who::Editor)),
    ("POST", "/incidents", Need::Role(Who::Editor)),
    ("GET", "/incidents/{key}", Need::Role(Who::Viewer)),
    ("GET", "/incidents/{key}/edit", Need::Role(Who::Editor)),
    ("POST", "/incidents/{key}/edit", Need::Role(Who::Editor)),
    (
        "GET",
        "/incidents/{key}/sections/{section}",
        Need::Role(Who::Editor),
    ),
    (
        "POST",
        "/incidents/{key}/sections/{section}",
        Need::Role(Who::Editor),
    ),
    ("POST", "/incidents/{key}/events", Need::Role(Who::Editor)),
    (
        "POST",
        "/incidents/{key}/timeline.csv",
        Need::Role(Who::Editor),
    ),
    (
        "GET",
        "/incidents/{key}/events/{id}",
        Need::Role(Who::Editor),
    ),
    (
        "POST",
        "/incidents/{key}/events/{id}",
        Need::Role(Who::Editor),
    ),
    (
        "POST",
        "/incidents/{key}/events/{id}/delete",
        Need::Role(Who::Editor),
    ),
    ("POST", "/incidents/{key}/actions", Need::Role(Who::Editor)),
    (
        "GET",
        "/incidents/{key}/actions/{id}",
        Need::Role(Who::Editor),
    ),
    (
        "POST",
        "/incidents/{key}/actions/{id}",
        Need::Role(Who::Editor),
    ),
    ("POST", "/incidents/{key}/status", Need::Role(Who::Editor)),
    (
        "POST",
        "/incidents/{key}/checklist/{position}",
        Need::Role(Who::Editor),
    ),
    ("GET", "/incidents/{key}/history", Need::Role(Who::Viewer)),
    ("GET", "/incidents/{key}/document", Need::Role(Who::Viewer)),
    (
        "GET",
        "/incidents/{key}/document/{part}",
        Need::Role(Who::Editor),
    ),
    (
        "POST",
        "/incidents/{key}/document/{part}",
        Need::Role(Who::Editor),
    ),
    (
        "GET",
        "/incidents/{key}/messages/{kind}",
        Need::Role(Who::Editor),
    ),
    (
        "POST",
        "/incidents/{key}/messages/{kind}",
        Need::Role(Who::Editor),
    ),
    ("GET", "/incidents/{key}/proposals", Need::Role(Who::Viewer)),
    (
        "POST",
        "/incidents/{key}/proposals/decide",
        Need::Role(Who::Editor),
    ),
    (
        "POST",
        "/incidents/{key}/proposals/import",
        Need::Role(Who::Editor),
    ),
];

/// The routes outside the pages and the API: health, metrics, the document, and the webhooks.
const OTHERS: &[(&str, &str, Need)] = &[
    ("GET", "/healthz", Need::Public),
    ("GET", "/metrics", Need::Public),
    ("GET", "/api/openapi.json", Need::Public),
    ("POST", "/hooks/pagerduty", Need::EditorToken),
    ("POST", "/hooks/alertmanager", Need::EditorToken),
    ("POST", "/hooks/opsgenie", Need::EditorToken),
    ("POST", "/hooks/statuspage", Need::EditorToken),
];

/// An incident with something behind every path parameter, and accounts for every role.
struct World {
    app: TestApp,
    accounts: BTreeMap<Who, Account>,
    /// A token of each account that routes revoking a token may revoke.
    spare_tokens: BTreeMap<Who, i64>,
    spare_user: i64,
    kept_event: i64,
    /// Removed by the first caller allowed to remove it; later removals find nothing (404).
    doomed_event: i64,
    action: i64,
}

impl World {
    async fn new() -> World {
        let app = TestApp::spawn().await;
        let accounts: BTreeMap<Who, Account> = [
            (
                Who::Viewer,
                app.account("vera", "Vera Viewer", AccountRole::Viewer),
            ),
            (
                Who::Editor,
                app.account("eddie", "Eddie Editor", AccountRole::Editor),
            ),
            (
                Who::Admin,
                app.account("ada", "Ada Admin", AccountRole::Admin),
            ),
        ]
        .into();
        let spare_user = app
            .account("sam", "Sam Spare", AccountRole::Viewer)
            .user
            .id
            .0;
        let mut spare_tokens = BTreeMap::new();
        for (who, account) in &accounts {
            let made = post(
                &app,
                &app.api(account),
                "/api/v1/tokens",
                json!({"label": "spare"}),
            )
            .await;
            assert_eq!(made.status, 201, "{}", made.text);
            spare_tokens.insert(*who, made.body["id"].as_i64().expect("a token id"));
        }
        let editor = app.api(&accounts[&Who::Editor]);
        let key = open_incident(
            &app,
            &editor,
            json!({"title": "Checkout 502s", "severity": "SEV-2"}),
        )
        .await;
        assert_eq!(key, "INC-1");
        let event = |at: &str, kind: &str, text: &str| json!({"at": format!("2026-11-01T{at}:00Z"), "kind": kind, "text": text});
        let kept_event = add_event(&app, &editor, &key, event("09:00", "detected", "Alert")).await;
        let doomed_event = add_event(
            &app,
            &editor,
            &key,
            event("09:10", "action", "Restarted pods"),
        )
        .await;
        // Resolving the incident gives the post-mortem its checklists.
        add_event(
            &app,
            &editor,
            &key,
            event("10:00", "resolved", "Back to normal"),
        )
        .await;
        let action = post(
            &app,
            &editor,
            "/api/v1/incidents/INC-1/actions",
            json!({"title": "Alert on 502s"}),
        )
        .await;
        assert_eq!(action.status, 201);
        World {
            accounts,
            spare_tokens,
            spare_user,
            kept_event,
            doomed_event,
            action: action.body["id"].as_i64().expect("an action id"),
            app,
        }
    }

    /// `template` with each `{parameter}` filled with something that exists, for `who`.
    fn fill(&self, method: &str, template: &str, who: Who) -> String {
        let segments: Vec<&str> = template.split('/').collect();
        let mut filled = Vec::new();
        for (i, segment) in segments.iter().enumerate() {
            let Some(name) = segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) else {
                filled.push(segment.to_string());
                continue;
            };
            let before = if i > 0 { segments[i - 1] } else { "" };
            let after = segments.get(i + 1).copied().unwrap_or("");
            let value = match (name, before) {
                ("key", _) => "INC-1".to_owned(),
                ("id", "timeline" | "events") if method == "DELETE" || after == "delete" => {
                    self.doomed_event.to_string()
                }
                ("id", "timeline" | "events") => self.kept_event.to_string(),
                ("id", "actions") => self.action.to_string(),
                ("id", "tokens") => self.spare_tokens[&who.max(Who::Viewer)].to_string(),
                ("id", "users") => self.spare_user.to_string(),
                ("section", _) => "overview".to_owned(),
                ("format", "export") => "markdown".to_owned(),
                ("format", "import") => "chat".to_owned(),
                ("kind", "messages") => "internal".to_owned(),
                ("part", "document") => "impact".to_owned(),
                ("position", _) => "1".to_owned(),
                _ => panic!("{method} {template}: the walk has no value for {{{name}}}; add one"),
            };
            filled.push(value);
        }
        filled.join("/")
    }
}

/// What an answer must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    /// 401, or a redirect to sign in for a page read.
    SignIn,
    Forbidden,
    /// Neither 401 nor 403, nor a server error; a read succeeds.
    Allowed,
}

fn expect(need: Need, who: Who, via_token: bool) -> Expect {
    match need {
        Need::Public => Expect::Allowed,
        Need::SigninForm => Expect::Forbidden,
        Need::Role(_) | Need::EditorToken if who == Who::Anonymous => Expect::SignIn,
        Need::EditorToken if !via_token => Expect::SignIn,
        Need::EditorToken if who < Who::Editor => Expect::Forbidden,
        Need::EditorToken => Expect::Allowed,
        Need::Role(role) if who < role => Expect::Forbidden,
        Need::Role(_) => Expect::Allowed,
    }
}

/// Whether `status` (with its `Location`) is what `expected` allows, for a `method` request.
fn answers(expected: Expect, method: &str, status: StatusCode, location: &str) -> bool {
    match expected {
        Expect::SignIn => status == 401 || (status == 303 && location.starts_with("/signin")),
        Expect::Forbidden => status == 403,
        Expect::Allowed => {
            let refused = status == 401 || status == 403 || status.is_server_error();
            // Signing out ends at the sign-in page; nothing else sends a signed-in caller there.
            let to_signin = status.is_redirection()
                && location.starts_with("/signin")
                && location != "/signin?done=signed-out";
            !refused && !to_signin && (method != "GET" || status.is_success())
        }
    }
}

/// A value of `schema` with every required field, the simplest that reads: requests built from
/// it pass the JSON reading and reach the handler's own checks.
fn example(schema: &Value, document: &Value) -> Value {
    if let Some(target) = schema["$ref"].as_str() {
        let pointer = target.strip_prefix('#').expect("a local reference");
        return example(
            document.pointer(pointer).expect("the reference resolves"),
            document,
        );
    }
    for alternatives in ["oneOf", "anyOf", "allOf"] {
        if let Some(first) = schema[alternatives]
            .as_array()
            .and_then(|a| a.iter().find(|s| s["type"] != "null").or_else(|| a.first()))
        {
            return example(first, document);
        }
    }
    let kind = match &schema["type"] {
        Value::Array(kinds) => kinds
            .iter()
            .find(|k| *k != "null")
            .cloned()
            .unwrap_or(Value::Null),
        other => other.clone(),
    };
    match kind.as_str() {
        Some("object") | None if schema["properties"].is_object() || kind == "object" => {
            let mut object = serde_json::Map::new();
            for name in schema["required"].as_array().into_iter().flatten() {
                let name = name.as_str().expect("a property name");
                object.insert(
                    name.to_owned(),
                    example(&schema["properties"][name], document),
                );
            }
            Value::Object(object)
        }
        Some("string") => json!("x"),
        Some("integer") | Some("number") => json!(1),
        Some("boolean") => json!(false),
        Some("array") => json!([]),
        _ => json!({}),
    }
}

/// One request of the walk, and the answer it should get.
struct Call {
    method: Method,
    path: String,
    /// JSON or form fields, as the route reads.
    body: Option<(String, &'static str)>,
    expected: Expect,
}

/// The operations of the served OpenAPI document, as (method, path template, operation).
async fn api_operations(app: &TestApp) -> (Value, Vec<(String, String, Value)>) {
    let document: Value = app
        .anonymous()
        .get(app.url("/api/openapi.json"))
        .send()
        .await
        .expect("the server answers")
        .json()
        .await
        .expect("the document is JSON");
    let mut operations = Vec::new();
    for (path, item) in document["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("a path item") {
            operations.push((method.to_uppercase(), path.clone(), operation.clone()));
        }
    }
    (document, operations)
}

/// The query string of an operation's required query parameters.
fn required_query(operation: &Value, document: &Value) -> String {
    let pairs: Vec<String> = operation["parameters"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|p| p["in"] == "query" && p["required"] == true)
        .map(|p| {
            let value = example(&p["schema"], document);
            let value = value.as_str().map_or(value.to_string(), str::to_owned);
            format!("{}={value}", p["name"].as_str().expect("a parameter name"))
        })
        .collect();
    if pairs.is_empty() {
        String::new()
    } else {
        format!("?{}", pairs.join("&"))
    }
}

/// The request body an operation reads, with its media type.
fn request_body(operation: &Value, document: &Value) -> Option<(String, &'static str)> {
    let content = operation["requestBody"]["content"].as_object()?;
    if let Some(json) = content.get("application/json") {
        let body = example(&json["schema"], document);
        return Some((body.to_string(), "application/json"));
    }
    Some(("time,author,text\n".to_owned(), "application/octet-stream"))
}

async fn send_call(
    app: &TestApp,
    client: &Client,
    call: &Call,
    extra: &[(&str, &str)],
) -> (StatusCode, String, String) {
    let mut request = client.request(call.method.clone(), app.url(&call.path));
    if let Some((body, media)) = &call.body {
        request = request.header("Content-Type", *media).body(body.clone());
    }
    for (name, value) in extra {
        request = request.header(*name, *value);
    }
    let answer = request.send().await.expect("the server answers");
    let status = answer.status();
    let location = answer
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let text = answer.text().await.unwrap_or_default();
    (status, location, text.chars().take(200).collect())
}

/// A page form's fields for `path`: the CSRF token when `csrf` is given, nothing else (every
/// form reads its other fields as empty, which its own checks refuse or accept). The upload form
/// is `multipart/form-data`.
fn form(path: &str, csrf: Option<&str>) -> Option<(String, &'static str)> {
    if path.ends_with("/proposals/import") {
        let mut body = String::new();
        if let Some(csrf) = csrf {
            body.push_str(&format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n"
            ));
        }
        body.push_str(&format!("--{BOUNDARY}--\r\n"));
        return Some((body, MULTIPART));
    }
    let fields = csrf.map_or(String::new(), |c| format!("csrf={c}"));
    Some((fields, "application/x-www-form-urlencoded"))
}

const BOUNDARY: &str = "hindsight-walk-boundary";
const MULTIPART: &str = "multipart/form-data; boundary=hindsight-walk-boundary";

#[tokio::test]
async fn every_route_answers_each_caller_as_its_role_allows() {
    let world = World::new().await;
    let app = &world.app;
    let (document, operations) = api_operations(app).await;
    let mut wrong = Vec::new();
    let mut walked = 0;

    let mut browsers = BTreeMap::new();
    for (who, account) in &world.accounts {
        browsers.insert(*who, app.browser(account).await);
    }

    // The API, with each role's token: a route refused to some is refused with 401 or 403,
    // and nothing else refuses it.
    for who in CALLERS {
        let client = match who {
            Who::Anonymous => app.anonymous(),
            _ => app.api(&world.accounts[&who]),
        };
        for (method, template, operation) in &operations {
            let need = Need::Role(api_need(method, template));
            let call = Call {
                method: method.parse().unwrap(),
                path: format!(
                    "{}{}",
                    world.fill(method, template, who),
                    required_query(operation, &document)
                ),
                // Nothing of an anonymous request is read: an unreadable body is still 401.
                body: request_body(operation, &document).map(|(body, media)| match who {
                    Who::Anonymous => ("{\"unreadable".to_owned(), media),
                    _ => (body, media),
                }),
                expected: expect(need, who, true),
            };
            let (status, location, text) = send_call(app, &client, &call, &[]).await;
            walked += 1;
            if !answers(call.expected, method, status, &location) {
                wrong.push(format!(
                    "{who:?} {method} {}: {status}, expected {:?}: {text}",
                    call.path, call.expected
                ));
            }
        }
    }

    // The API from a browser: a change with the session cookie needs the session's CSRF token
    // in X-CSRF-Token, even for a role that may make it; reads do not.
    for (method, template, operation) in &operations {
        let role = api_need(method, template);
        let (client, csrf) = &browsers[&role];
        let call = Call {
            method: method.parse().unwrap(),
            path: format!(
                "{}{}",
                world.fill(method, template, role),
                required_query(operation, &document)
            ),
            body: request_body(operation, &document),
            expected: if changes(method, template) {
                Expect::Forbidden
            } else {
                Expect::Allowed
            },
        };
        let (status, location, text) = send_call(app, client, &call, &[]).await;
        walked += 1;
        if !answers(call.expected, method, status, &location) {
            wrong.push(format!(
                "{role:?} session without CSRF, {method} {}: {status}, expected {:?}: {text}",
                call.path, call.expected
            ));
        }
        let (status, location, text) =
            send_call(app, client, &call, &[("X-CSRF-Token", csrf.as_str())]).await;
        walked += 1;
        if !answers(Expect::Allowed, method, status, &location) {
            wrong.push(format!(
                "{role:?} session with CSRF, {method} {}: {status}: {text}",
                call.path
            ));
        }
    }

    // The pages, from a browser signed in as each role with its forms' CSRF token.
    for who in CALLERS {
        for (method, template, need) in PAGES {
            let signing_out = *template == "/signout";
            let (client, csrf) = match who {
                Who::Anonymous => (app.anonymous(), String::new()),
                // Signing out ends the session: a fresh one for it.
                _ if signing_out => app.browser(&world.accounts[&who]).await,
                _ => browsers[&who].clone(),
            };
            let path = world.fill(method, template, who);
            let call = Call {
                method: method.parse().unwrap(),
                body: (*method == "POST")
                    .then(|| form(&path, Some(&csrf)))
                    .flatten(),
                path,
                expected: expect(*need, who, false),
            };
            let (status, location, text) = send_call(app, &client, &call, &[]).await;
            walked += 1;
            if !answers(call.expected, method, status, &location) {
                wrong.push(format!(
                    "{who:?} page {method} {}: {status} {location}, expected {:?}: {text}",
                    call.path, call.expected
                ));
            }
        }
    }

    // Health, metrics, the document and the webhooks, by token, by `?token=` and by session.
    for who in CALLERS {
        for (method, path, need) in OTHERS {
            let mut calls = vec![(
                match who {
                    Who::Anonymous => app.anonymous(),
                    _ => app.api(&world.accounts[&who]),
                },
                path.to_string(),
                expect(*need, who, true),
            )];
            if *need == Need::EditorToken && who != Who::Anonymous {
                let account = &world.accounts[&who];
                calls.push((
                    app.anonymous(),
                    format!("{path}?token={}", account.token),
                    expect(*need, who, true),
                ));
                // A browser's session is no webhook credential.
                calls.push((browsers[&who].0.clone(), path.to_string(), Expect::SignIn));
            }
            for (client, path, expected) in calls {
                let call = Call {
                    method: method.parse().unwrap(),
                    path,
                    body: (*method == "POST").then(|| ("{}".to_owned(), "application/json")),
                    expected,
                };
                let (status, location, text) = send_call(app, &client, &call, &[]).await;
                walked += 1;
                if !answers(expected, method, status, &location) {
                    wrong.push(format!(
                        "{who:?} {method} {}: {status}, expected {expected:?}: {text}",
                        call.path
                    ));
                }
            }
        }
    }
    assert!(walked > 300, "the walk made {walked} requests");
    assert!(
        wrong.is_empty(),
        "{} wrong answers:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
    world.app.stop().await;
}

#[tokio::test]
async fn a_page_form_without_its_csrf_token_is_refused_even_for_an_admin() {
    let world = World::new().await;
    let app = &world.app;
    let (browser, csrf) = app.browser(&world.accounts[&Who::Admin]).await;
    let mut wrong = Vec::new();
    for (method, template, need) in PAGES {
        if *method != "POST" || !matches!(need, Need::Role(_)) {
            continue;
        }
        let path = world.fill(method, template, Who::Admin);
        for fields in [form(&path, None), form(&path, Some("not-the-token"))] {
            let call = Call {
                method: Method::POST,
                path: path.clone(),
                body: fields,
                expected: Expect::Forbidden,
            };
            let (status, _, text) = send_call(app, &browser, &call, &[]).await;
            if status != 403 {
                wrong.push(format!("POST {}: {status}: {text}", call.path));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    // Nothing was changed: the incident has its three events, and the session still works.
    let events = get(app, &browser, "/api/v1/incidents/INC-1/timeline").await;
    assert_eq!(events.body.as_array().unwrap().len(), 3, "{}", events.text);
    assert!(get(app, &browser, "/account").await.text.contains(&csrf));
    world.app.stop().await;
}

#[tokio::test]
async fn a_webhook_with_a_session_cookie_but_no_token_is_refused() {
    let world = World::new().await;
    let app = &world.app;
    let (browser, csrf) = app.browser(&world.accounts[&Who::Admin]).await;
    for tool in ["alertmanager", "opsgenie", "statuspage", "pagerduty"] {
        let answer = browser
            .post(app.url(&format!("/hooks/{tool}")))
            .header("X-CSRF-Token", &csrf)
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 401, "{tool}");
    }
    world.app.stop().await;
}

#[tokio::test]
async fn an_editor_who_opens_a_private_incident_through_the_form_is_taken_to_it() {
    let app = TestApp::spawn().await;
    let eddie = app.account("eddie", "Eddie Editor", AccountRole::Editor);
    let (browser, csrf) = app.browser(&eddie).await;
    let created = browser
        .post(app.url("/incidents"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("title", "Payroll export leaked"),
            ("severity", "SEV-1"),
            ("timezone", "UTC"),
            ("template", "pagerduty"),
            ("services", ""),
            ("private", "true"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 303);
    let location = created.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(location, "/incidents/INC-1?done=created");
    let page = browser.get(app.url(&location)).send().await.unwrap();
    assert_eq!(
        page.status(),
        200,
        "the new private incident opens for its author"
    );
    assert!(page.text().await.unwrap().contains("Payroll export leaked"));
    app.stop().await;
}

/// Every `.route("…", …)` of the source files under `dir`, as (METHOD, prefix + path).
fn registered_routes(dir: &str, prefix: &str) -> BTreeSet<(String, String)> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("src")
        .join(dir);
    let files: Vec<std::path::PathBuf> = if root.is_dir() {
        std::fs::read_dir(&root)
            .expect("the source folder")
            .map(|e| e.expect("a directory entry").path())
            .filter(|p| p.extension().is_some_and(|e| e == "rs"))
            .collect()
    } else {
        vec![root.with_extension("rs")]
    };
    let mut routes = BTreeSet::new();
    for file in files {
        let source = std::fs::read_to_string(&file).expect("a source file");
        for (start, _) in source.match_indices(".route(") {
            let call = &source[start + ".route(".len()..];
            // The call's arguments, up to its closing parenthesis.
            let mut depth = 1;
            let end = call
                .char_indices()
                .find(|(_, c)| {
                    depth += match c {
                        '(' => 1,
                        ')' => -1,
                        _ => 0,
                    };
                    depth == 0
                })
                .map(|(i, _)| i)
                .expect("the call closes");
            let call = &call[..end];
            let path = call.split('"').nth(1).expect("a route path");
            for method in ["get", "post", "put", "patch", "delete"] {
                let found = call.match_indices(&format!("{method}(")).any(|(i, _)| {
                    i == 0 || !call[..i].ends_with(|c: char| c.is_alphanumeric() || c == '_')
                });
                if found {
                    routes.insert((method.to_uppercase(), format!("{prefix}{path}")));
                }
            }
        }
    }
    routes
}

#[tokio::test]
async fn every_api_route_is_in_the_openapi_document_and_every_documented_one_exists() {
    let app = TestApp::spawn().await;
    let (_, operations) = api_operations(&app).await;
    let documented: BTreeSet<(String, String)> = operations
        .iter()
        .map(|(method, path, _)| (method.clone(), path.clone()))
        .collect();
    let registered = registered_routes("api", "/api/v1");
    assert!(registered.len() >= 26, "{registered:#?}");
    let undocumented: Vec<_> = registered.difference(&documented).collect();
    assert!(
        undocumented.is_empty(),
        "routes without an operation in the OpenAPI document (add #[utoipa::path] and list it in openapi.rs): {undocumented:#?}"
    );
    let unrouted: Vec<_> = documented.difference(&registered).collect();
    assert!(
        unrouted.is_empty(),
        "documented but not routed: {unrouted:#?}"
    );
    app.stop().await;
}

#[test]
fn the_walk_covers_every_page_and_every_other_route() {
    let walked: BTreeSet<(String, String)> = PAGES
        .iter()
        .chain(OTHERS)
        .map(|(method, path, _)| (method.to_string(), path.to_string()))
        .collect();
    let mut registered = registered_routes("pages", "");
    registered.extend(registered_routes("lib", ""));
    for (method, path) in registered_routes("hooks", "/hooks") {
        assert_eq!(
            path, "/hooks/{tool}",
            "a new webhook route: add it to OTHERS"
        );
        for tool in ["pagerduty", "alertmanager", "opsgenie", "statuspage"] {
            registered.insert((method.clone(), format!("/hooks/{tool}")));
        }
    }
    let missing: Vec<_> = registered.difference(&walked).collect();
    assert!(
        missing.is_empty(),
        "routes the walk does not know: add them to PAGES or OTHERS: {missing:#?}"
    );
    let stale: Vec<_> = walked.difference(&registered).collect();
    assert!(
        stale.is_empty(),
        "routes in the walk that are not routed: {stale:#?}"
    );
}
