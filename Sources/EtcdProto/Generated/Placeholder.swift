// Placeholder until the etcd protocol is generated.
