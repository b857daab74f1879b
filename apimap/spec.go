package apimap

//go:generate go run ./internal/gen -data ../../shared/data -o zz_generated.go -constraints zz_constraints.go

// The types below are filled by zz_generated.go and compiled once at init.

type partitionSpec struct {
	id          string
	regionRegex string
	regions     []string
}

type resourceTypeSpec struct {
	service string // IAM prefix
	name    string // resource type name of the Service Authorization Reference
	arn     string // ARN template with ${Partition}, ${Region}, ${Account} and ${Var}
}

// srcKind says where a resource's ARN variables come from.
type srcKind int

const (
	srcPath        srcKind = iota + 1 // URI labels and literal path segments
	srcMembers                        // top-level body members (each an ID, or the first one a full ARN)
	srcList                           // a top-level list of IDs/ARNs, or of structures holding the variables
	srcARN                            // a full ARN in a URI label or a body member
	srcOrigination                    // an origination identity: typed by its form
)

type varSpec struct {
	name    string // ARN template variable
	label   string // URI label (srcPath)
	literal string // fixed value (srcPath)
	member  string // body member (srcMembers, srcList, deps)
	upper   bool   // upper-case the value (template types)
}

type resSpec struct {
	src      srcKind
	types    []string // resource type names the source can yield
	required bool
	arn      string // ARN template (srcPath, srcMembers, srcList)
	member   string // body member or URI label holding the value(s)
	elemObj  bool   // srcList: elements are structures
	vars     []varSpec

	tmpl *arnTemplate // compiled arn
}

type depKind int

const (
	depTags    depKind = iota + 1 // when the request passes tags: the created resource's ARN or "*"
	depMember                     // when member is set: the ARN built from it
	depChannel                    // when member equals value: the resources of the operation itself
)

type depSpec struct {
	kind   depKind
	action string
	member string
	value  string
	typ    string
	arn    string
	vars   []varSpec

	tmpl *arnTemplate
}

// memberSpec gives a top-level body member and its JSON kind: 's' string,
// 'n' number, 'b' boolean, 'l' array, 'o' object.
type memberSpec struct {
	name string
	kind byte
}

type opSpec struct {
	api           string
	name          string
	action        string
	access        string // the action's access level in the IAM reference ("Read", "List", "Write", "Tagging, Write", ...)
	method        string
	uri           string
	target        string
	needBody      bool
	tagsMember    string
	tagsList      bool
	tagKeysMember string
	tagKeysQuery  string
	members       []memberSpec
	resources     []resSpec
	deps          []depSpec
	refs          []refSpec  // members that name resources AWS uses on the caller's behalf (roles included)
	dests         []destSpec // members that name who a message goes to

	labels    []string  // URI label names in path order (REST)
	lifecycle Lifecycle // set at init from lifecycle.go's table
	unmodeled bool      // built from unmodeledV2Table: mapped by RuleIAMReference
}
