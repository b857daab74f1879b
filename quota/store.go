package quota

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Charge is what a request takes from one counter.
type Charge struct {
	// Quota is the quota's name.
	Quota string
	// Key is the counter's storage key: KeyPrefix, the quota's name, its
	// window in milliseconds and a hash of the value of its Per key (never
	// the value itself: it may be a phone number).
	Key string
	// Count is the number of destinations taken, at least 1.
	Count int64
	// Limit is the quota's limit: destinations per window.
	Limit int64
	// Window is the quota's rolling window.
	Window time.Duration
}

// Outcome is a store's decision on a request's charges.
type Outcome struct {
	// Admitted is true when every charge was admitted and counted.
	Admitted bool
	// Refused is the name of the first quota (in the order of the charges)
	// that refused; "" when admitted.
	Refused string
	// RetryAfter is, when refused, how long until enough of the windows has
	// passed to admit this request (the window when a Count exceeds its
	// Limit, which no wait admits).
	RetryAfter time.Duration
}

// Store takes charges atomically: all are admitted and counted, or none is
// counted. An error means the store could not decide; the caller denies the
// request (fail closed).
type Store interface {
	Take(ctx context.Context, charges []Charge) (Outcome, error)
}

// Bounds of a quota's configuration and of a charge.
const (
	// MinWindow is the shortest window of a quota.
	MinWindow = time.Second
	// MaxWindow is the longest window of a quota: 31 days.
	MaxWindow = 31 * 24 * time.Hour
	// MaxLimit bounds a quota's limit and a charge's count, so that every
	// sum stays exact in the Redis script's numbers (doubles).
	MaxLimit = 1 << 40
)

// ErrInvalidCharge is returned (wrapped) by CheckCharges and the stores for a
// charge outside the bounds, or two charges of one decision on one key.
var ErrInvalidCharge = errors.New("invalid charge")

// CheckCharges checks what every store requires of the charges of one
// decision: a non-empty key, 1 <= Count <= MaxLimit, 1 <= Limit <= MaxLimit,
// MinWindow <= Window <= MaxWindow, and distinct keys (Set.Charges merges the
// charges of one counter, so two charges on one key are a caller's error).
func CheckCharges(charges []Charge) error {
	for i := range charges {
		c := &charges[i]
		switch {
		case c.Key == "":
			return fmt.Errorf("%w: quota %q: empty key", ErrInvalidCharge, c.Quota)
		case c.Count < 1 || c.Count > MaxLimit:
			return fmt.Errorf("%w: quota %q: count %d out of [1, %d]", ErrInvalidCharge, c.Quota, c.Count, int64(MaxLimit))
		case c.Limit < 1 || c.Limit > MaxLimit:
			return fmt.Errorf("%w: quota %q: limit %d out of [1, %d]", ErrInvalidCharge, c.Quota, c.Limit, int64(MaxLimit))
		case c.Window < MinWindow || c.Window > MaxWindow:
			return fmt.Errorf("%w: quota %q: window %v out of [%v, %v]", ErrInvalidCharge, c.Quota, c.Window, MinWindow, MaxWindow)
		}
	}
	if len(charges) <= 16 {
		for i := 1; i < len(charges); i++ {
			for j := 0; j < i; j++ {
				if charges[i].Key == charges[j].Key {
					return fmt.Errorf("%w: quota %q: two charges on one key", ErrInvalidCharge, charges[i].Quota)
				}
			}
		}
		return nil
	}
	seen := make(map[string]struct{}, len(charges))
	for i := range charges {
		if _, dup := seen[charges[i].Key]; dup {
			return fmt.Errorf("%w: quota %q: two charges on one key", ErrInvalidCharge, charges[i].Quota)
		}
		seen[charges[i].Key] = struct{}{}
	}
	return nil
}
