//! Filesystem functions. Relative paths resolve against `FunctionContext::base_dir`
//! (the module directory); path manipulation follows Go's `path/filepath` rules, which is
//! what Terraform uses.

use super::{arg_err, arg_str, call_err, p, spec, t_bool, t_str};
use super::{FnErr, FnResult, FunctionContext, Spec, Type, Value, P};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use std::path::{Path, PathBuf};

pub(super) const SPECS: &[Spec] = &[
    spec("abspath", &[p("path", P::Str)], t_str, abspath),
    spec("basename", &[p("path", P::Str)], t_str, basename),
    spec("dirname", &[p("path", P::Str)], t_str, dirname),
    spec("pathexpand", &[p("path", P::Str)], t_str, pathexpand),
    spec("file", &[p("path", P::Str)], t_str, file),
    spec("filebase64", &[p("path", P::Str)], t_str, filebase64),
    spec("fileexists", &[p("path", P::Str)], t_bool, fileexists),
    spec(
        "fileset",
        &[p("path", P::Str), p("pattern", P::Str)],
        t_set_str,
        fileset,
    ),
];

fn t_set_str() -> Type {
    Type::set(Type::String)
}

/// Files larger than this are refused rather than read into memory.
const MAX_FILE_BYTES: u64 = 256 * 1024 * 1024;

fn resolve(ctx: &FunctionContext, path: &str) -> PathBuf {
    let expanded = expand_home(path);
    let p = Path::new(&expanded);
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        ctx.base_dir.join(p)
    }
}

fn expand_home(path: &str) -> String {
    if path == "~" || path.starts_with("~/") {
        if let Some(home) = std::env::var_os("HOME") {
            return format!("{}{}", home.to_string_lossy(), &path[1..]);
        }
    }
    path.to_string()
}

/// Reads the file named by argument 0, with Terraform's messages.
pub(super) fn read_file(args: &[Value], ctx: &FunctionContext) -> Result<Vec<u8>, FnErr> {
    let path = arg_str(args, 0);
    let full = resolve(ctx, path);
    let meta = std::fs::metadata(&full).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            arg_err(0, format!("no file exists at {path}; this function works only with files that are distributed as part of the configuration source code, so if this file will be created by a resource in this configuration you must instead obtain this result from an attribute of that resource"))
        } else {
            call_err(format!("open {path}: {e}"))
        }
    })?;
    if !meta.is_file() {
        return Err(arg_err(0, format!("failed to read {path}")));
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(arg_err(0, format!("{path} is too large to read")));
    }
    std::fs::read(&full).map_err(|e| arg_err(0, format!("failed to read {path}: {e}")))
}

fn file(args: &[Value], ctx: &FunctionContext) -> FnResult {
    let bytes = read_file(args, ctx)?;
    String::from_utf8(bytes).map(Value::String).map_err(|_| {
        arg_err(0, format!("contents of {} are not valid UTF-8; use the filebase64 function to obtain the Base64 encoded contents or the other file functions (e.g. filemd5, filesha256) to obtain file hashing results instead", arg_str(args, 0)))
    })
}

fn filebase64(args: &[Value], ctx: &FunctionContext) -> FnResult {
    Ok(Value::String(STANDARD.encode(read_file(args, ctx)?)))
}

fn fileexists(args: &[Value], ctx: &FunctionContext) -> FnResult {
    let path = arg_str(args, 0);
    match std::fs::metadata(resolve(ctx, path)) {
        Ok(m) if m.is_file() => Ok(Value::Bool(true)),
        Ok(_) => Err(call_err(format!("{path} is not a regular file"))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Value::Bool(false)),
        Err(e) => Err(call_err(format!("failed to stat {path}: {e}"))),
    }
}

/// `fileset(path, pattern)`: the files under `path` matching the glob, relative to `path`,
/// with forward slashes.
fn fileset(args: &[Value], ctx: &FunctionContext) -> FnResult {
    let base = arg_str(args, 0);
    let pattern = arg_str(args, 1);
    let root = resolve(ctx, base);
    let glob = globset::GlobBuilder::new(pattern)
        .literal_separator(true)
        .build()
        .map_err(|e| arg_err(1, format!("failed to glob pattern ({pattern}): {e}")))?
        .compile_matcher();
    let mut found = Vec::new();
    for entry in walkdir::WalkDir::new(&root)
        .follow_links(false)
        .max_depth(64)
    {
        let Ok(entry) = entry else { continue };
        if !entry.file_type().is_file() {
            continue;
        }
        let Ok(rel) = entry.path().strip_prefix(&root) else {
            continue;
        };
        let rel = rel.to_string_lossy().replace('\\', "/");
        if glob.is_match(&rel) {
            found.push(Value::String(rel));
        }
    }
    Ok(Value::set_from(found))
}

