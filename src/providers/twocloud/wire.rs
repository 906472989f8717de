//! The TwoCloud answer as it travels (seed 001): `{"code": 200, "msg": "", "vm_servers": [...]}`.
//!
//! Read by hand rather than by derive so that every complaint names the entry and the field
//! (`vm_servers[3] (instance_id "u23j"): cpu_num: expected an integer, got true`). Decoding
//! is as lenient as the seed forces and no more. The seed's field table and its example
//! disagree in two places, and both readings are accepted:
//! - `wan_ip_set` is typed "list" but the example sends a comma-separated string; either
//!   form is read, and kept as comma-separated text;
//! - `vm_servers` is typed "dict" but the example is a list of objects; a list is read
//!   (absent or `null` counts as an empty list).
//!
//! The numbers (`cpu_num`, `mem_size`, `disk_size`) are typed int; a Python service may
//! send them as numeric strings, which are read too. An absent or `null` field is empty
//! (0 for numbers), except `instance_id`, without which a server cannot be told apart.

use serde_json::{Map, Value};

/// The success code of the envelope (the seed's example answers `"code": 200`).
pub const CODE_OK: i64 = 200;

/// One entry of `vm_servers`: every field the seed lists.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct VmServer {
    pub instance_name: String,
    pub instance_id: String,
    pub cpu_num: i64,
    /// The memory size as the API sends it (the seed's example: 16).
    pub mem_size: i64,
    /// The disk size as the API sends it (the seed's example: 20).
    pub disk_size: i64,
    /// Private IPs, comma-separated (`"192.168.0.2,192.168.0.3"`).
    pub lan_ip_set: String,
    /// Public IPs, comma-separated (a JSON list is joined with commas).
    pub wan_ip_set: String,
    pub status: String,
    /// `"2014-07-29 15:08:39"`, kept as text (the seed gives no time zone).
    pub create_at: String,
    pub update_at: String,
}

impl VmServer {
    /// The private IPs, split and trimmed.
    pub fn lan_ips(&self) -> Vec<String> {
        split_ips(&self.lan_ip_set)
    }

    /// The public IPs, split and trimmed.
    pub fn wan_ips(&self) -> Vec<String> {
        split_ips(&self.wan_ip_set)
    }

    /// Reads one entry of `vm_servers`; the error names the field.
    pub fn from_json(v: &Value) -> Result<VmServer, String> {
        let Value::Object(m) = v else {
            return Err(format!("expected an object, got {}", kind_of(v)));
        };
        let server = VmServer {
            instance_name: text(m, "instance_name")?,
            instance_id: text(m, "instance_id")?,
            cpu_num: int(m, "cpu_num")?,
            mem_size: int(m, "mem_size")?,
            disk_size: int(m, "disk_size")?,
            lan_ip_set: ip_set(m, "lan_ip_set")?,
            wan_ip_set: ip_set(m, "wan_ip_set")?,
            status: text(m, "status")?,
            create_at: text(m, "create_at")?,
            update_at: text(m, "update_at")?,
        };
        if server.instance_id.trim().is_empty() {
            return Err("instance_id is missing or empty".to_string());
        }
        Ok(server)
    }
}

/// The items of a comma-separated IP set, without blanks.
pub fn split_ips(set: &str) -> Vec<String> {
    set.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// The envelope's code and message, enough to tell success from failure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    pub code: i64,
    pub msg: String,
}

impl Head {
    /// Reads `code` and `msg` of an answer; `None` when the body is not such an envelope.
    pub fn parse(body: &[u8]) -> Option<Head> {
        #[derive(serde::Deserialize)]
        struct Raw {
            code: Value,
            #[serde(default)]
            msg: Value,
        }
        let raw: Raw = serde_json::from_slice(body).ok()?;
        let code = match &raw.code {
            Value::Number(n) => n.as_i64()?,
            Value::String(s) => s.trim().parse().ok()?,
            _ => return None,
        };
        let msg = match raw.msg {
            Value::String(s) => s,
            Value::Null => String::new(),
            other => other.to_string(),
        };
        Some(Head { code, msg })
    }
}

/// A successful answer: its servers in the order sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServersAnswer {
    pub code: i64,
    pub msg: String,
    pub vm_servers: Vec<VmServer>,
}

