package edge

import (
	"bufio"
	"compress/gzip"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/klauspost/compress/zstd"
)

// compressible are the media types worth compressing.
var compressible = []string{"text/", "application/json", "application/problem+json", "application/graphql-response+json",
	"application/javascript", "application/xml", "image/svg+xml", "application/x-ndjson", "application/yaml", "application/x-protobuf-text"}

// minCompress is the smallest answer worth compressing.
const minCompress = 1024

var (
	gzipPool = sync.Pool{New: func() any { w, _ := gzip.NewWriterLevel(io.Discard, gzip.DefaultCompression); return w }}
	zstdPool = sync.Pool{New: func() any {
		w, _ := zstd.NewWriter(io.Discard, zstd.WithEncoderLevel(zstd.SpeedDefault), zstd.WithEncoderConcurrency(1), zstd.WithLowerEncoderMem(true))
		return w
	}}
)

// Compress compresses answers with zstd or gzip, whichever the client
// prefers by Accept-Encoding (zstd on a tie). It leaves alone gRPC and
// Connect streams (they compress themselves), WebSocket upgrades,
// text/event-stream, answers already encoded (the web UI's precompressed
// files), media types not worth it and answers under 1 KiB.
func Compress(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if isStream(r) {
			next.ServeHTTP(w, r)
			return
		}
		enc := chooseEncoding(r.Header.Get("Accept-Encoding"))
		addVary(w.Header(), "Accept-Encoding")
		if enc == "" || r.Method == http.MethodHead {
			next.ServeHTTP(w, r)
			return
		}
		cw := &compressWriter{ResponseWriter: w, enc: enc}
		// The tags this middleware derived ("<tag>-gzip") go back to the
		// handler as the tags it made, so its own If-None-Match check works.
		if inm := r.Header.Get("If-None-Match"); inm != "" {
			if base := stripEncodingTags(inm); base != inm {
				r = r.Clone(r.Context())
				r.Header.Set("If-None-Match", base)
				cw.derivedTag = true
			}
		}
		defer cw.Close()
		next.ServeHTTP(cw, r)
	})
}

// stripEncodingTags removes the "-gzip"/"-zstd" suffix Compress adds to
// strong entity tags from an If-None-Match list.
func stripEncodingTags(inm string) string {
	for _, enc := range []string{"gzip", "zstd"} {
		inm = strings.ReplaceAll(inm, "-"+enc+`"`, `"`)
	}
	return inm
}

// chooseEncoding picks "zstd", "gzip" or "" from an Accept-Encoding header.
func chooseEncoding(accept string) string {
	best, bestQ := "", 0.0
	for part := range strings.SplitSeq(accept, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		name = strings.ToLower(strings.TrimSpace(name))
		if name != "zstd" && name != "gzip" {
			continue
		}
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				q = f
			}
		}
		if q > bestQ || (q == bestQ && name == "zstd") {
			best, bestQ = name, q
		}
	}
	if bestQ <= 0 {
		return ""
	}
	return best
}

// compressWriter decides at the first write whether to compress: it holds
// up to minCompress bytes to learn whether the answer is big enough.
type compressWriter struct {
	http.ResponseWriter
	enc        string
	derivedTag bool // the request's If-None-Match named a tag of ours
	status     int
	decided    bool
	on         bool
	held       []byte
	z          io.WriteCloser
}

func (c *compressWriter) WriteHeader(code int) {
	if c.status == 0 {
		c.status = code
	}
	// Informational answers and those without a body go through as is; a
	// 304 to a tag of ours names that tag again.
	if code == http.StatusNotModified && c.derivedTag {
		if et := c.Header().Get("ETag"); strings.HasPrefix(et, `"`) && !strings.HasSuffix(et, "-"+c.enc+`"`) {
			c.Header().Set("ETag", et[:len(et)-1]+"-"+c.enc+`"`)
		}
	}
	if code < 200 || code == http.StatusNoContent || code == http.StatusNotModified {
		c.decide(false)
	}
}

func (c *compressWriter) worth() bool {
	h := c.Header()
	if h.Get("Content-Encoding") != "" || h.Get("Content-Range") != "" {
		return false
	}
	ct := h.Get("Content-Type")
	if strings.HasPrefix(ct, "text/event-stream") || strings.HasPrefix(ct, "application/grpc") || strings.HasPrefix(ct, "application/connect+") {
		return false
	}
	for _, t := range compressible {
		if strings.HasPrefix(ct, t) {
			return true
		}
	}
	return false
}

// decide sends the header, compressing or not.
func (c *compressWriter) decide(on bool) {
	if c.decided {
		return
	}
	c.decided = true
	if c.status == 0 {
		c.status = http.StatusOK
	}
	c.on = on && c.worth()
	if c.on {
		h := c.Header()
		h.Set("Content-Encoding", c.enc)
		h.Del("Content-Length")
		if et := h.Get("ETag"); strings.HasPrefix(et, `"`) && !strings.HasSuffix(et, "-"+c.enc+`"`) {
			// The encoded bytes differ, so the strong validator must too.
			h.Set("ETag", et[:len(et)-1]+"-"+c.enc+`"`)
		}
		switch c.enc {
		case "zstd":
			z := zstdPool.Get().(*zstd.Encoder)
			z.Reset(c.ResponseWriter)
			c.z = z
		default:
			z := gzipPool.Get().(*gzip.Writer)
			z.Reset(c.ResponseWriter)
			c.z = z
		}
	}
	c.ResponseWriter.WriteHeader(c.status)
}

func (c *compressWriter) Write(p []byte) (int, error) {
	if !c.decided {
		if len(c.held)+len(p) < minCompress {
			c.held = append(c.held, p...)
			return len(p), nil
		}
		c.decide(true)
		if err := c.flushHeld(); err != nil {
			return 0, err
		}
	}
	if c.on {
		return c.z.Write(p)
	}
	return c.ResponseWriter.Write(p)
}

func (c *compressWriter) flushHeld() error {
	if len(c.held) == 0 {
		return nil
	}
	held := c.held
	c.held = nil
	var err error
	if c.on {
		_, err = c.z.Write(held)
	} else {
		_, err = c.ResponseWriter.Write(held)
	}
	return err
}

// Flush sends what is held (a streaming handler wants it out now).
func (c *compressWriter) Flush() {
	if !c.decided {
		c.decide(len(c.held) >= minCompress)
		_ = c.flushHeld()
	}
	if c.on {
		switch z := c.z.(type) {
		case *gzip.Writer:
			_ = z.Flush()
		case *zstd.Encoder:
			_ = z.Flush()
		}
	}
	http.NewResponseController(c.ResponseWriter).Flush()
}

// Close ends the answer: a small one goes out as is.
func (c *compressWriter) Close() {
	if !c.decided {
		if c.status == 0 && len(c.held) == 0 {
			return // nothing written: the server answers 200 itself
		}
		c.decide(false)
		_ = c.flushHeld()
	}
	if c.on {
		_ = c.z.Close()
		switch z := c.z.(type) {
		case *gzip.Writer:
			z.Reset(io.Discard)
			gzipPool.Put(z)
		case *zstd.Encoder:
			z.Reset(io.Discard)
			zstdPool.Put(z)
		}
	}
}

func (c *compressWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	return http.NewResponseController(c.ResponseWriter).Hijack()
}

func (c *compressWriter) Unwrap() http.ResponseWriter { return c.ResponseWriter }
