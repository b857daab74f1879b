package quota

import "time"

// numBuckets is the number of buckets a window is split into (B in the package
// documentation).
const numBuckets = 60

// granularity returns the width g of one bucket of the window w in
// milliseconds: ⌈w/60⌉, at least 1.
func granularity(w time.Duration) int64 {
	ms := w.Milliseconds()
	g := (ms + numBuckets - 1) / numBuckets
	if g < 1 {
		g = 1
	}
	return g
}

// bucket is one bucket of a counter: its number b (⌊t/g⌋) and its count.
type bucket struct {
	b, n int64
}

// counter is the buckets of one counter, oldest first.
type counter []bucket

// live drops the buckets that no longer count at bucket cur (b < cur − B) and
// returns the remaining counter and its count. The buckets keep their order.
func (c counter) live(cur int64) (counter, int64) {
	oldest := cur - numBuckets
	i := 0
	for i < len(c) && c[i].b < oldest {
		i++
	}
	if i > 0 {
		n := copy(c, c[i:])
		c = c[:n]
	}
	var sum int64
	for _, x := range c {
		sum += x.n
	}
	return c, sum
}

// add adds n to bucket cur, keeping the buckets ordered (cur is normally the
// newest; a clock that went back inserts before newer buckets).
func (c counter) add(cur, n int64) counter {
	i := len(c)
	for i > 0 && c[i-1].b > cur {
		i--
	}
	if i > 0 && c[i-1].b == cur {
		c[i-1].n += n
		return c
	}
	c = append(c, bucket{})
	copy(c[i+1:], c[i:])
	c[i] = bucket{b: cur, n: n}
	return c
}

// expiry is the time (Unix ms) at which the newest bucket of c stops
// counting, so the whole counter is empty; 0 for an empty counter.
func (c counter) expiry(g int64) int64 {
	if len(c) == 0 {
		return 0
	}
	return (c[len(c)-1].b + numBuckets + 1) * g
}

// retryAfter returns how long from nowMs until the live counter c (count sum)
// admits n more under limit: the time at which enough of its oldest buckets
// have stopped counting, minus now. When n > limit no wait admits it, and the
// answer is the window w.
func (c counter) retryAfter(sum, n, limit, g, nowMs int64, w time.Duration) time.Duration {
	if n > limit {
		return w
	}
	for _, x := range c {
		sum -= x.n
		if sum+n <= limit {
			return time.Duration((x.b+numBuckets+1)*g-nowMs) * time.Millisecond
		}
	}
	return 0 // not reached when sum+n > limit and n <= limit: every bucket eventually drops
}
