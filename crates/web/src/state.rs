//! What every handler shares: the application and the server's configuration.

use crate::{callers::CallerCache, metrics::Metrics};
use hindsight_app::Hindsight;
use std::sync::Arc;

/// How the server was configured (read by the CLI from `hindsight.toml` and the environment).
#[derive(Clone, Default)]
pub struct WebConfig {
    /// Mark cookies `Secure` (on when the server is reached over HTTPS).
    pub secure_cookies: bool,
    /// Where the server is reached from outside (`https://hindsight.example.com`), for links in
    /// messages; pages use relative links and do not need it.
    pub public_url: Option<String>,
    /// The secrets PagerDuty signs its webhooks with; several during a rotation.
    pub pagerduty_secrets: Vec<String>,
    /// How long a sign-in lasts.
    pub session_hours: i64,
}

impl std::fmt::Debug for WebConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebConfig")
            .field("secure_cookies", &self.secure_cookies)
            .field("public_url", &self.public_url)
            .field(
                "pagerduty_secrets",
                &format!("[{} redacted]", self.pagerduty_secrets.len()),
            )
            .field("session_hours", &self.session_hours)
            .finish()
    }
}

/// The state behind every route: cheap to clone.
#[derive(Debug, Clone)]
pub struct AppState {
    pub app: Hindsight,
    pub config: Arc<WebConfig>,
    pub(crate) metrics: Arc<Metrics>,
    /// Who recently presented which credential (a few seconds' memory).
    pub(crate) callers: Arc<CallerCache>,
}

impl AppState {
    pub fn new(app: Hindsight, config: WebConfig) -> Self {
        let config = WebConfig {
            session_hours: if config.session_hours > 0 {
                config.session_hours
            } else {
                24 * 14
            },
            ..config
        };
        AppState {
            app,
            config: Arc::new(config),
            metrics: Arc::new(Metrics::default()),
            callers: Arc::new(CallerCache::default()),
        }
    }
}
