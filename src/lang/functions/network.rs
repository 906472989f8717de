//! IP network functions: `cidrhost`, `cidrnetmask`, `cidrsubnet`, `cidrsubnets`, for IPv4
//! and IPv6, with addresses held as integers of the family's width.

use super::{arg_err, arg_int, arg_str, call_err, p, spec, t_list_str, t_str};
use super::{FnErr, FnResult, FunctionContext, Spec, Value, P};
use std::net::{Ipv4Addr, Ipv6Addr};

pub(super) const SPECS: &[Spec] = &[
    spec(
        "cidrhost",
        &[p("prefix", P::Str), p("hostnum", P::Num)],
        t_str,
        cidrhost,
    ),
    spec("cidrnetmask", &[p("prefix", P::Str)], t_str, cidrnetmask),
    spec(
        "cidrsubnet",
        &[
            p("prefix", P::Str),
            p("newbits", P::Num),
            p("netnum", P::Num),
        ],
        t_str,
        cidrsubnet,
    ),
    spec(
        "cidrsubnets",
        &[p("prefix", P::Str)],
        t_list_str,
        cidrsubnets,
    )
    .var(p("newbits", P::Num)),
];

/// A network: its address (host bits cleared), prefix length and family width.
#[derive(Clone, Copy)]
struct Net {
    addr: u128,
    len: u32,
    bits: u32,
}

impl Net {
    fn mask(&self, len: u32) -> u128 {
        let width_mask = if self.bits == 128 {
            u128::MAX
        } else {
            (1u128 << self.bits) - 1
        };
        if len == 0 {
            0
        } else {
            (width_mask << (self.bits - len.min(self.bits))) & width_mask
        }
    }

    fn host_mask(&self, len: u32) -> u128 {
        !self.mask(len) & self.mask(self.bits)
    }

    fn addr_string(&self, a: u128) -> String {
        if self.bits == 32 {
            Ipv4Addr::from(a as u32).to_string()
        } else {
            Ipv6Addr::from(a).to_string()
        }
    }

    fn cidr_string(&self, a: u128, len: u32) -> String {
        format!("{}/{}", self.addr_string(a), len)
    }
}

fn parse_cidr(s: &str) -> Result<Net, FnErr> {
    let invalid = || {
        call_err(format!(
            "invalid CIDR expression: invalid CIDR address: {s}"
        ))
    };
    let (ip, len) = s.split_once('/').ok_or_else(invalid)?;
    if len.is_empty() || !len.chars().all(|c| c.is_ascii_digit()) || len.len() > 3 {
        return Err(invalid());
    }
    let len: u32 = len.parse().map_err(|_| invalid())?;
    let (addr, bits) = if let Ok(v4) = ip.parse::<Ipv4Addr>() {
        (u32::from(v4) as u128, 32)
    } else if let Ok(v6) = ip.parse::<Ipv6Addr>() {
        (u128::from(v6), 128)
    } else {
        return Err(invalid());
    };
    if len > bits {
        return Err(invalid());
    }
    let mut net = Net { addr, len, bits };
    net.addr &= net.mask(len);
    Ok(net)
}

fn cidrhost(args: &[Value], _: &FunctionContext) -> FnResult {
    let net = parse_cidr(arg_str(args, 0))?;
    let mut host = arg_int(args, 1)? as i128;
    let host_bits = net.bits - net.len;
    // Hosts that fit: 2^host_bits (capped so the arithmetic cannot overflow).
    let capacity: i128 = if host_bits >= 126 {
        i128::MAX
    } else {
        1i128 << host_bits
    };
    if host < 0 {
        host += capacity;
    }
    if host < 0 || host >= capacity {
        let shown = if host < 0 { host.max(-1) } else { host };
        return Err(call_err(format!(
            "prefix of {} does not accommodate a host numbered {}",
            net.len, shown
        )));
    }
    Ok(Value::String(net.addr_string(net.addr | host as u128)))
}

fn cidrnetmask(args: &[Value], _: &FunctionContext) -> FnResult {
    let net = parse_cidr(arg_str(args, 0))?;
    Ok(Value::String(net.addr_string(net.mask(net.len))))
}

fn cidrsubnet(args: &[Value], _: &FunctionContext) -> FnResult {
    let net = parse_cidr(arg_str(args, 0))?;
    let newbits = arg_int(args, 1)?;
    let netnum = arg_int(args, 2)?;
    let new_len = net.len as i64 + newbits;
    if new_len > net.bits as i64 {
        return Err(call_err(format!(
            "insufficient address space to extend prefix of {} by {}",
            net.len, newbits
        )));
    }
    if new_len < 0 {
        return Err(arg_err(1, "newbits must not shorten the prefix below zero"));
    }
    let new_len = new_len as u32;
    let fits = newbits < 0 || (netnum >= 0 && (newbits >= 63 || netnum < (1i64 << newbits)));
    if !fits {
        return Err(call_err(format!(
            "prefix extension of {newbits} does not accommodate a subnet numbered {netnum}"
        )));
    }
    let shift = net.bits - new_len;
    let sub = (net.addr & net.mask(new_len)) | ((netnum as u128) << shift) & net.mask(net.bits);
    Ok(Value::String(
        net.cidr_string(sub & net.mask(new_len), new_len),
    ))
}

