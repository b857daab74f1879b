package policygen

import (
	"io"
	"strings"
	"testing"
)

func TestNeedle(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		sel  Selector
		want string
	}{
		"principal":        {Selector{Principal: userARN}, userARN},
		"role":             {Selector{Role: "arn:aws:iam::123456789012:role/path/r+=,.@_-"}, "arn:aws:iam::123456789012:role/path/r+=,.@_-"},
		"tag value":        {Selector{TagKey: "Tenant", TagValue: "acme corp:1"}, "acme corp:1"},
		"escapable value":  {Selector{TagKey: "k", TagValue: `a"b`}, ""},
		"non-ASCII value":  {Selector{TagKey: "k", TagValue: "café"}, ""},
		"HTML-escapable":   {Selector{TagKey: "k", TagValue: "a<b"}, ""},
		"empty value":      {Selector{TagKey: "k", TagValue: ""}, ""},
		"nothing selected": {Selector{}, ""},
	}
	for name, tc := range tests {
		if got := string(tc.sel.Needle()); got != tc.want {
			t.Errorf("%s: Needle() = %q, want %q", name, got, tc.want)
		}
	}
}

func TestFilterLines(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("x", 70<<10)
	tests := map[string]struct {
		in, needle, want string
		dropped          int64
	}{
		"keeps lines with the needle": {in: "a needle\nb\nc needle\n", needle: "needle", want: "a needle\nc needle\n", dropped: 1},
		"last line without newline":   {in: "a\nneedle", needle: "needle", want: "needle", dropped: 1},
		"empty needle keeps all":      {in: "a\nb\n", needle: "", want: "a\nb\n"},
		"a long line passes whole":    {in: "a\n" + long + "\nneedle\n", needle: "needle", want: long + "\nneedle\n", dropped: 1},
		"nothing":                     {in: "", needle: "needle", want: ""},
	}
	for name, tc := range tests {
		var dropped int64
		got, err := io.ReadAll(FilterLines(strings.NewReader(tc.in), []byte(tc.needle), &dropped))
		if err != nil || string(got) != tc.want || dropped != tc.dropped {
			t.Errorf("%s: %d bytes (want %d), dropped %d (want %d), err %v", name, len(got), len(tc.want), dropped, tc.dropped, err)
		}
	}
}
