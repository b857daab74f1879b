package upstreampolicy_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/pinpointgw/gateway/module"
	"github.com/pinpointgw/gateway/upstreampolicy"
)

// TestConfigNamesMatchModule: the names FromConfig reads are the module's, so that a
// renamed field or default cannot silently change the policy.
func TestConfigNamesMatchModule(t *testing.T) {
	t.Parallel()
	names := upstreampolicy.ConfigNames()
	if id := string(module.Gateway{}.CaddyModule().ID); id != "http.handlers."+names.Handler {
		t.Errorf("module ID %q, FromConfig looks for handler %q", id, names.Handler)
	}
	if module.DefaultRegion != names.DefaultRegion || module.ResourceTagsLookup != names.ResourceTagsLookup || module.OriginationLookupOff != names.OriginationLookupOff {
		t.Errorf("defaults differ: module %q %q %q, FromConfig %q %q %q", module.DefaultRegion, module.ResourceTagsLookup, module.OriginationLookupOff,
			names.DefaultRegion, names.ResourceTagsLookup, names.OriginationLookupOff)
	}
	tags := jsonTags(reflect.TypeOf(module.Gateway{}))
	for _, f := range names.Fields {
		name, sub, _ := strings.Cut(f, ".")
		ft, ok := tags[name]
		if !ok {
			t.Errorf("module.Gateway has no JSON field %q", name)
			continue
		}
		if sub != "" {
			for ft.Kind() == reflect.Pointer || ft.Kind() == reflect.Slice {
				ft = ft.Elem()
			}
			if _, ok := jsonTags(ft)[sub]; !ok {
				t.Errorf("module.Gateway field %q has no JSON field %q", name, sub)
			}
		}
	}
}

func jsonTags(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name != "" {
			out[name] = f.Type
		}
	}
	return out
}
