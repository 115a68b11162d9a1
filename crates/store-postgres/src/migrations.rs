//! Append-only migrations. Each applied migration is recorded with a checksum of its SQL, so a
//! migration edited after it shipped is caught instead of silently diverging between databases.
//!
//! Several hindsight instances may start against one database at once, so the whole run holds a
//! transaction-scoped advisory lock: the first instance migrates, the others wait for it to
//! commit and then find nothing left to do.

use hindsight_store::{StoreError, StoreResult};
use r2d2_postgres::postgres::{Client, IsolationLevel};
use sha2::{Digest, Sha256};

/// Every migration, in order. Only ever add to the end.
const MIGRATIONS: &[(i64, &str, &str)] = &[
    (1, "initial", include_str!("../migrations/0001_initial.sql")),
    (
        2,
        "revisions",
        include_str!("../migrations/0002_revisions.sql"),
    ),
    (
        3,
        "proposals and webhooks",
        include_str!("../migrations/0003_proposals_and_webhooks.sql"),
    ),
    (
        4,
        "accounts",
        include_str!("../migrations/0004_accounts.sql"),
    ),
];

/// The advisory lock every migrating instance takes: "hindsig" in ASCII, so it is recognisable
/// in `pg_locks` and unlikely to collide with another application's lock. It is database-wide,
/// so migrations of different schemas in one database also take turns, which costs nothing.
const MIGRATION_LOCK: i64 = 0x0068_696e_6473_6967;

fn checksum(sql: &str) -> String {
    Sha256::digest(sql.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

pub fn run(client: &mut Client) -> StoreResult<()> {
    let db = StoreError::backend;
    // READ COMMITTED, whatever the server's default: each statement after the lock must see
    // what the instance that held the lock before us committed. Under REPEATABLE READ the
    // snapshot would date from the lock request, before that commit.
    let mut tx = client
        .build_transaction()
        .isolation_level(IsolationLevel::ReadCommitted)
        .start()
        .map_err(db)?;
    // Released by the commit or rollback, so a crashed migration never leaves it held.
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .map_err(db)?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
            version    bigint      PRIMARY KEY,
            name       text        NOT NULL,
            checksum   text        NOT NULL,
            applied_at timestamptz NOT NULL DEFAULT now()
        )",
    )
    .map_err(db)?;
    let newest: Option<i64> = tx
        .query_one("SELECT max(version) FROM schema_migrations", &[])
        .and_then(|row| row.try_get(0))
        .map_err(db)?;
    let known = MIGRATIONS.last().map(|(v, _, _)| *v).unwrap_or(0);
    if let Some(found) = newest.filter(|found| *found > known) {
        return Err(StoreError::DatabaseTooNew { found, known });
    }
    for (version, name, sql) in MIGRATIONS {
        let applied: Option<String> = tx
            .query_opt(
                "SELECT checksum FROM schema_migrations WHERE version = $1",
                &[version],
            )
            .map_err(db)?
            .map(|row| row.try_get(0))
            .transpose()
            .map_err(db)?;
        match applied {
            Some(sum) if sum == checksum(sql) => continue,
            Some(_) => {
                return Err(StoreError::MigrationChanged {
                    version: *version,
                    name: (*name).to_owned(),
                });
            }
            None => {
                // The simple query protocol runs a file of several statements in one go.
                tx.batch_execute(sql).map_err(db)?;
                tx.execute(
                    "INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)",
                    &[version, name, &checksum(sql)],
                )
                .map_err(db)?;
            }
        }
    }
    tx.commit().map_err(db)
}
