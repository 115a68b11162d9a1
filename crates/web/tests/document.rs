//! Every part of the post-mortem edited from the browser and the API, through the real server:
//! each form saves what it shows, a stale form is refused with 409 and overwrites nothing, bad
//! input is refused naming the field, viewers cannot change anything; and the import review
//! screen, from a chat export to an event on the timeline at the time of its message.

mod support;

use chrono::{TimeZone, Utc};
use hindsight_core::{
    AccountRole, EventSource, FactorCategory, IncidentKey, IncidentRecord, MessageKind,
    proposal::{Proposal, ProposalStatus, Suggestion},
};
use serde_json::{Value, json};
use std::io::Write;
use support::{Account, TestApp};

// ---------------------------------------------------------------------------------------------
// Helpers: a browser's view of a form

/// Reads the attributes of one tag (`<input name="a" value="b" checked>`).
fn attributes(tag: &str) -> Vec<(String, Option<String>)> {
    let inner = tag
        .trim_start_matches('<')
        .trim_end_matches('>')
        .trim_end_matches('/');
    let mut rest = inner.split_once(char::is_whitespace).map_or("", |(_, r)| r);
    let mut found = Vec::new();
    loop {
        rest = rest.trim_start();
        if rest.is_empty() {
            return found;
        }
        let end = rest
            .find(|c: char| c == '=' || c.is_whitespace())
            .unwrap_or(rest.len());
        let name = rest[..end].to_owned();
        rest = &rest[end..];
        if let Some(after) = rest.strip_prefix("=\"") {
            let close = after.find('"').expect("a closed attribute");
            found.push((name, Some(unescape(&after[..close]))));
            rest = &after[close + 1..];
        } else {
            found.push((name, None));
        }
    }
}

