package rest

// The OpenAPI 3.1 document served at /api/v1/openapi.json is generated from
// descriptions that live next to the handlers, and a server test fails when
// the document and the router disagree. To document a module's routes:
//
//  1. In its <module>http package, add openapi.go with one Op per route that
//     Routes registers, next to the handlers it describes:
//
//     func (h *Handler) Ops() []rest.Op {
//         tags := []string{"order"}
//         return []rest.Op{{
//             ID: "cancelOrder", Method: "PUT", Path: "/api/v1/order/{id}/cancel", Tags: tags,
//             Summary: "Cancel an unshipped order",
//             Auth:    rest.AuthBearer, Roles: []auth.Role{auth.Customer, auth.Admin},
//             Request: cancelRequest{}, Response: order.Order{}, Errors: []int{404, 409},
//         }}
//     }
//
//     Request and Response are zero values of the very types the handler
//     decodes and encodes: their schemas are made by reflection from the
//     json tags, so they cannot drift from the code. Path parameters come
//     from the {name} segments of Path; query parameters, headers, other
//     success statuses and error statuses are listed by hand (read the
//     handler and the service it calls).
//
//  2. In internal/server/wire.go, add `<module>http.New(...).Ops(),` to the
//     list passed to serveOpenAPI.
//
// Then `go test ./internal/server -run OpenAPI` tells what is missing.
//
// Besides what an Op lists, every operation gets: 400 and 413 when it takes
// a body (decoding), 401 (a bad token, even on a public route), 403 when it
// names roles, 429 and 500 with the rate-limit headers, the
// Spec's Mutating parameters and errors on POST, PUT, PATCH and DELETE (the
// Idempotency-Key header), and a default problem+json response for
// unexpected errors.

import (
	"encoding"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"net/http"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/bazaar-market/bazaar/internal/auth"
	"github.com/bazaar-market/bazaar/internal/money"
	"github.com/bazaar-market/bazaar/internal/page"
)

// Who may call an operation (Op.Auth).
const (
	AuthNone     = "none"     // public; no token needed
	AuthOptional = "optional" // anyone; a signed-in caller gets more (their cart, drafts they own)
	AuthBearer   = "bearer"   // a valid access token is required
)

// Op describes one route for the OpenAPI document.
type Op struct {
	ID          string // operationId; derived from Method and Path when empty
	Method      string // GET, POST, PUT, PATCH or DELETE
	Path        string // as registered on the Router: "/api/v1/order/{id}"
	Summary     string // required: one line
	Description string
	Tags        []string
	Auth        string       // required: AuthNone, AuthOptional or AuthBearer
	Roles       []auth.Role  // roles the service requires (with AuthBearer)
	Params      []Param      // query and header parameters; a path parameter only to describe it
	Request     any          // a value of the JSON body type, a File, or nil for no body
	Response    any          // a value of the JSON success body type, a File, or nil for none
	Status      int          // the success status: 0 means 200, or 204 when Response is nil; 101 for a WebSocket
	AltStatus   []int        // other success statuses with the same body
	Headers     []Param      // response headers set on success
	Errors      []int        // error statuses beyond the automatic ones (404, 409, 422...)
	Limits      []Constraint // what the service enforces on fields of the request and response types
}

// Constraint states what the server enforces on one JSON field of a struct type
// (or, for an array field, on its elements' strings), so the document can
// say it: the lengths, ranges and list sizes the service checks. It applies
// wherever the type appears in the document, whichever Op lists it; a
// Field the type does not have fails the document. Declare limits next to
// the Ops, from the validation code (the service's checks), and a test that
// sends a value just over the limit keeps them honest.
type Constraint struct {
	Of        any    // a value of the struct type, such as catalog.NewProduct{}
	Field     string // its JSON name
	MinLength int
	MaxLength int    // in characters (runes), as the services count
	Pattern   string // an ECMA-262 regular expression the value matches
	Format    string // "email", "uri", "date", ...
	Enum      []string
	Min, Max  *int64 // inclusive bounds of an integer (or of an array's integer elements)
	MaxItems  int    // of an array or of an object's properties (a map)
}

// Param describes a query, header or path parameter, or a response header.
type Param struct {
	Name        string
	In          string // "query" (the default), "header" or "path"
	Description string
	Type        string // "string" (the default), "integer" or "boolean"
	Format      string // "int64", "date-time", ...
	Enum        []string
	Min, Max    *int64 // inclusive bounds of an integer
	MaxLength   int    // of a string; the Spec's MaxParam when 0
	Pattern     string
	Default     any
	Required    bool
}

