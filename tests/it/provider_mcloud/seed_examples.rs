//! The response examples of seed 003, verbatim (copied by script from the seed, in its
//! order). Some are not JSON as printed (trailing commas, a missing `{`, placeholders such
//! as `{日志信息}`); the tests say what they repair and why.

pub const CLUSTER_LIST_OK: &str = r##"{
  "code": 0,
  "msg": null,
  "content": [
    {
      "Id": 16,
      "Name": "test2",
      "Provider": "aliyun",
      "LastestPartNum": 0,
      "Desc": "",
      "CreateTime": "2017-07-07T16:10:46+08:00",
      "DeleteTime": "0001-01-01T00:00:00Z",
      "Cpu": 16,
      "Ram": 64,
      "InstanceType": "ecs.n2.3xlarge",
      "ImageId": "centos7u2_64_40G_cloudinit_20160728.raw",
      "PostScript": "",
      "KeyName": "",
      "Network": {
        "Id": 3,
        "VpcId": "",
        "SubnetId": "",
        "SecurityGroup": "",
        "InternetChargeType": "PayByBandwidth",
        "InternetMaxBandwidthOut": 5
      },
      "Zone": {
        "Id": 3,
        "RegionName": "cn-beijing-test",
        "ZoneName": "cn-beijing-test-3"
      },
      "Replication": null,
      "SystemDiskCategory": "cloud_efficiency",
      "DataDiskSize": 1024,
      "DataDiskNum": 2,
      "DataDiskCategory": "cloud_efficiency",
      "FlavorId": ""
    },
  ],
  "ext": null
}"##;

pub const CLUSTER_LIST_ERR: &str = r##"{
  "code": 10999,
  "msg": "QuerySeter no row found",
  "content": null,
  "ext": null
}"##;

pub const CLUSTER_GET_OK: &str = r##"{
  "code": 0,
  "msg": null,
  "content": {
    "Id": 3,
    "Name": "1Core1G经典网",
    "Provider": "aliyun",
    "LastestPartNum": 0,
    "Desc": "",
    "CreateTime": "2017-07-05T10:01:48+08:00",
    "DeleteTime": "0001-01-01T00:00:00Z",
    "Cpu": 1,
    "Ram": 1,
    "InstanceType": "ecs.n1.tiny",
    "ImageId": "centos7u2_64_40G_cloudinit_20160728.raw",
    "PostScript": "",
    "KeyName": "key",
    "Network": {
      "Id": 1,
      "VpcId": "",
      "SubnetId": "",
      "SecurityGroup": "",
      "InternetChargeType": "PayByBandwidth",
      "InternetMaxBandwidthOut": 5
    },
    "Zone": {
      "Id": 1,
      "RegionName": "cn-beijing",
      "ZoneName": "cn-beijing-c"
    },
    "Replication": null,
    "SystemDiskCategory": "cloud_efficiency",
    "DataDiskSize": 100,
    "DataDiskNum": 1,
    "DataDiskCategory": "cloud_efficiency",
    "FlavorId": ""
  },
  "ext": null
}"##;

pub const CLUSTER_GET_ERR: &str = r##"{
  "code": 10999,
  "msg": "QuerySeter no row found",
  "content": null,
  "ext": null
}"##;

pub const CLUSTER_GET_BAD: &str = r##"{
  "code": 12996,
  "msg": "Input error!",
  "content": null,
  "ext": null
}"##;

pub const CLUSTER_CREATE_OK: &str = r##"{
  "code": 0,
  "msg": null,
  "content": 19,
  "ext": null
}"##;

pub const CLUSTER_CREATE_ERR: &str = r##"{
  "code": 10999,
  "msg": "Ceate cluster err",
  "content": null,
  "ext": null
}"##;

pub const CLUSTER_CREATE_BAD: &str = r##"{
  "code": 11996,
  "msg": "The paramter (DataDiskNum) over size limited and the size range is larger than 0 and less equal 4.!",
  "content": null,
  "ext": null
}"##;

pub const CLUSTER_DELETE_OK: &str = r##"{
  "code": 0,
  "msg": null,
  "content": true,
  "ext": null
}"##;

pub const CLUSTER_DELETE_ERR: &str = r##"{
  "code": 10999,
  "msg": "Delete cluster err",
  "content": null,
  "ext": null
}"##;

