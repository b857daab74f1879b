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

	"github.com/pinpointgw/gateway/arn"
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
	// RetiredOnly, when set, lets the lint warn about Allow statements that
	// grant only actions of operations AWS retired (authz.Policy.LintRetired).
	// Default: no such warning.
	RetiredOnly func(pattern string) bool
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
	trust         *authz.TrustPolicy
	tags          map[string]string
	identity      []*authz.Policy
	boundary      *authz.Policy
	maxSession    time.Duration
}

type accessKey struct {
	id, secret string
	user       *storeUser
}

// Document is the store file's JSON form, described in README.md ("The
// store"): what ParseStore reads (strictly: unknown fields, duplicate keys
// and values of the wrong type are errors) and what tools that write a
// store (gateway import) marshal. Fields left empty are omitted.
type Document struct {
	Users            []DocumentUser               `json:"users,omitempty"`
	Groups           []DocumentGroup              `json:"groups,omitempty"`
	Roles            []DocumentRole               `json:"roles,omitempty"`
	Policies         map[string]json.RawMessage   `json:"policies,omitempty"`
	ResourcePolicies map[string]json.RawMessage   `json:"resource_policies,omitempty"`
	Guardrails       map[string]json.RawMessage   `json:"guardrails,omitempty"`
	ResourceTags     map[string]map[string]string `json:"resource_tags,omitempty"`
}

// DocumentUser is a user of the store: its tags, groups, access keys,
// managed and inline policies and permissions boundary.
type DocumentUser struct {
	Name                string                     `json:"name"`
	Tags                map[string]string          `json:"tags,omitempty"`
	Groups              []string                   `json:"groups,omitempty"`
	AccessKeys          []DocumentAccessKey        `json:"access_keys,omitempty"`
	Policies            []string                   `json:"policies,omitempty"`
	InlinePolicies      map[string]json.RawMessage `json:"inline_policies,omitempty"`
	PermissionsBoundary string                     `json:"permissions_boundary,omitempty"`
}

// DocumentAccessKey is one of a user's access keys; Secret may be written
// {env.NAME}.
type DocumentAccessKey struct {
	ID     string `json:"id"`
	Secret string `json:"secret"`
}

// DocumentGroup is a group of the store and its policies.
type DocumentGroup struct {
	Name           string                     `json:"name"`
	Policies       []string                   `json:"policies,omitempty"`
	InlinePolicies map[string]json.RawMessage `json:"inline_policies,omitempty"`
}

// DocumentRole is a role of the store: its trust policy, policies, tags,
// permissions boundary and maximum session duration (a Go duration string
// such as "1h", or seconds as a number).
type DocumentRole struct {
	Name                string                     `json:"name"`
	TrustPolicy         json.RawMessage            `json:"trust_policy"`
	Policies            []string                   `json:"policies,omitempty"`
	InlinePolicies      map[string]json.RawMessage `json:"inline_policies,omitempty"`
	Tags                map[string]string          `json:"tags,omitempty"`
	PermissionsBoundary string                     `json:"permissions_boundary,omitempty"`
	MaxSessionDuration  json.RawMessage            `json:"max_session_duration,omitempty"`
}

// LoadStore reads (at most MaxStoreSize bytes) and compiles the store file
// at path.
func LoadStore(path string, opts StoreOptions) (*Store, error) {
	data, err := ReadStoreFile(path)
	if err != nil {
		return nil, fmt.Errorf("loading store: %w", err)
	}
	s, err := parseStore(data, opts)
	if err != nil {
		return nil, storeError("loading", path, err)
	}
	return s, nil
}

// ParseStore compiles a store document; name (usually the file name) is used
// in error messages, which give the file, line and column of a JSON error
// and name the policy, the statement and the field of a policy error.
func ParseStore(name string, data []byte, opts StoreOptions) (*Store, error) {
	s, err := parseStore(data, opts)
	if err != nil {
		return nil, storeError("parsing", name, err)
	}
	return s, nil
}