// File describes a body that is bytes, not JSON: the raw body in one of
// Types and, for a request with Field set, also a multipart/form-data field
// of that name.
type File struct {
	Types   []string
	Field   string
	MaxSize int64 // bytes; the document's maxLength of the body
}

// PageParams are the "cursor" and "limit" parameters of every list route.
func PageParams() []Param {
	return []Param{
		{Name: "cursor", Description: "next_cursor of the previous page; omit for the first page", MaxLength: 512},
		{Name: "limit", Type: "integer", Description: "page size", Min: new(int64(1)), Max: new(int64(page.MaxLimit)), Default: page.DefaultLimit},
	}
}

// Spec is the whole API to document.
type Spec struct {
	Title, Version, Description string
	Ops                         []Op
	// MutatingParams and MutatingErrors are added to every POST, PUT, PATCH
	// and DELETE operation (the server's Idempotency-Key header).
	MutatingParams  []Param
	MutatingErrors  []int
	MutatingHeaders []Param // response headers of their successes
	// Limits apply like an Op's.
	Limits []Constraint
	// MaxParam is the longest a query, path or header parameter can be
	// (the server's limit on a request's line and headers): the maxLength
	// of a string parameter that states none of its own.
	MaxParam int
	// Servers are the document's servers; one relative "/" when empty.
	Servers []Server
}

// Server is one entry of the document's servers.
type Server struct {
	URL, Description string
	Internal         bool // x-internal: for internal callers only
}

// OpenAPIPath turns a ServeMux path ("/files/{path...}", "/{$}") into an
// OpenAPI path ("/files/{path}", "/").
func OpenAPIPath(p string) string {
	p = strings.ReplaceAll(p, "{$}", "")
	return strings.ReplaceAll(p, "...}", "}")
}

// PathParams returns the wildcard names of a ServeMux path, in order.
func PathParams(p string) []string {
	var names []string
	for seg := range strings.SplitSeq(p, "/") {
		if strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") && seg != "{$}" {
			names = append(names, strings.TrimSuffix(seg[1:len(seg)-1], "..."))
		}
	}
	return names
}

// OpenAPI returns the OpenAPI 3.1 document of spec as indented JSON. It
// fails on an Op that is incomplete or inconsistent (no summary or auth, a
// duplicate route, roles on a public route, a parameter that is not in the
// path, a type that has no JSON form), so a mistake shows at start-up and in
// tests, not in a client.
func OpenAPI(spec Spec) ([]byte, error) {
	g := &generator{schemas: map[string]any{}, responses: map[string]any{},
		names: map[reflect.Type]string{}, taken: map[string]reflect.Type{},
		limits: map[reflect.Type]map[string]Constraint{}, used: map[limitKey]bool{}, maxParam: spec.MaxParam,
		roles: map[auth.Role]bool{}}
	if g.maxParam == 0 {
		g.maxParam = MaxBody
	}
	for _, l := range problemConstraints {
		if err := g.addLimit(l); err != nil {
			return nil, fmt.Errorf("openapi: %w", err)
		}
	}
	for _, l := range spec.Limits {
		if err := g.addLimit(l); err != nil {
			return nil, fmt.Errorf("openapi: %w", err)
		}
	}
	for _, op := range spec.Ops {
		for _, l := range op.Limits {
			if err := g.addLimit(l); err != nil {
				return nil, fmt.Errorf("openapi: %s %s: %w", op.Method, op.Path, err)
			}
		}
	}
	problem := g.schema(reflect.TypeFor[Problem]())
	paths := map[string]map[string]any{}
	tags := map[string]bool{}
	for _, op := range spec.Ops {
		o, err := g.operation(op, spec, problem)
		if err != nil {
			return nil, fmt.Errorf("openapi: %s %s: %w", op.Method, op.Path, err)
		}
		p := OpenAPIPath(op.Path)
		if paths[p] == nil {
			paths[p] = map[string]any{}
		}
		m := strings.ToLower(op.Method)
		if paths[p][m] != nil {
			return nil, fmt.Errorf("openapi: %s %s is described twice", op.Method, op.Path)
		}
		paths[p][m] = o
		for _, t := range op.Tags {
			tags[t] = true
		}
	}
	if g.err != nil {
		return nil, fmt.Errorf("openapi: %w", g.err)
	}
	for t, fields := range g.limits {
		for f := range fields {
			if !g.used[limitKey{t, f}] {
				return nil, fmt.Errorf("openapi: a limit on %s.%s: the type has no such JSON field, or no operation uses it", t, f)
			}
		}
	}
	servers := []any{}
	for _, sv := range spec.Servers {
		servers = append(servers, map[string]any{"url": sv.URL, "description": sv.Description, "x-internal": sv.Internal})
	}
	if len(servers) == 0 {
		servers = append(servers, map[string]any{"url": "/", "x-internal": false,
			"description": "the server this document is served by (production, staging or local)"})
	}
	var tagList []map[string]any
	for _, t := range slices.Sorted(maps.Keys(tags)) {
		tagList = append(tagList, map[string]any{"name": t})
	}
	schemes := map[string]any{
		"bearer": map[string]any{"type": "http", "scheme": "bearer", "bearerFormat": "JWT",
			"description": "A short-lived access token from POST /api/v1/auth/login, /register or /refresh: " +
				"a JWS signed with EdDSA and checked as RFC8725 advises (the algorithm pinned, issuer, audience and expiry required)."},
	}
	for r := range g.roles {
		schemes[roleScheme(r)] = map[string]any{"type": "http", "scheme": "bearer", "bearerFormat": "JWT",
			"description": "The same access token as bearer's, of a user whose role is " + string(r) + " (RFC8725 checks as bearer's)."}
	}
	doc := map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{
			"title": spec.Title, "version": spec.Version, "description": spec.Description,
			"contact": map[string]any{"name": "Bazaar", "url": "https://github.com/bazaar-market/bazaar"},
		},
		"servers": servers,
		"tags":    tagList,
		"paths":   paths,
		"components": map[string]any{
			"schemas":         g.schemas,
			"responses":       g.responses,
			"headers":         headerComponents(),
			"securitySchemes": schemes,
		},
	}
	return json.MarshalIndent(doc, "", "  ")
}

