package module

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestUpstreamFailureHidesTheUpstream: the answer to a failed forward says
// what happened in general terms, never the upstream's address, URL or the
// network error (they are in the audit record).
func TestUpstreamFailureHidesTheUpstream(t *testing.T) {
	t.Parallel()
	addr := "10.1.2.3:8443"
	dialErr := &net.OpError{Op: "dial", Net: "tcp", Addr: &net.TCPAddr{IP: net.IPv4(10, 1, 2, 3), Port: 8443}, Err: errors.New("connection refused")}
	tests := map[string]struct {
		err        error
		wantStatus int
	}{
		"dial refused":      {dialErr, http.StatusBadGateway},
		"url error":         {&url.Error{Op: "Post", URL: "https://" + addr + "/v1/apps", Err: dialErr}, http.StatusBadGateway},
		"deadline":          {fmt.Errorf("post https://%s/: %w", addr, context.DeadlineExceeded), http.StatusGatewayTimeout},
		"unexpected EOF":    {fmt.Errorf("read tcp 127.0.0.1:5555->%s: %w", addr, errors.New("unexpected EOF")), http.StatusBadGateway},
		"signing (no addr)": {errors.New("signing upstream request: boom"), http.StatusBadGateway},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			status, code, msg := upstreamFailure(tc.err, 30*time.Second)
			if status != tc.wantStatus {
				t.Errorf("upstreamFailure(%v) status = %d, want %d", tc.err, status, tc.wantStatus)
			}
			if code == "" || msg == "" {
				t.Errorf("upstreamFailure(%v) = %q, %q: want a code and a message", tc.err, code, msg)
			}
			for _, leak := range []string{"10.1.2.3", "8443", "127.0.0.1", "dial", "tcp", "https://", "EOF", "boom"} {
				if strings.Contains(msg, leak) {
					t.Errorf("upstreamFailure(%v) message %q reveals %q", tc.err, msg, leak)
				}
			}
		})
	}
}
