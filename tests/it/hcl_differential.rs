//! Differential test: our parser against `hcl-edit` (a dev-dependency used only as an oracle).
//!
//! Both parse the same inputs — every HCL fixture, the examples' `*.sky.hcl`, the expression
//! cases as `a = <expr>` bodies, and property-generated bodies and mutations of them — and
//! must agree on accept/reject and, when both accept, on a normalised structure: body items,
//! attribute names, block types and labels, and an expression shape tree. Where the two
//! differ because our parser follows Terraform 1.0.3 (the reference), the case is excluded
//! by [`known_difference`] and counted; [`DIFFERENCES`] lists and explains each one.
//!
//! The generated runs are seeded, so they repeat. A longer run with another sequence:
//! `HCL_DIFF_CASES=40000 HCL_DIFF_SEED=any cargo test --test it hcl_differential_ -- --nocapture`
//! (the first example of each excluded difference and the tallies go to stderr).

use hcl_edit::expr as he;
use hcl_edit::structure as hs;
use hcl_edit::template as ht;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use skyform::hcl::ast::{self, ExprKind, TemplatePart};
use std::path::{Path, PathBuf};

/// Where the parsers disagree because ours follows Terraform 1.0.3 (each checked against
/// `terraform fmt` or `terraform apply` of 1.0.3) and hcl-edit does not: a name, why, and the
/// predicate that recognises such a case.
struct Difference {
    name: &'static str,
    why: &'static str,
    applies: fn(&str, &Outcome, &Outcome) -> bool,
    /// A smallest input showing it, and whether Terraform 1.0.3 accepts that input.
    example: &'static str,
    terraform_accepts: bool,
}