pub const CLUSTER_DELETE_BAD: &str = r##"{
  "code": 12996,
  "msg": "Input error!",
  "content": null,
  "ext": null
}"##;

pub const EXPAND_OK: &str = r##" {
  "code": 0,
  "msg": null,
  "content": [
    "i-2ze1v31lnkfgubznmmtz"
  ],
  "ext": 3
}"##;

pub const EXPAND_ERR: &str = r##"{
  "code": 10999,
  "msg": "QuerySeter no row found",
  "content": null,
  "ext": null
}"##;

pub const EXPAND_BAD: &str = r##"{
  "code": 12996,
  "msg": "Input error!",
  "content": null,
  "ext": null
}"##;

pub const NUMBER_OK: &str = r##" "code": 0,
  "msg": null,
  "content": [
    {
      "aliyun": "2",
      "phydev": "5",
      "time": "2017-08-02 17:52:29",
      "total": "7"
    },
    {
      "aliyun": "2",
      "phydev": "5",
      "time": "2017-08-02 18:00:00",
      "total": "7"
    }
  ],
  "ext": null
}"##;

pub const NUMBER_ERR: &str = r##"{
  "code": 10999,
  "msg": "Get instance detail err",
  "content": null,
  "ext": null
}"##;

pub const NUMBER_BAD: &str = r##"{
  "code": 12996,
  "msg": "Input error!",
  "content": null,
  "ext": null
}"##;

pub const OLDNUMBER_OK: &str = r##" {
  "code": 0,
  "msg": null,
  "content": {
    "aliyun": "2",
    "phydev": "5",
    "time": "2017-08-02 17:52:29",
    "total": "7"
  },
  "ext": null
}"##;

pub const OLDNUMBER_ERR: &str = r##"{
  "code": 10999,
  "msg": "Get instance detail at the time err",
  "content": null,
  "ext": null
}"##;

pub const OLDNUMBER_BAD: &str = r##"{
  "code": 12996,
  "msg": "Input error!",
  "content": null,
  "ext": null
}"##;

pub const INSTANCE_CREATE_OK: &str = r##"{
  "code": 0,
  "msg": null,
  "content": "10.41.52.201",
  "ext": null
}"##;

pub const INSTANCE_CREATE_BAD: &str = r##"{
  "code": 12996,
  "msg": "Input error",
  "content": null,
  "ext": null
}"##;

pub const INSTANCE_GET_OK: &str = r##"{
  "code": 0,
  "msg": null,
  "content": {
    "Id": 20,
    "Cluster": {
      "Id": 4,
      "Name": "Physical device",
      "Provider": "phydev",
      "LastestPartNum": 0,
      "Desc": "About physical device",
      "CreateTime": "2017-07-05T10:14:06+08:00",
      "DeleteTime": "0001-01-01T00:00:00Z",
      "Cpu": 0,
      "Ram": 0,
      "InstanceType": "",
      "ImageId": "",
      "PostScript": "",
      "KeyName": "",
      "Network": {
        "Id": 2,
        "VpcId": "",
        "SubnetId": "",
        "SecurityGroup": "",
        "InternetChargeType": "",
        "InternetMaxBandwidthOut": 0
      },
      "Zone": {
        "Id": 2,
        "RegionName": "",
        "ZoneName": ""
      },
      "Replication": null,
      "SystemDiskCategory": "",
      "DataDiskSize": 0,
      "DataDiskNum": 0,
      "DataDiskCategory": "",
      "FlavorId": ""
    },
    "Provider": "phydev",
    "CreateTime": "2017-07-21T10:56:20+08:00",
    "Cpu": 1,
    "Ram": 1,
    "InstanceId": "i-b5omql5sajq2oum6srf0",
    "ImageId": "",
    "InstanceType": "",
    "KeyName": "",
    "VpcId": "",
    "SubnetId": "",
    "SecurityGroupId": "",
    "RegionId": "",
    "ZoneId": "",
    "DataDiskNum": 0,
    "DataDiskSize": 0,
    "DataDiskCategory": "",
    "SystemDiskCategory": "",
    "CostWay": "",
    "PreBuyMonth": 0,
    "PrivateIpAddress": "1.11.1.1",
    "PublicIpAddress": "101.1.2.42",
    "NatIpAddress": "",
    "Status": 3,
    "TenantID": "",
    "UserID": "",
    "Name": ""
  },
  "ext": null
}"##;

