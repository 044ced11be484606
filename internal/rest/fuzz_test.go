package rest_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/bazaar-market/bazaar/internal/rest"
)

// FuzzDecode: any body yields either a value or a classified client error,
// never a panic or an unclassified (500) error.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{`{"name":"a","count":1}`, `{"name":`, `[]`, `null`, `{"name":"a"} {}`, `{"count":1e400}`, "\xff\xfe", `{"name":"\ud800"}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		req := httptest.NewRequest("POST", "/", strings.NewReader(body))
		var v struct {
			Name  string         `json:"name"`
			Count int            `json:"count"`
			Tags  map[string]int `json:"tags"`
		}
		err := rest.Decode(httptest.NewRecorder(), req, &v)
		if err != nil && rest.Status(err) == http.StatusInternalServerError {
			t.Errorf("Decode(%q) = unclassified error %v", body, err)
		}
	})
}
