package graphql

import (
	"context"
	"io"

	gql "github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
)

// marshalSlice marshals a list of objects (the generated code calls it
// where gqlgen calls graphql.MarshalSliceConcurrently; tools/gqlfast makes
// the substitution). When nothing selected on the elements, at any depth,
// is resolved by a resolver (a field of resolvedFields), marshalling cannot
// block on a loader or a service, so the elements are marshalled in turn,
// without a goroutine each; otherwise concurrently, as gqlgen does, so the
// elements' resolvers still batch together. Either way each element has its
// own field context (index) and a panic in one is that element's error.
func marshalSlice(ctx context.Context, sel ast.SelectionSet, length int, workerLimit int64, omitPanicHandler bool, marshal func(ctx context.Context, i int) gql.Marshaler) gql.Array {
	if length > 1 && resolves(sel, 0) {
		return gql.MarshalSliceConcurrently(ctx, length, workerLimit, omitPanicHandler, marshal)
	}
	ret := make(gql.Array, length)
	for i := range length {
		ret[i] = marshalElement(ctx, i, omitPanicHandler, marshal)
	}
	return ret
}

func marshalElement(ctx context.Context, i int, omitPanicHandler bool, marshal func(ctx context.Context, i int) gql.Marshaler) (ret gql.Marshaler) {
	ctx = gql.WithFieldContext(ctx, &gql.FieldContext{Index: &i})
	if !omitPanicHandler {
		defer func() {
			if r := recover(); r != nil {
				gql.AddError(ctx, gql.Recover(ctx, r))
				ret = gql.Null
			}
		}()
	}
	return marshal(ctx, i)
}

// resolves reports whether a selection, at any depth, names a field that
// has a resolver, or may (a fragment not resolved by validation, a @defer).
func resolves(set ast.SelectionSet, depth int) bool {
	if depth > 32 {
		return true
	}
	for _, s := range set {
		switch s := s.(type) {
		case *ast.Field:
			if s.ObjectDefinition == nil || s.ObjectDefinition.Kind != ast.Object || resolvedFields[[2]string{s.ObjectDefinition.Name, s.Name}] ||
				resolves(s.SelectionSet, depth+1) {
				return true
			}
		case *ast.InlineFragment:
			if len(s.Directives) > 0 || resolves(s.SelectionSet, depth+1) {
				return true
			}
		case *ast.FragmentSpread:
			if len(s.Directives) > 0 || s.Definition == nil || resolves(s.Definition.SelectionSet, depth+1) {
				return true
			}
		default:
			return true
		}
	}
	return false
}

// objectJSON writes an object's fields as gqlgen's FieldSet.MarshalGQL
// does (each alias once, first value wins), without the copy of every
// collected field and the map of written aliases that costs per field.
// tools/gqlfast makes the generated object marshallers return it.
type objectJSON struct {
	fields []gql.CollectedField
	values []gql.Marshaler
}

func (o objectJSON) MarshalGQL(w io.Writer) {
	_, _ = io.WriteString(w, "{")
	first := true
	for i := range o.fields {
		alias := o.fields[i].Alias
		if written(o.fields[:i], alias) {
			continue
		}
		if !first {
			_, _ = io.WriteString(w, ",")
		}
		first = false
		// An alias is a GraphQL name ([_A-Za-z][_0-9A-Za-z]*): nothing to escape.
		_, _ = io.WriteString(w, `"`)
		_, _ = io.WriteString(w, alias)
		_, _ = io.WriteString(w, `":`)
		o.values[i].MarshalGQL(w)
	}
	_, _ = io.WriteString(w, "}")
}

func written(before []gql.CollectedField, alias string) bool {
	for i := range before {
		if before[i].Alias == alias {
			return true
		}
	}
	return false
}
