//! The clouds the simulator knows: providers, regions, zones, VPCs, subnets,
//! images, security groups, instance types, charge types and disk categories.
//!
//! The seed's example objects are all here (so its examples validate), plus
//! enough more to be useful. Subnets are derived: every VPC has one subnet per
//! zone of its region, with a stable id.

use serde_json::{json, Value};

/// One cloud provider's catalog.
pub struct ProviderCatalog {
    pub name: &'static str,
    pub regions: &'static [RegionDef],
    /// (instance type, CPUs, RAM in GB).
    pub instance_types: &'static [(&'static str, i64, i64)],
    pub charge_types: &'static [&'static str],
    pub disk_categories: &'static [&'static str],
    /// `CostWay` of its instances.
    pub cost_way: &'static str,
}

pub struct RegionDef {
    pub name: &'static str,
    /// Display name used in zone listings ("华北 2").
    pub display: &'static str,
    pub zones: &'static [&'static str],
    pub vpcs: &'static [VpcDef],
    pub images: &'static [ImageDef],
    pub security_groups: &'static [SecurityGroupDef],
}

pub struct VpcDef {
    pub id: &'static str,
    pub cidr: &'static str,
    pub is_default: bool,
}

pub struct ImageDef {
    pub id: &'static str,
    pub name: &'static str,
    pub description: &'static str,
    pub creation_date: &'static str,
    pub owner: &'static str,
}

pub struct SecurityGroupDef {
    pub id: &'static str,
    pub name: &'static str,
    pub description: &'static str,
    pub vpc_id: &'static str,
}

const ALIYUN_IMAGES: &[ImageDef] = &[
    ImageDef {
        id: "centos7u2_64_40G_cloudinit_20160728.raw",
        name: "centos7u2_64_40G_cloudinit_20160728.raw",
        description: "CentOS 7.2 64位",
        creation_date: "2016-07-28T00:00:00Z",
        owner: "system",
    },
    ImageDef {
        id: "m-2zefnwiq237sjwnt7oez",
        name: "mapi-image-2017073101",
        description: "升级docker到1.12\n添加mesos-slave",
        creation_date: "2017-07-31T09:00:02Z",
        owner: "self",
    },
    ImageDef {
        id: "ubuntu_16_0402_64_40G_base_20170222.vhd",
        name: "ubuntu_16_0402_64_40G_base_20170222.vhd",
        description: "Ubuntu 16.04 64位",
        creation_date: "2017-02-22T00:00:00Z",
        owner: "system",
    },
];

const ALIYUN_SG_BEIJING: &[SecurityGroupDef] = &[
    SecurityGroupDef {
        id: "sg-2ze727lmif5l3o5x5vf5",
        name: "p2p_group",
        description: "P2P",
        vpc_id: "",
    },
    SecurityGroupDef {
        id: "sg-25vpbkswc",
        name: "sg-25vpbkswc",
        description: "System created security group.",
        vpc_id: "",
    },
];

