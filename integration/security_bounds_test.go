package integration

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/pinpointsmsvoicev2"
)

// TestSecurityBoundsModelConstraints: the gateway enforces the models'
// constraints before it maps or looks anything up. A DescribePools with 60
// pool IDs (the model allows 5) used to cost 60 upstream tag lookups, on
// every send; now it is a 400 ValidationException naming the member and the
// limit, with no lookup and nothing forwarded. At the limit it still works.
// A body nested deeper than any model is refused on the REST APIs too.
func TestSecurityBoundsModelConstraints(t *testing.T) {
	world, e := newTagWorldEnv(t)
	c := newQuietCapture()
	sess := assumeTenantRole(t, e, c, "a")
	sc := smsV2Client(e.g, creds(sess.AccessKeyID, sess.SecretAccessKey, sess.SessionToken), c)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	// Sixty pools of tenant a: each one allowed, so each one a lookup.
	ids := make([]string, 60)
	world.mu.Lock()
	for i := range ids {
		ids[i] = fmt.Sprintf("pool-%020d", i)
		world.tags[smsPrefix+"pool/"+ids[i]] = map[string]string{"tenant": "a"}
	}
	world.mu.Unlock()
	_, err := sc.DescribePools(ctx, &pinpointsmsvoicev2.DescribePoolsInput{PoolIds: ids})
	if err == nil {
		t.Fatalf("DescribePools with 60 PoolIds succeeded (%d tag lookups), want a ValidationException", world.count("ListTagsForResource"))
	}
	if n := world.count("ListTagsForResource"); n != 0 {
		t.Errorf("%d tag lookups for a request the model forbids, want 0", n)
	}
	apiErr := apiErrorOf(t, err, "ValidationException", http.StatusBadRequest)
	for _, want := range []string{"'PoolIds'", "less than or equal to 5"} {
		if !strings.Contains(apiErr.ErrorMessage(), want) {
			t.Errorf("error message %q does not contain %q", apiErr.ErrorMessage(), want)
		}
	}
	for _, r := range e.up["sms-voice-v2"].Records() {
		if r.Operation == "DescribePools" {
			t.Errorf("DescribePools with 60 PoolIds was forwarded")
		}
	}
	e.g.waitAudit(t, "the rejected DescribePools", func(r map[string]any) bool {
		return field(r, "decision") == "BadRequest" && strings.Contains(field(r, "reason"), "PoolIds")
	})

	// At the limit: five of the tenant's own pool, one lookup (cached).
	five := []string{poolA, poolA, poolA, poolA, poolA}
	if _, err := sc.DescribePools(ctx, &pinpointsmsvoicev2.DescribePoolsInput{PoolIds: five}); err != nil {
		t.Fatalf("DescribePools with 5 of the tenant's PoolIds: %v, want it allowed", err)
	}
	if n := world.count("ListTagsForResource"); n > 5 {
		t.Errorf("%d tag lookups for 5 pool IDs", n)
	}

	// The REST APIs: a body nested 40 levels deep in an unknown member of
	// UpdateCampaign's payload is refused before mapping, whatever the model.
	deep := `{"Name":"x","Extra":` + strings.Repeat("[", 40) + strings.Repeat("]", 40) + `}`
	resp := rawRequest{Method: http.MethodPut, Path: "/v1/apps/app-a/campaigns/camp-a", Body: deep,
		Header:  map[string]string{"Content-Type": "application/json"},
		Creds:   aws.Credentials{AccessKeyID: sess.AccessKeyID, SecretAccessKey: sess.SecretAccessKey, SessionToken: sess.SessionToken},
		Service: "mobiletargeting"}.do(t, e.g, c)
	code, msg := errorCodeOf(resp)
	if resp.Status != http.StatusBadRequest || code != "BadRequestException" || !strings.Contains(msg, "nested more than 32 levels") {
		t.Errorf("UpdateCampaign with a 40-deep body = %d %s %q, want 400 BadRequestException about nesting", resp.Status, code, msg)
	}
	for _, r := range e.up["pinpoint"].Records() {
		if r.Method == http.MethodPut {
			t.Errorf("the 40-deep UpdateCampaign was forwarded")
		}
	}
}
