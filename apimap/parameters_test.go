package apimap

import (
	"slices"
	"strings"
	"testing"
)

func TestParameters(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		req  *Request
		want []Parameter
	}{
		"URI labels by their URI names": {
			req:  rest("GET", "/v1/apps/abc/campaigns/c1", ""),
			want: []Parameter{{"application-id", "abc"}, {"campaign-id", "c1"}},
		},
		"template type as sent, not upper-cased": {
			req:  rest("DELETE", "/v1/templates/welcome/sms", ""),
			want: []Parameter{{"template-name", "welcome"}},
		},
		"a body ID member (fast path)": {
			req:  v2("DeletePool", `{"PoolId":"pool-0123456789abcdef0123456789abcdef"}`),
			want: []Parameter{{"PoolId", "pool-0123456789abcdef0123456789abcdef"}},
		},
		"a body member holding an ARN": {
			req:  v2("DeletePool", `{"PoolId":"arn:aws:sms-voice:us-east-1:123456789012:pool/pool-0123456789abcdef0123456789abcdef"}`),
			want: []Parameter{{"PoolId", "arn:aws:sms-voice:us-east-1:123456789012:pool/pool-0123456789abcdef0123456789abcdef"}},
		},
		"a body ID with an escape (slow path)": {
			req:  v2("DeleteOptOutList", `{"OptOutListName":"my\u002dlist"}`),
			want: []Parameter{{"OptOutListName", "my-list"}},
		},
		"never the message body": {
			req:  v2("SendTextMessage", `{"DestinationPhoneNumber":"+12065550100","OriginationIdentity":"pool-0123456789abcdef0123456789abcdef","MessageBody":"secret text"}`),
			want: []Parameter{{"OriginationIdentity", "pool-0123456789abcdef0123456789abcdef"}},
		},
		"none": {
			req:  rest("GET", "/v1/apps", ""),
			want: nil,
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			res, err := Map(tt.req)
			if err != nil {
				t.Fatalf("Map: %v", err)
			}
			if !slices.Equal(res.Parameters, tt.want) {
				t.Errorf("Parameters = %q, want %q", res.Parameters, tt.want)
			}
		})
	}
}

// checkParameters checks (for TestGoldenEveryOperation) that every
// parameter of res is an identifier: its value is part of a resource ARN of
// the result or an identity to resolve, and its member names no free text.
// It returns the number of parameters.
func checkParameters(t *testing.T, name string, res *Result) int {
	t.Helper()
	for _, p := range res.Parameters {
		low := strings.ToLower(p.Member)
		for _, free := range []string{"body", "content", "text", "html", "subject"} {
			if strings.Contains(low, free) {
				t.Errorf("%s: parameter %s reads free text", name, p.Member)
			}
		}
		if !inResult(res, p.Value) {
			t.Errorf("%s: parameter %s=%q is in no resource ARN and no identity to resolve", name, p.Member, p.Value)
		}
	}
	return len(res.Parameters)
}

func inResult(res *Result, v string) bool {
	for _, pm := range res.Permissions {
		for _, arn := range pm.Resources {
			if strings.Contains(arn, v) || strings.Contains(arn, strings.ToUpper(v)) {
				return true
			}
		}
	}
	for _, u := range res.Unresolved {
		if u.Value == v {
			return true
		}
	}
	return false
}