const ALIYUN_REGIONS: &[RegionDef] = &[
    RegionDef {
        name: "cn-beijing",
        display: "华北 2",
        zones: &[
            "cn-beijing-a",
            "cn-beijing-b",
            "cn-beijing-c",
            "cn-beijing-d",
            "cn-beijing-e",
        ],
        vpcs: &[
            VpcDef {
                id: "vpc-2ze0sufdt8yiguyg8u2lp",
                cidr: "172.17.0.0/16",
                is_default: false,
            },
            VpcDef {
                id: "vpc-2zeb7rrw1dbp1xvl2ip3n",
                cidr: "192.168.0.0/16",
                is_default: true,
            },
        ],
        images: ALIYUN_IMAGES,
        security_groups: ALIYUN_SG_BEIJING,
    },
    RegionDef {
        name: "cn-zhangjiakou",
        display: "华北 3",
        zones: &["cn-zhangjiakou-a", "cn-zhangjiakou-b"],
        vpcs: &[VpcDef {
            id: "vpc-8vbc6tmhyzmlq9h8zxk4t",
            cidr: "172.16.0.0/16",
            is_default: true,
        }],
        images: ALIYUN_IMAGES,
        security_groups: &[SecurityGroupDef {
            id: "sg-8vb0gc5xq5yw6s2mcdqh",
            name: "default",
            description: "System created security group.",
            vpc_id: "vpc-8vbc6tmhyzmlq9h8zxk4t",
        }],
    },
    RegionDef {
        name: "cn-hangzhou",
        display: "华东 1",
        zones: &[
            "cn-hangzhou-b",
            "cn-hangzhou-e",
            "cn-hangzhou-f",
            "cn-hangzhou-g",
        ],
        vpcs: &[VpcDef {
            id: "vpc-bp1opxu1zkhn00gzv26cz",
            cidr: "172.16.0.0/12",
            is_default: true,
        }],
        images: ALIYUN_IMAGES,
        security_groups: &[SecurityGroupDef {
            id: "sg-bp1fg655nh68xyz9i3kn",
            name: "default",
            description: "System created security group.",
            vpc_id: "vpc-bp1opxu1zkhn00gzv26cz",
        }],
    },
    RegionDef {
        name: "cn-shanghai",
        display: "华东 2",
        zones: &["cn-shanghai-a", "cn-shanghai-b"],
        vpcs: &[VpcDef {
            id: "vpc-uf6f7l4fg90oxbtbdumr0",
            cidr: "10.0.0.0/8",
            is_default: true,
        }],
        images: ALIYUN_IMAGES,
        security_groups: &[SecurityGroupDef {
            id: "sg-uf6fr3ph4kmn4wvxcavs",
            name: "default",
            description: "System created security group.",
            vpc_id: "vpc-uf6f7l4fg90oxbtbdumr0",
        }],
    },
];

const AWS_IMAGES: &[ImageDef] = &[
    ImageDef {
        id: "ami-3965b454",
        name: "amzn-ami-hvm-2017.03.1.20170623-x86_64-gp2",
        description: "Amazon Linux AMI 2017.03.1",
        creation_date: "2017-06-23T00:00:00Z",
        owner: "amazon",
    },
    ImageDef {
        id: "ami-7a4f9f17",
        name: "CentOS Linux 7 x86_64 HVM EBS 1704_01",
        description: "CentOS Linux 7",
        creation_date: "2017-05-04T00:00:00Z",
        owner: "aws-marketplace",
    },
];

const AWS_REGIONS: &[RegionDef] = &[
    RegionDef {
        name: "cn-north",
        display: "China (Beijing)",
        zones: &["cn-north-1", "cn-north-1a", "cn-north-1b"],
        vpcs: &[
            VpcDef {
                id: "vpc-62a57d06",
                cidr: "172.31.0.0/16",
                is_default: true,
            },
            VpcDef {
                id: "vpc-b7b907d2",
                cidr: "10.10.0.0/16",
                is_default: false,
            },
        ],
        images: AWS_IMAGES,
        security_groups: &[SecurityGroupDef {
            id: "sg-d6d62bb3",
            name: "default",
            description: "default VPC security group",
            vpc_id: "vpc-62a57d06",
        }],
    },
    RegionDef {
        name: "us-east-1",
        display: "US East (N. Virginia)",
        zones: &["us-east-1a", "us-east-1b", "us-east-1c"],
        vpcs: &[VpcDef {
            id: "vpc-0a1b2c3d",
            cidr: "172.31.0.0/16",
            is_default: true,
        }],
        images: AWS_IMAGES,
        security_groups: &[SecurityGroupDef {
            id: "sg-0f1e2d3c",
            name: "default",
            description: "default VPC security group",
            vpc_id: "vpc-0a1b2c3d",
        }],
    },
];

