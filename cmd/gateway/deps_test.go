package main

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
)

// TestPackageBoundaries enforces the dependency direction of docs/ARCHITECTURE.md:
// cmd -> module -> (commands, bufferedlog, lookup -> awscall -> forward, audit, metrics,
// authn -> reqcontext, apimap) -> authz -> (arn, awserr).
// The leaf packages (arn) import only the standard library; authz and apimap import
// the standard library and the leaf packages; authn imports no Caddy. No package
// imports one above it: nothing but cmd imports module, nothing imports cmd, and
// among module's helpers forward (the client's request) is below awscall (the
// gateway's own calls), which is below lookup; metrics needs none of them.
func TestPackageBoundaries(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list; skipped with -short")
	}
	const self = "github.com/pinpointgw/gateway/"
	tests := map[string]struct {
		pkg     string
		allowed func(dep string) bool
	}{
		"arn uses only the standard library": {
			pkg:     self + "arn",
			allowed: func(dep string) bool { return isStd(dep) },
		},
		"awserr uses only the standard library": {
			pkg:     self + "awserr",
			allowed: func(dep string) bool { return isStd(dep) },
		},
		"authz uses only the standard library and the leaf packages": {
			pkg:     self + "authz",
			allowed: func(dep string) bool { return isStd(dep) || isLeaf(dep) },
		},
		"apimap uses only the standard library and the leaf packages": {
			pkg:     self + "apimap",
			allowed: func(dep string) bool { return isStd(dep) || isLeaf(dep) },
		},
		"authn imports no caddy and no module": {
			pkg: self + "authn",
			allowed: func(dep string) bool {
				return !strings.Contains(dep, "caddyserver") && !strings.HasPrefix(dep, self+"module") &&
					!strings.HasPrefix(dep, self+"apimap") && none("forward", "awscall", "lookup", "metrics")(dep)
			},
		},
		"forward imports no module and none of the other helpers of module": {
			pkg:     self + "forward",
			allowed: none("cmd", "module", "awscall", "lookup", "metrics", "authn"),
		},
		"awscall imports no module, lookup or metrics": {
			pkg:     self + "awscall",
			allowed: none("cmd", "module", "lookup", "metrics"),
		},
		"lookup imports no module": {
			pkg:     self + "lookup",
			allowed: none("cmd", "module"),
		},
		"audit imports no caddy, no module and none of the other helpers of module": {
			pkg: self + "audit",
			allowed: func(dep string) bool {
				return !strings.Contains(dep, "caddyserver") && none("cmd", "module", "forward", "awscall", "lookup", "metrics", "authn", "commands")(dep)
			},
		},
		"reqcontext uses only the standard library, authz and the leaf packages": {
			pkg: self + "reqcontext",
			allowed: func(dep string) bool {
				return isStd(dep) || isLeaf(dep) || dep == self+"authz" || strings.HasPrefix(dep, self+"authz/internal/")
			},
		},
		"destination imports no caddy and, of the gateway, only apimap, authz and the leaves": {
			pkg: self + "destination",
			allowed: func(dep string) bool {
				if !strings.HasPrefix(dep, self) {
					return !strings.Contains(dep, "caddyserver")
				}
				return isLeaf(dep) || dep == self+"apimap" || dep == self+"authz" || strings.HasPrefix(dep, self+"authz/internal/")
			},
		},
		"commands imports no module and none of its helpers": {
			pkg:     self + "commands",
			allowed: none("cmd", "module", "forward", "awscall", "lookup", "metrics", "audit", "bufferedlog"),
		},
		"upstreampolicy imports no caddy, no module and none of module's helpers": {
			pkg: self + "upstreampolicy",
			allowed: func(dep string) bool {
				return !strings.Contains(dep, "caddyserver") && none("cmd", "module", "commands", "forward", "awscall", "lookup", "metrics", "audit", "bufferedlog")(dep)
			},
		},
		"bufferedlog imports none of the gateway's packages": {
			pkg:     self + "bufferedlog",
			allowed: func(dep string) bool { return !strings.HasPrefix(dep, self) },
		},
		"cloudtrail imports of the gateway only apimap and its leaves": {
			pkg: self + "cloudtrail",
			allowed: func(dep string) bool {
				return !strings.HasPrefix(dep, self) || dep == self+"apimap" || dep == self+"arn"
			},
		},
		"metrics imports no caddy, no module and none of the other helpers of module": {
			pkg: self + "metrics",
			allowed: func(dep string) bool {
				return !strings.Contains(dep, "caddyserver") && none("cmd", "module", "forward", "awscall", "lookup", "authn")(dep)
			},
		},
		"quota imports no caddy, no redis and, of the gateway, only destination, apimap, authz and the leaves": {
			pkg:     self + "quota",
			allowed: quotaAllowed,
		},
		"sharedstate uses go-redis, quota and metrics, no caddy and no other package of the gateway": {
			pkg: self + "sharedstate",
			allowed: func(dep string) bool {
				if strings.HasPrefix(dep, self) {
					return dep == self+"quota" || dep == self+"metrics" || quotaAllowed(dep)
				}
				return !strings.Contains(dep, "caddyserver")
			},
		},
		"replay imports no caddy, no module and none of the other helpers of module": {
			pkg: self + "replay",
			allowed: func(dep string) bool {
				return !strings.Contains(dep, "caddyserver") && none("cmd", "module", "forward", "awscall", "lookup", "metrics", "audit", "commands")(dep)
			},
		},
		"policygen imports no caddy, no module and none of the other helpers of module": {
			pkg: self + "policygen",
			allowed: func(dep string) bool {
				return !strings.Contains(dep, "caddyserver") && none("cmd", "module", "forward", "awscall", "lookup", "metrics", "audit", "commands")(dep)
			},
		},
		"decide uses only the standard library, authz, reqcontext and the leaf packages": {
			pkg: self + "decide",
			allowed: func(dep string) bool {
				return isStd(dep) || isLeaf(dep) || dep == self+"authz" || dep == self+"reqcontext" || strings.HasPrefix(dep, self+"authz/internal/")
			},
		},
		"iamimport imports no caddy and, of the gateway, only what decides (authz, apimap, authn and the leaves)": {
			pkg: self + "iamimport",
			allowed: func(dep string) bool {
				return !strings.Contains(dep, "caddyserver") && none("cmd", "module", "commands", "forward", "awscall",
					"lookup", "metrics", "audit", "bufferedlog", "quota", "sharedstate", "destination")(dep)
			},
		},
		"module imports no cmd": {
			pkg:     self + "module",
			allowed: none("cmd"),
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			out, err := exec.Command("go", "list", "-deps", "-json=ImportPath,Standard", tc.pkg).Output()
			if err != nil {
				t.Fatalf("go list -deps %s: %v", tc.pkg, err)
			}
			dec := json.NewDecoder(strings.NewReader(string(out)))
			n := 0
			for dec.More() {
				var p struct {
					ImportPath string
					Standard   bool
				}
				if err := dec.Decode(&p); err != nil {
					t.Fatalf("decoding go list output: %v", err)
				}
				n++
				if p.ImportPath == tc.pkg || p.Standard || strings.HasPrefix(p.ImportPath, tc.pkg+"/internal") {
					continue
				}
				if !tc.allowed(p.ImportPath) {
					t.Errorf("%s depends on %s, which the package boundaries forbid", tc.pkg, p.ImportPath)
				}
			}
			if n < 2 {
				t.Fatalf("go list -deps %s listed %d packages; want the package and its deps", tc.pkg, n)
			}
		})
	}
}

