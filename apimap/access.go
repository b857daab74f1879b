package apimap

// opsByName indexes operationTable by API and operation name ("api/Name").
var opsByName = func() map[string]*opSpec {
	m := make(map[string]*opSpec, len(operationTable))
	for i := range operationTable {
		m[operationTable[i].api+"/"+operationTable[i].name] = &operationTable[i]
	}
	return m
}()

// AccessLevel returns the access level that the IAM Service Authorization
// Reference gives the action of an operation of api ("List", "Read",
// "Write", "Tagging, Write", "Permissions management, Write"), and false
// when api has no such operation. The SMS and Voice v2 operations newer than
// the models have their action's level too.
func AccessLevel(api, operation string) (string, bool) {
	if op, ok := opsByName[api+"/"+operation]; ok {
		return op.access, true
	}
	if api == APISMSVoiceV2 {
		for i := range unmodeledV2Table {
			if unmodeledV2Table[i].name == operation {
				return unmodeledV2Table[i].access, true
			}
		}
	}
	return "", false
}

// ReadOnly reports whether an access level only reads: "List" and "Read"
// do, every level that includes "Write", "Tagging" or "Permissions
// management" does not. This is what CloudTrail's readOnly says of an
// event (see cloudtrail/).
func ReadOnly(access string) bool {
	return access == "List" || access == "Read"
}
