package integration

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/pinpoint"
	ptypes "github.com/aws/aws-sdk-go-v2/service/pinpoint/types"
	"github.com/aws/aws-sdk-go-v2/service/pinpointsmsvoicev2"
)

// Resources of the multi-tenant test; their tags live in the fake
// upstream only (tagWorld), never in the store.
const (
	arnPrefix = "arn:aws:mobiletargeting:us-east-1:123456789012:"
	smsPrefix = "arn:aws:sms-voice:us-east-1:123456789012:"
	poolA     = "pool-aaaaaaaaaaaaaaaa1"
	poolB     = "pool-bbbbbbbbbbbbbbbb1"
	numberA   = "+12065550100"
	numberB   = "+12065550199"
)

// tagWorld is the tag state of the fake AWS account, shared by the
// Pinpoint and SMS and Voice v2 fake upstreams.
type tagWorld struct {
	mu       sync.Mutex
	tags     map[string]map[string]string // ARN -> tags
	phones   map[string]string            // E.164 -> phone-number ARN
	failTags bool
	calls    map[string]int // operation -> count
	created  int
}

// newTagWorldEnv starts a gateway with tenantStore and resource_tags lookup
// in front of Pinpoint and SMS and Voice v2 upstreams that answer from a new
// tagWorld.
func newTagWorldEnv(t *testing.T) (*tagWorld, *env) {
	t.Helper()
	world := newTagWorld()
	e := newEnv(t, func(cfg *gatewayConfig) {
		cfg.Store = storeJSON(t, tenantStore())
		cfg.Extra = "\t\tresource_tags lookup 1h 1000 2s"
	})
	e.up["pinpoint"].setRespond(world.pinpoint)
	e.up["sms-voice-v2"].setRespond(world.smsV2)
	return world, e
}

func newTagWorld() *tagWorld {
	return &tagWorld{
		tags: map[string]map[string]string{
			arnPrefix + "apps/app-a":                  {"tenant": "a"},
			arnPrefix + "apps/app-b":                  {"tenant": "b"},
			arnPrefix + "apps/app-c":                  {"tenant": "a"},
			arnPrefix + "apps/app-a/campaigns/camp-a": {"tenant": "a"},
			arnPrefix + "apps/app-b/campaigns/camp-b": {"tenant": "b"},
			arnPrefix + "apps/app-a/segments/seg-a":   {"tenant": "a"},
			arnPrefix + "apps/app-b/segments/seg-b":   {"tenant": "b"},
			smsPrefix + "pool/" + poolA:               {"tenant": "a"},
			smsPrefix + "pool/" + poolB:               {"tenant": "b"},
			smsPrefix + "phone-number/phone-aaaa":     {"tenant": "a"},
			smsPrefix + "phone-number/phone-bbbb":     {"tenant": "b"},
		},
		phones: map[string]string{
			numberA: smsPrefix + "phone-number/phone-aaaa",
			numberB: smsPrefix + "phone-number/phone-bbbb",
		},
		calls: map[string]int{},
	}
}

func (w *tagWorld) count(op string) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.calls[op]
}

func (w *tagWorld) tagsOf(arn string) map[string]string {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := map[string]string{}
	for k, v := range w.tags[arn] {
		out[k] = v
	}
	return out
}

func jsonAnswer(status int, ctype string, v any) cannedResponse {
	b, _ := json.Marshal(v)
	return cannedResponse{Status: status, Header: map[string]string{"Content-Type": ctype, "X-Amzn-Requestid": "fake-tags"}, Body: string(b)}
}

var failedTags = cannedResponse{Status: 500, Header: map[string]string{"Content-Type": "application/json", "X-Amzn-ErrorType": "InternalServerErrorException"}, Body: `{"Message":"tag service unavailable"}`}

