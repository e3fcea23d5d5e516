# Consul agent of the Concierge mesh in compose/docker-compose.yaml: one server that is also the
# local agent of every Concierge process. All containers share the host's network namespace
# (network_mode: host), so everything talks over 127.0.0.1 exactly as in ./concierge demo.
#
# The official image starts `consul agent -data-dir=/consul/data -config-dir=/consul/config`; this
# file is mounted as /consul/config/agent.hcl. Reference:
# https://developer.hashicorp.com/consul/docs/agent/config/config-files

datacenter       = "dc1"
node_name        = "concierge-consul"
server           = true
bootstrap_expect = 1

# Loopback only: the HTTP API (8500) has no ACLs in this local setup (see docs/operations.md for
# turning them on and giving the gateways a token through CONSUL_HTTP_TOKEN).
bind_addr   = "127.0.0.1"
client_addr = "127.0.0.1"

ui_config {
  enabled = true
}

log_level = "INFO"

# The demo services register too, by definition here: the agent checks their /health like the
# gateways' (the gateways themselves register over the HTTP API when they start).
service {
  id      = "user-service-1"
  name    = "user-service"
  address = "127.0.0.1"
  port    = 3001
  tags    = ["concierge-demo"]
  check {
    id       = "user-service-1-http"
    http     = "http://127.0.0.1:3001/health"
    interval = "5s"
    timeout  = "1s"
  }
}

service {
  id      = "product-service-1"
  name    = "product-service"
  address = "127.0.0.1"
  port    = 3002
  tags    = ["concierge-demo"]
  check {
    id       = "product-service-1-http"
    http     = "http://127.0.0.1:3002/health"
    interval = "5s"
    timeout  = "1s"
  }
}

service {
  id      = "order-service-1"
  name    = "order-service"
  address = "127.0.0.1"
  port    = 3003
  tags    = ["concierge-demo"]
  check {
    id       = "order-service-1-http"
    http     = "http://127.0.0.1:3003/health"
    interval = "5s"
    timeout  = "1s"
  }
}

service {
  id      = "payment-service-1"
  name    = "payment-service"
  address = "127.0.0.1"
  port    = 3004
  tags    = ["concierge-demo"]
  check {
    id       = "payment-service-1-http"
    http     = "http://127.0.0.1:3004/health"
    interval = "5s"
    timeout  = "1s"
  }
}