var methods = []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete}

func (g *generator) operation(op Op, spec Spec, problem any) (map[string]any, error) {
	switch {
	case !slices.Contains(methods, op.Method):
		return nil, fmt.Errorf("method must be one of %v", methods)
	case !strings.HasPrefix(op.Path, "/"):
		return nil, fmt.Errorf("path must start with /")
	case strings.TrimSpace(op.Summary) == "":
		return nil, fmt.Errorf("no summary")
	case op.Auth != AuthNone && op.Auth != AuthOptional && op.Auth != AuthBearer:
		return nil, fmt.Errorf("auth must be AuthNone, AuthOptional or AuthBearer, not %q", op.Auth)
	case len(op.Roles) > 0 && op.Auth != AuthBearer:
		return nil, fmt.Errorf("roles need AuthBearer")
	}
	id := op.ID
	if id == "" {
		id = operationID(op.Method, op.Path)
	}
	o := map[string]any{"operationId": id, "summary": op.Summary}
	desc := op.Description
	if len(op.Roles) > 0 {
		roles := make([]string, len(op.Roles))
		for i, r := range op.Roles {
			roles[i] = string(r)
		}
		o["x-roles"] = roles
		desc = strings.TrimSpace(desc + "\n\nRequires the role " + strings.Join(roles, " or ") + ".")
	}
	if desc != "" {
		o["description"] = desc
	}
	if len(op.Tags) > 0 {
		o["tags"] = op.Tags
	}
	switch op.Auth {
	case AuthNone:
		o["security"] = []any{}
	case AuthOptional:
		o["security"] = []any{map[string]any{}, map[string]any{"bearer": []any{}}}
	case AuthBearer:
		if len(op.Roles) == 0 {
			o["security"] = []any{map[string]any{"bearer": []any{}}}
			break
		}
		// One scheme per role (a bearer token whose role claim is that
		// role), any of them will do.
		var alts []any
		for _, r := range op.Roles {
			alts = append(alts, map[string]any{roleScheme(r): []any{}})
			g.roles[r] = true
		}
		o["security"] = alts
	}

	// Parameters: the path's, described by a Param of the same name if any,
	// then the Op's own, then the Spec's for mutating methods.
	described := map[string]Param{}
	var params []any
	inPath := PathParams(op.Path)
	for _, p := range op.Params {
		if p.In == "path" {
			if !slices.Contains(inPath, p.Name) {
				return nil, fmt.Errorf("path parameter %q is not in the path", p.Name)
			}
			described[p.Name] = p
		}
	}
	for _, name := range inPath {
		p, ok := described[name]
		if !ok {
			p = Param{Name: name}
		}
		p.In, p.Required = "path", true
		params = append(params, g.parameter(p))
	}
	seen := map[string]bool{}
	own := op.Params
	mutating := op.Method != http.MethodGet
	if mutating {
		own = append(slices.Clip(own), spec.MutatingParams...)
	}
	for _, p := range own {
		if p.In == "path" {
			continue
		}
		if p.In == "" {
			p.In = "query"
		}
		if p.In != "query" && p.In != "header" {
			return nil, fmt.Errorf("parameter %q: In must be query, header or path", p.Name)
		}
		key := p.In + ":" + strings.ToLower(p.Name)
		if seen[key] {
			return nil, fmt.Errorf("parameter %q listed twice", p.Name)
		}
		seen[key] = true
		params = append(params, g.parameter(p))
	}
	if len(params) > 0 {
		o["parameters"] = params
	}

	if op.Request != nil {
		o["requestBody"] = map[string]any{"required": true, "content": g.content(op.Request, true)}
	}

	responses := map[string]any{}
	status := op.Status
	if status == 0 {
		status = http.StatusOK
		if op.Response == nil {
			status = http.StatusNoContent
		}
	}
	for _, s := range append([]int{status}, op.AltStatus...) {
		// A redirect (a browser navigation such as a sign-in) has no body,
		// nor has a protocol switch (a WebSocket).
		switching := s == http.StatusSwitchingProtocols && op.Response == nil
		if !switching && (s < 200 || s > 399 || (s > 299 && op.Response != nil)) {
			return nil, fmt.Errorf("success status %d is not 2xx, 101 or a 3xx without a body", s)
		}
		r := map[string]any{"description": http.StatusText(s)}
		if op.Response != nil {
			r["content"] = g.content(op.Response, false)
		}
		hs := map[string]any{}
		if s >= 200 && s < 300 {
			hs = edgeHeaders(false)
		}
		own := op.Headers
		if mutating && s >= 200 && s < 300 {
			own = append(slices.Clip(own), spec.MutatingHeaders...)
		}
		for _, h := range own {
			hs[h.Name] = map[string]any{"description": h.Description, "schema": g.paramSchema(h)}
		}
		if len(hs) > 0 {
			hs["Access-Control-Allow-Origin"] = map[string]any{"$ref": "#/components/headers/Access-Control-Allow-Origin"}
		}
		if len(hs) > 0 {
			r["headers"] = hs
		}
		responses[strconv.Itoa(s)] = r
	}
	errs := slices.Clone(op.Errors)
	if op.Request != nil {
		errs = append(errs, http.StatusBadRequest, http.StatusRequestEntityTooLarge)
	}
	// A bad, expired or revoked token is refused before any route, public
	// ones included (no token at all is fine on those).
	errs = append(errs, http.StatusUnauthorized)
	if len(op.Roles) > 0 {
		errs = append(errs, http.StatusForbidden)
	}
	if mutating {
		errs = append(errs, spec.MutatingErrors...)
	}
	// Every operation goes through the rate limiter and can fail.
	errs = append(errs, http.StatusTooManyRequests, http.StatusInternalServerError)
	for _, s := range errs {
		if s < 400 || s > 599 {
			return nil, fmt.Errorf("error status %d is not 4xx or 5xx", s)
		}
		responses[strconv.Itoa(s)] = g.problemResponse(exported(http.StatusText(s)), http.StatusText(s), problem, edgeHeaders(s == http.StatusTooManyRequests))
	}
	responses["default"] = g.problemResponse("UnexpectedError", "Unexpected error", problem, nil)
	o["responses"] = responses
	return o, nil
}

