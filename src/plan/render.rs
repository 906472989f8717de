//! The human rendering of a plan, laid out like Terraform's so its readers feel at home:
//! `+` create, `~` update, `-/+` replace, `-` destroy, `<=` read, `# forces replacement`,
//! `(known after apply)`, `(sensitive value)`, multi-line string diffs.

use super::{Action, Drift, Plan, PlanMode, ResourceChange};
use crate::addr::Mode;
use crate::lang::Value;
use std::collections::BTreeSet;
use std::fmt::Write;

/// Terminal colours, or none (`-no-color`, or not a terminal).
#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub color: bool,
}

impl Style {
    fn paint(&self, code: &str, s: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
    fn sym(&self, sym: &str) -> String {
        let code = match sym.trim() {
            "+" => "32",
            "-" => "31",
            "~" => "33",
            "-/+" | "+/-" => "33",
            "<=" => "36",
            _ => return sym.to_string(),
        };
        self.paint(code, sym)
    }
    pub fn bold(&self, s: &str) -> String {
        self.paint("1", s)
    }
}

/// The whole plan as `skyform plan` prints it.
pub fn render_plan(plan: &Plan, style: Style) -> String {
    let mut out = String::new();
    if !plan.drift.is_empty() {
        out.push_str(&render_drift(&plan.drift, style));
        if plan.mode != PlanMode::RefreshOnly {
            out.push_str("\nUnless you have made equivalent changes to your configuration, or ignored the\nrelevant attributes using ignore_changes, the following plan may include\nactions to undo or respond to these changes.\n");
        }
        out.push_str(&format!("\n{}\n", "─".repeat(77)));
    }
    for a in &plan.adopted {
        out.push_str(&format!(
            "\n  # {} was created by an interrupted run: found it, adopting it into state\n",
            style.bold(&a.addr.to_string())
        ));
    }
    for addr in &plan.forgotten {
        out.push_str(&format!(
            "\n  # {} was being created by an interrupted run that left nothing behind: dropping its record\n",
            style.bold(&addr.to_string())
        ));
    }
    for (from, to) in &plan.moves {
        out.push_str(&format!(
            "\n  # {} has moved to {}\n",
            style.bold(&from.to_string()),
            style.bold(&to.to_string())
        ));
    }
    // A no-op is shown when it imports an object.
    let visible: Vec<&ResourceChange> = plan
        .changes
        .iter()
        .filter(|c| c.action != Action::NoOp || plan.import_of(&c.addr).is_some())
        .collect();
    let output_changes: Vec<(&String, &super::OutputChange)> =
        plan.outputs.iter().filter(|(_, o)| o.is_change()).collect();
    if plan.mode == PlanMode::RefreshOnly {
        if plan.drift.is_empty() {
            out.push_str("\nNo changes. Your infrastructure still matches the configuration.\n\nskyform has checked that the real remote objects still match the result of\nyour most recent changes, and found no differences.\n");
        } else {
            out.push_str("\nThis is a refresh-only plan, so skyform will not take any actions to undo\nthese. If you were expecting these changes then you can apply this plan to\nrecord the updated values in the skyform state without changing any remote\nobjects.\n");
        }
        return out;
    }
    if visible.is_empty()
        && output_changes.is_empty()
        && plan.moves.is_empty()
        && plan.adopted.is_empty()
        && plan.forgotten.is_empty()
    {
        out.push_str(&format!(
            "\n{}\n\nskyform has compared your real infrastructure against your configuration\nand found no differences, so no changes are needed.\n",
            style.bold("No changes. Your infrastructure matches the configuration.")
        ));
        return out;
    }
    if !visible.is_empty() {
        let actions: BTreeSet<Action> = visible
            .iter()
            .map(|c| c.action)
            .filter(|a| *a != Action::NoOp)
            .collect();
        if !actions.is_empty() {
            out.push_str("\nskyform used the selected providers to generate the following execution\nplan. Resource actions are indicated with the following symbols:\n");
        }
        for a in &actions {
            let line = match a {
                Action::Create => format!("  {} create", style.sym("+")),
                Action::Update => format!("  {} update in-place", style.sym("~")),
                Action::Delete => format!("  {} destroy", style.sym("-")),
                Action::DeleteThenCreate => {
                    format!("{} destroy and then create replacement", style.sym("-/+"))
                }
                Action::CreateThenDelete => {
                    format!("{} create replacement and then destroy", style.sym("+/-"))
                }
                Action::Read => format!(" {} read (data resources)", style.sym("<=")),
                Action::NoOp => continue,
            };
            out.push_str(&line);
            out.push('\n');
        }
        out.push_str("\nskyform will perform the following actions:\n");
        for c in &visible {
            out.push('\n');
            out.push_str(&render_change_importing(c, plan.import_of(&c.addr), style));
        }
        let (add, change, destroy) = plan.counts();
        let imports = if plan.imports.is_empty() {
            String::new()
        } else {
            format!(" {} to import,", plan.imports.len())
        };
        out.push_str(&format!(
            "\n{}{imports} {add} to add, {change} to change, {destroy} to destroy.\n",
            style.bold("Plan:")
        ));
    }
    if !output_changes.is_empty() {
        out.push_str("\nChanges to Outputs:\n");
        let width = output_changes
            .iter()
            .map(|(n, _)| n.len())
            .max()
            .unwrap_or(0);
        for (name, o) in output_changes {
            let (sym, val) = match (&o.before, &o.after) {
                (None, Some(a)) => ("+", value_inline(a, o.sensitive, 4)),
                (Some(b), None) => ("-", format!("{} -> null", value_inline(b, o.sensitive, 4))),
                (Some(b), Some(a)) => (
                    "~",
                    format!(
                        "{} -> {}",
                        value_inline(b, o.sensitive, 4),
                        value_inline(a, o.sensitive, 4)
                    ),
                ),
                (None, None) => continue,
            };
            out.push_str(&format!("  {} {name:<width$} = {val}\n", style.sym(sym)));
        }
    }
    out
}

/// "Objects have changed outside of skyform".
pub fn render_drift(drift: &[Drift], style: Style) -> String {
    let mut out = format!(
        "\n{}\n\nskyform detected the following changes made outside of skyform since the\nlast \"skyform apply\":\n",
        style.bold("Note: Objects have changed outside of skyform")
    );
    for d in drift {
        out.push('\n');
        let (type_name, name) = (&d.addr.resource.type_name, &d.addr.resource.name);
        match &d.after {
            None => {
                out.push_str(&format!(
                    "  # {} has been deleted\n",
                    style.bold(&d.addr.to_string())
                ));
                out.push_str(&format!(
                    "  {} resource \"{type_name}\" \"{name}\" {{\n",
                    style.sym("-")
                ));
                render_body(
                    &mut out,
                    Some(&d.before),
                    None,
                    &BTreeSet::new(),
                    0,
                    style,
                    true,
                );
                out.push_str("    }\n");
            }
            Some(after) => {
                out.push_str(&format!(
                    "  # {} has changed\n",
                    style.bold(&d.addr.to_string())
                ));
                out.push_str(&format!(
                    "  {} resource \"{type_name}\" \"{name}\" {{\n",
                    style.sym("~")
                ));
                render_body(
                    &mut out,
                    Some(&d.before),
                    Some(after),
                    &BTreeSet::new(),
                    0,
                    style,
                    false,
                );
                out.push_str("    }\n");
            }
        }
    }
    out
}

/// One resource instance's block.
pub fn render_change(c: &ResourceChange, style: Style) -> String {
    render_change_importing(c, None, style)
}

/// One resource instance's block, saying when the plan imports its object (as Terraform
/// 1.5: "will be imported" with every attribute shown, or "(imported from ...)" above an
/// update).
pub fn render_change_importing(
    c: &ResourceChange,
    import: Option<&super::Imported>,
    style: Style,
) -> String {
    let mut out = String::new();
    let addr = style.bold(&c.addr.to_string());
    if let (Some(import), Action::NoOp) = (import, c.action) {
        let _ = writeln!(out, "  # {addr} will be imported");
        if import.generated {
            let _ = writeln!(out, "  # (config will be generated)");
        }
        let _ = writeln!(
            out,
            "    resource \"{}\" \"{}\" {{",
            c.addr.resource.type_name, c.addr.resource.name
        );
        render_unchanged(&mut out, c.after.as_deref().unwrap_or(&import.value), 0);
        out.push_str("    }\n");
        return out;
    }
    let what = match c.action {
        Action::Create => "will be created".to_string(),
        Action::Update => "will be updated in-place".to_string(),
        Action::Delete => "will be destroyed".to_string(),
        Action::DeleteThenCreate | Action::CreateThenDelete => "must be replaced".to_string(),
        Action::Read => "will be read during apply".to_string(),
        Action::NoOp => "has no changes".to_string(),
    };
    match &c.deposed {
        Some(key) => {
            let _ = writeln!(out, "  # {addr} (deposed object {key}) {what}");
        }
        None => {
            let _ = writeln!(out, "  # {addr} {what}");
        }
    }
    if let Some(import) = import {
        let _ = writeln!(out, "  # (imported from {})", quote(&import.id));
        if import.generated {
            let _ = writeln!(out, "  # (config will be generated)");
        }
    }
    if let Some(reason) = &c.reason {
        let _ = writeln!(out, "  # ({reason})");
    }
    let sym = match c.action {
        Action::Create => "  +",
        Action::Update => "  ~",
        Action::Delete => "  -",
        Action::DeleteThenCreate => "-/+",
        Action::CreateThenDelete => "+/-",
        Action::Read => " <=",
        Action::NoOp => "   ",
    };
    let kw = if c.addr.resource.mode == Mode::Data {
        "data"
    } else {
        "resource"
    };
    let _ = writeln!(
        out,
        "{} {kw} \"{}\" \"{}\" {{",
        style.sym(sym),
        c.addr.resource.type_name,
        c.addr.resource.name
    );
    let replace: BTreeSet<String> = c.replace_paths.iter().cloned().collect();
    render_body(
        &mut out,
        c.before.as_deref(),
        c.after.as_deref(),
        &replace,
        0,
        style,
        c.action == Action::Delete,
    );
    out.push_str("    }\n");
    out
}

/// Renders the attributes and nested blocks of one object at `depth`.
fn render_body(
    out: &mut String,
    before: Option<&Value>,
    after: Option<&Value>,
    replace: &BTreeSet<String>,
    depth: usize,
    style: Style,
    deleting: bool,
) {
    let indent = " ".repeat(6 + 4 * depth);
    let empty = crate::lang::ValueMap::new();
    let b = before.and_then(Value::as_map).unwrap_or(&empty);
    let a = if deleting {
        &empty
    } else {
        after.and_then(Value::as_map).unwrap_or(&empty)
    };
    let names: BTreeSet<&String> = b.keys().chain(a.keys()).collect();
    // Nested objects that came from blocks render as blocks; everything else as attributes.
    let is_block = |n: &str| {
        let pick = a.get(n).or(b.get(n));
        match pick.map(Value::unmarked) {
            Some(Value::Object(_)) => true,
            Some(Value::List(xs)) => {
                !xs.is_empty() && xs.iter().all(|x| matches!(x.unmarked(), Value::Object(_)))
            }
            _ => false,
        }
    };
    let attrs: Vec<&&String> = names.iter().filter(|n| !is_block(n)).collect();
    let shown: Vec<&&String> = attrs
        .iter()
        .copied()
        .filter(|n| {
            let bv = b.get(n.as_str()).filter(|v| !v.is_null());
            let av = a.get(n.as_str()).filter(|v| !v.is_null());
            bv.is_some() || av.is_some()
        })
        .collect();
    let width = shown.iter().map(|n| n.len()).max().unwrap_or(0);
    let mut unchanged = 0;
    for name in &shown {
        let bv = b.get(name.as_str()).filter(|v| !v.is_null());
        let av = a.get(name.as_str()).filter(|v| !v.is_null());
        let forces = if replace.contains(name.as_str()) {
            " # forces replacement"
        } else {
            ""
        };
        let line = match (bv, av) {
            (None, Some(av)) => format!(
                "{indent}{} {name:<width$} = {}",
                style.sym("+"),
                value_inline(av, false, 6 + 4 * depth)
            ),
            (Some(bv), None) => format!(
                "{indent}{} {name:<width$} = {} -> null",
                style.sym("-"),
                value_inline(bv, false, 6 + 4 * depth)
            ),
            (Some(bv), Some(av)) if before.is_some() && after.is_some() && same(bv, av) => {
                if after.is_some() && before.is_some() && !deleting {
                    // Terraform hides unchanged attributes except the identifying ones.
                    if name.as_str() == "id" || name.as_str() == "name" {
                        format!(
                            "{indent}  {name:<width$} = {}",
                            value_inline(av, false, 6 + 4 * depth)
                        )
                    } else {
                        unchanged += 1;
                        continue;
                    }
                } else {
                    continue;
                }
            }
            (Some(bv), Some(av)) => {
                if let (Some(old), Some(new)) = (bv.unmarked().as_str(), av.unmarked().as_str()) {
                    if (old.contains('\n') || new.contains('\n'))
                        && !bv.is_sensitive()
                        && !av.is_sensitive()
                    {
                        let _ = writeln!(
                            out,
                            "{indent}{} {name:<width$} = <<-EOT{forces}",
                            style.sym("~")
                        );
                        for change in similar::TextDiff::from_lines(old, new).iter_all_changes() {
                            let sym = match change.tag() {
                                similar::ChangeTag::Delete => style.sym("-"),
                                similar::ChangeTag::Insert => style.sym("+"),
                                similar::ChangeTag::Equal => " ".to_string(),
                            };
                            let _ = writeln!(
                                out,
                                "{indent}    {sym} {}",
                                change.value().trim_end_matches('\n')
                            );
                        }
                        let _ = writeln!(out, "{indent}  EOT");
                        continue;
                    }
                }
                format!(
                    "{indent}{} {name:<width$} = {} -> {}",
                    style.sym("~"),
                    value_inline(bv, false, 6 + 4 * depth),
                    value_inline(av, false, 6 + 4 * depth)
                )
            }
            (None, None) => continue,
        };
        out.push_str(&line);
        out.push_str(forces);
        out.push('\n');
    }
    for name in names.iter().filter(|n| is_block(n)) {
        let bv = b.get(name.as_str()).filter(|v| !v.is_null());
        let av = a.get(name.as_str()).filter(|v| !v.is_null());
        let forces = if replace.contains(name.as_str()) {
            " # forces replacement"
        } else {
            ""
        };
        let items = |v: Option<&Value>| -> Vec<Value> {
            match v.map(Value::unmarked) {
                Some(Value::List(xs)) => xs.clone(),
                Some(other) => vec![other.clone()],
                None => Vec::new(),
            }
        };
        let (bs, as_) = (items(bv), items(av));
        for i in 0..bs.len().max(as_.len()) {
            let (bi, ai) = (bs.get(i), as_.get(i));
            let sym = match (bi, ai) {
                (None, Some(_)) => "+",
                (Some(_), None) => "-",
                (Some(x), Some(y)) if same(x, y) => {
                    unchanged += 1;
                    continue;
                }
                _ => "~",
            };
            let _ = writeln!(out, "{indent}{} {name} {{{forces}", style.sym(sym));
            render_body(
                out,
                bi,
                ai,
                &BTreeSet::new(),
                depth + 1,
                style,
                deleting || ai.is_none(),
            );
            let _ = writeln!(out, "{}}}", " ".repeat(8 + 4 * depth));
        }
    }
    if unchanged > 0 {
        let _ = writeln!(
            out,
            "{indent}  # ({unchanged} unchanged {} hidden)",
            if unchanged == 1 {
                "attribute"
            } else {
                "attributes"
            }
        );
    }
}

/// Every attribute and nested block of an object that does not change (an import with
/// nothing to update): no symbols, nothing hidden, nulls left out.
fn render_unchanged(out: &mut String, v: &Value, depth: usize) {
    let indent = " ".repeat(8 + 4 * depth);
    let Some(m) = v.as_map() else {
        return;
    };
    let is_block = |x: &Value| match x.unmarked() {
        Value::Object(_) => true,
        Value::List(xs) => {
            !xs.is_empty() && xs.iter().all(|x| matches!(x.unmarked(), Value::Object(_)))
        }
        _ => false,
    };
    let attrs: Vec<(&String, &Value)> = m
        .iter()
        .filter(|(_, x)| !x.is_null() && !is_block(x))
        .collect();
    let width = attrs.iter().map(|(n, _)| n.len()).max().unwrap_or(0);
    for (name, x) in attrs {
        let _ = writeln!(
            out,
            "{indent}{name:<width$} = {}",
            value_inline(x, false, 8 + 4 * depth)
        );
    }
    for (name, x) in m.iter().filter(|(_, x)| !x.is_null() && is_block(x)) {
        let items = match x.unmarked() {
            Value::List(xs) => xs.clone(),
            other => vec![other.clone()],
        };
        for item in items {
            let _ = writeln!(out, "{indent}{name} {{");
            render_unchanged(out, &item, depth + 1);
            let _ = writeln!(out, "{indent}}}");
        }
    }
}

fn same(a: &Value, b: &Value) -> bool {
    a.is_wholly_known() && b.is_wholly_known() && a.deep_unmarked() == b.deep_unmarked()
}

/// A value as it appears after `=`: strings quoted, collections multi-line.
pub fn value_inline(v: &Value, sensitive: bool, indent: usize) -> String {
    if sensitive || v.is_sensitive() {
        return "(sensitive value)".to_string();
    }
    match v {
        Value::Null => "null".to_string(),
        Value::Unknown(_) => "(known after apply)".to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => quote(s),
        Value::List(xs) | Value::Tuple(xs) | Value::Set(xs) => {
            if xs.is_empty() {
                return "[]".to_string();
            }
            let pad = " ".repeat(indent + 4);
            let mut s = "[\n".to_string();
            for x in xs {
                let _ = writeln!(s, "{pad}{},", value_inline(x, false, indent + 4));
            }
            let _ = write!(s, "{}]", " ".repeat(indent + 2));
            s
        }
        Value::Map(m) | Value::Object(m) => {
            if m.is_empty() {
                return "{}".to_string();
            }
            let pad = " ".repeat(indent + 4);
            let width = m.keys().map(|k| quote(k).len()).max().unwrap_or(0);
            let mut s = "{\n".to_string();
            for (k, x) in m {
                let _ = writeln!(
                    s,
                    "{pad}{:<width$} = {}",
                    quote(k),
                    value_inline(x, false, indent + 4)
                );
            }
            let _ = write!(s, "{}}}", " ".repeat(indent + 2));
            s
        }
        Value::Sensitive(_) => "(sensitive value)".to_string(),
    }
}

fn quote(s: &str) -> String {
    serde_json::Value::String(s.to_string()).to_string()
}
