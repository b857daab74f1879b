package upstreampolicy

// Names are the names of the gateway's JSON configuration that FromConfig depends on.
type Names struct {
	Handler, DefaultRegion, ResourceTagsLookup, OriginationLookupOff string
	// Fields are the JSON fields read ("resource_tags.source": a field of a field).
	Fields []string
}

// ConfigNames returns the names FromConfig depends on, for TestConfigNamesMatchModule
// (package module imports this one, so only a test can hold them side by side).
func ConfigNames() Names {
	return Names{
		Handler: handlerName, DefaultRegion: defaultRegion, ResourceTagsLookup: resourceTagLookup, OriginationLookupOff: originationOff,
		Fields: []string{"account", "region", "store", "regions", "resource_tags.source", "origination_lookup"},
	}
}
