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

variable "zone" {
  type        = string
  default     = "cn-beijing-c"
  description = "Where the machines run; must be a zone of cn-beijing."
}

# The zones the cloud offers in the region, looked up at plan time.
data "mcloud_zones" "beijing" {
  cloud  = "aliyun"
  region = "cn-beijing"
}

locals {
  zone = {
    region_name = "cn-beijing"
    zone_name   = var.zone
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

  lifecycle {
    precondition {
      condition     = contains(data.mcloud_zones.beijing.names, var.zone)
      error_message = "The zone must be one of: ${join(", ", data.mcloud_zones.beijing.names)}."
    }
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
