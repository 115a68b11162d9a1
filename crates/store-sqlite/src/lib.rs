//! hindsight's default backend: everything in one SQLite file.
//!
//! Connections come from a small pool; each runs in WAL mode with foreign keys on, so readers
//! never wait for the writer and a deleted incident takes its rows with it. Writes run in
//! `BEGIN IMMEDIATE` transactions, which take the write lock up front instead of failing half-way
//! when two writers meet.

mod migrations;
mod rows;

use chrono::{DateTime, SubsecRound, Utc};
use hindsight_core::{
    AccountRole, ActionId, ActionItem, ApiTokenInfo, EventId, Incident, IncidentKey,
    IncidentRecord, NewActionItem, NewIncident, NewTimelineEvent, NewUser, Postmortem, Responders,
    Role, Session, TimelineEvent, User, UserId, Username,
    proposal::{NewProposal, Proposal, ProposalId, ProposalStatus},
    text::Line,
};
use hindsight_store::{
    Delivery, DeliveryOutcome, IncidentQuery, IncidentSummary, NewSession, Store, StoreError,
    StoreResult, Versioned,
    steps::{self, WriteTx, key_of},
};
use r2d2_sqlite::{
    SqliteConnectionManager,
    rusqlite::{
        self, Connection, OptionalExtension, Transaction, TransactionBehavior, params,
        params_from_iter, types::Value,
    },
};
use std::{
    path::{Path, PathBuf},
    sync::{Arc, Mutex},
};

use rows::{decode, to_micros};

type Pool = r2d2::Pool<SqliteConnectionManager>;

/// A store in one SQLite file.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: Pool,
    path: PathBuf,
    /// Writers of this process queue here, before taking a connection: SQLite lets one write at
    /// a time, and a writer that meets the lock taken sleeps in its busy handler for 1, 2, 5,
    /// 10 … 100 ms, far longer than a write holds it. Other processes still meet the busy
    /// timeout.
    writer: Arc<Mutex<()>>,
}

impl SqliteStore {
    /// Opens (creating if needed) the database at `path`. Call [`Store::migrate`] before use.
    pub fn open(path: impl AsRef<Path>) -> StoreResult<Self> {
        let path = path.as_ref().to_path_buf();
        let cannot_open = |e: &dyn std::fmt::Display| {
            StoreError::Backend(format!("cannot open {}: {e}", path.display()).into())
        };
        // One connection first, so a wrong path or a file that is not a database is reported
        // at once, in one line, instead of by every connection the pool would try.
        Connection::open(&path)
            .and_then(|conn| conn.query_row("SELECT count(*) FROM sqlite_master", [], |_| Ok(())))
            .map_err(|e| cannot_open(&e))?;
        let manager = SqliteConnectionManager::file(&path).with_init(|conn| {
            // Room for every statement a request runs (reading a record alone runs six), so
            // none is parsed again on the next request.
            conn.set_prepared_statement_cache_capacity(64);
            conn.execute_batch(
                "PRAGMA journal_mode = WAL;
                 PRAGMA synchronous = NORMAL;
                 PRAGMA foreign_keys = ON;
                 PRAGMA busy_timeout = 5000;",
            )
        });
        let pool = r2d2::Pool::builder()
            .max_size(8)
            .connection_timeout(std::time::Duration::from_secs(5))
            .error_handler(Box::new(r2d2::NopErrorHandler))
            .build(manager)
            .map_err(|e| cannot_open(&e))?;
        Ok(SqliteStore {
            pool,
            path,
            writer: Arc::default(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn conn(&self) -> StoreResult<r2d2::PooledConnection<SqliteConnectionManager>> {
        self.pool.get().map_err(StoreError::backend)
    }

    /// Runs `work` in a write transaction, committed only when it succeeds.
    fn write<T>(&self, work: impl FnOnce(&Transaction<'_>) -> StoreResult<T>) -> StoreResult<T> {
        // A writer that panicked left nothing half-done (its transaction rolled back).
        let _turn = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        let mut conn = self.conn()?;
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(StoreError::backend)?;
        let value = work(&tx)?;
        tx.commit().map_err(StoreError::backend)?;
        Ok(value)
    }

    /// Runs `work` in a read transaction: one consistent snapshot.
    fn read<T>(&self, work: impl FnOnce(&Transaction<'_>) -> StoreResult<T>) -> StoreResult<T> {
        let mut conn = self.conn()?;
        let tx = conn.transaction().map_err(StoreError::backend)?;
        work(&tx)
    }
}

fn db(error: rusqlite::Error) -> StoreError {
    StoreError::backend(error)
}

/// The row id of `key`, or not found.
fn incident_id(conn: &Connection, key: IncidentKey) -> StoreResult<i64> {
    let id = i64::try_from(key.number()).map_err(|_| StoreError::IncidentNotFound(key))?;
    conn.prepare_cached("SELECT id FROM incidents WHERE id = ?1")
        .and_then(|mut stmt| stmt.query_row([id], |row| row.get(0)))
        .optional()
        .map_err(db)?
        .ok_or(StoreError::IncidentNotFound(key))
}

fn load_incident(conn: &Connection, key: IncidentKey) -> StoreResult<Incident> {
    let id = i64::try_from(key.number()).map_err(|_| StoreError::IncidentNotFound(key))?;
    let raw = conn
        .prepare_cached(
            "SELECT id, title, severity, timezone, private, created_at FROM incidents WHERE id = ?1",
        )
        .and_then(|mut stmt| stmt.query_row([id], rows::RawIncident::from_row))
        .optional()
        .map_err(db)?
        .ok_or(StoreError::IncidentNotFound(key))?;
    let services = load_services(conn, id)?;
    raw.into_incident(services)
}

fn load_services(conn: &Connection, id: i64) -> StoreResult<Vec<String>> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT service FROM incident_services WHERE incident_id = ?1 ORDER BY position",
        )
        .map_err(db)?;
    let services = stmt
        .query_map([id], |row| row.get(0))
        .map_err(db)?
        .collect::<Result<Vec<String>, _>>()
        .map_err(db)?;
    Ok(services)
}

fn write_services(
    conn: &Connection,
    id: i64,
    incident_services: &[hindsight_core::ServiceName],
) -> StoreResult<()> {
    conn.execute("DELETE FROM incident_services WHERE incident_id = ?1", [id])
        .map_err(db)?;
    let mut stmt = conn
        .prepare_cached(
            "INSERT INTO incident_services (incident_id, position, service) VALUES (?1, ?2, ?3)",
        )
        .map_err(db)?;
    for (position, service) in incident_services.iter().enumerate() {
        stmt.execute(params![id, position as i64, service.as_str()])
            .map_err(db)?;
    }
    Ok(())
}

fn load_responders(conn: &Connection, id: i64) -> StoreResult<Responders> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT role, name, job_title FROM responders WHERE incident_id = ?1 ORDER BY role, position",
        )
        .map_err(db)?;
    let rows = stmt
        .query_map([id], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, Option<String>>(2)?,
            ))
        })
        .map_err(db)?;
    let mut responders = Responders::default();
    for row in rows {
        let (role, name, job_title) = row.map_err(db)?;
        let role: Role = decode("responder role", &role)?;
        let person = hindsight_core::Person::new(&name, job_title.as_deref())
            .map_err(|e| StoreError::corrupt("responder", e))?;
        responders.assign(role, person);
    }
    Ok(responders)
}

