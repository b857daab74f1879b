package integration

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/pinpoint"
	ptypes "github.com/aws/aws-sdk-go-v2/service/pinpoint/types"
	"github.com/aws/aws-sdk-go-v2/service/pinpointsmsvoicev2"

	"github.com/pinpointgw/gateway/internal/testenv"
)

// instancesStore is tenantStore with a backend that may also delete pools.
func instancesStore() obj {
	s := tenantStore()
	admin := s["policies"].(obj)["TagAdmin"].(obj)
	admin["Statement"] = append(admin["Statement"].([]obj),
		obj{"Sid": "Pools", "Effect": "Allow", "Action": "sms-voice:DeletePool", "Resource": "*"})
	return s
}

// smsV2WithDelete answers DeletePool from w (the pool and its tags are
// gone), and everything else as w.smsV2 does.
func (w *tagWorld) smsV2WithDelete(r *http.Request, body []byte) (string, cannedResponse, bool) {
	if r.Header.Get("X-Amz-Target") != "PinpointSMSVoiceV2.DeletePool" {
		return w.smsV2(r, body)
	}
	var in struct{ PoolId string }
	_ = json.Unmarshal(body, &in)
	w.mu.Lock()
	defer w.mu.Unlock()
	w.calls["DeletePool"]++
	arn := smsPrefix + "pool/" + in.PoolId
	delete(w.tags, arn)
	return "DeletePool", jsonAnswer(200, "application/x-amz-json-1.0", map[string]any{"PoolArn": arn, "PoolId": in.PoolId, "Status": "DELETING"}), true
}

// invalidationUp reads the gauge pinpoint_gateway_shared_invalidation_up
// of g's one channel ("" when it has none).
func invalidationUp(t *testing.T, g *gatewayProc) string {
	t.Helper()
	resp, err := http.Get(g.AdminURL + "/metrics")
	if err != nil {
		t.Fatalf("metrics: %v", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "pinpoint_gateway_shared_invalidation_up{") {
			return line[strings.LastIndexByte(line, ' ')+1:]
		}
	}
	return ""
}

// waitInvalidationUp polls every instance's gauge until it is want, for
// at most 10 s.
func waitInvalidationUp(t *testing.T, gws []*gatewayProc, want string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for i, g := range gws {
		for invalidationUp(t, g) != want {
			if time.Now().After(deadline) {
				t.Fatalf("instance %d: shared_invalidation_up = %q, want %s", i, invalidationUp(t, g), want)
			}
			time.Sleep(20 * time.Millisecond) // poll interval, bounded by the deadline above
		}
	}
}

