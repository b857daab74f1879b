package quota

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// MaxMemoryKeys bounds the number of counters a Memory holds at once. A
// counter costs about 200 bytes (its key, a map entry and one bucket; a
// counter with many live buckets 16 bytes more for each), so a full store
// holds about 200 MiB. A quota per destination number makes one counter per
// number sent to in the last window.
const MaxMemoryKeys = 1 << 20

// ErrFull is returned by Memory.Take when admitting would need a new counter
// and MaxMemoryKeys counters are live: the caller denies (fail closed).
var ErrFull = errors.New("quota: memory store full")

// Memory is the Store of one instance: counters in memory, safe for
// concurrent use. Its time comes from the clock given to NewMemory. A counter
// is removed when its newest bucket stops counting: every Take first removes
// the counters that expired, oldest first, from one list per bucket width
// ordered by expiry, so the work is amortized O(1) per counter, never a sweep
// of every counter.
type Memory struct {
	now func() time.Time
	max int

	mu    sync.Mutex
	items map[string]*item
	lists []*expiryList
}

// item is one counter of a Memory.
type item struct {
	key        string
	c          counter
	expiry     int64 // Unix ms at which the newest bucket stops counting
	list       *expiryList
	prev, next *item
}

// expiryList holds the counters of one bucket width g, in the order of their
// last increment, which is the order of their expiry while the clock moves
// forward.
type expiryList struct {
	g          int64
	head, tail *item
}

// NewMemory returns an empty Memory whose time comes from now (time.Now when
// nil).
func NewMemory(now func() time.Time) *Memory {
	if now == nil {
		now = time.Now
	}
	return &Memory{now: now, max: MaxMemoryKeys, items: make(map[string]*item)}
}

// Len returns the number of counters held (expired ones included until the
// next Take removes them).
func (m *Memory) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.items)
}

// Take decides on charges as the package documentation describes: all are
// admitted and counted, or none is counted. It returns an error for invalid
// charges (CheckCharges), a done ctx, or when admitting would need more than
// MaxMemoryKeys counters (ErrFull).
func (m *Memory) Take(ctx context.Context, charges []Charge) (Outcome, error) {
	if err := ctx.Err(); err != nil {
		return Outcome{}, err
	}
	if err := CheckCharges(charges); err != nil {
		return Outcome{}, err
	}
	nowMs := m.now().UnixMilli()
	var stack [4]*item
	items := stack[:0]

	m.mu.Lock()
	defer m.mu.Unlock()
	m.expire(nowMs)

	out := Outcome{Admitted: true}
	fresh := 0
	for i := range charges {
		c := &charges[i]
		g := granularity(c.Window)
		cur := floorDiv(nowMs, g)
		it := m.items[c.Key]
		var sum int64
		if it == nil {
			fresh++
		} else {
			if it.list.g != g {
				return Outcome{}, fmt.Errorf("%w: quota %q: key used with another window", ErrInvalidCharge, c.Quota)
			}
			it.c, sum = it.c.live(cur)
		}
		items = append(items, it)
		if c.Count > c.Limit-sum {
			var cnt counter
			if it != nil {
				cnt = it.c
			}
			ra := cnt.retryAfter(sum, c.Count, c.Limit, g, nowMs, c.Window)
			if out.Admitted {
				out = Outcome{Refused: c.Quota}
			}
			out.RetryAfter = max(out.RetryAfter, ra)
		}
	}
	if !out.Admitted {
		return out, nil
	}
	if fresh > m.max-len(m.items) {
		return Outcome{}, ErrFull
	}
	for i := range charges {
		c := &charges[i]
		g := granularity(c.Window)
		it := items[i]
		if it == nil {
			it = &item{key: c.Key}
			m.items[c.Key] = it
		} else {
			it.list.unlink(it)
		}
		it.c = it.c.add(floorDiv(nowMs, g), c.Count)
		it.expiry = it.c.expiry(g)
		m.list(g).push(it)
	}
	return out, nil
}

// expire removes the counters whose expiry has passed, and the lists left
// empty.
func (m *Memory) expire(nowMs int64) {
	for i := 0; i < len(m.lists); {
		l := m.lists[i]
		for l.head != nil && l.head.expiry <= nowMs {
			it := l.head
			l.unlink(it)
			delete(m.items, it.key)
		}
		if l.head == nil {
			last := len(m.lists) - 1
			m.lists[i] = m.lists[last]
			m.lists[last] = nil
			m.lists = m.lists[:last]
			continue
		}
		i++
	}
}

// list returns the expiry list of bucket width g, creating it.
func (m *Memory) list(g int64) *expiryList {
	for _, l := range m.lists {
		if l.g == g {
			return l
		}
	}
	l := &expiryList{g: g}
	m.lists = append(m.lists, l)
	return l
}

// push appends it at the tail of l.
func (l *expiryList) push(it *item) {
	it.list = l
	it.prev, it.next = l.tail, nil
	if l.tail != nil {
		l.tail.next = it
	} else {
		l.head = it
	}
	l.tail = it
}

// unlink removes it from l.
func (l *expiryList) unlink(it *item) {
	if it.prev != nil {
		it.prev.next = it.next
	} else {
		l.head = it.next
	}
	if it.next != nil {
		it.next.prev = it.prev
	} else {
		l.tail = it.prev
	}
	it.prev, it.next, it.list = nil, nil, nil
}

// floorDiv is ⌊a/b⌋ for b > 0 (a may be negative: a clock before 1970).
func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && a < 0 {
		q--
	}
	return q
}

var _ Store = (*Memory)(nil)
