//! hindsight's backend for teams: one PostgreSQL database that every instance shares.
//!
//! It is synchronous like the SQLite backend: connections come from a small r2d2 pool and each
//! [`Store`] method is one transaction on one connection.
//!
//! - Writes run at READ COMMITTED, whatever the server's default, because their concurrency
//!   control relies on it: a statement that waited for a row lock sees the row as the other
//!   transaction committed it, where REPEATABLE READ would fail with a serialization error. Two
//!   saves of one post-mortem are told apart by a conditional `UPDATE … WHERE version = $n`,
//!   and writes that replace a whole list (services, responders) first lock the incident's row,
//!   so two of them never interleave their delete and insert.
//! - Reads run in a REPEATABLE READ, READ ONLY transaction, so a [`Store::record`] assembled
//!   from several queries is one consistent snapshot.
//!
//! Tables live in the first schema of the connection's `search_path`, so one database can hold
//! several hindsight installations (or test runs) side by side; see [`PostgresStore::with_config`].

mod migrations;
mod rows;

/// The driver, re-exported so callers build a [`postgres::Config`] with the very version this
/// crate uses.
pub use r2d2_postgres::postgres;

use chrono::{DateTime, Utc};
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
    steps::{self, WriteTx},
};
use postgres::{IsolationLevel, NoTls, Transaction, types::ToSql};
use r2d2_postgres::PostgresConnectionManager;
use url::Url;

use rows::{decode, evidence_json, instant, postmortem_json, severity_level};

type Manager = PostgresConnectionManager<NoTls>;
type Pool = r2d2::Pool<Manager>;

/// A store in a PostgreSQL database.
#[derive(Debug, Clone)]
pub struct PostgresStore {
    pool: Pool,
}

impl PostgresStore {
    /// Connects to the database at `url`: a `postgres://user@host:port/database` URL or a
    /// `host=… user=… dbname=…` string. Call [`Store::migrate`] before use.
    pub fn connect(url: &str) -> StoreResult<Self> {
        let config: postgres::Config = url.parse().map_err(|e| {
            StoreError::Backend(format!("invalid PostgreSQL connection string: {e}").into())
        })?;
        Self::with_config(config)
    }

    /// Connects with a ready-made configuration. Setting
    /// `config.options("-c search_path=<schema>")` keeps hindsight's tables in `<schema>`,
    /// which must exist. Fails if no connection can be opened.
    pub fn with_config(config: postgres::Config) -> StoreResult<Self> {
        let pool = r2d2::Pool::builder()
            // Each method holds one connection for one short transaction: a few are plenty,
            // and many instances against one server must stay under its max_connections.
            .max_size(8)
            // Open one connection up front, so a wrong address or password fails here, and
            // the rest only when there is work for them.
            .min_idle(Some(1))
            // A server that does not answer is reported in seconds, not after r2d2's 30.
            .connection_timeout(std::time::Duration::from_secs(5))
            .build(PostgresConnectionManager::new(config, NoTls))
            .map_err(|e| {
                StoreError::Backend(format!("cannot connect to PostgreSQL: {e}").into())
            })?;
        Ok(PostgresStore { pool })
    }

    fn conn(&self) -> StoreResult<r2d2::PooledConnection<Manager>> {
        self.pool.get().map_err(StoreError::backend)
    }

