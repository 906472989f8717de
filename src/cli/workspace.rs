//! Loading what most commands need: the configuration (with its sources, for rendering
//! diagnostics), its graph, and the state.

use super::ui::{Reported, Ui};
use crate::config::Config;
use crate::diag::{Diagnostic, Diagnostics, Sources};
use crate::graph::ConfigGraph;
use crate::state::{Backend, State};
use sha2::{Digest, Sha256};
use std::path::Path;
use std::sync::Arc;

pub struct Loaded {
    pub config: Arc<Config>,
    pub graph: ConfigGraph,
    pub sources: Sources,
}

/// Loads and checks the configuration; on failure prints the diagnostics.
pub fn load_config(ui: &Ui, dir: &Path) -> Result<Loaded, Reported> {
    let mut sources = Sources::default();
    let config = match crate::config::load(dir, &mut sources) {
        Ok(c) => c,
        Err(d) => {
            ui.diags(&d, &sources);
            return Err(Reported);
        }
    };
    let graph = match crate::graph::build(&config) {
        Ok(g) => g,
        Err(d) => {
            ui.diags(&d, &sources);
            return Err(Reported);
        }
    };
    Ok(Loaded {
        config: Arc::new(config),
        graph,
        sources,
    })
}

/// A digest of every configuration file, so a saved plan is refused after they change.
pub fn config_digest(sources: &Sources) -> String {
    let mut files: Vec<(&str, &str)> = sources
        .files()
        .filter(|(n, _)| n.ends_with(crate::config::loader::CONFIG_SUFFIX))
        .collect();
    files.sort();
    let mut h = Sha256::new();
    for (name, text) in files {
        h.update(name.as_bytes());
        h.update([0]);
        h.update(text.as_bytes());
        h.update([0]);
    }
    hex::encode(h.finalize())
}

/// The state backend of the working directory: the configured backend type (`skyform {
/// backend ... }`, local by default) for the selected workspace.
pub fn backend(dir: &Path) -> Result<Arc<dyn Backend>, Diagnostics> {
    crate::state::backend_for_dir(dir).map_err(|e| match e {
        crate::state::StateError::Config { message } => {
            Diagnostic::error("Invalid state configuration", message).into()
        }
        other => state_error(&other),
    })
}

/// Loads the state (replaying a journal left by a crash), or `None` when there is none.
pub async fn load_state(backend: &dyn Backend) -> Result<Option<State>, Diagnostics> {
    backend.load_state().await.map_err(|e| state_error(&e))
}

pub fn state_error(e: &crate::state::StateError) -> Diagnostics {
    Diagnostic::error("Failed to load state", e.to_string()).into()
}
