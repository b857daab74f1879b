// Package quota counts the destinations a request sends to against named quotas
// ("how many destinations, not requests, a key may send to per rolling window"):
// it compiles the configured quotas ([Compile]), computes what a request takes
// ([Set.Charges]) and keeps the counters of one instance in memory ([Memory]).
// The counters shared by several instances live in Redis (package sharedstate),
// which runs the same arithmetic in a server-side script.
//
// # Window arithmetic
//
// A window W is split into B = 60 buckets of width g = ⌈W/60⌉ milliseconds (at
// least 1 ms). At time now (in Unix milliseconds) the current bucket is
// cur = ⌊now/g⌋. A counter is a set of buckets; its count at now is the sum of
// its buckets b with b >= cur − B. Bucket b therefore stops counting at time
// (b+B+1)·g.
//
// A decision takes a list of charges (a counter, a count n and a limit). It
// admits when count + n <= limit for every charge; then, and only then, it adds
// n to bucket cur of every charge. Otherwise nothing is counted and the outcome
// names the first quota that refused, with a RetryAfter: for each refusing
// charge the smallest time (b+B+1)·g at which the buckets still counting leave
// count + n <= limit, minus now; the largest of these over the refusing charges
// (W when n > limit, which no wait can admit).
//
// # Guarantee
//
// The counting is conservative: a destination counted at time t keeps counting
// until (⌊t/g⌋+B+1)·g > t + 60g >= t + W, so no window of length W ever holds
// more than Limit destinations of a counter. A destination may be held longer
// than W, by at most 61g − W: up to g = W/60 when W is a whole number of 60 ms
// (every window of minutes or hours), and less than g + 60 ms otherwise (g is
// rounded up to whole milliseconds so that 60g is never shorter than W).
//
// # Storage keys
//
// A counter's storage key ([Charge.Key]) is a fixed prefix ([KeyPrefix]), the
// quota's name, its window in milliseconds and a hash of the value of the
// quota's Per key (the first 16 bytes of SHA-256, in hex), never the value
// itself, which may be a phone number. The hash keeps the values out of key
// listings and logs; it does not make them secret (the space of phone numbers
// is small enough to enumerate), so the store must be protected like the
// gateway's own data.
package quota
