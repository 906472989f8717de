//! `skyform sim`: one cloud's simulator in the foreground (`-cloud mcloud|jdcloud|twocloud|
//! roma`), or all four together in one process (`-cloud all`), each on its own port.
//!
//! Every cloud is first started (bound and serving), and only then announced on stdout, so
//! a caller reading the lines can use each address at once: `listening on ADDR` for one
//! cloud (unchanged since the first simulator), `CLOUD listening on ADDR` per cloud, in the
//! order of [`ALL`], for `all`.

use super::args::SimArgs;
use super::ui::Ui;
use super::{EXIT_ERROR, EXIT_OK};
use crate::sim::server::{announce, wait};
use crate::sim::SimError;
use std::net::SocketAddr;
use tokio::task::JoinHandle;

/// The clouds `-cloud all` runs, in port order: with `-listen HOST:PORT` the first gets
/// PORT, the next PORT+1, and so on (with port 0 each gets a free port).
pub const ALL: [&str; 4] = ["mcloud", "jdcloud", "twocloud", "roma"];

/// A simulator bound and serving on the runtime.
type Started = (SocketAddr, JoinHandle<()>);

pub async fn sim(ui: &Ui, a: &SimArgs) -> i32 {
    let listen = match a.listen.parse::<SocketAddr>() {
        Ok(l) => l,
        Err(_) => {
            ui.error("Invalid -listen option", &format!("{:?} is not an address; write it like 127.0.0.1:8080 (port 0 picks a free port).", a.listen));
            return EXIT_ERROR;
        }
    };
    if a.cloud == "all" {
        return sim_all(ui, a, listen).await;
    }
    match start(ui, a, &a.cloud, listen, false).await {
        Some((addr, handle)) => {
            announce(&format!("listening on {addr}"));
            finish(ui, wait(handle).await)
        }
        None => EXIT_ERROR,
    }
}

/// `-cloud all`: starts every cloud of [`ALL`] (stopping at the first that cannot start, so
/// nothing is announced for a half-started set), announces each, then serves until one
/// stops.
async fn sim_all(ui: &Ui, a: &SimArgs, listen: SocketAddr) -> i32 {
    let mut addrs = Vec::with_capacity(ALL.len());
    for offset in 0..ALL.len() {
        let Some(at) = port_of(listen, offset) else {
            ui.error(
                "Invalid -listen option",
                &format!(
                    "-cloud all needs {} consecutive ports from {}; the last would be past 65535.",
                    ALL.len(),
                    listen.port()
                ),
            );
            return EXIT_ERROR;
        };
        addrs.push(at);
    }
    let mut started = Vec::with_capacity(ALL.len());
    for (cloud, at) in ALL.iter().zip(addrs) {
        match start(ui, a, cloud, at, true).await {
            Some(s) => started.push((*cloud, s)),
            None => return EXIT_ERROR,
        }
    }
    let mut handles = Vec::with_capacity(started.len());
    for (cloud, (addr, handle)) in started {
        announce(&format!("{cloud} listening on {addr}"));
        handles.push(handle);
    }
    // Serving tasks only end when a server stops; the first to end ends the process.
    let (first, _, rest) = futures::future::select_all(handles).await;
    for h in rest {
        h.abort();
    }
    finish(ui, first.map_err(|e| SimError::Server(e.to_string())))
}

/// `listen` with its port moved `offset` up; port 0 stays 0 (a free port each).
fn port_of(listen: SocketAddr, offset: usize) -> Option<SocketAddr> {
    if listen.port() == 0 {
        return Some(listen);
    }
    let port = u16::try_from(usize::from(listen.port()) + offset).ok()?;
    Some(SocketAddr::new(listen.ip(), port))
}

fn finish(ui: &Ui, result: Result<(), SimError>) -> i32 {
    match result {
        Ok(()) => EXIT_OK,
        Err(e) => {
            ui.error("Simulator failed", &e.to_string());
            EXIT_ERROR
        }
    }
}

/// Starts one cloud's simulator on `listen`; on failure reports it and returns `None`.
/// `together` (for `-cloud all`) lets roma skip the shared knobs it does not have
/// (`-throttle`, `-transition-ms`) instead of refusing them.
async fn start(
    ui: &Ui,
    a: &SimArgs,
    cloud: &str,
    listen: SocketAddr,
    together: bool,
) -> Option<Started> {
    let result = match cloud {
        "jdcloud" => start_jdcloud(ui, a, listen).await?,
        "twocloud" => start_twocloud(ui, a, listen).await?,
        "roma" => start_roma(ui, a, listen, together).await?,
        _ => start_mcloud(ui, a, listen).await?,
    };
    match result {
        Ok(s) => Some(s),
        Err(e) => {
            let what = if together {
                format!("{cloud}: {e}")
            } else {
                e.to_string()
            };
            ui.error("Simulator failed", &what);
            None
        }
    }
}

/// The outer `None`: an option was refused (already reported); else the start's result.
async fn start_mcloud(
    ui: &Ui,
    a: &SimArgs,
    listen: SocketAddr,
) -> Option<Result<Started, SimError>> {
    let knobs = crate::sim::mcloud::Knobs {
        latency_ms: a.latency_ms,
        answer_delay_ms: a.answer_delay_ms,
        lose_answers: a.lose_answers,
        error_rate: a.error_rate,
        throttle: a.throttle,
        transition_ms: a.transition_ms,
    };
    if let Err(e) = knobs.validate() {
        ui.error("Invalid simulator option", &e);
        return None;
    }
    Some(crate::sim::start_standalone(listen, &a.state_dir, knobs).await)
}

