package upstreampolicy

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/pinpointgw/gateway/apimap"
)

// TestOwnCallsListEveryCallSite reads the module's code: every awscall.Call the gateway
// builds (a call with its own credentials) must name an API and operation of OwnCalls,
// and every entry of OwnCalls must still be built somewhere. An Operation given by a
// parameter of the enclosing function (lookup's describeAll) is read from that function's
// call sites. A call site the test cannot read fails it.
func TestOwnCallsListEveryCallSite(t *testing.T) {
	t.Parallel()
	apis := map[string]string{"APIPinpoint": apimap.APIPinpoint, "APISMSVoice": apimap.APISMSVoice, "APISMSVoiceV2": apimap.APISMSVoiceV2}
	found := map[string]bool{}
	fset := token.NewFileSet()
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if n := d.Name(); n == "testdata" || n == "vendor" || (strings.HasPrefix(n, ".") && n != "..") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		inAwscall := f.Name.Name == "awscall"
		for _, decl := range f.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || fn.Body == nil {
				continue
			}
			ast.Inspect(fn.Body, func(n ast.Node) bool {
				lit, ok := n.(*ast.CompositeLit)
				if !ok || !isCallType(lit.Type, inAwscall) {
					return true
				}
				where := fset.Position(lit.Pos()).String()
				api, ops := "", []string(nil)
				for _, el := range lit.Elts {
					kv, ok := el.(*ast.KeyValueExpr)
					if !ok {
						t.Errorf("%s: awscall.Call without field names", where)
						continue
					}
					switch key := kv.Key.(*ast.Ident).Name; key {
					case "API":
						if sel, ok := kv.Value.(*ast.SelectorExpr); ok {
							api = apis[sel.Sel.Name]
						}
					case "Operation":
						ops = operationValues(t, where, kv.Value, fn, path, fset)
					}
				}
				if api == "" || len(ops) == 0 {
					t.Errorf("%s: cannot read the API and Operation of an awscall.Call", where)
				}
				for _, op := range ops {
					found[api+" "+op] = true
				}
				return true
			})
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(found) == 0 {
		t.Fatal("found no awscall.Call in the code")
	}
	listed := map[string]bool{}
	for _, c := range OwnCalls {
		listed[c.API+" "+c.Operation] = true
		if !found[c.API+" "+c.Operation] {
			t.Errorf("OwnCalls lists %s %s, which no code calls", c.API, c.Operation)
		}
	}
	for k := range found {
		if !listed[k] {
			t.Errorf("the gateway calls %s with its own credentials, but OwnCalls does not list it: add it (with its action and resource)", k)
		}
	}
}

// isCallType reports whether a composite literal's type is awscall.Call (Call within
// package awscall).
func isCallType(e ast.Expr, inAwscall bool) bool {
	switch t := e.(type) {
	case *ast.SelectorExpr:
		x, ok := t.X.(*ast.Ident)
		return ok && x.Name == "awscall" && t.Sel.Name == "Call"
	case *ast.Ident:
		return inAwscall && t.Name == "Call"
	}
	return false
}

// operationValues returns the values an Operation expression can have: a string literal,
// or a parameter of fn, whose string-literal arguments at fn's call sites in fn's package
// are read.
func operationValues(t *testing.T, where string, e ast.Expr, fn *ast.FuncDecl, path string, fset *token.FileSet) []string {
	if lit, ok := e.(*ast.BasicLit); ok && lit.Kind == token.STRING {
		s, err := strconv.Unquote(lit.Value)
		if err == nil {
			return []string{s}
		}
	}
	id, ok := e.(*ast.Ident)
	if !ok {
		t.Errorf("%s: Operation is neither a string literal nor a parameter", where)
		return nil
	}
	idx, i := -1, 0
	for _, field := range fn.Type.Params.List {
		for _, name := range field.Names {
			if name.Name == id.Name {
				idx = i
			}
			i++
		}
	}
	if idx < 0 {
		t.Errorf("%s: Operation %s is not a parameter of %s", where, id.Name, fn.Name.Name)
		return nil
	}
	var out []string
	dir := filepath.Dir(path)
	files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
	for _, file := range files {
		if strings.HasSuffix(file, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, file, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			name := ""
			switch c := call.Fun.(type) {
			case *ast.SelectorExpr:
				name = c.Sel.Name
			case *ast.Ident:
				name = c.Name
			}
			if name != fn.Name.Name {
				return true
			}
			if idx >= len(call.Args) {
				t.Errorf("%s: a call of %s has too few arguments", fset.Position(call.Pos()), name)
				return true
			}
			lit, ok := call.Args[idx].(*ast.BasicLit)
			s, err := strconv.Unquote(valueOf(lit))
			if !ok || err != nil {
				t.Errorf("%s: the operation given to %s is not a string literal", fset.Position(call.Pos()), name)
				return true
			}
			if !slices.Contains(out, s) {
				out = append(out, s)
			}
			return true
		})
	}
	if len(out) == 0 {
		t.Errorf("%s: no call of %s names an operation", where, fn.Name.Name)
	}
	return out
}

