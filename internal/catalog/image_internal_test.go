package catalog

import (
	"bytes"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"net/http"
	"slices"
	"testing"
)

// sniffedByHTTP is what the catalog accepted when it sniffed with net/http.
func sniffedByHTTP(data []byte) string {
	if ct := http.DetectContentType(data); slices.Contains(ImageTypes, ct) {
		return ct
	}
	return ""
}

func TestSniffImageMatchesDetectContentType(t *testing.T) {
	img := image.NewRGBA(image.Rect(0, 0, 2, 2))
	img.Set(0, 0, color.RGBA{R: 255, A: 255})
	var pngBuf, jpegBuf, gifBuf bytes.Buffer
	if err := png.Encode(&pngBuf, img); err != nil {
		t.Fatal(err)
	}
	if err := jpeg.Encode(&jpegBuf, img, nil); err != nil {
		t.Fatal(err)
	}
	if err := gif.Encode(&gifBuf, img, nil); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		data []byte
		want string
	}{
		{"png", pngBuf.Bytes(), "image/png"},
		{"jpeg", jpegBuf.Bytes(), "image/jpeg"},
		{"gif89a", gifBuf.Bytes(), "image/gif"},
		{"gif87a", []byte("GIF87a\x01\x00\x01\x00"), "image/gif"},
		{"webp", []byte("RIFF\x24\x00\x00\x00WEBPVP8 \x18\x00\x00\x00"), "image/webp"},
		{"webp, short", []byte("RIFF\x24\x00\x00\x00WEBPV"), ""},
		{"riff, not webp", []byte("RIFF\x24\x00\x00\x00WAVEfmt "), ""},
		{"png after whitespace", append([]byte(" \n"), pngBuf.Bytes()...), ""},
		{"bmp", []byte("BM\x00\x00\x00\x00"), ""},
		{"icon", []byte("\x00\x00\x01\x00\x01\x00"), ""},
		{"html", []byte("<html><body>hi</body></html>"), ""},
		{"svg", []byte(`<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>`), ""},
		{"pdf", []byte("%PDF-1.7\n"), ""},
		{"text", []byte("just some text"), ""},
		{"jpeg prefix only", []byte("\xff\xd8"), ""},
		{"empty", nil, ""},
	} {
		if got := sniffImage(tt.data); got != tt.want || got != sniffedByHTTP(tt.data) {
			t.Errorf("sniffImage(%s) = %q, want %q (net/http: %q)", tt.name, got, tt.want, sniffedByHTTP(tt.data))
		}
	}
}

// FuzzSniffImage: any bytes are named as net/http's sniffer names them.
func FuzzSniffImage(f *testing.F) {
	for _, s := range []string{"\x89PNG\r\n\x1a\n", "\xff\xd8\xff\xe0", "GIF89a", "GIF87a", "RIFF\x00\x00\x00\x00WEBPVP8L", "BM", "<html>", ""} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if got, want := sniffImage(data), sniffedByHTTP(data); got != want {
			t.Errorf("sniffImage(%q) = %q, want %q as net/http", data, got, want)
		}
	})
}