impl ServersAnswer {
    /// Reads a whole answer; the error says where it departs from the seed's shape.
    pub fn parse(body: &[u8]) -> Result<ServersAnswer, String> {
        let head = Head::parse(body).ok_or_else(|| {
            let shown: String = String::from_utf8_lossy(body).chars().take(200).collect();
            format!(
                "the answer is not the API's JSON envelope {{code, msg, vm_servers}}: {shown:?}"
            )
        })?;
        let v: Value = serde_json::from_slice(body).map_err(|e| e.to_string())?;
        let list = match v.get("vm_servers") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(xs)) => xs
                .iter()
                .enumerate()
                .map(|(i, x)| {
                    VmServer::from_json(x).map_err(|e| {
                        let id = x.get("instance_id").and_then(Value::as_str);
                        match id {
                            Some(id) => format!("vm_servers[{i}] (instance_id {id:?}): {e}"),
                            None => format!("vm_servers[{i}]: {e}"),
                        }
                    })
                })
                .collect::<Result<_, _>>()?,
            Some(other) => {
                return Err(format!(
                    "vm_servers: expected a list of servers, got {}",
                    kind_of(other)
                ))
            }
        };
        Ok(ServersAnswer {
            code: head.code,
            msg: head.msg,
            vm_servers: list,
        })
    }
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

fn text(m: &Map<String, Value>, field: &str) -> Result<String, String> {
    match m.get(field) {
        None | Some(Value::Null) => Ok(String::new()),
        Some(Value::String(s)) => Ok(s.clone()),
        Some(other) => Err(format!(
            "{field}: expected a string, got {}",
            kind_of(other)
        )),
    }
}

/// An integer, or a string holding one.
fn int(m: &Map<String, Value>, field: &str) -> Result<i64, String> {
    match m.get(field) {
        None | Some(Value::Null) => Ok(0),
        Some(Value::Number(n)) => n
            .as_i64()
            .ok_or_else(|| format!("{field}: expected an integer, got {n}")),
        Some(Value::String(s)) => s
            .trim()
            .parse()
            .map_err(|_| format!("{field}: expected an integer, got the string {s:?}")),
        Some(other) => Err(format!(
            "{field}: expected an integer, got {}",
            kind_of(other)
        )),
    }
}

/// A comma-separated string or a list of strings, as comma-separated text.
fn ip_set(m: &Map<String, Value>, field: &str) -> Result<String, String> {
    match m.get(field) {
        Some(Value::Array(xs)) => xs
            .iter()
            .map(|x| match x {
                Value::String(s) => Ok(s.trim().to_string()),
                other => Err(format!(
                    "{field}: expected strings in the list, got {}",
                    kind_of(other)
                )),
            })
            .collect::<Result<Vec<_>, _>>()
            .map(|xs| xs.join(",")),
        _ => text(m, field),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_strings_and_numeric_strings_are_read() {
        let v: Value = serde_json::from_str(
            r#"{"instance_id":"i","cpu_num":"4","mem_size":8,"disk_size":null,
                "lan_ip_set":"10.0.0.1, 10.0.0.2","wan_ip_set":["1.2.3.4","5.6.7.8"]}"#,
        )
        .expect("json");
        let s = VmServer::from_json(&v).expect("server");
        assert_eq!(s.cpu_num, 4);
        assert_eq!(s.disk_size, 0);
        assert_eq!(s.lan_ips(), vec!["10.0.0.1", "10.0.0.2"]);
        assert_eq!(s.wan_ip_set, "1.2.3.4,5.6.7.8");
        let bad = ServersAnswer::parse(
            br#"{"code":200,"vm_servers":[{"instance_id":"u1","cpu_num":"four"}]}"#,
        )
        .expect_err("bad");
        assert_eq!(
            bad,
            r#"vm_servers[0] (instance_id "u1"): cpu_num: expected an integer, got the string "four""#
        );
        let bad = ServersAnswer::parse(br#"{"code":200,"vm_servers":[{"cpu_num":1}]}"#)
            .expect_err("no id");
        assert!(bad.contains("instance_id is missing"), "{bad}");
        let a =
            ServersAnswer::parse(br#"{"code":200,"msg":null,"vm_servers":null}"#).expect("answer");
        assert!(a.vm_servers.is_empty());
        assert!(ServersAnswer::parse(b"<html>").is_err());
    }
}