// TestInstancesShareInvalidations: three gateway processes share a
// redis-server (shared_state redis) and an upstream that keeps tags, with
// resource_tags lookup cached for 10 minutes and a tenant-isolation policy
// on aws:ResourceTag/tenant. With every cache warm, a retag through one
// instance decides the very next request through each of the others; so
// does a pool deleted through one. While Redis is away the instances say
// so in a metric and decide on fresh lookups; when it is back, they trust
// their caches again.
func TestInstancesShareInvalidations(t *testing.T) {
	requireBinary(t)
	redis := testenv.StartRedis(t)
	world := newTagWorld()
	base := newEnv(t, func(cfg *gatewayConfig) {
		cfg.Store = storeJSON(t, instancesStore())
		cfg.Extra = "\t\tresource_tags lookup 10m 1000 2s\n\t\tshared_state redis " + redis.URL()
	})
	base.up["pinpoint"].setRespond(world.pinpoint)
	base.up["sms-voice-v2"].setRespond(world.smsV2WithDelete)
	gws := []*gatewayProc{base.g, startGateway(t, base.cfg), startGateway(t, base.cfg)}
	waitInvalidationUp(t, gws, "1")

	c := newQuietCapture()
	sess := assumeTenantRole(t, base, c, "a") // sealed with the shared session key: valid on every instance
	tenant := make([]*pinpoint.Client, len(gws))
	tenantSMS := make([]*pinpointsmsvoicev2.Client, len(gws))
	admin := make([]*pinpoint.Client, len(gws))
	adminSMS := make([]*pinpointsmsvoicev2.Client, len(gws))
	for i, g := range gws {
		tenant[i] = pinpointClient(g, creds(sess.AccessKeyID, sess.SecretAccessKey, sess.SessionToken), c)
		tenantSMS[i] = smsV2Client(g, creds(sess.AccessKeyID, sess.SecretAccessKey, sess.SessionToken), c)
		admin[i] = pinpointClient(g, creds(backendKeyID, backendSecret, ""), c)
		adminSMS[i] = smsV2Client(g, creds(backendKeyID, backendSecret, ""), c)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	getApp := func(i int) error {
		_, err := tenant[i].GetApp(ctx, &pinpoint.GetAppInput{ApplicationId: aws.String("app-a")})
		return err
	}
	describePool := func(i int) error {
		_, err := tenantSMS[i].DescribePools(ctx, &pinpointsmsvoicev2.DescribePoolsInput{PoolIds: []string{poolA}})
		return err
	}
	retag := func(t *testing.T, i int, value string) {
		t.Helper()
		_, err := admin[i].TagResource(ctx, &pinpoint.TagResourceInput{ResourceArn: aws.String(appAARN),
			TagsModel: &ptypes.TagsModel{Tags: map[string]string{"tenant": value}}})
		if err != nil {
			t.Fatalf("TagResource through instance %d: %v", i, err)
		}
	}
	allowed := func(t *testing.T, what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v, want allowed", what, err)
		}
	}
	denied := func(t *testing.T, what string, err error) {
		t.Helper()
		if err == nil {
			t.Fatalf("%s: allowed, want AccessDeniedException", what)
		}
		apiErrorOf(t, err, "AccessDeniedException", http.StatusForbidden)
	}

	// Warm every cache, and check that they are: no more lookups.
	for i := range gws {
		allowed(t, fmt.Sprintf("GetApp app-a through instance %d", i), getApp(i))
		allowed(t, fmt.Sprintf("DescribePools %s through instance %d", poolA, i), describePool(i))
	}
	warm := world.count("ListTagsForResource")
	for i := range gws {
		allowed(t, fmt.Sprintf("GetApp app-a again through instance %d", i), getApp(i))
	}
	if n := world.count("ListTagsForResource") - warm; n != 0 {
		t.Fatalf("%d lookups with warm caches, want 0", n)
	}

	t.Run("a retag through one instance decides the next request through the others", func(t *testing.T) {
		retag(t, 0, "b")
		denied(t, "GetApp app-a through instance 1 after the retag through 0", getApp(1))
		denied(t, "GetApp app-a through instance 2 after the retag through 0", getApp(2))
		denied(t, "GetApp app-a through instance 0 after its own retag", getApp(0))
		retag(t, 2, "a")
		allowed(t, "GetApp app-a through instance 0 after the retag back through 2", getApp(0))
		allowed(t, "GetApp app-a through instance 1 after the retag back through 2", getApp(1))
	})

	t.Run("a pool deleted through one instance is gone for the others", func(t *testing.T) {
		if _, err := adminSMS[1].DeletePool(ctx, &pinpointsmsvoicev2.DeletePoolInput{PoolId: aws.String(poolA)}); err != nil {
			t.Fatalf("DeletePool through instance 1: %v", err)
		}
		denied(t, "DescribePools of the deleted pool through instance 0", describePool(0))
		denied(t, "DescribePools of the deleted pool through instance 2", describePool(2))
	})

	t.Run("Redis lost: instances say so and decide on fresh lookups", func(t *testing.T) {
		redis.Stop()
		waitInvalidationUp(t, gws, "0")
		before := world.count("TagResource")
		retag(t, 0, "b") // not published: the others' caches were emptied at the loss
		if world.count("TagResource") != before+1 {
			t.Fatal("the retag did not reach the upstream")
		}
		denied(t, "GetApp app-a through instance 1 during the loss", getApp(1))
		denied(t, "GetApp app-a through instance 2 during the loss", getApp(2))
	})

	t.Run("Redis back: instances resync and share again", func(t *testing.T) {
		redis.Start()
		waitInvalidationUp(t, gws, "1")
		denied(t, "GetApp app-a through instance 1 after the recovery", getApp(1))
		retag(t, 1, "a")
		allowed(t, "GetApp app-a through instance 0 after the retag back through 1", getApp(0))
		allowed(t, "GetApp app-a through instance 2 after the retag back through 1", getApp(2))
	})

	for i, g := range gws {
		if v := metricValue(t, g, `pinpoint_gateway_shared_invalidation_messages_total{event="dropped_garbled"}`); v != "" && v != "0" {
			t.Errorf("instance %d dropped %s garbled messages", i, v)
		}
	}
	for i, g := range gws {
		for _, line := range strings.Split(g.Log.String(), "\n") {
			if line != "" && !strings.HasPrefix(line, "{") {
				t.Errorf("instance %d logged a line that is not JSON: %q", i, line)
			}
		}
	}
	assertNoUpstreamFailures(t, base)
}
