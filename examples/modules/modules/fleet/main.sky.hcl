# A fleet: one machine template and `size` instances built from the same spec.

variable "env" {
  type = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]*$", var.env))
    error_message = "The environment name must be lowercase letters, digits and dashes."
  }
}

variable "size" {
  type = number
}

variable "instance_type" {
  type    = string
  default = "ecs.n1.small"
}

variable "owner" {
  type      = string
  sensitive = true
}

locals {
  spec = {
    cloud                = "aliyun"
    image_id             = "centos7u2_64_40G_cloudinit_20160728.raw"
    system_disk_category = "cloud_efficiency"
    data_disk_category   = "cloud_efficiency"
  }
}

resource "mcloud_template" "this" {
  name                 = "${var.env}-fleet"
  desc                 = "Fleet for ${var.env}, owned by ${var.owner}"
  cloud                = local.spec.cloud
  cpu                  = 1
  ram                  = 2
  instance_type        = var.instance_type
  image_id             = local.spec.image_id
  system_disk_category = local.spec.system_disk_category
  data_disk_size       = 50
  data_disk_num        = 1
  data_disk_category   = local.spec.data_disk_category

  network {
    internet_charge_type       = "PayByTraffic"
    internet_max_bandwidth_out = 10
  }

  zone {
    region_name = "cn-beijing"
    zone_name   = "cn-beijing-a"
  }
}

resource "mcloud_instance" "node" {
  count = var.size

  cloud                = mcloud_template.this.cloud
  instance_type        = mcloud_template.this.instance_type
  image_id             = mcloud_template.this.image_id
  system_disk_category = local.spec.system_disk_category
  data_disk_size       = 50
  data_disk_num        = 1
  data_disk_category   = local.spec.data_disk_category

  network {
    internet_charge_type       = "PayByTraffic"
    internet_max_bandwidth_out = 10
  }

  zone {
    region_name = "cn-beijing"
    zone_name   = "cn-beijing-a"
  }
}

output "ips" {
  value = mcloud_instance.node[*].private_ip
}

output "template_id" {
  value = mcloud_template.this.id
}

output "owner" {
  value     = var.owner
  sensitive = true
}