pub const INSTANCE_GET_ERR: &str = r##"{
  "code": 10999,
  "msg": "get one instance err",
  "content": null,
  "ext": null
}"##;

pub const INSTANCE_GET_BAD: &str = r##"{
  "code": 12997,
  "msg": "Missing requisite parameter!",
  "content": null,
  "ext": null
}"##;

pub const START_OK: &str = r##"{
  "code": 0,
  "msg": null,
  "content": true,
  "ext": null
}"##;

pub const START_ERR: &str = r##"{
  "code": 10999,
  "msg": "Could not start instances",
  "content": false,
  "ext": null
}"##;

pub const START_BAD: &str = r##"{
  "code": 12997,
  "msg": "Missing requisite parameter!",
  "content": null,
  "ext": null
}"##;

pub const STATUS_OK: &str = r##"{
  "code": 0,
  "msg": null,
  "content": [
    {
      "instance_id": "i-fsfsfasfaflflsj23",
      "status": 7,
      "ip_address": ""
    }
  ],
  "ext": null
}"##;

pub const STATUS_ERR: &str = r##"{
  "code": 10999,
  "msg": "get multi instance err:",
  "content": false,
  "ext": null
}"##;

pub const STATUS_BAD: &str = r##"{
  "code": 12997,
  "msg": "Missing requisite parameter!",
  "content": null,
  "ext": null
}"##;

pub const STATUS_UPDATE_OK: &str = r##"{
  "code": 0,
  "msg": null,
  "content": 1,
  "ext": null
}"##;

pub const STATUS_UPDATE_ERR: &str = r##"{
  "code": 10999,
  "msg": "update instance status err",
  "content": false,
  "ext": null
}"##;

pub const STATUS_UPDATE_BAD: &str = r##"{
  "code": 12996,
  "msg": "Input error",
  "content": null,
  "ext": null
}"##;

pub const INSTANCE_DELETE_OK: &str = r##"{
  "code": 0,
  "msg": null,
  "content": null,
  "ext": null
}"##;

pub const INSTANCE_DELETE_BAD: &str = r##"{
  "code": 12997,
  "msg": "Missing requisite parameter(X-CORRELATION-ID)!",
  "content": null,
  "ext": null
}"##;

pub const SSHKEY_DOWNLOAD_OK: &str = r##" 开始下载密钥"##;

pub const SSHKEY_DOWNLOAD_BAD: &str = r##"{
  "code": 12997,
  "msg": "QuerySeter no row found",
  "content": null,
  "ext": null
}"##;

pub const SSHKEY_UPLOAD_OK: &str = r##" {
  "code": 0,
  "msg": null,
  "content": {密钥内容},
  "ext": null
}"##;

pub const SSHKEY_UPLOAD_BAD: &str = r##"{
  "code": 12997,
  "msg": "QuerySeter no row found",
  "content": null,
  "ext": null
}"##;

pub const PROVIDERS_OK: &str = r##" {
  "code": 0,
  "msg": null,
  "content": [
    "aliyun",
    "aws",
    "openstack"
  ],
  "ext": null
}"##;

pub const PROVIDERS_BAD: &str = r##"{
  "code": 12997,
  "msg": "QuerySeter no row found",
  "content": null,
  "ext": null
}"##;

pub const REGIONS_OK: &str = r##" {
  "code": 0,
  "msg": null,
  "content": [ 
    {
      "Endpoint": "",
      "RegionName": "cn-beijing"
    },
    {
      "Endpoint": "",
      "RegionName": "cn-zhangjiakou"
    }
  ],
  "ext": null
}"##;

pub const REGIONS_ERR: &str = r##"{
  "code": 10999,
  "msg": "unknown backend provider driver: ",
  "content": null,
  "ext": null
}"##;

pub const ZONES_OK: &str = r##" {
  "code": 0,
  "msg": null,
  "content": [
    {
      "Messages": null,
      "RegionName": "华北 2 可用区 D",
      "State": "",
      "ZoneName": "cn-beijing-d"
    },
    {
      "Messages": null,
      "RegionName": "华北 2 可用区 A",
      "State": "",
      "ZoneName": "cn-beijing-a"
    }
  ],
  "ext": null
}"##;

pub const ZONES_ERR: &str = r##"{
  "code": 10999,
  "msg": "unknown backend provider driver: ",
  "content": null,
  "ext": null
}"##;

