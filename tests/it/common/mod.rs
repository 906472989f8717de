//! Shared helpers for integration tests: run the real `skyform` binary in a temporary
//! working directory, and a real simulator process (`skyform sim`) on an ephemeral
//! loopback port.
#![allow(dead_code)]

pub mod pty;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_skyform"))
}

/// A temporary working directory holding configuration files.
pub struct Work {
    pub dir: tempfile::TempDir,
}

impl Work {
    pub fn new(files: &[(&str, &str)]) -> Work {
        let dir = tempfile::tempdir().expect("tempdir");
        for (name, text) in files {
            let p = dir.path().join(name);
            if let Some(parent) = p.parent() {
                std::fs::create_dir_all(parent).expect("mkdir");
            }
            std::fs::write(p, text).expect("write config");
        }
        Work { dir }
    }

    /// A copy of one of the repository's example directories.
    pub fn example(name: &str) -> Work {
        let src = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("examples")
            .join(name);
        let w = Work::new(&[]);
        copy_dir(&src, w.path());
        w
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn write(&self, name: &str, text: &str) {
        std::fs::write(self.path().join(name), text).expect("write");
    }

    pub fn state_path(&self) -> PathBuf {
        self.path().join("state/default.json")
    }

    /// Runs `skyform -no-color ARGS` here.
    pub fn run(&self, args: &[&str]) -> Run {
        self.run_env(args, &[])
    }

    pub fn run_env(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        let mut cmd = Command::new(bin());
        cmd.arg("-no-color")
            .args(args)
            .current_dir(self.path())
            .stdin(Stdio::null());
        for (k, v) in env {
            cmd.env(k, v);
        }
        Run(cmd.output().expect("run skyform"))
    }
}

fn copy_dir(src: &Path, dst: &Path) {
    for e in std::fs::read_dir(src).expect("read example") {
        let e = e.expect("entry");
        let p = e.path();
        let name = e.file_name();
        if name == "state" {
            continue;
        }
        if p.is_dir() {
            std::fs::create_dir_all(dst.join(&name)).expect("mkdir");
            copy_dir(&p, &dst.join(&name));
        } else {
            std::fs::copy(&p, dst.join(&name)).expect("copy");
        }
    }
}

/// A finished command.
pub struct Run(pub Output);

impl Run {
    pub fn code(&self) -> i32 {
        self.0.status.code().unwrap_or(-1)
    }
    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.0.stdout).into_owned()
    }
    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.0.stderr).into_owned()
    }
    /// Asserts success and returns stdout.
    pub fn ok(&self) -> String {
        assert_eq!(
            self.code(),
            0,
            "command failed\nstdout:\n{}\nstderr:\n{}",
            self.stdout(),
            self.stderr()
        );
        self.stdout()
    }
    /// Asserts failure with exit 1 and returns stderr.
    pub fn fails(&self) -> String {
        assert_eq!(
            self.code(),
            1,
            "command should fail\nstdout:\n{}\nstderr:\n{}",
            self.stdout(),
            self.stderr()
        );
        self.stderr()
    }
}

/// A simulator process (`skyform sim`) on an ephemeral loopback port, killed on drop.
pub struct Sim {
    pub child: Child,
    pub addr: String,
    pub state_dir: tempfile::TempDir,
}

impl Sim {
    pub fn start(extra: &[&str]) -> Sim {
        let state_dir = tempfile::tempdir().expect("tempdir");
        let mut child = Command::new(bin())
            .args(["sim", "-listen", "127.0.0.1:0", "-state-dir"])
            .arg(state_dir.path())
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start simulator");
        let stdout = child.stdout.take().expect("sim stdout");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("read sim address");
        let addr = line
            .trim()
            .strip_prefix("listening on ")
            .expect("listening line")
            .to_string();
        Sim {
            child,
            addr,
            state_dir,
        }
    }

    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn get(&self, path: &str) -> serde_json::Value {
        reqwest::blocking::get(format!("{}{path}", self.endpoint()))
            .expect("GET")
            .json()
            .expect("JSON")
    }

    pub fn delete(&self, path: &str) -> serde_json::Value {
        reqwest::blocking::Client::new()
            .delete(format!("{}{path}", self.endpoint()))
            .header("X-CORRELATION-ID", "test-behind-skyforms-back")
            .send()
            .expect("DELETE")
            .json()
            .expect("JSON")
    }

    /// Replaces the simulator's knobs (`{"latency_ms": 100}`; unset ones are zero).
    pub fn set_knobs(&self, knobs: serde_json::Value) {
        let r = reqwest::blocking::Client::new()
            .put(format!("{}/_sim/knobs", self.endpoint()))
            .json(&knobs)
            .send()
            .expect("set knobs");
        assert!(r.status().is_success(), "set knobs: {}", r.status());
    }

    pub fn reset_counts(&self) {
        reqwest::blocking::Client::new()
            .delete(format!("{}/_sim/requests", self.endpoint()))
            .send()
            .expect("reset");
    }

    /// `METHOD /path` of every API request since the last reset, in arrival order.
    pub fn log(&self) -> Vec<String> {
        serde_json::from_value(self.get("/_sim/log")).expect("request log")
    }

    pub fn counts(&self) -> serde_json::Map<String, serde_json::Value> {
        match self.get("/_sim/requests") {
            serde_json::Value::Object(m) => m,
            other => panic!("unexpected counts {other}"),
        }
    }

    /// Ids of the instances that exist in the simulated cloud.
    pub fn instance_ids(&self) -> Vec<String> {
        let v = self.get("/v1/instance/list");
        v["content"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|i| i["InstanceId"].as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Polls `f` until it is true or the timeout passes.
pub fn wait_until(timeout: Duration, mut f: impl FnMut() -> bool) -> bool {
    let start = Instant::now();
    while start.elapsed() < timeout {
        if f() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    false
}

/// An mcloud instance block with the simulator catalog's values.
pub fn instance_block(name: &str, count: usize, extra: &str) -> String {
    format!(
        r#"resource "mcloud_instance" "{name}" {{
  count                = {count}
  cloud                = "aliyun"
  instance_type        = "ecs.c2.medium"
  image_id             = "centos7u2_64_40G_cloudinit_20160728.raw"
  system_disk_category = "cloud_efficiency"
  data_disk_size       = 100
  data_disk_num        = 1
  data_disk_category   = "cloud_efficiency"
{extra}
  network {{
    internet_charge_type       = "PayByBandwidth"
    internet_max_bandwidth_out = 5
  }}

  zone {{
    region_name = "cn-beijing"
    zone_name   = "cn-beijing-c"
  }}
}}
"#
    )
}

/// A provider block pointing at a simulator.
pub fn provider_block(endpoint: &str) -> String {
    format!("provider \"mcloud\" {{\n  endpoint = \"{endpoint}\"\n}}\n")
}

/// The instance addresses `skyform state list` prints.
pub fn state_list(w: &Work) -> Vec<String> {
    w.run(&["state", "list"])
        .ok()
        .lines()
        .map(str::to_string)
        .collect()
}

/// The id attribute of every instance in the state file (after journal replay, via `show -json`).
pub fn state_instance_ids(w: &Work) -> Vec<String> {
    let out = w.run(&["show", "-json"]).ok();
    let v: serde_json::Value = serde_json::from_str(&out).expect("show -json");
    v["values"]["root_module"]["resources"]
        .as_array()
        .map(|rs| {
            rs.iter()
                .filter(|r| r["type"] == "mcloud_instance")
                .filter_map(|r| r["values"]["id"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}
