// Package replay re-decides recorded requests: it reads the gateway's audit
// log (JSON lines; gzip too), and evaluates each record's (action,
// resource) pairs with the recorded request context under other policies,
// the way the gateway decides them (package decide holds the rules both
// share). `gateway replay` (package commands) and `gateway policy
// generate` are built on it. It imports no Caddy.
//
//	func OpenLog(path string) (io.ReadCloser, error)
//	func Read(r io.Reader, fn func(*Record) error) (Stats, error)
//	func (r *Record) PolicyDecision() (authz.Decision, bool)
//	func (r *Record) Replayable() (ok bool, why string)
//	func Evaluate(r *Record, p Policies) Outcome
//	func ForStore(s *authn.Store, r *Record, extraGuardrails []*authz.Policy) (Policies, bool)
//
// What a record holds (see README "Audit log"): "context", the
// request-wide condition keys exactly as evaluated (a string for a
// single-valued key, an array for a multi-valued one); "evaluations", one
// per (action, resource) pair evaluated, in order, with its per-resource
// keys, the key prefixes the gateway could not learn and its decision;
// "context_unknown"; the session policies of an STS session. What the
// record had to leave out to stay bounded it counts in <field>_omitted,
// and such a record is not replayable rather than guessed.
//
// Replay uses the recorded context as it was: the principal's tags, the
// resource tags and the time are those of the request, not the candidate
// store's. Records of the local STS (AssumeRole's trust policy) are not
// replayed (Replayable says WhySTS).
package replay