const DIFFERENCES: &[Difference] = &[
    Difference {
        name: "dotted-number",
        why: "Terraform scans digits and dots greedily as one number, so `x.1.2` (\"Invalid \
              legacy index syntax\") and `60.5.4` (\"Invalid number literal\") are refused; \
              hcl-edit reads a number and then legacy indexes.",
        applies: |_, o, t| {
            (rejects_with(o, "Invalid legacy index syntax")
                || rejects_with(o, "Invalid number literal"))
                && accepts(t)
        },
        example: "a = x.1.2\n",
        terraform_accepts: false,
    },
    Difference {
        name: "legacy-index-leading-zero",
        why: "`x.00`: Terraform reads the legacy index as a number (0); hcl-edit stops after \
              the first digit and refuses the rest.",
        applies: |src, o, t| accepts(o) && !accepts(t) && zero_padded_legacy_index(src),
        example: "a = x.00\n",
        terraform_accepts: true,
    },
    Difference {
        name: "nested-attr-splat",
        why: "`x.*.*`: Terraform refuses a splat inside an attribute-only splat; hcl-edit \
              accepts it.",
        applies: |_, o, t| rejects_with(o, "Nested splat expression not allowed") && accepts(t),
        example: "a = x.*.*\n",
        terraform_accepts: false,
    },
    Difference {
        name: "newline-after-dot",
        why: "`x.` then a newline: Terraform requires the attribute name on the same line \
              (\"Invalid attribute name\"); hcl-edit skips the newline.",
        applies: |src, o, t| {
            rejects_with(o, "Invalid attribute name")
                && accepts(t)
                && error_at(o).is_some_and(|at| src[at..].starts_with(['\n', '\r']))
        },
        example: "a = x.\ny\n",
        terraform_accepts: false,
    },
    Difference {
        name: "legacy-index-beyond-u64",
        why: "`x.100000000000000000000`: Terraform reads a legacy index as a number of any \
              size; hcl-edit reads it as a u64 and refuses a longer one.",
        applies: |src, o, t| accepts(o) && !accepts(t) && long_legacy_index(src),
        example: "a = x.100000000000000000000\n",
        terraform_accepts: true,
    },
    Difference {
        name: "for-keyword-after-bracket",
        why: "`[for]`: after `[` or `{` Terraform always starts a for expression at `for`, \
              and reads `in` as a whole word (`[for x innull : x]` is refused); hcl-edit \
              falls back to a variable named `for`, and takes `in` then `null`.",
        applies: |_, o, t| rejects_with(o, "Invalid 'for' expression") && accepts(t),
        example: "a = [for]\n",
        terraform_accepts: false,
    },
    Difference {
        name: "multi-line-quoted-string",
        why: "A newline or carriage return inside a quoted string after an interpolation (or \
              a bare CR anywhere in it): Terraform refuses (\"Invalid multi-line string\"); \
              hcl-edit accepts.",
        applies: |_, o, t| rejects_with(o, "Invalid multi-line string") && accepts(t),
        example: "a = \"${x}\n\"\n",
        terraform_accepts: false,
    },
    Difference {
        name: "heredoc-end-marker",
        why: "Terraform closes a heredoc only at a line holding just the marker (indented or \
              not) and a newline: `EOT` at end of file without one, `EOT }`, `EOT)` or \
              `EOT$` does not close it, and the text runs on to a later marker line; hcl-edit \
              closes it there.",
        applies: |src, _, _| heredoc_marker_with_text(src),
        example: "a = <<EOT\nx\nEOT",
        terraform_accepts: false,
    },
    Difference {
        name: "newline-after-bracket",
        why: "Outside brackets a newline ends the attribute in Terraform (`a = [x]` then \
              `+ 1` on the next line is refused); hcl-edit, once an expression has closed a \
              tuple, a call or a for expression, reads on across newlines to the end of the \
              expression.",
        applies: |src, o, t| {
            !accepts(o)
                && accepts(t)
                && error_at(o).is_some_and(|at| {
                    // From the last `=` (the attribute's, a `=>` or `!=`) to the error.
                    let tail = &src[src[..at].rfind('=').map_or(0, |i| i + 1)..at];
                    let line = broken_line(src, at);
                    at_line_break(src, at)
                        && (tail.contains([']', ')', '}']) || line.contains([']', ')', '}']))
                })
        },
        example: "a = [x]\n + 1\n",
        terraform_accepts: false,
    },
    Difference {
        name: "template-keyword-boundary",
        why: "Terraform reads a template directive's keywords as whole words: `%{ forb in x }` \
              (\"forb\" is not a keyword) and `%{ for x in715 }` are refused; hcl-edit \
              takes `for` then `b`, and `in` then `715`.",
        applies: |_, o, t| {
            (rejects_with(o, "Invalid template control keyword")
                || rejects_with(o, "Invalid 'for' directive"))
                && accepts(t)
        },
        example: "a = \"%{ forb in x }y%{ endfor }\"\n",
        terraform_accepts: false,
    },
    Difference {
        name: "byte-order-mark",
        why: "A UTF-8 byte order mark before the first token: Terraform skips it; hcl-edit \
              refuses the file.",
        applies: |src, o, t| src.starts_with('\u{feff}') && accepts(o) && !accepts(t),
        example: "\u{feff}a = 1\n",
        terraform_accepts: true,
    },
    Difference {
        name: "duplicate-object-key",
        why: "`{a = 1, a = 2}`: Terraform's parser accepts it (evaluation reports the \
              duplicate); hcl-edit refuses it while parsing.",
        applies: |_, o, t| accepts(o) && rejects_with(t, "redefined object key"),
        example: "a = {a = 1, a = 2}\n",
        terraform_accepts: true,
    },
    Difference {
        name: "directive-body-text",
        why: "Inside `%{if}`/`%{for}` bodies of a quoted string Terraform reads text as in \
              the rest of the string: escapes are decoded (invalid ones refused) and a `\"` \
              ends the string; hcl-edit reads those bodies like heredoc text, escapes kept as \
              written and quotes as text.",
        applies: |src, o, t| {
            let refused = rejects_with(o, "Invalid escape sequence")
                || rejects_with(o, "Unexpected end of template");
            (refused && accepts(t) && src.contains("%{"))
                || same_after(
                    o,
                    t,
                    &lits(&|_, _| {}),
                    &lits(&|s, in_directive| {
                        if in_directive {
                            *s = decode_escapes(s)
                        }
                    }),
                )
        },
        example: "a = \"%{ if x }\\\"%{ endif }\"\n",
        terraform_accepts: true,
    },
    Difference {
        name: "newline-in-directive",
        why: "Terraform allows newlines inside a template directive's `%{ ... }` as inside \
              brackets (`\"%{ if a\n.b }x%{ endif }\"` is `a.b`); hcl-edit refuses them.",
        applies: |src, o, t| accepts(o) && !accepts(t) && newline_in_directive(src),
        example: "a = \"%{ if a\n.b }x%{ endif }\"\n",
        terraform_accepts: true,
    },
    Difference {
        name: "newline-in-brackets",
        why: "Inside brackets and for expressions Terraform ignores newlines everywhere (`[!` \
              newline `x]`, or `a ? b` newline `: c` in a `{for ...}`); hcl-edit refuses a \
              newline in some of those places.",
        applies: |src, o, t| {
            accepts(o)
                && error_at(t).is_some_and(|at| {
                    let at = at + src[at..].len() - src[at..].trim_start_matches([' ', '\t']).len();
                    let line = broken_line(src, at);
                    at_line_break(src, at) && line.contains(['[', '(', '{'])
                })
        },
        example: "a = [!\n  x,\n]\n",
        terraform_accepts: true,
    },
    Difference {
        name: "flush-heredoc-indent",
        why: "In a `<<-` heredoc Terraform measures indentation only at literal text that \
              starts a line and leaves lines of only spaces as they are; a line with no \
              indentation makes the common indentation zero. hcl-edit trims lines of only \
              spaces, and can leave an unindented line out of the measure (one that starts \
              with `$` or follows an interpolation) and then trim other characters from it \
              (`*    line ${1}` loses `*    l`).",
        applies: |src, o, t| {
            let clear = lits(&|s, _| s.clear());
            same_after(o, t, &clear, &clear) && flush_heredoc_uneven(src)
        },
        example: "a = <<-EOT\n*    line ${1}\n      two\n    EOT\n",
        terraform_accepts: true,
    },
    Difference {
        name: "heredoc-strip-per-line",
        why: "Terraform scans heredoc text one line per token, so a `~` strip marker trims \
              whitespace only as far as the nearest line end (`<<EOT\\n  %{~ for x in y ~}\\n  \
              ${x}\\n` keeps the two spaces before `${x}`); hcl-edit leaves the markers to its \
              user, and this test's normalisation trims all adjacent whitespace.",
        applies: |src, o, t| {
            let no_space = lits(&|s, _| s.retain(|c| !c.is_whitespace()));
            src.contains("<<") && src.contains('~') && same_after(o, t, &no_space, &no_space)
        },
        example: "a = <<EOT\n  %{~ for x in y ~}\n  ${x}\n  %{~ endfor ~}\nEOT\n",
        terraform_accepts: true,
    },
    Difference {
        name: "heredoc-crlf",
        why: "Terraform keeps a heredoc line's CRLF ending in the string; hcl-edit turns it \
              into LF.",
        applies: |src, o, t| {
            src.contains("\r\n")
                && same_after(
                    o,
                    t,
                    &lits(&|s, _| *s = s.replace("\r\n", "\n")),
                    &lits(&|_, _| {}),
                )
        },
        example: "a = <<-EOT\r\n    x\r\n    EOT\r\n",
        terraform_accepts: true,
    },
    Difference {
        name: "negated-number-traversal",
        why: "`-1[*]`: Terraform negates the whole traversal, `-(1[*])` (\"Invalid operand\" \
              when evaluated); hcl-edit folds `-1` into a negative literal first, `(-1)[*]`.",
        applies: |_, o, t| {
            let lift = Rewrite {
                lit: &|_, _| {},
                node: &|e| {
                    // (-x)[..] as -(x[..])
                    if let Shape::Trav(root, ops) = e {
                        if let Shape::Unary("-", x) = root.as_mut() {
                            let x = std::mem::replace(x.as_mut(), Shape::Null);
                            let ops = std::mem::take(ops);
                            *e = Shape::Unary("-", Box::new(Shape::Trav(Box::new(x), ops)));
                        }
                    }
                },
            };
            same_after(o, t, &lits(&|_, _| {}), &lift)
        },
        example: "a = -1[*]\n",
        terraform_accepts: true,
    },
    Difference {
        name: "splat-across-newline",
        why: "`x[` newline `*]`: Terraform takes `[*` for a splat only on one line (the \
              newline makes it an index, and `*` no expression); hcl-edit skips the newline.",
        applies: |src, o, t| !accepts(o) && accepts(t) && splat_across_newline(src),
        example: "a = x[\n*]\n",
        terraform_accepts: false,
    },
    Difference {
        name: "number-beyond-f64",
        why: "Terraform's numbers are arbitrary precision, so `1e400` is a number; hcl-edit \
              reads literals as f64 (or 64-bit integers) and refuses one beyond f64's range.",
        applies: |src, o, t| accepts(o) && !accepts(t) && number_beyond_f64(src),
        example: "a = 1e400\n",
        terraform_accepts: true,
    },
    Difference {
        name: "nesting-depth",
        why: "hcl-edit refuses more than 64 nested brackets, templates or blocks; Terraform \
              has no limit, and ours stops only past 256 (\"Nesting too deep\") so that \
              hostile input cannot overflow the stack.",
        applies: |_, o, t| accepts(o) && rejects_with(t, "nested levels"),
        example: DEEP_BRACKETS,
        terraform_accepts: true,
    },
    Difference {
        name: "operator-chain",
        why: "hcl-edit refuses more than 128 chained binary operators; Terraform and ours \
              accept any number.",
        applies: |_, o, t| accepts(o) && rejects_with(t, "chained binary operators"),
        example: LONG_SUM,
        terraform_accepts: true,
    },
];

