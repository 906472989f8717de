# Inventory across three clouds: two mcloud machines this configuration manages, and the
# machines of TwoCloud and ROMA, which skyform only lists. Every provider runs against its
# simulator inside skyform (`endpoint = "embedded"`; the clouds' state lives under state/sim/).
# `skyform apply` creates the mcloud machines; `skyform inventory` then lists every machine
# of the three clouds and which ones this configuration manages.

provider "mcloud" {
  endpoint = "embedded"
}

provider "twocloud" {
  endpoint  = "embedded"
  tenant_id = "123"
  region    = "gz"
  party     = "qcloud"
}

provider "roma" {
  endpoint = "embedded"
}

resource "mcloud_instance" "web" {
  count                = 2
  cloud                = "aliyun"
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
    region_name = "cn-beijing"
    zone_name   = "cn-beijing-c"
  }
}

# TwoCloud and ROMA are list-only: their machines are read, never managed.
data "twocloud_servers" "gz" {}

data "roma_instances" "all" {}

locals {
  statuses = {
    mcloud   = mcloud_instance.web[*].status
    twocloud = data.twocloud_servers.gz.servers[*].status
    roma     = data.roma_instances.all.instances[*].status
  }
}

output "machines_per_provider" {
  description = "How many machines each cloud holds (mcloud: the ones this configuration manages)."
  value       = { for p, list in local.statuses : p => length(list) }
}

output "machines_per_status" {
  description = "Per cloud, how many machines are in each of its statuses (each cloud's own words)."
  value = {
    for p, list in local.statuses : p => {
      for s in distinct(list) : s => length([for x in list : x if x == s])
    }
  }
}
