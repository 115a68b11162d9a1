//! End-to-end tests in headless Chromium: a person signs in, opens an incident, rebuilds its
//! timeline, writes the post-mortem and tries to send it to review, all by clicking and typing on
//! the real pages of a real server; a scribe adds a key event the chat import missed from the
//! rest of the channel; and the incident page fits a phone's screen.
//!
//! They need Debian's `chromium` and `chromium-driver`. Without them the tests are skipped with
//! one line on stderr, unless `HINDSIGHT_REQUIRE_BROWSER` is set (CI sets it), and then they
//! fail. Every page a person would look at is saved as a PNG in `target/screenshots/`, to be
//! looked at after a change to the pages or the stylesheet.

mod support;

use fantoccini::{
    Client, ClientBuilder, Locator, elements::Element, wd::WebDriverCompatibleCommand,
};
use hindsight_core::{AccountRole, NewIncident, Severity};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;
use std::{
    io::{Read, Write},
    net::{SocketAddr, TcpListener, TcpStream},
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    sync::Once,
    time::{Duration, Instant},
};
use support::{Account, TestApp};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// A phone's screen, in CSS pixels.
const PHONE: (u32, u32) = (390, 844);

/// How long a page may take to show what a step waits for. Generous: a loaded CI machine is slow,
/// and a passing run never waits this long.
const PATIENCE: Duration = Duration::from_secs(10);

/// A timeline as a scribe would paste it after the incident: times local to Europe/Paris,
/// each event with the graph, log search or message that shows it.
const TIMELINE_CSV: &str = "\
time,kind,text,author,severity,evidence,key_point
2026-10-24 22:52,impact_started,Checkout returns 502 for about 30% of requests,,,https://grafana.example.com/d/checkout?from=1761339120000,yes
2026-10-24 22:58,detected,Alert CheckoutErrorRate fired,Alertmanager,,https://alerts.example.com/#/alerts?filter=CheckoutErrorRate,yes
2026-10-24 23:04,declared,Incident declared at SEV-2 in #inc-checkout,Ana Lima,SEV-2,https://chat.example.com/archives/C042/p1761339840,
2026-10-24 23:21,action,Rolled back payments-gateway to 4.12.1,Ben Okafor,,https://deploy.example.com/payments-gateway/releases/4.12.1,
2026-10-24 23:41,mitigated,Error rate back under 0.1%,Ana Lima,,https://grafana.example.com/d/checkout?from=1761341460000,yes
2026-10-25 00:30,resolved,Connection pool limits restored and verified,Ben Okafor,,https://chat.example.com/archives/C042/p1761348600,yes
";

