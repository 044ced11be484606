// Command gqlfast rewrites gqlgen's generated exec_gen.go (run by `make
// graphql` right after gqlgen) so a page of products costs less to execute,
// answering exactly the same:
//
//   - A scalar field read straight from a struct field (no resolver, no
//     directive, no context) is marshalled directly, with its field context
//     (so error paths stay right) but without gqlgen's per-field closures,
//     interface boxing, recover and resolver-middleware call. The server
//     installs no field interceptor (AroundFields), so none is skipped.
//   - Lists of objects go through marshalSlice (internal/graphql/fast.go),
//     which marshals the elements in turn when no field selected on them
//     has a resolver (nothing can block), and concurrently as before
//     otherwise. The fields with resolvers are listed in fast_gen.go.
//
// Usage: gqlfast <dir holding exec_gen.go>
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

var (
	// A field resolved by gqlgen's generic path from a plain struct field.
	plainField = regexp.MustCompile(`(?s)func \(ec \*executionContext\) (_\w+)\(ctx context\.Context, field graphql\.CollectedField, obj ([^)]+)\) \(ret graphql\.Marshaler\) \{
	return graphql\.ResolveField\(
		ctx,
		ec\.OperationContext,
		field,
		func\(ctx context\.Context, field graphql\.CollectedField\) \(\*graphql\.FieldContext, error\) \{
			return ec\.(fieldContext_\w+)\(ctx, field\)
		\},
		func\(ctx context\.Context\) \(any, error\) \{
			return obj\.(\w+), nil
		\},
		nil,
		func\(ctx context\.Context, selections ast\.SelectionSet, v ([^\n]+)\) graphql\.Marshaler \{
			return ec\.(marshal[^(\s]+)\(ctx, selections, v\)
		\},
		true,
		(?:true|false),
	\)
\}
`)
	objectFunc      = regexp.MustCompile(`(?m)^func \(ec \*executionContext\) _(\w+)\(ctx context\.Context, sel ast\.SelectionSet, obj [^)]+\) graphql\.Marshaler \{$`)
	caseLine        = regexp.MustCompile(`^\t\tcase "(\w+)":$`)
	scalarContext   = regexp.MustCompile(`(?m)^func \(ec \*executionContext\) (fieldContext_\w+)\(_ context\.Context, field graphql\.CollectedField\) \(fc \*graphql\.FieldContext, err error\) \{\n\treturn graphql\.NewScalarFieldContext\(("\w+"), (field), (true|false), (true|false), "(\w+)"\)\n\}`)
	objectBody      = regexp.MustCompile(`(?ms)^func \(ec \*executionContext\) _\w+\(ctx context\.Context, sel ast\.SelectionSet, obj [^)]+\) graphql\.Marshaler \{$.*?^\}$`)
	deferredNew     = "\tdeferred := graphql.NewDeferredGroup(ctx)\n"
	deferredUse     = "\tif n := len(deferred.Defers); n > 0 {\n\t\tatomic.AddInt32(&ec.Deferred, int32(min(n, math.MaxInt32)))\n\t\tec.ProcessDeferredGroup(deferred)\n\t}\n"
	fieldsCollected = "\tfields := graphql.CollectFields(ec.OperationContext, sel, "
	fieldSetNew     = "\tout := graphql.NewFieldSet(fields)\n"
	fieldSetReturn  = "\n\treturn out\n}"
	objectReturn    = "\n\treturn objectJSON{fields: fields, values: out.Values}\n}"
	sliceCall       = "graphql.MarshalSliceConcurrently(ctx, len(v), "
	sliceReplaced   = "marshalSlice(ctx, sel, len(v), "
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: gqlfast <dir holding exec_gen.go>")
		os.Exit(2)
	}
	dir := os.Args[1]
	path := filepath.Join(dir, "exec_gen.go")
	b, err := os.ReadFile(path)
	if err != nil {
		fail(err)
	}
	src := string(b)
	if !strings.Contains(src, sliceCall) && !strings.Contains(src, sliceReplaced) {
		fail(fmt.Errorf("%s: no %q: has gqlgen's template changed?", path, sliceCall))
	}

	// fieldContext functions of scalar fields: name -> their arguments.
	scalar := map[string][]string{}
	for _, m := range scalarContext.FindAllStringSubmatch(src, -1) {
		scalar[m[1]] = m[2:]
	}
	types := map[string]bool{}
	nScalar, nObject := 0, 0
	src = plainField.ReplaceAllStringFunc(src, func(s string) string {
		m := plainField.FindStringSubmatch(s)
		name, objType, fcFunc, goField, vType, marshal := m[1], m[2], m[3], m[4], m[5], m[6]
		if vType == "any" || strings.HasPrefix(vType, "interface") {
			return s
		}
		if a, ok := scalar[fcFunc]; ok {
			// A leaf: its field context as graphql.NewScalarFieldContext
			// makes it, with one shared Child per type.
			nScalar++
			types[a[4]] = true
			return fmt.Sprintf(`func (ec *executionContext) %s(ctx context.Context, field graphql.CollectedField, obj %s) (ret graphql.Marshaler) {
	fc := &graphql.FieldContext{Object: %s, Field: field, IsMethod: %s, IsResolver: %s, Child: noChildFields%s}
	return ec.%s(graphql.WithFieldContext(ctx, fc), field.Selections, obj.%s)
}
`, name, objType, a[0], a[2], a[3], a[4], marshal, goField)
		}
		// An object or a list of objects: its field context and result as
		// ResolveField sets them, and a panic below is this field's error.
		nObject++
		return fmt.Sprintf(`func (ec *executionContext) %s(ctx context.Context, field graphql.CollectedField, obj %s) (ret graphql.Marshaler) {
	fc, err := ec.%s(ctx, field)
	if err != nil {
		return graphql.Null
	}
	ctx = graphql.WithFieldContext(ctx, fc)
	defer func() {
		if r := recover(); r != nil {
			ec.Error(ctx, ec.Recover(ctx, r))
			ret = graphql.Null
		}
	}()
	v := obj.%s
	fc.Result = v
	return ec.%s(ctx, field.Selections, v)
}
`, name, objType, fcFunc, goField, marshal)
	})
	// Objects none of whose fields resolve concurrently never defer a
	// field: drop their empty deferred group (it computes the path). Every
	// object is written by objectJSON (fast.go) rather than FieldSet.
	nDeferred, nJSON := 0, 0
	src = objectBody.ReplaceAllStringFunc(src, func(body string) string {
		if strings.Contains(body, fieldsCollected) && strings.Contains(body, fieldSetNew) && strings.HasSuffix(body, fieldSetReturn) {
			nJSON++
			body = strings.TrimSuffix(body, fieldSetReturn) + objectReturn
		}
		if strings.Contains(body, "Concurrently(") || !strings.Contains(body, deferredNew) || !strings.Contains(body, deferredUse) {
			return body
		}
		nDeferred++
		return strings.Replace(strings.Replace(body, deferredNew, "", 1), deferredUse, "", 1)
	})
	slices := strings.Count(src, sliceCall)
	src = strings.ReplaceAll(src, sliceCall, sliceReplaced)

	// Which object fields resolve concurrently (have resolvers or take a
	// context): a list whose selection names one is marshalled concurrently.
	var resolved []string
	lines := strings.Split(src, "\n")
	object := ""
	for i, l := range lines {
		if m := objectFunc.FindStringSubmatch(l); m != nil {
			object = m[1]
			continue
		}
		if strings.HasPrefix(l, "}") {
			object = ""
			continue
		}
		if object == "" {
			continue
		}
		if m := caseLine.FindStringSubmatch(l); m != nil && i+1 < len(lines) &&
			strings.Contains(lines[i+1], "Concurrently(") {
			resolved = append(resolved, fmt.Sprintf("\t{%q, %q}: true,", object, m[1]))
		}
	}
	sort.Strings(resolved)
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		fail(err)
	}
	var children []string
	for t := range types {
		children = append(children, fmt.Sprintf("var noChildFields%s = func(context.Context, graphql.CollectedField) (*graphql.FieldContext, error) {\n\treturn nil, errors.New(%q)\n}\n", t, "field of type "+t+" does not have child fields"))
	}
	sort.Strings(children)
	gen := "// Code generated by tools/gqlfast from exec_gen.go. DO NOT EDIT.\n\npackage graphql\n\n" +
		"import (\n\t\"context\"\n\t\"errors\"\n\n\t\"github.com/99designs/gqlgen/graphql\"\n)\n\n" +
		strings.Join(children, "\n") + "\n" +
		"// resolvedFields are the object fields gqlgen resolves concurrently\n// (resolvers, or methods taking a context).\n" +
		"var resolvedFields = map[[2]string]bool{\n" + strings.Join(resolved, "\n") + "\n}\n"
	if err := os.WriteFile(filepath.Join(dir, "fast_gen.go"), []byte(gen), 0o644); err != nil {
		fail(err)
	}
	fmt.Printf("gqlfast: %d plain scalar fields, %d plain object fields, %d objects without deferred groups, %d objects written by objectJSON, %d object lists, %d resolved fields\n",
		nScalar, nObject, nDeferred, nJSON, slices, len(resolved))
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "gqlfast:", err)
	os.Exit(1)
}
