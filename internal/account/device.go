package account

import (
	"context"
	"strings"
	"time"
)

// Client is where a sign-in comes from.
type Client struct {
	IP        string // the peer address ("" for in-process callers)
	UserAgent string
	// Device is the browser's remembered-device cookie, "" if it has none.
	Device string
}

// DeviceMemory is how long a sign-in device is remembered after its last
// use.
const DeviceMemory = 365 * 24 * time.Hour

// maxUserAgent bounds what of a User-Agent header is kept or mailed.
const maxUserAgent = 200

// deviceKeys are the stored hashes a sign-in's device is known by: its
// device cookie (a fresh one when it had none) and its user agent on its
// network (the client's /24 or /64), so that clients without cookies
// (scripts, private windows) on the same machine are recognised too.
func deviceKeys(c Client, cookie string) []string {
	keys := []string{hashValue("cookie:" + cookie)}
	if c.IP != "" || c.UserAgent != "" {
		keys = append(keys, hashValue("agent:"+c.UserAgent+"|net:"+netBucket(c.IP)))
	}
	return keys
}

// netBucket is the network of an address: its /24 for IPv4, its /64 for
// IPv6 (a home or office keeps it while its last octet changes).
func netBucket(ip string) string {
	b := ipBucket(ip)
	if i := strings.LastIndexByte(b, '.'); i > 0 && !strings.Contains(b, ":") {
		return b[:i] + ".0/24"
	}
	return b
}

// remember records the device of a sign-in of u and, when the user had
// signed in before from other devices only, mails a "new sign-in" notice.
// The first device is learned silently. It returns the device cookie the
// client should keep. A failure to remember or to mail is logged, never
// the sign-in's failure.
func (s *Service) remember(ctx context.Context, u User, c Client, notify bool) string {
	cookie := c.Device
	if !validTokenShape(cookie) {
		cookie = randomToken()
	}
	now := s.now()
	known, first, err := s.store.RememberDevice(ctx, u.ID, deviceKeys(c, cookie), now)
	if err != nil {
		s.opts.Logger.WarnContext(ctx, "remember sign-in device", "user", u.ID, "err", err)
		return cookie
	}
	if notify && !known && !first {
		agent := c.UserAgent
		if len(agent) > maxUserAgent {
			agent = agent[:maxUserAgent]
		}
		if agent == "" {
			agent = "an unknown device"
		}
		if err := s.mail(ctx, Mail{Kind: MailNewSignIn, UserID: u.ID, To: u.Email, Name: u.Name, Device: agent, IP: c.IP, At: now}); err != nil {
			s.opts.Logger.WarnContext(ctx, "new sign-in notice not sent", "user", u.ID, "err", err)
		}
	}
	return cookie
}
