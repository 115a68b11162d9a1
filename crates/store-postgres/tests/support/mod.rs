//! A throwaway schema per test in the server named by `HINDSIGHT_TEST_POSTGRES`, so tests run in
//! parallel without seeing each other's rows and leave nothing behind.

// Each test binary includes this module and uses only part of it.
#![allow(dead_code)]

use hindsight_store::Store;
use hindsight_store_postgres::{PostgresStore, postgres};
use std::{
    io::Write,
    sync::{
        Once,
        atomic::{AtomicU64, Ordering},
    },
    time::{SystemTime, UNIX_EPOCH},
};

const URL_VAR: &str = "HINDSIGHT_TEST_POSTGRES";

/// The server to test against, or `None` (said once on stderr) when none is configured.
pub fn server() -> Option<postgres::Config> {
    let Ok(url) = std::env::var(URL_VAR) else {
        // CI sets this so that a forgotten server fails the run instead of skipping silently.
        if std::env::var_os("HINDSIGHT_REQUIRE_POSTGRES").is_some() {
            panic!("HINDSIGHT_REQUIRE_POSTGRES is set but {URL_VAR} is not");
        }
        static SAID: Once = Once::new();
        // Straight to stderr: the test harness captures `eprintln!` of passing tests.
        SAID.call_once(|| {
            let _ = writeln!(
                std::io::stderr(),
                "skipping the PostgreSQL store tests: set {URL_VAR}=postgres://user@host:port/db to run them"
            );
        });
        return None;
    };
    Some(
        url.parse()
            .unwrap_or_else(|e| panic!("{URL_VAR} is not a PostgreSQL URL: {e}")),
    )
}

/// An empty schema, dropped with everything in it when this is dropped.
pub struct Schema {
    name: String,
    server: postgres::Config,
}

impl Schema {
    pub fn create(server: &postgres::Config) -> Schema {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .expect("a clock after 1970")
            .subsec_nanos();
        let name = format!(
            "hs_test_{}_{}_{nanos}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        );
        let schema = Schema {
            name,
            server: server.clone(),
        };
        schema
            .admin()
            .batch_execute(&format!("CREATE SCHEMA {}", schema.name))
            .expect("create the test schema");
        schema
    }

    /// A connection outside the schema, for setting up and inspecting.
    pub fn admin(&self) -> postgres::Client {
        self.server
            .connect(postgres::NoTls)
            .expect("connect to the test server")
    }

    /// A new, unmigrated store whose tables live in this schema.
    pub fn store(&self) -> PostgresStore {
        let mut config = self.server.clone();
        config.options(&format!("-c search_path={}", self.name));
        PostgresStore::with_config(config).expect("connect to the test server")
    }

    /// `table` qualified with this schema.
    pub fn table(&self, table: &str) -> String {
        format!("{}.{table}", self.name)
    }
}

impl Drop for Schema {
    fn drop(&mut self) {
        let dropped = self.server.connect(postgres::NoTls).and_then(|mut admin| {
            admin.batch_execute(&format!("DROP SCHEMA IF EXISTS {} CASCADE", self.name))
        });
        // No panic here: it may run while a failed test unwinds.
        if let Err(e) = dropped {
            let _ = writeln!(
                std::io::stderr(),
                "could not drop test schema {}: {e}",
                self.name
            );
        }
    }
}

/// A migrated store in its own schema.
pub struct Fresh {
    // Declared first so it is dropped first: the pool's connections close before the schema
    // they use is dropped.
    store: PostgresStore,
    schema: Schema,
}

impl Fresh {
    pub fn schema(&self) -> &Schema {
        &self.schema
    }
}

impl std::ops::Deref for Fresh {
    type Target = dyn Store;
    fn deref(&self) -> &Self::Target {
        &self.store
    }
}

/// A fresh, migrated store, or `None` when no server is configured.
pub fn fresh() -> Option<Fresh> {
    let schema = Schema::create(&server()?);
    let store = schema.store();
    store.migrate().expect("migrate");
    Some(Fresh { store, schema })
}