#[tokio::test]
async fn an_editor_opens_an_incident_rebuilds_its_timeline_and_is_told_what_blocks_review() {
    let Some(tools) = browser_tools() else {
        return;
    };
    let app = TestApp::spawn().await;
    let ana = app.account("ana", "Ana Lima", AccountRole::Editor);
    let browser = Browser::start(&tools, (1280, 900)).await;
    let c = &browser.client;

    // The first visit, the only one by address: an anonymous visitor is asked to sign in.
    c.goto(&app.url("/")).await.expect("open the front page");
    wait_for_text(c, "h1", "Sign in to hindsight").await;
    browser.screenshot("signin").await;
    sign_in(c, &ana).await;

    wait_for_text(c, "h1", "Incidents").await;
    wait_for_text(c, "main", "No incident yet.").await;
    browser.screenshot("incidents-empty").await;

    // Open an incident.
    click_link(c, "New incident").await;
    wait_for_text(c, "h1", "Open an incident").await;
    type_into(c, "Title", "Checkout returned 502s for a third of requests").await;
    field(c, "Severity")
        .await
        .select_by_label("SEV-2")
        .await
        .expect("choose SEV-2");
    let timezone = field(c, "Timezone").await;
    timezone.clear().await.expect("clear the timezone");
    timezone
        .send_keys("Europe/Paris")
        .await
        .expect("type the timezone");
    type_into(c, "Services", "checkout-api, payments-gateway").await;
    browser.screenshot("new-incident").await;
    click_button(c, "Open the incident").await;
    wait_for_text(c, ".flash.ok", "The incident is open.").await;
    wait_for_text(
        c,
        "h1",
        "INC-1: Checkout returned 502s for a third of requests",
    )
    .await;
    wait_for_text(c, "main", "Services: checkout-api, payments-gateway").await;
    wait_for_text(c, "main", "No event yet.").await;

    // Paste the timeline.
    click_text(c, "summary", "Import events from a CSV").await;
    type_into(c, "CSV", TIMELINE_CSV).await;
    click_button(c, "Import").await;
    wait_for_text(c, ".flash.ok", "The events of the CSV are on the timeline.").await;
    let rows = c
        .find_all(Locator::Css("#timeline tbody tr"))
        .await
        .expect("the timeline's rows");
    assert_eq!(rows.len(), 6, "every row of the CSV is an event");
    wait_for_text(c, "#timeline", "Rolled back payments-gateway to 4.12.1").await;
    wait_for_text(c, "#timeline", "grafana.example.com").await;
    wait_for_text(c, "#timeline", "Sun 25 Oct 2026 00:30 CEST").await;
    let picture = wait_for(c, Locator::Css(".timeline-picture svg")).await;
    let (_, _, picture_width, picture_height) = picture.rectangle().await.expect("its size");
    let (_, _, card_width, _) = wait_for(c, Locator::Css(".timeline-picture"))
        .await
        .rectangle()
        .await
        .expect("the card's size");
    assert!(
        picture_width > 0.0 && picture_width <= card_width + 1.0,
        "the timeline picture fits its card: {picture_width} px in {card_width} px"
    );
    assert!(
        picture_height > 0.0 && picture_height < 900.0,
        "the timeline picture is not taller than the screen: {picture_height} px"
    );
    let figures = wait_for_text(c, "dl.figures", "Time to resolve").await;
    assert!(
        figures.contains("Time to mitigate\n49m") && figures.contains("Time to resolve\n1h 38m"),
        "the durations are derived from the timeline: {figures}"
    );

    // Write the overview, preview it, save it.
    let overview = wait_for(c, Locator::Id("section-overview")).await;
    let edit = overview
        .find(Locator::LinkText("Edit"))
        .await
        .expect("the overview's Edit link");
    click_and_wait(c, &edit).await;
    wait_for_text(c, "h1", "Overview").await;
    type_into(
        c,
        "Markdown",
        "For **49 minutes** a third of checkouts failed with a 502.\n\n\
         - the connection pool of payments-gateway 4.13.0 was too small for peak traffic\n\
         - the rollback to 4.12.1 restored it\n",
    )
    .await;
    click_button(c, "Preview").await;
    let preview = wait_for_text(c, "#preview", "For 49 minutes a third").await;
    assert!(preview.contains("the rollback to 4.12.1 restored it"));
    let preview_markup = wait_for(c, Locator::Css("#preview .prose"))
        .await
        .html(true)
        .await
        .expect("the preview's markup");
    assert!(
        preview_markup.contains("<strong>49 minutes</strong>") && preview_markup.contains("<li>"),
        "the preview renders the Markdown: {preview_markup}"
    );
    let kept = field(c, "Markdown")
        .await
        .prop("value")
        .await
        .expect("the text area's text")
        .unwrap_or_default();
    assert!(
        kept.starts_with("For **49 minutes**"),
        "the preview keeps the text in the form: {kept}"
    );
    browser.screenshot("section-preview").await;
    click_button(c, "Save").await;
    wait_for_text(c, ".flash.ok", "Saved.").await;
    wait_for_text(c, "#section-overview", "For 49 minutes a third").await;

    // File an action item with an owner and a due date.
    click_text(c, "summary", "File an action item").await;
    type_into(
        c,
        "Title",
        "Alert on connection pool saturation of payments-gateway",
    )
    .await;
    type_into(c, "Owner", "Ben Okafor").await;
    // A date field takes the digits in the browser's locale (en-US: month, day, year).
    type_into(c, "Due", "11202026").await;
    let due = field(c, "Due")
        .await
        .prop("value")
        .await
        .expect("the due date")
        .unwrap_or_default();
    assert_eq!(
        due, "2026-11-20",
        "the date field understood the typed date"
    );
    click_button(c, "File the action").await;
    wait_for_text(c, ".flash.ok", "The action item is filed.").await;
    wait_for_text(
        c,
        "#action-items",
        "Alert on connection pool saturation of payments-gateway",
    )
    .await;
    wait_for_text(c, "#action-items", "2026-11-20").await;

    // The readiness check: what the journey did is no longer listed, what it did not do is.
    let readiness = wait_for_text(c, "#readiness", "[no-owner]").await;
    assert!(readiness.contains("[meeting-not-scheduled]"), "{readiness}");
    assert!(
        readiness.contains("[events-dropped-unchecked]"),
        "{readiness}"
    );
    for done in [
        "[no-start]",
        "[no-resolution]",
        "[event-without-evidence]",
        "[action-without-owner]",
        "[action-without-due-date]",
        "“Overview” is empty",
    ] {
        assert!(
            !readiness.contains(done),
            "{done} was dealt with but is still listed: {readiness}"
        );
    }
    assert_ids_are_unique(c, "the incident page").await;
    browser.screenshot("incident").await;

    // Review is refused, with the reasons.
    wait_for_text(c, "#lifecycle", "blocked by").await;
    click_button(c, "Move to in review").await;
    let refusal = wait_for_text(c, ".flash.error", "cannot move to in review").await;
    assert!(
        refusal.contains("nobody owns the post-mortem"),
        "the refusal says why: {refusal}"
    );
    assert!(
        refusal.contains("meeting is not scheduled"),
        "the refusal says why: {refusal}"
    );
    wait_for_text(c, ".badge.pm-draft", "post-mortem draft").await;
    browser.screenshot("review-refused").await;

    // The history shows every change, newest first.
    click_link(c, "Revision history").await;
    wait_for_text(c, "h1", "History of INC-1").await;
    let history = wait_for_text(c, "main table", "opened INC-1 at SEV-2").await;
    let newest = history
        .find("filed action 1")
        .expect("the action in the history");
    let oldest = history
        .find("opened INC-1")
        .expect("the opening in the history");
    assert!(newest < oldest, "the newest change comes first: {history}");
    wait_for(c, Locator::Css("pre.diff")).await;
    browser.screenshot("history").await;

    // The exports.
    click_link(c, "INC-1").await;
    wait_for_text(c, "h1", "INC-1: Checkout returned 502s").await;
    click_link(c, "Markdown").await;
    let markdown = wait_for_text(c, "body", "# INC-1").await;
    assert!(
        markdown.contains("Checkout returned 502s for a third of requests")
            && markdown.contains("For **49 minutes** a third of checkouts failed")
            && markdown.contains("Rolled back payments-gateway to 4.12.1"),
        "the Markdown export holds the post-mortem: {markdown}"
    );
    browser.screenshot("export-markdown").await;
    c.back().await.expect("back to the incident");
    click_link(c, "HTML page").await;
    wait_for_text(c, "h1", "Checkout returned 502s for a third of requests").await;
    let exported = wait_for_text(c, "body", "For 49 minutes a third of checkouts failed").await;
    assert!(
        exported.contains("Alert on connection pool saturation of payments-gateway"),
        "the HTML export holds the action items: {exported}"
    );
    let markup = c.source().await.expect("the exported page's markup");
    assert!(!markup.contains("&lt;strong&gt;"), "no escaped markup");
    browser.screenshot("export-html").await;
    c.back().await.expect("back to the incident");

    // The incident is on the list.
    wait_for_text(c, "#lifecycle", "Post-mortem: draft").await;
    click_link(c, "Incidents").await;
    let listed = wait_for_text(c, "#incidents", "INC-1").await;
    assert!(
        listed.contains("Checkout returned 502s for a third of requests")
            && listed.contains("SEV-2")
            && listed.contains("resolved")
            && listed.contains("draft"),
        "the list shows the incident's title, severity and statuses: {listed}"
    );
    browser.screenshot("incidents").await;

    // Sign out.
    click_button(c, "Sign out").await;
    wait_for_text(c, "main", "You are signed out.").await;
    wait_for(c, Locator::LinkText("Sign in")).await;

    browser.close().await;
    app.stop().await;
}

