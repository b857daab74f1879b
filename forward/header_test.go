package forward

import "testing"

// TestForwardedHeaderAllowList: the allow-list is exactly the documented
// one; a widening is a deliberate edit of this test.
func TestForwardedHeaderAllowList(t *testing.T) {
	t.Parallel()
	for _, k := range []string{"Content-Type", "X-Amz-Target", "Accept", "Accept-Encoding", "User-Agent", "Amz-Sdk-Invocation-Id", "Amz-Sdk-Request"} {
		if !forwardedHeader(k) {
			t.Errorf("forwardedHeader(%q) = false, want true", k)
		}
	}
	for _, k := range []string{"Authorization", "X-Amz-Date", "X-Amz-Security-Token", "X-Amz-Content-Sha256", "X-Amz-Meta-Tenant",
		"X-Amz-User-Agent", "X-Amzn-Trace-Id", "Connection", "Te", "Upgrade", "Expect", "Content-Encoding", "Content-Length",
		"Transfer-Encoding", "Cookie", "Forwarded", "X-Forwarded-For", "Via", "X-Http-Method-Override", "content-type", "Host"} {
		if forwardedHeader(k) {
			t.Errorf("forwardedHeader(%q) = true, want false", k)
		}
	}
}
