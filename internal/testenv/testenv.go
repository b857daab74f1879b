// Package testenv locates what the project's tests read from outside the
// repository: the reference data in ../shared/data beside the repository
// root. It is for tests only and uses nothing but the standard library, so
// importing it keeps a package's dependencies within the standard library.
package testenv

import (
	"os"
	"path/filepath"
	"testing"
)

// RepoRoot returns the repository root: the nearest directory at or above
// the working directory that holds go.mod.
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", os.ErrNotExist
		}
		dir = parent
	}
}

// SharedData returns the path of ../shared/data/rel (rel may be empty)
// beside the repository root. When it is absent the test is skipped, except
// under CI (CI=true), where the data is always laid out and its absence is
// a failure rather than a silent pass.
func SharedData(t testing.TB, rel ...string) string {
	t.Helper()
	root, err := RepoRoot()
	if err != nil {
		missing(t, "repository root (go.mod) not found above the working directory")
	}
	p := filepath.Join(append([]string{root, "..", "shared", "data"}, rel...)...)
	if _, err := os.Stat(p); err != nil {
		missing(t, "reference data absent: "+err.Error())
	}
	return p
}

func missing(t testing.TB, why string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatal(why)
	}
	t.Skip(why + " (it is present in CI)")
}
