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
// a body (decoding), 401 unless it is public, 403 when it names roles, the
// Spec's Mutating parameters and errors on POST, PUT, PATCH and DELETE (the
// Idempotency-Key header), and a default problem+json response for
// unexpected errors.

import (
	"encoding"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"reflect"
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
	Auth        string      // required: AuthNone, AuthOptional or AuthBearer
	Roles       []auth.Role // roles the service requires (with AuthBearer)
	Params      []Param     // query and header parameters; a path parameter only to describe it
	Request     any         // a value of the JSON body type, a File, or nil for no body
	Response    any         // a value of the JSON success body type, a File, or nil for none
	Status      int         // the success status: 0 means 200, or 204 when Response is nil; 101 for a WebSocket
	AltStatus   []int       // other success statuses with the same body
	Headers     []Param     // response headers set on success
	Errors      []int       // error statuses beyond the automatic ones (404, 409, 422, 429...)
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
	MaxLength   int
	Default     any
	Required    bool
}

// File describes a body that is bytes, not JSON: the raw body in one of
// Types and, for a request with Field set, also a multipart/form-data field
// of that name.
type File struct {
	Types []string
	Field string
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
	MutatingParams []Param
	MutatingErrors []int
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
		names: map[reflect.Type]string{}, taken: map[string]reflect.Type{}}
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
	var tagList []map[string]any
	for _, t := range slices.Sorted(maps.Keys(tags)) {
		tagList = append(tagList, map[string]any{"name": t})
	}
	doc := map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{
			"title": spec.Title, "version": spec.Version, "description": spec.Description,
		},
		"servers": []any{map[string]any{"url": "/"}},
		"tags":    tagList,
		"paths":   paths,
		"components": map[string]any{
			"schemas":   g.schemas,
			"responses": g.responses,
			"securitySchemes": map[string]any{
				"bearer": map[string]any{"type": "http", "scheme": "bearer", "bearerFormat": "JWT",
					"description": "A short-lived access token from POST /api/v1/auth/login, /register or /refresh."},
			},
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
		o["security"] = []any{map[string]any{"bearer": []any{}}}
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
		params = append(params, parameter(p))
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
		params = append(params, parameter(p))
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
		if len(op.Headers) > 0 {
			hs := map[string]any{}
			for _, h := range op.Headers {
				hs[h.Name] = map[string]any{"description": h.Description, "schema": paramSchema(h)}
			}
			r["headers"] = hs
		}
		responses[strconv.Itoa(s)] = r
	}
	errs := slices.Clone(op.Errors)
	if op.Request != nil {
		errs = append(errs, http.StatusBadRequest, http.StatusRequestEntityTooLarge)
	}
	if op.Auth != AuthNone {
		errs = append(errs, http.StatusUnauthorized)
	}
	if len(op.Roles) > 0 {
		errs = append(errs, http.StatusForbidden)
	}
	if mutating {
		errs = append(errs, spec.MutatingErrors...)
	}
	for _, s := range errs {
		if s < 400 || s > 599 {
			return nil, fmt.Errorf("error status %d is not 4xx or 5xx", s)
		}
		responses[strconv.Itoa(s)] = g.problemResponse(exported(http.StatusText(s)), http.StatusText(s), problem)
	}
	responses["default"] = g.problemResponse("UnexpectedError", "Unexpected error", problem)
	o["responses"] = responses
	return o, nil
}

// problemResponse registers a problem+json response component (one per
// status, shared by every operation) and returns a $ref to it.
func (g *generator) problemResponse(name, description string, problem any) map[string]any {
	if g.responses[name] == nil {
		g.responses[name] = map[string]any{"description": description,
			"content": map[string]any{"application/problem+json": map[string]any{"schema": problem}}}
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

func parameter(p Param) map[string]any {
	m := map[string]any{"name": p.Name, "in": p.In, "schema": paramSchema(p)}
	if p.Description != "" {
		m["description"] = p.Description
	}
	if p.Required {
		m["required"] = true
	}
	return m
}

func paramSchema(p Param) map[string]any {
	s := map[string]any{"type": cmpOr(p.Type, "string")}
	if p.Format != "" {
		s["format"] = p.Format
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
		for _, t := range f.Types {
			c[t] = map[string]any{"schema": map[string]any{"type": "string", "contentMediaType": t}}
		}
		if request && f.Field != "" {
			c["multipart/form-data"] = map[string]any{"schema": map[string]any{
				"type":       "object",
				"required":   []string{f.Field},
				"properties": map[string]any{f.Field: map[string]any{"type": "string", "contentMediaType": "application/octet-stream"}},
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
}

var (
	timeType          = reflect.TypeFor[time.Time]()
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
		return map[string]any{"type": "string", "format": "date-time"}
	case t == moneyType:
		return g.component(t, func() map[string]any {
			return map[string]any{
				"type":        "object",
				"description": "An amount in integer minor units of an ISO 4217 currency: {\"amount\": 1999, \"currency\": \"USD\"} is 19.99 US dollars.",
				"required":    []string{"amount", "currency"},
				"properties": map[string]any{
					"amount":   map[string]any{"type": "integer", "format": "int64"},
					"currency": map[string]any{"type": "string", "pattern": "^[A-Z]{3}$"},
				},
				"additionalProperties": false,
			}
		})
	case t == rawType:
		return map[string]any{}
	case implements(t, jsonMarshalerType):
		return map[string]any{} // it writes its own JSON: anything
	case implements(t, textMarshalerType):
		return map[string]any{"type": "string"}
	}
	switch t.Kind() {
	case reflect.Pointer:
		return nullable(g.schema(t.Elem()))
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int64:
		return map[string]any{"type": "integer", "format": "int64"}
	case reflect.Int8, reflect.Int16, reflect.Int32:
		return map[string]any{"type": "integer", "format": "int32"}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return map[string]any{"type": "integer", "minimum": 0}
	case reflect.Float32, reflect.Float64:
		return map[string]any{"type": "number"}
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Interface:
		return map[string]any{}
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 && t.Kind() == reflect.Slice {
			return map[string]any{"type": "string", "contentEncoding": "base64"}
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
	g.fields(t, props, &required, map[string]bool{})
	s := map[string]any{"type": "object", "properties": props}
	if len(required) > 0 {
		sort.Strings(required)
		s["required"] = required
	}
	return s
}

func (g *generator) fields(t reflect.Type, props map[string]any, required *[]string, seen map[string]bool) {
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
				g.fields(et, props, required, seen)
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
			s = map[string]any{"type": "string"}
		} else {
			s = g.schema(ft)
		}
		props[name] = s
		omit := strings.Contains(","+opts+",", ",omitempty,") || strings.Contains(","+opts+",", ",omitzero,")
		if !omit && ft.Kind() != reflect.Pointer {
			*required = append(*required, name)
		}
	}
}

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
