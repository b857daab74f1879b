package authn

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/pinpointgw/gateway/authz"
)

// StoreOptions configures how a store is read.
type StoreOptions struct {
	// Account is the 12-digit account ID of every ARN of the store (required).
	Account string
	// Partition of the ARNs. Default: "aws".
	Partition string
	// LookupEnv resolves "{env.NAME}" secrets. Default: os.LookupEnv.
	LookupEnv func(string) (string, bool)
	// KnownAction, when set, lets the store's policy lint warn about actions
	// it does not know (apimap.IsKnownAction). Default: every action is known.
	KnownAction func(string) bool
}

// Store is the compiled credential store: users and their access keys,
// groups, roles, managed policies, resource-based policies, guardrails and
// resource tags. It is immutable and safe for concurrent use.
type Store struct {
	account, partition string
	users              map[string]*storeUser // by name
	roles              map[string]*storeRole // by name
	keys               map[string]*accessKey // by access key ID
	policies           map[string]*authz.Policy
	resourcePolicies   map[string]*authz.Policy
	guardrails         []*authz.Policy
	resourceTags       map[string]map[string]string
	warnings           []string
}

type storeUser struct {
	name, arn, id string
	tags          map[string]string
	identity      []*authz.Policy
	boundary      *authz.Policy
}

type storeRole struct {
	name, arn, id string
	trust         *authz.Policy
	tags          map[string]string
	identity      []*authz.Policy
	boundary      *authz.Policy
	maxSession    time.Duration
}

type accessKey struct {
	id, secret string
	user       *storeUser
}

// The JSON form (DESIGN.md). Unknown fields are errors.
type storeJSON struct {
	Users            []userJSON                   `json:"users"`
	Groups           []groupJSON                  `json:"groups"`
	Roles            []roleJSON                   `json:"roles"`
	Policies         map[string]json.RawMessage   `json:"policies"`
	ResourcePolicies map[string]json.RawMessage   `json:"resource_policies"`
	Guardrails       map[string]json.RawMessage   `json:"guardrails"`
	ResourceTags     map[string]map[string]string `json:"resource_tags"`
}

type userJSON struct {
	Name                string                     `json:"name"`
	Tags                map[string]string          `json:"tags"`
	Groups              []string                   `json:"groups"`
	AccessKeys          []accessKeyJSON            `json:"access_keys"`
	Policies            []string                   `json:"policies"`
	InlinePolicies      map[string]json.RawMessage `json:"inline_policies"`
	PermissionsBoundary string                     `json:"permissions_boundary"`
}

type accessKeyJSON struct {
	ID     string `json:"id"`
	Secret string `json:"secret"`
}

type groupJSON struct {
	Name           string                     `json:"name"`
	Policies       []string                   `json:"policies"`
	InlinePolicies map[string]json.RawMessage `json:"inline_policies"`
}

type roleJSON struct {
	Name                string                     `json:"name"`
	TrustPolicy         json.RawMessage            `json:"trust_policy"`
	Policies            []string                   `json:"policies"`
	InlinePolicies      map[string]json.RawMessage `json:"inline_policies"`
	Tags                map[string]string          `json:"tags"`
	PermissionsBoundary string                     `json:"permissions_boundary"`
	MaxSessionDuration  json.RawMessage            `json:"max_session_duration"`
}

// LoadStore reads and compiles the store file at path.
func LoadStore(path string, opts StoreOptions) (*Store, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("loading store: %w", err)
	}
	s, err := parseStore(data, opts)
	if err != nil {
		return nil, fmt.Errorf("loading store %q: %w", path, err)
	}
	return s, nil
}

// ParseStore compiles a store document; name (usually the file name) is used
// in error messages, which name the policy, the statement and the field.
func ParseStore(name string, data []byte, opts StoreOptions) (*Store, error) {
	s, err := parseStore(data, opts)
	if err != nil {
		return nil, fmt.Errorf("parsing store %q: %w", name, err)
	}
	return s, nil
}

// Account returns the store's account ID.
func (s *Store) Account() string { return s.account }

// Partition returns the store's ARN partition.
func (s *Store) Partition() string { return s.partition }

