//! The objects the 35 VM operations cannot create (VPCs, subnets, security
//! groups, spare NICs, elastic IPs and disks, instance types, public and
//! shared images, key pairs, quotas). A built-in catalogue ships with the
//! simulator; a JSON file (`-jdcloud-catalogue`) adds to it or replaces
//! entries with the same id.

use super::model::{
    azs, Cloud, Disk, ElasticIp, Image, InstanceType, NetworkInterface, SecurityGroup, Subnet, Vpc,
    FORMAT, REGIONS,
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

/// The simulated account's pin and login name (owner of private images).
pub const OWNER_PIN: &str = "skyform-user";

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct Catalogue {
    pub vpcs: Vec<Vpc>,
    pub subnets: Vec<Subnet>,
    pub security_groups: Vec<SecurityGroup>,
    pub network_interfaces: Vec<NetworkInterface>,
    pub elastic_ips: Vec<ElasticIp>,
    pub disks: Vec<Disk>,
    pub instance_types: Vec<InstanceType>,
    pub images: Vec<Image>,
    pub keypairs: Vec<String>,
    pub quotas: BTreeMap<String, i64>,
}

/// A short code per region for readable catalogue ids.
fn code(region: &str) -> &'static str {
    match region {
        "cn-north-1" => "bj",
        "cn-south-1" => "gz",
        "cn-east-1" => "sq",
        _ => "sh",
    }
}

fn itype(
    name: &str,
    family: &str,
    generation: i64,
    cpu: i64,
    gb: i64,
    nics: usize,
) -> InstanceType {
    InstanceType {
        instance_type: name.into(),
        family: family.into(),
        generation,
        cpu,
        memory_mb: gb * 1024,
        nic_limit: nics,
        cloud_disk_count_limit: 8,
        architecture: "x86_64".into(),
        desc: format!("{cpu} vCPU, {gb} GiB"),
        sold_out: false,
    }
}

#[allow(clippy::too_many_arguments)]
fn public_image(
    id: &str,
    name: &str,
    platform: &str,
    version: &str,
    os: &str,
    root: &str,
    size: i64,
    excluded: &[&str],
) -> Image {
    Image {
        image_id: id.into(),
        name: name.into(),
        desc: name.into(),
        region: String::new(),
        status: "ready".into(),
        image_source: "public".into(),
        platform: platform.into(),
        os_version: version.into(),
        os_type: os.into(),
        architecture: "x86_64".into(),
        root_device_type: root.into(),
        system_disk_size_gb: size,
        size_mb: size * 1024,
        create_ms: 1_577_836_800_000,
        owner_pin: "jdcloud".into(),
        excluded_types: excluded.iter().map(|s| s.to_string()).collect(),
        ..Image::default()
    }
}