const EVENT_COLUMNS: &str =
    "id, at, kind, text, author, source, severity, evidence, key_point, recorded_at";

fn load_timeline(conn: &Connection, id: i64) -> StoreResult<Vec<TimelineEvent>> {
    let mut stmt = conn
        .prepare_cached(&format!(
            "SELECT {EVENT_COLUMNS} FROM timeline_events WHERE incident_id = ?1 ORDER BY at, id"
        ))
        .map_err(db)?;
    let rows = stmt.query_map([id], rows::RawEvent::from_row).map_err(db)?;
    rows.map(|row| row.map_err(db)?.into_event()).collect()
}

fn load_postmortem(conn: &Connection, id: i64) -> StoreResult<Versioned<Postmortem>> {
    let (version, document): (i64, String) = conn
        .prepare_cached("SELECT version, document FROM postmortems WHERE incident_id = ?1")
        .and_then(|mut stmt| stmt.query_row([id], |row| Ok((row.get(0)?, row.get(1)?))))
        .map_err(db)?;
    Ok(Versioned {
        value: serde_json::from_str(&document)
            .map_err(|e| StoreError::corrupt("post-mortem document", e))?,
        version: version as u64,
    })
}

const ACTION_COLUMNS: &str = "id, title, description, owner, due, priority, kind, impact, effort, status, ticket, created_at";

fn load_actions(conn: &Connection, id: i64) -> StoreResult<Vec<ActionItem>> {
    let mut stmt = conn
        .prepare_cached(&format!(
            "SELECT {ACTION_COLUMNS} FROM action_items WHERE incident_id = ?1 ORDER BY id"
        ))
        .map_err(db)?;
    let rows = stmt
        .query_map([id], rows::RawAction::from_row)
        .map_err(db)?;
    rows.map(|row| row.map_err(db)?.into_action()).collect()
}

fn insert_postmortem(
    conn: &Connection,
    id: i64,
    postmortem: &Postmortem,
    version: u64,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    let document = serde_json::to_string(postmortem)
        .map_err(|e| StoreError::corrupt("post-mortem document", e))?;
    conn.execute(
        "INSERT INTO postmortems (incident_id, version, owner, status, template, document, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT (incident_id) DO UPDATE SET
            version = excluded.version, owner = excluded.owner, status = excluded.status,
            template = excluded.template, document = excluded.document,
            updated_at = excluded.updated_at",
        params![
            id,
            version as i64,
            postmortem.owner.as_ref().map(|o| o.as_str()),
            postmortem.status.as_str(),
            postmortem.template,
            document,
            to_micros(now),
        ],
    )
    .map_err(db)?;
    Ok(())
}

fn insert_incident(
    conn: &Connection,
    incident: &NewIncident,
    created_at: DateTime<Utc>,
) -> StoreResult<i64> {
    conn.execute(
        "INSERT INTO incidents (title, severity, timezone, private, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            incident.title.as_str(),
            incident.severity.level(),
            incident.timezone.name(),
            incident.private,
            to_micros(created_at),
        ],
    )
    .map_err(db)?;
    let id = conn.last_insert_rowid();
    write_services(conn, id, &incident.services)?;
    Ok(id)
}

fn write_responders(conn: &Connection, id: i64, responders: &Responders) -> StoreResult<()> {
    conn.execute("DELETE FROM responders WHERE incident_id = ?1", [id])
        .map_err(db)?;
    let mut stmt = conn
        .prepare_cached(
            "INSERT INTO responders (incident_id, role, position, name, job_title)
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )
        .map_err(db)?;
    for (position, (role, person)) in responders.iter().enumerate() {
        stmt.execute(params![
            id,
            role.as_str(),
            position as i64,
            person.name.as_str(),
            person.job_title,
        ])
        .map_err(db)?;
    }
    Ok(())
}

