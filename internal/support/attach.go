package support

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/id"
)

// Attachment limits.
const (
	MaxAttachmentSize = 5 << 20 // bytes
	maxFileName       = 200
	// OrphanAfter is how long an upload waits to be attached before it is
	// deleted.
	OrphanAfter = 24 * time.Hour
)

// AttachmentTypes are the content types accepted for attachments.
var AttachmentTypes = []string{"image/jpeg", "image/png", "image/webp", "application/pdf"}

// sniff returns the type of data from its first bytes, "" if not one of
// AttachmentTypes.
func sniff(data []byte) string {
	switch {
	case bytes.HasPrefix(data, []byte{0xFF, 0xD8, 0xFF}):
		return "image/jpeg"
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		return "image/png"
	case len(data) >= 12 && bytes.Equal(data[:4], []byte("RIFF")) && bytes.Equal(data[8:12], []byte("WEBP")):
		return "image/webp"
	case bytes.HasPrefix(data, []byte("%PDF-")):
		return "application/pdf"
	}
	return ""
}

// Upload stores a file for the signed-in caller to attach to a message or a
// return within OrphanAfter. Its type is taken from its bytes (JPEG, PNG,
// WebP or PDF; else 415 "unsupported_media_type") and must match the
// declared one when given; at most MaxAttachmentSize (413
// "attachment_too_large").
func (s *Service) Upload(ctx context.Context, name, declared string, data []byte) (Attachment, error) {
	w, err := s.caller(ctx)
	if err != nil {
		return Attachment{}, err
	}
	if len(data) > MaxAttachmentSize {
		return Attachment{}, TooLarge()
	}
	if len(data) == 0 {
		return Attachment{}, apperr.Invalid("validation_failed", "the file is empty", apperr.FieldError{Field: "file", Message: "is empty"})
	}
	ct := sniff(data)
	if ct == "" {
		return Attachment{}, UnsupportedType()
	}
	if declared != "" {
		d, _, _ := strings.Cut(declared, ";")
		if d = strings.ToLower(strings.TrimSpace(d)); d != ct {
			return Attachment{}, apperr.New(apperr.KindUnsupportedMedia, "unsupported_media_type",
				"the file is %s, not the declared %s", ct, d[:min(len(d), 100)])
		}
	}
	if s.dir == "" {
		return Attachment{}, apperr.New(apperr.KindUnavailable, "uploads_unavailable", "this server stores no uploads")
	}
	sum := sha256.Sum256(data)
	a := Attachment{ID: id.Make[id.Attachment](), Name: cleanName(name, ct), ContentType: ct, Size: int64(len(data)),
		SHA256: hex.EncodeToString(sum[:]), OwnerID: w.UserID, CreatedAt: s.clock()}
	a.URL = AttachmentURL(a.ID)
	path := filepath.Join(s.dir, string(a.ID))
	if err := writeFile(path, data); err != nil {
		return Attachment{}, fmt.Errorf("store attachment: %w", err)
	}
	if err := s.store.SaveAttachment(ctx, a); err != nil {
		_ = os.Remove(path)
		return Attachment{}, err
	}
	return a, nil
}

// TooLarge is the error of an attachment over MaxAttachmentSize.
func TooLarge() error {
	return apperr.New(apperr.KindTooLarge, "attachment_too_large", "a file may be at most %d MB", MaxAttachmentSize>>20)
}

// UnsupportedType is the error of a file of a type not accepted.
func UnsupportedType() error {
	return apperr.New(apperr.KindUnsupportedMedia, "unsupported_media_type", "attach a JPEG, PNG or WebP image or a PDF")
}

// cleanName keeps a display name that is safe to show and to send back in a
// Content-Disposition header.
func cleanName(name, ct string) string {
	name = filepath.Base(strings.ReplaceAll(name, "\\", "/"))
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == '"' || r == '/' {
			return -1
		}
		return r
	}, name)
	if name == "." || name == "" || !utf8.ValidString(name) {
		name = "file" + map[string]string{"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp", "application/pdf": ".pdf"}[ct]
	}
	if utf8.RuneCountInString(name) > maxFileName {
		name = string([]rune(name)[:maxFileName])
	}
	return name
}

func writeFile(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// OpenAttachment returns an attachment and its file to who may see it: its
// uploader; for a message's file, those who see the ticket (staff only for
// an internal note's); for a return's photo, those who see the return. For
// anyone else it is NotFound. The caller closes the file.
func (s *Service) OpenAttachment(ctx context.Context, attachmentID id.Attachment) (Attachment, *os.File, error) {
	w, err := s.caller(ctx)
	if err != nil {
		return Attachment{}, nil, err
	}
	missing := apperr.NotFound("attachment %s not found", attachmentID)
	if !id.Valid(string(attachmentID), "att") {
		return Attachment{}, nil, missing
	}
	a, err := s.store.Attachment(ctx, attachmentID)
	if err != nil {
		return Attachment{}, nil, err
	}
	ok, err := s.mayOpen(ctx, w, a)
	if err != nil {
		return Attachment{}, nil, err
	}
	if !ok {
		return Attachment{}, nil, missing
	}
	f, err := os.Open(filepath.Join(s.dir, string(a.ID)))
	if errors.Is(err, fs.ErrNotExist) {
		return Attachment{}, nil, missing
	}
	if err != nil {
		return Attachment{}, nil, fmt.Errorf("open attachment: %w", err)
	}
	return a, f, nil
}

func (s *Service) mayOpen(ctx context.Context, w who, a Attachment) (bool, error) {
	if a.OwnerID == w.UserID || w.staff() {
		return true, nil
	}
	if a.TicketID != "" {
		t, err := s.store.Ticket(ctx, a.TicketID)
		if err != nil || !w.sees(t) {
			return false, nil
		}
		ms, err := s.store.Messages(ctx, t.ID)
		if err != nil {
			return false, err
		}
		i := slices.IndexFunc(ms, func(m Message) bool { return m.ID == a.MessageID })
		return i >= 0 && !ms[i].Internal, nil
	}
	if a.ReturnID != "" {
		r, err := s.store.Return(ctx, a.ReturnID)
		if err != nil {
			return false, nil
		}
		return w.seesReturn(r), nil
	}
	return false, nil
}

// PurgeOrphans deletes uploads never attached within OrphanAfter.
func (s *Service) PurgeOrphans(ctx context.Context) (int, error) {
	ids, err := s.store.DeleteOrphans(ctx, s.clock().Add(-OrphanAfter), 500)
	if err != nil {
		return 0, fmt.Errorf("purge unattached uploads: %w", err)
	}
	for _, a := range ids {
		if err := os.Remove(filepath.Join(s.dir, a)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			s.log.WarnContext(ctx, "delete an unattached upload", "attachment", a, "err", err)
		}
	}
	return len(ids), nil
}