// none allows every dependency but the project's packages named (and the
// packages below them, such as their internal packages).
func none(names ...string) func(dep string) bool {
	const self = "github.com/pinpointgw/gateway/"
	return func(dep string) bool {
		for _, n := range names {
			if dep == self+n || strings.HasPrefix(dep, self+n+"/") {
				return false
			}
		}
		return true
	}
}

// leafPackages import only the standard library (checked above), so a package
// that may use nothing but the standard library may use them too.
var leafPackages = []string{"github.com/pinpointgw/gateway/arn", "github.com/pinpointgw/gateway/awserr"}

func isLeaf(path string) bool {
	for _, p := range leafPackages {
		if path == p {
			return true
		}
	}
	return false
}

// isStd reports whether an import path belongs to the standard library (go list
// marks those Standard; vendored golang.org/x under std show as "vendor/...").
func isStd(path string) bool {
	first, _, _ := strings.Cut(path, "/")
	return !strings.Contains(first, ".")
}

// quotaAllowed is what quota may depend on: of the gateway, destination,
// apimap, authz and the leaf packages; outside it, what destination uses (its
// phone-number library), but no Caddy and no Redis client.
func quotaAllowed(dep string) bool {
	const self = "github.com/pinpointgw/gateway/"
	if !strings.HasPrefix(dep, self) {
		return !strings.Contains(dep, "caddyserver") && !strings.Contains(dep, "redis")
	}
	return isLeaf(dep) || dep == self+"destination" || dep == self+"apimap" || dep == self+"authz" ||
		strings.HasPrefix(dep, self+"authz/internal/")
}