pub const VPC_OK: &str = r##" {
  "code": 0,
  "msg": null,
  "content": [
    {
      "CidrBlock": "172.17.0.0/16",
      "DhcpOptionsId": "",
      "InstanceTenancy": "",
      "IsDefault": false,
      "State": "Available",
      "Tags": null,
      "VpcId": "vpc-2ze0sufdt8yiguyg8u2lp"
    }     
  ],
  "ext": null
}"##;

pub const VPC_ERR: &str = r##"{
  "code": 10999,
  "msg": "unknown backend provider driver: ",
  "content": null,
  "ext": null
}"##;

pub const SUBNET_OK: &str = r##" {
  "code": 0,
  "msg": null,
  "content": [
    {
      "AvailabilityZone": "cn-beijing-a",
      "AvailableIpAddressCount": 0,
      "CidrBlock": "172.17.192.0/20",
      "DefaultForAz": false,
      "MapPublicIpOnLaunch": false,
      "State": "Available",
      "SubnetId": "vsw-2zeci6ok1lzo3wjdgvtua",
      "Tags": null,
      "VpcId": "vpc-2ze0sufdt8yiguyg8u2lp"
    }
  ],
  "ext": null
}"##;

pub const SUBNET_ERR: &str = r##"{
  "code": 10999,
  "msg": "unknown backend provider driver: ",
  "content": null,
  "ext": null
}"##;

pub const TYPES_OK: &str = r##" {
  "code": 0,
  "msg": null,
  "content": [
    "1Core-1GB",
    "1Core-2GB",
    "4Cores-8GB",
    "16Cores-16GB",
    "16Cores-64GB"
  ],
  "ext": null
}"##;

pub const TYPES_ERR: &str = r##"{
  "code": 10999,
  "msg": "unknown backend provider driver: ",
  "content": null,
  "ext": null
}"##;

pub const CHARGE_OK: &str = r##" {
  "code": 0,
  "msg": null,
  "content": [
    "PayByBandwidth",
    "PayByTraffic"
  ],
  "ext": null
}"##;

pub const CHARGE_ERR: &str = r##"{
  "code": 10999,
  "msg": "unknown backend provider driver: ",
  "content": null,
  "ext": null
}"##;

pub const DISK_OK: &str = r##"{
  "code": 0,
  "msg": null,
  "content": [
    "cloud_efficiency",
    "cloud_ssd"
  ],
  "ext": null
}"##;

pub const DISK_ERR: &str = r##"{
  "code": 10999,
  "msg": "unknown backend provider driver: ",
  "content": null,
  "ext": null
}"##;

pub const IMAGE_OK: &str = r##"{
  "code": 0,
  "msg": null,
  "content": [
    {
      "Architecture": "x86_64",
      "BlockDeviceMappings": null,
      "CreationDate": "2017-07-31T09:00:02Z",
      "Description": "升级docker到1.12\n添加mesos-slave",
      "EnaSupport": false,
      "Hypervisor": "",
      "ImageId": "m-2zefnwiq237sjwnt7oez",
      "ImageLocation": "",
      "ImageOwnerAlias": "",
      "ImageType": "",
      "KernelId": "",
      "Name": "mapi-image-2017073101",
      "OwnerId": "self",
      "Platform": "",
      "ProductCodes": [
        {
          "ProductCodeId": "",
          "ProductCodeType": ""
        }
      ],
      "Public": false,
      "RamdiskId": "",
      "RootDeviceName": "",
      "RootDeviceType": "",
      "SriovNetSupport": "",
      "State": "Available",
      "StateReason": {
        "Code": "",
        "Message": ""
      },
      "Tags": null,
      "VirtualizationType": ""
    }
  ],
  "ext": null
}"##;

pub const IMAGE_ERR: &str = r##"{
  "code": 10999,
  "msg": "unknown backend provider driver: ",
  "content": null,
  "ext": null
}"##;

pub const SECURITY_GROUP_OK: &str = r##"{
  "code": 0,
  "msg": null,
  "content": [
    {
      "Description": "P2P",
      "GroupId": "sg-2ze727lmif5l3o5x5vf5",
      "GroupName": "p2p_group",
      "IpPermissions": null,
      "IpPermissionsEgress": null,
      "OwnerId": "",
      "Tags": null,
      "VpcId": ""
    },
    {
      "Description": "System created security group.",
      "GroupId": "sg-25vpbkswc",
      "GroupName": "sg-25vpbkswc",
      "IpPermissions": null,
      "IpPermissionsEgress": null,
      "OwnerId": "",
      "Tags": null,
      "VpcId": ""
    }
  ],
  "ext": null
}"##;