func valueOf(lit *ast.BasicLit) string {
	if lit == nil || lit.Kind != token.STRING {
		return ""
	}
	return lit.Value
}

// TestOwnCallsMapToTheirAction: each own call, built as package lookup builds it, maps
// (as AWS reads it) to the action OwnCalls lists, on a resource its pattern covers.
func TestOwnCallsMapToTheirAction(t *testing.T) {
	t.Parallel()
	const region = "eu-west-1"
	samples := map[string]*apimap.Request{
		"pinpoint ListTagsForResource": {Method: "GET", RawPath: "/v1/tags/arn%3Aaws%3Amobiletargeting%3Aeu-west-1%3A123456789012%3Aapps%2Fabc"},
		"sms-voice-v2 ListTagsForResource": {Method: "POST", RawPath: "/", Header: map[string][]string{"X-Amz-Target": {"PinpointSMSVoiceV2.ListTagsForResource"}},
			Body: []byte(`{"ResourceArn":"arn:aws:sms-voice:eu-west-1:123456789012:pool/pool-0123456789abcdef0"}`)},
		"sms-voice-v2 DescribePhoneNumbers": {Method: "POST", RawPath: "/", Header: map[string][]string{"X-Amz-Target": {"PinpointSMSVoiceV2.DescribePhoneNumbers"}},
			Body: []byte(`{"MaxResults":100}`)},
		"sms-voice-v2 DescribeSenderIds": {Method: "POST", RawPath: "/", Header: map[string][]string{"X-Amz-Target": {"PinpointSMSVoiceV2.DescribeSenderIds"}},
			Body: []byte(`{"MaxResults":100,"Filters":[{"Name":"sender-id","Values":["ACME"]}]}`)},
		"sms-voice-v2 DescribeVerifiedDestinationNumbers": {Method: "POST", RawPath: "/", Header: map[string][]string{"X-Amz-Target": {"PinpointSMSVoiceV2.DescribeVerifiedDestinationNumbers"}},
			Body: []byte(`{"MaxResults":100,"VerifiedDestinationNumberIds":["verifieddestinationnumber-0123456789abcdef0"]}`)},
	}
	for _, c := range OwnCalls {
		t.Run(c.API+" "+c.Operation, func(t *testing.T) {
			t.Parallel()
			req := samples[c.API+" "+c.Operation]
			if req == nil {
				t.Fatalf("no sample request for %s %s: add one", c.API, c.Operation)
			}
			req.Region, req.Account = region, testAccount
			res, err := apimap.Map(req)
			if err != nil {
				t.Fatalf("Map: %v", err)
			}
			if res.Operation != c.Operation || len(res.Permissions) != 1 || res.Permissions[0].Action != c.Action {
				t.Fatalf("maps to %s %+v, want %s alone", res.Operation, res.Permissions, c.Action)
			}
			p := expand(c.Resource, "aws", region, testAccount)
			for _, r := range res.Permissions[0].Resources {
				if !globMatch(p, r) {
					t.Errorf("resource %s is outside %s", r, p)
				}
			}
		})
	}
}

// globMatch matches s against a pattern of '*' (any run) and literal text.
func globMatch(pattern, s string) bool {
	if pattern == "*" {
		return true
	}
	parts := strings.Split(pattern, "*")
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]
	for i, p := range parts[1:] {
		if i == len(parts)-2 {
			return strings.HasSuffix(s, p)
		}
		j := strings.Index(s, p)
		if j < 0 {
			return false
		}
		s = s[j+len(p):]
	}
	return s == ""
}