    /// Runs `work` in a READ COMMITTED transaction, committed only when it succeeds; dropping
    /// the transaction on an error rolls it back.
    fn write<T>(
        &self,
        work: impl FnOnce(&mut Transaction<'_>) -> StoreResult<T>,
    ) -> StoreResult<T> {
        let mut conn = self.conn()?;
        let mut tx = conn
            .build_transaction()
            .isolation_level(IsolationLevel::ReadCommitted)
            .start()
            .map_err(db)?;
        let value = work(&mut tx)?;
        tx.commit().map_err(db)?;
        Ok(value)
    }

    /// Runs `work` in a read-only REPEATABLE READ transaction: one consistent snapshot.
    fn read<T>(&self, work: impl FnOnce(&mut Transaction<'_>) -> StoreResult<T>) -> StoreResult<T> {
        let mut conn = self.conn()?;
        let mut tx = conn
            .build_transaction()
            .isolation_level(IsolationLevel::RepeatableRead)
            .read_only(true)
            .start()
            .map_err(db)?;
        let value = work(&mut tx)?;
        tx.commit().map_err(db)?;
        Ok(value)
    }
}

/// The server's own words when there are some (`postgres::Error` alone displays "db error"),
/// with the detail and the constraint at fault.
fn db(error: postgres::Error) -> StoreError {
    match error.as_db_error() {
        Some(e) => {
            let mut text = e.message().to_owned();
            if let Some(detail) = e.detail() {
                text.push_str(&format!(" ({detail})"));
            }
            if let Some(constraint) = e.constraint() {
                text.push_str(&format!(" [constraint {constraint}]"));
            }
            StoreError::Backend(text.into())
        }
        None => StoreError::backend(error),
    }
}

/// The row id of `key`. A number too big for a `bigint` was never handed out.
fn row_id(key: IncidentKey) -> StoreResult<i64> {
    i64::try_from(key.number()).map_err(|_| StoreError::IncidentNotFound(key))
}

/// The row id of `key`, or not found.
fn incident_id(tx: &mut Transaction<'_>, key: IncidentKey) -> StoreResult<i64> {
    tx.query_opt("SELECT id FROM incidents WHERE id = $1", &[&row_id(key)?])
        .map_err(db)?
        .map(|row| row.try_get(0).map_err(db))
        .unwrap_or(Err(StoreError::IncidentNotFound(key)))
}

/// Like [`incident_id`], and holds the incident's row lock until the transaction ends, so
/// writes that replace a whole list of the incident take turns. `NO KEY UPDATE` still lets
/// others add events and action items, whose foreign keys only need `KEY SHARE`.
fn lock_incident(tx: &mut Transaction<'_>, key: IncidentKey) -> StoreResult<i64> {
    tx.query_opt(
        "SELECT id FROM incidents WHERE id = $1 FOR NO KEY UPDATE",
        &[&row_id(key)?],
    )
    .map_err(db)?
    .map(|row| row.try_get(0).map_err(db))
    .unwrap_or(Err(StoreError::IncidentNotFound(key)))
}

fn load_incident(tx: &mut Transaction<'_>, key: IncidentKey) -> StoreResult<Incident> {
    let sql = format!("{} WHERE i.id = $1", rows::INCIDENT_SELECT);
    let row = tx
        .query_opt(&sql, &[&row_id(key)?])
        .map_err(db)?
        .ok_or(StoreError::IncidentNotFound(key))?;
    rows::RawIncident::from_row(&row)
        .map_err(db)?
        .into_incident()
}

/// Replaces the services of incident `id`, keeping their order, in one statement.
fn write_services(
    tx: &mut Transaction<'_>,
    id: i64,
    services: &[hindsight_core::ServiceName],
) -> StoreResult<()> {
    tx.execute(
        "DELETE FROM incident_services WHERE incident_id = $1",
        &[&id],
    )
    .map_err(db)?;
    let services: Vec<&str> = services.iter().map(|s| s.as_str()).collect();
    tx.execute(
        "INSERT INTO incident_services (incident_id, position, service)
         SELECT $1, s.position - 1, s.service
         FROM unnest($2::text[]) WITH ORDINALITY AS s (service, position)",
        &[&id, &services],
    )
    .map_err(db)?;
    Ok(())
}

fn load_responders(tx: &mut Transaction<'_>, id: i64) -> StoreResult<Responders> {
    let rows = tx
        .query(
            "SELECT role, name, job_title FROM responders WHERE incident_id = $1
             ORDER BY role, position",
            &[&id],
        )
        .map_err(db)?;
    let mut responders = Responders::default();
    for row in rows {
        let role: String = row.try_get("role").map_err(db)?;
        let name: String = row.try_get("name").map_err(db)?;
        let job_title: Option<String> = row.try_get("job_title").map_err(db)?;
        let role: Role = decode("responder role", &role)?;
        let person = hindsight_core::Person::new(&name, job_title.as_deref())
            .map_err(|e| StoreError::corrupt("responder", e))?;
        responders.assign(role, person);
    }
    Ok(responders)
}

fn load_timeline(tx: &mut Transaction<'_>, id: i64) -> StoreResult<Vec<TimelineEvent>> {
    let sql = format!(
        "SELECT {} FROM timeline_events WHERE incident_id = $1 ORDER BY at, id",
        rows::EVENT_COLUMNS
    );
    tx.query(&sql, &[&id])
        .map_err(db)?
        .iter()
        .map(|row| rows::RawEvent::from_row(row).map_err(db)?.into_event())
        .collect()
}

fn load_postmortem(tx: &mut Transaction<'_>, id: i64) -> StoreResult<Versioned<Postmortem>> {
    let row = tx
        .query_opt(
            "SELECT version, document FROM postmortems WHERE incident_id = $1",
            &[&id],
        )
        .map_err(db)?
        // Every incident is created with its post-mortem, in one transaction.
        .ok_or_else(|| StoreError::corrupt("post-mortem", format!("incident {id} has none")))?;
    rows::postmortem(&row)
}

fn load_actions(tx: &mut Transaction<'_>, id: i64) -> StoreResult<Vec<ActionItem>> {
    let sql = format!(
        "SELECT {} FROM action_items WHERE incident_id = $1 ORDER BY id",
        rows::ACTION_COLUMNS
    );
    tx.query(&sql, &[&id])
        .map_err(db)?
        .iter()
        .map(|row| rows::RawAction::from_row(row).map_err(db)?.into_action())
        .collect()
}

fn write_responders(tx: &mut Transaction<'_>, id: i64, responders: &Responders) -> StoreResult<()> {
    tx.execute("DELETE FROM responders WHERE incident_id = $1", &[&id])
        .map_err(db)?;
    // Columns as arrays, inserted in one statement; the position is the order of
    // `Responders::iter`, which reads back into the same value.
    let (mut roles, mut names, mut job_titles) = (Vec::new(), Vec::new(), Vec::new());
    for (role, person) in responders.iter() {
        roles.push(role.as_str());
        names.push(person.name.as_str());
        job_titles.push(person.job_title.as_deref());
    }
    tx.execute(
        "INSERT INTO responders (incident_id, role, position, name, job_title)
         SELECT $1, r.role, r.position - 1, r.name, r.job_title
         FROM unnest($2::text[], $3::text[], $4::text[]) WITH ORDINALITY
              AS r (role, name, job_title, position)",
        &[&id, &roles, &names, &job_titles],
    )
    .map_err(db)?;
    Ok(())
}

fn insert_incident(
    tx: &mut Transaction<'_>,
    new: &NewIncident,
    created_at: DateTime<Utc>,
) -> StoreResult<i64> {
    let id: i64 = tx
        .query_one(
            "INSERT INTO incidents (title, severity, timezone, private, created_at)
             VALUES ($1, $2, $3, $4, $5)
             RETURNING id",
            &[
                &new.title.as_str(),
                &severity_level(new.severity),
                &new.timezone.name(),
                &new.private,
                &created_at,
            ],
        )
        .and_then(|row| row.try_get(0))
        .map_err(db)?;
    write_services(tx, id, &new.services)?;
    Ok(id)
}

/// The first version of a post-mortem.
fn insert_postmortem(
    tx: &mut Transaction<'_>,
    id: i64,
    postmortem: &Postmortem,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    tx.execute(
        "INSERT INTO postmortems
            (incident_id, version, owner, status, template, document, updated_at)
         VALUES ($1, 1, $2, $3, $4, $5, $6)",
        &[
            &id,
            &postmortem.owner.as_ref().map(|o| o.as_str()),
            &postmortem.status.as_str(),
            &postmortem.template,
            &postmortem_json(postmortem)?,
            &now,
        ],
    )
    .map_err(db)?;
    Ok(())
}

fn insert_event(
    tx: &mut Transaction<'_>,
    id: i64,
    event: &NewTimelineEvent,
    recorded_at: DateTime<Utc>,
) -> StoreResult<EventId> {
    let event_id: i64 = tx
        .query_one(
            "INSERT INTO timeline_events
                (incident_id, at, kind, text, author, source, severity, evidence,
                 key_point, recorded_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
             RETURNING id",
            &[
                &id,
                &event.at(),
                &event.kind().as_str(),
                &event.text(),
                &event.author(),
                &event.source().as_str(),
                &event.severity().map(severity_level),
                &evidence_json(event.evidence()),
                &event.is_key_point(),
                &recorded_at,
            ],
        )
        .and_then(|row| row.try_get(0))
        .map_err(db)?;
    Ok(EventId(event_id))
}

fn insert_action(
    tx: &mut Transaction<'_>,
    id: i64,
    item: &NewActionItem,
    created_at: DateTime<Utc>,
) -> StoreResult<ActionId> {
    let action_id: i64 = tx
        .query_one(
            "INSERT INTO action_items
                (incident_id, title, description, owner, due, priority, kind, impact,
                 effort, status, ticket, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
             RETURNING id",
            &[
                &id,
                &item.title.as_str(),
                &item.description,
                &item.owner.as_ref().map(|o| o.as_str()),
                &item.due,
                &item.priority.as_str(),
                &item.kind.as_str(),
                &item.impact.as_str(),
                &item.effort.as_str(),
                &item.status.as_str(),
                &item.ticket.as_ref().map(Url::as_str),
                &created_at,
            ],
        )
        .and_then(|row| row.try_get(0))
        .map_err(db)?;
    Ok(ActionId(action_id))
}

/// The status of incident `i`, derived from its timeline exactly as `IncidentRecord::status`
/// derives it: resolved once it has a `resolved` event, else mitigated once it has a
/// `mitigated` event, else active (no such event leaves both `bool_or`s NULL).
///
/// One scalar subquery rather than two `EXISTS`: PostgreSQL may run an `EXISTS` in the select
/// list as a hashed subplan, which reads every resolved or mitigated event of every incident
/// to list fifty; a scalar subquery is always one probe of `timeline_events_by_kind` per
/// incident it is asked about.
const STATUS_SQL: &str = "(SELECT CASE
            WHEN bool_or(e.kind = 'resolved') THEN 'resolved'
            WHEN bool_or(e.kind = 'mitigated') THEN 'mitigated'
            ELSE 'active'
        END
     FROM timeline_events e
     WHERE e.incident_id = i.id AND e.kind IN ('resolved', 'mitigated'))";

/// The WHERE clauses of a search and the values they bind. Only the filters asked for become
/// clauses, so the planner sees plain comparisons it can answer from an index, and every value
/// is bound, never spliced into the SQL.
#[derive(Default)]
struct Filter {
    clauses: Vec<String>,
    args: Vec<Box<dyn ToSql + Sync>>,
}

impl Filter {
    /// Binds `value` and returns its placeholder.
    fn arg(&mut self, value: impl ToSql + Sync + 'static) -> String {
        self.args.push(Box::new(value));
        format!("${}", self.args.len())
    }

    fn and(&mut self, clause: String) {
        self.clauses.push(clause);
    }

    fn sql(&self) -> String {
        if self.clauses.is_empty() {
            "true".to_owned()
        } else {
            self.clauses.join(" AND ")
        }
    }

    fn params(&self) -> Vec<&(dyn ToSql + Sync)> {
        self.args.iter().map(|arg| arg.as_ref()).collect()
    }
}

fn search_incidents(
    tx: &mut Transaction<'_>,
    query: &IncidentQuery,
) -> StoreResult<Vec<IncidentSummary>> {
    // The planner prices the status subquery once per incident, not once per incident
    // listed, so a search filtering on it looks expensive enough for JIT compilation, which
    // costs tens of milliseconds to save a few.
    tx.batch_execute("SET LOCAL jit = off").map_err(db)?;
    let mut filter = Filter::default();
    if let Some(status) = query.status {
        let status = filter.arg(status.to_string());
        filter.and(format!("{STATUS_SQL} = {status}"));
    }
    if let Some(severity) = query.severity {
        let level = filter.arg(severity_level(severity));
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
        let status = filter.arg(status.as_str());
        filter.and(format!("p.status = {status}"));
    }
    if let Some(from) = query.opened_from {
        let from = filter.arg(from);
        filter.and(format!("i.created_at >= {from}"));
    }
    if let Some(before) = query.opened_before {
        let before = filter.arg(before);
        filter.and(format!("i.created_at < {before}"));
    }
    for pattern in hindsight_store::title_patterns(query.title_contains.as_deref().unwrap_or("")) {
        // ILIKE ignores case; the escape character, written so that it means a backslash
        // whatever standard_conforming_strings says, makes `%` and `_` literal.
        let pattern = filter.arg(pattern);
        filter.and(format!(r"i.title ILIKE {pattern} ESCAPE E'\\'"));
    }
    if let Some(before) = query.before {
        // A key beyond every row id leaves every incident before it.
        let before = filter.arg(row_id(before).unwrap_or(i64::MAX));
        filter.and(format!("i.id < {before}"));
    }
    if let Some(member) = &query.member {
        let member = filter.arg(member.clone());
        filter.and(format!(
            "(NOT i.private OR p.owner = {member} OR EXISTS (
                SELECT 1 FROM responders r WHERE r.incident_id = i.id AND r.name = {member}))"
        ));
    }
    let limit = filter.arg(i64::from(query.limit));
    // Each listed incident's services come in its own row, so the list is one query.
    let sql = format!(
        "SELECT i.id, i.title, i.severity, i.timezone, i.private, i.created_at,
                ARRAY(SELECT s.service FROM incident_services s
                      WHERE s.incident_id = i.id ORDER BY s.position) AS services,
                {STATUS_SQL} AS incident_status,
                p.status AS postmortem_status, p.owner
         FROM incidents i JOIN postmortems p ON p.incident_id = i.id
         WHERE {}
         ORDER BY i.id DESC LIMIT {limit}",
        filter.sql()
    );
    tx.query(&sql, &filter.params())
        .map_err(db)?
        .iter()
        .map(rows::summary)
        .collect()
}

/// A user by the condition `clause` on `users u`, with `args`.
fn find_user(
    tx: &mut Transaction<'_>,
    clause: &str,
    args: &[&(dyn ToSql + Sync)],
) -> StoreResult<Option<User>> {
    let sql = format!("SELECT {} FROM users u WHERE {clause}", rows::USER_COLUMNS);
    tx.query_opt(&sql, args)
        .map_err(db)?
        .map(|row| rows::RawUser::from_row(&row).map_err(db)?.into_user())
        .transpose()
}

impl Store for PostgresStore {
    fn migrate(&self) -> StoreResult<()> {
        let mut conn = self.conn()?;
        migrations::run(&mut conn)
    }