// problemResponse registers a problem+json response component (one per
// status, shared by every operation) and returns a $ref to it.
func (g *generator) problemResponse(name, description string, problem any, headers map[string]any) map[string]any {
	if g.responses[name] == nil {
		r := map[string]any{"description": description,
			"content": map[string]any{"application/problem+json": map[string]any{"schema": problem}}}
		if len(headers) > 0 {
			r["headers"] = headers
		}
		g.responses[name] = r
	}
	return map[string]any{"$ref": "#/components/responses/" + name}
}

// operationID makes "getApiV1OrderIdCancel"-style IDs for ops without one.
func operationID(method, path string) string {
	var b strings.Builder
	b.WriteString(strings.ToLower(method))
	for _, seg := range strings.FieldsFunc(path, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		b.WriteString(strings.ToUpper(seg[:1]) + seg[1:])
	}
	return b.String()
}

func (g *generator) parameter(p Param) map[string]any {
	m := map[string]any{"name": p.Name, "in": p.In, "schema": g.paramSchema(p)}
	if p.Description != "" {
		m["description"] = p.Description
	}
	if p.Required {
		m["required"] = true
	}
	return m
}

func (g *generator) paramSchema(p Param) map[string]any {
	s := map[string]any{"type": cmpOr(p.Type, "string")}
	if p.Format != "" {
		s["format"] = p.Format
	}
	if p.Pattern != "" {
		s["pattern"] = p.Pattern
	} else if m := idInDescription.FindStringSubmatch(p.Description); m != nil && s["type"] == "string" && len(p.Enum) == 0 {
		s["pattern"] = "^" + m[1] + "_[0-9A-Za-z_-]{1,64}$"
	}
	if len(p.Enum) > 0 {
		s["enum"] = p.Enum
	}
	if p.Min != nil {
		s["minimum"] = *p.Min
	}
	if p.Max != nil {
		s["maximum"] = *p.Max
	}
	if p.MaxLength > 0 {
		s["maxLength"] = p.MaxLength
	}
	if p.Default != nil {
		s["default"] = p.Default
	}
	switch s["type"] {
	case "string":
		if p.MaxLength == 0 && len(p.Enum) == 0 {
			s["maxLength"] = g.maxParam
		}
	case "integer":
		if p.Format == "" {
			s["format"] = "int64"
		}
		if p.Min == nil {
			s["minimum"] = int64(math.MinInt64)
		}
		if p.Max == nil {
			s["maximum"] = int64(math.MaxInt64)
		}
	}
	return s
}

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// content is the content map of a request or response body.
func (g *generator) content(body any, request bool) map[string]any {
	if f, ok := body.(File); ok {
		c := map[string]any{}
		bytes := func(t string) map[string]any {
			s := map[string]any{"type": "string", "contentMediaType": t}
			if f.MaxSize > 0 {
				s["maxLength"] = f.MaxSize
			}
			return s
		}
		for _, t := range f.Types {
			c[t] = map[string]any{"schema": bytes(t)}
		}
		if request && f.Field != "" {
			c["multipart/form-data"] = map[string]any{"schema": map[string]any{
				"type":                 "object",
				"required":             []string{f.Field},
				"properties":           map[string]any{f.Field: bytes("application/octet-stream")},
				"additionalProperties": false,
			}}
		}
		return c
	}
	return map[string]any{"application/json": map[string]any{"schema": g.schema(reflect.TypeOf(body))}}
}