const OPENSTACK_REGIONS: &[RegionDef] = &[RegionDef {
    name: "RegionOne",
    display: "RegionOne",
    zones: &["nova"],
    vpcs: &[VpcDef {
        id: "net-private",
        cidr: "10.0.0.0/24",
        is_default: true,
    }],
    images: &[ImageDef {
        id: "cirros-0.3.5-x86_64-disk",
        name: "cirros-0.3.5-x86_64-disk",
        description: "CirrOS test image",
        creation_date: "2017-03-01T00:00:00Z",
        owner: "admin",
    }],
    security_groups: &[SecurityGroupDef {
        id: "default",
        name: "default",
        description: "Default security group",
        vpc_id: "",
    }],
}];

/// Every provider, in the order `GET /v1/instance/provider` lists them.
pub const PROVIDERS: &[ProviderCatalog] = &[
    ProviderCatalog {
        name: "aliyun",
        regions: ALIYUN_REGIONS,
        instance_types: &[
            ("1Core-1GB", 1, 1),
            ("1Core-2GB", 1, 2),
            ("4Cores-8GB", 4, 8),
            ("16Cores-16GB", 16, 16),
            ("16Cores-64GB", 16, 64),
            ("ecs.n1.tiny", 1, 1),
            ("ecs.n1.small", 1, 2),
            ("ecs.n1.medium", 2, 4),
            ("ecs.c2.medium", 2, 4),
            ("ecs.n2.3xlarge", 16, 64),
        ],
        charge_types: &["PayByBandwidth", "PayByTraffic"],
        disk_categories: &["cloud_efficiency", "cloud_ssd"],
        cost_way: "PostPaid",
    },
    ProviderCatalog {
        name: "aws",
        regions: AWS_REGIONS,
        instance_types: &[
            ("t2.micro", 1, 1),
            ("t2.small", 1, 2),
            ("t2.medium", 2, 4),
            ("m4.large", 2, 8),
            ("m4.xlarge", 4, 16),
        ],
        charge_types: &["PayByBandwidth", "PayByTraffic"],
        disk_categories: &["standard", "gp2", "io1"],
        cost_way: "OnDemand",
    },
    ProviderCatalog {
        name: "openstack",
        regions: OPENSTACK_REGIONS,
        instance_types: &[
            ("m1.small", 1, 2),
            ("m1.medium", 2, 4),
            ("m1.large", 4, 8),
            ("m1.xlarge", 8, 16),
        ],
        charge_types: &["PayByBandwidth"],
        disk_categories: &["local", "ceph"],
        cost_way: "PostPaid",
    },
];

/// The provider's catalog, if the provider exists.
pub fn provider(name: &str) -> Option<&'static ProviderCatalog> {
    PROVIDERS.iter().find(|p| p.name == name)
}

impl ProviderCatalog {
    pub fn region(&self, name: &str) -> Option<&'static RegionDef> {
        self.regions.iter().find(|r| r.name == name)
    }

    /// The region holding a zone.
    pub fn region_of_zone(&self, zone: &str) -> Option<&'static RegionDef> {
        self.regions.iter().find(|r| r.zones.contains(&zone))
    }

    /// (CPUs, RAM GB) of a known instance type; unknown types are accepted with
    /// the sizes parsed from names like `4Cores-8GB` or `1核1G`, else 0.
    pub fn sizes(&self, instance_type: &str) -> (i64, i64) {
        self.instance_types
            .iter()
            .find(|(name, _, _)| *name == instance_type)
            .map(|(_, cpu, ram)| (*cpu, *ram))
            .unwrap_or_else(|| sizes_from_name(instance_type))
    }

    /// `GET /v1/instance/regions/:provider` content.
    pub fn regions_wire(&self) -> Value {
        Value::Array(
            self.regions
                .iter()
                .map(|r| json!({"Endpoint": "", "RegionName": r.name}))
                .collect(),
        )
    }
}

/// Reads "N<letters>-MGB" / "N核MG" style names: the first two numbers.
fn sizes_from_name(name: &str) -> (i64, i64) {
    let numbers: Vec<i64> = name
        .split(|c: char| !c.is_ascii_digit())
        .filter(|part| !part.is_empty())
        .filter_map(|part| part.parse().ok())
        .collect();
    match numbers.as_slice() {
        [cpu, ram, ..] => (*cpu, *ram),
        _ => (0, 0),
    }
}