#[tokio::test]
async fn the_incident_page_fits_a_phone_screen_without_scrolling_sideways() {
    let Some(tools) = browser_tools() else {
        return;
    };
    let app = TestApp::spawn().await;
    let ana = app.account("ana", "Ana Lima", AccountRole::Editor);
    let scribe = app.app.acting_as("Ana Lima");
    let incident = scribe
        .create_incident(
            NewIncident::new(
                "Checkout returned 502s for a third of requests after the payments-gateway deploy",
                Severity::from_level(2).expect("SEV-2"),
                "Europe/Paris".parse().expect("a timezone"),
            )
            .expect("a new incident")
            .with_services(["checkout-api", "payments-gateway", "edge-proxy"])
            .expect("services"),
        )
        .expect("open the incident");
    scribe
        .import_timeline_csv(incident.key, TIMELINE_CSV.as_bytes(), "timeline.csv")
        .expect("import the timeline");

    let browser = Browser::start(&tools, PHONE).await;
    let c = &browser.client;
    c.goto(&app.url("/")).await.expect("open the front page");
    wait_for_text(c, "h1", "Sign in to hindsight").await;
    sign_in(c, &ana).await;
    wait_for_text(c, "h1", "Incidents").await;
    assert_fits_the_screen(c, "the incident list").await;
    browser.screenshot("phone-incidents").await;

    click_link(c, "INC-1").await;
    wait_for_text(c, "h1", "INC-1: Checkout returned 502s").await;
    wait_for(c, Locator::Css(".timeline-picture svg")).await;
    wait_for_text(c, "#timeline", "Rolled back payments-gateway").await;
    assert_fits_the_screen(c, "the incident page").await;
    browser.screenshot("phone-incident").await;

    browser.close().await;
    app.stop().await;
}