// Warnings returns the lint warnings of the store's policies.
func (s *Store) Warnings() []string { return s.warnings }

// ResourcePolicy returns the resource-based policy of arn, nil if none.
func (s *Store) ResourcePolicy(arn string) *authz.Policy { return s.resourcePolicies[arn] }

// Guardrails returns the guardrail (SCP-like) policies, sorted by name.
func (s *Store) Guardrails() []*authz.Policy { return s.guardrails }

// ResourceTags returns the configured tags of arn.
func (s *Store) ResourceTags(arn string) (map[string]string, bool) {
	t, ok := s.resourceTags[arn]
	return t, ok
}

// ManagedPolicy returns the store policy of that name, as an identity policy.
func (s *Store) ManagedPolicy(name string) (*authz.Policy, bool) {
	p, ok := s.policies[name]
	return p, ok
}

// PrincipalPolicies returns the identity policies (a user's own and its
// groups', or a role's) and the permissions boundary of a user ARN, a role
// ARN or an assumed-role session ARN.
func (s *Store) PrincipalPolicies(arn string) (identity []*authz.Policy, boundary *authz.Policy, ok bool) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[1] != s.partition || parts[4] != s.account {
		return nil, nil, false
	}
	res := parts[5]
	switch {
	case parts[2] == "iam" && strings.HasPrefix(res, "user/"):
		if u := s.users[res[strings.LastIndexByte(res, '/')+1:]]; u != nil && u.arn == arn {
			return u.identity, u.boundary, true
		}
	case parts[2] == "iam" && strings.HasPrefix(res, "role/"):
		if r := s.roles[res[strings.LastIndexByte(res, '/')+1:]]; r != nil && r.arn == arn {
			return r.identity, r.boundary, true
		}
	case parts[2] == "sts" && strings.HasPrefix(res, "assumed-role/"):
		name, _, _ := strings.Cut(strings.TrimPrefix(res, "assumed-role/"), "/")
		if r := s.roles[name]; r != nil {
			return r.identity, r.boundary, true
		}
	}
	return nil, nil, false
}

func validAccount(a string) bool { return len(a) == 12 && allDigits(a) }

// validIAMName checks IAM's name rule: 1..max of [A-Za-z0-9+=,.@_-].
func validIAMName(s string, max int) bool {
	if s == "" || len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(isAlnumByte(c) || strings.IndexByte("+=,.@_-", c) >= 0) {
			return false
		}
	}
	return true
}

func isAlnumByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// validLongTermKeyID checks AKIA followed by 16 upper-case letters or digits.
func validLongTermKeyID(id string) bool {
	if len(id) != 20 || !strings.HasPrefix(id, "AKIA") {
		return false
	}
	for i := 4; i < 20; i++ {
		c := id[i]
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// validateTags checks AWS's tag rules: at most 50, keys 1..128 and values
// 0..256 characters, keys unique ignoring case, no "aws:" prefix.
func validateTags(tags map[string]string) error {
	if len(tags) > maxSessionTags {
		return fmt.Errorf("%d tags, at most %d allowed", len(tags), maxSessionTags)
	}
	seen := make(map[string]string, len(tags))
	for _, k := range sortedKeys(tags) {
		if err := validTag(k, tags[k]); err != nil {
			return err
		}
		lk := strings.ToLower(k)
		if prev, dup := seen[lk]; dup {
			return fmt.Errorf("tag keys %q and %q differ only in case", prev, k)
		}
		seen[lk] = k
	}
	return nil
}

func validTag(k, v string) error {
	if n := len([]rune(k)); n < 1 || n > maxTagKeyLen {
		return fmt.Errorf("tag key %q: length must be 1 to %d characters", k, maxTagKeyLen)
	}
	if len([]rune(v)) > maxTagValueLen {
		return fmt.Errorf("tag %q: value longer than %d characters", k, maxTagValueLen)
	}
	if strings.HasPrefix(strings.ToLower(k), "aws:") {
		return fmt.Errorf("tag key %q: the aws: prefix is reserved", k)
	}
	if !validTagChars(k) || !validTagChars(v) {
		return fmt.Errorf("tag %q: only letters, digits, spaces and _.:/=+-@ are allowed", k)
	}
	return nil
}

// validTagChars checks [\p{L}\p{Z}\p{N}_.:/=+\-@]*.
func validTagChars(s string) bool {
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', strings.ContainsRune(" _.:/=+-@", r):
		case r > 0x7f && (isLetterOrNumber(r) || r == 0xa0):
		default:
			return false
		}
	}
	return true
}