impl RegionDef {
    pub fn zones_wire(&self) -> Value {
        Value::Array(
            self.zones
                .iter()
                .map(|zone| {
                    let letter = zone.rsplit('-').next().unwrap_or(zone).to_uppercase();
                    json!({
                        "Messages": null,
                        "RegionName": format!("{} 可用区 {letter}", self.display),
                        "State": "",
                        "ZoneName": zone,
                    })
                })
                .collect(),
        )
    }

    pub fn vpc(&self, id: &str) -> Option<&'static VpcDef> {
        self.vpcs.iter().find(|v| v.id == id)
    }

    pub fn vpcs_wire(&self) -> Value {
        Value::Array(
            self.vpcs
                .iter()
                .map(|v| {
                    json!({
                        "CidrBlock": v.cidr,
                        "DhcpOptionsId": "",
                        "InstanceTenancy": "",
                        "IsDefault": v.is_default,
                        "State": "Available",
                        "Tags": null,
                        "VpcId": v.id,
                    })
                })
                .collect(),
        )
    }

    /// The subnets of a VPC in one zone (one per zone and VPC).
    pub fn subnets(&self, zone: &str, vpc: &VpcDef) -> Vec<Subnet> {
        let Some(index) = self.zones.iter().position(|z| *z == zone) else {
            return Vec::new();
        };
        vec![Subnet {
            id: subnet_id(zone, vpc.id),
            zone: zone.to_string(),
            vpc_id: vpc.id.to_string(),
            cidr: subnet_cidr(vpc.cidr, index),
        }]
    }

    pub fn image(&self, id: &str) -> Option<&'static ImageDef> {
        self.images.iter().find(|i| i.id == id)
    }

    pub fn images_wire(&self) -> Value {
        Value::Array(
            self.images
                .iter()
                .map(|i| {
                    json!({
                        "Architecture": "x86_64",
                        "BlockDeviceMappings": null,
                        "CreationDate": i.creation_date,
                        "Description": i.description,
                        "EnaSupport": false,
                        "Hypervisor": "",
                        "ImageId": i.id,
                        "ImageLocation": "",
                        "ImageOwnerAlias": "",
                        "ImageType": "",
                        "KernelId": "",
                        "Name": i.name,
                        "OwnerId": i.owner,
                        "Platform": "",
                        "ProductCodes": [{"ProductCodeId": "", "ProductCodeType": ""}],
                        "Public": i.owner != "self",
                        "RamdiskId": "",
                        "RootDeviceName": "",
                        "RootDeviceType": "",
                        "SriovNetSupport": "",
                        "State": "Available",
                        "StateReason": {"Code": "", "Message": ""},
                        "Tags": null,
                        "VirtualizationType": "",
                    })
                })
                .collect(),
        )
    }

    pub fn security_group(&self, id: &str) -> Option<&'static SecurityGroupDef> {
        self.security_groups.iter().find(|g| g.id == id)
    }

    pub fn security_groups_wire(&self) -> Value {
        Value::Array(
            self.security_groups
                .iter()
                .map(|g| {
                    json!({
                        "Description": g.description,
                        "GroupId": g.id,
                        "GroupName": g.name,
                        "IpPermissions": null,
                        "IpPermissionsEgress": null,
                        "OwnerId": "",
                        "Tags": null,
                        "VpcId": g.vpc_id,
                    })
                })
                .collect(),
        )
    }
}

/// A subnet (derived, see the module doc).
#[derive(Debug, Clone, PartialEq)]
pub struct Subnet {
    pub id: String,
    pub zone: String,
    pub vpc_id: String,
    pub cidr: String,
}

impl Subnet {
    pub fn to_wire(&self) -> Value {
        json!({
            "AvailabilityZone": self.zone,
            "AvailableIpAddressCount": 0,
            "CidrBlock": self.cidr,
            "DefaultForAz": false,
            "MapPublicIpOnLaunch": false,
            "State": "Available",
            "SubnetId": self.id,
            "Tags": null,
            "VpcId": self.vpc_id,
        })
    }
}