#[tokio::test]
async fn a_scribe_adds_a_key_event_the_import_missed_from_the_rest_of_the_channel() {
    let Some(tools) = browser_tools() else {
        return;
    };
    let app = TestApp::spawn().await;
    let ana = app.account("ana", "Ana Lima", AccountRole::Editor);
    let scribe = app.app.acting_as("Ana Lima");
    let incident = scribe
        .create_incident(
            NewIncident::new(
                "Orders stuck in the warehouse queue",
                Severity::from_level(2).expect("SEV-2"),
                "Europe/Paris".parse().expect("a timezone"),
            )
            .expect("a new incident"),
        )
        .expect("open the incident");
    let at = |minute: i64| {
        chrono::DateTime::parse_from_rfc3339("2026-10-24T21:00:00Z")
            .expect("a time")
            .with_timezone(&chrono::Utc)
            + chrono::Duration::minutes(minute)
    };
    let said = |minute: i64, text: &str| hindsight_import::chat::ChatMessage {
        id: format!("slack:C042:{}.000100", 1_761_339_600 + minute * 60),
        channel: "inc-orders".into(),
        at: at(minute),
        author_id: Some("U1".into()),
        author: Some("Bo Chen".into()),
        text: text.into(),
        ..Default::default()
    };
    let messages = [
        said(0, "Rolled back deploy 4512, queue draining"),
        said(3, "anyone want coffee?"),
        said(
            7,
            "Cutover realizado en db1, el tráfico ya va por la réplica nueva",
        ),
    ];
    scribe
        .propose_from_chat(
            incident.key,
            &messages,
            &[],
            &hindsight_import::extract::ExtractionRules::default(),
            "export.zip",
        )
        .expect("import the chat");

    let browser = Browser::start(&tools, (1280, 900)).await;
    let c = &browser.client;
    c.goto(&app.url("/")).await.expect("open the front page");
    sign_in(c, &ana).await;
    c.goto(&app.url("/incidents/INC-1/proposals"))
        .await
        .expect("open the proposals");
    wait_for_text(c, "#pending", "Rolled back deploy 4512").await;
    let summary = wait_for_text(c, "#kept summary", "The rest of the channel").await;
    assert!(summary.contains("2 messages nothing proposed"), "{summary}");
    browser
        .screenshot("proposals-with-the-rest-of-the-channel")
        .await;

    // The rest of the channel opens in place; its missed step is accepted with one click.
    click_text(c, "#kept summary", summary.trim()).await;
    let row = wait_for(
        c,
        Locator::XPath("//section[@id='kept']//tr[contains(., 'Cutover realizado')]"),
    )
    .await;
    browser.screenshot("proposals-the-rest-opened").await;
    let accept = row
        .find(Locator::XPath(".//button[normalize-space(.)='Accept']"))
        .await
        .expect("an Accept button in the row");
    click_and_wait(c, &accept).await;
    wait_for_text(c, "#decided", "Cutover realizado").await;
    let kept = wait_for_text(c, "#kept summary", "The rest of the channel").await;
    assert!(kept.contains("1 message nothing proposed"), "{kept}");

    click_link(c, "INC-1").await;
    wait_for_text(c, "#timeline", "Cutover realizado en db1").await;
    browser.screenshot("incident-with-the-added-event").await;

    browser.close().await;
    app.stop().await;
}

