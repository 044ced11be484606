package archtest

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// internal is the import path prefix of the modules.
const internal = "github.com/bazaar-market/bazaar/internal/"

// below lists, for each module, the modules it is built on, as DESIGN.md's
// dependency direction has them (A <- B: B may import A): account <-
// catalog <- inventory <- cart <- order, payment <- order, order <-
// {shipment, review, support}. A module may import what those modules may, too.
// search, recommend and notify only subscribe and answer queries: each may
// import every module, and none may import them.
var below = map[string][]string{
	"account":   {},
	"catalog":   {"account"},
	"inventory": {"catalog"},
	"cart":      {"inventory"},
	"payment":   {},
	"order":     {"cart", "payment"},
	"shipment":  {"order"},
	"review":    {"order"},
	"support":   {"order"},
	"ledger":    {"order"}, // the money: books what order's, shipment's and support's events say
	"search":    {"account", "catalog", "inventory", "cart", "payment", "order", "shipment", "review", "support"},
	"recommend": {"account", "catalog", "inventory", "cart", "payment", "order", "shipment", "review", "support"}, // learns from every module's events, like search
	"notify":    {"account", "catalog", "inventory", "cart", "payment", "order", "shipment", "review", "support", "ledger"},
	"live":      {"order", "shipment"}, // pushes order and parcel changes; notifications come through the root
}

// known lists the violations that exist on this branch, by module and
// import (as the failure message names it), each with the reason it is
// still there. The test fails on any violation not listed here, and on any
// listed one that no longer exists: delete its line as the work lands.
var known = map[string]map[string]string{}

// TestModuleImports checks every module root's non-test imports, as `go
// list` reports them, against the rules.
func TestModuleImports(t *testing.T) {
	imports, err := list(internal + "...")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems(imports, known) {
		t.Error(p)
	}
}

// list returns the non-test imports of the packages matching pattern.
func list(pattern string) (map[string][]string, error) {
	cmd := exec.Command("go", "list", "-e", "-json=ImportPath,Imports", pattern)
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return nil, fmt.Errorf("go list %s: %v\n%s", pattern, err, ee.Stderr)
		}
		return nil, fmt.Errorf("go list %s: %v", pattern, err)
	}
	imports := map[string][]string{}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for {
		var p struct {
			ImportPath string
			Imports    []string
		}
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			return nil, fmt.Errorf("read go list's output: %v", err)
		}
		imports[p.ImportPath] = p.Imports
	}
	return imports, nil
}