/// The outer `None`: an option was refused (already reported); else the start's result.
async fn start_jdcloud(
    ui: &Ui,
    a: &SimArgs,
    listen: SocketAddr,
) -> Option<Result<Started, SimError>> {
    use crate::sim::jdcloud;
    let knobs = jdcloud::Knobs {
        latency_ms: a.latency_ms,
        answer_delay_ms: a.answer_delay_ms,
        lose_answers: a.lose_answers,
        error_rate: a.error_rate,
        throttle: a.throttle,
        transition_ms: a.transition_ms,
        ..jdcloud::Knobs::default()
    };
    if let Err(e) = knobs.validate() {
        ui.error("Invalid simulator option", &e);
        return None;
    }
    let options = jdcloud::SimOptions {
        persist_path: None,
        knobs,
        access_key: a.jdcloud_access_key.clone(),
        secret_key: a.jdcloud_secret_key.clone(),
        catalogue_path: a.jdcloud_catalogue.clone(),
    };
    Some(jdcloud::start_standalone(listen, &a.state_dir, options).await)
}

/// Like [`start_jdcloud`]; `together` drops `-throttle`/`-transition-ms`, which roma lacks.
async fn start_roma(
    ui: &Ui,
    a: &SimArgs,
    listen: SocketAddr,
    together: bool,
) -> Option<Result<Started, SimError>> {
    use crate::sim::roma;
    if !together && (a.throttle > 0 || a.transition_ms > 0) {
        ui.error(
            "Invalid simulator option",
            "the roma simulator has no -throttle or -transition-ms; use -roma-throttle-fraction for HTTP 429 answers",
        );
        return None;
    }
    let knobs = roma::Knobs {
        latency_ms: a.latency_ms,
        error_rate: a.error_rate,
        throttle_fraction: a.roma_throttle_fraction,
        answer_delay_ms: a.roma_answer_delay_ms.max(a.answer_delay_ms),
        lose_answers: a.lose_answers,
        token_ttl_s: a.roma_token_ttl_s,
        ..roma::Knobs::default()
    };
    if let Err(e) = knobs.validate() {
        ui.error("Invalid simulator option", &e);
        return None;
    }
    let account = roma::model::Account {
        user_name: a.roma_user.clone(),
        password: a.roma_password.clone(),
        domain_name: a.roma_domain.clone(),
        project_id: a.roma_project_id.clone(),
        project_name: roma::DEFAULT_PROJECT_NAME.to_string(),
    };
    let instances = match (&a.roma_inventory, a.roma_instances) {
        (Some(path), _) => match roma::inventory::load(path) {
            Ok(list) => Some(list),
            Err(e) => {
                ui.error("Invalid -roma-inventory file", &e);
                return None;
            }
        },
        (None, n) => Some(roma::inventory::generate(
            n.unwrap_or(roma::inventory::DEFAULT_GENERATED),
            &account.project_id,
            &account.user_name,
        )),
    };
    let options = roma::SimOptions {
        account,
        knobs,
        instances,
    };
    Some(roma::start_standalone(listen, options).await)
}

/// `-cloud twocloud`: the inventory from `-twocloud-inventory`, else `-twocloud-machines`
/// generated servers, else the state directory's `twocloud.json`, else the default
/// generated fleet.
async fn start_twocloud(
    ui: &Ui,
    a: &SimArgs,
    listen: SocketAddr,
) -> Option<Result<Started, SimError>> {
    use crate::sim::twocloud;
    let knobs = twocloud::Knobs {
        latency_ms: a.latency_ms,
        answer_delay_ms: a.answer_delay_ms,
        lose_answers: a.lose_answers,
        error_rate: a.error_rate,
        throttle: a.throttle,
        ..twocloud::Knobs::default()
    };
    if let Err(e) = knobs.validate() {
        ui.error("Invalid simulator option", &e);
        return None;
    }
    let inventory = match (&a.twocloud_inventory, a.twocloud_machines) {
        (Some(path), _) => twocloud::Inventory::load(path),
        (None, Some(n)) => Ok(twocloud::Inventory::generate(n)),
        (None, None) => twocloud::inventory_of(&a.state_dir).map_err(|e| e.to_string()),
    };
    let inventory = match inventory {
        Ok(inventory) => inventory,
        Err(e) => {
            ui.error("Invalid twocloud inventory", &e);
            return None;
        }
    };
    let options = twocloud::SimOptions {
        knobs,
        token: a.twocloud_token.clone(),
        password: a.twocloud_password.clone(),
        inventory,
    };
    Some(twocloud::start_standalone(listen, options).await)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addr(text: &str) -> SocketAddr {
        text.parse().expect("address")
    }

    #[test]
    fn all_takes_consecutive_ports_or_free_ones() {
        let ports: Vec<_> = (0..ALL.len())
            .map(|i| port_of(addr("127.0.0.1:8080"), i))
            .collect();
        assert_eq!(
            ports,
            [
                "127.0.0.1:8080",
                "127.0.0.1:8081",
                "127.0.0.1:8082",
                "127.0.0.1:8083"
            ]
            .map(|a| Some(addr(a)))
        );
        assert_eq!(port_of(addr("127.0.0.1:0"), 3), Some(addr("127.0.0.1:0")));
        assert_eq!(
            port_of(addr("127.0.0.1:65535"), 0),
            Some(addr("127.0.0.1:65535"))
        );
        assert_eq!(port_of(addr("127.0.0.1:65535"), 1), None);
    }
}