// generator turns Go types into JSON Schemas, named ones into components.
type generator struct {
	schemas   map[string]any          // component name -> schema
	responses map[string]any          // component name -> problem+json response
	names     map[reflect.Type]string // type -> its component name
	taken     map[string]reflect.Type // component name -> its type
	err       error                   // the first type with no JSON form
	limits    map[reflect.Type]map[string]Constraint
	used      map[limitKey]bool // the limits applied
	maxParam  int
	roles     map[auth.Role]bool // the roles operations require
}

// roleScheme names the security scheme of a role's tokens: "adminBearer".
func roleScheme(r auth.Role) string { return string(r) + "Bearer" }

type limitKey struct {
	t     reflect.Type
	field string
}

func (g *generator) addLimit(l Constraint) error {
	t := reflect.TypeOf(l.Of)
	if t == nil || t.Kind() != reflect.Struct || l.Field == "" {
		return fmt.Errorf("a Constraint needs Of, a struct value, and Field: %+v", l)
	}
	if g.limits[t] == nil {
		g.limits[t] = map[string]Constraint{}
	}
	if _, dup := g.limits[t][l.Field]; dup {
		return fmt.Errorf("%s.%s is limited twice", t, l.Field)
	}
	g.limits[t][l.Field] = l
	return nil
}

// limit applies l to s, the schema of a field: to the field itself, or,
// for an array, MaxItems to it and the rest to its elements.
func limit(s map[string]any, l Constraint) map[string]any {
	s = maps.Clone(s)
	if l.MaxItems > 0 {
		s["maxItems"] = l.MaxItems
		if s["type"] == "object" || slices.Contains(typeList(s), "object") {
			delete(s, "maxItems")
			s["maxProperties"] = l.MaxItems
		}
	}
	if slices.Contains(typeList(s), "array") {
		if items, ok := s["items"].(map[string]any); ok && items["$ref"] == nil {
			l.MaxItems = 0
			s["items"] = limit(items, l)
		}
		return s
	}
	if l.MaxLength > 0 {
		s["maxLength"] = l.MaxLength
	}
	if l.MinLength > 0 {
		s["minLength"] = l.MinLength
	}
	if l.Pattern != "" {
		s["pattern"] = l.Pattern
	}
	if l.Format != "" {
		s["format"] = l.Format
	}
	if len(l.Enum) > 0 {
		s["enum"] = l.Enum
		delete(s, "maxLength")
	}
	if l.Min != nil {
		s["minimum"] = *l.Min
	}
	if l.Max != nil {
		s["maximum"] = *l.Max
	}
	if add, ok := s["additionalProperties"].(map[string]any); ok && (l.MaxLength > 0 || l.Pattern != "" || l.Min != nil || l.Max != nil) {
		l.MaxItems = 0
		s["additionalProperties"] = limit(add, l)
		delete(s, "maxLength")
		delete(s, "pattern")
		delete(s, "minimum")
		delete(s, "maximum")
	}
	return s
}