impl Catalogue {
    /// The built-in catalogue (listed in docs/simulators.md).
    pub fn builtin() -> Catalogue {
        let mut c = Catalogue::default();
        for region in REGIONS {
            let k = code(region);
            let az = azs(region);
            c.vpcs.push(Vpc {
                vpc_id: format!("vpc-{k}0001"),
                vpc_name: "default".into(),
                region: region.to_string(),
                address_prefix: "10.0.0.0/16".into(),
            });
            c.vpcs.push(Vpc {
                vpc_id: format!("vpc-{k}0002"),
                vpc_name: "other".into(),
                region: region.to_string(),
                address_prefix: "172.16.0.0/16".into(),
            });
            for (n, vpc, cidr) in [
                (1, 1, "10.0.0.0/24"),
                (2, 1, "10.0.1.0/24"),
                (3, 2, "172.16.0.0/24"),
            ] {
                c.subnets.push(Subnet {
                    subnet_id: format!("subnet-{k}000{n}"),
                    subnet_name: format!("subnet-{n}"),
                    vpc_id: format!("vpc-{k}000{vpc}"),
                    region: region.to_string(),
                    address_prefix: cidr.into(),
                });
            }
            for (n, vpc, default) in [(1, 1, true), (2, 1, false), (3, 2, true)] {
                c.security_groups.push(SecurityGroup {
                    group_id: format!("sg-{k}000{n}"),
                    group_name: if default {
                        "default".into()
                    } else {
                        format!("sg-{n}")
                    },
                    vpc_id: format!("vpc-{k}000{vpc}"),
                    region: region.to_string(),
                    is_default: default,
                });
            }
            for (n, subnet, vpc, ip) in [
                (1, 1, 1, "10.0.0.201"),
                (2, 1, 1, "10.0.0.202"),
                (3, 3, 2, "172.16.0.201"),
            ] {
                c.network_interfaces.push(NetworkInterface {
                    network_interface_id: format!("port-{k}000{n}"),
                    network_interface_name: format!("spare-{n}"),
                    region: region.to_string(),
                    az: az[0].clone(),
                    vpc_id: format!("vpc-{k}000{vpc}"),
                    subnet_id: format!("subnet-{k}000{subnet}"),
                    mac_address: format!("fa:16:3e:00:{n:02x}:{:02x}", k.as_bytes()[0]),
                    primary_ip: ip.into(),
                    security_groups: vec![format!("sg-{k}000{}", if vpc == 1 { 1 } else { 3 })],
                    sanity_check: 1,
                    role: "Secondary".into(),
                    ..NetworkInterface::default()
                });
            }
            for (n, eip_az, last) in [(1, String::new(), 11), (2, az[1].clone(), 12)] {
                c.elastic_ips.push(ElasticIp {
                    elastic_ip_id: format!("fip-{k}000{n}"),
                    elastic_ip_address: format!("114.67.{}.{last}", 10 + code_index(region)),
                    region: region.to_string(),
                    az: eip_az,
                    bandwidth_mbps: 5,
                    provider: "bgp".into(),
                    ..ElasticIp::default()
                });
            }
            c.disks.push(Disk {
                disk_id: format!("vol-{k}0001"),
                name: "spare-ssd".into(),
                region: region.to_string(),
                az: az[0].clone(),
                disk_type: "ssd".into(),
                disk_size_gb: 40,
                status: "available".into(),
                ..Disk::default()
            });
            c.disks.push(Disk {
                disk_id: format!("vol-{k}0002"),
                name: "spare-hdd-b".into(),
                region: region.to_string(),
                az: az[1].clone(),
                disk_type: "premium-hdd".into(),
                disk_size_gb: 100,
                status: "available".into(),
                ..Disk::default()
            });
        }
        c.instance_types = vec![
            itype("g.n2.medium", "g.n2", 2, 1, 4, 2),
            itype("g.n2.large", "g.n2", 2, 2, 8, 3),
            itype("g.n2.xlarge", "g.n2", 2, 4, 16, 4),
            itype("c.n1.large", "c.n1", 1, 2, 4, 2),
            itype("c.n2.large", "c.n2", 2, 2, 4, 3),
            InstanceType {
                sold_out: true,
                ..itype("m.n2.large", "m.n2", 2, 2, 16, 3)
            },
        ];
        c.images = vec![
            public_image(
                "bba85cab-dfdc-4359-9218-7a2de429dd80",
                "Ubuntu 20.04 64位",
                "Ubuntu",
                "20.04",
                "linux",
                "cloudDisk",
                40,
                &[],
            ),
            public_image(
                "0b7a5d2e-3c61-4d8f-9a40-6f2c1e8b7d15",
                "CentOS 7.9 64位",
                "CentOS",
                "7.9",
                "linux",
                "localDisk",
                40,
                &[],
            ),
            public_image(
                "5e2f9c4a-81d7-4b3e-a6c0-2d9f7e1b4a68",
                "Windows Server 2019 数据中心版 64位 中文版",
                "Windows Server",
                "2019",
                "windows",
                "cloudDisk",
                50,
                &["g.n2.medium"],
            ),
            Image {
                image_source: "shared".into(),
                owner_pin: "partner-pin".into(),
                ..public_image(
                    "7c3e1a9b-52f4-4e8d-b0a7-9e6d2c4f1b83",
                    "partner-ubuntu",
                    "Ubuntu",
                    "20.04",
                    "linux",
                    "cloudDisk",
                    40,
                    &[],
                )
            },
        ];
        c.keypairs = vec!["skyform-key".into()];
        c.quotas = [
            ("instance", 20),
            ("instance_cpu", 80),
            ("instance_memory", 320),
            ("instance_local_disk", 20),
            ("keypair", 10),
            ("image", 10),
            ("instanceTemplate", 10),
            ("imageShare", 20),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        c
    }

    /// Reads a catalogue extension file.
    pub fn load(path: &Path) -> Result<Catalogue, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("read catalogue {}: {e}", path.display()))?;
        serde_json::from_str(&text).map_err(|e| format!("catalogue {}: {e}", path.display()))
    }

    /// Adds `other`'s entries; one with an id already present replaces it.
    pub fn extend(&mut self, other: Catalogue) {
        merge(&mut self.vpcs, other.vpcs, |v| v.vpc_id.clone());
        merge(&mut self.subnets, other.subnets, |v| v.subnet_id.clone());
        merge(&mut self.security_groups, other.security_groups, |v| {
            v.group_id.clone()
        });
        merge(
            &mut self.network_interfaces,
            other.network_interfaces,
            |v| v.network_interface_id.clone(),
        );
        merge(&mut self.elastic_ips, other.elastic_ips, |v| {
            v.elastic_ip_id.clone()
        });
        merge(&mut self.disks, other.disks, |v| v.disk_id.clone());
        merge(&mut self.instance_types, other.instance_types, |v| {
            v.instance_type.clone()
        });
        merge(&mut self.images, other.images, |v| v.image_id.clone());
        merge(&mut self.keypairs, other.keypairs, |v| v.clone());
        self.quotas.extend(other.quotas);
    }

    /// A fresh cloud holding the catalogue's objects.
    pub fn into_cloud(self) -> Cloud {
        let mut cloud = Cloud {
            format: FORMAT.into(),
            owner_pin: OWNER_PIN.into(),
            login_name: OWNER_PIN.into(),
            next_seq: 1,
            vpcs: self.vpcs,
            subnets: self.subnets,
            security_groups: self.security_groups,
            instance_types: self.instance_types,
            keypairs: self.keypairs,
            quotas: self.quotas,
            ..Cloud::default()
        };
        for mut nic in self.network_interfaces {
            if nic.role.is_empty() {
                nic.role = "Secondary".into();
            }
            cloud
                .network_interfaces
                .insert(nic.network_interface_id.clone(), nic);
        }
        for eip in self.elastic_ips {
            cloud.elastic_ips.insert(eip.elastic_ip_id.clone(), eip);
        }
        for mut disk in self.disks {
            if disk.status.is_empty() {
                disk.status = "available".into();
            }
            cloud.disks.insert(disk.disk_id.clone(), disk);
        }
        for mut image in self.images {
            if image.status.is_empty() {
                image.status = "ready".into();
            }
            cloud.images.insert(image.image_id.clone(), image);
        }
        cloud
    }
}

fn code_index(region: &str) -> usize {
    REGIONS.iter().position(|r| *r == region).unwrap_or(0)
}

fn merge<T>(into: &mut Vec<T>, from: Vec<T>, id: impl Fn(&T) -> String) {
    for item in from {
        let key = id(&item);
        match into.iter().position(|x| id(x) == key) {
            Some(i) => into[i] = item,
            None => into.push(item),
        }
    }
}