/// Chromium and its driver, or `None` (said once on stderr) when they are not installed.
fn browser_tools() -> Option<(PathBuf, PathBuf)> {
    let (chromium, driver) = (PathBuf::from(CHROMIUM), PathBuf::from(CHROMEDRIVER));
    if chromium.exists() && driver.exists() {
        return Some((chromium, driver));
    }
    // CI sets this so that a missing browser fails the run instead of skipping silently.
    if std::env::var_os("HINDSIGHT_REQUIRE_BROWSER").is_some() {
        panic!("HINDSIGHT_REQUIRE_BROWSER is set but {CHROMIUM} or {CHROMEDRIVER} is missing");
    }
    static SAID: Once = Once::new();
    // Straight to stderr: the test harness captures `eprintln!` of passing tests.
    SAID.call_once(|| {
        let _ = writeln!(
            std::io::stderr(),
            "skipping the browser tests: install chromium and chromium-driver to run them"
        );
    });
    None
}

/// A headless Chromium driven through its own chromedriver, both stopped when this is dropped.
struct Browser {
    client: Client,
    driver: Chromedriver,
    /// The screen's width and height, in CSS pixels.
    viewport: (u32, u32),
    _profile: tempfile::TempDir,
}

impl Browser {
    async fn start((chromium, driver): &(PathBuf, PathBuf), (width, height): (u32, u32)) -> Self {
        let mut driver = Chromedriver::start(driver);
        let profile = tempfile::tempdir().expect("a profile directory");
        let capabilities = json!({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium,
                "args": [
                    "--headless=new",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-dev-shm-usage",
                    "--disable-quic",
                    "--no-first-run",
                    // Without these Chromium reaches for the network at start, and on a closed
                    // network its connections, ours included, are refused.
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    "--lang=en-US",
                    format!("--window-size={width},{height}"),
                    format!("--user-data-dir={}", profile.path().display()),
                ],
            },
        });
        let serde_json::Value::Object(capabilities) = capabilities else {
            unreachable!("the capabilities are an object")
        };
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities)
            .connect(&format!("http://{}", driver.address))
            .await
            .expect("start a Chromium session");
        driver.session = client.session_id().await.ok().flatten();
        let browser = Browser {
            client,
            driver,
            viewport: (width, height),
            _profile: profile,
        };
        // Chromium keeps a window at least 500 px wide, so a phone's screen is emulated, as the
        // developer tools do; the window size stays, for a desktop, what the pages are laid in.
        browser.emulate_screen(height).await;
        browser
    }

    /// Lays the page out on a screen of the viewport's width and `height`, a phone's (touch, and
    /// the page's `viewport` meta honoured) below 500 px.
    async fn emulate_screen(&self, height: u32) {
        let (width, _) = self.viewport;
        cdp(
            &self.client,
            "Emulation.setDeviceMetricsOverride",
            json!({"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 500}),
        )
        .await;
    }

    /// Saves the whole page, not only what the screen shows, as `target/screenshots/NAME.png`.
    async fn screenshot(&self, name: &str) {
        let c = &self.client;
        let (_, height) = self.viewport;
        let page_height: f64 = script(c, "return document.documentElement.scrollHeight").await;
        self.emulate_screen((page_height.ceil() as u32).clamp(height, 10_000))
            .await;
        let png = c.screenshot().await.expect("a screenshot");
        self.emulate_screen(height).await;
        let dir = screenshot_dir();
        std::fs::create_dir_all(&dir).expect("the screenshot directory");
        std::fs::write(dir.join(format!("{name}.png")), png).expect("save the screenshot");
    }

    async fn close(mut self) {
        self.client.clone().close().await.expect("end the session");
        self.driver.session = None;
    }
}

/// Where screenshots go: `screenshots/` in the target directory.
fn screenshot_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"));
    target.join("screenshots")
}

