//! `skyform inventory`: flags in, the run layer's [`crate::run::Inventory`] out as a table
//! or one JSON document. Exit 0 when every provider listed, 1 when any failed (the others
//! are shown all the same) or nothing could run.

use super::args::{InventoryArgs, PlanArgs};
use super::run::{open_session, settings};
use super::ui::Ui;
use super::workspace::load_config;
use super::{EXIT_ERROR, EXIT_OK};
use crate::run::{Inventory, Managed, Row};
use serde_json::json;
use std::path::Path;

/// The version of the `inventory -json` document.
pub const FORMAT_VERSION: &str = "1.0";

pub async fn run(ui: &Ui, dir: &Path, a: InventoryArgs) -> i32 {
    let Ok(mut loaded) = load_config(ui, dir) else {
        return EXIT_ERROR;
    };
    // Read-only: the state is read without taking its lock and never written.
    let args = PlanArgs {
        var: a.var.clone(),
        var_file: a.var_file.clone(),
        var_order: a.var_order.clone(),
        lock: Some("false".into()),
        input: Some("false".into()),
        parallelism: 10,
        ..PlanArgs::default()
    };
    let Ok(s) = settings(ui, dir, &mut loaded, &args) else {
        return EXIT_ERROR;
    };
    let Ok(session) = open_session(ui, dir, &loaded.sources, "OperationTypeInventory", &s).await
    else {
        return EXIT_ERROR;
    };
    let out = a.generate_config_out.as_ref().map(|p| {
        if p.is_absolute() {
            p.clone()
        } else {
            dir.join(p)
        }
    });
    let inv = match crate::run::inventory(&s.ctx, &session, out.as_deref()).await {
        Ok(inv) => inv,
        Err(d) => {
            ui.diags(&d, &loaded.sources);
            return EXIT_ERROR;
        }
    };
    let shown: Vec<&Row> = inv
        .rows
        .iter()
        .filter(|r| !a.unmanaged || r.managed == Managed::Unmanaged)
        .collect();
    if a.json {
        ui.out(&format!("{}\n", document(&inv, &shown)));
    } else {
        ui.out(&table(&shown));
        ui.out(&format!("\n{}\n", summary_line(&inv)));
        if let (Some(g), Some(path)) = (&inv.generated, &a.generate_config_out) {
            ui.out(&format!(
                "\nWrote import and resource blocks for {} unmanaged machine{} to {}. Review them, then run \"skyform plan\" to see the imports.\n",
                g.addresses.len(),
                if g.addresses.len() == 1 { "" } else { "s" },
                path.display()
            ));
        }
    }
    for (_, d) in &inv.errors {
        ui.diags(d, &loaded.sources);
    }
    if inv.errors.is_empty() {
        EXIT_OK
    } else {
        EXIT_ERROR
    }
}

/// `managed ADDR`, `unmanaged` or `missing ADDR`.
fn managed_cell(m: &Managed) -> String {
    match m.state_address() {
        Some(addr) => format!("{} {addr}", m.word()),
        None => m.word().to_string(),
    }
}

/// The rows as aligned columns; an empty cell shows `-`.
pub fn table(rows: &[&Row]) -> String {
    let header = ["PROVIDER", "ID", "NAME", "ADDRESS", "STATUS", "MANAGED"].map(String::from);
    let cell = |s: &str| {
        if s.is_empty() {
            "-".to_string()
        } else {
            s.to_string()
        }
    };
    let lines: Vec<[String; 6]> = std::iter::once(header)
        .chain(rows.iter().map(|r| {
            [
                r.provider.to_string(),
                cell(&r.machine.id),
                cell(&r.machine.name),
                cell(&r.machine.address),
                cell(&r.machine.status),
                managed_cell(&r.managed),
            ]
        }))
        .collect();
    let mut widths = [0usize; 6];
    for l in &lines {
        for (w, c) in widths.iter_mut().zip(l.iter()) {
            *w = (*w).max(c.chars().count());
        }
    }
    let mut out = String::new();
    for l in &lines {
        let mut line = String::new();
        for (i, c) in l.iter().enumerate() {
            if i + 1 == l.len() {
                line.push_str(c);
            } else {
                line.push_str(c);
                line.push_str(&" ".repeat(widths[i] - c.chars().count() + 2));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

fn counts(inv: &Inventory) -> (usize, usize, usize) {
    let count = |w: &str| inv.rows.iter().filter(|r| r.managed.word() == w).count();
    (count("managed"), count("unmanaged"), count("missing"))
}

/// `8 machines: 5 managed, 3 unmanaged, 0 missing.` (over everything listed).
fn summary_line(inv: &Inventory) -> String {
    let (managed, unmanaged, missing) = counts(inv);
    let listed = managed + unmanaged;
    format!(
        "{listed} machine{} listed: {managed} managed, {unmanaged} unmanaged; {missing} missing from the cloud.",
        if listed == 1 { "" } else { "s" }
    )
}

/// The `-json` document: `{"format_version", "machines", "summary", "errors"}`.
pub fn document(inv: &Inventory, rows: &[&Row]) -> serde_json::Value {
    let (managed, unmanaged, missing) = counts(inv);
    json!({
        "format_version": FORMAT_VERSION,
        "machines": rows.iter().map(|r| json!({
            "provider": r.provider.to_string(),
            "resource_type": r.machine.resource_type,
            "id": r.machine.id,
            "name": r.machine.name,
            "address": r.machine.address,
            "status": r.machine.status,
            "managed": r.managed.word(),
            "state_address": r.managed.state_address().map(|a| a.to_string()),
        })).collect::<Vec<_>>(),
        "summary": {
            "listed": managed + unmanaged,
            "managed": managed,
            "unmanaged": unmanaged,
            "missing": missing,
            "errors": inv.errors.len(),
        },
        "errors": inv.errors.iter().map(|(p, d)| json!({
            "provider": p.to_string(),
            "messages": d.iter().map(|x| json!({"summary": x.summary, "detail": x.detail})).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "generated_config": inv.generated.as_ref().map(|g| g.path.display().to_string()),
    })
}