/// 100 nested brackets: within our limit, past hcl-edit's.
const DEEP_BRACKETS: &str = concat!(
    "a = [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
    "[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
    "]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
    "\n"
);

/// A sum of more than 128 chained additions.
const LONG_SUM: &str = concat!(
    "a = 1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1",
    "+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1",
    "+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1",
    "+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1\n"
);

/// Every listed difference is real (its example makes the parsers disagree), is the one
/// its predicate names, and ours matches Terraform 1.0.3 on it.
#[test]
fn hcl_differential_table_is_exact() {
    for d in DIFFERENCES {
        let (o, t) = (ours(d.example), theirs(d.example));
        assert!(
            disagreement(&o, &t).is_some(),
            "{}: the parsers agree on its example; drop the entry ({})",
            d.name,
            d.why
        );
        assert_eq!(
            known_difference(d.example, &o, &t),
            Some(d.name),
            "{}",
            d.example
        );
        assert_eq!(
            accepts(&o),
            d.terraform_accepts,
            "{}: ours differs from Terraform",
            d.name
        );
    }
    // Past our own limit both refuse; Terraform would not (see nesting-depth).
    let deeper = format!("a = {}{}\n", "[".repeat(300), "]".repeat(300));
    assert!(!accepts(&ours(&deeper)) && !accepts(&theirs(&deeper)));
}

/// The entry of [`DIFFERENCES`] that explains why the parsers disagree on `src`, if any.
fn known_difference(src: &str, ours: &Outcome, theirs: &Outcome) -> Option<&'static str> {
    DIFFERENCES
        .iter()
        .find(|d| (d.applies)(src, ours, theirs))
        .map(|d| d.name)
}

fn accepts(o: &Outcome) -> bool {
    matches!(o, Outcome::Accept(_))
}

fn rejects_with(o: &Outcome, text: &str) -> bool {
    matches!(o, Outcome::Reject { msg, .. } if msg.contains(text))
}

/// A heredoc line that starts with its marker but goes on (`EOT)`), or a marker that ends
/// the input without a newline.
fn heredoc_marker_with_text(src: &str) -> bool {
    let mut markers = Vec::new();
    for (i, _) in src.match_indices("<<") {
        let rest = src[i + 2..].trim_start_matches('-');
        let name: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '-')
            .collect();
        if !name.is_empty() && rest[name.len()..].starts_with(['\n', '\r']) {
            markers.push(name);
        }
    }
    markers.iter().any(|m| {
        src.lines().any(|l| {
            let l = l.trim_start();
            l.starts_with(m.as_str()) && !l[m.len()..].trim().is_empty()
        }) || src.trim_start().ends_with(m.as_str())
    })
}

/// A `<<-` heredoc with a line that starts with a character other than a space, or a line
/// of only spaces.
fn flush_heredoc_uneven(src: &str) -> bool {
    src.match_indices("<<-").any(|(i, _)| {
        let mut lines = src[i + 3..].lines();
        let marker = lines.next().unwrap_or("").trim().to_string();
        lines.take_while(|l| l.trim() != marker).any(|l| {
            l.starts_with(|c: char| !c.is_whitespace()) || (!l.is_empty() && l.trim().is_empty())
        })
    })
}

/// A `.` that is not a number's decimal point, followed (across any spaces) by more digits
/// than a u64 holds.
fn long_legacy_index(src: &str) -> bool {
    src.match_indices('.').any(|(i, _)| {
        let after = src[i + 1..].trim_start();
        let digits: String = after.chars().take_while(char::is_ascii_digit).collect();
        let word = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-';
        let before = src[..i].trim_end_matches(word);
        let in_number = src[before.len()..i].starts_with(|c: char| c.is_ascii_digit());
        let decimal_point = in_number && src[i + 1..].starts_with(|c: char| c.is_ascii_digit());
        !decimal_point && !digits.is_empty() && digits.parse::<u64>().is_err()
    })
}

/// A `[` and a `*` with a newline between them.
fn splat_across_newline(src: &str) -> bool {
    src.match_indices('[').any(|(i, _)| {
        let gap = &src[i + 1..];
        let rest = gap.trim_start();
        rest.starts_with('*') && gap[..gap.len() - rest.len()].contains('\n')
    })
}

/// A number literal too large for an f64.
fn number_beyond_f64(src: &str) -> bool {
    let numeric = |c: char| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '+' | '-');
    src.split(|c: char| !numeric(c))
        .filter(|w| w.starts_with(|c: char| c.is_ascii_digit()))
        .any(|w| w.parse::<f64>().is_ok_and(f64::is_infinite))
}

/// A newline between a `%{` and the next `}`.
fn newline_in_directive(src: &str) -> bool {
    src.match_indices("%{").any(|(i, _)| {
        let rest = &src[i..];
        rest.find('}').is_some_and(|end| rest[..end].contains('\n'))
    })
}

/// A legacy index with a leading zero, `name.0N`.
fn zero_padded_legacy_index(src: &str) -> bool {
    let b = src.as_bytes();
    let word = |c: u8| c.is_ascii_alphanumeric() || c == b'_' || c == b'-';
    (1..b.len().saturating_sub(2)).any(|i| {
        let start = (0..i).rev().take_while(|&j| word(b[j])).last();
        let after_name = start.is_some_and(|j| !b[j].is_ascii_digit());
        after_name && b[i] == b'.' && b[i + 1] == b'0' && b[i + 2].is_ascii_digit()
    })
}

/// Whether byte `at` is a line end or the first non-blank of a line.
fn at_line_break(src: &str, at: usize) -> bool {
    src[at..].starts_with(['\n', '\r']) || line_of(src, at).trim().is_empty()
}

/// The line an expression broke off at, when an error is at byte `at`: the line up to `at`,
/// or the previous line when `at` starts its line.
fn broken_line(src: &str, at: usize) -> &str {
    let line_start = src[..at].rfind('\n').map_or(0, |i| i + 1);
    match src[line_start..at].trim().is_empty() {
        true => line_of(src, line_start.saturating_sub(1)),
        false => line_of(src, at),
    }
}

/// The text of the line holding byte `at`, up to `at`.
fn line_of(src: &str, at: usize) -> &str {
    let start = src[..at].rfind('\n').map_or(0, |i| i + 1);
    &src[start..at]
}

fn error_at(o: &Outcome) -> Option<usize> {
    match o {
        Outcome::Reject { at, .. } => *at,
        Outcome::Accept(_) => None,
    }
}

