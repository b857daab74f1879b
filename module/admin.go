package module

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"sync"
	"time"

	"github.com/caddyserver/caddy/v2"
)

func init() {
	caddy.RegisterModule(adminAPI{})
}

// storeStatuses are the stores of the handlers provisioned in this process
// (every config's), for the admin API. A handler adds its own at Provision
// and removes it at Cleanup.
var storeStatuses = struct {
	sync.Mutex
	m map[*storeStatus]struct{}
}{m: map[*storeStatus]struct{}{}}

func registerStoreStatus(s *storeStatus) {
	storeStatuses.Lock()
	defer storeStatuses.Unlock()
	storeStatuses.m[s] = struct{}{}
}

func unregisterStoreStatus(s *storeStatus) {
	storeStatuses.Lock()
	defer storeStatuses.Unlock()
	delete(storeStatuses.m, s)
}

// adminAPI is the Caddy admin module admin.api.pinpoint_gateway. Caddy
// loads every admin.api module, so the route is served wherever Caddy's
// admin endpoint is (localhost:2019 by default):
//
//	GET /pinpoint-gateway/stores
//
// answers, for each store of each handler, the version in use, when it
// was loaded, and the last load's result and error.
type adminAPI struct{}

// CaddyModule returns the Caddy module information.
func (adminAPI) CaddyModule() caddy.ModuleInfo {
	return caddy.ModuleInfo{
		ID:  "admin.api.pinpoint_gateway",
		New: func() caddy.Module { return new(adminAPI) },
	}
}

// Routes returns the admin routes.
func (adminAPI) Routes() []caddy.AdminRoute {
	return []caddy.AdminRoute{{Pattern: "/pinpoint-gateway/stores", Handler: caddy.AdminHandlerFunc(serveStores)}}
}

// storeStatusJSON is one store in the answer of /pinpoint-gateway/stores.
type storeStatusJSON struct {
	// Path is the store file.
	Path string `json:"path"`
	// Version is the version in use: the first 12 hex digits of the
	// SHA-256 of its bytes.
	Version string `json:"version"`
	// LoadedAt is when the version in use was loaded.
	LoadedAt time.Time `json:"loaded_at"`
	// LastLoad is the result of the last load: ok or error.
	LastLoad string `json:"last_load"`
	// LastLoadAt is when it was tried.
	LastLoadAt time.Time `json:"last_load_at"`
	// LastError is why the last load failed ("" when it succeeded).
	LastError string `json:"last_error,omitempty"`
}

func serveStores(w http.ResponseWriter, r *http.Request) error {
	if r.Method != http.MethodGet {
		return caddy.APIError{HTTPStatus: http.StatusMethodNotAllowed, Err: fmt.Errorf("method %s not allowed", r.Method)}
	}
	out := storeStatusList()
	w.Header().Set("Content-Type", "application/json")
	return json.NewEncoder(w).Encode(out)
}

// storeStatusList returns the stores' status, sorted by path then version.
func storeStatusList() []storeStatusJSON {
	storeStatuses.Lock()
	out := make([]storeStatusJSON, 0, len(storeStatuses.m))
	for s := range storeStatuses.m {
		s.mu.Lock()
		e := storeStatusJSON{Path: s.path, Version: s.version, LoadedAt: s.loadedAt, LastLoad: "ok", LastLoadAt: s.lastAttempt, LastError: s.lastErr}
		s.mu.Unlock()
		if e.LastError != "" {
			e.LastLoad = "error"
		}
		out = append(out, e)
	}
	storeStatuses.Unlock()
	sort.Slice(out, func(i, j int) bool {
		if out[i].Path != out[j].Path {
			return out[i].Path < out[j].Path
		}
		return out[i].Version < out[j].Version
	})
	return out
}

// Interface guards
var _ caddy.AdminRouter = adminAPI{}