/// A chromedriver on a free local port.
struct Chromedriver {
    child: Child,
    address: SocketAddr,
    /// The session to end before stopping the driver, so Chromium does not outlive it.
    session: Option<String>,
}

impl Chromedriver {
    fn start(program: &Path) -> Self {
        let address = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port");
        let mut child = Command::new(program)
            .arg(format!("--port={}", address.port()))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let started = Instant::now();
        while TcpStream::connect(address).is_err() {
            if let Ok(Some(status)) = child.try_wait() {
                panic!("chromedriver stopped before it listened: {status}");
            }
            if started.elapsed() > PATIENCE {
                let _ = child.kill();
                panic!("chromedriver did not listen on {address}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Chromedriver {
            child,
            address,
            session: None,
        }
    }
}

impl Drop for Chromedriver {
    fn drop(&mut self) {
        // A test that failed midway still ends its session, so Chromium exits with the driver.
        if let Some(session) = self.session.take()
            && let Ok(mut stream) = TcpStream::connect(self.address)
        {
            let _ = stream.set_read_timeout(Some(PATIENCE));
            let _ = write!(
                stream,
                "DELETE /session/{session} HTTP/1.1\r\nHost: {}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                self.address
            );
            let _ = stream.read(&mut [0u8; 512]);
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A command of the Chrome DevTools protocol, through chromedriver.
async fn cdp(c: &Client, command: &'static str, params: serde_json::Value) -> serde_json::Value {
    c.issue_cmd(DevTools { command, params })
        .await
        .unwrap_or_else(|e| panic!("{command}: {e}"))
}

#[derive(Debug)]
struct DevTools {
    command: &'static str,
    params: serde_json::Value,
}

impl WebDriverCompatibleCommand for DevTools {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base.join(&format!(
            "session/{}/goog/cdp/execute",
            session.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (axum::http::Method, Option<String>) {
        let body = json!({"cmd": self.command, "params": self.params});
        (axum::http::Method::POST, Some(body.to_string()))
    }
}

/// Signs in through the sign-in form.
async fn sign_in(c: &Client, account: &Account) {
    type_into(c, "Name", account.user.name.as_str()).await;
    type_into(c, "Password", &account.password).await;
    click_button(c, "Sign in").await;
}

/// The first element `locator` finds, once the page shows it.
async fn wait_for(c: &Client, locator: Locator<'_>) -> Element {
    match c.wait().at_most(PATIENCE).for_element(locator).await {
        Ok(element) => element,
        Err(e) => panic!("{locator:?} did not appear on {}: {e}", here(c).await),
    }
}

/// Waits until the first element matching `css` shows `needle`, and returns all its text.
async fn wait_for_text(c: &Client, css: &str, needle: &str) -> String {
    let started = Instant::now();
    let mut seen = String::new();
    loop {
        if let Ok(element) = c.find(Locator::Css(css)).await
            && let Ok(text) = element.text().await
        {
            if text.contains(needle) {
                return text;
            }
            seen = text;
        }
        if started.elapsed() > PATIENCE {
            panic!(
                "`{css}` did not show {needle:?} on {}; it showed: {seen:?}",
                here(c).await
            );
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The form control a label names, by the label's own first words (not its hint).
async fn field(c: &Client, label: &str) -> Element {
    let xpath = format!("//label[normalize-space(text()[1])='{label}']");
    let label_element = wait_for(c, Locator::XPath(&xpath)).await;
    let id = label_element
        .attr("for")
        .await
        .expect("the label's target")
        .unwrap_or_else(|| panic!("the label {label:?} names no field"));
    wait_for(c, Locator::Id(&id)).await
}

async fn type_into(c: &Client, label: &str, text: &str) {
    let element = field(c, label).await;
    element
        .send_keys(text)
        .await
        .unwrap_or_else(|e| panic!("type into {label:?}: {e}"));
}

/// Clicks the button that says `text`, and waits for the page it leads to.
async fn click_button(c: &Client, text: &str) {
    let xpath = format!("//button[normalize-space(.)='{text}']");
    let button = wait_for(c, Locator::XPath(&xpath)).await;
    click_and_wait(c, &button).await;
}

/// Follows the first link that says `text`.
async fn click_link(c: &Client, text: &str) {
    let link = wait_for(c, Locator::LinkText(text)).await;
    click_and_wait(c, &link).await;
}

/// Clicks the element matching `css` that says `text`, on the same page.
async fn click_text(c: &Client, css: &str, text: &str) {
    let started = Instant::now();
    loop {
        for element in c.find_all(Locator::Css(css)).await.unwrap_or_default() {
            if element.text().await.is_ok_and(|t| t.trim() == text) {
                element
                    .click()
                    .await
                    .unwrap_or_else(|e| panic!("click {text:?}: {e}"));
                return;
            }
        }
        if started.elapsed() > PATIENCE {
            panic!("no `{css}` says {text:?} on {}", here(c).await);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Clicks something that loads another page, and waits until the old page is gone and the new
/// one has loaded.
async fn click_and_wait(c: &Client, element: &Element) {
    let old_page = c.find(Locator::Css("html")).await.expect("the page");
    element.click().await.expect("click");
    let started = Instant::now();
    loop {
        let gone = old_page
            .tag_name()
            .await
            .is_err_and(|e| e.is_stale_element_reference());
        if gone {
            let state: String = script(c, "return document.readyState").await;
            if state == "complete" {
                return;
            }
        }
        if started.elapsed() > PATIENCE {
            panic!(
                "the click did not lead to another page; still on {}",
                here(c).await
            );
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn script<T: serde::de::DeserializeOwned>(c: &Client, code: &str) -> T {
    let value = c
        .execute(code, Vec::new())
        .await
        .unwrap_or_else(|e| panic!("run {code:?}: {e}"));
    serde_json::from_value(value).unwrap_or_else(|e| panic!("the result of {code:?}: {e}"))
}

/// Fails when the page is wider than a phone's screen, naming the elements that stick out.
async fn assert_fits_the_screen(c: &Client, what: &str) {
    let (scroll, inner): (f64, f64) = script(
        c,
        "return [document.documentElement.scrollWidth, window.innerWidth]",
    )
    .await;
    // A phone zooms out of a page wider than itself, and then reports a wider window: measure
    // against the screen, not the window.
    let screen = f64::from(PHONE.0);
    if scroll <= inner + 1.0 && inner <= screen + 1.0 {
        return;
    }
    let culprits: Vec<String> = c
        .execute(
            "const w = arguments[0];
             return [...document.querySelectorAll('body *')]
               .filter(e => e.getBoundingClientRect().right > w + 1)
               .filter(e => ![...e.children].some(k => k.getBoundingClientRect().right > w + 1))
               .slice(0, 10)
               .map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
                 + (typeof e.className === 'string' && e.className.trim() ? '.' + e.className.trim().split(/\\s+/).join('.') : '')
                 + ' to ' + Math.round(e.getBoundingClientRect().right) + ' px: '
                 + (e.textContent || '').trim().slice(0, 40));",
            vec![json!(screen)],
        )
        .await
        .ok()
        .and_then(|v| serde_json::from_value(v).ok())
        .unwrap_or_default();
    panic!(
        "{what} is {scroll} px wide in a {inner} px window on a {screen} px screen; sticking out:\n  {}",
        culprits.join("\n  ")
    );
}

/// Fails when two elements of the page share an id: a label would then name the wrong field.
async fn assert_ids_are_unique(c: &Client, what: &str) {
    let repeated: Vec<String> = script(
        c,
        "const seen = new Set(), twice = new Set();
         for (const e of document.querySelectorAll('[id]')) { (seen.has(e.id) ? twice : seen).add(e.id); }
         return [...twice];",
    )
    .await;
    assert!(repeated.is_empty(), "{what} repeats the ids {repeated:?}");
}

/// The address of the page, for messages.
async fn here(c: &Client) -> String {
    c.current_url()
        .await
        .map(|u| u.to_string())
        .unwrap_or_else(|_| "an unknown page".to_owned())
}
