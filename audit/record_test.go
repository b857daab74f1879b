package audit

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"go.uber.org/zap/zapcore"

	"github.com/pinpointgw/gateway/apimap"
	"github.com/pinpointgw/gateway/destination"
)

func TestCapString(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		in   string
		n    int
		want string
	}{
		"short":                  {"arn:aws:x", 256, "arn:aws:x"},
		"exactly n plain":        {strings.Repeat("a", 10), 10, strings.Repeat("a", 10)},
		"plain cut":              {strings.Repeat("a", 12), 10, strings.Repeat("a", 10) + "…(+2 bytes)"},
		"control costs 6":        {"ab\x01cdefgh", 10, "ab\x01cd…(+4 bytes)"},
		"quote costs 2":          {`"""""""`, 10, `"""""…(+2 bytes)`},
		"invalid UTF-8 costs 6":  {"\xff\xffabcdefgh", 12, "\xff\xff…(+8 bytes)"},
		"never splits a rune":    {"aaaaaaaaaé", 10, "aaaaaaaaa…(+2 bytes)"},
		"multi-byte rune counts": {"éééééé", 12, "éééééé"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if got := capString(tc.in, tc.n); got != tc.want {
				t.Errorf("capString(%q, %d) = %q, want %q", tc.in, tc.n, got, tc.want)
			}
		})
	}
}

// FuzzCapString: a capped string is s itself or a prefix of s that ends on
// a character boundary, followed by the note of what was left out, and its
// JSON encoding stays within the budget (plus the note).
func FuzzCapString(f *testing.F) {
	for _, s := range []string{"", "arn:aws:x", strings.Repeat("é\x01\xff\"", 100)} {
		f.Add(s, 64)
	}
	f.Fuzz(func(t *testing.T, s string, n int) {
		if n < 0 || n > 4096 {
			return
		}
		got := capString(s, n)
		if got == s {
			return
		}
		prefix, _, ok := strings.Cut(got, "…(+")
		if !ok || !strings.HasPrefix(s, prefix) {
			t.Fatalf("capString(%q, %d) = %q: not a prefix of s and a note", s, n, got)
		}
		if rest := s[len(prefix):]; rest != "" && !utf8.RuneStart(rest[0]) && utf8.ValidString(s) {
			t.Fatalf("capString(%q, %d) = %q splits a character", s, n, got)
		}
		// The audit encoder (zap's JSON) escapes as encoding/json does
		// without its HTML escaping.
		var enc bytes.Buffer
		je := json.NewEncoder(&enc)
		je.SetEscapeHTML(false)
		_ = je.Encode(prefix)
		if size := enc.Len() - 3; size > n { // quotes and newline
			t.Fatalf("capString(%q, %d): the kept part encodes to %d bytes", s, n, size)
		}
	})
}

// TestAddDestinations: each destination gives its member, value and form,
// then either its country, calling code and type or its error; the list
// keeps maxAuditDests and counts the rest.
func TestAddDestinations(t *testing.T) {
	t.Parallel()
	in := []apimap.Destination{
		{Form: apimap.DestinationPhoneNumber, Member: "DestinationPhoneNumber", Value: "+33612345678"},
		{Form: apimap.DestinationPhoneNumber, Member: `Addresses["+33 6"]`, Value: "+33 6"},
	}
	for i := range 10 {
		in = append(in, apimap.Destination{Form: apimap.DestinationEndpoint, Member: "Endpoints", Value: fmt.Sprint("ep-", i)})
	}
	enc := zapcore.NewMapObjectEncoder()
	if err := AddDestinations(enc, destination.Read(in, nil)); err != nil {
		t.Fatal(err)
	}
	list, _ := enc.Fields["destinations"].([]any)
	if len(list) != maxAuditDests || enc.Fields["destinations_omitted"] != int64(len(in)-maxAuditDests) {
		t.Fatalf("destinations: %d kept, omitted %v; want %d and %d", len(list), enc.Fields["destinations_omitted"], maxAuditDests, len(in)-maxAuditDests)
	}
	first, second := list[0].(map[string]any), list[1].(map[string]any)
	if first["country"] != "FR" || first["calling_code"] != "33" || first["number_type"] != "MOBILE" || first["value"] != "+33612345678" || first["error"] != nil {
		t.Errorf("readable destination = %v", first)
	}
	if second["country"] != nil || !strings.Contains(fmt.Sprint(second["error"]), "E.164") || second["member"] != `Addresses["+33 6"]` {
		t.Errorf("unreadable destination = %v", second)
	}
}
