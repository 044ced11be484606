package eventnats

// KillConnection closes b's connection abruptly, as if its process died:
// its members neither acknowledge nor release their leases.
func (b *Broker) KillConnection() { b.nc.Close() }
