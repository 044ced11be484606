package notify

import (
	"context"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"time"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/auth"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/page"
)

// People is what notify needs from accounts, acting for the system: a
// user's address and name, and the user who runs a store. The
// composition root adapts *account.Service to it.
type People interface {
	Contact(ctx context.Context, user id.User) (Contact, error)
	SellerOwner(ctx context.Context, seller id.Seller) (id.User, error)
}

// Contact is where a user is written to.
type Contact struct {
	Email string
	Name  string
}

// Options tune a Service.
type Options struct {
	Logger *slog.Logger
	Now    func() time.Time
	// Sender sends outbox mail; nil logs each mail (recipient and
	// subject) and marks it sent.
	Sender Sender
	// BaseURL is the shop's address links in e-mail start with
	// ("http://localhost:8080" when empty).
	BaseURL string
	// MaxAttempts is how many times a mail is tried before it is dead (8).
	MaxAttempts int
	// SendEvery is how often the sender looks for due mail (2 s).
	SendEvery time.Duration
	// OnNotified, when set, is told of the in-app notifications an event
	// made, once they are committed (live updates push them). It must not
	// block.
	OnNotified func(ns []Notification)
	// LowStock is the available quantity at or below which a seller is
	// told a SKU runs low, once each time it falls there (5 when zero;
	// negative: never).
	LowStock int
}

// Service is the notify module.
type Service struct {
	store  Store
	people People
	opts   Options
	mails  *templates
}

// New returns the notify service.
func New(store Store, people People, opts Options) *Service {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.BaseURL == "" {
		opts.BaseURL = "http://localhost:8080"
	}
	if opts.MaxAttempts == 0 {
		opts.MaxAttempts = 8
	}
	if opts.SendEvery == 0 {
		opts.SendEvery = 2 * time.Second
	}
	if opts.LowStock == 0 {
		opts.LowStock = 5
	}
	return &Service{store: store, people: people, opts: opts, mails: mustTemplates()}
}

func (s *Service) now() time.Time { return s.opts.Now().UTC() }

// Inbox returns a page of the caller's notifications, newest first, and
// its unread count.
func (s *Service) Inbox(ctx context.Context, cursor string, limit int) (Inbox, error) {
	p, err := auth.Require(ctx)
	if err != nil {
		return Inbox{}, err
	}
	var f apperr.Fields
	limit = page.Limit(&f, limit)
	if err := f.Err(); err != nil {
		return Inbox{}, err
	}
	var before *Cursor
	if cursor != "" {
		before = new(Cursor)
		if err := page.DecodeCursor(cursor, before); err != nil {
			return Inbox{}, err
		}
	}
	ns, err := s.store.Notifications(ctx, p.UserID, before, limit+1)
	if err != nil {
		return Inbox{}, err
	}
	in := Inbox{Items: ns}
	if len(ns) > limit {
		in.Items = ns[:limit]
		last := in.Items[limit-1]
		in.NextCursor = page.EncodeCursor(Cursor{At: last.CreatedAt, ID: last.ID})
	}
	if in.Items == nil {
		in.Items = []Notification{}
	}
	if in.Unread, err = s.store.Unread(ctx, p.UserID); err != nil {
		return Inbox{}, err
	}
	return in, nil
}

// MarkRead marks one of the caller's notifications read. Another user's
// notification is NotFound, like a missing one.
func (s *Service) MarkRead(ctx context.Context, n ID) (Notification, error) {
	p, err := auth.Require(ctx)
	if err != nil {
		return Notification{}, err
	}
	return s.store.MarkRead(ctx, p.UserID, n, s.now())
}

// MarkAllRead marks every notification of the caller read and returns how
// many were unread.
func (s *Service) MarkAllRead(ctx context.Context) (int, error) {
	p, err := auth.Require(ctx)
	if err != nil {
		return 0, err
	}
	return s.store.MarkAllRead(ctx, p.UserID, s.now())
}

// Preferences returns the caller's preference for every category.
func (s *Service) Preferences(ctx context.Context) (Preferences, error) {
	p, err := auth.Require(ctx)
	if err != nil {
		return Preferences{}, err
	}
	return s.preferences(ctx, p.UserID)
}

