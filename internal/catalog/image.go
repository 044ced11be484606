package catalog

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	_ "image/gif" // registers the decoders image.DecodeConfig uses
	_ "image/jpeg"
	_ "image/png"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/id"
)

// Image limits.
const (
	MaxImageSize   = 5 << 20    // bytes
	maxImagePixels = 50_000_000 // width x height, against decompression bombs downstream
)

// ImageTypes are the content types accepted for product images.
var ImageTypes = []string{"image/png", "image/jpeg", "image/gif", "image/webp"}

// AddImage stores an image and appends it to a product (its owner or an
// admin). The content type is sniffed from the bytes and must be one of
// ImageTypes and, when contentType is given, match it. The file is named by
// its new image ID, never by anything the client sent.
func (s *Service) AddImage(ctx context.Context, productID id.Product, contentType string, data []byte) (Image, error) {
	cur, err := s.ownedProduct(ctx, string(productID))
	if err != nil {
		return Image{}, err
	}
	img, err := inspectImage(contentType, data)
	if err != nil {
		return Image{}, err
	}
	if len(cur.Images) >= MaxImages {
		return Image{}, apperr.Conflict("too_many_images", "a product can have at most %d images", MaxImages)
	}
	t, err := s.tree(ctx, false)
	if err != nil {
		return Image{}, err
	}
	img.ID = id.Make[id.Image]()
	img.URL = ImageURL(img.ID)
	img.CreatedAt = s.clock()
	path := filepath.Join(s.imageDir, string(img.ID))
	if err := writeFile(path, data); err != nil {
		return Image{}, fmt.Errorf("store image: %w", err)
	}
	_, err = s.store.UpdateProduct(ctx, cur.ID, func(p *Product) (Event, error) {
		if len(p.Images) >= MaxImages {
			return Event{}, apperr.Conflict("too_many_images", "a product can have at most %d images", MaxImages)
		}
		p.Images = append(slices.DeleteFunc(p.Images, func(i Image) bool { return i.ID == img.ID }), img)
		p.UpdatedAt = img.CreatedAt
		return productEvent(TopicProductUpdated, *p, t), nil
	})
	if err != nil {
		_ = os.Remove(path)
		return Image{}, err
	}
	return img, nil
}

// DeleteImage removes an image from a product (its owner or an admin) and
// deletes its file.
func (s *Service) DeleteImage(ctx context.Context, productID id.Product, imageID id.Image) error {
	cur, err := s.ownedProduct(ctx, string(productID))
	if err != nil {
		return err
	}
	t, err := s.tree(ctx, false)
	if err != nil {
		return err
	}
	_, err = s.store.UpdateProduct(ctx, cur.ID, func(p *Product) (Event, error) {
		n := len(p.Images)
		p.Images = slices.DeleteFunc(p.Images, func(i Image) bool { return i.ID == imageID })
		if len(p.Images) == n {
			return Event{}, apperr.NotFound("image %s not found", imageID)
		}
		p.UpdatedAt = s.clock()
		return productEvent(TopicProductUpdated, *p, t), nil
	})
	if err != nil {
		return err
	}
	if err := os.Remove(filepath.Join(s.imageDir, string(imageID))); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("delete image file: %w", err)
	}
	return nil
}

// OpenImage returns an image's metadata and its file, for anyone: image IDs
// are unguessable and images are public once linked. The caller closes the
// file.
func (s *Service) OpenImage(ctx context.Context, imageID id.Image) (Image, *os.File, error) {
	if !id.Valid(string(imageID), "img") {
		return Image{}, nil, apperr.NotFound("image %s not found", imageID)
	}
	img, err := s.store.Image(ctx, imageID)
	if err != nil {
		return Image{}, nil, err
	}
	f, err := os.Open(filepath.Join(s.imageDir, string(imageID)))
	if errors.Is(err, fs.ErrNotExist) {
		return Image{}, nil, apperr.NotFound("image %s not found", imageID)
	}
	if err != nil {
		return Image{}, nil, fmt.Errorf("open image: %w", err)
	}
	return img, f, nil
}

// inspectImage checks an upload and returns its metadata (without ID).
func inspectImage(declared string, data []byte) (Image, error) {
	if len(data) > MaxImageSize {
		return Image{}, apperr.New(apperr.KindTooLarge, "image_too_large", "an image may be at most %d bytes", MaxImageSize)
	}
	if len(data) == 0 {
		return Image{}, apperr.Invalid("invalid_image", "the image is empty", apperr.FieldError{Field: "file", Message: "is empty"})
	}
	sniffed := sniffImage(data)
	if !slices.Contains(ImageTypes, sniffed) {
		return Image{}, apperr.New(apperr.KindInvalid, "unsupported_image_type", "the file is not a PNG, JPEG, GIF or WebP image")
	}
	if declared != "" {
		if ct, _, _ := strings.Cut(declared, ";"); strings.TrimSpace(strings.ToLower(ct)) != sniffed {
			return Image{}, apperr.New(apperr.KindInvalid, "content_type_mismatch", "the file is %s, not the declared %s", sniffed, truncate(declared, 100))
		}
	}
	img := Image{ContentType: sniffed, Size: int64(len(data))}
	sum := sha256.Sum256(data)
	img.SHA256 = hex.EncodeToString(sum[:])
	if sniffed != "image/webp" { // the standard library has no WebP decoder
		cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
		if err != nil {
			return Image{}, apperr.New(apperr.KindInvalid, "invalid_image", "the %s image cannot be read", sniffed)
		}
		if cfg.Width <= 0 || cfg.Height <= 0 || int64(cfg.Width)*int64(cfg.Height) > maxImagePixels {
			return Image{}, apperr.New(apperr.KindInvalid, "invalid_image", "the image must have at most %d pixels", maxImagePixels)
		}
		img.Width, img.Height = cfg.Width, cfg.Height
	}
	return img, nil
}

// sniffImage names the type in ImageTypes that data's first bytes show,
// "" for anything else. It matches the image patterns of the WHATWG MIME
// sniffing standard exactly as net/http's DetectContentType does (which
// the tests check), without tying the catalog to an HTTP package.
func sniffImage(data []byte) string {
	switch {
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		return "image/png"
	case bytes.HasPrefix(data, []byte("\xff\xd8\xff")):
		return "image/jpeg"
	case bytes.HasPrefix(data, []byte("GIF87a")), bytes.HasPrefix(data, []byte("GIF89a")):
		return "image/gif"
	case len(data) >= 14 && string(data[:4]) == "RIFF" && string(data[8:14]) == "WEBPVP": // bytes 4-7 are the size
		return "image/webp"
	}
	return ""
}

// writeFile writes data to path atomically (a temporary file renamed).
func writeFile(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(path), ".upload-*")
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(f.Name(), 0o640)
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		_ = os.Remove(f.Name())
	}
	return err
}
