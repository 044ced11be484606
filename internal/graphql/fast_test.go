package graphql

import (
	"bytes"
	"encoding/json"
	"testing"

	gql "github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
)

func TestObjectJSONAsFieldSet(t *testing.T) {
	field := func(alias string) gql.CollectedField {
		return gql.CollectedField{Field: &ast.Field{Alias: alias, Name: alias}}
	}
	for _, aliases := range [][]string{
		nil,
		{"id"},
		{"id", "title", "__typename", "price"},
		{"a", "b", "a", "c", "b"}, // repeated aliases: the first value is written
	} {
		fields := make([]gql.CollectedField, len(aliases))
		for i, a := range aliases {
			fields[i] = field(a)
		}
		fs := gql.NewFieldSet(fields)
		for i := range fs.Values {
			fs.Values[i] = gql.MarshalInt(i)
		}
		fs.Values = append(fs.Values[:0:0], fs.Values...)
		if len(fields) > 1 {
			fs.Values[1] = gql.MarshalString(`quo"te <&>`)
		}
		var want, got bytes.Buffer
		fs.MarshalGQL(&want)
		objectJSON{fields: fields, values: fs.Values}.MarshalGQL(&got)
		if got.String() != want.String() {
			t.Errorf("%v: objectJSON wrote %s, FieldSet %s", aliases, got.String(), want.String())
		}
	}
}

func TestResolvesSeesResolverFields(t *testing.T) {
	product := &ast.Definition{Kind: ast.Object, Name: "Product"}
	variant := &ast.Definition{Kind: ast.Object, Name: "Variant"}
	plain := ast.SelectionSet{
		&ast.Field{Name: "id", ObjectDefinition: product},
		&ast.Field{Name: "variants", ObjectDefinition: product, SelectionSet: ast.SelectionSet{&ast.Field{Name: "sku", ObjectDefinition: variant}}},
	}
	if resolves(plain, 0) {
		t.Error("plain fields: want in turn")
	}
	for name, set := range map[string]ast.SelectionSet{
		"resolver":          append(plain[:2:2], &ast.Field{Name: "seller", ObjectDefinition: product}),
		"in a fragment":     {&ast.InlineFragment{SelectionSet: ast.SelectionSet{&ast.Field{Name: "rating", ObjectDefinition: product}}}},
		"unresolved spread": {&ast.FragmentSpread{Name: "F"}},
		"interface":         {&ast.Field{Name: "id", ObjectDefinition: &ast.Definition{Kind: ast.Interface, Name: "Node"}}},
	} {
		if !resolves(set, 0) {
			t.Errorf("%s: want concurrently", name)
		}
	}
}

func TestMarshalStringMapAsJSONMarshal(t *testing.T) {
	for _, m := range []map[string]string{
		nil,
		{},
		{"colour": "red", "size": "M", "Brand": "Acme 2", "a b": "x-y_z.1"},
		{"note": `say "hi"`},
		{"html": "<b>&</b>"},
		{"é": "☃", "tab": "a\tb"},
		{"path": `C:\\dir`},
	} {
		want, err := json.Marshal(m)
		if m == nil {
			want, err = []byte(`{}`), nil
		}
		if err != nil {
			t.Fatal(err)
		}
		var got bytes.Buffer
		MarshalStringMap(m).MarshalGQL(&got)
		if !bytes.Equal(got.Bytes(), want) {
			t.Errorf("MarshalStringMap(%v) = %s, want %s", m, got.Bytes(), want)
		}
	}
}
