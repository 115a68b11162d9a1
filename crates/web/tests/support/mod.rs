//! `TestApp`: the real server on a random port over a fresh database (a SQLite file always;
//! PostgreSQL where `HINDSIGHT_TEST_POSTGRES` names a server), with a fixed clock, and helpers to
//! make accounts and sign in the way a browser or a script does.

// Each test binary includes this module and uses only part of it.
#![allow(dead_code)]

#[path = "../../../store-postgres/tests/support/mod.rs"]
pub mod pg;

use chrono::{DateTime, TimeZone, Utc};
use hindsight_app::{Hindsight, Policy};
use hindsight_core::{AccountRole, FixedClock, NewUser, User};
use hindsight_store::Store;
use hindsight_web::{AppState, WebConfig, auth};
use std::sync::Arc;

/// The instant every test starts at.
pub fn start_of_tests() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap()
}

pub struct TestApp {
    /// `http://127.0.0.1:PORT`
    pub base: String,
    pub app: Hindsight,
    pub clock: Arc<FixedClock>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<()>>,
    _dir: Option<tempfile::TempDir>,
    _schema: Option<pg::Schema>,
}

/// An account made for a test, with its password and an API token.
#[derive(Debug, Clone)]
pub struct Account {
    pub user: User,
    pub password: String,
    pub token: String,
}

impl TestApp {
    /// The server over a fresh SQLite file.
    pub async fn spawn() -> TestApp {
        Self::spawn_with(WebConfig::default()).await
    }

    pub async fn spawn_with(config: WebConfig) -> TestApp {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let store = hindsight_store_sqlite::SqliteStore::open(dir.path().join("hindsight.db"))
            .expect("open the database");
        store.migrate().expect("migrate");
        Self::over(Arc::new(store), config, Some(dir), None).await
    }

    /// The server over a fresh PostgreSQL schema, when a server is configured.
    pub async fn spawn_postgres() -> Option<TestApp> {
        let server = pg::server()?;
        let (schema, store) = off_runtime(move || {
            let schema = pg::Schema::create(&server);
            let store = schema.store();
            store.migrate().expect("migrate");
            (schema, store)
        });
        Some(Self::over(Arc::new(store), WebConfig::default(), None, Some(schema)).await)
    }

    async fn over(
        store: Arc<dyn Store>,
        config: WebConfig,
        dir: Option<tempfile::TempDir>,
        schema: Option<pg::Schema>,
    ) -> TestApp {
        let clock = Arc::new(FixedClock::new(start_of_tests()));
        let app = Hindsight::new(store, clock.clone(), Policy::default());
        let state = AppState::new(app.clone(), config);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a free port");
        let base = format!("http://{}", listener.local_addr().expect("an address"));
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(async move {
            hindsight_web::serve(listener, state, async {
                let _ = rx.await;
            })
            .await
            .expect("the server runs");
        });
        TestApp {
            base,
            app,
            clock,
            shutdown: Some(tx),
            server: Some(server),
            _dir: dir,
            _schema: schema,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// An account with `role`, a password and an API token.
    pub fn account(&self, name: &str, display_name: &str, role: AccountRole) -> Account {
        let app = self.app.clone();
        let (name, display_name) = (name.to_owned(), display_name.to_owned());
        off_runtime(move || Self::make_account(&app, &name, &display_name, role))
    }

    fn make_account(app: &Hindsight, name: &str, display_name: &str, role: AccountRole) -> Account {
        let password = format!("password of {name}");
        let hash = auth::hash_password(&password).expect("hash");
        let user = app
            .store()
            .create_user(
                &NewUser::new(name, display_name, role).expect("a good user"),
                &hash,
                app.now(),
            )
            .expect("create the user");
        let token = format!("{}{}", auth::TOKEN_PREFIX, auth::new_secret());
        app.store()
            .create_api_token(
                user.id,
                &hindsight_core::text::Line::parse("label", "tests").expect("a label"),
                &auth::secret_hash(&token),
                app.now(),
            )
            .expect("create the token");
        Account {
            user,
            password,
            token,
        }
    }

    /// A client that sends `account`'s API token.
    pub fn api(&self, account: &Account) -> reqwest::Client {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(
            reqwest::header::AUTHORIZATION,
            format!("Bearer {}", account.token)
                .parse()
                .expect("a header"),
        );
        reqwest::Client::builder()
            .default_headers(headers)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("a client")
    }

    /// A client without credentials that does not follow redirects.
    pub fn anonymous(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("a client")
    }

    /// A browser-like client signed in as `account` through the sign-in form, keeping cookies;
    /// returns it with the session's CSRF token (read from a page's forms).
    pub async fn browser(&self, account: &Account) -> (reqwest::Client, String) {
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("a client");
        let form = client
            .get(self.url("/signin"))
            .send()
            .await
            .expect("the sign-in page")
            .text()
            .await
            .expect("its body");
        let nonce = hidden_field(&form, "nonce").expect("the sign-in form has a nonce");
        let answer = client
            .post(self.url("/signin"))
            .form(&[
                ("name", account.user.name.as_str()),
                ("password", account.password.as_str()),
                ("nonce", nonce.as_str()),
                ("next", "/"),
            ])
            .send()
            .await
            .expect("sign in");
        assert_eq!(answer.status(), 303, "signing in redirects");
        let page = client
            .get(self.url("/account"))
            .send()
            .await
            .expect("the account page")
            .text()
            .await
            .expect("its body");
        let csrf = hidden_field(&page, "csrf").expect("a signed-in page carries the CSRF token");
        (client, csrf)
    }

    /// Stops the server, letting requests in flight finish.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(server) = self.server.take() {
            let _ = server.await;
        }
        // The last handle on the store closes its connections, and a PostgreSQL connection
        // owns a runtime that may not be dropped inside the test's.
        let TestApp { app, _schema, .. } = self;
        off_runtime(move || drop((app, _schema)));
    }
}

/// Runs `work` on a thread of its own and waits for it: for the store's synchronous calls from
/// an async test, which the PostgreSQL client refuses to make on a runtime's thread.
pub fn off_runtime<T: Send>(work: impl FnOnce() -> T + Send) -> T {
    std::thread::scope(|scope| {
        scope
            .spawn(work)
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })
}

/// The value of the first hidden input named `name` in a page.
pub fn hidden_field(page: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let start = page.find(&marker)? + marker.len();
    let end = page[start..].find('"')?;
    Some(page[start..start + end].to_owned())
}
