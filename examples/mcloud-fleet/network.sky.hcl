# Network lookups: the VPC, subnet and security group come from the cloud's catalog.

data "mcloud_vpcs" "beijing" {
  cloud  = "aliyun"
  region = "cn-beijing"
}

data "mcloud_subnets" "web" {
  cloud  = "aliyun"
  zone   = var.zone
  vpc_id = data.mcloud_vpcs.beijing.ids[0]
}

data "mcloud_security_groups" "beijing" {
  cloud  = "aliyun"
  region = "cn-beijing"
}

locals {
  network = {
    vpc_id         = data.mcloud_vpcs.beijing.ids[0]
    subnet_id      = data.mcloud_subnets.web.ids[0]
    security_group = data.mcloud_security_groups.beijing.ids[0]
  }
}
