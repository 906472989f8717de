//! The pg state backend against a real PostgreSQL server (`SKYFORM_TEST_PG_URL`, started by
//! `scripts/test.sh` with `scripts/pg-test-server.sh`). Every test uses a schema of its own, so
//! they run in parallel. Without a server these tests fail, naming what is missing.

use std::sync::Arc;

use skyform::state::encryption::Codec;
use skyform::state::pg::{PgBackend, PgSettings};
use skyform::state::Backend;

use crate::backend_contract::Fixture;
use crate::common::*;

/// The test server's URL; a clear failure when it is not set.
pub fn pg_url() -> String {
    match std::env::var("SKYFORM_TEST_PG_URL") {
        Ok(url) if !url.is_empty() => url,
        _ => panic!(
            "SKYFORM_TEST_PG_URL is not set: the pg backend tests need a PostgreSQL server. \
             Run scripts/test.sh (it starts one), or: eval \"$(scripts/pg-test-server.sh start)\""
        ),
    }
}

/// A schema name no other test uses.
pub fn unique_schema() -> String {
    format!("t_{}", uuid::Uuid::new_v4().simple())
}

/// The `skyform { backend "pg" {...} }` block for `schema`.
pub fn pg_config(schema: &str) -> String {
    format!(
        "skyform {{\n  backend \"pg\" {{\n    conn_str    = \"{}\"\n    schema_name = \"{schema}\"\n  }}\n}}\n",
        pg_url()
    )
}

pub fn open_pg(schema: &str, workspace: &str) -> Arc<dyn Backend> {
    let settings = PgSettings::new(&pg_url(), schema, false).expect("pg settings");
    Arc::new(PgBackend::new(settings, workspace, Codec::plain()))
}

/// The contract suite's fixture: a fresh schema, and a working directory configured for it.
pub fn fixture() -> Fixture {
    let schema = unique_schema();
    let work = Work::new(&[]);
    let config = pg_config(&schema);
    Fixture::new(work, &config, move || open_pg(&schema, "default"))
}