func (s *Service) preferences(ctx context.Context, user id.User) (Preferences, error) {
	set, err := s.store.Preferences(ctx, user)
	if err != nil {
		return Preferences{}, err
	}
	byCat := map[Category]Preference{}
	for _, p := range set {
		byCat[p.Category] = p
	}
	out := Preferences{Items: make([]Preference, 0, len(Categories))}
	for _, c := range Categories {
		p, ok := byCat[c]
		if !ok {
			p = defaultPreference(c)
		}
		p.EmailRequired = c.Transactional()
		if p.EmailRequired {
			p.Email = true
		}
		out.Items = append(out.Items, p)
	}
	return out, nil
}

// SetPreferences sets the caller's preferences of the categories listed
// (others keep theirs) and returns them all. Turning off the e-mail of a
// transactional category is a field error.
func (s *Service) SetPreferences(ctx context.Context, in Preferences) (Preferences, error) {
	p, err := auth.Require(ctx)
	if err != nil {
		return Preferences{}, err
	}
	var f apperr.Fields
	seen := map[Category]bool{}
	for i, pr := range in.Items {
		field := fmt.Sprintf("items[%d]", i)
		switch {
		case !pr.Category.Valid():
			f.Add(field+".category", "must be one of "+categoryList())
		case seen[pr.Category]:
			f.Add(field+".category", "is listed twice")
		case pr.Category.Transactional() && !pr.Email:
			f.Add(field+".email", fmt.Sprintf("%s e-mails are transactional (confirmations, cancellations, refunds) and cannot be turned off", pr.Category))
		}
		seen[pr.Category] = true
		in.Items[i].EmailRequired = pr.Category.Transactional()
	}
	if len(in.Items) == 0 {
		f.Add("items", "must list at least one category")
	}
	if err := f.Err(); err != nil {
		return Preferences{}, err
	}
	if err := s.store.SetPreferences(ctx, p.UserID, in.Items); err != nil {
		return Preferences{}, err
	}
	return s.preferences(ctx, p.UserID)
}

// categoryList is the categories' names, comma separated.
func categoryList() string {
	names := make([]string, len(Categories))
	for i, c := range Categories {
		names[i] = string(c)
	}
	return strings.Join(names, ", ")
}

// MailQuery selects the outbox mails an admin lists.
type MailQuery struct {
	Status MailStatus
	Cursor string
	Limit  int
}

// Mails lists the mail outbox, newest first, for an admin. The items
// leave out the bodies (Mail has them).
func (s *Service) Mails(ctx context.Context, q MailQuery) (page.Page[Mail], error) {
	if _, err := auth.Require(ctx, auth.Admin); err != nil {
		return page.Page[Mail]{}, err
	}
	var f apperr.Fields
	f.Check(q.Status == "" || q.Status == MailPending || q.Status == MailSent || q.Status == MailDead, "status", "must be pending, sent or dead")
	limit := page.Limit(&f, q.Limit)
	if err := f.Err(); err != nil {
		return page.Page[Mail]{}, err
	}
	var before MailID
	if q.Cursor != "" {
		if err := page.DecodeCursor(q.Cursor, &before); err != nil {
			return page.Page[Mail]{}, err
		}
	}
	ms, err := s.store.Mails(ctx, MailFilter{Status: q.Status, Before: before, Limit: limit + 1})
	if err != nil {
		return page.Page[Mail]{}, err
	}
	out := page.Page[Mail]{Items: ms}
	if len(ms) > limit {
		out.Items = ms[:limit]
		out.NextCursor = page.EncodeCursor(out.Items[limit-1].ID)
	}
	if out.Items == nil {
		out.Items = []Mail{}
	}
	for i := range out.Items {
		out.Items[i].Text, out.Items[i].HTML = "", ""
	}
	return out, nil
}

// Mail returns one outbox mail with both parts, for an admin. When mail
// goes out through an SMTP server, the single-use tokens in account mail
// (verification and reset links) are shown redacted: they are credentials
// for their recipient alone. Without one, the outbox is the only place the
// mail can be read, so it is shown whole.
func (s *Service) Mail(ctx context.Context, mid MailID) (Mail, error) {
	if _, err := auth.Require(ctx, auth.Admin); err != nil {
		return Mail{}, err
	}
	m, err := s.store.Mail(ctx, mid)
	if err != nil {
		return Mail{}, err
	}
	if m.Category == CategoryAccount && s.opts.Sender != nil {
		m.Text = tokenParam.ReplaceAllString(m.Text, "token=REDACTED")
		m.HTML = tokenParam.ReplaceAllString(m.HTML, "token=REDACTED")
	}
	return m, nil
}

// tokenParam is a link's token parameter in a rendered mail.
var tokenParam = regexp.MustCompile(`token=[A-Za-z0-9_%-]+`)