pub const SECURITY_GROUP_ERR: &str = r##"{
  "code": 10999,
  "msg": "unknown backend provider driver: ",
  "content": null,
  "ext": null
}"##;

pub const INSTANCE_LIST_OK: &str = r##"{
  "code": 0,
  "msg": null,
  "content": [
    {
      "Id": 89,
      "Cluster": {
        "Id": 4,
        "Name": "1Core-1Gib",
        "Provider": "aws",
        "LastestPartNum": 0,
        "Desc": "",
        "CreateTime": "2017-07-27T13:38:08Z",
        "DeleteTime": "0001-01-01T00:00:00Z",
        "Cpu": 1,
        "Ram": 1,
        "InstanceType": "t2.micro",
        "ImageId": "ami-3965b454",
        "PostScript": "",
        "KeyName": "zhaowei9",
        "Network": {
          "Id": 2,
          "VpcId": "vpc-62a57d06",
          "SubnetId": "subnet-f303e897",
          "SecurityGroup": "",
          "InternetChargeType": "PayByBandwidth",
          "InternetMaxBandwidthOut": 5
        },
        "Zone": {
          "Id": 3,
          "RegionName": "cn-north",
          "ZoneName": "cn-north-1"
        },
        "Replication": null,
        "SystemDiskCategory": "standard",
        "DataDiskSize": 100,
        "DataDiskNum": 1,
        "DataDiskCategory": "standard",
        "FlavorId": ""
    },
      "Provider": "aws",
      "CreateTime": "2017-08-01T07:28:22Z",
      "Cpu": 1,
      "Ram": 1,
      "InstanceId": "i-0b2fbd8b652431b62",
      "ImageId": "ami-3965b454",
      "InstanceType": "t2.micro",
      "KeyName": "",
      "VpcId": "vpc-b7b907d2",
      "SubnetId": "subnet-f303e897",
      "SecurityGroupId": "sg-d6d62bb3",
      "RegionId": "aws region ",
      "ZoneId": "aws zone",
      "DataDiskNum": 1,
      "DataDiskSize": 100,
      "DataDiskCategory": "standard",
      "SystemDiskCategory": "standard",
      "CostWay": "aws costway",
      "PreBuyMonth": 0,
      "PrivateIpAddress": "172.31.0.233",
      "PublicIpAddress": "52.80.61.125",
      "NatIpAddress": "aws nia",
      "Status": 7,
      "TenantID": "",
      "UserID": "",
      "Name": ""
    }
  ],
  "ext": null
}"##;

pub const INSTANCE_LIST_ERR: &str = r##"{
  "code": 10999,
  "msg": "get all instances error ",
  "content": null,
  "ext": null
}"##;

pub const CLUSTER_INSTANCES_OK: &str = r##"{
  "code": 0,
  "msg": null,
  "content": [
    {
      "Id": 84,
      "Cluster": {
        "Id": 3,
        "Name": "1Core1G经典网",
        "Provider": "aliyun",
        "LastestPartNum": 0,
        "Desc": "",
        "CreateTime": "2017-07-27T13:38:08Z",
        "DeleteTime": "0001-01-01T00:00:00Z",
        "Cpu": 1,
        "Ram": 1,
        "InstanceType": "ecs.n1.tiny",
        "ImageId": "centos7u2_64_40G_cloudinit_20160728.raw",
        "PostScript": "",
        "KeyName": "key",
        "Network": {
          "Id": 1,
          "VpcId": "",
          "SubnetId": "",
          "SecurityGroup": "",
          "InternetChargeType": "PayByBandwidth",
          "InternetMaxBandwidthOut": 5
        },
        "Zone": {
          "Id": 1,
          "RegionName": "cn-beijing",
          "ZoneName": "cn-beijing-c"
        },
        "Replication": null,
        "SystemDiskCategory": "cloud_efficiency",
        "DataDiskSize": 100,
        "DataDiskNum": 1,
        "DataDiskCategory": "cloud_efficiency",
        "FlavorId": ""
      },
      "Provider": "aliyun",
      "CreateTime": "2017-08-01T07:18:38Z",
      "Cpu": 1,
      "Ram": 1,
      "InstanceId": "i-2zeeptz3hom3c5c9xl5s",
      "ImageId": "centos7u2_64_40G_cloudinit_20160728.raw",
      "InstanceType": "ecs.n1.tiny",
      "KeyName": "",
      "VpcId": "",
      "SubnetId": "",
      "SecurityGroupId": "sg-25vpbkswc",
      "RegionId": "cn-beijing",
      "ZoneId": "cn-beijing-c",
      "DataDiskNum": 1,
      "DataDiskSize": 100,
      "DataDiskCategory": "cloud_efficiency",
      "SystemDiskCategory": "cloud_efficiency",
      "CostWay": "PostPaid",
      "PreBuyMonth": 0,
      "PrivateIpAddress": "",
      "PublicIpAddress": "101.201.227.192",
      "NatIpAddress": "",
      "Status": 1,
      "TenantID": "",
      "UserID": "",
      "Name": ""
    }
  ],
  "ext": null
}"##;

