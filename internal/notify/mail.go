package notify

import (
	"bytes"
	"context"
	"embed"
	htmltemplate "html/template"
	"io/fs"
	"strings"
	texttemplate "text/template"
	"time"

	"github.com/bazaar-market/bazaar/internal/unit"
)

// templatesFS holds the mail templates, one folder per language (only
// "en" so far). Each folder defines "html" (mail.html.tmpl) and "text"
// (mail.txt.tmpl): one layout each, for every message, so restyling the
// mail is one file. A new language is a new folder with the same two
// files.
//
//go:embed templates
var templatesFS embed.FS

// defaultLang is the language of mail to users whose language is not known.
const defaultLang = "en"

// templates are the parsed mail layouts per language.
type templates struct {
	html map[string]*htmltemplate.Template
	text map[string]*texttemplate.Template
}

func mustTemplates() *templates {
	t := &templates{html: map[string]*htmltemplate.Template{}, text: map[string]*texttemplate.Template{}}
	langs, err := fs.ReadDir(templatesFS, "templates")
	if err != nil {
		panic(err)
	}
	for _, l := range langs {
		dir := "templates/" + l.Name()
		t.html[l.Name()] = htmltemplate.Must(htmltemplate.ParseFS(templatesFS, dir+"/*.html.tmpl"))
		t.text[l.Name()] = texttemplate.Must(texttemplate.ParseFS(templatesFS, dir+"/*.txt.tmpl"))
	}
	return t
}

// PreferencesPath is the web page where a user sets which news comes by
// e-mail: the List-Unsubscribe target of non-transactional mail.
const PreferencesPath = "/account/notifications"

// mailData is what a layout is given. Action is the label of the link's
// button; ShowURL also prints the link (for mail whose link is the point,
// in case the button does not work); Note, when set, replaces the footer's
// reason for the mail.
type mailData struct {
	Subject, Title, Name, Body, URL, Action, Note, Unsubscribe string
	ShowURL                                                    bool
}

// render makes a mail of m to c: its subject, both parts and, unless the
// category is transactional, the List-Unsubscribe target.
func (s *Service) render(m message, c Contact) (Mail, error) {
	base := strings.TrimRight(s.opts.BaseURL, "/")
	d := mailData{Subject: m.title, Title: m.title, Name: c.Name, Body: m.body, URL: base + m.link, Action: "View details"}
	if !m.category.Transactional() {
		d.Unsubscribe = base + PreferencesPath
	}
	return s.renderData(d, c.Email, m.category)
}

// renderData renders d in both layouts into a mail to address.
func (s *Service) renderData(d mailData, to string, category Category) (Mail, error) {
	if d.Name == "" {
		d.Name = "there"
	}
	var h, t bytes.Buffer
	if err := s.mails.html[defaultLang].ExecuteTemplate(&h, "html", d); err != nil {
		return Mail{}, err
	}
	if err := s.mails.text[defaultLang].ExecuteTemplate(&t, "text", d); err != nil {
		return Mail{}, err
	}
	return Mail{To: to, Subject: d.Subject, HTML: h.String(), Text: t.String(), Category: category, Unsubscribe: d.Unsubscribe}, nil
}

// Sender delivers one mail. An error means it was not delivered and may be
// tried again.
type Sender interface {
	Send(ctx context.Context, m Mail) error
}

// Jobs returns the sender of outbox mail: a singleton, so each mail is
// sent by one process.
func (s *Service) Jobs() []unit.Job {
	return []unit.Job{{Name: "notify.mail", Singleton: true, Every: s.opts.SendEvery, Tick: func(ctx context.Context) error {
		_, err := s.SendDue(ctx)
		return err
	}}}
}

// mailBackoff is the wait after a mail's nth failed attempt: 30 s, 1 min,
// 2 min ... up to 1 h.
func mailBackoff(n int) time.Duration {
	d := 30 * time.Second << min(n-1, 7)
	return min(d, time.Hour)
}

// SendDue sends the outbox mail that is due and returns how many it sent.
// A failed mail is tried again after a backoff, and is dead after
// MaxAttempts; without a Sender, each mail is logged (recipient and
// subject) and marked sent.
func (s *Service) SendDue(ctx context.Context) (int, error) {
	sent := 0
	for {
		due, err := s.store.DueMails(ctx, s.now(), 50)
		if err != nil {
			return sent, err
		}
		if len(due) == 0 {
			return sent, nil
		}
		for _, m := range due {
			m.Attempts++
			err := s.send(ctx, m)
			now := s.now()
			switch {
			case err == nil:
				m.Status, m.SentAt, m.LastError = MailSent, &now, ""
				sent++
			case m.Attempts >= s.opts.MaxAttempts:
				m.Status, m.LastError = MailDead, err.Error()
				s.opts.Logger.Error("mail dead", "mail", m.ID, "to", m.To, "attempts", m.Attempts, "err", err)
			default:
				m.LastError, m.NextAt = err.Error(), now.Add(mailBackoff(m.Attempts))
				s.opts.Logger.Warn("mail failed", "mail", m.ID, "to", m.To, "attempts", m.Attempts, "err", err)
			}
			if err := s.store.UpdateMail(ctx, m); err != nil {
				return sent, err
			}
			if ctx.Err() != nil {
				return sent, ctx.Err()
			}
		}
	}
}

func (s *Service) send(ctx context.Context, m Mail) error {
	if s.opts.Sender == nil {
		s.opts.Logger.Info("mail (no SMTP server configured)", "mail", m.ID, "to", m.To, "subject", m.Subject)
		return nil
	}
	return s.opts.Sender.Send(ctx, m)
}
