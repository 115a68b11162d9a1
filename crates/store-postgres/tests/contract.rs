//! The shared store contract over a fresh PostgreSQL schema per test. Skipped, saying so once,
//! when `HINDSIGHT_TEST_POSTGRES` does not name a server.

mod support;

use hindsight_store::store_contract_tests;
use support::fresh;

store_contract_tests!(fresh());