pub const CLUSTER_INSTANCES_ERR: &str = r##"{
  "code": 10999,
  "msg": "get all instances error ",
  "content": null,
  "ext": null
}"##;

pub const CLUSTER_INSTANCES_BAD: &str = r##"{
  "code": 12996,
  "msg": "Input error!",
  "content": null,
  "ext": null
}"##;

pub const LOG_BY_CORRELATION_OK: &str = r##"{
  "code": 0,
  "msg": null,
  "content": {日志信息},
  "ext": null
}"##;

pub const LOG_BY_CORRELATION_ERR: &str = r##"{
  "code": 0,
  "msg": "result to json error",
  "content": null,
  "ext": null
}"##;

pub const LOG_BY_CORRELATION_BAD: &str = r##"{
  "code": 12996,
  "msg": "Input error!",
  "content": null,
  "ext": null
}"##;

pub const LOG_BY_INSTANCE_OK: &str = r##"{
  "code": 0,
  "msg": null,
  "content": {日志信息},
  "ext": null
}"##;

pub const LOG_BY_INSTANCE_ERR: &str = r##"{
  "code": 0,
  "msg": "result to json error",
  "content": null,
  "ext": null
}"##;

pub const LOG_BY_INSTANCE_BAD: &str = r##"{
  "code": 12996,
  "msg": "Input error!",
  "content": null,
  "ext": null
}"##;

pub const PHYDEV_DESCRIBE_OK: &str = r##"{
  "code": 0,
  "msg": null,
  "content": {机器信息},
  "ext": null
}"##;

pub const PHYDEV_DESCRIBE_ERR: &str = r##"{
  "code": 0,
  "msg": "result to json error",
  "content": null,
  "ext": null
}"##;

pub const PHYDEV_DESCRIBE_BAD: &str = r##"{
  "code": 12996,
  "msg": "Input error!",
  "content": null,
  "ext": null
}"##;

pub const PHYDEV_REGISTER_OK: &str = r##"{
  "code": 0,
  "msg": null,
  "content": {
    "success": 1,
    "failed": 0,
    "errors": []
  },
  "ext": null
}"##;

pub const PHYDEV_REGISTER_FAILED: &str = r##"{
  "code": 0,
  "msg": null,
  "content": {
    "success": 0,
    "failed": 1,
    "errors": [
      "Instance: 101.1.2.46 is already in DB"
    ]
  },
  "ext": null
}"##;

pub const PHYDEV_REGISTER_BAD: &str = r##"{
  "code": 12996,
  "msg": "Input error!",
  "content": null,
  "ext": null
}"##;

pub const PHYDEV_REGISTER_MISSING: &str = r##"{
  "code": 12997,
  "msg": "Missing requisite parameter(X-CORRELATION-ID)!",
  "content": null,
  "ext": null
}"##;

pub const OPENSTACK_OK: &str = r##"{
  "code": 0,
  "msg": null,
  "content": {配置信息},
  "ext":null
}"##;

pub const OPENSTACK_FAILED: &str = r##"{
  "code": 0,
  "msg": null,
  "content": {
    "success": 0,
    "failed": 1,
    "errors": [
      "Instance: 101.1.2.46 is already in DB"
    ]
  },
  "ext": null
}"##;

pub const OPENSTACK_BAD: &str = r##"{
  "code": 12996,
  "msg": "Input error!",
  "content": null,
  "ext": null
}"##;

// Request bodies from the seed's curl examples (`-d '...'`), verbatim.