fn insert_event(
    conn: &Connection,
    id: i64,
    event: &NewTimelineEvent,
    recorded_at: DateTime<Utc>,
) -> StoreResult<EventId> {
    conn.prepare_cached(
        "INSERT INTO timeline_events
            (incident_id, at, kind, text, author, source, severity, evidence, key_point, recorded_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )
    .and_then(|mut stmt| {
        stmt.execute(params![
            id,
            to_micros(event.at()),
            event.kind().as_str(),
            event.text(),
            event.author(),
            event.source().as_str(),
            event.severity().map(|s| s.level()),
            rows::evidence_json(event.evidence()),
            event.is_key_point(),
            to_micros(recorded_at),
        ])
    })
    .map_err(db)?;
    Ok(EventId(conn.last_insert_rowid()))
}

fn insert_action(
    conn: &Connection,
    id: i64,
    item: &NewActionItem,
    created_at: DateTime<Utc>,
) -> StoreResult<ActionId> {
    conn.execute(
        "INSERT INTO action_items
            (incident_id, title, description, owner, due, priority, kind, impact, effort, status, ticket, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        params![
            id,
            item.title.as_str(),
            item.description,
            item.owner.as_ref().map(|o| o.as_str()),
            item.due.map(|d| d.to_string()),
            item.priority.as_str(),
            item.kind.as_str(),
            item.impact.as_str(),
            item.effort.as_str(),
            item.status.as_str(),
            item.ticket.as_ref().map(|t| t.as_str()),
            to_micros(created_at),
        ],
    )
    .map_err(db)?;
    Ok(ActionId(conn.last_insert_rowid()))
}

/// The status of incident `i`, derived from its timeline exactly as `IncidentRecord::status`
/// derives it: resolved once it has a `resolved` event, else mitigated once it has a
/// `mitigated` event, else active. Each test is one probe of `timeline_events_by_kind`.
const STATUS_SQL: &str = "CASE
        WHEN EXISTS (SELECT 1 FROM timeline_events e
                     WHERE e.incident_id = i.id AND e.kind = 'resolved') THEN 'resolved'
        WHEN EXISTS (SELECT 1 FROM timeline_events e
                     WHERE e.incident_id = i.id AND e.kind = 'mitigated') THEN 'mitigated'
        ELSE 'active'
    END";

/// The WHERE clauses of a search and the values they bind. Only the filters asked for become
/// clauses, so the planner sees plain comparisons it can answer from an index, and every value
/// is bound, never spliced into the SQL.
#[derive(Default)]
struct Filter {
    clauses: Vec<String>,
    args: Vec<Value>,
}

impl Filter {
    /// Binds `value` and returns its placeholder.
    fn arg(&mut self, value: impl Into<Value>) -> String {
        self.args.push(value.into());
        format!("?{}", self.args.len())
    }

    fn and(&mut self, clause: String) {
        self.clauses.push(clause);
    }

    fn sql(&self) -> String {
        if self.clauses.is_empty() {
            "1".to_owned()
        } else {
            self.clauses.join(" AND ")
        }
    }
}

fn search_incidents(conn: &Connection, query: &IncidentQuery) -> StoreResult<Vec<IncidentSummary>> {
    let mut filter = Filter::default();
    if let Some(status) = query.status {
        let status = filter.arg(status.to_string());
        filter.and(format!("({STATUS_SQL}) = {status}"));
    }
    if let Some(severity) = query.severity {
        let level = filter.arg(i64::from(severity.level()));
        filter.and(format!("i.severity = {level}"));
    }
    if let Some(service) = &query.service {
        let service = filter.arg(service.clone());
        filter.and(format!(
            "i.id IN (SELECT incident_id FROM incident_services WHERE service = {service})"
        ));
    }
    if let Some(owner) = &query.owner {
        let owner = filter.arg(owner.clone());
        filter.and(format!("p.owner = {owner}"));
    }
    if let Some(status) = query.postmortem_status {
        let status = filter.arg(status.as_str().to_owned());
        filter.and(format!("p.status = {status}"));
    }
    if let Some(from) = query.opened_from {
        let from = filter.arg(to_micros(from));
        filter.and(format!("i.created_at >= {from}"));
    }
    if let Some(before) = query.opened_before {
        let before = filter.arg(to_micros(before));
        filter.and(format!("i.created_at < {before}"));
    }
    for pattern in hindsight_store::title_patterns(query.title_contains.as_deref().unwrap_or("")) {
        // LIKE folds ASCII case in SQLite; the escape character makes `%` and `_` literal.
        let pattern = filter.arg(pattern);
        filter.and(format!(r"i.title LIKE {pattern} ESCAPE '\'"));
    }
    if let Some(before) = query.before {
        // A key beyond every row id leaves every incident before it.
        let before = filter.arg(i64::try_from(before.number()).unwrap_or(i64::MAX));
        filter.and(format!("i.id < {before}"));
    }
    if let Some(member) = &query.member {
        let member = filter.arg(member.clone());
        filter.and(format!(
            "(i.private = 0 OR p.owner = {member} OR EXISTS (
                SELECT 1 FROM responders r WHERE r.incident_id = i.id AND r.name = {member}))"
        ));
    }
    let limit = filter.arg(i64::from(query.limit));
    // Both columns hold the incident's number, but SQLite plans by the one named: ordered by
    // `i.id` it walks incidents newest first and stops at the limit; ordered by
    // `p.incident_id` it reads an owner's or a post-mortem status's incidents newest first
    // from their index. Either way it does not sort every match to show the first few.
    let order = if query.owner.is_some() || query.postmortem_status.is_some() {
        "p.incident_id"
    } else {
        "i.id"
    };
    let sql = format!(
        "SELECT i.id, i.title, i.severity, i.timezone, i.private, i.created_at,
                {STATUS_SQL}, p.status, p.owner
         FROM incidents i JOIN postmortems p ON p.incident_id = i.id
         WHERE {}
         ORDER BY {order} DESC LIMIT {limit}",
        filter.sql()
    );
    let mut stmt = conn.prepare_cached(&sql).map_err(db)?;
    let found = stmt
        .query_map(params_from_iter(&filter.args), rows::RawSummary::from_row)
        .map_err(db)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(db)?;
    // The services of every listed incident in one query, not one query per incident.
    let ids: Vec<i64> = found.iter().map(|summary| summary.incident.id).collect();
    let ids = serde_json::to_string(&ids).map_err(|e| StoreError::corrupt("incident ids", e))?;
    let mut services: std::collections::HashMap<i64, Vec<String>> = Default::default();
    let mut stmt = conn
        .prepare_cached(
            "SELECT incident_id, service FROM incident_services
             WHERE incident_id IN (SELECT value FROM json_each(?1))
             ORDER BY incident_id, position",
        )
        .map_err(db)?;
    let rows = stmt
        .query_map([ids], |row| {
            Ok((row.get::<_, i64>(0)?, row.get::<_, String>(1)?))
        })
        .map_err(db)?;
    for row in rows {
        let (id, service) = row.map_err(db)?;
        services.entry(id).or_default().push(service);
    }
    found
        .into_iter()
        .map(|summary| {
            let listed = services.remove(&summary.incident.id).unwrap_or_default();
            summary.into_summary(listed)
        })
        .collect()
}