// problems checks the module roots in imports (package path -> its
// imports) and returns one line per violation not in allowed, and one per
// violation in allowed that no longer exists, sorted.
func problems(imports map[string][]string, allowed map[string]map[string]string) []string {
	var out []string
	seen := map[string]map[string]bool{}
	for m := range below {
		deps, ok := imports[internal+m]
		if !ok {
			out = append(out, fmt.Sprintf("module %s: no package %s (renamed? update the rules)", m, internal+m))
			continue
		}
		seen[m] = map[string]bool{}
		for _, p := range deps {
			rule := broken(m, p)
			if rule == "" {
				continue
			}
			name := strings.TrimPrefix(p, internal)
			if _, ok := allowed[m][name]; ok {
				seen[m][name] = true
				continue
			}
			out = append(out, fmt.Sprintf("%s imports %s: %s", m, name, rule))
		}
	}
	for m, vs := range allowed {
		for name := range vs {
			if seen[m] != nil && !seen[m][name] {
				out = append(out, fmt.Sprintf("%s no longer imports %s: delete it from the known violations", m, name))
			} else if _, ok := below[m]; !ok {
				out = append(out, fmt.Sprintf("known violation of %s: no such module", m))
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// broken returns the rule that module m's root breaks by importing p, ""
// for none.
func broken(m, p string) string {
	last := p[strings.LastIndexByte(p, '/')+1:]
	switch {
	case p == "database/sql" || strings.HasPrefix(p, "database/sql/"):
		return "storage belongs in the module's sql adapter"
	case p == "net/http" || strings.HasPrefix(p, "net/http/"),
		p == internal+"rest", strings.HasPrefix(p, internal+"rest/"),
		p == internal+"idempotency", strings.HasPrefix(p, internal+"idempotency/"),
		strings.HasSuffix(last, "http"), strings.HasSuffix(last, "rpc"):
		return "a transport; services speak in domain types so every door calls them"
	}
	rest, ok := strings.CutPrefix(p, internal)
	if !ok {
		return ""
	}
	other, sub, _ := strings.Cut(rest, "/")
	if _, isModule := below[other]; !isModule || other == m {
		return ""
	}
	if sub == other+"event" {
		// A module's event contracts (topics and payloads, no code of the
		// module) may be imported by any module: events are how the
		// dependency direction is crossed.
		return ""
	}
	if sub != "" {
		return "another module's subpackage; depend on its root through an interface"
	}
	if !mayImport(m, other) {
		return "against the dependency direction; publish an event instead"
	}
	return ""
}

// mayImport reports whether module m may import module o: o is below m,
// directly or through the modules below m.
func mayImport(m, o string) bool {
	for _, b := range below[m] {
		if b == o || mayImport(b, o) {
			return true
		}
	}
	return false
}

// TestProblemsCatchViolations runs the checker on made-up imports, so a
// checker that lets everything pass fails here.
func TestProblemsCatchViolations(t *testing.T) {
	clean := map[string][]string{}
	for m := range below {
		clean[internal+m] = []string{"context", internal + "apperr"}
	}
	if got := problems(clean, nil); len(got) != 0 {
		t.Errorf("problems(clean) = %q, want none", got)
	}
	legal := map[string][]string{}
	for m := range below {
		legal[internal+m] = []string{"context"}
	}
	legal[internal+"order"] = []string{internal + "account", internal + "catalog", internal + "inventory", internal + "cart", internal + "payment", internal + "page",
		internal + "shipment/shipmentevent"} // a module's event contracts cross the direction
	legal[internal+"review"] = []string{internal + "catalog", internal + "order"}
	legal[internal+"search"] = []string{internal + "order", internal + "review", internal + "shipment"}
	legal[internal+"account"] = []string{"net/mail", "net"}
	if got := problems(legal, nil); len(got) != 0 {
		t.Errorf("problems(legal imports) = %q, want none", got)
	}

	bad := map[string][]string{}
	for m, deps := range clean {
		bad[m] = deps
	}
	bad[internal+"catalog"] = []string{internal + "inventory", "net/http"}
	bad[internal+"account"] = []string{internal + "catalog"}
	bad[internal+"cart"] = []string{internal + "catalog/catalogsql", internal + "search", internal + "catalog/catalogevents"}
	bad[internal+"order"] = []string{internal + "rest", internal + "idempotency", "database/sql", internal + "payment/paymenthttp"}
	bad[internal+"payment"] = []string{internal + "order", internal + "shipment/shipmentrpc", "database/sql/driver"}
	bad[internal+"shipment"] = []string{"database/sql"}
	bad[internal+"review"] = []string{"net/http/httptest"}
	delete(bad, internal+"inventory")
	allowed := map[string]map[string]string{
		"shipment": {"database/sql": "allowed"},
		"search":   {"database/sql": "gone already"},
		"nowhere":  {"database/sql": "not a module here"},
	}
	want := []string{
		"account imports catalog: against the dependency direction; publish an event instead",
		"cart imports catalog/catalogevents: another module's subpackage; depend on its root through an interface",
		"cart imports catalog/catalogsql: another module's subpackage; depend on its root through an interface",
		"cart imports search: against the dependency direction; publish an event instead",
		"catalog imports inventory: against the dependency direction; publish an event instead",
		"catalog imports net/http: a transport; services speak in domain types so every door calls them",
		"known violation of nowhere: no such module",
		"module inventory: no package " + internal + "inventory (renamed? update the rules)",
		"order imports database/sql: storage belongs in the module's sql adapter",
		"order imports idempotency: a transport; services speak in domain types so every door calls them",
		"order imports payment/paymenthttp: a transport; services speak in domain types so every door calls them",
		"order imports rest: a transport; services speak in domain types so every door calls them",
		"payment imports database/sql/driver: storage belongs in the module's sql adapter",
		"payment imports order: against the dependency direction; publish an event instead",
		"payment imports shipment/shipmentrpc: a transport; services speak in domain types so every door calls them",
		"review imports net/http/httptest: a transport; services speak in domain types so every door calls them",
		"search no longer imports database/sql: delete it from the known violations",
	}
	if diff := cmp.Diff(want, problems(bad, allowed)); diff != "" {
		t.Errorf("problems(bad imports) (-want +got):\n%s", diff)
	}
}

// TestKnownViolationsHaveReasons: every allowance says why.
func TestKnownViolationsHaveReasons(t *testing.T) {
	for m, vs := range known {
		for name, why := range vs {
			if strings.TrimSpace(why) == "" {
				t.Errorf("known violation %s -> %s has no reason", m, name)
			}
		}
	}
}