// ErrMissingEnv is wrapped when a "{env.NAME}" secret names an unset variable.
var ErrMissingEnv = errors.New("environment variable not set")

// expandSecret resolves "{env.NAME}"; any other value is literal.
func expandSecret(v string, lookup func(string) (string, bool)) (string, error) {
	if strings.HasPrefix(v, "{env.") && strings.HasSuffix(v, "}") {
		name := v[len("{env.") : len(v)-1]
		val, ok := lookup(name)
		if !ok || val == "" {
			return "", fmt.Errorf("%w: %s", ErrMissingEnv, name)
		}
		return val, nil
	}
	return v, nil
}

func parseDuration(raw json.RawMessage) (time.Duration, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return defaultRoleDuration, nil
	}
	var d time.Duration
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		if d, err = time.ParseDuration(s); err != nil {
			return 0, err
		}
	} else {
		var secs int64
		if err := json.Unmarshal(raw, &secs); err != nil {
			return 0, errors.New("want a duration such as \"1h\" or a number of seconds")
		}
		d = time.Duration(secs) * time.Second
	}
	if d < time.Hour || d > maxRoleMaxDuration {
		return 0, fmt.Errorf("%v is outside 1h..12h", d)
	}
	return d, nil
}

func parseStore(data []byte, opts StoreOptions) (*Store, error) {
	if !validAccount(opts.Account) {
		return nil, fmt.Errorf("account %q is not a 12-digit account ID", opts.Account)
	}
	if opts.Partition == "" {
		opts.Partition = "aws"
	}
	if !validScopeName(opts.Partition) {
		return nil, fmt.Errorf("partition %q is not a partition name such as aws or aws-cn", opts.Partition)
	}
	if opts.LookupEnv == nil {
		opts.LookupEnv = os.LookupEnv
	}
	known := opts.KnownAction
	if known == nil {
		known = func(string) bool { return true }
	}
	var doc storeJSON
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("decoding JSON: %w", err)
	}
	if dec.More() {
		return nil, errors.New("decoding JSON: data after the top-level object")
	}
	s := &Store{
		account: opts.Account, partition: opts.Partition,
		users: map[string]*storeUser{}, roles: map[string]*storeRole{}, keys: map[string]*accessKey{},
		policies: map[string]*authz.Policy{}, resourcePolicies: map[string]*authz.Policy{},
		resourceTags: map[string]map[string]string{},
	}
	arnPrefix := "arn:" + s.partition + ":iam::" + s.account + ":"
	lint := func(where string, p *authz.Policy) {
		for _, w := range p.Lint(known) {
			s.warnings = append(s.warnings, where+": "+w)
		}
	}

	// Managed policies, and the same documents as boundaries when used so.
	for _, name := range sortedRawKeys(doc.Policies) {
		if !validIAMName(name, 128) {
			return nil, fmt.Errorf("policies: invalid policy name %q", name)
		}
		p, err := authz.Parse(name, doc.Policies[name], authz.Identity)
		if err != nil {
			return nil, fmt.Errorf("policies: %w", err)
		}
		lint("policy "+strconv.Quote(name), p)
		s.policies[name] = p
	}
	used := map[string]bool{}
	boundaries := map[string]*authz.Policy{}
	boundary := func(name string) (*authz.Policy, error) {
		if name == "" {
			return nil, nil
		}
		used[name] = true
		if p := boundaries[name]; p != nil {
			return p, nil
		}
		raw, ok := doc.Policies[name]
		if !ok {
			return nil, fmt.Errorf("permissions_boundary: unknown policy %q", name)
		}
		p, err := authz.Parse(name, raw, authz.Boundary)
		if err != nil {
			return nil, fmt.Errorf("permissions_boundary: %w", err)
		}
		boundaries[name] = p
		return p, nil
	}
	attach := func(names []string, inline map[string]json.RawMessage, owner string) ([]*authz.Policy, error) {
		var out []*authz.Policy
		seen := map[string]bool{}
		for _, n := range names {
			p, ok := s.policies[n]
			if !ok {
				return nil, fmt.Errorf("policies: unknown policy %q", n)
			}
			if seen[n] {
				return nil, fmt.Errorf("policies: policy %q attached twice", n)
			}
			seen[n] = true
			used[n] = true
			out = append(out, p)
		}
		for _, n := range sortedRawKeys(inline) {
			if !validIAMName(n, 128) {
				return nil, fmt.Errorf("inline_policies: invalid policy name %q", n)
			}
			p, err := authz.Parse(owner+"/"+n, inline[n], authz.Identity)
			if err != nil {
				return nil, fmt.Errorf("inline_policies: %w", err)
			}
			lint("inline policy "+strconv.Quote(owner+"/"+n), p)
			out = append(out, p)
		}
		return out, nil
	}

	groups := map[string][]*authz.Policy{}
	for i, g := range doc.Groups {
		if !validIAMName(g.Name, 128) {
			return nil, fmt.Errorf("groups[%d]: invalid group name %q", i, g.Name)
		}
		if _, dup := groups[g.Name]; dup {
			return nil, fmt.Errorf("groups[%d]: duplicate group %q", i, g.Name)
		}
		ps, err := attach(g.Policies, g.InlinePolicies, g.Name)
		if err != nil {
			return nil, fmt.Errorf("group %q: %w", g.Name, err)
		}
		groups[g.Name] = ps
	}

	for i, uj := range doc.Users {
		if !validIAMName(uj.Name, 64) {
			return nil, fmt.Errorf("users[%d]: invalid user name %q", i, uj.Name)
		}
		if _, dup := s.users[uj.Name]; dup {
			return nil, fmt.Errorf("users[%d]: duplicate user %q", i, uj.Name)
		}
		u := &storeUser{name: uj.Name, arn: arnPrefix + "user/" + uj.Name, tags: uj.Tags}
		u.id = uniqueID("AIDA", u.arn)
		fail := func(err error) (*Store, error) { return nil, fmt.Errorf("user %q: %w", uj.Name, err) }
		if err := validateTags(uj.Tags); err != nil {
			return fail(fmt.Errorf("tags: %w", err))
		}
		var err error
		if u.identity, err = attach(uj.Policies, uj.InlinePolicies, uj.Name); err != nil {
			return fail(err)
		}
		seen := map[string]bool{}
		for _, gn := range uj.Groups {
			gp, ok := groups[gn]
			if !ok {
				return fail(fmt.Errorf("groups: unknown group %q", gn))
			}
			if seen[gn] {
				return fail(fmt.Errorf("groups: group %q listed twice", gn))
			}
			seen[gn] = true
			u.identity = append(u.identity, gp...)
		}
		if u.boundary, err = boundary(uj.PermissionsBoundary); err != nil {
			return fail(err)
		}
		for j, k := range uj.AccessKeys {
			if !validLongTermKeyID(k.ID) {
				return fail(fmt.Errorf("access_keys[%d]: id %q is not AKIA followed by 16 upper-case letters or digits", j, k.ID))
			}
			if _, dup := s.keys[k.ID]; dup {
				return fail(fmt.Errorf("access_keys[%d]: access key %s is used twice", j, k.ID))
			}
			secret, err := expandSecret(k.Secret, opts.LookupEnv)
			if err != nil {
				return fail(fmt.Errorf("access key %s: secret: %w", k.ID, err))
			}
			if secret == "" {
				return fail(fmt.Errorf("access key %s: empty secret", k.ID))
			}
			if len(secret) < 16 {
				s.warnings = append(s.warnings, fmt.Sprintf("user %q: access key %s: secret shorter than 16 characters", uj.Name, k.ID))
			}
			s.keys[k.ID] = &accessKey{id: k.ID, secret: secret, user: u}
		}
		s.users[u.name] = u
	}

	for i, rj := range doc.Roles {
		if !validIAMName(rj.Name, 64) {
			return nil, fmt.Errorf("roles[%d]: invalid role name %q", i, rj.Name)
		}
		if _, dup := s.roles[rj.Name]; dup {
			return nil, fmt.Errorf("roles[%d]: duplicate role %q", i, rj.Name)
		}
		r := &storeRole{name: rj.Name, arn: arnPrefix + "role/" + rj.Name, tags: rj.Tags}
		r.id = uniqueID("AROA", r.arn)
		fail := func(err error) (*Store, error) { return nil, fmt.Errorf("role %q: %w", rj.Name, err) }
		if len(rj.TrustPolicy) == 0 || string(rj.TrustPolicy) == "null" {
			return fail(errors.New("trust_policy is required"))
		}
		var err error
		if r.trust, err = authz.Parse(rj.Name+" trust policy", rj.TrustPolicy, authz.ResourceBased); err != nil {
			return fail(fmt.Errorf("trust_policy: %w", err))
		}
		if i := trustResourceStatement(rj.TrustPolicy); i >= 0 {
			return fail(fmt.Errorf("trust_policy: statement %d: Resource: has prohibited field (a trust policy applies to its role)", i))
		}
		lint("role "+strconv.Quote(rj.Name)+" trust policy", r.trust)
		if err := validateTags(rj.Tags); err != nil {
			return fail(fmt.Errorf("tags: %w", err))
		}
		if r.identity, err = attach(rj.Policies, rj.InlinePolicies, rj.Name); err != nil {
			return fail(err)
		}
		if r.boundary, err = boundary(rj.PermissionsBoundary); err != nil {
			return fail(err)
		}
		if r.maxSession, err = parseDuration(rj.MaxSessionDuration); err != nil {
			return fail(fmt.Errorf("max_session_duration: %w", err))
		}
		s.roles[r.name] = r
	}

	for _, arn := range sortedRawKeys(doc.ResourcePolicies) {
		if !strings.HasPrefix(arn, "arn:") || strings.Count(arn, ":") < 5 {
			return nil, fmt.Errorf("resource_policies: key %q is not an ARN", arn)
		}
		p, err := authz.Parse(arn, doc.ResourcePolicies[arn], authz.ResourceBased)
		if err != nil {
			return nil, fmt.Errorf("resource_policies: %w", err)
		}
		lint("resource policy of "+arn, p)
		s.resourcePolicies[arn] = p
	}
	for _, name := range sortedRawKeys(doc.Guardrails) {
		p, err := authz.Parse(name, doc.Guardrails[name], authz.Guardrail)
		if err != nil {
			return nil, fmt.Errorf("guardrails: %w", err)
		}
		lint("guardrail "+strconv.Quote(name), p)
		s.guardrails = append(s.guardrails, p)
	}
	for arn, tags := range doc.ResourceTags {
		if !strings.HasPrefix(arn, "arn:") || strings.Count(arn, ":") < 5 {
			return nil, fmt.Errorf("resource_tags: key %q is not an ARN", arn)
		}
		if err := validateTags(tags); err != nil {
			return nil, fmt.Errorf("resource_tags of %s: %w", arn, err)
		}
		s.resourceTags[arn] = tags
	}
	for _, name := range sortedRawKeys(doc.Policies) {
		if !used[name] {
			s.warnings = append(s.warnings, fmt.Sprintf("policy %q is not attached to any user, group or role", name))
		}
	}
	return s, nil
}

// trustResourceStatement returns the index of the first statement of a trust
// policy with a Resource or NotResource element, or -1. AWS refuses those.
func trustResourceStatement(doc json.RawMessage) int {
	var d struct {
		Statement json.RawMessage
	}
	if json.Unmarshal(doc, &d) != nil {
		return -1 // authz.Parse accepted it; nothing more to say
	}
	var list []map[string]json.RawMessage
	if err := json.Unmarshal(d.Statement, &list); err != nil {
		var one map[string]json.RawMessage
		if json.Unmarshal(d.Statement, &one) != nil {
			return -1
		}
		list = append(list, one)
	}
	for i, st := range list {
		if _, ok := st["Resource"]; ok {
			return i
		}
		if _, ok := st["NotResource"]; ok {
			return i
		}
	}
	return -1
}

func sortedRawKeys(m map[string]json.RawMessage) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