// storeError says what failed in the store name: at file:line:column for an
// error of the document's text (a *PositionError, kept in the chain).
func storeError(verb, name string, err error) error {
	if pe, ok := errors.AsType[*PositionError](err); ok {
		return fmt.Errorf("%s store: %s:%w", verb, name, pe)
	}
	return fmt.Errorf("%s store %q: %w", verb, name, err)
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
func (s *Store) PrincipalPolicies(a string) (identity []*authz.Policy, boundary *authz.Policy, ok bool) {
	parts, ok := arn.Split(a)
	if !ok || parts[1] != s.partition || parts[4] != s.account {
		return nil, nil, false
	}
	res := parts[5]
	switch {
	case parts[2] == "iam" && strings.HasPrefix(res, "user/"):
		if u := s.users[res[strings.LastIndexByte(res, '/')+1:]]; u != nil && u.arn == a {
			return u.identity, u.boundary, true
		}
	case parts[2] == "iam" && strings.HasPrefix(res, "role/"):
		if r := s.roles[res[strings.LastIndexByte(res, '/')+1:]]; r != nil && r.arn == a {
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

// roleByARN returns the role of the role ARN a, nil when the store has none.
func (s *Store) roleByARN(a string) *storeRole {
	parts, ok := arn.Split(a)
	if !ok {
		return nil
	}
	name, ok := strings.CutPrefix(parts[5], "role/")
	if r := s.roles[name]; ok && r != nil && r.arn == a {
		return r
	}
	return nil
}

// managedPolicyName returns the name of the managed policy of the policy
// ARN a (arn:PARTITION:iam::ACCOUNT:policy/NAME), false when the store has
// none.
func (s *Store) managedPolicyName(a string) (string, bool) {
	parts, ok := arn.Split(a)
	if !ok || parts[1] != s.partition || parts[2] != "iam" || parts[3] != "" || parts[4] != s.account {
		return "", false
	}
	name, ok := strings.CutPrefix(parts[5], "policy/")
	if !ok || strings.Contains(name, "/") {
		return "", false
	}
	_, ok = s.policies[name]
	return name, ok
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

// parseStore checks the options, decodes the document and compiles it: the
// managed policies first, then groups, users and roles (which attach them),
// resource-based policies, guardrails and resource tags.
func parseStore(data []byte, opts StoreOptions) (*Store, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	doc, err := decodeStore(data)
	if err != nil {
		return nil, err
	}
	b := &storeBuilder{
		s: &Store{
			account: opts.Account, partition: opts.Partition,
			users: map[string]*storeUser{}, roles: map[string]*storeRole{}, keys: map[string]*accessKey{},
			policies: map[string]*authz.Policy{}, resourcePolicies: map[string]*authz.Policy{},
			resourceTags: map[string]map[string]string{},
		},
		doc: doc, opts: opts,
		used: map[string]bool{}, boundaries: map[string]*authz.Policy{}, groups: map[string][]*authz.Policy{},
	}
	for _, step := range []func() error{
		b.managedPolicies, b.addGroups, b.addUsers, b.addRoles,
		b.resourcePolicies, b.guardrails, b.resourceTags,
	} {
		if err := step(); err != nil {
			return nil, err
		}
	}
	b.warnUnused()
	return b.s, nil
}

// withDefaults checks the options and fills in their defaults.
func (opts StoreOptions) withDefaults() (StoreOptions, error) {
	if !validAccount(opts.Account) {
		return opts, fmt.Errorf("account %q is not a 12-digit account ID", opts.Account)
	}
	if opts.Partition == "" {
		opts.Partition = "aws"
	}
	if !validScopeName(opts.Partition) {
		return opts, fmt.Errorf("partition %q is not a partition name such as aws or aws-cn", opts.Partition)
	}
	if opts.LookupEnv == nil {
		opts.LookupEnv = os.LookupEnv
	}
	if opts.KnownAction == nil {
		opts.KnownAction = func(string) bool { return true }
	}
	return opts, nil
}

// decodeStore decodes the JSON strictly: unknown fields, duplicate keys,
// values of the wrong type and data after the document are errors, each a
// *PositionError that says where.
func decodeStore(data []byte) (*Document, error) {
	if err := checkSyntax(data); err != nil {
		return nil, err
	}
	if err := checkShape(data); err != nil {
		return nil, err
	}
	var doc Document
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("decoding JSON: %w", err)
	}
	if dec.More() {
		return nil, errors.New("decoding JSON: data after the top-level object")
	}
	return &doc, nil
}

// storeBuilder compiles a decoded store document into s.
type storeBuilder struct {
	s    *Store
	doc  *Document
	opts StoreOptions
	// used are the managed policies attached or used as a boundary.
	used map[string]bool
	// boundaries are the managed policies parsed as permissions boundaries.
	boundaries map[string]*authz.Policy
	// groups are each group's policies, its managed ones then its inline ones.
	groups map[string][]*authz.Policy
}

// iamARN is the ARN of an IAM resource ("user/NAME", "role/NAME") of the store.
func (b *storeBuilder) iamARN(resource string) string {
	return arn.ARN{Partition: b.s.partition, Service: "iam", Account: b.s.account, Resource: resource}.String()
}

// lint records the lint warnings of p, found at where.
func (b *storeBuilder) lint(where string, p *authz.Policy) {
	ws := p.Lint(b.opts.KnownAction)
	if b.opts.RetiredOnly != nil {
		ws = append(ws, p.LintRetired(b.opts.RetiredOnly)...)
	}
	for _, w := range ws {
		b.s.warnings = append(b.s.warnings, where+": "+w)
	}
}

// managedPolicies parses the managed policies as identity policies.
func (b *storeBuilder) managedPolicies() error {
	for _, name := range sortedRawKeys(b.doc.Policies) {
		if !validIAMName(name, 128) {
			return fmt.Errorf("policies: invalid policy name %q", name)
		}
		p, err := authz.Parse(name, b.doc.Policies[name], authz.IdentityBased)
		if err != nil {
			return fmt.Errorf("policies: %w", err)
		}
		b.lint("policy "+strconv.Quote(name), p)
		b.s.policies[name] = p
	}
	return nil
}

// boundary returns the managed policy name parsed as a permissions
// boundary, nil for "".
func (b *storeBuilder) boundary(name string) (*authz.Policy, error) {
	if name == "" {
		return nil, nil
	}
	b.used[name] = true
	if p := b.boundaries[name]; p != nil {
		return p, nil
	}
	raw, ok := b.doc.Policies[name]
	if !ok {
		return nil, fmt.Errorf("permissions_boundary: unknown policy %q", name)
	}
	p, err := authz.Parse(name, raw, authz.Boundary)
	if err != nil {
		return nil, fmt.Errorf("permissions_boundary: %w", err)
	}
	b.boundaries[name] = p
	return p, nil
}

// attach returns the managed policies names, each once, then the inline
// policies of owner, parsed.
func (b *storeBuilder) attach(names []string, inline map[string]json.RawMessage, owner string) ([]*authz.Policy, error) {
	var out []*authz.Policy
	seen := map[string]bool{}
	for _, n := range names {
		p, ok := b.s.policies[n]
		if !ok {
			return nil, fmt.Errorf("policies: unknown policy %q", n)
		}
		if seen[n] {
			return nil, fmt.Errorf("policies: policy %q attached twice", n)
		}
		seen[n] = true
		b.used[n] = true
		out = append(out, p)
	}
	for _, n := range sortedRawKeys(inline) {
		if !validIAMName(n, 128) {
			return nil, fmt.Errorf("inline_policies: invalid policy name %q", n)
		}
		p, err := authz.Parse(owner+"/"+n, inline[n], authz.IdentityBased)
		if err != nil {
			return nil, fmt.Errorf("inline_policies: %w", err)
		}
		b.lint("inline policy "+strconv.Quote(owner+"/"+n), p)
		out = append(out, p)
	}
	return out, nil
}

// addGroups compiles the groups' policies.
func (b *storeBuilder) addGroups() error {
	for i, g := range b.doc.Groups {
		if !validIAMName(g.Name, 128) {
			return fmt.Errorf("groups[%d]: invalid group name %q", i, g.Name)
		}
		if _, dup := b.groups[g.Name]; dup {
			return fmt.Errorf("groups[%d]: duplicate group %q", i, g.Name)
		}
		ps, err := b.attach(g.Policies, g.InlinePolicies, g.Name)
		if err != nil {
			return fmt.Errorf("group %q: %w", g.Name, err)
		}
		b.groups[g.Name] = ps
	}
	return nil
}

// addUsers compiles the users: their tags, policies (their own, then their
// groups'), boundary and access keys.
func (b *storeBuilder) addUsers() error {
	for i, uj := range b.doc.Users {
		if !validIAMName(uj.Name, 64) {
			return fmt.Errorf("users[%d]: invalid user name %q", i, uj.Name)
		}
		if _, dup := b.s.users[uj.Name]; dup {
			return fmt.Errorf("users[%d]: duplicate user %q", i, uj.Name)
		}
		u, err := b.user(uj)
		if err != nil {
			return fmt.Errorf("user %q: %w", uj.Name, err)
		}
		b.s.users[u.name] = u
	}
	return nil
}

func (b *storeBuilder) user(uj DocumentUser) (*storeUser, error) {
	u := &storeUser{name: uj.Name, arn: b.iamARN("user/" + uj.Name), tags: uj.Tags}
	u.id = uniqueID("AIDA", u.arn)
	if err := validateTags(uj.Tags); err != nil {
		return nil, fmt.Errorf("tags: %w", err)
	}
	var err error
	if u.identity, err = b.attach(uj.Policies, uj.InlinePolicies, uj.Name); err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for _, gn := range uj.Groups {
		gp, ok := b.groups[gn]
		if !ok {
			return nil, fmt.Errorf("groups: unknown group %q", gn)
		}
		if seen[gn] {
			return nil, fmt.Errorf("groups: group %q listed twice", gn)
		}
		seen[gn] = true
		u.identity = append(u.identity, gp...)
	}
	if u.boundary, err = b.boundary(uj.PermissionsBoundary); err != nil {
		return nil, err
	}
	if err := b.addAccessKeys(u, uj.AccessKeys); err != nil {
		return nil, err
	}
	return u, nil
}

// addAccessKeys adds the access keys of u, their secrets resolved.
func (b *storeBuilder) addAccessKeys(u *storeUser, keys []DocumentAccessKey) error {
	for j, k := range keys {
		if !validLongTermKeyID(k.ID) {
			return fmt.Errorf("access_keys[%d]: id %q is not AKIA followed by 16 upper-case letters or digits", j, k.ID)
		}
		if _, dup := b.s.keys[k.ID]; dup {
			return fmt.Errorf("access_keys[%d]: access key %s is used twice", j, k.ID)
		}
		secret, err := expandSecret(k.Secret, b.opts.LookupEnv)
		if err != nil {
			return fmt.Errorf("access key %s: secret: %w", k.ID, err)
		}
		if secret == "" {
			return fmt.Errorf("access key %s: empty secret", k.ID)
		}
		if len(secret) < 16 {
			b.s.warnings = append(b.s.warnings, fmt.Sprintf("user %q: access key %s: secret shorter than 16 characters", u.name, k.ID))
		}
		b.s.keys[k.ID] = &accessKey{id: k.ID, secret: secret, user: u}
	}
	return nil
}

// addRoles compiles the roles: their trust policy, tags, policies, boundary
// and maximum session duration.
func (b *storeBuilder) addRoles() error {
	for i, rj := range b.doc.Roles {
		if !validIAMName(rj.Name, 64) {
			return fmt.Errorf("roles[%d]: invalid role name %q", i, rj.Name)
		}
		if _, dup := b.s.roles[rj.Name]; dup {
			return fmt.Errorf("roles[%d]: duplicate role %q", i, rj.Name)
		}
		r, err := b.role(rj)
		if err != nil {
			return fmt.Errorf("role %q: %w", rj.Name, err)
		}
		b.s.roles[r.name] = r
	}
	return nil
}

func (b *storeBuilder) role(rj DocumentRole) (*storeRole, error) {
	r := &storeRole{name: rj.Name, arn: b.iamARN("role/" + rj.Name), tags: rj.Tags}
	r.id = uniqueID("AROA", r.arn)
	if len(rj.TrustPolicy) == 0 || string(rj.TrustPolicy) == "null" {
		return nil, errors.New("trust_policy is required")
	}
	var err error
	if r.trust, err = authz.ParseTrust(rj.Name+" trust policy", rj.TrustPolicy); err != nil {
		return nil, fmt.Errorf("trust_policy: %w", err)
	}
	b.lint("role "+strconv.Quote(rj.Name)+" trust policy", r.trust.Policy())
	if err := validateTags(rj.Tags); err != nil {
		return nil, fmt.Errorf("tags: %w", err)
	}
	if r.identity, err = b.attach(rj.Policies, rj.InlinePolicies, rj.Name); err != nil {
		return nil, err
	}
	if r.boundary, err = b.boundary(rj.PermissionsBoundary); err != nil {
		return nil, err
	}
	if r.maxSession, err = parseDuration(rj.MaxSessionDuration); err != nil {
		return nil, fmt.Errorf("max_session_duration: %w", err)
	}
	return r, nil
}

// resourcePolicies parses the resource-based policies, by ARN.
func (b *storeBuilder) resourcePolicies() error {
	for _, key := range sortedRawKeys(b.doc.ResourcePolicies) {
		if _, ok := arn.Split(key); !ok {
			return fmt.Errorf("resource_policies: key %q is not an ARN", key)
		}
		p, err := authz.Parse(key, b.doc.ResourcePolicies[key], authz.ResourceBased)
		if err != nil {
			return fmt.Errorf("resource_policies: %w", err)
		}
		b.lint("resource policy of "+key, p)
		b.s.resourcePolicies[key] = p
	}
	return nil
}

// guardrails parses the guardrails, sorted by name.
func (b *storeBuilder) guardrails() error {
	for _, name := range sortedRawKeys(b.doc.Guardrails) {
		p, err := authz.Parse(name, b.doc.Guardrails[name], authz.Guardrail)
		if err != nil {
			return fmt.Errorf("guardrails: %w", err)
		}
		b.lint("guardrail "+strconv.Quote(name), p)
		b.s.guardrails = append(b.s.guardrails, p)
	}
	return nil
}

// resourceTags checks the configured resource tags, by ARN.
func (b *storeBuilder) resourceTags() error {
	for key, tags := range b.doc.ResourceTags {
		if _, ok := arn.Split(key); !ok {
			return fmt.Errorf("resource_tags: key %q is not an ARN", key)
		}
		if err := validateTags(tags); err != nil {
			return fmt.Errorf("resource_tags of %s: %w", key, err)
		}
		b.s.resourceTags[key] = tags
	}
	return nil
}

// warnUnused warns of managed policies nothing uses.
func (b *storeBuilder) warnUnused() {
	for _, name := range sortedRawKeys(b.doc.Policies) {
		if !b.used[name] {
			b.s.warnings = append(b.s.warnings, fmt.Sprintf("policy %q is not attached to any user, group or role", name))
		}
	}
}

func sortedRawKeys(m map[string]json.RawMessage) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