/// The account with row id `id`, if there is one.
fn load_user(conn: &Connection, id: UserId) -> StoreResult<Option<User>> {
    conn.query_row(
        &format!("SELECT {} FROM users u WHERE u.id = ?1", rows::USER_COLUMNS),
        [id.0],
        rows::RawUser::from_row,
    )
    .optional()
    .map_err(db)?
    .map(rows::RawUser::into_user)
    .transpose()
}

impl Store for SqliteStore {
    fn migrate(&self) -> StoreResult<()> {
        let mut conn = self.conn()?;
        migrations::run(&mut conn)
    }

    fn create_incident(&self, new: &NewIncident, now: DateTime<Utc>) -> StoreResult<Incident> {
        let now = now.trunc_subsecs(6);
        self.write(|tx| {
            let id = insert_incident(tx, new, now)?;
            insert_postmortem(tx, id, &Postmortem::new(&new.template), 1, now)?;
            load_incident(tx, key_of(id)?)
        })
    }

    fn import_record(&self, record: &IncidentRecord, now: DateTime<Utc>) -> StoreResult<Incident> {
        let now = now.trunc_subsecs(6);
        self.write(|tx| {
            let id = steps::import_record(&mut SqliteTx(tx), record, now)?;
            load_incident(tx, key_of(id)?)
        })
    }

    fn incident(&self, key: IncidentKey) -> StoreResult<Incident> {
        self.read(|tx| load_incident(tx, key))
    }

    fn list_incidents(&self, limit: u32) -> StoreResult<Vec<Incident>> {
        self.read(|tx| {
            let mut stmt = tx
                .prepare_cached(
                    "SELECT id, title, severity, timezone, private, created_at FROM incidents
                     ORDER BY id DESC LIMIT ?1",
                )
                .map_err(db)?;
            let raws = stmt
                .query_map([limit], rows::RawIncident::from_row)
                .map_err(db)?
                .collect::<Result<Vec<_>, _>>()
                .map_err(db)?;
            // The services of every listed incident in one query, not one query per incident.
            let mut services: std::collections::HashMap<i64, Vec<String>> = Default::default();
            let mut stmt = tx
                .prepare_cached(
                    "SELECT incident_id, service FROM incident_services
                     WHERE incident_id IN (SELECT id FROM incidents ORDER BY id DESC LIMIT ?1)
                     ORDER BY incident_id, position",
                )
                .map_err(db)?;
            let rows = stmt
                .query_map([limit], |row| {
                    Ok((row.get::<_, i64>(0)?, row.get::<_, String>(1)?))
                })
                .map_err(db)?;
            for row in rows {
                let (id, service) = row.map_err(db)?;
                services.entry(id).or_default().push(service);
            }
            raws.into_iter()
                .map(|raw| {
                    let listed = services.remove(&raw.id).unwrap_or_default();
                    raw.into_incident(listed)
                })
                .collect()
        })
    }

    fn update_incident(&self, incident: &Incident) -> StoreResult<()> {
        self.write(|tx| {
            let id = incident_id(tx, incident.key)?;
            tx.execute(
                "UPDATE incidents SET title = ?2, severity = ?3, timezone = ?4, private = ?5
                 WHERE id = ?1",
                params![
                    id,
                    incident.title.as_str(),
                    incident.severity.level(),
                    incident.timezone.name(),
                    incident.private,
                ],
            )
            .map_err(db)?;
            write_services(tx, id, &incident.services)
        })
    }

    fn record(&self, key: IncidentKey) -> StoreResult<IncidentRecord> {
        self.read(|tx| {
            let incident = load_incident(tx, key)?;
            // Found, so its number is its row id.
            let id = i64::try_from(key.number()).map_err(|_| StoreError::IncidentNotFound(key))?;
            let postmortem = load_postmortem(tx, id)?;
            Ok(IncidentRecord {
                incident,
                responders: load_responders(tx, id)?,
                timeline: load_timeline(tx, id)?,
                postmortem: postmortem.value,
                postmortem_version: postmortem.version,
                actions: load_actions(tx, id)?,
            })
        })
    }

    fn edit_responders(
        &self,
        key: IncidentKey,
        change: &mut dyn FnMut(&mut Responders),
    ) -> StoreResult<Responders> {
        self.write(|tx| steps::edit_responders(&mut SqliteTx(tx), key, change))
    }

