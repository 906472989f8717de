# The quickstart: one machine template and three instances on the embedded mcloud
# simulator. `skyform apply` creates them; a second `skyform plan` finds nothing to do.

provider "mcloud" {
  # The simulator runs inside skyform; its cloud state lives under state/sim/.
  endpoint = "embedded"
}

variable "instance_count" {
  type        = number
  default     = 3
  description = "How many web machines to run."
}

locals {
  zone = {
    region_name = "cn-beijing"
    zone_name   = "cn-beijing-c"
  }
}

resource "mcloud_template" "web" {
  name                 = "web"
  cloud                = "aliyun"
  cpu                  = 2
  ram                  = 4
  instance_type        = "ecs.c2.medium"
  image_id             = "centos7u2_64_40G_cloudinit_20160728.raw"
  system_disk_category = "cloud_efficiency"
  data_disk_size       = 100
  data_disk_num        = 1
  data_disk_category   = "cloud_efficiency"

  network {
    internet_charge_type       = "PayByBandwidth"
    internet_max_bandwidth_out = 5
  }

  zone {
    region_name = local.zone.region_name
    zone_name   = local.zone.zone_name
  }
}

resource "mcloud_instance" "web" {
  count = var.instance_count

  cloud                = mcloud_template.web.cloud
  instance_type        = mcloud_template.web.instance_type
  image_id             = mcloud_template.web.image_id
  system_disk_category = "cloud_efficiency"
  data_disk_size       = 100
  data_disk_num        = 1
  data_disk_category   = "cloud_efficiency"

  network {
    internet_charge_type       = "PayByBandwidth"
    internet_max_bandwidth_out = 5
  }

  zone {
    region_name = local.zone.region_name
    zone_name   = local.zone.zone_name
  }
}

output "web_ips" {
  description = "Private IP of every web machine."
  value       = mcloud_instance.web[*].private_ip
}
