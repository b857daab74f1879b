package quota_test

import (
	"testing"
	"time"

	"github.com/pinpointgw/gateway/quota"
	"github.com/pinpointgw/gateway/quota/quotatest"
)

func TestMemoryArithmetic(t *testing.T) {
	t.Parallel()
	quotatest.TestArithmetic(t, func(t *testing.T, now func() time.Time) quota.Store {
		return quota.NewMemory(now)
	})
}

func TestMemoryConcurrent(t *testing.T) {
	t.Parallel()
	quotatest.TestConcurrent(t, quota.NewMemory(quotatest.NewClock(quotatest.Base).Now))
}
