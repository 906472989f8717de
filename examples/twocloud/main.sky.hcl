# TwoCloud is list-only: read the servers of one tenant, region and access party and
# summarise them. Runs against the twocloud simulator inside skyform; for the real API
# remove endpoint and set token/password (or TWOCLOUD_TOKEN / TWOCLOUD_PASSWORD).
provider "twocloud" {
  endpoint  = "embedded"
  tenant_id = "123"
  region    = "gz"
  party     = "qcloud"
}

variable "role" {
  type        = string
  default     = "web"
  description = "Only servers whose name starts with this role."
}

data "twocloud_servers" "gz" {}

data "twocloud_servers" "role" {
  name_regex = "^${var.role}-"
}

output "total" {
  value = data.twocloud_servers.gz.total
}

output "by_status" {
  value = {
    for st in distinct(data.twocloud_servers.gz.servers[*].status) :
    st => length([for s in data.twocloud_servers.gz.servers : s if s.status == st])
  }
}

output "role_addresses" {
  value = { for s in data.twocloud_servers.role.servers : s.instance_name => s.lan_ips[0] if length(s.lan_ips) > 0 }
}