/// Stable subnet ids; the seed's examples keep their ids.
fn subnet_id(zone: &str, vpc_id: &str) -> String {
    match (zone, vpc_id) {
        ("cn-beijing-a", "vpc-2ze0sufdt8yiguyg8u2lp") => return "vsw-2zeci6ok1lzo3wjdgvtua".into(),
        ("cn-north-1", "vpc-62a57d06") => return "subnet-f303e897".into(),
        _ => {}
    }
    let hash = fnv1a(&format!("{zone}/{vpc_id}"));
    // The subnet id takes the shape of its cloud's, told apart by the VPC id:
    // aliyun `vpc-` + 21 characters (vswitch `vsw-...`), aws `vpc-` + 8 hex.
    if vpc_id.starts_with("vpc-") && vpc_id.len() == 25 {
        format!("vsw-{}", base36(hash, 21))
    } else if vpc_id.starts_with("vpc-") {
        format!("subnet-{:08x}", hash as u32)
    } else {
        format!("subnet-{}", base36(hash, 12))
    }
}

/// The zone's /20 inside the VPC block: 192, 208, 224, ... in the third
/// octet (a VPC of /20 or smaller is its own single subnet).
fn subnet_cidr(vpc_cidr: &str, zone_index: usize) -> String {
    let parts: Vec<u32> = vpc_cidr
        .split(['.', '/'])
        .map(|p| p.parse::<u32>().unwrap_or(0))
        .collect();
    let (a, b) = match parts.as_slice() {
        [a, b, _, _, prefix] if *prefix < 20 => (*a, *b),
        _ => return vpc_cidr.to_string(),
    };
    let third = (192 + 16 * zone_index as u32) % 256;
    format!("{a}.{b}.{third}.0/20")
}

fn fnv1a(text: &str) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in text.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

fn base36(mut n: u64, len: usize) -> String {
    const ALPHABET: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut out = String::with_capacity(len);
    for i in 0..len {
        if n == 0 {
            n = fnv1a(&format!("{out}{i}"));
        }
        out.push(char::from(ALPHABET[(n % 36) as usize]));
        n /= 36;
    }
    out
}

/// Finds a subnet by id within a region (any zone, any VPC).
pub fn find_subnet(region: &RegionDef, subnet: &str) -> Option<Subnet> {
    region.zones.iter().find_map(|zone| {
        region
            .vpcs
            .iter()
            .flat_map(|vpc| region.subnets(zone, vpc))
            .find(|s| s.id == subnet)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_examples_are_in_the_catalog() {
        let aliyun = provider("aliyun").map(|p| p.name);
        assert_eq!(aliyun, Some("aliyun"));
        let Some(aliyun) = provider("aliyun") else {
            return;
        };
        let Some(beijing) = aliyun.region("cn-beijing") else {
            panic!("cn-beijing missing")
        };
        let Some(vpc) = beijing.vpc("vpc-2ze0sufdt8yiguyg8u2lp") else {
            panic!("seed vpc missing")
        };
        let subnets = beijing.subnets("cn-beijing-a", vpc);
        assert_eq!(subnets[0].id, "vsw-2zeci6ok1lzo3wjdgvtua");
        assert_eq!(subnets[0].cidr, "172.17.192.0/20");
        assert_eq!(aliyun.sizes("ecs.n2.3xlarge"), (16, 64));
        assert_eq!(aliyun.sizes("1核1G"), (1, 1));
        assert!(provider("phydev").is_none());
    }

    #[test]
    fn derived_subnet_ids_are_distinct() {
        let mut seen = std::collections::HashSet::new();
        for p in PROVIDERS {
            for r in p.regions {
                for z in r.zones {
                    for v in r.vpcs {
                        for s in r.subnets(z, v) {
                            assert!(seen.insert(s.id.clone()), "duplicate {}", s.id);
                        }
                    }
                }
            }
        }
    }
}
