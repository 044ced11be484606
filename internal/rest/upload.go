package rest

import (
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"slices"

	"github.com/bazaar-market/bazaar/internal/apperr"
)

// Upload is a file a client sent.
type Upload struct {
	Data []byte
	// Declared is the type the client named ("" when it did not know);
	// the service checks it against the bytes.
	Declared string
	// Name is the file's name as sent (multipart), or the "name" query
	// parameter for a raw body.
	Name string
}

// UploadRules bound what ReadUpload accepts.
type UploadRules struct {
	MaxSize int64    // bytes
	Types   []string // content types accepted as a raw body
	// TooLarge and Unsupported are the errors for a file over MaxSize and
	// a body of another type.
	TooLarge, Unsupported error
}

// ReadUpload reads a file sent as the raw body (with one of rules.Types as
// its Content-Type) or as the multipart/form-data field "file".
func ReadUpload(w http.ResponseWriter, r *http.Request, rules UploadRules) (Upload, error) {
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil {
		mt = ""
	}
	body := http.MaxBytesReader(w, r.Body, rules.MaxSize+64<<10) // room for multipart framing
	var up Upload
	switch {
	case mt == "multipart/form-data":
		up, err = filePart(multipart.NewReader(body, params["boundary"]), rules.MaxSize)
	case slices.Contains(rules.Types, mt):
		up.Declared, up.Name = mt, r.URL.Query().Get("name")
		up.Data, err = io.ReadAll(io.LimitReader(body, rules.MaxSize+1))
	default:
		return Upload{}, rules.Unsupported
	}
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return Upload{}, rules.TooLarge
		}
		if _, ok := apperr.As(err); ok {
			return Upload{}, err
		}
		return Upload{}, apperr.Invalid("malformed_body", "the upload could not be read")
	}
	return up, nil
}

// filePart returns the form field "file".
func filePart(mr *multipart.Reader, max int64) (Upload, error) {
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return Upload{}, apperr.Invalid("validation_failed", "the request has invalid fields",
				apperr.FieldError{Field: "file", Message: "is required"})
		}
		if err != nil {
			return Upload{}, err
		}
		if part.FormName() != "file" {
			continue
		}
		data, err := io.ReadAll(io.LimitReader(part, max+1))
		declared := part.Header.Get("Content-Type")
		if declared == "application/octet-stream" {
			declared = "" // browsers send this when they do not know; the bytes decide
		}
		return Upload{Data: data, Declared: declared, Name: part.FileName()}, err
	}
}
