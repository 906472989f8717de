//! Runs the real binary on a pseudo-terminal, as a person at a terminal would, and returns
//! every byte it wrote there (escape sequences included). Built on the C library's
//! `posix_openpt`, so the test needs neither `script` nor a pty crate.

use std::fs::File;
use std::io::Read;
use std::os::fd::{FromRawFd, OwnedFd};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

/// What a run on a terminal wrote, and its exit code.
pub struct TtyRun {
    pub output: String,
    pub code: i32,
}

fn os_error(what: &str) -> String {
    format!("{what}: {}", std::io::Error::last_os_error())
}

/// A new pseudo-terminal of `cols` x `rows`: (controller, path of the device end).
fn open_pty(cols: u16, rows: u16) -> Result<(File, String), String> {
    // SAFETY: plain libc calls on a descriptor this function owns; ptsname_r writes into a
    // buffer of the length given.
    unsafe {
        let fd = libc::posix_openpt(libc::O_RDWR | libc::O_NOCTTY);
        if fd < 0 {
            return Err(os_error("posix_openpt"));
        }
        let controller = File::from_raw_fd(fd);
        if libc::grantpt(fd) != 0 || libc::unlockpt(fd) != 0 {
            return Err(os_error("grantpt/unlockpt"));
        }
        let mut name = [0 as libc::c_char; 128];
        if libc::ptsname_r(fd, name.as_mut_ptr(), name.len()) != 0 {
            return Err(os_error("ptsname_r"));
        }
        let path = std::ffi::CStr::from_ptr(name.as_ptr())
            .to_string_lossy()
            .into_owned();
        let size = libc::winsize {
            ws_row: rows,
            ws_col: cols,
            ws_xpixel: 0,
            ws_ypixel: 0,
        };
        libc::ioctl(fd, libc::TIOCSWINSZ, &size);
        Ok((controller, path))
    }
}

/// Runs `skyform ARGS` in `dir` with stdin, stdout and stderr on one terminal of 120
/// columns, and `env` set (plus `TERM=xterm-256color`); gives up after `timeout`.
pub fn run_on_tty(dir: &Path, args: &[&str], env: &[(&str, &str)], timeout: Duration) -> TtyRun {
    let (mut controller, path) = open_pty(120, 40).expect("a pseudo-terminal");
    let device = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(&path)
        .expect("open the terminal device");
    let fd: OwnedFd = device.into();
    let mut cmd = Command::new(super::bin());
    cmd.args(args)
        .current_dir(dir)
        .env("TERM", "xterm-256color")
        .env_remove("NO_COLOR")
        .env_remove("TF_IN_AUTOMATION")
        .env_remove("SKYFORM_PROGRESS")
        .stdin(Stdio::from(fd.try_clone().expect("dup")))
        .stdout(Stdio::from(fd.try_clone().expect("dup")))
        .stderr(Stdio::from(fd));
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("run skyform on the terminal");
    // Our copies of the device end are closed with `cmd`, so reading ends (EIO) once the
    // child and everything it started have closed theirs.
    drop(cmd);
    let reader = std::thread::spawn(move || {
        let mut out = Vec::new();
        let mut buf = [0u8; 8192];
        loop {
            match controller.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => out.extend_from_slice(&buf[..n]),
            }
        }
        out
    });
    let deadline = std::time::Instant::now() + timeout;
    let code = loop {
        match child.try_wait().expect("wait") {
            Some(status) => break status.code().unwrap_or(-1),
            None if std::time::Instant::now() > deadline => {
                let _ = child.kill();
                panic!("skyform {args:?} did not finish on the terminal within {timeout:?}");
            }
            None => std::thread::sleep(Duration::from_millis(50)),
        }
    };
    let output = reader.join().expect("reader");
    TtyRun {
        output: String::from_utf8_lossy(&output).into_owned(),
        code,
    }
}

/// The text a terminal shows once everything is drawn: escape sequences removed, and each
/// line as its last redraw left it (what follows the last carriage return).
pub fn screen_text(raw: &str) -> String {
    let plain = strip_escapes(raw);
    plain
        .split('\n')
        .map(|l| {
            let l = l.trim_end_matches('\r');
            l.rsplit('\r').next().unwrap_or(l).to_string()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// `raw` without CSI (`ESC [ … letter`) and other two-byte escape sequences.
pub fn strip_escapes(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\x1b' {
            out.push(c);
            continue;
        }
        // CSI: parameters up to a final byte in @..~; any other escape is two bytes.
        if let Some('[') = chars.next() {
            for c in chars.by_ref() {
                if ('@'..='~').contains(&c) {
                    break;
                }
            }
        }
    }
    out
}
