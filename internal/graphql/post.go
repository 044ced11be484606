package graphql

import (
	"context"
	"encoding/json"
	"io"
	"net/http"

	gql "github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/transport"
)

// postJSON is gqlgen's POST transport with a quicker last step. gqlgen
// writes a response with json.Marshal, which scans and copies the data it
// has just written compact (a fifth of a page of products' execution).
// postJSON lets gqlgen do everything (parsing, validation, errors, status
// and headers) but holds back the operation's response and writes it with
// writeResponse: the same bytes.
type postJSON struct{ transport.POST }

func (t postJSON) Do(w http.ResponseWriter, r *http.Request, exec gql.GraphExecutor) {
	hw := &heldWriter{ResponseWriter: w}
	t.POST.Do(hw, r, heldExecutor{GraphExecutor: exec, w: hw})
}

// heldExecutor hands the transport a stand-in for the operation's response
// and keeps the response for heldWriter.
type heldExecutor struct {
	gql.GraphExecutor
	w *heldWriter
}

var standIn = &gql.Response{}

func (e heldExecutor) DispatchOperation(ctx context.Context, oc *gql.OperationContext) (gql.ResponseHandler, context.Context) {
	next, ctx := e.GraphExecutor.DispatchOperation(ctx, oc)
	return func(ctx context.Context) *gql.Response {
		resp := next(ctx)
		if resp == nil {
			return nil
		}
		e.w.held = resp
		return standIn
	}, ctx
}

// heldWriter writes the held response in place of the stand-in's encoding.
type heldWriter struct {
	http.ResponseWriter
	held *gql.Response
}

func (h *heldWriter) Write(p []byte) (int, error) {
	if h.held == nil {
		return h.ResponseWriter.Write(p)
	}
	resp := h.held
	h.held = nil
	if err := writeResponse(h.ResponseWriter, resp); err != nil {
		return 0, err
	}
	return len(p), nil
}

// writeResponse writes json.Marshal(resp), as gqlgen's transports do. A
// response of data alone whose data json.Marshal would not change
// (compact, nothing it escapes) is written around the data directly, with
// no copy; any other goes through json.Marshal.
func writeResponse(w io.Writer, resp *gql.Response) error {
	if len(resp.Errors) == 0 && resp.Label == "" && resp.Path == nil && resp.HasNext == nil &&
		len(resp.Extensions) == 0 && resp.Data != nil && unchangedByMarshal(resp.Data) {
		for _, b := range [][]byte{dataOpen, resp.Data, dataClose} {
			if _, err := w.Write(b); err != nil {
				return err
			}
		}
		return nil
	}
	b, err := json.Marshal(resp)
	if err != nil {
		// As gqlgen's writeJson: the executor wrote invalid JSON.
		panic(err)
	}
	_, err = w.Write(b)
	return err
}

var dataOpen, dataClose = []byte(`{"data":`), []byte(`}`)

// unchangedByMarshal reports whether json.Marshal would copy raw JSON as
// is: no whitespace outside strings, nothing it escapes for HTML (<, >, &)
// and no U+2028 or U+2029. (It does not validate: gqlgen's executor writes
// the data, always well-formed.)
func unchangedByMarshal(b []byte) bool {
	in, esc := false, false
	for i, c := range b {
		switch {
		case c == '<' || c == '>' || c == '&':
			return false
		case c == 0xE2 && i+2 < len(b) && b[i+1] == 0x80 && (b[i+2] == 0xA8 || b[i+2] == 0xA9):
			return false
		case in:
			switch {
			case esc:
				esc = false
			case c == '\\':
				esc = true
			case c == '"':
				in = false
			}
		case c == '"':
			in = true
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			return false
		}
	}
	return !in
}
