//! `hindsight-bench serve-parts`: where the time of a web request goes, without the network. The
//! parts of the handlers timed alone (the store's reads, the derived figures, the readiness
//! check, the JSON document), then each workload of the web benchmark sent through the router in
//! this process, one request at a time, so the difference to `serve-bench.sh` is what HTTP over
//! TCP, wrk and the concurrency cost.

use anyhow::{Result, bail};
use axum::{body::Body, http::Request};
use hindsight_app::{Hindsight, Policy};
use hindsight_core::{Clock, IncidentKey, exchange::PostmortemDocument};
use hindsight_store::{IncidentQuery, Store};
use hindsight_store_sqlite::SqliteStore;
use hindsight_web::{AppState, WebConfig, auth::secret_hash};
use std::{path::Path, sync::Arc, time::Instant};
use tower::ServiceExt;

#[derive(Debug)]
struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> chrono::DateTime<chrono::Utc> {
        chrono::Utc::now()
    }
}

/// A small generator of incident numbers in `1..=n`.
struct Keys(u64, u64);

impl Keys {
    fn next(&mut self) -> IncidentKey {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        IncidentKey::from_number(self.0 % self.1 + 1).unwrap_or_else(|_| unreachable!())
    }
}

/// Runs `work` `n` times and prints the time of one; only the parts named in `HINDSIGHT_PARTS`
/// (words of their names, comma-separated) when it is set, to profile one alone.
fn time(name: &str, n: usize, mut work: impl FnMut() -> Result<()>) -> Result<()> {
    if let Ok(only) = std::env::var("HINDSIGHT_PARTS")
        && !only.split(',').any(|word| name.contains(word.trim()))
    {
        return Ok(());
    }
    for _ in 0..n / 10 {
        work()?;
    }
    let started = Instant::now();
    for _ in 0..n {
        work()?;
    }
    let us = started.elapsed().as_secs_f64() * 1e6 / n as f64;
    println!("{name:<58} {us:>9.1} µs");
    Ok(())
}

pub fn parts(db: &Path, incidents: u64, token: &str, session: &str, n: usize) -> Result<()> {
    if !db.exists() {
        bail!("{} does not exist: seed it with seed-serve", db.display());
    }
    let store = Arc::new(SqliteStore::open(db)?);
    let app = Hindsight::new(store.clone(), Arc::new(SystemClock), Policy::default());
    let mut keys = Keys(0x2545_F491_4F6C_DD1D, incidents);
    println!("one request's parts, alone ({n} times each, random incidents):");
    time("store: user by API token", n, || {
        store.user_by_api_token(&secret_hash(token))?;
        Ok(())
    })?;
    time("store: search, newest 100 (an editor's)", n / 10, || {
        store.search_incidents(&IncidentQuery {
            limit: 100,
            member: Some(crate::seed::EDITOR_NAME.to_owned()),
            ..IncidentQuery::default()
        })?;
        Ok(())
    })?;
    time("store: search, newest 20 (an editor's)", n / 2, || {
        store.search_incidents(&IncidentQuery {
            limit: 20,
            member: Some(crate::seed::EDITOR_NAME.to_owned()),
            ..IncidentQuery::default()
        })?;
        Ok(())
    })?;
    time("store: one incident's record", n, || {
        store.record(keys.next())?;
        Ok(())
    })?;
    let same = keys.next();
    time(
        "store: the same incident's record again (pages cached)",
        n,
        || {
            store.record(same)?;
            Ok(())
        },
    )?;
    let record = store.record(keys.next())?;
    time("figures of a record", n, || {
        std::hint::black_box(record.figures(&app.policy().meeting, app.now()));
        Ok(())
    })?;
    time(
        "the record as a JSON document (clone + serialise)",
        n,
        || {
            std::hint::black_box(serde_json::to_vec(&PostmortemDocument::from_record(
                &record,
            ))?);
            Ok(())
        },
    )?;
    time("readiness check (record, figures, findings)", n / 2, || {
        app.check(keys.next())?;
        Ok(())
    })?;
    time(
        "the post-mortem as Markdown (record, render)",
        n / 2,
        || {
            app.render_markdown(keys.next())?;
            Ok(())
        },
    )?;

    let state = AppState::new(app.clone(), WebConfig::default());
    let router = hindsight_web::router(state);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()?;
    println!("whole requests through the router, one at a time, no network:");
    let get = |path: String, bearer: bool| {
        let request = Request::get(path);
        let request = if bearer {
            request.header("authorization", format!("Bearer {token}"))
        } else {
            request.header("cookie", format!("hindsight_session={session}"))
        };
        request.body(Body::empty())
    };
    let send = |request: Request<Body>| -> Result<()> {
        let response = runtime.block_on(router.clone().oneshot(request))?;
        let status = response.status();
        runtime.block_on(axum::body::to_bytes(response.into_body(), usize::MAX))?;
        if !status.is_success() {
            bail!("answered {status}");
        }
        Ok(())
    };
    time("GET /healthz", n, || {
        send(Request::get("/healthz").body(Body::empty())?)
    })?;
    time("GET /api/v1/incidents?limit=100", n / 10, || {
        send(get("/api/v1/incidents?limit=100".into(), true)?)
    })?;
    time("GET /api/v1/incidents?limit=20", n / 2, || {
        send(get("/api/v1/incidents?limit=20".into(), true)?)
    })?;
    time("GET /api/v1/incidents/INC-n", n, || {
        send(get(format!("/api/v1/incidents/{}", keys.next()), true)?)
    })?;
    time("GET /incidents/INC-n (HTML page)", n / 2, || {
        send(get(format!("/incidents/{}", keys.next()), false)?)
    })?;
    Ok(())
}
