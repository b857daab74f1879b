package lookup

import (
	"testing"
	"time"

	"github.com/pinpointgw/gateway/apimap"
)

// ARNs of the tests (those of module's tag lookup tests).
const (
	tagAppA        = "arn:aws:mobiletargeting:us-east-1:123456789012:apps/app-a"
	tagAppB        = "arn:aws:mobiletargeting:us-east-1:123456789012:apps/app-b"
	tagPhoneA      = "arn:aws:sms-voice:us-east-1:123456789012:phone-number/phone-aaaa"
	decidePromoARN = "arn:aws:mobiletargeting:us-east-1:123456789012:templates/promo/EMAIL"
)

func TestChangedInvalidates(t *testing.T) {
	const pool = "arn:aws:sms-voice:us-east-1:123456789012:pool/pool-1"
	cases := map[string]struct {
		op    string
		auths []apimap.Permission
		gone  []string // ARNs whose cached tags must be dropped
		kept  []string
	}{
		"TagResource":   {"TagResource", []apimap.Permission{{Action: "mobiletargeting:TagResource", Resources: []string{tagAppA}}}, []string{tagAppA}, []string{tagAppB}},
		"UntagResource": {"UntagResource", []apimap.Permission{{Action: "mobiletargeting:UntagResource", Resources: []string{tagAppA}}}, []string{tagAppA}, []string{tagAppB}},
		"campaign tags apply to the campaign only": {"TagResource", []apimap.Permission{{Action: "mobiletargeting:TagResource", Resources: []string{tagAppA + "/campaigns/c1"}}}, []string{tagAppA + "/campaigns/c1"}, []string{tagAppA}},
		"DeleteApp":                         {"DeleteApp", []apimap.Permission{{Action: "mobiletargeting:DeleteApp", Resources: []string{tagAppA}}}, []string{tagAppA}, nil},
		"create with dependent TagResource": {"CreatePool", []apimap.Permission{{Action: "sms-voice:CreatePool", Resources: []string{tagPhoneA}}, {Action: "sms-voice:TagResource", Resources: []string{pool}}}, []string{pool, tagPhoneA}, []string{tagAppA}},
		"create without tags drops its ARN": {"CreateEmailTemplate", []apimap.Permission{{Action: "mobiletargeting:CreateEmailTemplate", Resources: []string{decidePromoARN}}}, []string{decidePromoARN}, []string{tagAppA}},
		"v2 Request… creates":               {"RequestPhoneNumber", []apimap.Permission{{Action: "sms-voice:RequestPhoneNumber", Resources: []string{pool}}}, []string{pool}, []string{tagAppA}},
		"CreateSegment re-reads its app":    {"CreateSegment", []apimap.Permission{{Action: "mobiletargeting:CreateSegment", Resources: []string{tagAppA}}}, []string{tagAppA}, []string{tagAppB}},
		"reads change nothing":              {"GetApp", []apimap.Permission{{Action: "mobiletargeting:GetApp", Resources: []string{tagAppA}}}, nil, []string{tagAppA}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			src := &UpstreamTags{cache: newCache[map[string]string](10, time.Hour, time.Second, nil, cacheObserver{})}
			for _, arn := range append(append([]string{}, tc.gone...), tc.kept...) {
				src.cache.set(arn, map[string]string{"tenant": "a"})
			}
			src.Changed("api", tc.op, tc.auths, true)
			for _, arn := range tc.gone {
				if _, ok := src.cache.peek(arn); ok {
					t.Errorf("%s still cached after %s", arn, tc.op)
				}
			}
			for _, arn := range tc.kept {
				if _, ok := src.cache.peek(arn); !ok {
					t.Errorf("%s dropped after %s", arn, tc.op)
				}
			}
		})
	}
}
