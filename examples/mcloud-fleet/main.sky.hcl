# A realistic fleet: two machine templates (web and batch), a group of machines per
# template scaled through the expand endpoint, and the team's own physical machines.

provider "mcloud" {
  endpoint = "embedded"
}

variable "zone" {
  type    = string
  default = "cn-beijing-a"
}

variable "web_count" {
  type    = number
  default = 3
}

variable "batch_count" {
  type    = number
  default = 2
}

variable "rack_password" {
  type      = string
  default   = "change-me-please"
  sensitive = true
}

variable "rack" {
  description = "Physical machines in our own rack: name => addresses."
  type = map(object({
    public_ip  = string
    private_ip = string
  }))
  default = {
    db1 = { public_ip = "101.1.2.41", private_ip = "1.11.1.1" }
    db2 = { public_ip = "101.1.2.42", private_ip = "1.11.1.2" }
  }
}

locals {
  templates = {
    web   = { instance_type = "ecs.c2.medium", cpu = 2, ram = 4, disks = 1 }
    batch = { instance_type = "ecs.n1.small", cpu = 1, ram = 2, disks = 2 }
  }
}

resource "mcloud_template" "fleet" {
  for_each = local.templates

  name                 = "fleet-${each.key}"
  desc                 = "${each.key} machines"
  cloud                = "aliyun"
  cpu                  = each.value.cpu
  ram                  = each.value.ram
  instance_type        = each.value.instance_type
  image_id             = "centos7u2_64_40G_cloudinit_20160728.raw"
  system_disk_category = "cloud_efficiency"
  data_disk_size       = 100
  data_disk_num        = each.value.disks
  data_disk_category   = "cloud_ssd"

  network {
    vpc_id                     = local.network.vpc_id
    subnet_id                  = local.network.subnet_id
    security_group             = local.network.security_group
    internet_charge_type       = "PayByTraffic"
    internet_max_bandwidth_out = 10
  }

  zone {
    region_name = "cn-beijing"
    zone_name   = var.zone
  }
}

resource "mcloud_instance_group" "web" {
  template_id    = mcloud_template.fleet["web"].id
  instance_count = var.web_count
}

resource "mcloud_instance_group" "batch" {
  template_id    = mcloud_template.fleet["batch"].id
  instance_count = var.batch_count
}

resource "mcloud_physical_machine" "rack" {
  for_each = var.rack

  public_ip  = each.value.public_ip
  private_ip = each.value.private_ip
  password   = var.rack_password
}
