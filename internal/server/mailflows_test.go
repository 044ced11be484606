package server_test

import (
	"net/url"
	"regexp"
)

// linkRE finds the first absolute link in a mail's text part.
var linkRE = regexp.MustCompile(`https?://[^\s"<>]+`)

// mailedLink returns the link of the newest outbox mail to address with
// subject, read through the admin mail API as an admin would.
func mailedLink(c client, admin, address, subject string) string {
	c.t.Helper()
	for _, m := range items(c.must(200, "GET", "/api/v1/admin/mail?limit=100", nil, bearer(admin))) {
		if m["to"] != address || m["subject"] != subject {
			continue
		}
		full := c.must(200, "GET", "/api/v1/admin/mail/"+str(m, "id"), nil, bearer(admin))
		link := linkRE.FindString(str(full, "text"))
		if link == "" {
			c.t.Fatalf("mail %q to %s has no link: %s", subject, address, str(full, "text"))
		}
		return link
	}
	c.t.Fatalf("no mail %q to %s in the outbox", subject, address)
	return ""
}

// tokenOf is the token parameter of a mailed link.
func tokenOf(c client, link string) string {
	c.t.Helper()
	u, err := url.Parse(link)
	if err != nil || u.Query().Get("token") == "" {
		c.t.Fatalf("link %q carries no token", link)
	}
	return u.Query().Get("token")
}

// verifyByMail opens the verification link mailed to address, as its
// owner would: sellers list products only once verified.
func verifyByMail(c client, admin, address string) {
	c.t.Helper()
	link := mailedLink(c, admin, address, "Confirm your e-mail address")
	c.must(200, "POST", "/api/v1/auth/verify-email", map[string]string{"token": tokenOf(c, link)})
}
