# JD Cloud on the embedded simulator: a web instance with a data disk attachment, an
# elastic IP and a second network interface, and a private image made from a stopped
# builder instance. `skyform apply` creates them; a second `skyform plan` finds nothing.
# Change `instance_type` (or `image_id`) and apply: the instance is resized (or rebuilt)
# in place: stop, resizeInstance (rebuildInstance), start.

provider "jdcloud" {
  # The simulator runs inside skyform with its default key pair; its cloud state lives
  # under state/sim/. For the real cloud: set region, access_key and secret_key (or
  # JDCLOUD_REGION, JDCLOUD_ACCESS_KEY, JDCLOUD_SECRET_KEY) and drop endpoint.
  endpoint = "embedded"
  region   = "cn-north-1"
}

variable "instance_type" {
  type        = string
  default     = "g.n2.medium"
  description = "The web instance's type; a change resizes it in place."
}

variable "image_id" {
  type        = string
  default     = "bba85cab-dfdc-4359-9218-7a2de429dd80" # Ubuntu 20.04, cloud disk
  description = "The web instance's image; a change rebuilds it in place."
}

# The instance types on offer in the AZ, read at plan time.
data "jdcloud_instance_types" "here" {
  az = "cn-north-1a"
}

resource "jdcloud_instance" "web" {
  az            = "cn-north-1a"
  instance_name = "web"
  description   = "the web server"
  instance_type = var.instance_type
  image_id      = var.image_id
  subnet_id     = "subnet-bj0001"

  data_disk {
    disk_type    = "ssd"
    disk_size_gb = 40
  }

  timeouts {
    update = "20m"
  }

  lifecycle {
    precondition {
      condition     = contains([for t in data.jdcloud_instance_types.here.types : t.instance_type if t.in_stock], var.instance_type)
      error_message = "The instance type must be one on sale in cn-north-1a."
    }
  }
}

# Stopped: createImage needs a stopped instance.
resource "jdcloud_instance" "builder" {
  az            = "cn-north-1a"
  instance_name = "builder"
  instance_type = "g.n2.medium"
  image_id      = "bba85cab-dfdc-4359-9218-7a2de429dd80"
  subnet_id     = "subnet-bj0001"
  running       = false
}

resource "jdcloud_image" "golden" {
  instance_id = jdcloud_instance.builder.id
  name        = "golden"
  description = "made from the builder"
}

resource "jdcloud_disk_attachment" "logs" {
  instance_id = jdcloud_instance.web.id
  disk_id     = "vol-bj0001"
}

resource "jdcloud_elastic_ip_association" "web" {
  instance_id   = jdcloud_instance.web.id
  elastic_ip_id = "fip-bj0001"
}

resource "jdcloud_network_interface_attachment" "web" {
  instance_id          = jdcloud_instance.web.id
  network_interface_id = "port-bj0001"
}

output "web_private_ip" {
  value = jdcloud_instance.web.private_ip
}

output "web_public_ip" {
  value = jdcloud_elastic_ip_association.web.elastic_ip_address
}

output "golden_image_id" {
  value = jdcloud_image.golden.id
}