// typeList is a schema's type as a list ("string" or ["string", "null"]).
func typeList(s map[string]any) []string {
	switch t := s["type"].(type) {
	case string:
		return []string{t}
	case []string:
		return t
	}
	return nil
}

var (
	timeType          = reflect.TypeFor[time.Time]()
	prefixedType      = reflect.TypeFor[interface{ Prefix() string }]()
	moneyType         = reflect.TypeFor[money.Money]()
	rawType           = reflect.TypeFor[json.RawMessage]()
	jsonMarshalerType = reflect.TypeFor[json.Marshaler]()
	textMarshalerType = reflect.TypeFor[encoding.TextMarshaler]()
)

// schema returns the JSON Schema of values of t as encoding/json writes
// them: a $ref for named structs, inline otherwise.
func (g *generator) schema(t reflect.Type) map[string]any {
	switch {
	case t == timeType:
		return map[string]any{"type": "string", "format": "date-time", "maxLength": maxTimeLen}
	case t.Kind() == reflect.String && t.Implements(prefixedType):
		prefix := reflect.Zero(t).Interface().(interface{ Prefix() string }).Prefix()
		return map[string]any{"type": "string", "pattern": "^" + prefix + "_[0-9A-Za-z_-]{1,64}$", "maxLength": len(prefix) + 65}
	case t == moneyType:
		return g.component(t, func() map[string]any {
			return map[string]any{
				"type":        "object",
				"description": "An amount in integer minor units of an ISO 4217 currency: {\"amount\": 1999, \"currency\": \"USD\"} is 19.99 US dollars.",
				"required":    []string{"amount", "currency"},
				"properties": map[string]any{
					"amount":   map[string]any{"type": "integer", "format": "int64", "minimum": int64(math.MinInt64), "maximum": int64(math.MaxInt64)},
					"currency": map[string]any{"type": "string", "pattern": "^[A-Z]{3}$", "maxLength": 3},
				},
				"additionalProperties": false,
			}
		})
	case t == rawType:
		return map[string]any{}
	case implements(t, jsonMarshalerType):
		return map[string]any{} // it writes its own JSON: anything
	case implements(t, textMarshalerType):
		return map[string]any{"type": "string", "maxLength": MaxBody}
	}
	switch t.Kind() {
	case reflect.Pointer:
		return nullable(g.schema(t.Elem()))
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int64:
		return map[string]any{"type": "integer", "format": "int64", "minimum": int64(math.MinInt64), "maximum": int64(math.MaxInt64)}
	case reflect.Int8, reflect.Int16, reflect.Int32:
		bits := t.Bits()
		return map[string]any{"type": "integer", "format": "int32", "minimum": -int64(1) << (bits - 1), "maximum": int64(1)<<(bits-1) - 1}
	case reflect.Uint8, reflect.Uint16:
		return map[string]any{"type": "integer", "format": "int32", "minimum": 0, "maximum": int64(1)<<t.Bits() - 1}
	case reflect.Uint, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		// Counts: never beyond what an int64 holds.
		return map[string]any{"type": "integer", "format": "int64", "minimum": 0, "maximum": int64(math.MaxInt64)}
	case reflect.Float32, reflect.Float64:
		return map[string]any{"type": "number"}
	case reflect.String:
		// No tighter limit than a request body's unless a Constraint says so.
		return map[string]any{"type": "string", "maxLength": MaxBody}
	case reflect.Interface:
		return map[string]any{}
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 && t.Kind() == reflect.Slice {
			return map[string]any{"type": "string", "contentEncoding": "base64", "maxLength": MaxBody * 4 / 3}
		}
		s := map[string]any{"type": "array", "items": g.schema(t.Elem())}
		if t.Kind() == reflect.Array {
			s["minItems"], s["maxItems"] = t.Len(), t.Len()
		}
		return s
	case reflect.Map:
		switch t.Key().Kind() {
		case reflect.String, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
			reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		default:
			g.fail(t)
			return map[string]any{}
		}
		return map[string]any{"type": "object", "additionalProperties": g.schema(t.Elem())}
	case reflect.Struct:
		if t.Name() == "" {
			return g.object(t)
		}
		return g.component(t, func() map[string]any { return g.object(t) })
	}
	g.fail(t)
	return map[string]any{}
}

// implements reports whether a non-pointer t or *t implements i.
func implements(t, i reflect.Type) bool {
	return t.Kind() != reflect.Pointer && (t.Implements(i) || reflect.PointerTo(t).Implements(i))
}

func (g *generator) fail(t reflect.Type) {
	if g.err == nil {
		g.err = fmt.Errorf("type %s has no JSON form", t)
	}
}

