//! Writing to the terminal: results to stdout, diagnostics to stderr, colours only on a
//! terminal and never with `-no-color`. Write errors (a closed pipe) are ignored rather
//! than crashing.

use crate::diag::{render, Diagnostics, Sources};
use crate::plan::render::Style;
use std::io::{IsTerminal, Write};

/// An error that has already been shown to the user; the caller only needs to exit 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reported;

#[derive(Debug, Clone, Copy)]
pub struct Ui {
    pub color: bool,
    /// Machine-readable mode (`-json` on plan, apply, destroy): human text is not printed,
    /// diagnostics and messages go to stdout as JSON lines (`cli::json_ui`).
    pub json: bool,
    /// `-no-color` was given: the user asked for plain text (no live display either).
    pub no_color: bool,
}

impl Ui {
    pub fn new(no_color: bool) -> Ui {
        Ui {
            color: !no_color
                && std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none(),
            json: false,
            no_color,
        }
    }

    /// This UI in machine-readable mode when `json` is set.
    pub fn json_mode(self, json: bool) -> Ui {
        Ui {
            color: self.color && !json,
            json: self.json || json,
            no_color: self.no_color,
        }
    }

    pub fn style(&self) -> Style {
        Style { color: self.color }
    }

    pub fn out(&self, s: &str) {
        if self.json {
            return;
        }
        let mut o = std::io::stdout().lock();
        let _ = o.write_all(s.as_bytes());
        let _ = o.flush();
    }

    pub fn outln(&self, s: &str) {
        self.out(&format!("{s}\n"));
    }

    pub fn err(&self, s: &str) {
        if self.json {
            let text = s.trim();
            if !text.is_empty() {
                super::json_ui::emit("warn", text, "log", serde_json::json!({}));
            }
            return;
        }
        let mut e = std::io::stderr().lock();
        let _ = e.write_all(s.as_bytes());
        let _ = e.flush();
    }

    pub fn diags(&self, d: &Diagnostics, sources: &Sources) {
        if self.json {
            super::json_ui::diagnostics(d, sources);
            return;
        }
        let color = self.color && std::io::stderr().is_terminal();
        self.err(&render(d, sources, color));
    }

    /// A one-line error with no source location.
    pub fn error(&self, summary: &str, detail: &str) {
        self.diags(
            &crate::diag::Diagnostic::error(summary, detail).into(),
            &Sources::default(),
        );
    }
}
