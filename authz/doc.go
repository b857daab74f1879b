// Package authz is the gateway's IAM policy engine: it parses, validates, compiles and
// evaluates AWS IAM policy documents the way AWS IAM does, and explains its decisions. It uses
// the standard library only and imports nothing else of the gateway.
//
// # API
//
//	type Effect int     // EffectAllow, EffectDeny; String, MarshalText, UnmarshalText
//	type Decision int   // ImplicitDeny (zero value), Allow, ExplicitDeny; String, MarshalText
//	type PolicyType int // IdentityBased, ResourceBased, Boundary, Session, Guardrail; String, MarshalText, UnmarshalText
//
//	func Parse(name string, doc []byte, kind PolicyType) (*Policy, error) // errors: *PolicyError
//	type PolicyError struct{ Policy string; Statement int; Sid, Field string; Err error } // errors.Is(err, ErrInvalid)
//	var ErrInvalid error
//	const Version2012, Version2008 = "2012-10-17", "2008-10-17"
//	func (p *Policy) Name() string
//	func (p *Policy) Type() PolicyType
//	func (p *Policy) Len() int
//	func (p *Policy) MarshalJSON() ([]byte, error)                    // round-trips
//	func (p *Policy) Lint(knownAction func(action string) bool) []string
//
//	func NewContext() *Context // Set, SetLower, SetMulti, Lookup, LookupLower, Delete, DeleteLower, Clone, Keys
//	type Principal struct{ ARN, Account, RoleARN string }
//	func PrincipalFromARN(arn string) Principal
//	type Input struct{ Principal; Action; Resource; Context; IdentityPolicies; ResourcePolicy; Boundary; SessionPolicies; Guardrails }
//	type Match struct{ Type PolicyType; Policy, Sid string; Index int; Effect Effect }
//	type Result struct{ Decision Decision; DeniedBy PolicyType; Matched []Match }
//	func Evaluate(in *Input) Result // the Result is the caller's
//	func DenyMessage(principalARN, action, resource string, r Result) string
//
//	type SimulateOptions struct {
//		Lint              bool
//		KnownAction       func(string) bool
//		PrincipalPolicies func(principalARN string) (identity []*Policy, boundary *Policy, ok bool)
//		ResourcePolicy    func(resourceARN string) *Policy // for cases without resource_policy
//		Guardrails        func() []*Policy                 // for cases without guardrails
//	}
//	func Simulate(in io.Reader, out io.Writer, opts SimulateOptions) error // `gateway simulate`
//
// # Language
//
// Version "2012-10-17" (policy variables) or "2008-10-17"/absent (${...} is literal text), Id,
// Statement as an object or an array; Sid, Effect, Principal/NotPrincipal ("*", AWS account IDs,
// root, user, role and assumed-role ARNs, Federated, Service, CanonicalUser), Action/NotAction,
// Resource/NotResource, Condition. Elements accept a string or an array wherever AWS does.
// Parsing is strict: unknown elements, unknown operators, malformed keys or values, a bad
// Effect, both Action and NotAction, a principal in an identity-side policy, a resource-based
// statement without a principal, or an identity-side statement without a resource are errors.
//
// Actions match case-insensitively with '*' and '?'; resources match case-sensitively as ARN
// globs, part by part. Conditions support every operator of the IAM reference (String*,
// Numeric*, Date*, Bool, BinaryEquals, IpAddress/NotIpAddress, Arn*, Null), the IfExists suffix
// and the ForAnyValue:/ForAllValues: qualifiers, with keys case-insensitive; operators, keys
// AND; values OR. The operator families live in internal/condition, one file each.
//
// # Evaluation
//
// Compile once, evaluate many: each policy indexes its statements by lower-cased action (with a
// small Bloom filter in front of the index), so a decision only looks at statements naming the
// action exactly plus those with wildcards or NotAction. Evaluate follows AWS's policy
// evaluation logic; see its doc comment. Where the IAM documentation is silent, the engine
// agrees with the independent simulator @cloud-copilot/iam-simulate (see oracle_test.go),
// which is also where the few documented differences from that simulator are listed.
package authz