/// A rewrite of a normalised tree: `lit` for literal text (told whether it is inside a
/// template directive's body), then `node` for every expression, innermost first.
struct Rewrite<'a> {
    lit: &'a dyn Fn(&mut String, bool),
    node: &'a dyn Fn(&mut Shape),
}

fn lits<'a>(lit: &'a dyn Fn(&mut String, bool)) -> Rewrite<'a> {
    Rewrite { lit, node: &|_| {} }
}

/// Both accept, and the structures are equal once rewritten by `f_ours` and `f_theirs`.
fn same_after(ours: &Outcome, theirs: &Outcome, f_ours: &Rewrite, f_theirs: &Rewrite) -> bool {
    let (Outcome::Accept(a), Outcome::Accept(b)) = (ours, theirs) else {
        return false;
    };
    let (mut a, mut b) = (a.clone(), b.clone());
    a.iter_mut().for_each(|i| literals_in_item(i, f_ours));
    b.iter_mut().for_each(|i| literals_in_item(i, f_theirs));
    a == b
}

fn literals_in_item(item: &mut Item, f: &Rewrite) {
    match item {
        Item::Attr(_, e) => literals_in(e, false, f),
        Item::Block(_, _, items) => items.iter_mut().for_each(|i| literals_in_item(i, f)),
    }
}

fn literals_in(e: &mut Shape, in_directive: bool, f: &Rewrite) {
    let mut go = |e: &mut Shape| literals_in(e, false, f);
    match e {
        Shape::Null | Shape::Bool(_) | Shape::Num(_) | Shape::Var(_) => {}
        Shape::Str(parts) => literals_in_parts(parts, in_directive, f),
        Shape::Tuple(xs) => xs.iter_mut().for_each(go),
        Shape::Object(kv) => kv.iter_mut().for_each(|(k, v)| {
            go(k);
            go(v)
        }),
        Shape::Call(_, args, _) => args.iter_mut().for_each(go),
        Shape::Trav(root, ops) => {
            go(root);
            for op in ops {
                if let Op::Index(k) = op {
                    go(k)
                }
            }
        }
        Shape::Unary(_, x) | Shape::Parens(x) => go(x),
        Shape::Binary(_, a, b) => {
            go(a);
            go(b)
        }
        Shape::Cond(c, a, b) => {
            go(c);
            go(a);
            go(b)
        }
        Shape::For(fe) => {
            go(&mut fe.collection);
            go(&mut fe.value);
            fe.key.iter_mut().for_each(&mut go);
            fe.cond.iter_mut().for_each(&mut go);
        }
    }
    (f.node)(e);
}

fn literals_in_parts(parts: &mut Vec<Part>, in_directive: bool, f: &Rewrite) {
    for p in parts.iter_mut() {
        match p {
            Part::Lit(s) => (f.lit)(s, in_directive),
            Part::Interp(e) => literals_in(e, false, f),
            Part::If(c, a, b) => {
                literals_in(c, false, f);
                literals_in_parts(a, true, f);
                literals_in_parts(b, true, f);
            }
            Part::For(_, _, c, body) => {
                literals_in(c, false, f);
                literals_in_parts(body, true, f);
            }
        }
    }
    *parts = merge(std::mem::take(parts));
}

/// HCL's quoted-string escapes: `\n \r \t \" \\ \uXXXX \UXXXXXXXX`.
fn decode_escapes(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('t') => out.push('\t'),
            Some(q @ ('"' | '\\')) => out.push(q),
            Some(u @ ('u' | 'U')) => {
                let n = if u == 'u' { 4 } else { 8 };
                let hex: String = chars.by_ref().take(n).collect();
                match u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                    Some(ch) => out.push(ch),
                    None => out.push_str(&format!("\\{u}{hex}")),
                }
            }
            Some(other) => {
                out.push('\\');
                out.push(other)
            }
            None => out.push('\\'),
        }
    }
    out
}

// ---------------------------------------------------------------------------------------
// The normalised structure both parsers' trees are reduced to.

#[derive(Debug, Clone, PartialEq)]
enum Item {
    Attr(String, Shape),
    Block(String, Vec<String>, Vec<Item>),
}

