package iamimport

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/pinpointgw/gateway/apimap"
	"github.com/pinpointgw/gateway/authn"
	"github.com/pinpointgw/gateway/authz"
)

// Options configures an import.
type Options struct {
	// Account is the 12-digit account ID of the store (required): the
	// gateway's, which must be the account the details come from for its
	// ARNs to match.
	Account string
	// Partition of the ARNs. Default: "aws".
	Partition string
	// Principals keeps only the users and roles named: "user/NAME" or
	// "role/NAME", NAME a glob (path.Match). Default: every one. A pattern
	// that names nothing is reported not exact.
	Principals []string
	// SCPs and RCPs are `aws organizations describe-policy` outputs (or bare
	// policy documents), each with the level it is attached to.
	SCPs, RCPs []OrgPolicy
	// GuardrailLevel picks the one SCP level whose conditional or
	// resource-scoped Allow statements are carried when several levels have
	// them; the others' are dropped and reported. Default: none (several
	// such levels are refused).
	GuardrailLevel string
	// Roles are `aws iam list-roles` (or get-role) outputs: the roles'
	// MaxSessionDuration, which the details lack. Default: none (a role
	// gets the store's default, 1h, reported).
	Roles [][]byte
	// AccessKeys are `aws iam list-access-keys` outputs: the AWS key IDs
	// the report lists for each user.
	AccessKeys [][]byte
}

// OrgPolicy is one service or resource control policy.
type OrgPolicy struct {
	// Level names where it is attached ("root", an OU ID, "account"): the
	// policies of one level are one level of SCP semantics.
	Level string
	// Source names it in the report (the file name).
	Source string
	// Data is describe-policy output or the bare policy document.
	Data []byte
}

// Result is an import's store and report.
type Result struct {
	// Store is the store document (README "The store"), checked with
	// authn.ParseStore.
	Store  []byte
	Report *Report
}

// importer holds one import's state.
type importer struct {
	opts     Options
	d        *details
	rep      *Report
	out      authn.Document
	managed  map[string]*managedPolicyDetail // by ARN
	names    map[string]string               // policy ARN → store name
	done     map[string]*processed           // managed policies by ARN (identity)
	bounds   map[string]*processed           // managed policies by ARN (boundary)
	maxSess  map[string]int                  // role name → seconds
	groups   map[string]*groupState          // by name
	carried  []carriedPrincipal              // for the path check
	keysByID map[string][]string             // user → "AKIA… (Status)"
}

type groupState struct {
	out    authn.DocumentGroup
	unsafe string // why its users cannot be carried ("" when they can)
}

type carriedPrincipal struct{ kind, name, path string }

// Import reads a GetAccountAuthorizationDetails document and returns the
// store and the report. An error means no store: unreadable input, bad
// options, or guardrails that cannot be expressed (several SCP levels with
// conditional Allow statements and no GuardrailLevel). Anything else that
// cannot be carried exactly is in the report (Report.Exact false).
func Import(data []byte, opts Options) (*Result, error) {
	if !isAccountID(opts.Account) {
		return nil, fmt.Errorf("account %q is not a 12-digit account ID", opts.Account)
	}
	if opts.Partition == "" {
		opts.Partition = "aws"
	}
	for _, p := range opts.Principals {
		if err := checkPattern(p); err != nil {
			return nil, err
		}
	}
	d, err := parseDetails(data)
	if err != nil {
		return nil, err
	}
	im := &importer{
		opts: opts, d: d, rep: &Report{Account: opts.Account},
		managed: map[string]*managedPolicyDetail{}, done: map[string]*processed{}, bounds: map[string]*processed{},
		maxSess: map[string]int{}, groups: map[string]*groupState{}, keysByID: map[string][]string{},
	}
	im.out.Policies = map[string]json.RawMessage{}
	if err := im.readSideInputs(); err != nil {
		return nil, err
	}
	for i := range d.Policies {
		im.managed[d.Policies[i].Arn] = &d.Policies[i]
	}
	users, roles := im.selectPrincipals()
	im.nameManagedPolicies(users, roles)
	im.addGroups(users)
	for _, u := range users {
		im.addUser(u)
	}
	for _, r := range roles {
		im.addRole(r)
	}
	if err := im.addGuardrails(); err != nil {
		return nil, err
	}
	im.checkPaths()
	return im.finish()
}

