package awscall

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// TestLazyCredentials checks that failures are remembered for a while but
// a caller's cancellation is not, and that a success is used.
func TestLazyCredentials(t *testing.T) {
	t.Parallel()
	calls := 0
	fail := true
	l := &lazyCredentials{what: "the test chain", load: func(ctx context.Context) (aws.Config, error) {
		calls++
		if err := ctx.Err(); err != nil {
			return aws.Config{}, err
		}
		if fail {
			return aws.Config{}, errors.New("no credentials here")
		}
		return aws.Config{Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", "")}, nil
	}}
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := l.Retrieve(canceled); err == nil {
		t.Fatal("Retrieve with a canceled context succeeded")
	}
	if _, err := l.Retrieve(context.Background()); err == nil || !strings.Contains(err.Error(), "no upstream AWS credentials from the test chain: no credentials here") {
		t.Fatalf("Retrieve error %v", err)
	}
	if calls != 2 {
		t.Errorf("%d loads, want 2 (a cancellation is not remembered)", calls)
	}
	fail = false
	if _, err := l.Retrieve(context.Background()); err == nil || calls != 2 {
		t.Errorf("Retrieve within the backoff: err %v, %d loads; want the remembered error and no new load", err, calls)
	}
	l.errUntil = time.Time{} // the backoff is over
	c, err := l.Retrieve(context.Background())
	if err != nil || c.AccessKeyID != "AKIDTEST" {
		t.Errorf("Retrieve after the backoff = %v, %v", c.AccessKeyID, err)
	}
}
