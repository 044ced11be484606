package edge

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// ParsePrefixes parses comma-separated CIDRs or addresses ("10.0.0.0/8,
// 192.0.2.7").
func ParsePrefixes(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for f := range strings.SplitSeq(s, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		if !strings.Contains(f, "/") {
			a, err := netip.ParseAddr(f)
			if err != nil {
				return nil, err
			}
			out = append(out, netip.PrefixFrom(a, a.BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(f)
		if err != nil {
			return nil, err
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

// RealIP sets r.RemoteAddr to the client's address when the request came
// through trusted proxies: walking X-Forwarded-For from the right, it
// skips trusted addresses and takes the first untrusted one. A request
// from an untrusted peer keeps its peer address, whatever it claims, so a
// client cannot choose the address its limits are counted under. With no
// trusted proxies it does nothing.
func RealIP(trusted []netip.Prefix) func(http.Handler) http.Handler {
	isTrusted := func(a netip.Addr) bool {
		a = a.Unmap()
		for _, p := range trusted {
			if p.Contains(a) {
				return true
			}
		}
		return false
	}
	return func(next http.Handler) http.Handler {
		if len(trusted) == 0 {
			return next
		}
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			host, port, err := net.SplitHostPort(r.RemoteAddr)
			peer, perr := netip.ParseAddr(host)
			if err != nil || perr != nil || !isTrusted(peer) {
				next.ServeHTTP(w, r)
				return
			}
			var hops []string
			for _, v := range r.Header.Values("X-Forwarded-For") {
				for h := range strings.SplitSeq(v, ",") {
					hops = append(hops, strings.TrimSpace(h))
				}
			}
			client := peer
			for i := len(hops) - 1; i >= 0; i-- {
				a, err := netip.ParseAddr(hops[i])
				if err != nil {
					break // a garbled hop: trust nothing further left
				}
				client = a
				if !isTrusted(a) {
					break
				}
			}
			if client != peer {
				r2 := r.Clone(r.Context())
				r2.RemoteAddr = net.JoinHostPort(client.Unmap().String(), port)
				r = r2
			}
			next.ServeHTTP(w, r)
		})
	}
}

// ClientIP is r's client address (RemoteAddr without its port).
func ClientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// ipKey is the rate-limit key of an address: itself for IPv4, its /64 for
// IPv6 (one subscriber usually holds a whole /64).
func ipKey(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	a = a.Unmap()
	if a.Is4() {
		return a.String()
	}
	p, _ := a.Prefix(64)
	return p.String()
}
