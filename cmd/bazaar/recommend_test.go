package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func TestRecommendEvalPrintsTheTable(t *testing.T) {
	var out, errs bytes.Buffer
	err := run(context.Background(), []string{"recommend", "eval", "--products", "600", "--shoppers", "600", "--users", "100", "--seed", "3"}, nil, &out, &errs)
	if err != nil {
		t.Fatalf("recommend eval: %v\n%s", err, errs.String())
	}
	for _, want := range []string{"600 products, 600 shoppers, 4 weeks (the last 1 held out), seed 3",
		"| model | recall@20 | ndcg@10 | coverage | ms/shopper |", "| popularity |", "| trending |", "| also_bought |",
		"| also_viewed |", "| similar |", "| for_you |"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	if !strings.Contains(errs.String(), "recommend eval: week 4/4") {
		t.Errorf("progress = %q", errs.String())
	}
	for _, args := range [][]string{{"recommend"}, {"recommend", "eval", "--weeks", "1"}, {"recommend", "eval", "--products", "0"}} {
		if err := run(context.Background(), args, nil, &out, &errs); err == nil {
			t.Errorf("%v: no error", args)
		} else if _, ok := err.(usageError); !ok {
			t.Errorf("%v: %v, want a usage error", args, err)
		}
	}
}