fn abspath(args: &[Value], _: &FunctionContext) -> FnResult {
    let path = arg_str(args, 0);
    let joined = if Path::new(path).is_absolute() {
        path.to_string()
    } else {
        let cwd = std::env::current_dir()
            .map_err(|e| call_err(format!("cannot find the current directory: {e}")))?;
        format!("{}/{path}", cwd.to_string_lossy())
    };
    Ok(Value::String(clean(&joined)))
}

/// Go's `path.Clean`: the shortest equivalent path by lexical processing.
pub(super) fn clean(path: &str) -> String {
    if path.is_empty() {
        return ".".to_string();
    }
    let rooted = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for seg in path.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|p| *p != "..") {
                    parts.pop();
                } else if !rooted {
                    parts.push("..");
                }
            }
            s => parts.push(s),
        }
    }
    let body = parts.join("/");
    match (rooted, body.is_empty()) {
        (true, _) => format!("/{body}"),
        (false, true) => ".".to_string(),
        (false, false) => body,
    }
}

fn dirname(args: &[Value], _: &FunctionContext) -> FnResult {
    let path = arg_str(args, 0);
    let dir = match path.rfind('/') {
        Some(i) => &path[..=i],
        None => "",
    };
    Ok(Value::String(clean(dir)))
}

fn basename(args: &[Value], _: &FunctionContext) -> FnResult {
    let path = arg_str(args, 0);
    if path.is_empty() {
        return Ok(Value::string("."));
    }
    let trimmed = path.trim_end_matches('/');
    if trimmed.is_empty() {
        return Ok(Value::string("/"));
    }
    let base = trimmed.rsplit('/').next().unwrap_or(trimmed);
    Ok(Value::string(base))
}

fn pathexpand(args: &[Value], _: &FunctionContext) -> FnResult {
    Ok(Value::String(expand_home(arg_str(args, 0))))
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;
    use super::super::{call, FunctionContext, Value};

    #[test]
    fn path_manipulation() {
        assert_eq!(ok("basename", vec![s("foo/bar/baz.txt")]), s("baz.txt"));
        assert_eq!(ok("basename", vec![s("/a/b/")]), s("b"));
        assert_eq!(ok("basename", vec![s("")]), s("."));
        assert_eq!(ok("dirname", vec![s("/a/b/")]), s("/a/b"));
        assert_eq!(ok("dirname", vec![s("a")]), s("."));
        assert_eq!(ok("dirname", vec![s("")]), s("."));
        assert_eq!(ok("dirname", vec![s("foo/bar/baz.txt")]), s("foo/bar"));
        assert_eq!(super::clean("a/../b/./c//"), "b/c");
        assert_eq!(super::clean("/../a"), "/a");
        let abs = ok("abspath", vec![s("a/../b")]);
        assert!(abs
            .as_str()
            .is_some_and(|p| p.starts_with('/') && p.ends_with("/b")));
    }

    #[test]
    fn reading_files() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let ctx = FunctionContext {
            base_dir: dir.path().to_path_buf(),
        };
        std::fs::write(dir.path().join("a.txt"), "hello").unwrap_or_else(|e| panic!("{e}"));
        std::fs::create_dir(dir.path().join("sub")).unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(dir.path().join("sub/b.txt"), [0xff]).unwrap_or_else(|e| panic!("{e}"));
        let c = |name: &str, args: Vec<Value>| call(name, args, &ctx);
        assert_eq!(c("file", vec![s("a.txt")]), Some(Ok(s("hello"))));
        assert_eq!(c("filebase64", vec![s("sub/b.txt")]), Some(Ok(s("/w=="))));
        assert_eq!(
            c("fileexists", vec![s("a.txt")]),
            Some(Ok(Value::Bool(true)))
        );
        assert_eq!(
            c("fileexists", vec![s("nope")]),
            Some(Ok(Value::Bool(false)))
        );
        assert_eq!(
            c("filemd5", vec![s("a.txt")]),
            Some(Ok(s("5d41402abc4b2a76b9719d911017c592")))
        );
        let Some(Err(e)) = c("file", vec![s("nope.txt")]) else {
            panic!("expected an error")
        };
        assert_eq!(e.summary, "Invalid function argument");
        assert!(e.detail.contains("no file exists at nope.txt"));
        let Some(Err(e)) = c("file", vec![s("sub/b.txt")]) else {
            panic!("expected an error")
        };
        assert!(e.detail.contains("not valid UTF-8"));
        let Some(Ok(set)) = c("fileset", vec![s("."), s("**/*.txt")]) else {
            panic!("fileset failed")
        };
        assert_eq!(json(&set), r#"["a.txt","sub/b.txt"]"#);
        let Some(Ok(set)) = c("fileset", vec![s("."), s("*.txt")]) else {
            panic!("fileset failed")
        };
        assert_eq!(json(&set), r#"["a.txt"]"#);
    }
}
