output "web_ips" {
  description = "Private IPs of the web machines."
  value       = mcloud_instance_group.web.instances[*].private_ip
}

output "batch_ips" {
  value = mcloud_instance_group.batch.instances[*].private_ip
}

output "rack_ids" {
  value = { for name, m in mcloud_physical_machine.rack : name => m.id }
}

output "network" {
  value = local.network
}