pub const REQ_CLUSTER_CREATE: &str = r##"{         
  "Id": 0, 
  "Name": "1Core1G经典网", 
  "Provider": "aliyun",  
  "Cpu": 1,    
  "Ram": 2, 
  "InstanceType": "1核1G", 
  "ImageId": "centos7u2_64_40G_cloudinit_20160728.raw",  
  "Network": { 
    "Id": 0, 
    "VpcId": "", 
    "SubnetId": "", 
    "SecurityGroup": "", 
    "InternetChargeType": "PayByBandwidth", 
    "InternetMaxBandwidthOut": 5 
  }, 
  "Zone": { 
    "Id": 0, 
    "RegionName": "cn-beijing", 
    "ZoneName": "cn-beijing-c" 
  }, 
  "Replication": null, 
  "SystemDiskCategory": "cloud_efficiency", 
  "DataDiskSize": 100, 
  "DataDiskNum": 1, 
  "DataDiskCategory": "cloud_efficiency", 
  "FlavorId": "" 
}"##;

pub const REQ_EXPAND: &str = r##"{  
  "Name": "1Core1G经典网", 
  "Provider": "aliyun",  
  "Cpu": 0, 
  "Ram": 0, 
  "InstanceType": "1核1G", 
  "ImageId": "centos7u2_64_40G_cloudinit_20160728.raw",  
  "Network": { 
    "Id": 0, 
    "VpcId": "", 
    "SubnetId": "", 
    "SecurityGroup": "", 
    "InternetChargeType": "PayByBandwidth", 
    "InternetMaxBandwidthOut": 5 
  }, 
  "Zone": { 
    "Id": 0, 
    "RegionName": "cn-beijing", 
    "ZoneName": "cn-beijing-c" 
  }, 
  "Replication": null, 
  "SystemDiskCategory": "cloud_efficiency", 
  "DataDiskSize": 100, 
  "DataDiskNum": 1, 
  "DataDiskCategory": "cloud_efficiency", 
  "FlavorId": ""       
}"##;

pub const REQ_INSTANCE_CREATE: &str = r##"{               
  "Provider": "aliyun", 
  "InstanceType": "ecs.c2.medium", 
  "ImageId": "centos7u2_64_40G_cloudinit_20160728.raw", 
  "Network": { 
    "Id": 0, 
    "VpcId": "", 
    "SubnetId": "", 
    "SecurityGroup": "", 
    "InternetChargeType": "PayByBandwidth", 
    "InternetMaxBandwidthOut": 5 
  }, 
  "Zone": { 
    "Id": 0, 
    "RegionName": "cn-beijing", 
    "ZoneName": "cn-beijing-c" 
  },                                           
  "SystemDiskCategory": "cloud_efficiency", 
  "DataDiskSize": 100, 
  "DataDiskNum": 1, 
  "DataDiskCategory": "cloud_efficiency", 
}"##;

pub const REQ_STATUS_UPDATE: &str = r##"{ 
  "InstanceId": "i-b5omql5sajq2oum6srf0", 
  "Status": 1 
}"##;

pub const REQ_PHYDEV_DESCRIBE: &str = r##"{                
  "Provider":"aliyun",                                      
  "InstanceType":"ecs.n2.3xlarge"     
  "ImageId":"centos7u2_64_40G_cloudinit_20160728.raw",           
  "Network": { 
    "Id": 0, 
    "VpcId": "", 
    "SubnetId": "", 
    "SecurityGroup": "", 
    "InternetChargeType": "PayByBandwidth", 
    "InternetMaxBandwidthOut": 5 
  }, 
  "Zone": { 
    "Id": 0, 
    "RegionName": "cn-beijing", 
    "ZoneName": "cn-beijing-c" 
  }, 
  "SystemDiskCategory": "cloud_efficiency",           
  "DataDiskSize": 100, 
  "DataDiskNum": 1,   
  "DataDiskCategory": "cloud_efficiency",                    
}"##;

pub const REQ_PHYDEV_REGISTER: &str = r##"{  
  "instancelist": [ 
    { 
      "PublicIp": "101.1.2.146", 
      "PrivateIp": "1.11.1.123", 
      "Password": "adminpadd", 
      "Port": 0 
    } 
  ] 
}"##;

pub const REQ_OPENSTACK: &str = r##"{
  "OpIP":"127.0.0.1",
  "OpPort":"26018",
  "OpUserName":"root",
  "OpPassword":"test12345"
}"##;