// pinpoint answers the REST tag operations and CreateApp.
func (w *tagWorld) pinpoint(r *http.Request, body []byte) (string, cannedResponse, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	const ctype = "application/json"
	if rest, ok := strings.CutPrefix(r.URL.EscapedPath(), "/v1/tags/"); ok {
		arn, err := url.PathUnescape(rest)
		if err != nil {
			return "", cannedResponse{}, false
		}
		switch r.Method {
		case http.MethodGet:
			w.calls["ListTagsForResource"]++
			if w.failTags {
				return "ListTagsForResource", failedTags, true
			}
			tags := w.tags[arn]
			if tags == nil {
				tags = map[string]string{}
			}
			return "ListTagsForResource", jsonAnswer(200, ctype, map[string]any{"tags": tags}), true
		case http.MethodPost:
			w.calls["TagResource"]++
			var in struct {
				Tags map[string]string `json:"tags"`
			}
			_ = json.Unmarshal(body, &in)
			if w.tags[arn] == nil {
				w.tags[arn] = map[string]string{}
			}
			for k, v := range in.Tags {
				w.tags[arn][k] = v
			}
			return "TagResource", cannedResponse{Status: 204}, true
		case http.MethodDelete:
			w.calls["UntagResource"]++
			for _, k := range r.URL.Query()["tagKeys"] {
				delete(w.tags[arn], k)
			}
			return "UntagResource", cannedResponse{Status: 204}, true
		}
	}
	if r.Method == http.MethodPost && r.URL.Path == "/v1/apps" {
		w.calls["CreateApp"]++
		var in struct {
			Name string            `json:"Name"`
			Tags map[string]string `json:"tags"`
		}
		_ = json.Unmarshal(body, &in)
		w.created++
		id := fmt.Sprintf("app-new-%d", w.created)
		w.tags[arnPrefix+"apps/"+id] = in.Tags
		return "CreateApp", jsonAnswer(201, ctype, map[string]any{"Arn": arnPrefix + "apps/" + id, "Id": id, "Name": in.Name, "tags": in.Tags}), true
	}
	return "", cannedResponse{}, false
}

// smsV2 answers the v2 tag and describe operations.
func (w *tagWorld) smsV2(r *http.Request, body []byte) (string, cannedResponse, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	const ctype = "application/x-amz-json-1.0"
	op := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), "PinpointSMSVoiceV2.")
	var in struct {
		ResourceArn string
		Tags        []struct{ Key, Value string }
		TagKeys     []string
	}
	_ = json.Unmarshal(body, &in)
	switch op {
	case "ListTagsForResource":
		w.calls[op]++
		if w.failTags {
			return op, failedTags, true
		}
		list := []map[string]string{}
		for k, v := range w.tags[in.ResourceArn] {
			list = append(list, map[string]string{"Key": k, "Value": v})
		}
		return op, jsonAnswer(200, ctype, map[string]any{"ResourceArn": in.ResourceArn, "Tags": list}), true
	case "TagResource":
		w.calls[op]++
		if w.tags[in.ResourceArn] == nil {
			w.tags[in.ResourceArn] = map[string]string{}
		}
		for _, t := range in.Tags {
			w.tags[in.ResourceArn][t.Key] = t.Value
		}
		return op, jsonAnswer(200, ctype, map[string]any{}), true
	case "DescribePhoneNumbers":
		w.calls[op]++
		list := []map[string]any{}
		for n, arn := range w.phones {
			list = append(list, map[string]any{"PhoneNumber": n, "PhoneNumberArn": arn, "PhoneNumberId": strings.TrimPrefix(arn, smsPrefix+"phone-number/")})
		}
		return op, jsonAnswer(200, ctype, map[string]any{"PhoneNumbers": list}), true
	case "DescribeSenderIds":
		w.calls[op]++
		return op, jsonAnswer(200, ctype, map[string]any{"SenderIds": []any{}}), true
	}
	return "", cannedResponse{}, false
}

// tenantStore is the test store with the multi-tenant ABAC policy on the
// role tenant-app and a tag administrator (backend), and no resource tags.
func tenantStore() obj {
	s := testStore("TagAdmin")
	delete(s, "resource_tags")
	policies := s["policies"].(obj)
	policies["TenantScoped"] = obj{"Version": "2012-10-17", "Statement": []obj{
		{"Sid": "OwnTenantResources", "Effect": "Allow",
			"Action": []string{
				"mobiletargeting:GetApp", "mobiletargeting:GetCampaign", "mobiletargeting:UpdateCampaign",
				"mobiletargeting:GetSegment", "mobiletargeting:UpdateSegment", "mobiletargeting:SendMessages",
				"mobiletargeting:TagResource", "mobiletargeting:UntagResource",
				"sms-voice:SendTextMessage", "sms-voice:DescribePools", "sms-voice:TagResource", "sms-voice:UntagResource",
			},
			"Resource":  "*",
			"Condition": obj{"StringEquals": obj{"aws:ResourceTag/tenant": "${aws:PrincipalTag/tenant}"}}},
		{"Sid": "CreateOwnTenantApps", "Effect": "Allow", "Action": "mobiletargeting:CreateApp", "Resource": "*",
			"Condition": obj{"StringEquals": obj{"aws:RequestTag/tenant": "${aws:PrincipalTag/tenant}"}}},
		{"Sid": "NeverTheTenantTag", "Effect": "Deny",
			"Action":    []string{"mobiletargeting:TagResource", "mobiletargeting:UntagResource", "sms-voice:TagResource", "sms-voice:UntagResource"},
			"Resource":  "*",
			"Condition": obj{"ForAnyValue:StringEquals": obj{"aws:TagKeys": []string{"tenant"}}}},
	}}
	policies["TagAdmin"] = obj{"Version": "2012-10-17", "Statement": []obj{
		{"Sid": "Tagging", "Effect": "Allow", "Action": []string{"mobiletargeting:TagResource", "mobiletargeting:UntagResource"}, "Resource": "*"},
	}}
	return s
}