// component registers t's schema under a name once and returns a $ref to it.
// The name is registered before the schema is built, so recursive types work.
func (g *generator) component(t reflect.Type, build func() map[string]any) map[string]any {
	name, ok := g.names[t]
	if !ok {
		name = g.nameFor(t)
		g.names[t], g.taken[name] = name, t
		g.schemas[name] = map[string]any{} // placeholder while building
		g.schemas[name] = build()
	}
	return map[string]any{"$ref": "#/components/schemas/" + name}
}

// nameFor is t's Go name, exported ("registerRequest" -> "RegisterRequest");
// generic types read as "UserPage" for Page[account.User]. A name another
// type already has gets its package name in front ("CatalogImage").
func (g *generator) nameFor(t reflect.Type) string {
	name := t.Name()
	if i := strings.IndexByte(name, '['); i >= 0 {
		var args strings.Builder
		for _, a := range splitTypeArgs(name[i+1 : len(name)-1]) {
			a = strings.TrimLeft(a, "*[]")
			args.WriteString(exported(a[strings.LastIndexByte(a, '.')+1:]))
		}
		name = args.String() + exported(name[:i])
	}
	name = exported(name)
	if _, dup := g.taken[name]; !dup {
		return name
	}
	pkg := t.PkgPath()
	qualified := exported(pkg[strings.LastIndexByte(pkg, '/')+1:]) + name
	for n := 2; ; n++ {
		if _, dup := g.taken[qualified]; !dup {
			return qualified
		}
		qualified = exported(pkg[strings.LastIndexByte(pkg, '/')+1:]) + name + strconv.Itoa(n)
	}
}

// splitTypeArgs splits "a.B,map[string]c.D" at top-level commas.
func splitTypeArgs(s string) []string {
	var out []string
	depth, start := 0, 0
	for i, c := range s {
		switch c {
		case '[':
			depth++
		case ']':
			depth--
		case ',':
			if depth == 0 {
				out = append(out, s[start:i])
				start = i + 1
			}
		}
	}
	return append(out, s[start:])
}

func exported(s string) string {
	var b strings.Builder
	up := true
	for _, r := range s {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			up = true
			continue
		}
		if up {
			r, up = unicode.ToUpper(r), false
		}
		b.WriteRune(r)
	}
	return b.String()
}

// object is the schema of a struct as encoding/json writes it: exported
// fields by their json names, embedded structs' fields promoted. A field is
// required unless it is omitempty/omitzero or a pointer.
func (g *generator) object(t reflect.Type) map[string]any {
	props := map[string]any{}
	var required []string
	g.fields(t, t, props, &required, map[string]bool{})
	// The server writes exactly these fields and rest.Decode refuses others.
	s := map[string]any{"type": "object", "properties": props, "additionalProperties": false}
	if len(required) > 0 {
		sort.Strings(required)
		s["required"] = required
	}
	return s
}

