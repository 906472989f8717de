//! Large inputs stay linear (issue 9). Timing assertions would be flaky on a shared machine,
//! so these tests check the behaviour at sizes where the old quadratic code paths mattered
//! and the size of the structures that replaced them.

use skyform::diag::{render, Diagnostics, Sources};
use skyform::hcl::parse_file;
use std::sync::Arc;

/// A `locals` block of `n` attributes `a0 = 0` … on lines 2 ..= n+1.
fn locals_block(n: usize, extra: &str) -> String {
    let mut s = String::from("locals {\n");
    for i in 0..n {
        s.push_str(&format!("  a{i} = {i}\n"));
    }
    s.push_str(extra);
    s.push_str("}\n");
    s
}

#[test]
fn redefinition_after_many_attributes_points_at_the_first_definition() {
    let n = 50_000;
    let src = locals_block(n, "  a7 = 1\n");
    let d = match parse_file(&src, "big.hcl") {
        Ok(_) => panic!("a redefined attribute parsed"),
        Err(d) => d,
    };
    let first = &d.0[0];
    assert_eq!(first.summary, "Attribute redefined");
    assert_eq!(
        first.detail,
        "The argument \"a7\" was already set at big.hcl:9,3-5. Each argument may be set only once."
    );
    let span = first.span.clone().unwrap_or_default();
    assert_eq!((span.start.line, span.start.col), (n + 2, 3));
}

#[test]
fn many_distinct_attributes_all_parse_in_order() {
    let n = 50_000;
    let body = match parse_file(&locals_block(n, ""), "big.hcl") {
        Ok(b) => b,
        Err(d) => panic!("parse failed: {d}"),
    };
    let block = match &body.items[..] {
        [skyform::hcl::ast::BodyItem::Block(b)] => b,
        other => panic!("expected one block, got {} items", other.len()),
    };
    assert_eq!(block.body.items.len(), n);
    assert!(block.body.attribute("a0").is_some());
    assert!(block.body.attribute(&format!("a{}", n - 1)).is_some());
}

#[test]
fn snippet_lines_are_indexed_once_per_file_and_found_exactly() {
    let n = 20_000;
    let src = locals_block(n, "");
    let mut sources = Sources::default();
    sources.add(Arc::from("big.hcl"), Arc::from(src.as_str()));
    // One index entry per line start (the final newline starts no line of its own, but is
    // indexed): built once when the file is added, not rescanned per diagnostic.
    assert_eq!(sources.indexed_lines("big.hcl"), Some(n + 3));
    assert_eq!(sources.line("big.hcl", 1), Some("locals {"));
    assert_eq!(
        sources.line("big.hcl", n + 1),
        Some(&*format!("  a{} = {}", n - 1, n - 1))
    );
    assert_eq!(sources.line("big.hcl", n + 2), Some("}"));
    assert_eq!(sources.line("big.hcl", n + 3), None);
    assert_eq!(sources.line("big.hcl", 0), None);

    let mut crlf = Sources::default();
    crlf.add(Arc::from("w.hcl"), Arc::from("a = 1\r\nb = 2\r\n"));
    assert_eq!(crlf.line("w.hcl", 2), Some("b = 2"));

    // Rendering many diagnostics of one large file shows each its own line.
    let mut diags = Diagnostics::default();
    let src_with_errors = locals_block(n, "  a3 = 1\n");
    let d = match parse_file(&src_with_errors, "big.hcl") {
        Ok(_) => panic!("a redefined attribute parsed"),
        Err(d) => d,
    };
    diags.extend(d);
    let mut s2 = Sources::default();
    s2.add(Arc::from("big.hcl"), Arc::from(src_with_errors.as_str()));
    let text = render(&diags, &s2, false);
    assert!(
        text.contains(&format!("{:>4}:   a3 = 1\n", n + 2)),
        "snippet missing in:\n{text}"
    );
}