    fn create_incident(&self, new: &NewIncident, now: DateTime<Utc>) -> StoreResult<Incident> {
        let now = instant(now);
        self.write(|tx| {
            let id = insert_incident(tx, new, now)?;
            insert_postmortem(tx, id, &Postmortem::new(&new.template), now)?;
            load_incident(tx, rows::incident_key(id)?)
        })
    }

    fn import_record(&self, record: &IncidentRecord, now: DateTime<Utc>) -> StoreResult<Incident> {
        let now = instant(now);
        self.write(|tx| {
            let id = steps::import_record(&mut PgTx(tx), record, now)?;
            load_incident(tx, rows::incident_key(id)?)
        })
    }

    fn incident(&self, key: IncidentKey) -> StoreResult<Incident> {
        self.read(|tx| load_incident(tx, key))
    }

    fn list_incidents(&self, limit: u32) -> StoreResult<Vec<Incident>> {
        self.read(|tx| {
            let sql = format!("{} ORDER BY i.id DESC LIMIT $1", rows::INCIDENT_SELECT);
            tx.query(&sql, &[&i64::from(limit)])
                .map_err(db)?
                .iter()
                .map(|row| {
                    rows::RawIncident::from_row(row)
                        .map_err(db)?
                        .into_incident()
                })
                .collect()
        })
    }