#[derive(Debug, Clone, PartialEq)]
enum Shape {
    Null,
    Bool(bool),
    /// Compared as f64: hcl-edit's numbers are f64 or 64-bit integers.
    Num(f64),
    /// Quoted strings, templates and heredocs alike: literal text after escapes, strip
    /// markers and heredoc flushing, adjacent literals merged.
    Str(Vec<Part>),
    Var(String),
    Tuple(Vec<Shape>),
    Object(Vec<(Shape, Shape)>),
    Call(String, Vec<Shape>, bool),
    /// A root and its attribute, index and splat steps, flattened as hcl-edit keeps them.
    Trav(Box<Shape>, Vec<Op>),
    Unary(&'static str, Box<Shape>),
    Binary(&'static str, Box<Shape>, Box<Shape>),
    Cond(Box<Shape>, Box<Shape>, Box<Shape>),
    For(Box<ForShape>),
    Parens(Box<Shape>),
}

#[derive(Debug, Clone, PartialEq)]
struct ForShape {
    key_var: Option<String>,
    value_var: String,
    collection: Shape,
    key: Option<Shape>,
    value: Shape,
    cond: Option<Shape>,
    group: bool,
}

#[derive(Debug, Clone, PartialEq)]
enum Op {
    Attr(String),
    Index(Shape),
    AttrSplat,
    FullSplat,
}

#[derive(Debug, Clone, PartialEq)]
enum Part {
    Lit(String),
    Interp(Shape),
    If(Shape, Vec<Part>, Vec<Part>),
    For(Option<String>, String, Shape, Vec<Part>),
}

/// Drops empty literals and merges adjacent ones.
fn merge(parts: Vec<Part>) -> Vec<Part> {
    let mut out: Vec<Part> = Vec::new();
    for p in parts {
        match (p, out.last_mut()) {
            (Part::Lit(s), _) if s.is_empty() => {}
            (Part::Lit(s), Some(Part::Lit(prev))) => prev.push_str(&s),
            (p, _) => out.push(p),
        }
    }
    out
}

// ---------------------------------------------------------------------------------------
// Our tree.

fn ours_body(body: &ast::Body) -> Vec<Item> {
    body.items
        .iter()
        .map(|i| match i {
            ast::BodyItem::Attribute(a) => Item::Attr(a.name.clone(), ours_expr(&a.expr)),
            ast::BodyItem::Block(b) => Item::Block(
                b.kind.clone(),
                b.labels.iter().map(|l| l.value.clone()).collect(),
                ours_body(&b.body),
            ),
        })
        .collect()
}

fn ours_expr(e: &ast::Expr) -> Shape {
    let bx = |e: &ast::Expr| Box::new(ours_expr(e));
    match &e.kind {
        ExprKind::Null => Shape::Null,
        ExprKind::Bool(b) => Shape::Bool(*b),
        ExprKind::Number(n) => Shape::Num(n.as_str().parse().unwrap()),
        ExprKind::Template(parts) => Shape::Str(ours_parts(parts)),
        ExprKind::Variable(v) => Shape::Var(v.clone()),
        ExprKind::Tuple(xs) => Shape::Tuple(xs.iter().map(ours_expr).collect()),
        ExprKind::Object(items) => Shape::Object(
            items
                .iter()
                .map(|(k, v)| (ours_expr(k), ours_expr(v)))
                .collect(),
        ),
        ExprKind::FunctionCall {
            name,
            args,
            expand_final,
        } => Shape::Call(
            name.clone(),
            args.iter().map(ours_expr).collect(),
            *expand_final,
        ),
        ExprKind::GetAttr(..) | ExprKind::Index(..) | ExprKind::Splat { .. } => {
            let mut ops = Vec::new();
            let root = ours_chain(e, &mut ops);
            Shape::Trav(Box::new(root), ops)
        }
        // Only reachable through `ours_chain`, which drops it.
        ExprKind::SplatItem => Shape::Null,
        ExprKind::Unary(op, x) => Shape::Unary(
            match op {
                ast::UnaryOp::Not => "!",
                ast::UnaryOp::Negate => "-",
            },
            bx(x),
        ),
        ExprKind::Binary(op, a, b) => Shape::Binary(binary_symbol(*op), bx(a), bx(b)),
        ExprKind::Conditional {
            cond,
            then,
            otherwise,
        } => Shape::Cond(bx(cond), bx(then), bx(otherwise)),
        ExprKind::For(f) => Shape::For(Box::new(ForShape {
            key_var: f.key_var.clone(),
            value_var: f.value_var.clone(),
            collection: ours_expr(&f.collection),
            key: f.key.as_ref().map(ours_expr),
            value: ours_expr(&f.value),
            cond: f.cond.as_ref().map(ours_expr),
            group: f.group,
        })),
        ExprKind::Parens(x) => Shape::Parens(bx(x)),
    }
}

fn binary_symbol(op: ast::BinaryOp) -> &'static str {
    use ast::BinaryOp as B;
    match op {
        B::Or => "||",
        B::And => "&&",
        B::Eq => "==",
        B::NotEq => "!=",
        B::Lt => "<",
        B::LtEq => "<=",
        B::Gt => ">",
        B::GtEq => ">=",
        B::Add => "+",
        B::Sub => "-",
        B::Mul => "*",
        B::Div => "/",
        B::Mod => "%",
    }
}

/// Flattens a GetAttr/Index/Splat chain into its root, pushing the steps onto `ops`.
fn ours_chain(e: &ast::Expr, ops: &mut Vec<Op>) -> Shape {
    match &e.kind {
        ExprKind::GetAttr(inner, name) => {
            let root = ours_chain(inner, ops);
            ops.push(Op::Attr(name.clone()));
            root
        }
        ExprKind::Index(inner, key) => {
            let root = ours_chain(inner, ops);
            ops.push(Op::Index(ours_expr(key)));
            root
        }
        ExprKind::Splat {
            source,
            each,
            legacy,
        } => {
            let root = ours_chain(source, ops);
            ops.push(if *legacy {
                Op::AttrSplat
            } else {
                Op::FullSplat
            });
            ours_chain(each, ops); // rooted at SplatItem
            root
        }
        _ => ours_expr(e),
    }
}

fn ours_parts(parts: &[TemplatePart]) -> Vec<Part> {
    merge(
        parts
            .iter()
            .map(|p| match p {
                TemplatePart::Literal(s) => Part::Lit(s.clone()),
                TemplatePart::Interpolation(e) => Part::Interp(ours_expr(e)),
                TemplatePart::If {
                    cond,
                    then,
                    otherwise,
                } => Part::If(ours_expr(cond), ours_parts(then), ours_parts(otherwise)),
                TemplatePart::For {
                    key_var,
                    value_var,
                    collection,
                    body,
                } => Part::For(
                    key_var.clone(),
                    value_var.clone(),
                    ours_expr(collection),
                    ours_parts(body),
                ),
            })
            .collect(),
    )
}

// ---------------------------------------------------------------------------------------
// hcl-edit's tree.

fn theirs_body(body: &hs::Body) -> Vec<Item> {
    body.iter()
        .map(|s| match s {
            hs::Structure::Attribute(a) => {
                Item::Attr(a.key.as_str().to_string(), theirs_expr(&a.value))
            }
            hs::Structure::Block(b) => Item::Block(
                b.ident.as_str().to_string(),
                b.labels.iter().map(|l| l.as_str().to_string()).collect(),
                theirs_body(&b.body),
            ),
        })
        .collect()
}

fn theirs_expr(e: &he::Expression) -> Shape {
    let bx = |e: &he::Expression| Box::new(theirs_expr(e));
    match e {
        he::Expression::Null(_) => Shape::Null,
        he::Expression::Bool(b) => Shape::Bool(*b.value()),
        he::Expression::Number(n) => {
            let v = n.value().as_f64().unwrap();
            // hcl-edit folds `-1` into a negative literal; ours (and Terraform) negate.
            let negated = n.as_repr().is_some_and(|r| r.trim_start().starts_with('-'));
            if negated {
                Shape::Unary("-", Box::new(Shape::Num(-v)))
            } else {
                Shape::Num(v)
            }
        }
        he::Expression::String(s) => Shape::Str(merge(vec![Part::Lit(s.value().clone())])),
        he::Expression::Array(xs) => Shape::Tuple(xs.iter().map(theirs_expr).collect()),
        he::Expression::Object(o) => Shape::Object(
            o.iter()
                .map(|(k, v)| {
                    let k = match k {
                        he::ObjectKey::Ident(i) => Shape::Var(i.as_str().to_string()),
                        he::ObjectKey::Expression(e) => theirs_expr(e),
                    };
                    (k, theirs_expr(v.expr()))
                })
                .collect(),
        ),
        he::Expression::StringTemplate(t) => Shape::Str(theirs_template(t)),
        he::Expression::HeredocTemplate(h) => Shape::Str(theirs_template(&h.template)),
        he::Expression::Parenthesis(p) => Shape::Parens(bx(p.inner())),
        he::Expression::Variable(v) => Shape::Var(v.as_str().to_string()),
        he::Expression::Conditional(c) => {
            Shape::Cond(bx(&c.cond_expr), bx(&c.true_expr), bx(&c.false_expr))
        }
        he::Expression::FuncCall(f) => {
            let mut name: Vec<&str> = f.name.namespace.iter().map(|n| n.as_str()).collect();
            name.push(f.name.name.as_str());
            Shape::Call(
                name.join("::"),
                f.args.iter().map(theirs_expr).collect(),
                f.args.expand_final(),
            )
        }
        he::Expression::Traversal(t) => {
            let (root, mut ops) = match theirs_expr(&t.expr) {
                Shape::Trav(root, ops) => (root, ops),
                root => (Box::new(root), Vec::new()),
            };
            for op in &t.operators {
                ops.push(match op.value() {
                    he::TraversalOperator::AttrSplat(_) => Op::AttrSplat,
                    he::TraversalOperator::FullSplat(_) => Op::FullSplat,
                    he::TraversalOperator::GetAttr(i) => Op::Attr(i.as_str().to_string()),
                    he::TraversalOperator::Index(e) => Op::Index(theirs_expr(e)),
                    he::TraversalOperator::LegacyIndex(n) => {
                        Op::Index(Shape::Num(*n.value() as f64))
                    }
                });
            }
            Shape::Trav(root, ops)
        }
        he::Expression::UnaryOp(u) => Shape::Unary(u.operator.value().as_str(), bx(&u.expr)),
        he::Expression::BinaryOp(b) => Shape::Binary(
            b.operator.value().as_str(),
            bx(&b.lhs_expr),
            bx(&b.rhs_expr),
        ),
        he::Expression::ForExpr(f) => Shape::For(Box::new(ForShape {
            key_var: f.intro.key_var.as_ref().map(|k| k.as_str().to_string()),
            value_var: f.intro.value_var.as_str().to_string(),
            collection: theirs_expr(&f.intro.collection_expr),
            key: f.key_expr.as_ref().map(theirs_expr),
            value: theirs_expr(&f.value_expr),
            cond: f.cond.as_ref().map(|c| theirs_expr(&c.expr)),
            group: f.grouping,
        })),
    }
}

/// hcl-edit records strip markers (`~`) without applying them; apply them here as HCL does:
/// a marker trims the whitespace of the adjacent literal.
fn theirs_template(t: &ht::Template) -> Vec<Part> {
    fn trim_end(parts: &mut [Part]) {
        if let Some(Part::Lit(s)) = parts.last_mut() {
            *s = s.trim_end().to_string();
        }
    }
    fn trim_start(parts: &mut [Part]) {
        if let Some(Part::Lit(s)) = parts.first_mut() {
            *s = s.trim_start().to_string();
        }
    }
    let mut out: Vec<Part> = Vec::new();
    let mut strip_next = false;
    for el in t.iter() {
        let (part, strip_after) = match el {
            ht::Element::Literal(s) => {
                let s = s.value();
                let s = if strip_next {
                    s.trim_start()
                } else {
                    s.as_str()
                };
                (Part::Lit(s.to_string()), false)
            }
            ht::Element::Interpolation(i) => {
                if i.strip.strip_start() {
                    trim_end(&mut out);
                }
                (Part::Interp(theirs_expr(&i.expr)), i.strip.strip_end())
            }
            ht::Element::Directive(d) => match &**d {
                ht::Directive::If(d) => {
                    if d.if_expr.strip.strip_start() {
                        trim_end(&mut out);
                    }
                    let mut then = theirs_template(&d.if_expr.template);
                    if d.if_expr.strip.strip_end() {
                        trim_start(&mut then);
                    }
                    let mut otherwise = Vec::new();
                    if let Some(e) = &d.else_expr {
                        if e.strip.strip_start() {
                            trim_end(&mut then);
                        }
                        otherwise = theirs_template(&e.template);
                        if e.strip.strip_end() {
                            trim_start(&mut otherwise);
                        }
                    }
                    if d.endif_expr.strip.strip_start() {
                        if d.else_expr.is_some() {
                            trim_end(&mut otherwise);
                        } else {
                            trim_end(&mut then);
                        }
                    }
                    let cond = theirs_expr(&d.if_expr.cond_expr);
                    (
                        Part::If(cond, merge(then), merge(otherwise)),
                        d.endif_expr.strip.strip_end(),
                    )
                }
                ht::Directive::For(d) => {
                    let f = &d.for_expr;
                    if f.strip.strip_start() {
                        trim_end(&mut out);
                    }
                    let mut body = theirs_template(&f.template);
                    if f.strip.strip_end() {
                        trim_start(&mut body);
                    }
                    if d.endfor_expr.strip.strip_start() {
                        trim_end(&mut body);
                    }
                    (
                        Part::For(
                            f.key_var.as_ref().map(|k| k.as_str().to_string()),
                            f.value_var.as_str().to_string(),
                            theirs_expr(&f.collection_expr),
                            merge(body),
                        ),
                        d.endfor_expr.strip.strip_end(),
                    )
                }
            },
        };
        out.push(part);
        strip_next = strip_after;
    }
    merge(out)
}

// ---------------------------------------------------------------------------------------
// Comparing.

/// One parser's answer: the normalised body, or the error's text and the byte offset the
/// (first) error points at.
#[derive(Debug, Clone, PartialEq)]
enum Outcome {
    Accept(Vec<Item>),
    Reject { msg: String, at: Option<usize> },
}

fn ours(src: &str) -> Outcome {
    match skyform::hcl::parse_file(src, "t.tf") {
        Ok(body) => Outcome::Accept(ours_body(&body)),
        Err(d) => Outcome::Reject {
            msg: d.to_string(),
            at: d.iter().find_map(|d| d.span.as_ref()).map(|s| s.start.byte),
        },
    }
}

fn theirs(src: &str) -> Outcome {
    match hcl_edit::parser::parse_body(src) {
        Ok(body) => Outcome::Accept(theirs_body(&body)),
        Err(e) => Outcome::Reject {
            msg: e.to_string(),
            at: Some(e.location().offset()),
        },
    }
}

/// Tallies of one run: cases compared, cases excluded per difference, disagreements.
#[derive(Default)]
struct Tally {
    compared: usize,
    /// Inputs both parsers accept (their structures then compared) and both reject.
    both_accept: usize,
    both_reject: usize,
    excluded: std::collections::BTreeMap<&'static str, usize>,
    failures: Vec<String>,
}

impl Tally {
    fn check(&mut self, what: &str, src: &str) {
        self.compared += 1;
        let (o, t) = (ours(src), theirs(src));
        match (&o, &t) {
            (Outcome::Accept(_), Outcome::Accept(_)) => self.both_accept += 1,
            (Outcome::Reject { .. }, Outcome::Reject { .. }) => self.both_reject += 1,
            _ => {}
        }
        if let Some(msg) = disagreement(&o, &t) {
            match known_difference(src, &o, &t) {
                Some(name) => {
                    let n = self.excluded.entry(name).or_default();
                    if *n == 0 {
                        // The first example of each, for `--nocapture`.
                        eprintln!("{what}: excluded as {name}:\n{src}");
                    }
                    *n += 1;
                }
                None => self
                    .failures
                    .push(format!("{what}: {msg}\n--- input ---\n{src}")),
            }
        }
    }