func (g *generator) fields(outer, t reflect.Type, props map[string]any, required *[]string, seen map[string]bool) {
	for i := range t.NumField() {
		f := t.Field(i)
		tag, hasTag := f.Tag.Lookup("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		ft := f.Type
		if f.Anonymous && name == "" {
			et := ft
			if et.Kind() == reflect.Pointer {
				et = et.Elem()
			}
			if et.Kind() == reflect.Struct {
				g.fields(outer, et, props, required, seen)
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" || !hasTag {
			name = f.Name
		}
		if seen[name] {
			continue // an outer field hides a promoted one
		}
		seen[name] = true
		var s map[string]any
		if slices.Contains(strings.Split(opts, ","), "string") && isScalar(ft) {
			s = map[string]any{"type": "string", "maxLength": 32}
			if ft.Kind() == reflect.Bool || (ft.Kind() == reflect.Pointer && ft.Elem().Kind() == reflect.Bool) {
				s["enum"] = []string{"true", "false"}
			} else {
				s["pattern"] = "^-?[0-9.eE+-]+$"
			}
		} else {
			s = g.schema(ft)
		}
		omit := strings.Contains(","+opts+",", ",omitempty,") || strings.Contains(","+opts+",", ",omitzero,")
		if pat, ok := s["pattern"].(string); ok && isPrefixed(ft) && (omit || ft.Kind() == reflect.Pointer) {
			// An optional ID may also be sent empty: it means none.
			s = maps.Clone(s)
			s["pattern"] = "^(" + strings.TrimSuffix(strings.TrimPrefix(pat, "^"), "$") + ")?$"
		}
		// The outer type's limit wins over an embedded type's.
		for _, lt := range []reflect.Type{outer, t} {
			if l, ok := g.limits[lt][name]; ok {
				s = limit(s, l)
				g.used[limitKey{lt, name}] = true
				break
			}
		}
		if name == "items" && isPage(outer) {
			s = limit(s, Constraint{MaxItems: page.MaxLimit})
		}
		props[name] = s
		if !omit && ft.Kind() != reflect.Pointer {
			*required = append(*required, name)
		}
	}
}

// isPrefixed reports whether t, or what it points to, is a typed ID.
func isPrefixed(t reflect.Type) bool {
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t.Kind() == reflect.String && t.Implements(prefixedType)
}

// isPage reports whether t is a page.Page[T]: at most page.MaxLimit items.
func isPage(t reflect.Type) bool {
	return t.PkgPath() == pagePkg && strings.HasPrefix(t.Name(), "Page[")
}

// idInDescription finds the ID a parameter's description names, as in
// "order ID (ord_...)".
var idInDescription = regexp.MustCompile(`\(([a-z]{2,5})_\.\.\.\)`)

var pagePkg = reflect.TypeFor[page.Page[int]]().PkgPath()

func isScalar(t reflect.Type) bool {
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Bool, reflect.String, reflect.Float32, reflect.Float64,
		reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return true
	}
	return false
}

// nullable widens s to also allow null.
func nullable(s map[string]any) map[string]any {
	if typ, ok := s["type"].(string); ok {
		out := make(map[string]any, len(s))
		for k, v := range s {
			out[k] = v
		}
		out["type"] = []string{typ, "null"}
		return out
	}
	if len(s) == 0 {
		return s // anything already includes null
	}
	return map[string]any{"oneOf": []any{s, map[string]any{"type": "null"}}}
}

// problemConstraints are what writeProblem and the apperr codes hold.
var problemConstraints = []Constraint{
	{Of: Problem{}, Field: "errors", MaxItems: MaxFieldErrors},
	{Of: Problem{}, Field: "code", Pattern: "^[a-z0-9_]+$", MaxLength: 64},
	{Of: Problem{}, Field: "type", Pattern: "^urn:bazaar:problem:[a-z0-9_]+$", MaxLength: 83},
	{Of: Problem{}, Field: "title", MaxLength: 64},
	{Of: Problem{}, Field: "status", Min: new(int64(400)), Max: new(int64(599))},
	{Of: Problem{}, Field: "request_id", Pattern: "^[A-Za-z0-9_-]{1,64}$", MaxLength: 64},
}

// maxTimeLen is the longest RFC 3339 time encoding/json writes
// ("2006-01-02T15:04:05.999999999-07:00").
const maxTimeLen = 35

// The response headers every operation documents: the rate limiter's
// (each answer that went through it), Retry-After on a 429, and CORS's
// Access-Control-Allow-Origin (an answer to an allowed Origin).
var edgeHeaderDocs = []struct {
	name, description string
	schema            map[string]any
}{
	{"RateLimit-Limit", "requests the caller's bucket holds when full",
		map[string]any{"type": "integer", "format": "int64", "minimum": 0, "maximum": int64(math.MaxInt32)}},
	{"RateLimit-Remaining", "requests left in the bucket after this one",
		map[string]any{"type": "integer", "format": "int64", "minimum": 0, "maximum": int64(math.MaxInt32)}},
	{"RateLimit-Reset", "seconds until the bucket is full again",
		map[string]any{"type": "integer", "format": "int64", "minimum": 0, "maximum": int64(math.MaxInt32)}},
	{"RateLimit-Policy", "the bucket, as LIMIT;w=WINDOW (the window in seconds)",
		map[string]any{"type": "string", "pattern": "^[0-9]+;w=[0-9]+", "maxLength": 256}},
	{"Retry-After", "seconds to wait before trying again",
		map[string]any{"type": "integer", "format": "int64", "minimum": 0, "maximum": int64(math.MaxInt32)}},
	{"Access-Control-Allow-Origin", "the request's Origin, when it is one of the server's allowed CORS origins",
		map[string]any{"type": "string", "maxLength": 2048}},
}

func headerComponents() map[string]any {
	out := map[string]any{}
	for _, h := range edgeHeaderDocs {
		out[h.name] = map[string]any{"description": h.description, "schema": h.schema}
	}
	return out
}

// edgeHeaders are $refs to the rate-limit and CORS headers of a response,
// Retry-After too on a 429.
func edgeHeaders(retry bool) map[string]any {
	out := map[string]any{}
	for _, h := range edgeHeaderDocs {
		if h.name == "Retry-After" && !retry {
			continue
		}
		out[h.name] = map[string]any{"$ref": "#/components/headers/" + h.name}
	}
	return out
}