// setRespond installs a stateful responder on a running fake upstream.
func (u *fakeUpstream) setRespond(f func(r *http.Request, body []byte) (string, cannedResponse, bool)) {
	u.mu.Lock()
	u.respond = f
	u.mu.Unlock()
}

// metricValue reads one series of the gateway's Prometheus metrics.
func metricValue(t *testing.T, g *gatewayProc, series string) string {
	t.Helper()
	resp, err := http.Get(g.AdminURL + "/metrics")
	if err != nil {
		t.Fatalf("metrics: %v", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, series+" "); ok {
			return v
		}
	}
	return ""
}

// TestMultiTenantABAC: a role session tagged tenant=a works on its own
// tenant's apps, campaigns, segments, pools and numbers and nowhere else,
// with the resources' tags read from the upstream (cached); it creates apps
// only with tenant=a and can never touch the tenant tag; an admin's retag
// takes effect at once; a failing tag lookup denies.
func TestMultiTenantABAC(t *testing.T) {
	world, e := newTagWorldEnv(t)
	c := newQuietCapture()
	sess := assumeTenantRole(t, e, c, "a")
	pc := pinpointClient(e.g, creds(sess.AccessKeyID, sess.SecretAccessKey, sess.SessionToken), c)
	sc := smsV2Client(e.g, creds(sess.AccessKeyID, sess.SecretAccessKey, sess.SessionToken), c)
	admin := pinpointClient(e.g, creds(backendKeyID, backendSecret, ""), c)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	type call struct {
		name string
		do   func() error
		ok   bool
	}
	sendText := func(origination string) func() error {
		return func() error {
			_, err := sc.SendTextMessage(ctx, &pinpointsmsvoicev2.SendTextMessageInput{
				DestinationPhoneNumber: aws.String("+14255550123"), OriginationIdentity: aws.String(origination), MessageBody: aws.String("hi")})
			return err
		}
	}
	calls := []call{
		{"GetApp own", func() error {
			_, err := pc.GetApp(ctx, &pinpoint.GetAppInput{ApplicationId: aws.String("app-a")})
			return err
		}, true},
		{"GetApp other", func() error {
			_, err := pc.GetApp(ctx, &pinpoint.GetAppInput{ApplicationId: aws.String("app-b")})
			return err
		}, false},
		{"GetCampaign own", func() error {
			_, err := pc.GetCampaign(ctx, &pinpoint.GetCampaignInput{ApplicationId: aws.String("app-a"), CampaignId: aws.String("camp-a")})
			return err
		}, true},
		{"GetCampaign other", func() error {
			_, err := pc.GetCampaign(ctx, &pinpoint.GetCampaignInput{ApplicationId: aws.String("app-b"), CampaignId: aws.String("camp-b")})
			return err
		}, false},
		{"UpdateCampaign own", func() error {
			_, err := pc.UpdateCampaign(ctx, &pinpoint.UpdateCampaignInput{ApplicationId: aws.String("app-a"), CampaignId: aws.String("camp-a"),
				WriteCampaignRequest: &ptypes.WriteCampaignRequest{Name: aws.String("spring")}})
			return err
		}, true},
		{"UpdateCampaign other", func() error {
			_, err := pc.UpdateCampaign(ctx, &pinpoint.UpdateCampaignInput{ApplicationId: aws.String("app-b"), CampaignId: aws.String("camp-b"),
				WriteCampaignRequest: &ptypes.WriteCampaignRequest{Name: aws.String("spring")}})
			return err
		}, false},
		{"GetSegment own", func() error {
			_, err := pc.GetSegment(ctx, &pinpoint.GetSegmentInput{ApplicationId: aws.String("app-a"), SegmentId: aws.String("seg-a")})
			return err
		}, true},
		{"UpdateSegment other", func() error {
			_, err := pc.UpdateSegment(ctx, &pinpoint.UpdateSegmentInput{ApplicationId: aws.String("app-b"), SegmentId: aws.String("seg-b"),
				WriteSegmentRequest: &ptypes.WriteSegmentRequest{Name: aws.String("all")}})
			return err
		}, false},
		{"UpdateSegment own", func() error {
			_, err := pc.UpdateSegment(ctx, &pinpoint.UpdateSegmentInput{ApplicationId: aws.String("app-a"), SegmentId: aws.String("seg-a"),
				WriteSegmentRequest: &ptypes.WriteSegmentRequest{Name: aws.String("all")}})
			return err
		}, true},
		// As in AWS: SendMessages needs the messages resource type, which
		// has no aws:ResourceTag key in the Service Authorization
		// Reference, so a tag condition cannot grant it (grant it by the
		// app's messages ARN instead). The gateway does not invent tags.
		{"SendMessages own app needs no tag but cannot get one", func() error {
			_, err := pc.SendMessages(ctx, &pinpoint.SendMessagesInput{ApplicationId: aws.String("app-a"), MessageRequest: sendMessagesRequest()})
			return err
		}, false},
		{"SendMessages other app", func() error {
			_, err := pc.SendMessages(ctx, &pinpoint.SendMessagesInput{ApplicationId: aws.String("app-b"), MessageRequest: sendMessagesRequest()})
			return err
		}, false},
		{"DescribePools own", func() error {
			_, err := sc.DescribePools(ctx, &pinpointsmsvoicev2.DescribePoolsInput{PoolIds: []string{poolA}})
			return err
		}, true},
		{"DescribePools other", func() error {
			_, err := sc.DescribePools(ctx, &pinpointsmsvoicev2.DescribePoolsInput{PoolIds: []string{poolB}})
			return err
		}, false},
		{"SendTextMessage through own pool", sendText(poolA), true},
		{"SendTextMessage through other pool", sendText(poolB), false},
		{"SendTextMessage from own number by E.164", sendText(numberA), true},
		{"SendTextMessage from own number by ID", sendText("phone-aaaa"), true},
		{"SendTextMessage from other number by E.164", sendText(numberB), false},
		{"SendTextMessage from an unknown number", sendText("+12065550000"), false},
		{"CreateApp with tenant a", func() error {
			_, err := pc.CreateApp(ctx, &pinpoint.CreateAppInput{CreateApplicationRequest: &ptypes.CreateApplicationRequest{
				Name: aws.String("new-a"), Tags: map[string]string{"tenant": "a"}}})
			return err
		}, true},
		{"CreateApp with tenant b", func() error {
			_, err := pc.CreateApp(ctx, &pinpoint.CreateAppInput{CreateApplicationRequest: &ptypes.CreateApplicationRequest{
				Name: aws.String("new-b"), Tags: map[string]string{"tenant": "b"}}})
			return err
		}, false},
		{"CreateApp without tags", func() error {
			_, err := pc.CreateApp(ctx, &pinpoint.CreateAppInput{CreateApplicationRequest: &ptypes.CreateApplicationRequest{Name: aws.String("untagged")}})
			return err
		}, false},
		{"TagResource own app, another key", func() error {
			_, err := pc.TagResource(ctx, &pinpoint.TagResourceInput{ResourceArn: aws.String(appAARN), TagsModel: &ptypes.TagsModel{Tags: map[string]string{"team": "blue"}}})
			return err
		}, true},
		{"TagResource changes the tenant tag", func() error {
			_, err := pc.TagResource(ctx, &pinpoint.TagResourceInput{ResourceArn: aws.String(appAARN), TagsModel: &ptypes.TagsModel{Tags: map[string]string{"tenant": "b"}}})
			return err
		}, false},
		{"TagResource re-adds the tenant tag", func() error {
			_, err := pc.TagResource(ctx, &pinpoint.TagResourceInput{ResourceArn: aws.String(appAARN), TagsModel: &ptypes.TagsModel{Tags: map[string]string{"tenant": "a"}}})
			return err
		}, false},
		{"UntagResource removes the tenant tag", func() error {
			_, err := pc.UntagResource(ctx, &pinpoint.UntagResourceInput{ResourceArn: aws.String(appAARN), TagKeys: []string{"tenant"}})
			return err
		}, false},
		{"TagResource other tenant's app", func() error {
			_, err := pc.TagResource(ctx, &pinpoint.TagResourceInput{ResourceArn: aws.String(appBARN), TagsModel: &ptypes.TagsModel{Tags: map[string]string{"team": "blue"}}})
			return err
		}, false},
	}
	for _, tc := range calls {
		t.Run(tc.name, func(t *testing.T) {
			for i := range 2 { // the second decision uses the cached tags
				err := tc.do()
				if tc.ok && err != nil {
					t.Fatalf("call %d: %v, want success", i, err)
				}
				if !tc.ok {
					apiErrorOf(t, err, "AccessDeniedException", http.StatusForbidden)
				}
			}
		})
	}
	assertNoUpstreamFailures(t, e)
	if got := world.tagsOf(appAARN); got["tenant"] != "a" || got["team"] != "blue" {
		t.Errorf("app-a's tags upstream = %v, want tenant a (untouched) and team blue", got)
	}

	t.Run("one lookup per ARN per TTL", func(t *testing.T) {
		before := world.count("ListTagsForResource")
		for range 5 {
			if _, err := pc.GetApp(ctx, &pinpoint.GetAppInput{ApplicationId: aws.String("app-b")}); err == nil {
				t.Fatal("GetApp app-b allowed")
			}
			if _, err := pc.GetSegment(ctx, &pinpoint.GetSegmentInput{ApplicationId: aws.String("app-a"), SegmentId: aws.String("seg-a")}); err != nil {
				t.Fatal(err)
			}
		}
		if got := world.count("ListTagsForResource") - before; got != 0 {
			t.Errorf("%d lookups for cached ARNs, want 0", got)
		}
		if world.count("DescribePhoneNumbers") != 1 {
			t.Errorf("DescribePhoneNumbers called %d times, want 1", world.count("DescribePhoneNumbers"))
		}
	})

	t.Run("an admin's retag through the gateway takes effect at once", func(t *testing.T) {
		if _, err := admin.TagResource(ctx, &pinpoint.TagResourceInput{ResourceArn: aws.String(appAARN), TagsModel: &ptypes.TagsModel{Tags: map[string]string{"tenant": "b"}}}); err != nil {
			t.Fatalf("admin TagResource: %v", err)
		}
		_, err := pc.GetApp(ctx, &pinpoint.GetAppInput{ApplicationId: aws.String("app-a")})
		apiErrorOf(t, err, "AccessDeniedException", http.StatusForbidden)
		if _, err := admin.TagResource(ctx, &pinpoint.TagResourceInput{ResourceArn: aws.String(appAARN), TagsModel: &ptypes.TagsModel{Tags: map[string]string{"tenant": "a"}}}); err != nil {
			t.Fatalf("admin TagResource back: %v", err)
		}
		if _, err := pc.GetApp(ctx, &pinpoint.GetAppInput{ApplicationId: aws.String("app-a")}); err != nil {
			t.Fatalf("GetApp app-a after the retag back: %v", err)
		}
	})

	t.Run("a failing tag lookup denies", func(t *testing.T) {
		world.mu.Lock()
		world.failTags = true
		world.mu.Unlock()
		defer func() { world.mu.Lock(); world.failTags = false; world.mu.Unlock() }()
		// app-c is tenant a's, but its tags were never looked up.
		_, err := pc.GetApp(ctx, &pinpoint.GetAppInput{ApplicationId: aws.String("app-c")})
		apiErrorOf(t, err, "AccessDeniedException", http.StatusForbidden)
		rec := e.g.waitAudit(t, "the denied GetApp app-c", func(r map[string]any) bool {
			return fmt.Sprint(r["resource_tags_unavailable"]) == "["+arnPrefix+"apps/app-c]"
		})
		if rec["decision"] != "ImplicitDeny" {
			t.Errorf("decision %v, want ImplicitDeny", rec["decision"])
		}
		if v := metricValue(t, e.g, `pinpoint_gateway_lookup_failures_total{cache="resource_tags",reason="error"}`); v != "1" {
			t.Errorf("lookup failures metric = %q, want 1", v)
		}
	})

	t.Run("metrics count hits, misses and lookups", func(t *testing.T) {
		hits := metricValue(t, e.g, `pinpoint_gateway_lookup_cache_hits_total{cache="resource_tags"}`)
		calls := metricValue(t, e.g, `pinpoint_gateway_lookup_upstream_calls_total{cache="resource_tags"}`)
		if hits == "" || hits == "0" || calls == "" {
			t.Errorf("hits %q, upstream calls %q", hits, calls)
		}
		if want := fmt.Sprint(world.count("ListTagsForResource")); calls != want {
			t.Errorf("upstream calls metric %s, fake upstream counted %s", calls, want)
		}
	})
}