    /// Fails listing the shortest disagreements.
    fn finish(mut self, label: &str) {
        eprintln!(
            "{label}: {} compared ({} accepted by both, {} rejected by both), excluded {:?}, \
             {} disagreements",
            self.compared,
            self.both_accept,
            self.both_reject,
            self.excluded,
            self.failures.len()
        );
        assert!(
            self.failures.is_empty(),
            "{} of {} inputs disagree; the shortest:\n\n{}",
            self.failures.len(),
            self.compared,
            {
                self.failures.sort_by_key(String::len);
                self.failures[..self.failures.len().min(8)].join("\n\n")
            }
        );
    }
}

/// `None` when the parsers agree, otherwise what differs.
fn disagreement(ours: &Outcome, theirs: &Outcome) -> Option<String> {
    match (ours, theirs) {
        (Outcome::Accept(a), Outcome::Accept(b)) if a == b => None,
        (Outcome::Reject { .. }, Outcome::Reject { .. }) => None,
        (Outcome::Accept(a), Outcome::Accept(b)) => Some(format!(
            "structure differs:\n ours:   {a:?}\n theirs: {b:?}"
        )),
        (Outcome::Accept(_), Outcome::Reject { msg, .. }) => {
            Some(format!("only hcl-edit rejects: {msg}"))
        }
        (Outcome::Reject { msg, .. }, Outcome::Accept(_)) => {
            Some(format!("only ours rejects: {msg}"))
        }
    }
}

// ---------------------------------------------------------------------------------------
// Fixture inputs.

fn files_under(dir: &Path, keep: &dyn Fn(&str) -> bool, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries {
        let p = e.unwrap().path();
        if p.is_dir() {
            files_under(&p, keep, out);
        } else if keep(&p.to_string_lossy()) {
            out.push(p);
        }
    }
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn hcl_differential_fixtures_and_examples() {
    let mut files = Vec::new();
    files_under(
        &root().join("tests/fixtures/hcl"),
        &|p| p.ends_with(".tf") || p.ends_with(".hcl"),
        &mut files,
    );
    files_under(
        &root().join("examples"),
        &|p| p.ends_with(".sky.hcl"),
        &mut files,
    );
    files.sort();
    assert!(files.len() > 600, "fixtures missing: {}", files.len());
    let mut tally = Tally::default();
    for f in &files {
        let src = std::fs::read_to_string(f).unwrap();
        tally.check(&f.display().to_string(), &src);
    }
    tally.finish("fixture files");
}

#[test]
fn hcl_differential_expression_cases() {
    let text = std::fs::read_to_string(root().join("tests/fixtures/hcl/expr_cases.tsv")).unwrap();
    let mut tally = Tally::default();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let mut cols = line.split('\t');
        let (Some(name), Some(expr)) = (cols.next(), cols.next()) else {
            panic!("bad line: {line}")
        };
        tally.check(name, &format!("a = {expr}\n"));
    }
    assert!(tally.compared > 100);
    tally.finish("expression cases");
}

// ---------------------------------------------------------------------------------------
// Generated inputs.

fn ident() -> impl Strategy<Value = String> {
    prop::sample::select(vec!["a", "b", "foo", "x_1", "count", "each", "var", "nul"])
        .prop_map(str::to_string)
}

fn number() -> impl Strategy<Value = String> {
    prop_oneof![
        (0u32..1000).prop_map(|n| n.to_string()),
        (0u32..100, 0u32..100).prop_map(|(a, b)| format!("{a}.{b}")),
        (1u32..10, -5i32..5).prop_map(|(a, e)| format!("{a}e{e}")),
        // Beyond f64's precision: both read them as the nearest f64 here.
        Just("0.1000000000000000000000001".to_string()),
        Just("123456789012345678901234567890".to_string()),
    ]
}

/// Literal text for quoted strings: plain characters and escapes.
fn quoted_text() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop::sample::select(vec![
            "x", " ", "ab", "\\n", "\\\"", "\\\\", "$${", "%%{", "é", "\\u00e9", "$ ", "% ", "{",
        ]),
        0..4,
    )
    .prop_map(|v| v.concat())
}