fn cidrsubnets(args: &[Value], _: &FunctionContext) -> FnResult {
    let net = parse_cidr(arg_str(args, 0))?;
    let width_mask = net.mask(net.bits);
    let mut lens = Vec::new();
    for i in 1..args.len() {
        let newbits = arg_int(args, i)?;
        if newbits < 1 {
            return Err(arg_err(i, "must extend prefix by at least one bit"));
        }
        if newbits > 32 {
            return Err(arg_err(i, "may not extend prefix by more than 32 bits"));
        }
        let len = net.len as i64 + newbits;
        if len > net.bits as i64 {
            let protocol = if net.bits == 32 { "IPv4" } else { "IPv6" };
            return Err(arg_err(
                i,
                format!("would extend prefix to {len} bits, which is too long for an {protocol} address"),
            ));
        }
        lens.push(len as u32);
    }
    let Some(&first) = lens.first() else {
        return Ok(Value::List(vec![]));
    };
    // Start with the subnet just before the network, so the first "next" is its start.
    let mut current = (
        net.addr.wrapping_sub(1) & width_mask & net.mask(first),
        first,
    );
    let mut out = Vec::with_capacity(lens.len());
    for (i, &len) in lens.iter().enumerate() {
        let last = current.0 | net.host_mask(current.1);
        let sub_last = (last & net.mask(len)) | net.host_mask(len);
        let inc = sub_last.wrapping_add(1) & width_mask;
        let next = inc & net.mask(len);
        let inside = (next & net.mask(net.len)) == net.addr;
        if inc == 0 || !inside {
            return Err(arg_err(
                i + 1,
                format!(
                    "not enough remaining address space for a subnet with a prefix of {len} bits after {}",
                    net.cidr_string(current.0, current.1)
                ),
            ));
        }
        current = (next, len);
        out.push(Value::String(net.cidr_string(next, len)));
    }
    Ok(Value::List(out))
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;

    #[test]
    fn hosts_and_masks() {
        assert_eq!(
            ok("cidrhost", vec![s("10.12.112.0/20"), n(-1)]),
            s("10.12.127.255")
        );
        assert_eq!(ok("cidrhost", vec![s("10.0.0.0/30"), n(3)]), s("10.0.0.3"));
        assert_eq!(ok("cidrhost", vec![s("10.0.0.1/24"), n(1)]), s("10.0.0.1"));
        assert_eq!(ok("cidrhost", vec![s("fd00::/64"), n(5)]), s("fd00::5"));
        let (_, d) = err("cidrhost", vec![s("10.0.0.0/30"), n(4)]);
        assert!(d.ends_with("prefix of 30 does not accommodate a host numbered 4."));
        let (_, d) = err("cidrhost", vec![s("10.0.0.0/30"), n(-5)]);
        assert!(d.ends_with("prefix of 30 does not accommodate a host numbered -1."));
        let (_, d) = err("cidrhost", vec![s("x"), n(1)]);
        assert!(d.ends_with("invalid CIDR expression: invalid CIDR address: x."));
        assert_eq!(
            ok("cidrnetmask", vec![s("172.16.0.0/12")]),
            s("255.240.0.0")
        );
        assert_eq!(ok("cidrnetmask", vec![s("fd00::/8")]), s("ff00::"));
        assert_eq!(ok("cidrnetmask", vec![s("0.0.0.0/0")]), s("0.0.0.0"));
    }

    #[test]
    fn subnets() {
        assert_eq!(
            ok(
                "cidrsubnet",
                vec![s("fd00:fd12:3456:7890::/56"), n(16), n(162)]
            ),
            s("fd00:fd12:3456:7800:a200::/72")
        );
        assert_eq!(
            ok("cidrsubnet", vec![s("10.1.2.0/24"), n(4), n(15)]),
            s("10.1.2.240/28")
        );
        let (_, d) = err("cidrsubnet", vec![s("10.0.0.0/8"), n(8), n(256)]);
        assert!(d.ends_with("prefix extension of 8 does not accommodate a subnet numbered 256."));
        let (_, d) = err("cidrsubnet", vec![s("10.0.0.0/30"), n(3), n(0)]);
        assert!(d.ends_with("insufficient address space to extend prefix of 30 by 3."));
        assert_eq!(
            okj(
                "cidrsubnets",
                vec![s("fd00:fd12:3456:7890::/56"), n(16), n(16), n(16), n(32)]
            ),
            r#"["fd00:fd12:3456:7800::/72","fd00:fd12:3456:7800:100::/72","fd00:fd12:3456:7800:200::/72","fd00:fd12:3456:7800:300::/88"]"#
        );
        assert_eq!(
            okj("cidrsubnets", vec![s("10.0.0.0/8"), n(8), n(4), n(8)]),
            r#"["10.0.0.0/16","10.16.0.0/12","10.32.0.0/16"]"#
        );
        assert_eq!(okj("cidrsubnets", vec![s("10.0.0.0/8")]), "[]");
        let (sm, d) = err(
            "cidrsubnets",
            vec![s("10.0.0.0/30"), n(2), n(2), n(2), n(2), n(2)],
        );
        assert_eq!(sm, "Invalid function argument");
        assert_eq!(d, "Invalid value for \"newbits\" parameter: not enough remaining address space for a subnet with a prefix of 32 bits after 10.0.0.3/32.");
    }
}