fn attribute(attrs: &[(String, Option<String>)], name: &str) -> Option<String> {
    attrs
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.clone().unwrap_or_default())
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn unescape(text: &str) -> String {
    text.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// What a browser sends for the form posting to `action` on `page`, untouched: hidden and text
/// inputs, ticked boxes, textareas and the selected options.
fn form_fields(page: &str, action: &str) -> Vec<(String, String)> {
    let at = page
        .find(&format!("action=\"{action}\""))
        .unwrap_or_else(|| panic!("no form posts to {action}"));
    let start = page[..at].rfind("<form").expect("the form's start");
    let end = start + page[start..].find("</form>").expect("the form's end");
    let form = &page[start..end];
    let mut fields = Vec::new();
    let mut rest = form;
    while let Some(i) = rest.find('<') {
        rest = &rest[i..];
        let close = rest.find('>').expect("a closed tag");
        let tag = &rest[..=close];
        let attrs = attributes(tag);
        let name = attribute(&attrs, "name");
        if tag.starts_with("<input") {
            let kind = attribute(&attrs, "type").unwrap_or_else(|| "text".into());
            let ticked = attribute(&attrs, "checked").is_some();
            if let Some(name) = name
                && kind != "submit"
                && kind != "file"
                && (kind != "checkbox" || ticked)
            {
                fields.push((name, attribute(&attrs, "value").unwrap_or_default()));
            }
        } else if tag.starts_with("<textarea") {
            let body = &rest[close + 1..];
            let text_end = body.find("</textarea>").expect("a closed textarea");
            if let Some(name) = name {
                fields.push((name, unescape(&body[..text_end])));
            }
        } else if tag.starts_with("<select") {
            let body = &rest[close + 1..];
            let options = &body[..body.find("</select>").expect("a closed select")];
            let mut first = None;
            let mut chosen = None;
            for option in options.split("<option").skip(1) {
                let attrs = attributes(&format!(
                    "<option{}",
                    &option[..=option.find('>').expect("an option")]
                ));
                let value = attribute(&attrs, "value").unwrap_or_default();
                first.get_or_insert(value.clone());
                if attribute(&attrs, "selected").is_some() {
                    chosen = Some(value);
                }
            }
            if let (Some(name), Some(value)) = (name, chosen.or(first)) {
                fields.push((name, value));
            }
        }
        rest = &rest[1..];
    }
    fields
}

/// Changes form fields as a person would: a value replaces the field's; an empty value for a
/// box unticks it.
fn edit(fields: &mut Vec<(String, String)>, changes: &[(&str, &str)]) {
    for (name, value) in changes {
        let is_box =
            name.ends_with("remove") || name.ends_with("made_worse") || *name == "full_outage";
        fields.retain(|(n, _)| n != name);
        if !(is_box && value.is_empty()) {
            fields.push(((*name).to_owned(), (*value).to_owned()));
        }
    }
}

async fn text_of(client: &reqwest::Client, url: &str) -> String {
    let answer = client.get(url).send().await.expect("a page");
    assert_eq!(answer.status(), 200, "GET {url}");
    answer.text().await.expect("its body")
}

/// Opens the form at `path`, makes `changes`, and sends it.
async fn submit(
    app: &TestApp,
    browser: &reqwest::Client,
    path: &str,
    changes: &[(&str, &str)],
) -> reqwest::Response {
    let page = text_of(browser, &app.url(path)).await;
    let mut fields = form_fields(&page, path);
    edit(&mut fields, changes);
    browser
        .post(app.url(path))
        .form(&fields)
        .send()
        .await
        .expect("the form is sent")
}

fn inc(n: u32) -> IncidentKey {
    format!("INC-{n}").parse().expect("a key")
}

/// An editor, a viewer, and INC-1 (Europe/Paris) opened by the editor.
async fn incident(app: &TestApp) -> (Account, Account) {
    let ana = app.account("ana", "Ana Lima", AccountRole::Editor);
    let vic = app.account("vic", "Vic Viewer", AccountRole::Viewer);
    let created = app
        .api(&ana)
        .post(app.url("/api/v1/incidents"))
        .json(
            &json!({"title": "Checkout returned 502s", "severity": "SEV-2",
                      "services": ["checkout-api"], "timezone": "Europe/Paris"}),
        )
        .send()
        .await
        .expect("the incident is opened");
    assert_eq!(created.status(), 201);
    (ana, vic)
}

/// Runs the store's synchronous calls on a thread of their own: the PostgreSQL client refuses
/// to block a thread of the test's runtime.
fn off_runtime<T: Send>(work: impl FnOnce() -> T + Send) -> T {
    std::thread::scope(|scope| {
        scope
            .spawn(work)
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })
}

fn record(app: &TestApp, key: IncidentKey) -> IncidentRecord {
    let app = app.app.clone();
    off_runtime(move || app.record(key).expect("the record"))
}

fn proposals_of(app: &TestApp, key: IncidentKey) -> Vec<Proposal> {
    let app = app.app.clone();
    off_runtime(move || app.proposals(key).expect("the proposals"))
}

fn revision_count(app: &TestApp, key: IncidentKey) -> usize {
    let app = app.app.clone();
    off_runtime(move || app.history(key).expect("the history").len())
}

fn version(app: &TestApp, key: IncidentKey) -> u64 {
    record(app, key).postmortem_version
}

const PARTS: [&str; 9] = [
    "responders",
    "owner",
    "impact",
    "factors",
    "howd",
    "questions",
    "meeting",
    "communication",
    "commands",
];

// ---------------------------------------------------------------------------------------------
// The document's forms

#[tokio::test]
async fn each_form_of_the_document_saves_what_it_shows_on_sqlite() {
    each_form_of_the_document_saves_what_it_shows(TestApp::spawn().await).await;
}

#[tokio::test]
async fn each_form_of_the_document_saves_what_it_shows_on_postgresql() {
    if let Some(app) = TestApp::spawn_postgres().await {
        each_form_of_the_document_saves_what_it_shows(app).await;
    }
}

async fn each_form_of_the_document_saves_what_it_shows(app: TestApp) {
    let (ana, _) = incident(&app).await;
    let (browser, _) = app.browser(&ana).await;
    let key = inc(1);

    let answer = submit(
        &app,
        &browser,
        "/incidents/INC-1/document/responders",
        &[
            ("commander.name", "Ana Lima"),
            ("commander.job_title", "SRE"),
            ("scribe.name", "Dee Park"),
            ("smes.0.name", "Bo Chen"),
            ("smes.0.job_title", "DBA"),
            ("participants.0.name", "Cy <script>alert(1)</script>"),
            ("participants.0.job_title", "Support lead"),
        ],
    )
    .await;
    assert_eq!(answer.status(), 303);
    assert_eq!(
        answer.headers()["location"],
        "/incidents/INC-1/document?done=saved#responders"
    );
    let r = record(&app, key).responders;
    assert_eq!(r.commander.expect("named").to_string(), "Ana Lima, SRE");
    assert_eq!(r.scribe.expect("named").to_string(), "Dee Park");
    assert_eq!(r.smes[0].to_string(), "Bo Chen, DBA");
    assert_eq!(
        r.participants[0].to_string(),
        "Cy <script>alert(1)</script>, Support lead"
    );

    for (part, changes) in [
        ("owner", vec![("owner", "Ana Lima")]),
        (
            "impact",
            vec![
                ("events_dropped", "0"),
                ("users_affected", "1200"),
                ("support_requests", "3"),
                (
                    "support_tickets",
                    "https://tickets.example.com/1\nhttps://tickets.example.com/2",
                ),
                ("custom.0.name", "orders lost"),
                ("custom.0.value", "312.50"),
                ("custom.0.unit", "EUR"),
                ("full_outage", "true"),
            ],
        ),
        (
            "factors",
            vec![
                ("factors.0.category", "process"),
                (
                    "factors.0.description",
                    "Config pushes have no canary stage",
                ),
                (
                    "factors.0.whys",
                    "Why did the push reach every host at once?\nBecause the pipeline has one stage",
                ),
                ("factors.1.category", "technical"),
                (
                    "factors.1.description",
                    "Retries from clients doubled the load",
                ),
                ("factors.1.made_worse", "true"),
            ],
        ),
        (
            "howd",
            vec![
                (
                    "went_well",
                    "The alert fired within a minute\nRollback took 3 minutes",
                ),
                ("got_lucky", "It happened off-peak"),
            ],
        ),
        (
            "questions",
            vec![
                ("questions.0.question", "Why did the canary not catch it?"),
                ("questions.0.asked_by", "Bo Chen"),
                ("questions.1.question", "Who owns the pipeline?"),
                ("questions.1.answer", "The platform team"),
            ],
        ),
        (
            "meeting",
            vec![
                ("scheduled_for", "2026-11-05 14:00"),
                ("moderator", "Ana Lima"),
                ("note_taker", "Dee Park"),
            ],
        ),
        (
            "communication",
            vec![
                ("channel", "incident-1"),
                ("links.0.kind", "dashboard"),
                ("links.0.url", "https://grafana.example.com/d/checkout"),
                ("links.0.title", "Checkout errors"),
            ],
        ),
        (
            "commands",
            vec![
                ("commands.0.description", "5xx by minute"),
                (
                    "commands.0.command",
                    "sum(rate(http_requests_total{code=~\"5..\"}[1m]))",
                ),
            ],
        ),
    ] {
        let path = format!("/incidents/INC-1/document/{part}");
        let answer = submit(&app, &browser, &path, &changes).await;
        assert_eq!(answer.status(), 303, "{part} saves");
        assert_eq!(
            answer.headers()["location"],
            &format!("/incidents/INC-1/document?done=saved#{part}")
        );
    }

    let pm = record(&app, key).postmortem;
    assert_eq!(pm.owner.expect("named").as_str(), "Ana Lima");
    assert_eq!(pm.impact.events_dropped, Some(0), "0 entered is checked");
    assert_eq!(
        pm.impact.notifications_out_of_sla, None,
        "empty is not filled in"
    );
    assert_eq!(pm.impact.users_affected, Some(1200));
    assert_eq!(pm.impact.support_requests, Some(3));
    assert_eq!(pm.impact.support_tickets.len(), 2);
    assert_eq!(pm.impact.custom[0].value.to_string(), "312.50");
    assert_eq!(pm.impact.custom[0].unit.as_deref(), Some("EUR"));
    assert!(pm.impact.full_outage);
    assert_eq!(pm.factors.len(), 2);
    assert_eq!(pm.factors[0].category, FactorCategory::Process);
    assert_eq!(pm.factors[0].whys.len(), 2);
    assert!(!pm.factors[0].made_worse);
    assert!(pm.factors[1].made_worse);
    assert_eq!(pm.howd_we_do.went_well.len(), 2);
    assert_eq!(pm.howd_we_do.got_lucky, ["It happened off-peak"]);
    assert_eq!(pm.questions[0].asked_by.as_deref(), Some("Bo Chen"));
    assert_eq!(pm.questions[0].answer, None);
    assert_eq!(pm.questions[1].answer.as_deref(), Some("The platform team"));
    assert_eq!(
        pm.meeting.scheduled_for,
        Some(
            Utc.with_ymd_and_hms(2026, 11, 5, 13, 0, 0)
                .single()
                .expect("a time")
        ),
        "read in the incident's timezone (Paris, UTC+1 in November)"
    );
    assert_eq!(pm.meeting.note_taker.expect("named").as_str(), "Dee Park");
    assert_eq!(pm.communication.channel.as_deref(), Some("incident-1"));
    assert_eq!(
        pm.communication.links[0].title.as_deref(),
        Some("Checkout errors")
    );
    assert_eq!(
        pm.commands[0].command,
        "sum(rate(http_requests_total{code=~\"5..\"}[1m]))"
    );

    // Every form, sent again as it opens, shows what is stored: nothing changes.
    let before = record(&app, key);
    let revisions = revision_count(&app, key);
    for part in PARTS {
        let answer = submit(
            &app,
            &browser,
            &format!("/incidents/INC-1/document/{part}"),
            &[],
        )
        .await;
        assert_eq!(answer.status(), 303, "{part} sent unchanged");
    }
    let after = record(&app, key);
    assert_eq!(after.postmortem, before.postmortem);
    assert_eq!(after.responders, before.responders);
    assert_eq!(after.postmortem_version, before.postmortem_version);
    assert_eq!(revision_count(&app, key), revisions, "no empty revision");

    // Factors are edited and removed.
    let answer = submit(
        &app,
        &browser,
        "/incidents/INC-1/document/factors",
        &[
            (
                "factors.0.description",
                "Config pushes skip the canary stage",
            ),
            ("factors.1.remove", "true"),
        ],
    )
    .await;
    assert_eq!(answer.status(), 303);
    let factors = record(&app, key).postmortem.factors;
    assert_eq!(factors.len(), 1);
    assert_eq!(
        factors[0].description,
        "Config pushes skip the canary stage"
    );
    assert_eq!(factors[0].whys.len(), 2, "the whys stay");

    // The document page shows it all, escaped.
    let page = text_of(&browser, &app.url("/incidents/INC-1/document")).await;
    assert!(page.contains("Cy &lt;script&gt;alert(1)&lt;/script&gt;, Support lead"));
    assert!(!page.contains("<script>"));
    assert!(page.contains("0 (checked)"));
    assert!(page.contains("Config pushes skip the canary stage"));
    assert!(page.contains("Thu 05 Nov 2026 14:00 CET"));
    let incident_page = text_of(&browser, &app.url("/incidents/INC-1")).await;
    assert!(incident_page.contains("href=\"/incidents/INC-1/document\""));
    assert!(incident_page.contains("href=\"/incidents/INC-1/proposals\""));
    assert!(
        incident_page.contains("href=\"/incidents/INC-1/document/impact\""),
        "a structured section links to its form"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_message_is_drafted_from_the_document_then_saved_with_its_blameless_findings() {
    let app = TestApp::spawn().await;
    let (ana, _) = incident(&app).await;
    let (browser, _) = app.browser(&ana).await;
    submit(
        &app,
        &browser,
        "/incidents/INC-1/document/responders",
        &[("smes.0.name", "Bo Chen")],
    )
    .await;
    let path = "/incidents/INC-1/messages/external";
    let page = text_of(&browser, &app.url(path)).await;
    let mut fields = form_fields(&page, path);
    edit(&mut fields, &[("intent", "draft")]);
    let drafted = browser
        .post(app.url(path))
        .form(&fields)
        .send()
        .await
        .expect("an answer");
    assert_eq!(drafted.status(), 200);
    let drafted = drafted.text().await.expect("a body");
    assert!(
        drafted.contains("We are sorry for the disruption"),
        "{drafted}"
    );
    assert_eq!(
        record(&app, inc(1)).postmortem.messages.external,
        None,
        "a draft is not saved"
    );

    let mut fields = form_fields(&drafted, path);
    let text =
        "Bo Chen caused the outage by restarting the primary during peak traffic. We are sorry.";
    edit(&mut fields, &[("intent", "save"), ("text", text)]);
    let saved = browser
        .post(app.url(path))
        .form(&fields)
        .send()
        .await
        .expect("an answer");
    assert_eq!(saved.status(), 303);
    assert_eq!(
        saved.headers()["location"],
        "/incidents/INC-1/messages/external?done=saved"
    );
    let record = record(&app, inc(1));
    assert_eq!(
        record.postmortem.messages.get(MessageKind::External),
        Some(text)
    );
    let page = text_of(&browser, &app.url(&format!("{path}?done=saved"))).await;
    assert!(page.contains("Saved."));
    assert!(
        page.contains("person-as-cause"),
        "the lint's finding is shown"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_stale_form_is_refused_with_409_keeps_the_input_and_overwrites_nothing_on_sqlite() {
    a_stale_form_is_refused_with_409_keeps_the_input_and_overwrites_nothing(TestApp::spawn().await)
        .await;
}

#[tokio::test]
async fn a_stale_form_is_refused_with_409_keeps_the_input_and_overwrites_nothing_on_postgresql() {
    if let Some(app) = TestApp::spawn_postgres().await {
        a_stale_form_is_refused_with_409_keeps_the_input_and_overwrites_nothing(app).await;
    }
}

async fn a_stale_form_is_refused_with_409_keeps_the_input_and_overwrites_nothing(app: TestApp) {
    let (ana, _) = incident(&app).await;
    let (browser, _) = app.browser(&ana).await;
    let key = inc(1);

    // Ana opens the impact form; meanwhile someone else saves how'd we do.
    let path = "/incidents/INC-1/document/impact";
    let page = text_of(&browser, &app.url(path)).await;
    let mut stale = form_fields(&page, path);
    let opened_at = version(&app, key);
    let answer = submit(
        &app,
        &browser,
        "/incidents/INC-1/document/howd",
        &[("went_well", "Paging worked")],
    )
    .await;
    assert_eq!(answer.status(), 303);
    let saved_meanwhile = record(&app, key);
    assert!(saved_meanwhile.postmortem_version > opened_at);

    edit(&mut stale, &[("users_affected", "4321")]);
    let refused = browser
        .post(app.url(path))
        .form(&stale)
        .send()
        .await
        .expect("an answer");
    assert_eq!(refused.status(), 409);
    let body = refused.text().await.expect("a body");
    assert!(body.contains("Not saved: someone else saved this post-mortem"));
    assert!(body.contains("What is saved now"));
    assert!(body.contains("value=\"4321\""), "the input is kept");
    assert_eq!(record(&app, key), saved_meanwhile, "nothing overwritten");

    // The form now carries the newer version: saving again is a deliberate choice.
    let again = form_fields(&body, path);
    assert!(again.contains(&(
        "version".to_owned(),
        saved_meanwhile.postmortem_version.to_string()
    )));
    let saved = browser
        .post(app.url(path))
        .form(&again)
        .send()
        .await
        .expect("an answer");
    assert_eq!(saved.status(), 303);
    let pm = record(&app, key).postmortem;
    assert_eq!(pm.impact.users_affected, Some(4321));
    assert_eq!(pm.howd_we_do.went_well, ["Paging worked"], "theirs is kept");

    // The same for a message: a script saves it after the form opened.
    let path = "/incidents/INC-1/messages/internal";
    let page = text_of(&browser, &app.url(path)).await;
    let mut stale = form_fields(&page, path);
    let put = app
        .api(&ana)
        .put(app.url("/api/v1/incidents/INC-1/messages/internal"))
        .json(&json!({"text": "Written by the script."}))
        .send()
        .await
        .expect("an answer");
    assert_eq!(put.status(), 200);
    edit(
        &mut stale,
        &[("intent", "save"), ("text", "Written in the form.")],
    );
    let refused = browser
        .post(app.url(path))
        .form(&stale)
        .send()
        .await
        .expect("an answer");
    assert_eq!(refused.status(), 409);
    let body = refused.text().await.expect("a body");
    assert!(body.contains("Written in the form."));
    assert!(body.contains("Written by the script."));
    assert_eq!(
        record(&app, key)
            .postmortem
            .messages
            .get(MessageKind::Internal),
        Some("Written by the script.")
    );
    app.stop().await;
}

#[tokio::test]
async fn bad_input_is_refused_with_400_naming_the_field_and_nothing_is_saved() {
    let app = TestApp::spawn().await;
    let (ana, _) = incident(&app).await;
    let (browser, _) = app.browser(&ana).await;
    let key = inc(1);
    let before = record(&app, key);
    for (part, changes, expected) in [
        (
            "impact",
            vec![("users_affected", "12"), ("events_dropped", "a few")],
            "Events dropped: `a few` is not a whole number",
        ),
        (
            "impact",
            vec![("support_tickets", "javascript:alert(1)")],
            "Support ticket link 1:",
        ),
        (
            "impact",
            vec![("custom.0.name", "refunds"), ("custom.0.value", "lots")],
            "Figure 1, value:",
        ),
        (
            "factors",
            vec![("factors.0.whys", "Because")],
            "Factor 1, description:",
        ),
        (
            "meeting",
            vec![("moderator", "Ana Lima"), ("note_taker", "ana lima")],
            "Note-taker: Ana Lima is also the moderator",
        ),
        (
            "meeting",
            vec![("scheduled_for", "next Tuesday")],
            "When: `next Tuesday` is not a time",
        ),
        (
            "communication",
            vec![("links.0.url", "file:///etc/passwd")],
            "Link 1, address:",
        ),
        (
            "responders",
            vec![("commander.job_title", "SRE")],
            "Incident commander: a job title needs the person's name",
        ),
        (
            "questions",
            vec![("questions.0.answer", "42")],
            "Question 1: write the question itself",
        ),
    ] {
        let answer = submit(
            &app,
            &browser,
            &format!("/incidents/INC-1/document/{part}"),
            &changes,
        )
        .await;
        assert_eq!(answer.status(), 400, "{part}: {expected}");
        let body = answer.text().await.expect("a body");
        assert!(body.contains(expected), "{part}: {expected} in {body}");
        assert!(
            body.contains("aria-invalid=\"true\""),
            "{part}: the field is marked"
        );
        for (name, value) in &changes {
            if !name.ends_with("remove") {
                assert!(body.contains(&escape(value)), "{part}: {name} kept");
            }
        }
    }
    assert_eq!(record(&app, key), before, "nothing saved");

    // A form without the session's CSRF token changes nothing either.
    let refused = browser
        .post(app.url("/incidents/INC-1/document/owner"))
        .form(&[
            ("owner", "Mallory"),
            ("version", &before.postmortem_version.to_string()),
        ])
        .send()
        .await
        .expect("an answer");
    assert_eq!(refused.status(), 403);
    assert_eq!(record(&app, key), before);
    app.stop().await;
}

#[tokio::test]
async fn a_viewer_reads_the_document_but_cannot_post_a_form_or_change_it_through_the_api() {
    let app = TestApp::spawn().await;
    let (_, vic) = incident(&app).await;
    let (browser, csrf) = app.browser(&vic).await;
    let key = inc(1);
    let before = record(&app, key);
    let page = text_of(&browser, &app.url("/incidents/INC-1/document")).await;
    assert!(
        !page.contains("/document/impact\""),
        "no edit link for a viewer"
    );
    let form = browser
        .get(app.url("/incidents/INC-1/document/impact"))
        .send()
        .await
        .expect("an answer");
    assert_eq!(form.status(), 403);
    let version = before.postmortem_version.to_string();
    for path in [
        "/incidents/INC-1/document/impact",
        "/incidents/INC-1/document/responders",
        "/incidents/INC-1/messages/internal",
        "/incidents/INC-1/proposals/decide",
    ] {
        let answer = browser
            .post(app.url(path))
            .form(&[
                ("csrf", csrf.as_str()),
                ("version", version.as_str()),
                ("users_affected", "1"),
                ("text", "x"),
                ("intent", "save"),
                ("id", "all"),
                ("decision", "accept"),
            ])
            .send()
            .await
            .expect("an answer");
        assert_eq!(answer.status(), 403, "{path}");
    }
    let (content_type, body) = multipart(
        &[("csrf", &csrf), ("format", "chat")],
        "chat.csv",
        b"time,author,text\n",
    );
    let upload = browser
        .post(app.url("/incidents/INC-1/proposals/import"))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .expect("an answer");
    assert_eq!(upload.status(), 403);

    let api = app.api(&vic);
    for (method, path, body) in [
        (
            reqwest::Method::PUT,
            "/api/v1/incidents/INC-1/responders",
            json!({}),
        ),
        (
            reqwest::Method::PUT,
            "/api/v1/incidents/INC-1/messages/internal",
            json!({"text": "x"}),
        ),
        (
            reqwest::Method::POST,
            "/api/v1/incidents/INC-1/proposals/decide",
            json!({"accept_all": true}),
        ),
        (
            reqwest::Method::POST,
            "/api/v1/incidents/INC-1/checklist/1",
            json!({"done": true}),
        ),
        (reqwest::Method::POST, "/api/v1/documents", json!({})),
    ] {
        let answer = api
            .request(method, app.url(path))
            .json(&body)
            .send()
            .await
            .expect("an answer");
        assert_eq!(answer.status(), 403, "{path}");
    }
    let import = api
        .post(app.url("/api/v1/incidents/INC-1/import/chat"))
        .body("time,author,text\n")
        .send()
        .await
        .expect("an answer");
    assert_eq!(import.status(), 403);
    // Reading is allowed.
    let proposals = api
        .get(app.url("/api/v1/incidents/INC-1/proposals"))
        .send()
        .await
        .expect("an answer");
    assert_eq!(proposals.status(), 200);
    let draft = api
        .post(app.url("/api/v1/incidents/INC-1/messages/external/draft"))
        .send()
        .await
        .expect("an answer");
    assert_eq!(draft.status(), 200);
    assert_eq!(record(&app, key), before);
    app.stop().await;
}

// ---------------------------------------------------------------------------------------------
// The API of the same parts

#[tokio::test]
async fn responders_messages_checklists_and_documents_through_the_api() {
    let app = TestApp::spawn().await;
    let (ana, _) = incident(&app).await;
    let api = app.api(&ana);

    let put = api
        .put(app.url("/api/v1/incidents/INC-1/responders"))
        .json(
            &json!({"commander": {"name": "Ana Lima", "job_title": "SRE"},
                      "smes": [{"name": "Bo Chen", "job_title": "DBA"}],
                      "participants": [{"name": "Cy Diaz"}]}),
        )
        .send()
        .await
        .expect("an answer");
    assert_eq!(put.status(), 200);
    let saved: Value = put.json().await.expect("a JSON body");
    assert_eq!(saved["commander"]["job_title"], "SRE");
    assert_eq!(saved["deputy"], Value::Null);
    assert_eq!(saved["participants"][0]["name"], "Cy Diaz");
    let bad = api
        .put(app.url("/api/v1/incidents/INC-1/responders"))
        .json(&json!({"smes": [{"name": "  "}]}))
        .send()
        .await
        .expect("an answer");
    assert_eq!(bad.status(), 400);
    let error: Value = bad.json().await.expect("a JSON body");
    assert_eq!(error["field"], "smes[0]");

    let draft: Value = api
        .post(app.url("/api/v1/incidents/INC-1/messages/internal/draft"))
        .send()
        .await
        .expect("an answer")
        .json()
        .await
        .expect("a JSON body");
    assert_eq!(draft["kind"], "internal");
    assert!(
        draft["text"]
            .as_str()
            .expect("present")
            .contains("Checkout returned 502s")
    );

    let etag = api
        .get(app.url("/api/v1/incidents/INC-1/postmortem"))
        .send()
        .await
        .expect("an answer")
        .headers()["etag"]
        .to_str()
        .expect("present")
        .to_owned();
    let first = api
        .put(app.url("/api/v1/incidents/INC-1/messages/external"))
        .header("If-Match", &etag)
        .json(&json!({"text": "Bo Chen caused the outage by restarting the primary during peak traffic."}))
        .send()
        .await
        .expect("an answer");
    assert_eq!(first.status(), 200);
    let first: Value = first.json().await.expect("a JSON body");
    assert_eq!(first["findings"][0]["rule"], "person-as-cause");
    let stale = api
        .put(app.url("/api/v1/incidents/INC-1/messages/external"))
        .header("If-Match", &etag)
        .json(&json!({"text": "From an old version."}))
        .send()
        .await
        .expect("an answer");
    assert_eq!(stale.status(), 409);
    assert!(
        record(&app, inc(1))
            .postmortem
            .messages
            .external
            .expect("present")
            .starts_with("Bo Chen"),
        "the stale save changed nothing"
    );
    let unknown = api
        .put(app.url("/api/v1/incidents/INC-1/messages/blog"))
        .json(&json!({"text": "x"}))
        .send()
        .await
        .expect("an answer");
    assert_eq!(unknown.status(), 404);

    // Checklists are made when the incident is resolved.
    let none = api
        .post(app.url("/api/v1/incidents/INC-1/checklist/1"))
        .json(&json!({"done": true}))
        .send()
        .await
        .expect("an answer");
    assert_eq!(none.status(), 404);
    let resolved = api
        .post(app.url("/api/v1/incidents/INC-1/timeline"))
        .json(&json!({"at": "2026-11-01 10:00", "kind": "resolved", "text": "Error rate back to normal"}))
        .send()
        .await
        .expect("an answer");
    assert_eq!(resolved.status(), 201);
    let ticked = api
        .post(app.url("/api/v1/incidents/INC-1/checklist/2"))
        .json(&json!({"done": true}))
        .send()
        .await
        .expect("an answer");
    assert_eq!(ticked.status(), 200);
    let item: Value = ticked.json().await.expect("a JSON body");
    assert_eq!(item["position"], 2);
    assert_eq!(item["role"], "commander");
    assert_eq!(item["done"], true);
    assert!(record(&app, inc(1)).postmortem.checklists[1].done);

    // A document exported as JSON imports back as a new incident.
    let exported = api
        .get(app.url("/api/v1/incidents/INC-1/export/json"))
        .send()
        .await
        .expect("an answer")
        .text()
        .await
        .expect("a body");
    let imported = api
        .post(app.url("/api/v1/documents"))
        .header("content-type", "application/json")
        .body(exported)
        .send()
        .await
        .expect("an answer");
    assert_eq!(imported.status(), 201);
    assert_eq!(imported.headers()["location"], "/api/v1/incidents/INC-2");
    let copy = record(&app, inc(2));
    assert_eq!(copy.responders, record(&app, inc(1)).responders);
    let refused = api
        .post(app.url("/api/v1/documents"))
        .header("content-type", "application/json")
        .body(r#"{"format": "something else"}"#)
        .send()
        .await
        .expect("an answer");
    assert_eq!(refused.status(), 400);
    app.stop().await;
}

#[tokio::test]
async fn the_new_routes_hide_a_private_incident_from_non_members() {
    let app = TestApp::spawn().await;
    let ana = app.account("ana", "Ana Lima", AccountRole::Editor);
    let eve = app.account("eve", "Eve Other", AccountRole::Editor);
    app.api(&ana)
        .post(app.url("/api/v1/incidents"))
        .json(&json!({"title": "Secret", "severity": "SEV-2", "private": true}))
        .send()
        .await
        .expect("an answer");
    app.app
        .edit_responders(inc(1), "Ana was the commander", |r| {
            r.commander = Some(hindsight_core::Person::new("Ana Lima", None).expect("present"));
        })
        .expect("present");
    let api = app.api(&eve);
    for (method, path, body) in [
        (
            reqwest::Method::GET,
            "/api/v1/incidents/INC-1/proposals",
            None,
        ),
        (
            reqwest::Method::PUT,
            "/api/v1/incidents/INC-1/responders",
            Some(json!({})),
        ),
        (
            reqwest::Method::POST,
            "/api/v1/incidents/INC-1/proposals/decide",
            Some(json!({"accept_all": true})),
        ),
        (
            reqwest::Method::POST,
            "/api/v1/incidents/INC-1/messages/internal/draft",
            None,
        ),
        (
            reqwest::Method::PUT,
            "/api/v1/incidents/INC-1/messages/internal",
            Some(json!({"text": "x"})),
        ),
        (
            reqwest::Method::POST,
            "/api/v1/incidents/INC-1/checklist/1",
            Some(json!({"done": true})),
        ),
    ] {
        let mut request = api.request(method, app.url(path));
        if let Some(body) = body {
            request = request.json(&body);
        }
        assert_eq!(
            request.send().await.expect("an answer").status(),
            404,
            "{path}"
        );
    }
    let (browser, _) = app.browser(&eve).await;
    for path in [
        "/incidents/INC-1/document",
        "/incidents/INC-1/proposals",
        "/incidents/INC-1/messages/internal",
    ] {
        assert_eq!(
            browser
                .get(app.url(path))
                .send()
                .await
                .expect("an answer")
                .status(),
            404,
            "{path}"
        );
    }
    let (browser, _) = app.browser(&ana).await;
    text_of(&browser, &app.url("/incidents/INC-1/document")).await;
    app.stop().await;
}

// ---------------------------------------------------------------------------------------------
// Chat exports and the import review screen

/// A multipart form body: the text fields in order, then the file.
fn multipart(fields: &[(&str, &str)], file_name: &str, bytes: &[u8]) -> (String, Vec<u8>) {
    let boundary = "hindsight-test-boundary-5f2c9a";
    let mut body = Vec::new();
    for (name, value) in fields {
        write!(
            body,
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
        )
        .expect("write");
    }
    write!(
        body,
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
    )
    .expect("write");
    body.extend_from_slice(bytes);
    write!(body, "\r\n--{boundary}--\r\n").expect("write");
    (format!("multipart/form-data; boundary={boundary}"), body)
}

fn zip(files: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, bytes) in files {
        writer
            .start_file(name.as_str(), zip::write::SimpleFileOptions::default())
            .expect("an entry");
        writer.write_all(bytes).expect("its bytes");
    }
    writer.finish().expect("the zip").into_inner()
}

/// The Slack export of the fixtures, zipped as Slack hands it over.
fn slack_fixture_zip() -> Vec<u8> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/fixtures/slack-export-2016");
    let mut files = Vec::new();
    let mut stack = vec![root.clone()];
    while let Some(folder) = stack.pop() {
        for entry in std::fs::read_dir(&folder).expect("the fixture") {
            let path = entry.expect("an entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "json") {
                let name = path
                    .strip_prefix(&root)
                    .expect("inside")
                    .to_str()
                    .expect("a name")
                    .replace('\\', "/");
                files.push((name, std::fs::read(&path).expect("a file")));
            }
        }
    }
    files.sort();
    zip(&files)
}

fn ts(hour: u32, minute: u32) -> String {
    format!(
        "{}.000100",
        Utc.with_ymd_and_hms(2026, 10, 24, hour, minute, 0)
            .single()
            .expect("a time")
            .timestamp()
    )
}

/// A small Slack export of the incident's war room, `incident-1`, on 24 October 2026.
fn war_room_zip() -> Vec<u8> {
    let users = json!([
        {"id": "U1", "name": "ana", "real_name": "Ana Lima", "profile": {"real_name": "Ana Lima", "display_name": "Ana Lima", "title": "SRE"}},
        {"id": "U2", "name": "bo", "real_name": "Bo Chen", "profile": {"real_name": "Bo Chen", "display_name": "Bo Chen", "title": "DBA"}}
    ]);
    let channels = json!([{"id": "C1", "name": "incident-1", "created": 1761300000}]);
    let day = json!([
        {"type": "message", "user": "U1", "ts": ts(21, 52), "text": "Checkout is returning 502s for a third of requests, paging the on-call"},
        {"type": "message", "user": "U2", "ts": ts(21, 58), "pinned_to": ["C1"],
         "text": "Rolled back deploy 4512, error rate dropping <https://grafana.example.com/d/checkout|dashboard>"},
        {"type": "message", "user": "U1", "ts": ts(22, 10), "text": "TODO: add an alert on the payment queue depth"},
        {"type": "message", "user": "U2", "ts": ts(22, 30), "text": "All green, we're resolved"}
    ]);
    zip(&[
        ("users.json".into(), users.to_string().into_bytes()),
        ("channels.json".into(), channels.to_string().into_bytes()),
        (
            "incident-1/2026-10-24.json".into(),
            day.to_string().into_bytes(),
        ),
    ])
}

/// Sends the upload form of the review page as it opens, with the file.
async fn upload(
    app: &TestApp,
    browser: &reqwest::Client,
    file_name: &str,
    bytes: &[u8],
) -> reqwest::Response {
    let page = text_of(browser, &app.url("/incidents/INC-1/proposals")).await;
    let fields = form_fields(&page, "/incidents/INC-1/proposals/import");
    assert_eq!(fields[0].0, "csrf", "the token comes before the file");
    let fields: Vec<(&str, &str)> = fields
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let (content_type, body) = multipart(&fields, file_name, bytes);
    browser
        .post(app.url("/incidents/INC-1/proposals/import"))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .expect("the upload is sent")
}

#[tokio::test]
async fn the_scribe_accepts_one_imported_event_rejects_the_rest_and_nothing_is_proposed_twice_on_sqlite()
 {
    the_scribe_accepts_one_imported_event_rejects_the_rest_and_nothing_is_proposed_twice(
        TestApp::spawn().await,
    )
    .await;
}

#[tokio::test]
async fn the_scribe_accepts_one_imported_event_rejects_the_rest_and_nothing_is_proposed_twice_on_postgresql()
 {
    if let Some(app) = TestApp::spawn_postgres().await {
        the_scribe_accepts_one_imported_event_rejects_the_rest_and_nothing_is_proposed_twice(app)
            .await;
    }
}

async fn the_scribe_accepts_one_imported_event_rejects_the_rest_and_nothing_is_proposed_twice(
    app: TestApp,
) {
    let (ana, _) = incident(&app).await;
    let (browser, csrf) = app.browser(&ana).await;
    let key = inc(1);
    // The war room is named in the document, so the upload form reads it by default.
    submit(
        &app,
        &browser,
        "/incidents/INC-1/document/communication",
        &[("channel", "incident-1")],
    )
    .await;
    let page = text_of(&browser, &app.url("/incidents/INC-1/proposals")).await;
    assert!(page.contains("Nothing waits for a decision."));
    assert!(page.contains("value=\"incident-1\""));

    let answer = upload(&app, &browser, "war-room export.zip", &war_room_zip()).await;
    assert_eq!(answer.status(), 200);
    let page = answer.text().await.expect("a body");
    assert!(
        page.contains("4 messages in the channel and window"),
        "{page}"
    );
    assert!(page.contains("Rolled back deploy 4512"));
    let proposals = proposals_of(&app, key);
    assert!(
        proposals
            .iter()
            .all(|p| p.status == ProposalStatus::Pending)
    );
    assert!(
        proposals.iter().any(|p| p.suggestion.kind() == "action"),
        "the to-do"
    );
    assert_eq!(
        proposals
            .iter()
            .filter(|p| p.suggestion.kind() == "participant")
            .count(),
        2
    );
    let rolled_back = proposals
        .iter()
        .find(|p| matches!(&p.suggestion, Suggestion::Event { event } if event.text().starts_with("Rolled back")))
        .expect("the pinned message is proposed");
    assert_eq!(rolled_back.reason, "pinned in the channel");

    let accepted = browser
        .post(app.url("/incidents/INC-1/proposals/decide"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("id", &rolled_back.id.to_string()),
            ("decision", "accept"),
        ])
        .send()
        .await
        .expect("an answer");
    assert_eq!(accepted.status(), 303);
    assert_eq!(
        accepted.headers()["location"],
        "/incidents/INC-1/proposals?done=accepted"
    );
    let rest = browser
        .post(app.url("/incidents/INC-1/proposals/decide"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("id", "all"),
            ("decision", "reject"),
        ])
        .send()
        .await
        .expect("an answer");
    assert_eq!(rest.status(), 303);
    let proposals = proposals_of(&app, key);
    assert_eq!(
        proposals
            .iter()
            .filter(|p| p.status == ProposalStatus::Accepted)
            .count(),
        1
    );
    // "Reject all" decides every proposal; the messages kept quiet stay, to be added by hand.
    assert!(
        proposals
            .iter()
            .all(|p| p.status != ProposalStatus::Pending || p.quiet)
    );

    // The event is on the timeline at the time of its message, with its link as evidence.
    let record = record(&app, key);
    assert_eq!(record.timeline.len(), 1);
    let event = &record.timeline[0];
    assert_eq!(
        event.at(),
        Utc.with_ymd_and_hms(2026, 10, 24, 21, 58, 0)
            .single()
            .expect("a time")
            + chrono::Duration::microseconds(100)
    );
    assert_eq!(event.source(), EventSource::Chat);
    assert_eq!(event.author(), Some("Bo Chen"));
    assert!(event.is_key_point());
    assert_eq!(
        event.evidence()[0].as_str(),
        "https://grafana.example.com/d/checkout"
    );
    assert!(
        record.actions.is_empty() && record.responders.participants.is_empty(),
        "the rest was rejected"
    );
    let page = text_of(&browser, &app.url("/incidents/INC-1/proposals")).await;
    assert!(page.contains("Decided (") && page.contains("accepted") && page.contains("rejected"));

    // The message nothing proposed is kept under "the rest of the channel"; accepting it adds
    // it to the timeline at the time it was written.
    assert!(
        page.contains("The rest of the channel: 1 message nothing proposed"),
        "{page}"
    );
    let kept = proposals
        .iter()
        .find(|p| p.quiet && p.status == ProposalStatus::Pending)
        .expect("the to-do's message is kept");
    assert!(page.contains(&format!("id=\"proposal-{}\"", kept.id)));
    let added = browser
        .post(app.url("/incidents/INC-1/proposals/decide"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("id", &kept.id.to_string()),
            ("decision", "accept"),
        ])
        .send()
        .await
        .expect("an answer");
    assert_eq!(added.status(), 303);
    let timeline = self::record(&app, key).timeline;
    assert_eq!(timeline.len(), 2);
    assert!(
        timeline
            .iter()
            .any(|e| e.text().starts_with("TODO: add an alert"))
    );

    // The same export again proposes nothing new.
    let count = proposals.len();
    let again = upload(&app, &browser, "war-room export.zip", &war_room_zip()).await;
    assert_eq!(again.status(), 200);
    assert!(
        again
            .text()
            .await
            .expect("a body")
            .contains("nothing new is proposed")
    );
    assert_eq!(proposals_of(&app, key).len(), count);

    // A malformed export proposes nothing and says which file and line.
    let broken = zip(&[
        ("users.json".into(), b"[]".to_vec()),
        (
            "channels.json".into(),
            br#"[{"id": "C1", "name": "incident-1"}]"#.to_vec(),
        ),
        (
            "incident-1/2026-10-24.json".into(),
            b"[\n{\"ts\": \"1.0\",\n \"text\": }\n]".to_vec(),
        ),
    ]);
    let refused = upload(&app, &browser, "broken.zip", &broken).await;
    assert_eq!(refused.status(), 400);
    let body = refused.text().await.expect("a body");
    assert!(
        body.contains("broken.zip/incident-1/2026-10-24.json"),
        "{body}"
    );
    assert!(body.contains("line 3"), "{body}");
    assert!(!body.contains("/tmp"), "no server path");
    assert_eq!(proposals_of(&app, key).len(), count);
    app.stop().await;
}

#[tokio::test]
async fn the_slack_fixture_imports_through_the_api_once_and_proposals_are_decided() {
    let app = TestApp::spawn().await;
    let (ana, _) = incident(&app).await;
    let api = app.api(&ana);
    let export = slack_fixture_zip();
    let first = api
        .post(app.url("/api/v1/incidents/INC-1/import/slack?channel=enrique&from=&to="))
        .header("content-type", "application/zip")
        .body(export.clone())
        .send()
        .await
        .expect("an answer");
    assert_eq!(first.status(), 200);
    let first: Value = first.json().await.expect("a JSON body");
    assert_eq!(first["messages"], 102, "the enrique channel's messages");
    let proposed = first["proposed"].as_array().expect("a list").len();
    assert!(proposed > 0);
    assert_eq!(first["already_proposed"], 0);

    let second: Value = api
        .post(app.url("/api/v1/incidents/INC-1/import/slack?channel=enrique&from=&to="))
        .body(export.clone())
        .send()
        .await
        .expect("an answer")
        .json()
        .await
        .expect("a JSON body");
    assert_eq!(second["proposed"], json!([]));
    assert_eq!(second["already_proposed"], proposed);

    let listed: Value = api
        .get(app.url("/api/v1/incidents/INC-1/proposals"))
        .send()
        .await
        .expect("an answer")
        .json()
        .await
        .expect("a JSON body");
    let listed = listed.as_array().expect("a list");
    assert_eq!(listed.len(), proposed);
    let person = listed
        .iter()
        .find(|p| p["kind"] == "participant")
        .expect("the people who wrote are proposed");
    let name = person["participant"]["name"]
        .as_str()
        .expect("a string")
        .to_owned();

    let both = api
        .post(app.url("/api/v1/incidents/INC-1/proposals/decide"))
        .json(&json!({"accept": [person["id"]], "reject": [person["id"]]}))
        .send()
        .await
        .expect("an answer");
    assert_eq!(both.status(), 400, "accepted and rejected at once");
    let unknown = api
        .post(app.url("/api/v1/incidents/INC-1/proposals/decide"))
        .json(&json!({"accept": [person["id"], 99999]}))
        .send()
        .await
        .expect("an answer");
    assert_eq!(unknown.status(), 404);
    assert!(
        proposals_of(&app, inc(1))
            .iter()
            .all(|p| p.status == ProposalStatus::Pending),
        "a wrong id decides nothing"
    );
    let decided = api
        .post(app.url("/api/v1/incidents/INC-1/proposals/decide"))
        .json(&json!({"accept": [person["id"]], "reject_all": true}))
        .send()
        .await
        .expect("an answer");
    assert_eq!(decided.status(), 200);
    let decided: Value = decided.json().await.expect("a JSON body");
    assert_eq!(decided["accepted"].as_array().expect("a list").len(), 1);
    assert_eq!(
        decided["rejected"].as_array().expect("a list").len(),
        proposed - 1
    );
    let record = record(&app, inc(1));
    assert!(
        record
            .responders
            .participants
            .iter()
            .any(|p| p.name.as_str() == name)
    );
    let again = api
        .post(app.url("/api/v1/incidents/INC-1/proposals/decide"))
        .json(&json!({"accept": [person["id"]]}))
        .send()
        .await
        .expect("an answer");
    assert_eq!(again.status(), 409, "already decided");

    // A channel with nothing in the window, and a format that does not exist.
    let empty = api
        .post(app.url("/api/v1/incidents/INC-1/import/slack?channel=nowhere"))
        .body(export.clone())
        .send()
        .await
        .expect("an answer");
    assert_eq!(empty.status(), 422);
    let error: Value = empty.json().await.expect("a JSON body");
    assert!(
        error["message"]
            .as_str()
            .expect("present")
            .contains("enrique, traveling-sailor"),
        "{error}"
    );
    let unknown_format = api
        .post(app.url("/api/v1/incidents/INC-1/import/teams?channel=x"))
        .body("x")
        .send()
        .await
        .expect("an answer");
    assert_eq!(unknown_format.status(), 400);

    // A plain CSV log, named by the `name` parameter.
    let csv = "time,author,text\n2026-10-24 23:58,Ana Lima,Rolled back deploy 4512\n2026-10-24 23:59,Ana Lima,\"TODO: add a canary stage\"\n";
    let plain: Value = api
        .post(app.url("/api/v1/incidents/INC-1/import/chat?name=war-room.csv&channel=war-room"))
        .body(csv)
        .send()
        .await
        .expect("an answer")
        .json()
        .await
        .expect("a JSON body");
    assert_eq!(plain["messages"], 2, "{plain}");
    let bad_csv = api
        .post(app.url("/api/v1/incidents/INC-1/import/chat?name=war-room.csv&channel=war-room"))
        .body("time,author,text\nyesterday,Ana,hello\n")
        .send()
        .await
        .expect("an answer");
    assert_eq!(bad_csv.status(), 400);
    let error: Value = bad_csv.json().await.expect("a JSON body");
    assert!(
        error["message"]
            .as_str()
            .expect("a string")
            .contains("war-room.csv"),
        "{error}"
    );
    assert!(
        error["message"]
            .as_str()
            .expect("a string")
            .contains("line 2"),
        "{error}"
    );
    assert_eq!(error["field"], "file");
    app.stop().await;
}

#[tokio::test]
async fn the_new_routes_are_in_the_openapi_document() {
    let app = TestApp::spawn().await;
    let doc: Value = app
        .anonymous()
        .get(app.url("/api/openapi.json"))
        .send()
        .await
        .expect("an answer")
        .json()
        .await
        .expect("a JSON body");
    for path in [
        "/api/v1/incidents/{key}/responders",
        "/api/v1/incidents/{key}/proposals",
        "/api/v1/incidents/{key}/proposals/decide",
        "/api/v1/incidents/{key}/import/{format}",
        "/api/v1/incidents/{key}/messages/{kind}/draft",
        "/api/v1/incidents/{key}/messages/{kind}",
        "/api/v1/incidents/{key}/checklist/{position}",
        "/api/v1/documents",
    ] {
        assert!(doc["paths"][path].is_object(), "{path}");
    }
    app.stop().await;
}