fn expr() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        number(),
        ident(),
        Just("true".to_string()),
        Just("false".to_string()),
        Just("null".to_string()),
        quoted_text().prop_map(|t| format!("\"{t}\"")),
    ];
    leaf.prop_recursive(4, 24, 4, |inner| {
        let bin = prop::sample::select(vec![
            "+", "-", "*", "/", "%", "==", "!=", "<", "<=", ">", ">=", "&&", "||",
        ]);
        prop_oneof![
            (inner.clone(), bin, inner.clone()).prop_map(|(a, op, b)| format!("{a} {op} {b}")),
            (prop::sample::select(vec!["!", "-"]), inner.clone())
                .prop_map(|(op, a)| format!("{op}{a}")),
            inner.clone().prop_map(|a| format!("({a})")),
            (inner.clone(), inner.clone(), inner.clone())
                .prop_map(|(c, a, b)| format!("{c} ? {a} : {b}")),
            (
                ident(),
                prop::collection::vec(inner.clone(), 0..3),
                any::<bool>()
            )
                .prop_map(|(f, args, expand)| {
                    let dots = if expand && !args.is_empty() {
                        "..."
                    } else {
                        ""
                    };
                    format!("{f}({}{dots})", args.join(", "))
                }),
            prop::collection::vec(inner.clone(), 0..3)
                .prop_map(|xs| format!("[{}]", xs.join(", "))),
            prop::collection::vec((ident(), inner.clone()), 0..3).prop_map(|kv| {
                // Distinct keys: duplicates are a known difference, covered by a fixture.
                let items: Vec<String> = kv
                    .iter()
                    .enumerate()
                    .map(|(i, (k, v))| format!("{k}{i} = {v}"))
                    .collect();
                format!("{{{}}}", items.join(", "))
            }),
            (ident(), ident()).prop_map(|(a, b)| format!("{a}.{b}")),
            (ident(), inner.clone()).prop_map(|(a, k)| format!("{a}[{k}]")),
            (ident(), ident()).prop_map(|(a, b)| format!("{a}[*].{b}")),
            (ident(), ident()).prop_map(|(a, b)| format!("{a}.*.{b}")),
            (ident(), 0u32..5).prop_map(|(a, n)| format!("{a}.{n}")),
            (ident(), inner.clone(), inner.clone())
                .prop_map(|(v, c, x)| format!("[for {v} in {c} : {x}]")),
            (
                ident(),
                inner.clone(),
                inner.clone(),
                inner.clone(),
                any::<bool>()
            )
                .prop_map(|(v, c, k, x, group)| {
                    let dots = if group { "..." } else { "" };
                    format!("{{for i, {v} in {c} : {k} => {x}{dots} if {v}}}")
                }),
            (quoted_text(), inner.clone(), quoted_text(), any::<bool>()).prop_map(
                |(a, x, b, strip)| {
                    let (l, r) = if strip { ("~", "~") } else { ("", "") };
                    format!("\"{a}${{{l}{x}{r}}}{b}\"")
                }
            ),
            (inner.clone(), quoted_text())
                .prop_map(|(c, t)| format!("\"%{{ if {c} }}{t}%{{ else }}no%{{ endif }}\"")),
            (ident(), inner.clone())
                .prop_map(|(v, c)| format!("\"%{{ for {v} in {c} ~}}[${{{v}}}] %{{~ endfor }}\"")),
            prop::collection::vec(inner.clone(), 1..3)
                .prop_map(|xs| format!("[\n  {},\n]", xs.join(",\n  "))),
            (ident(), inner.clone(), inner.clone(), inner.clone()).prop_map(|(k, a, b, c)| {
                format!("{{\n  {k}0 = {a}\n  \"{k}1\": {b}, ({k}) = {c}\n}}")
            }),
            (ident(), 0u32..3).prop_map(|(a, n)| format!("{a}[*][{n}]")),
            (ident(), ident()).prop_map(|(a, b)| format!("{a}.*.{b}[0]")),
            (ident(), inner.clone()).prop_map(|(f, x)| format!("{f}(/* c */ {x}, # c\n)")),
            (inner.clone(), inner.clone()).prop_map(|(c, x)| {
                format!("(<<EOT\n%{{ if {c} }}yes ${{{x}}}%{{ else }}no%{{ endif }}\nEOT\n)")
            }),
            (inner.clone(), any::<bool>()).prop_map(|(x, flush)| {
                let (op, pad) = if flush { ("<<-", "    ") } else { ("<<", "") };
                // In parentheses: the newline after the marker would end a bare expression.
                format!("({op}EOT\n{pad}line ${{{x}}}\n{pad}  two\n{pad}EOT\n)")
            }),
        ]
    })
}

