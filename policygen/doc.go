// Package policygen builds the least-privilege identity policy of a principal, a role or the
// sessions carrying a session tag, from the calls the audit log recorded, and proves it by
// replaying the same log under it (gateway policy generate, commands/policygen.go).
//
// Generation reads each record once (package replay) and keeps, for the selection, the distinct
// (action, resource) pairs of the calls the policies allowed, at most Options.MaxPairs of them
// (past that, an error, never a silent truncation), and with Options.Conditions the resource and
// request tags that held with one value on every allowed call of an action. The policy lists the
// real ARNs: one statement per set of actions with the same resources (and conditions); a
// resource ID becomes a wildcard only when more than Options.Collapse distinct IDs share one
// parent (collapse.go); actions without a resource type get "Resource": "*".
//
// The proof (prove.go) replays every selected record under the generated policy alone (no
// boundary, guardrail, session or resource policy: the claim is about the generated policy):
// every recorded Allow must be Allow, every recorded policy deny must be a deny. A wildcard that
// lets a recorded deny through is taken back (its IDs listed) and the proof runs again; a deny
// that the generated policy cannot tell from an allowed call (same action and resource, the deny
// came from something the generator does not write) fails the proof with its request IDs.
//
// The package imports no Caddy.
package policygen
