//! Append-only migrations. Each applied migration is recorded with a checksum of its SQL, so a
//! migration edited after it shipped is caught instead of silently diverging between databases.

use hindsight_store::{StoreError, StoreResult};
use r2d2_sqlite::rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
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

fn checksum(sql: &str) -> String {
    Sha256::digest(sql.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

pub fn run(conn: &mut Connection) -> StoreResult<()> {
    let db = StoreError::backend;
    // One writer at a time: a second process migrating waits here, then finds nothing to do.
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(db)?;
    tx.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
            version    INTEGER PRIMARY KEY,
            name       TEXT    NOT NULL,
            checksum   TEXT    NOT NULL,
            applied_at TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
        )",
    )
    .map_err(db)?;
    let newest: Option<i64> = tx
        .query_row("SELECT MAX(version) FROM schema_migrations", [], |row| {
            row.get(0)
        })
        .map_err(db)?;
    let known = MIGRATIONS.last().map(|(v, _, _)| *v).unwrap_or(0);
    if let Some(found) = newest.filter(|found| *found > known) {
        return Err(StoreError::DatabaseTooNew { found, known });
    }
    for (version, name, sql) in MIGRATIONS {
        let applied: Option<String> = tx
            .query_row(
                "SELECT checksum FROM schema_migrations WHERE version = ?1",
                [version],
                |row| row.get(0),
            )
            .optional()
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
                tx.execute_batch(sql).map_err(db)?;
                tx.execute(
                    "INSERT INTO schema_migrations (version, name, checksum) VALUES (?1, ?2, ?3)",
                    params![version, name, checksum(sql)],
                )
                .map_err(db)?;
            }
        }
    }
    tx.commit().map_err(db)
}
