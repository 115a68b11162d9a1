//! The shared store contract over a real SQLite file per test.

use hindsight_store::{Store, store_contract_tests};
use hindsight_store_sqlite::SqliteStore;

/// A migrated store in a fresh file that lives as long as the store.
struct FileStore {
    store: SqliteStore,
    _dir: tempfile::TempDir,
}

impl std::ops::Deref for FileStore {
    type Target = dyn Store;
    fn deref(&self) -> &Self::Target {
        &self.store
    }
}

fn fresh() -> Option<FileStore> {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let store = SqliteStore::open(dir.path().join("hindsight.db")).expect("open");
    store.migrate().expect("migrate");
    Some(FileStore { store, _dir: dir })
}

store_contract_tests!(fresh());
