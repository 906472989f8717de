# One fleet per environment, each from a local module: a machine template and its
# instances. Environments are a map, so adding one adds a module instance.

provider "mcloud" {
  endpoint = "embedded"
}

variable "environments" {
  description = "Machines per environment."
  type = map(object({
    size          = number
    instance_type = optional(string, "ecs.n1.small")
  }))
  default = {
    staging = { size = 1 }
    prod    = { size = 2, instance_type = "ecs.c2.medium" }
  }

  validation {
    condition     = alltrue([for name, env in var.environments : env.size >= 0 && env.size <= 20])
    error_message = "Each environment runs between 0 and 20 machines."
  }
}

variable "owner" {
  type      = string
  default   = "platform-team"
  sensitive = true
}

module "fleet" {
  source   = "./modules/fleet"
  for_each = var.environments

  env           = each.key
  size          = each.value.size
  instance_type = each.value.instance_type
  owner         = var.owner
}

output "ips" {
  description = "Private IPs by environment."
  value       = { for env, fleet in module.fleet : env => fleet.ips }
}

output "template_ids" {
  value = { for env, fleet in module.fleet : env => fleet.template_id }
}

output "owners" {
  value     = { for env, fleet in module.fleet : env => fleet.owner }
  sensitive = true
}