    fn update_incident(&self, incident: &Incident) -> StoreResult<()> {
        let key = incident.key;
        self.write(|tx| {
            // The UPDATE also takes the incident's row lock, which serialises the
            // replacement of the services below with any concurrent one.
            let id = row_id(key)?;
            let changed = tx
                .execute(
                    "UPDATE incidents SET title = $2, severity = $3, timezone = $4, private = $5
                     WHERE id = $1",
                    &[
                        &id,
                        &incident.title.as_str(),
                        &severity_level(incident.severity),
                        &incident.timezone.name(),
                        &incident.private,
                    ],
                )
                .map_err(db)?;
            if changed == 0 {
                return Err(StoreError::IncidentNotFound(key));
            }
            write_services(tx, id, &incident.services)
        })
    }

    fn record(&self, key: IncidentKey) -> StoreResult<IncidentRecord> {
        self.read(|tx| {
            let incident = load_incident(tx, key)?;
            let id = row_id(key)?;
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
        // The incident's row is locked first, so two writers replacing the list take turns
        // instead of mixing their delete and insert.
        self.write(|tx| steps::edit_responders(&mut PgTx(tx), key, change))
    }

    fn add_timeline_events(
        &self,
        key: IncidentKey,
        events: &[NewTimelineEvent],
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<TimelineEvent>> {
        let now = instant(now);
        self.write(|tx| {
            // Locking the incident makes concurrent imports take turns, so each sees what the
            // one before it added and nothing is added twice.
            let id = lock_incident(tx, key)?;
            steps::add_events(&mut PgTx(tx), id, events.to_vec(), now)
        })
    }

    fn update_timeline_event(&self, key: IncidentKey, event: &TimelineEvent) -> StoreResult<()> {
        self.write(|tx| {
            let id = incident_id(tx, key)?;
            let changed = tx
                .execute(
                    "UPDATE timeline_events SET at = $3, kind = $4, text = $5, author = $6,
                        source = $7, severity = $8, evidence = $9, key_point = $10
                     WHERE incident_id = $1 AND id = $2",
                    &[
                        &id,
                        &event.id.0,
                        &event.at(),
                        &event.kind().as_str(),
                        &event.text(),
                        &event.author(),
                        &event.source().as_str(),
                        &event.severity().map(severity_level),
                        &evidence_json(event.evidence()),
                        &event.is_key_point(),
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
                    "DELETE FROM timeline_events WHERE incident_id = $1 AND id = $2",
                    &[&id, &event.0],
                )
                .map_err(db)?;
            if changed == 0 {
                return Err(StoreError::EventNotFound { key, id: event });
            }
            Ok(())
        })
    }

    fn postmortem(&self, key: IncidentKey) -> StoreResult<Versioned<Postmortem>> {
        self.read(|tx| {
            let id = incident_id(tx, key)?;
            load_postmortem(tx, id)
        })
    }

    fn save_postmortem(
        &self,
        key: IncidentKey,
        postmortem: &Postmortem,
        expected_version: u64,
        now: DateTime<Utc>,
    ) -> StoreResult<u64> {
        let now = instant(now);
        // A version too big for a bigint matches no row: NULL equals nothing.
        let expected = i64::try_from(expected_version).ok();
        self.write(|tx| {
            let id = incident_id(tx, key)?;
            // The version check and the write are one statement. If another save holds the
            // row, this one waits for it to commit, then re-checks the WHERE against the
            // version it left, so of two saves from the same version exactly one succeeds.
            let saved = tx
                .query_opt(
                    "UPDATE postmortems SET version = version + 1, owner = $3, status = $4,
                        template = $5, document = $6, updated_at = $7
                     WHERE incident_id = $1 AND version = $2
                     RETURNING version",
                    &[
                        &id,
                        &expected,
                        &postmortem.owner.as_ref().map(|o| o.as_str()),
                        &postmortem.status.as_str(),
                        &postmortem.template,
                        &postmortem_json(postmortem)?,
                        &now,
                    ],
                )
                .map_err(db)?;
            match saved {
                Some(row) => rows::version("post-mortem version", row.try_get(0).map_err(db)?),
                None => Err(StoreError::Conflict {
                    key,
                    expected: expected_version,
                    actual: load_postmortem(tx, id)?.version,
                }),
            }
        })
    }

    fn add_action_item(
        &self,
        key: IncidentKey,
        item: &NewActionItem,
        now: DateTime<Utc>,
    ) -> StoreResult<ActionItem> {
        let now = instant(now);
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
                    "UPDATE action_items SET title = $3, description = $4, owner = $5, due = $6,
                        priority = $7, kind = $8, impact = $9, effort = $10, status = $11,
                        ticket = $12
                     WHERE incident_id = $1 AND id = $2",
                    &[
                        &id,
                        &item.id.0,
                        &item.item.title.as_str(),
                        &item.item.description,
                        &item.item.owner.as_ref().map(|o| o.as_str()),
                        &item.item.due,
                        &item.item.priority.as_str(),
                        &item.item.kind.as_str(),
                        &item.item.impact.as_str(),
                        &item.item.effort.as_str(),
                        &item.item.status.as_str(),
                        &item.item.ticket.as_ref().map(Url::as_str),
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
        let at = instant(at);
        self.write(|tx| {
            // The lock makes concurrent revisions of one incident take turns for their number.
            let id = lock_incident(tx, key)?;
            let number: i64 = tx
                .query_one(
                    "INSERT INTO revisions (incident_id, number, author, at, summary, document)
                     SELECT $1, COALESCE(MAX(number), 0) + 1, $2, $3, $4, $5
                     FROM revisions WHERE incident_id = $1
                     RETURNING number",
                    &[&id, &author, &at, &summary, &document],
                )
                .and_then(|row| row.try_get(0))
                .map_err(db)?;
            Ok(number as u64)
        })
    }

    fn revisions(&self, key: IncidentKey) -> StoreResult<Vec<hindsight_store::RevisionSummary>> {
        self.read(|tx| {
            let id = incident_id(tx, key)?;
            let rows = tx
                .query(
                    "SELECT number, author, at, summary FROM revisions
                     WHERE incident_id = $1 ORDER BY number",
                    &[&id],
                )
                .map_err(db)?;
            rows.iter()
                .map(|row| {
                    Ok(hindsight_store::RevisionSummary {
                        number: row.try_get::<_, i64>(0).map_err(db)? as u64,
                        author: row.try_get(1).map_err(db)?,
                        at: row.try_get(2).map_err(db)?,
                        summary: row.try_get(3).map_err(db)?,
                    })
                })
                .collect()
        })
    }

    fn revision(&self, key: IncidentKey, number: u64) -> StoreResult<hindsight_store::Revision> {
        self.read(|tx| {
            let id = incident_id(tx, key)?;
            let row = tx
                .query_opt(
                    "SELECT author, at, summary, document FROM revisions
                     WHERE incident_id = $1 AND number = $2",
                    &[&id, &(number as i64)],
                )
                .map_err(db)?
                .ok_or(StoreError::RevisionNotFound { key, number })?;
            Ok(hindsight_store::Revision {
                summary: hindsight_store::RevisionSummary {
                    number,
                    author: row.try_get(0).map_err(db)?,
                    at: row.try_get(1).map_err(db)?,
                    summary: row.try_get(2).map_err(db)?,
                },
                document: row.try_get(3).map_err(db)?,
            })
        })
    }

    fn add_proposals(
        &self,
        key: IncidentKey,
        proposals: &[NewProposal],
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<Proposal>> {
        let now = instant(now);
        self.write(|tx| {
            let id = incident_id(tx, key)?;
            let insert = tx
                .prepare(
                    "INSERT INTO proposals (incident_id, source_id, status, proposal, created_at)
                     VALUES ($1, $2, 'pending', $3, $4)
                     ON CONFLICT (incident_id, source_id) DO UPDATE
                        SET proposal = EXCLUDED.proposal, created_at = EXCLUDED.created_at
                      WHERE proposals.status = 'pending'
                        AND proposals.proposal->>'quiet' = 'true'
                        AND EXCLUDED.proposal->>'quiet' IS NULL
                     RETURNING id",
                )
                .map_err(db)?;
            let mut added = Vec::new();
            for proposal in proposals {
                let json = serde_json::to_value(proposal)
                    .map_err(|e| StoreError::corrupt("proposal", e))?;
                if let Some(row) = tx
                    .query_opt(&insert, &[&id, &proposal.source_id, &json, &now])
                    .map_err(db)?
                {
                    added.push(Proposal {
                        id: ProposalId(row.try_get(0).map_err(db)?),
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
        let now = instant(now);
        self.write(|tx| steps::decide_proposal(&mut PgTx(tx), key, proposal, accept, now))
    }

    fn apply_delivery(
        &self,
        delivery: &Delivery,
        now: DateTime<Utc>,
    ) -> StoreResult<DeliveryOutcome> {
        let now = instant(now);
        self.write(|tx| steps::apply_delivery(&mut PgTx(tx), delivery, now))
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
        let now = instant(now);
        self.write(|tx| {
            // A name already taken inserts nothing and returns no row; a concurrent insert of
            // the same name is waited for, then found taken.
            let row = tx
                .query_opt(
                    "INSERT INTO users (name, display_name, role, password_hash, created_at)
                     VALUES ($1, $2, $3, $4, $5)
                     ON CONFLICT (name) DO NOTHING
                     RETURNING id",
                    &[
                        &user.name.as_str(),
                        &user.display_name.as_str(),
                        &user.role.as_str(),
                        &password_hash,
                        &now,
                    ],
                )
                .map_err(db)?
                .ok_or_else(|| StoreError::UserExists(user.name.clone()))?;
            Ok(User {
                id: UserId(row.try_get(0).map_err(db)?),
                name: user.name.clone(),
                display_name: user.display_name.clone(),
                role: user.role,
                created_at: now,
            })
        })
    }

    fn user_credentials(&self, name: &Username) -> StoreResult<Option<(User, String)>> {
        self.read(|tx| {
            let sql = format!(
                "SELECT {}, u.password_hash FROM users u WHERE u.name = $1",
                rows::USER_COLUMNS
            );
            tx.query_opt(&sql, &[&name.as_str()])
                .map_err(db)?
                .map(|row| {
                    let user = rows::RawUser::from_row(&row).map_err(db)?.into_user()?;
                    Ok((user, row.try_get("password_hash").map_err(db)?))
                })
                .transpose()
        })
    }

    fn users(&self) -> StoreResult<Vec<User>> {
        self.read(|tx| {
            let sql = format!("SELECT {} FROM users u ORDER BY u.name", rows::USER_COLUMNS);
            tx.query(&sql, &[])
                .map_err(db)?
                .iter()
                .map(|row| rows::RawUser::from_row(row).map_err(db)?.into_user())
                .collect()
        })
    }

    fn set_user_role(&self, id: UserId, role: AccountRole) -> StoreResult<User> {
        self.write(|tx| {
            tx.execute(
                "UPDATE users SET role = $2 WHERE id = $1",
                &[&id.0, &role.as_str()],
            )
            .map_err(db)?;
            find_user(tx, "u.id = $1", &[&id.0])?.ok_or(StoreError::UserNotFound(id))
        })
    }

    fn set_password_hash(&self, id: UserId, password_hash: &str) -> StoreResult<()> {
        self.write(|tx| {
            let changed = tx
                .execute(
                    "UPDATE users SET password_hash = $2 WHERE id = $1",
                    &[&id.0, &password_hash],
                )
                .map_err(db)?;
            if changed == 0 {
                return Err(StoreError::UserNotFound(id));
            }
            // Whoever signed in with the old password is signed out with it.
            tx.execute("DELETE FROM sessions WHERE user_id = $1", &[&id.0])
                .map_err(db)?;
            Ok(())
        })
    }

    fn create_session(&self, session: &NewSession) -> StoreResult<()> {
        let expires_at = instant(session.expires_at);
        self.write(|tx| {
            // Inserted from the user's row, so an unknown user inserts nothing and says so.
            let added = tx
                .execute(
                    "INSERT INTO sessions (token_hash, user_id, csrf_token, expires_at)
                     SELECT $1, id, $3, $4 FROM users WHERE id = $2",
                    &[
                        &session.token_hash,
                        &session.user.0,
                        &session.csrf_token,
                        &expires_at,
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
            let sql = format!(
                "SELECT {}, s.csrf_token, s.expires_at
                 FROM sessions s JOIN users u ON u.id = s.user_id
                 WHERE s.token_hash = $1",
                rows::USER_COLUMNS
            );
            tx.query_opt(&sql, &[&token_hash])
                .map_err(db)?
                .map(|row| {
                    Ok(Session {
                        user: rows::RawUser::from_row(&row).map_err(db)?.into_user()?,
                        csrf_token: row.try_get("csrf_token").map_err(db)?,
                        expires_at: row.try_get("expires_at").map_err(db)?,
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
                        "DELETE FROM sessions WHERE token_hash = $1 AND expires_at <= $2",
                        &[&token_hash, &now],
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
            tx.execute("DELETE FROM sessions WHERE token_hash = $1", &[&token_hash])
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
        let now = instant(now);
        self.write(|tx| {
            let row = tx
                .query_opt(
                    "INSERT INTO api_tokens (user_id, label, token_hash, created_at)
                     SELECT id, $2, $3, $4 FROM users WHERE id = $1
                     RETURNING id",
                    &[&user.0, &label.as_str(), &token_hash, &now],
                )
                .map_err(db)?
                .ok_or(StoreError::UserNotFound(user))?;
            Ok(ApiTokenInfo {
                id: row.try_get(0).map_err(db)?,
                user,
                label: label.clone(),
                created_at: now,
            })
        })
    }

    fn user_by_api_token(&self, token_hash: &str) -> StoreResult<Option<User>> {
        self.read(|tx| {
            find_user(
                tx,
                "u.id = (SELECT user_id FROM api_tokens WHERE token_hash = $1)",
                &[&token_hash],
            )
        })
    }

    fn api_tokens(&self, user: UserId) -> StoreResult<Vec<ApiTokenInfo>> {
        self.read(|tx| {
            let sql = format!(
                "SELECT {} FROM api_tokens WHERE user_id = $1 ORDER BY id",
                rows::TOKEN_COLUMNS
            );
            tx.query(&sql, &[&user.0])
                .map_err(db)?
                .iter()
                .map(|row| rows::RawToken::from_row(row).map_err(db)?.into_token())
                .collect()
        })
    }

    fn revoke_api_token(&self, user: UserId, id: i64) -> StoreResult<bool> {
        self.write(|tx| {
            let deleted = tx
                .execute(
                    "DELETE FROM api_tokens WHERE id = $1 AND user_id = $2",
                    &[&id, &user.0],
                )
                .map_err(db)?;
            Ok(deleted > 0)
        })
    }
}

/// The row-level operations of a write transaction, for the steps shared by every backend.
struct PgTx<'a, 'b>(&'a mut Transaction<'b>);

impl WriteTx for PgTx<'_, '_> {
    fn incident_id(&mut self, key: IncidentKey, lock: bool) -> StoreResult<i64> {
        if lock {
            lock_incident(self.0, key)
        } else {
            incident_id(self.0, key)
        }
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
        insert_postmortem(self.0, id, postmortem, now)
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
                "UPDATE proposals SET status = $2, decided_at = $3 WHERE id = $1",
                &[&proposal.0, &status.as_str(), &now],
            )
            .map_err(db)?;
        Ok(())
    }
    fn lock_external(&mut self, source: &str, external_id: &str) -> StoreResult<()> {
        // Deliveries about one tool incident take turns: the first opens the incident, the
        // others find it, and a repeated delivery finds itself already applied.
        self.0
            .execute(
                "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))",
                &[&format!("{source}:{external_id}")],
            )
            .map_err(db)?;
        Ok(())
    }
    fn delivery(&mut self, source: &str, delivery_id: &str) -> StoreResult<Option<i64>> {
        self.0
            .query_opt(
                "SELECT incident_id FROM webhook_deliveries WHERE source = $1 AND delivery_id = $2",
                &[&source, &delivery_id],
            )
            .map_err(db)?
            .map(|row| row.try_get(0).map_err(db))
            .transpose()
    }
    fn external_incident(&mut self, source: &str, external_id: &str) -> StoreResult<Option<i64>> {
        self.0
            .query_opt(
                "SELECT incident_id FROM external_incidents WHERE source = $1 AND external_id = $2",
                &[&source, &external_id],
            )
            .map_err(db)?
            .map(|row| row.try_get(0).map_err(db))
            .transpose()
    }
    fn link_external(&mut self, source: &str, external_id: &str, id: i64) -> StoreResult<()> {
        self.0
            .execute(
                "INSERT INTO external_incidents (source, external_id, incident_id) VALUES ($1, $2, $3)
                 ON CONFLICT (source, external_id) DO UPDATE SET incident_id = excluded.incident_id",
                &[&source, &external_id, &id],
            )
            .map_err(db)?;
        Ok(())
    }
    fn postmortem_status(&mut self, id: i64) -> StoreResult<hindsight_core::PostmortemStatus> {
        let status: String = self
            .0
            .query_one(
                "SELECT status FROM postmortems WHERE incident_id = $1",
                &[&id],
            )
            .and_then(|row| row.try_get(0))
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
                 VALUES ($1, $2, $3, $4)",
                &[&source, &delivery_id, &id, &now],
            )
            .map_err(db)?;
        Ok(())
    }
}

/// The proposals of an incident (or the one asked for), in the order they were made.
fn load_proposals(
    tx: &mut Transaction<'_>,
    id: i64,
    only: Option<ProposalId>,
) -> StoreResult<Vec<Proposal>> {
    let rows = tx
        .query(
            "SELECT id, status, proposal, created_at FROM proposals
             WHERE incident_id = $1 AND ($2::bigint IS NULL OR id = $2) ORDER BY id",
            &[&id, &only.map(|p| p.0)],
        )
        .map_err(db)?;
    rows.iter()
        .map(|row| {
            let proposal_id: i64 = row.try_get(0).map_err(db)?;
            let what = format!("proposal {proposal_id}");
            let status: String = row.try_get(1).map_err(db)?;
            let json: serde_json::Value = row.try_get(2).map_err(db)?;
            Ok(Proposal {
                id: ProposalId(proposal_id),
                status: decode(&what, &status)?,
                proposal: serde_json::from_value(json)
                    .map_err(|e| StoreError::corrupt(&what, e))?,
                created_at: row.try_get(3).map_err(db)?,
            })
        })
        .collect()
}
