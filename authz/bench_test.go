package authz

import (
	"fmt"
	"testing"
)

// benchPrincipalPolicies builds n policies of m statements each, with conditions, in the style
// of real Pinpoint policies: exact actions, ABAC conditions, a few wildcards and denies.
func benchPrincipalPolicies(b *testing.B, n, m int) []*Policy {
	b.Helper()
	actions := []string{"GetApp", "GetCampaign", "UpdateSegment", "GetJourney", "SendMessages", "DeleteApp", "GetSegments", "CreateCampaign"}
	var out []*Policy
	for i := range n {
		var stmts string
		for j := range m {
			if j > 0 {
				stmts += ","
			}
			a := actions[(i*m+j)%len(actions)]
			effect := "Allow"
			if j%7 == 6 {
				effect = "Deny"
			}
			action := fmt.Sprintf(`"mobiletargeting:%s"`, a)
			if j%10 == 9 {
				action = `"mobiletargeting:List*"`
			}
			stmts += fmt.Sprintf(`{"Sid":"S%d","Effect":%q,"Action":[%s,"sms-voice:Describe%d"],
				"Resource":"arn:aws:mobiletargeting:us-east-1:123456789012:apps/%s",
				"Condition":{"StringEquals":{"aws:ResourceTag/team":"${aws:PrincipalTag/team}"},
				"IpAddress":{"aws:SourceIp":["10.0.0.0/8","192.168.0.0/16"]},"Bool":{"aws:SecureTransport":"true"}}}`,
				j, effect, action, j, map[bool]string{true: "abc*", false: "other"}[j%3 == 0 && effect == "Allow"])
		}
		p, err := Parse(fmt.Sprintf("p%d", i), []byte(`{"Version":"2012-10-17","Statement":[`+stmts+`]}`), IdentityBased)
		if err != nil {
			b.Fatal(err)
		}
		out = append(out, p)
	}
	return out
}

func benchInput(ids []*Policy) *Input {
	ctx := NewContext()
	ctx.Set("aws:PrincipalTag/team", "blue")
	ctx.Set("aws:ResourceTag/team", "blue")
	ctx.Set("aws:SourceIp", "10.1.2.3")
	ctx.Set("aws:SecureTransport", "true")
	ctx.Set("aws:username", "backend")
	ctx.SetMulti("aws:TagKeys", []string{"team"})
	return &Input{
		Principal:        Principal{ARN: "arn:aws:iam::123456789012:user/backend", Account: "123456789012"},
		Action:           "mobiletargeting:GetApp",
		Resource:         "arn:aws:mobiletargeting:us-east-1:123456789012:apps/abc123",
		Context:          ctx,
		IdentityPolicies: ids,
	}
}

// BenchmarkEvaluate: one decision for a principal with 10 policies of 10 statements with
// conditions (target: < 2 µs).
func BenchmarkEvaluate(b *testing.B) {
	in := benchInput(benchPrincipalPolicies(b, 10, 10))
	if res := Evaluate(in); res.Decision != Allow {
		b.Fatalf("decision %v, want Allow", res.Decision)
	}
	b.ReportAllocs()
	reportCPU(b, func() { Evaluate(in) })
}

// BenchmarkEvaluateLargeStore: 10,000 statements in the principal's policies, of which only a
// handful name the action (target: < 5 µs, showing the action index works).
func BenchmarkEvaluateLargeStore(b *testing.B) {
	ids := benchPrincipalPolicies(b, 10, 10)
	// 9,900 statements for other actions: the index must skip them.
	for i := range 99 {
		var stmts string
		for j := range 100 {
			if j > 0 {
				stmts += ","
			}
			stmts += fmt.Sprintf(`{"Effect":"Allow","Action":"sms-voice:Op%dx%d","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/team":"blue"}}}`, i, j)
		}
		p, err := Parse(fmt.Sprintf("big%d", i), []byte(`{"Version":"2012-10-17","Statement":[`+stmts+`]}`), IdentityBased)
		if err != nil {
			b.Fatal(err)
		}
		ids = append(ids, p)
	}
	in := benchInput(ids)
	if res := Evaluate(in); res.Decision != Allow {
		b.Fatalf("decision %v, want Allow", res.Decision)
	}
	b.ReportAllocs()
	reportCPU(b, func() { Evaluate(in) })
}