    fn add_timeline_events(
        &self,
        key: IncidentKey,
        events: &[NewTimelineEvent],
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<TimelineEvent>> {
        let now = now.trunc_subsecs(6);
        // The write lock is already held, so no other import can slip in between.
        self.write(|tx| {
            let id = incident_id(tx, key)?;
            steps::add_events(&mut SqliteTx(tx), id, events.to_vec(), now)
        })
    }

    fn update_timeline_event(&self, key: IncidentKey, event: &TimelineEvent) -> StoreResult<()> {
        self.write(|tx| {
            let id = incident_id(tx, key)?;
            let changed = tx
                .execute(
                    "UPDATE timeline_events SET at = ?3, kind = ?4, text = ?5, author = ?6,
                        source = ?7, severity = ?8, evidence = ?9, key_point = ?10
                     WHERE incident_id = ?1 AND id = ?2",
                    params![
                        id,
                        event.id.0,
                        to_micros(event.at()),
                        event.kind().as_str(),
                        event.text(),
                        event.author(),
                        event.source().as_str(),
                        event.severity().map(|s| s.level()),
                        rows::evidence_json(event.evidence()),
                        event.is_key_point(),
                    ],
                )
                .map_err(db)?;
            if changed == 0 {
                return Err(StoreError::EventNotFound { key, id: event.id });
            }
            Ok(())
        })
    }

    fn delete_timeline_event(&self, key: IncidentKey, event: EventId) -> StoreResult<()> {
        self.write(|tx| {
            let id = incident_id(tx, key)?;
            let changed = tx
                .execute(
                    "DELETE FROM timeline_events WHERE incident_id = ?1 AND id = ?2",
                    params![id, event.0],
                )
                .map_err(db)?;
            if changed == 0 {
                return Err(StoreError::EventNotFound { key, id: event });
            }
            Ok(())
        })
    }

    fn postmortem(&self, key: IncidentKey) -> StoreResult<Versioned<Postmortem>> {
        self.read(|tx| load_postmortem(tx, incident_id(tx, key)?))
    }

    fn save_postmortem(
        &self,
        key: IncidentKey,
        postmortem: &Postmortem,
        expected_version: u64,
        now: DateTime<Utc>,
    ) -> StoreResult<u64> {
        self.write(|tx| {
            let id = incident_id(tx, key)?;
            let actual: i64 = tx
                .query_row(
                    "SELECT version FROM postmortems WHERE incident_id = ?1",
                    [id],
                    |row| row.get(0),
                )
                .map_err(db)?;
            let actual = actual as u64;
            if actual != expected_version {
                return Err(StoreError::Conflict {
                    key,
                    expected: expected_version,
                    actual,
                });
            }
            insert_postmortem(tx, id, postmortem, actual + 1, now)?;
            Ok(actual + 1)
        })
    }

    fn add_action_item(
        &self,
        key: IncidentKey,
        item: &NewActionItem,
        now: DateTime<Utc>,
    ) -> StoreResult<ActionItem> {
        let now = now.trunc_subsecs(6);
        self.write(|tx| {
            let id = incident_id(tx, key)?;
            Ok(ActionItem {
                id: insert_action(tx, id, item, now)?,
                item: item.clone(),
                created_at: now,
            })
        })
    }

    fn update_action_item(&self, key: IncidentKey, item: &ActionItem) -> StoreResult<()> {
        self.write(|tx| {
            let id = incident_id(tx, key)?;
            let changed = tx
                .execute(
                    "UPDATE action_items SET title = ?3, description = ?4, owner = ?5, due = ?6,
                        priority = ?7, kind = ?8, impact = ?9, effort = ?10, status = ?11, ticket = ?12
                     WHERE incident_id = ?1 AND id = ?2",
                    params![
                        id,
                        item.id.0,
                        item.title.as_str(),
                        item.description,
                        item.owner.as_ref().map(|o| o.as_str()),
                        item.due.map(|d| d.to_string()),
                        item.priority.as_str(),
                        item.kind.as_str(),
                        item.impact.as_str(),
                        item.effort.as_str(),
                        item.status.as_str(),
                        item.ticket.as_ref().map(|t| t.as_str()),
                    ],
                )
                .map_err(db)?;
            if changed == 0 {
                return Err(StoreError::ActionNotFound { key, id: item.id });
            }
            Ok(())
        })
    }

    fn add_revision(
        &self,
        key: IncidentKey,
        author: &str,
        at: DateTime<Utc>,
        summary: &str,
        document: &str,
    ) -> StoreResult<u64> {
        self.write(|tx| {
            let id = incident_id(tx, key)?;
            let number: i64 = tx
                .prepare_cached(
                    "INSERT INTO revisions (incident_id, number, author, at, summary, document)
                     SELECT ?1, COALESCE(MAX(number), 0) + 1, ?2, ?3, ?4, ?5
                     FROM revisions WHERE incident_id = ?1
                     RETURNING number",
                )
                .and_then(|mut stmt| {
                    stmt.query_row(
                        params![id, author, to_micros(at), summary, document],
                        |row| row.get(0),
                    )
                })
                .map_err(db)?;
            Ok(number as u64)
        })
    }

    fn revisions(&self, key: IncidentKey) -> StoreResult<Vec<hindsight_store::RevisionSummary>> {
        self.read(|tx| {
            let id = incident_id(tx, key)?;
            let mut stmt = tx
                .prepare_cached(
                    "SELECT number, author, at, summary FROM revisions
                     WHERE incident_id = ?1 ORDER BY number",
                )
                .map_err(db)?;
            let rows = stmt
                .query_map([id], |row| {
                    Ok((
                        row.get::<_, i64>(0)?,
                        row.get(1)?,
                        row.get::<_, i64>(2)?,
                        row.get(3)?,
                    ))
                })
                .map_err(db)?;
            rows.map(|row| {
                let (number, author, at, summary) = row.map_err(db)?;
                Ok(hindsight_store::RevisionSummary {
                    number: number as u64,
                    author,
                    at: rows::from_micros(at)?,
                    summary,
                })
            })
            .collect()
        })
    }

    fn revision(&self, key: IncidentKey, number: u64) -> StoreResult<hindsight_store::Revision> {
        self.read(|tx| {
            let id = incident_id(tx, key)?;
            let row: Option<(String, i64, String, String)> = tx
                .query_row(
                    "SELECT author, at, summary, document FROM revisions
                     WHERE incident_id = ?1 AND number = ?2",
                    params![id, number as i64],
                    |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)),
                )
                .optional()
                .map_err(db)?;
            let (author, at, summary, document) =
                row.ok_or(StoreError::RevisionNotFound { key, number })?;
            Ok(hindsight_store::Revision {
                summary: hindsight_store::RevisionSummary {
                    number,
                    author,
                    at: rows::from_micros(at)?,
                    summary,
                },
                document,
            })
        })
    }

    fn add_proposals(
        &self,
        key: IncidentKey,
        proposals: &[NewProposal],
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<Proposal>> {
        let now = now.trunc_subsecs(6);
        self.write(|tx| {
            let id = incident_id(tx, key)?;
            // A pending quiet proposal (a message kept, not proposed) gives way to a proposal
            // of the same message: what was kept is proposed once something picks it.
            let mut stmt = tx
                .prepare_cached(
                    "INSERT INTO proposals (incident_id, source_id, status, proposal, created_at)
                     VALUES (?1, ?2, 'pending', ?3, ?4)
                     ON CONFLICT (incident_id, source_id) DO UPDATE
                        SET proposal = excluded.proposal, created_at = excluded.created_at
                      WHERE proposals.status = 'pending'
                        AND json_extract(proposals.proposal, '$.quiet') = 1
                        AND json_extract(excluded.proposal, '$.quiet') IS NULL
                     RETURNING id",
                )
                .map_err(db)?;
            let mut added = Vec::new();
            for proposal in proposals {
                let json = serde_json::to_string(proposal)
                    .map_err(|e| StoreError::corrupt("proposal", e))?;
                let stored: Option<i64> = stmt
                    .query_row(
                        params![id, proposal.source_id, json, to_micros(now)],
                        |row| row.get(0),
                    )
                    .optional()
                    .map_err(db)?;
                if let Some(stored) = stored {
                    added.push(Proposal {
                        id: ProposalId(stored),
                        status: ProposalStatus::Pending,
                        proposal: proposal.clone(),
                        created_at: now,
                    });
                }
            }
            Ok(added)
        })
    }

    fn proposals(&self, key: IncidentKey) -> StoreResult<Vec<Proposal>> {
        self.read(|tx| {
            let id = incident_id(tx, key)?;
            load_proposals(tx, id, None)
        })
    }

    fn decide_proposal(
        &self,
        key: IncidentKey,
        proposal: ProposalId,
        accept: bool,
        now: DateTime<Utc>,
    ) -> StoreResult<Proposal> {
        let now = now.trunc_subsecs(6);
        self.write(|tx| steps::decide_proposal(&mut SqliteTx(tx), key, proposal, accept, now))
    }

    fn apply_delivery(
        &self,
        delivery: &Delivery,
        now: DateTime<Utc>,
    ) -> StoreResult<DeliveryOutcome> {
        let now = now.trunc_subsecs(6);
        // The write lock is taken up front, so two deliveries of one new incident cannot both
        // open it, and a delivery cannot be applied twice.
        self.write(|tx| steps::apply_delivery(&mut SqliteTx(tx), delivery, now))
    }

    fn search_incidents(&self, query: &IncidentQuery) -> StoreResult<Vec<IncidentSummary>> {
        self.read(|tx| search_incidents(tx, query))
    }

    fn create_user(
        &self,
        user: &NewUser,
        password_hash: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<User> {
        let now = now.trunc_subsecs(6);
        self.write(|tx| {
            // A name already taken inserts nothing and returns no row, without an error to
            // tell apart from the others.
            let id: Option<i64> = tx
                .query_row(
                    "INSERT INTO users (name, display_name, role, password_hash, created_at)
                     VALUES (?1, ?2, ?3, ?4, ?5)
                     ON CONFLICT (name) DO NOTHING
                     RETURNING id",
                    params![
                        user.name.as_str(),
                        user.display_name.as_str(),
                        user.role.as_str(),
                        password_hash,
                        to_micros(now),
                    ],
                    |row| row.get(0),
                )
                .optional()
                .map_err(db)?;
            let id = id.ok_or_else(|| StoreError::UserExists(user.name.clone()))?;
            Ok(User {
                id: UserId(id),
                name: user.name.clone(),
                display_name: user.display_name.clone(),
                role: user.role,
                created_at: now,
            })
        })
    }

    fn user_credentials(&self, name: &Username) -> StoreResult<Option<(User, String)>> {
        self.read(|tx| {
            let found = tx
                .query_row(
                    &format!(
                        "SELECT {}, u.password_hash FROM users u WHERE u.name = ?1",
                        rows::USER_COLUMNS
                    ),
                    [name.as_str()],
                    |row| Ok((rows::RawUser::from_row(row)?, row.get::<_, String>(5)?)),
                )
                .optional()
                .map_err(db)?;
            found
                .map(|(raw, hash)| Ok((raw.into_user()?, hash)))
                .transpose()
        })
    }

    fn users(&self) -> StoreResult<Vec<User>> {
        self.read(|tx| {
            let mut stmt = tx
                .prepare_cached(&format!(
                    "SELECT {} FROM users u ORDER BY u.name",
                    rows::USER_COLUMNS
                ))
                .map_err(db)?;
            let rows = stmt.query_map([], rows::RawUser::from_row).map_err(db)?;
            rows.map(|row| row.map_err(db)?.into_user()).collect()
        })
    }

    fn set_user_role(&self, id: UserId, role: AccountRole) -> StoreResult<User> {
        self.write(|tx| {
            tx.execute(
                "UPDATE users SET role = ?2 WHERE id = ?1",
                params![id.0, role.as_str()],
            )
            .map_err(db)?;
            load_user(tx, id)?.ok_or(StoreError::UserNotFound(id))
        })
    }

    fn set_password_hash(&self, id: UserId, password_hash: &str) -> StoreResult<()> {
        self.write(|tx| {
            let changed = tx
                .execute(
                    "UPDATE users SET password_hash = ?2 WHERE id = ?1",
                    params![id.0, password_hash],
                )
                .map_err(db)?;
            if changed == 0 {
                return Err(StoreError::UserNotFound(id));
            }
            // Whoever signed in with the old password is signed out with it.
            tx.execute("DELETE FROM sessions WHERE user_id = ?1", [id.0])
                .map_err(db)?;
            Ok(())
        })
    }

    fn create_session(&self, session: &NewSession) -> StoreResult<()> {
        self.write(|tx| {
            // Inserted from the user's row, so an unknown user inserts nothing and says so.
            let added = tx
                .execute(
                    "INSERT INTO sessions (token_hash, user_id, csrf_token, expires_at)
                     SELECT ?1, id, ?3, ?4 FROM users WHERE id = ?2",
                    params![
                        session.token_hash,
                        session.user.0,
                        session.csrf_token,
                        to_micros(session.expires_at),
                    ],
                )
                .map_err(db)?;
            if added == 0 {
                return Err(StoreError::UserNotFound(session.user));
            }
            Ok(())
        })
    }

    fn session(&self, token_hash: &str, now: DateTime<Utc>) -> StoreResult<Option<Session>> {
        // Every request reads its session, so this is a read; only an expired session met here
        // costs a write, to delete it.
        let found = self.read(|tx| {
            let found = tx
                .query_row(
                    &format!(
                        "SELECT {}, s.csrf_token, s.expires_at
                         FROM sessions s JOIN users u ON u.id = s.user_id
                         WHERE s.token_hash = ?1",
                        rows::USER_COLUMNS
                    ),
                    [token_hash],
                    |row| {
                        Ok((
                            rows::RawUser::from_row(row)?,
                            row.get::<_, String>(5)?,
                            row.get::<_, i64>(6)?,
                        ))
                    },
                )
                .optional()
                .map_err(db)?;
            found
                .map(|(raw, csrf_token, expires_at)| {
                    Ok(Session {
                        user: raw.into_user()?,
                        csrf_token,
                        expires_at: rows::from_micros(expires_at)?,
                    })
                })
                .transpose()
        })?;
        match found {
            Some(session) if session.expires_at <= now => {
                // The delete checks the expiry again, so it can only ever end an expired
                // session.
                self.write(|tx| {
                    tx.execute(
                        "DELETE FROM sessions WHERE token_hash = ?1 AND expires_at <= ?2",
                        params![token_hash, to_micros(now)],
                    )
                    .map_err(db)
                })?;
                Ok(None)
            }
            found => Ok(found),
        }
    }

    fn delete_session(&self, token_hash: &str) -> StoreResult<()> {
        self.write(|tx| {
            tx.execute("DELETE FROM sessions WHERE token_hash = ?1", [token_hash])
                .map_err(db)?;
            Ok(())
        })
    }

    fn create_api_token(
        &self,
        user: UserId,
        label: &Line,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<ApiTokenInfo> {
        let now = now.trunc_subsecs(6);
        self.write(|tx| {
            let added = tx
                .execute(
                    "INSERT INTO api_tokens (user_id, label, token_hash, created_at)
                     SELECT id, ?2, ?3, ?4 FROM users WHERE id = ?1",
                    params![user.0, label.as_str(), token_hash, to_micros(now)],
                )
                .map_err(db)?;
            if added == 0 {
                return Err(StoreError::UserNotFound(user));
            }
            Ok(ApiTokenInfo {
                id: tx.last_insert_rowid(),
                user,
                label: label.clone(),
                created_at: now,
            })
        })
    }

    fn user_by_api_token(&self, token_hash: &str) -> StoreResult<Option<User>> {
        self.read(|tx| {
            tx.query_row(
                &format!(
                    "SELECT {} FROM api_tokens t JOIN users u ON u.id = t.user_id
                     WHERE t.token_hash = ?1",
                    rows::USER_COLUMNS
                ),
                [token_hash],
                rows::RawUser::from_row,
            )
            .optional()
            .map_err(db)?
            .map(rows::RawUser::into_user)
            .transpose()
        })
    }

    fn api_tokens(&self, user: UserId) -> StoreResult<Vec<ApiTokenInfo>> {
        self.read(|tx| {
            let mut stmt = tx
                .prepare_cached(&format!(
                    "SELECT {} FROM api_tokens WHERE user_id = ?1 ORDER BY id",
                    rows::TOKEN_COLUMNS
                ))
                .map_err(db)?;
            let rows = stmt
                .query_map([user.0], rows::RawToken::from_row)
                .map_err(db)?;
            rows.map(|row| row.map_err(db)?.into_token()).collect()
        })
    }

    fn revoke_api_token(&self, user: UserId, id: i64) -> StoreResult<bool> {
        self.write(|tx| {
            let deleted = tx
                .execute(
                    "DELETE FROM api_tokens WHERE id = ?1 AND user_id = ?2",
                    params![id, user.0],
                )
                .map_err(db)?;
            Ok(deleted > 0)
        })
    }
}

/// The row-level operations of a write transaction, for the steps shared by every backend.
/// SQLite transactions here are `BEGIN IMMEDIATE`: they exclude every other writer, so no row
/// needs locking.
struct SqliteTx<'t>(&'t Connection);

impl WriteTx for SqliteTx<'_> {
    fn incident_id(&mut self, key: IncidentKey, _lock: bool) -> StoreResult<i64> {
        incident_id(self.0, key)
    }
    fn insert_incident(
        &mut self,
        new: &NewIncident,
        created_at: DateTime<Utc>,
    ) -> StoreResult<i64> {
        insert_incident(self.0, new, created_at)
    }
    fn insert_postmortem(
        &mut self,
        id: i64,
        postmortem: &Postmortem,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        insert_postmortem(self.0, id, postmortem, 1, now)
    }
    fn timeline(&mut self, id: i64) -> StoreResult<Vec<TimelineEvent>> {
        load_timeline(self.0, id)
    }
    fn insert_event(
        &mut self,
        id: i64,
        event: &NewTimelineEvent,
        recorded_at: DateTime<Utc>,
    ) -> StoreResult<EventId> {
        insert_event(self.0, id, event, recorded_at)
    }
    fn insert_action(
        &mut self,
        id: i64,
        item: &NewActionItem,
        created_at: DateTime<Utc>,
    ) -> StoreResult<ActionId> {
        insert_action(self.0, id, item, created_at)
    }
    fn responders(&mut self, id: i64) -> StoreResult<Responders> {
        load_responders(self.0, id)
    }
    fn write_responders(&mut self, id: i64, responders: &Responders) -> StoreResult<()> {
        write_responders(self.0, id, responders)
    }
    fn proposal(&mut self, id: i64, proposal: ProposalId) -> StoreResult<Option<Proposal>> {
        Ok(load_proposals(self.0, id, Some(proposal))?.pop())
    }
    fn set_proposal_status(
        &mut self,
        proposal: ProposalId,
        status: ProposalStatus,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        self.0
            .execute(
                "UPDATE proposals SET status = ?2, decided_at = ?3 WHERE id = ?1",
                params![proposal.0, status.as_str(), to_micros(now)],
            )
            .map_err(db)?;
        Ok(())
    }
    fn lock_external(&mut self, _source: &str, _external_id: &str) -> StoreResult<()> {
        Ok(())
    }
    fn delivery(&mut self, source: &str, delivery_id: &str) -> StoreResult<Option<i64>> {
        self.0
            .query_row(
                "SELECT incident_id FROM webhook_deliveries WHERE source = ?1 AND delivery_id = ?2",
                params![source, delivery_id],
                |row| row.get(0),
            )
            .optional()
            .map_err(db)
    }
    fn external_incident(&mut self, source: &str, external_id: &str) -> StoreResult<Option<i64>> {
        self.0
            .query_row(
                "SELECT incident_id FROM external_incidents WHERE source = ?1 AND external_id = ?2",
                params![source, external_id],
                |row| row.get(0),
            )
            .optional()
            .map_err(db)
    }
    fn link_external(&mut self, source: &str, external_id: &str, id: i64) -> StoreResult<()> {
        self.0
            .execute(
                "INSERT INTO external_incidents (source, external_id, incident_id) VALUES (?1, ?2, ?3)
                 ON CONFLICT (source, external_id) DO UPDATE SET incident_id = excluded.incident_id",
                params![source, external_id, id],
            )
            .map_err(db)?;
        Ok(())
    }
    fn postmortem_status(&mut self, id: i64) -> StoreResult<hindsight_core::PostmortemStatus> {
        let status: String = self
            .0
            .query_row(
                "SELECT status FROM postmortems WHERE incident_id = ?1",
                [id],
                |row| row.get(0),
            )
            .map_err(db)?;
        decode("post-mortem status", &status)
    }
    fn record_delivery(
        &mut self,
        source: &str,
        delivery_id: &str,
        id: i64,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        self.0
            .execute(
                "INSERT INTO webhook_deliveries (source, delivery_id, incident_id, received_at)
                 VALUES (?1, ?2, ?3, ?4)",
                params![source, delivery_id, id, to_micros(now)],
            )
            .map_err(db)?;
        Ok(())
    }
}

/// The proposals of an incident (or the one asked for), in the order they were made.
fn load_proposals(
    conn: &Connection,
    id: i64,
    only: Option<ProposalId>,
) -> StoreResult<Vec<Proposal>> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT id, status, proposal, created_at FROM proposals
             WHERE incident_id = ?1 AND (?2 IS NULL OR id = ?2) ORDER BY id",
        )
        .map_err(db)?;
    let rows = stmt
        .query_map(params![id, only.map(|p| p.0)], |row| {
            Ok((
                row.get::<_, i64>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
                row.get::<_, i64>(3)?,
            ))
        })
        .map_err(db)?;
    rows.map(|row| {
        let (id, status, json, created_at) = row.map_err(db)?;
        let what = format!("proposal {id}");
        Ok(Proposal {
            id: ProposalId(id),
            status: decode(&what, &status)?,
            proposal: serde_json::from_str(&json).map_err(|e| StoreError::corrupt(&what, e))?,
            created_at: rows::from_micros(created_at)?,
        })
    })
    .collect()
}