fn body() -> impl Strategy<Value = String> {
    // `@` marks an attribute name that `numbered` makes unique within its body: both
    // parsers refuse a redefined attribute, which would hide the structure.
    let attr = (ident(), expr()).prop_map(|(n, e)| format!("{n}@ = {e}\n"));
    let leaf = prop::collection::vec(attr, 0..3).prop_map(numbered);
    leaf.prop_recursive(3, 12, 3, |inner| {
        let labels = prop::collection::vec(
            prop_oneof![ident(), quoted_text().prop_map(|t| format!("\"{t}\""))],
            0..3,
        );
        prop::collection::vec(
            prop_oneof![
                (ident(), expr()).prop_map(|(n, e)| format!("{n}@ = {e}\n")),
                (ident(), labels, inner.clone())
                    .prop_map(|(t, ls, b)| format!("{t} {} {{\n{b}}}\n", ls.join(" "))),
                (ident(), ident(), expr()).prop_map(|(t, n, e)| format!("{t} {{ {n} = {e} }}\n")),
                ident().prop_map(|t| format!("{t} {{}}\n")),
                prop::sample::select(vec!["# c\n", "// c\n", "/* c\n c */\n", "\n"])
                    .prop_map(str::to_string),
            ],
            0..4,
        )
        .prop_map(numbered)
    })
}

fn numbered(items: Vec<String>) -> String {
    let items = items.iter().enumerate();
    items
        .map(|(i, s)| s.replacen("@ =", &format!("{i} ="), 1))
        .collect()
}

/// One edit that usually makes the input invalid.
#[derive(Debug, Clone)]
enum Mutation {
    Delete(usize),
    Insert(usize, char),
    Swap(usize),
}

fn mutate(src: &str, m: &Mutation) -> String {
    let mut chars: Vec<char> = src.chars().collect();
    if chars.is_empty() {
        return src.to_string();
    }
    match *m {
        Mutation::Delete(i) => {
            chars.remove(i % chars.len());
        }
        Mutation::Insert(i, c) => chars.insert(i % (chars.len() + 1), c),
        Mutation::Swap(i) => {
            let i = i % chars.len();
            if i + 1 < chars.len() {
                chars.swap(i, i + 1);
            }
        }
    }
    chars.into_iter().collect()
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let special = prop::sample::select(vec![
        '{', '}', '(', ')', '[', ']', '"', '=', ',', '.', '*', '\n', '?', ':', '%', '$', '~', '-',
        '!', '#', '<', '&', '|', ' ', '\\', 'x', '0',
    ]);
    prop_oneof![
        any::<usize>().prop_map(Mutation::Delete),
        (any::<usize>(), special).prop_map(|(i, c)| Mutation::Insert(i, c)),
        any::<usize>().prop_map(Mutation::Swap),
    ]
}

const GENERATED: usize = 5000;
const MUTATED: usize = 5000;

/// Runs `cases` inputs from `strategy` (seeded from the test name, so runs repeat) and
/// reports every disagreement, shortest first.
fn run_generated<S: Strategy>(
    min_accepted: usize,
    min_rejected: usize,
    label: &str,
    cases: usize,
    strategy: S,
    to_src: fn(&S::Value) -> String,
) {
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::from_seed(RngAlgorithm::ChaCha, &seed(label)),
    );
    let mut tally = Tally::default();
    for _ in 0..cases {
        let value = strategy.new_tree(&mut runner).unwrap().current();
        tally.check(label, &to_src(&value));
    }
    // The grammar must mostly yield valid bodies, and mutations often break them.
    let (ok, bad) = (tally.both_accept, tally.both_reject);
    assert!(
        ok >= min_accepted && bad >= min_rejected,
        "{label}: {ok} accepted, {bad} rejected"
    );
    tally.finish(label);
}

/// Fixed per test so failures repeat; `HCL_DIFF_SEED` picks another sequence and
/// `HCL_DIFF_CASES` another count, for longer runs by hand.
fn cases(default: usize) -> usize {
    let n = std::env::var("HCL_DIFF_CASES").ok();
    n.and_then(|n| n.parse().ok()).unwrap_or(default)
}

fn seed(label: &str) -> [u8; 32] {
    let extra = std::env::var("HCL_DIFF_SEED").unwrap_or_default();
    let mut s = [7u8; 32];
    for (i, b) in label.bytes().chain(extra.bytes()).enumerate() {
        s[i % 32] ^= b;
    }
    s
}

#[test]
fn hcl_differential_generated_bodies() {
    let n = cases(GENERATED);
    run_generated(n * 9 / 10, 0, "generated", n, body(), |s| s.clone());
}

#[test]
fn hcl_differential_mutated_bodies() {
    let n = cases(MUTATED);
    run_generated(
        n / 10,
        n / 4,
        "mutated",
        n,
        (body(), mutation()),
        |(s, m)| mutate(s, m),
    );
}