// checkPattern checks a --principal pattern.
func checkPattern(p string) error {
	kind, name, ok := strings.Cut(p, "/")
	if !ok || (kind != "user" && kind != "role") || name == "" {
		return fmt.Errorf("principal filter %q: want user/NAME or role/NAME (NAME may use * and ?)", p)
	}
	if _, err := path.Match(name, ""); err != nil {
		return fmt.Errorf("principal filter %q: %w", p, err)
	}
	return nil
}

// readSideInputs reads the list-roles and list-access-keys outputs. Each
// input may hold several JSON documents one after another (the output of a
// shell loop over users).
func (im *importer) readSideInputs() error {
	for i, data := range im.opts.Roles {
		err := eachDocument(data, func(dec *json.Decoder) error {
			var lr listRoles
			if err := dec.Decode(&lr); err != nil {
				return err
			}
			if lr.Role != nil {
				lr.Roles = append(lr.Roles, *lr.Role)
			}
			for _, r := range lr.Roles {
				if r.MaxSessionDuration > 0 {
					im.maxSess[r.RoleName] = r.MaxSessionDuration
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("reading roles input %d: %w", i+1, err)
		}
	}
	for i, data := range im.opts.AccessKeys {
		err := eachDocument(data, func(dec *json.Decoder) error {
			var lk listAccessKeys
			if err := dec.Decode(&lk); err != nil {
				return err
			}
			for _, k := range lk.AccessKeyMetadata {
				im.keysByID[k.UserName] = append(im.keysByID[k.UserName], fmt.Sprintf("%s (%s)", k.AccessKeyId, k.Status))
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("reading access keys input %d: %w", i+1, err)
		}
	}
	return nil
}

// eachDocument calls decode for each JSON document of data.
func eachDocument(data []byte, decode func(*json.Decoder) error) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	for {
		if err := decode(dec); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
	}
}

// selectPrincipals applies the filter.
func (im *importer) selectPrincipals() ([]*userDetail, []*roleDetail) {
	matched := map[string]bool{}
	keep := func(kind, name string) bool {
		if len(im.opts.Principals) == 0 {
			return true
		}
		hit := false
		for _, p := range im.opts.Principals {
			k, pat, _ := strings.Cut(p, "/")
			if ok, _ := path.Match(pat, name); ok && k == kind {
				matched[p] = true
				hit = true
			}
		}
		return hit
	}
	var users []*userDetail
	var roles []*roleDetail
	for i := range im.d.UserDetailList {
		if u := &im.d.UserDetailList[i]; keep("user", u.UserName) {
			users = append(users, u)
		}
	}
	for i := range im.d.RoleDetailList {
		if r := &im.d.RoleDetailList[i]; keep("role", r.RoleName) {
			roles = append(roles, r)
		}
	}
	for _, p := range im.opts.Principals {
		if !matched[p] {
			im.rep.add(NotExact, p, "the filter names no principal of the input")
		}
	}
	return users, roles
}

// nameManagedPolicies gives every managed policy the carried principals
// (and their groups) use a store name, and reports the renamed ones.
func (im *importer) nameManagedPolicies(users []*userDetail, roles []*roleDetail) {
	var arns []string
	addAttached := func(ap []attachedPolicy, b *attachedBoundary) {
		for _, a := range ap {
			arns = append(arns, a.PolicyArn)
		}
		if b != nil && b.PermissionsBoundaryArn != "" {
			arns = append(arns, b.PermissionsBoundaryArn)
		}
	}
	groups := map[string]bool{}
	for _, u := range users {
		addAttached(u.AttachedManagedPolicies, u.PermissionsBoundary)
		for _, g := range u.GroupList {
			groups[g] = true
		}
	}
	for _, r := range roles {
		addAttached(r.AttachedManagedPolicies, r.PermissionsBoundary)
	}
	for _, g := range im.d.GroupDetailList {
		if groups[g.GroupName] || len(im.opts.Principals) == 0 {
			addAttached(g.AttachedManagedPolicies, nil)
		}
	}
	im.names = policyNames(arns, im.opts.Account)
	for _, a := range sortedKeys(im.names) {
		parts := strings.SplitN(a, "/", 2)
		if len(parts) != 2 || parts[1] != im.names[a] {
			im.rep.PolicyNames = append(im.rep.PolicyNames, PolicyName{ARN: a, Name: im.names[a]})
		}
	}
}

// managedPolicy returns the store name of the managed policy arn, processed
// as kind (identity or boundary) and added to the store, or why it cannot
// be carried.
func (im *importer) managedPolicy(arn string, kind authz.PolicyType) (string, *processed) {
	cache := im.done
	if kind == authz.Boundary {
		cache = im.bounds
	}
	name := im.names[arn]
	if p, ok := cache[arn]; ok {
		return name, p
	}
	p := &processed{}
	cache[arn] = p
	subject := "policy " + arn
	mp, ok := im.managed[arn]
	switch {
	case !ok && strings.Contains(arn, ":iam::aws:policy/"):
		*p = processed{hasDeny: true, err: errors.New("AWS managed policy not in the input: run get-account-authorization-details with --filter including AWSManagedPolicy (or no --filter)")}
	case !ok:
		*p = processed{hasDeny: true, err: errors.New("managed policy not in the input: run get-account-authorization-details with --filter including LocalManagedPolicy (or no --filter)")}
	default:
		doc, ok := mp.defaultVersion()
		if !ok {
			*p = processed{hasDeny: true, err: errors.New("no default version (IsDefaultVersion) with a document in PolicyVersionList")}
		} else {
			*p = im.identityDoc(subject, doc, kind)
		}
	}
	if p.err != nil {
		im.rep.add(NotExact, subject, "not carried: %v", p.err)
		return name, p
	}
	// As identity policy and as boundary the document is rewritten the
	// same way: the rewriting does not depend on the kind.
	im.out.Policies[name] = p.doc
	return name, p
}

// attach carries a principal's or group's attached managed policies and
// inline policies. unsafe says why the owner cannot be carried: a policy
// that has (or may have) a Deny could not be, and leaving it out would
// widen access.
func (im *importer) attach(owner string, ap []attachedPolicy, inline []policyDetail) (names []string, inl map[string]json.RawMessage, unsafe string) {
	for _, a := range ap {
		name, p := im.managedPolicy(a.PolicyArn, authz.IdentityBased)
		if p.err != nil {
			if p.hasDeny {
				unsafe = "policy " + a.PolicyArn + " (it has or may have a Deny) could not be carried"
			} else {
				im.rep.add(NotExact, owner, "carried without policy %s (Allow statements only: the gateway allows less)", a.PolicyArn)
			}
			continue
		}
		if !slices.Contains(names, name) {
			names = append(names, name)
		}
	}
	for _, pd := range inline {
		subject := owner + " inline policy " + pd.PolicyName
		if len(pd.PolicyDocument) == 0 {
			im.rep.add(NotExact, subject, "not carried: no document")
			unsafe = "inline policy " + pd.PolicyName + " has no document"
			continue
		}
		p := im.identityDoc(subject, pd.PolicyDocument, authz.IdentityBased)
		if p.err != nil {
			im.rep.add(NotExact, subject, "not carried: %v", p.err)
			if p.hasDeny {
				unsafe = "inline policy " + pd.PolicyName + " (it has or may have a Deny) could not be carried"
			} else {
				im.rep.add(NotExact, owner, "carried without inline policy %s (Allow statements only: the gateway allows less)", pd.PolicyName)
			}
			continue
		}
		if inl == nil {
			inl = map[string]json.RawMessage{}
		}
		inl[pd.PolicyName] = p.doc
	}
	return names, inl, unsafe
}

// boundary carries a permissions boundary; ok is false when it cannot be
// (the principal must then be left out: without it, it could do more).
func (im *importer) boundary(b *attachedBoundary) (name string, ok bool) {
	if b == nil || b.PermissionsBoundaryArn == "" {
		return "", true
	}
	name, p := im.managedPolicy(b.PermissionsBoundaryArn, authz.Boundary)
	return name, p.err == nil
}

// addGroups carries the groups the carried users are in (every group
// without a filter).
func (im *importer) addGroups(users []*userDetail) {
	want := map[string]bool{}
	for _, u := range users {
		for _, g := range u.GroupList {
			want[g] = true
		}
	}
	for i := range im.d.GroupDetailList {
		g := &im.d.GroupDetailList[i]
		if !want[g.GroupName] && len(im.opts.Principals) > 0 {
			continue
		}
		subject := "group/" + g.GroupName
		names, inl, unsafe := im.attach(subject, g.AttachedManagedPolicies, g.GroupPolicyList)
		gs := &groupState{out: authn.DocumentGroup{Name: g.GroupName, Policies: names, InlinePolicies: inl}, unsafe: unsafe}
		im.groups[g.GroupName] = gs
		if unsafe != "" {
			im.rep.add(NotExact, subject, "not carried (nor its users): %s", unsafe)
			continue
		}
		im.out.Groups = append(im.out.Groups, gs.out)
		im.rep.Carried.Groups = append(im.rep.Carried.Groups, g.GroupName) // a group's path names nothing the gateway decides on
	}
}

// addUser carries a user without access keys, and lists the keys to
// provision.
func (im *importer) addUser(u *userDetail) {
	subject := "user/" + u.UserName
	for _, g := range u.GroupList {
		gs, ok := im.groups[g]
		if !ok {
			im.rep.add(NotExact, subject, "not carried: group %s is not in the input (its policies are unknown)", g)
			return
		}
		if gs.unsafe != "" {
			im.rep.add(NotExact, subject, "not carried: group %s could not be carried", g)
			return
		}
	}
	names, inl, bname, ok := im.principalPolicies(subject, u.AttachedManagedPolicies, u.UserPolicyList, u.PermissionsBoundary)
	if !ok {
		return
	}
	im.out.Users = append(im.out.Users, authn.DocumentUser{
		Name: u.UserName, Tags: tagMap(u.Tags), Groups: u.GroupList,
		Policies: names, InlinePolicies: inl, PermissionsBoundary: bname,
	})
	im.rep.Carried.Users = append(im.rep.Carried.Users, u.UserName)
	im.rep.Keys = append(im.rep.Keys, KeysToProvision{User: u.UserName, AWSAccessKeys: im.keysByID[u.UserName]})
	im.notePath(subject, u.Path)
	im.carried = append(im.carried, carriedPrincipal{"user", u.UserName, u.Path})
}

// principalPolicies carries a user's or role's managed and inline policies
// and its permissions boundary; ok is false (and the report says why)
// when one of them cannot be carried, and then the principal is not.
func (im *importer) principalPolicies(subject string, ap []attachedPolicy, inline []policyDetail, b *attachedBoundary) (names []string, inl map[string]json.RawMessage, bname string, ok bool) {
	names, inl, unsafe := im.attach(subject, ap, inline)
	if unsafe != "" {
		im.rep.add(NotExact, subject, "not carried: %s", unsafe)
		return nil, nil, "", false
	}
	if bname, ok = im.boundary(b); !ok {
		im.rep.add(NotExact, subject, "not carried: its permissions boundary could not be carried")
		return nil, nil, "", false
	}
	return names, inl, bname, true
}

// addRole carries a role with its trust policy and maximum session
// duration.
func (im *importer) addRole(r *roleDetail) {
	subject := "role/" + r.RoleName
	if len(r.AssumeRolePolicyDocument) == 0 {
		im.rep.add(NotExact, subject, "not carried: no AssumeRolePolicyDocument")
		return
	}
	trust := im.trustDoc(subject+" trust policy", r.AssumeRolePolicyDocument)
	if trust.err != nil {
		im.rep.add(NotExact, subject, "not carried: trust policy: %v", trust.err)
		return
	}
	names, inl, bname, ok := im.principalPolicies(subject, r.AttachedManagedPolicies, r.RolePolicyList, r.PermissionsBoundary)
	if !ok {
		return
	}
	maxSess := r.MaxSessionDuration
	if s, ok := im.maxSess[r.RoleName]; ok {
		maxSess = s
	}
	if maxSess == 0 {
		im.rep.add(Transformed, subject, "MaxSessionDuration unknown (GetAccountAuthorizationDetails does not return it; give list-roles output with --roles): the store's default, 1h, applies")
	}
	role := authn.DocumentRole{
		Name: r.RoleName, TrustPolicy: trust.doc, Policies: names, InlinePolicies: inl,
		Tags: tagMap(r.Tags), PermissionsBoundary: bname,
	}
	if maxSess > 0 {
		role.MaxSessionDuration = json.RawMessage(strconv.Itoa(maxSess)) // seconds, as IAM gives them
	}
	im.out.Roles = append(im.out.Roles, role)
	im.rep.Carried.Roles = append(im.rep.Carried.Roles, r.RoleName)
	im.notePath(subject, r.Path)
	im.carried = append(im.carried, carriedPrincipal{"role", r.RoleName, r.Path})
}

func tagMap(tags []tag) map[string]string {
	if len(tags) == 0 {
		return nil
	}
	m := make(map[string]string, len(tags))
	for _, t := range tags {
		m[t.Key] = t.Value
	}
	return m
}

// notePath reports a path the store's ARNs lack (they are
// arn:aws:iam::ACCOUNT:user/NAME).
func (im *importer) notePath(subject, p string) {
	if p != "" && p != "/" {
		im.rep.add(Transformed, subject, "path %s dropped: the gateway's ARN is %s (no path)", p, "arn:"+im.opts.Partition+":iam::"+im.opts.Account+":"+subject)
	}
}

// checkPaths reports a carried principal with a path whose path ARN a
// carried document names: that reference no longer matches it.
func (im *importer) checkPaths() {
	var docs []string
	for _, p := range im.out.Policies {
		docs = append(docs, string(p))
	}
	for _, g := range im.out.Guardrails {
		docs = append(docs, string(g))
	}
	for _, r := range im.out.Roles {
		docs = append(docs, string(r.TrustPolicy))
		for _, p := range r.InlinePolicies {
			docs = append(docs, string(p))
		}
	}
	for _, u := range im.out.Users {
		for _, p := range u.InlinePolicies {
			docs = append(docs, string(p))
		}
	}
	for _, g := range im.out.Groups {
		for _, p := range g.InlinePolicies {
			docs = append(docs, string(p))
		}
	}
	for _, c := range im.carried {
		if c.path == "" || c.path == "/" {
			continue
		}
		needle := c.kind + c.path // user/eng/ of arn:…:user/eng/alice
		for _, d := range docs {
			if strings.Contains(d, needle) {
				im.rep.add(NotExact, c.kind+"/"+c.name, "a carried policy names ARNs under %s, which the gateway's path-less ARN %s/%s does not match", needle, c.kind, c.name)
				break
			}
		}
	}
}

// finish writes the store, checks that it loads and completes the report.
func (im *importer) finish() (*Result, error) {
	// Keep only the managed policies something carried uses: a principal
	// left out may have brought some.
	used := map[string]bool{}
	for _, u := range im.out.Users {
		used[u.PermissionsBoundary] = true
		for _, n := range u.Policies {
			used[n] = true
		}
	}
	for _, g := range im.out.Groups {
		for _, n := range g.Policies {
			used[n] = true
		}
	}
	for _, r := range im.out.Roles {
		used[r.PermissionsBoundary] = true
		for _, n := range r.Policies {
			used[n] = true
		}
	}
	for n := range im.out.Policies {
		if !used[n] {
			delete(im.out.Policies, n)
		}
	}
	if len(im.out.Policies) == 0 {
		im.out.Policies = nil
	}
	slices.Sort(im.rep.Carried.Users)
	slices.Sort(im.rep.Carried.Groups)
	slices.Sort(im.rep.Carried.Roles)
	im.rep.Carried.Policies = sortedKeys(im.out.Policies)
	im.rep.Carried.Guardrails = sortedKeys(im.out.Guardrails)
	data, err := json.MarshalIndent(im.out, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encoding the store: %w", err)
	}
	data = append(data, '\n')
	st, err := authn.ParseStore("imported store", data, authn.StoreOptions{
		Account: im.opts.Account, Partition: im.opts.Partition, KnownAction: apimap.IsKnownAction,
		LookupEnv: func(string) (string, bool) { return "", false },
	})
	if err != nil {
		return nil, fmt.Errorf("the imported store does not load (the input has something the store refuses): %w", err)
	}
	im.rep.StoreWarnings = st.Warnings()
	im.rep.Exact = im.rep.NotExactCount() == 0
	if im.rep.Findings == nil {
		im.rep.Findings = []Finding{}
	}
	if im.rep.Keys == nil {
		im.rep.Keys = []KeysToProvision{}
	}
	return &Result{Store: data, Report: im.rep}, nil
}
