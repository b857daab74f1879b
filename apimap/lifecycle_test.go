package apimap

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/pinpointgw/gateway/internal/testenv"
)

// TestLifecycleEveryOperation holds the table to the generated operation
// table: every Pinpoint operation has exactly one entry, no entry names
// anything else, and every operation of the three APIs has a lifecycle.
func TestLifecycleEveryOperation(t *testing.T) {
	t.Parallel()
	pinpointOps := map[string]bool{}
	for _, op := range Operations() {
		api, name := op[0], op[1]
		if api == APIPinpoint {
			pinpointOps[name] = true
		}
		if lc := OperationLifecycle(api, name); lc != Supported && lc != Retired {
			t.Errorf("OperationLifecycle(%q, %q) = %v, want supported or retired", api, name, lc)
		}
	}
	if len(pinpointOps) == 0 {
		t.Fatal("Operations() lists no Pinpoint operation")
	}
	seen := map[string]bool{}
	for _, e := range pinpointLifecycle {
		if seen[e.name] {
			t.Errorf("entry %s appears twice", e.name)
		}
		seen[e.name] = true
		if !pinpointOps[e.name] {
			t.Errorf("entry %s names no Pinpoint operation of the generated table", e.name)
		}
	}
	for name := range pinpointOps {
		if !seen[name] {
			t.Errorf("Pinpoint operation %s has no lifecycle entry", name)
		}
	}
	for _, e := range permissionOnlyLifecycle {
		if pinpointOps[e.name] {
			t.Errorf("permission-only entry %s is an operation", e.name)
		}
		if !IsKnownAction("mobiletargeting:" + e.name) {
			t.Errorf("permission-only entry %s is not a mobiletargeting action of the reference", e.name)
		}
	}
}

// TestLifecycleEverySourceAndNote checks that every entry rests on at least
// one cited statement, that every cited statement is used, and that an entry
// AWS does not name says so and what it was decided by analogy with.
func TestLifecycleEverySourceAndNote(t *testing.T) {
	t.Parallel()
	entries := append(append([]lifecycleEntry{}, pinpointLifecycle...), permissionOnlyLifecycle...)
	var used sourceSet
	for _, e := range entries {
		if e.lc != Supported && e.lc != Retired {
			t.Errorf("%s: lifecycle %v", e.name, e.lc)
		}
		if e.sources == 0 || e.sources >= srcEnd {
			t.Errorf("%s: sources %b, want a non-empty set of the cited statements", e.name, e.sources)
		}
		used |= e.sources
		if e.note == "" {
			t.Errorf("%s: no note", e.name)
		}
		if e.silent != strings.HasPrefix(e.note, silentPrefix) {
			t.Errorf("%s: silent %v but note %q", e.name, e.silent, e.note)
		}
		if e.silent && len(e.note) <= len(silentPrefix) {
			t.Errorf("%s: AWS silent, but the note names no analogy", e.name)
		}
	}
	for b := sourceSet(1); b < srcEnd; b <<= 1 {
		src, ok := lifecycleSources[b]
		if !ok {
			t.Errorf("source %b has no statement", b)
			continue
		}
		if !strings.HasPrefix(src.URL, "https://") || strings.TrimSpace(src.Says) == "" {
			t.Errorf("source %b = %+v, want an https URL and a sentence", b, src)
		}
		if used&b == 0 {
			t.Errorf("source %b (%s) is cited by no entry", b, src.URL)
		}
	}
	if len(lifecycleSources) != bitCount(srcEnd-1) {
		t.Errorf("%d statements, want %d", len(lifecycleSources), bitCount(srcEnd-1))
	}
}

func bitCount(s sourceSet) int {
	n := 0
	for ; s != 0; s &= s - 1 {
		n++
	}
	return n
}

// TestLifecycleModelSources checks the sentences quoted from the model
// against the model snapshot in ../shared/data.
func TestLifecycleModelSources(t *testing.T) {
	t.Parallel()
	path := filepath.Join(testenv.SharedData(t), "service-models", "botocore", "pinpoint", "2016-12-01", "service-2.json")
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var model struct {
		Shapes map[string]struct {
			Members map[string]struct {
				Documentation string `json:"documentation"`
			} `json:"members"`
		} `json:"shapes"`
	}
	if err := json.Unmarshal(raw, &model); err != nil {
		t.Fatal(err)
	}
	tags := regexp.MustCompile(`<[^>]*>`)
	doc := func(shape, member string) string {
		m, ok := model.Shapes[shape].Members[member]
		if !ok {
			t.Fatalf("the model has no member %s.%s", shape, member)
		}
		return strings.TrimSpace(tags.ReplaceAllString(m.Documentation, ""))
	}
	tests := map[string]struct {
		src           sourceSet
		shape, member string
	}{
		"in-app template": {srcInAppTemplate, "TemplateConfiguration", "InAppTemplate"},
		"send template":   {srcSendTemplates, "MessageRequest", "TemplateConfiguration"},
		"sms template":    {srcSendTemplates, "TemplateConfiguration", "SMSTemplate"},
		"voice template":  {srcSendTemplates, "TemplateConfiguration", "VoiceTemplate"},
		"push template":   {srcSendTemplates, "TemplateConfiguration", "PushTemplate"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			d := doc(tc.shape, tc.member)
			if says := lifecycleSources[tc.src].Says; !strings.Contains(says, d) {
				t.Errorf("source %b says %q; the model's %s.%s says %q", tc.src, says, tc.shape, tc.member, d)
			}
		})
	}
}

func TestOperationLifecycle(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		api, op string
		want    Lifecycle
	}{
		"segments":                 {APIPinpoint, "GetSegments", Retired},
		"segment":                  {APIPinpoint, "CreateSegment", Retired},
		"endpoint":                 {APIPinpoint, "UpdateEndpoint", Retired},
		"endpoints batch":          {APIPinpoint, "UpdateEndpointsBatch", Retired},
		"user endpoints":           {APIPinpoint, "GetUserEndpoints", Retired},
		"campaign":                 {APIPinpoint, "CreateCampaign", Retired},
		"journey":                  {APIPinpoint, "UpdateJourneyState", Retired},
		"journey metrics":          {APIPinpoint, "GetJourneyRunExecutionActivityMetrics", Retired},
		"kpi":                      {APIPinpoint, "GetApplicationDateRangeKpi", Retired},
		"import job":               {APIPinpoint, "CreateImportJob", Retired},
		"export job":               {APIPinpoint, "GetExportJobs", Retired},
		"events":                   {APIPinpoint, "PutEvents", Retired},
		"in-app messages":          {APIPinpoint, "GetInAppMessages", Retired},
		"in-app template":          {APIPinpoint, "CreateInAppTemplate", Retired},
		"recommender":              {APIPinpoint, "CreateRecommenderConfiguration", Retired},
		"users messages":           {APIPinpoint, "SendUsersMessages", Retired},
		"email channel":            {APIPinpoint, "UpdateEmailChannel", Retired},
		"email template":           {APIPinpoint, "CreateEmailTemplate", Retired},
		"application settings":     {APIPinpoint, "UpdateApplicationSettings", Retired},
		"apps":                     {APIPinpoint, "GetApps", Supported},
		"app":                      {APIPinpoint, "CreateApp", Supported},
		"send messages":            {APIPinpoint, "SendMessages", Supported},
		"send otp":                 {APIPinpoint, "SendOTPMessage", Supported},
		"verify otp":               {APIPinpoint, "VerifyOTPMessage", Supported},
		"phone number validate":    {APIPinpoint, "PhoneNumberValidate", Supported},
		"sms channel":              {APIPinpoint, "UpdateSmsChannel", Supported},
		"voice channel":            {APIPinpoint, "GetVoiceChannel", Supported},
		"apns channel":             {APIPinpoint, "UpdateApnsChannel", Supported},
		"gcm channel":              {APIPinpoint, "DeleteGcmChannel", Supported},
		"channels":                 {APIPinpoint, "GetChannels", Supported},
		"sms template":             {APIPinpoint, "CreateSmsTemplate", Supported},
		"push template":            {APIPinpoint, "UpdatePushTemplate", Supported},
		"templates":                {APIPinpoint, "ListTemplates", Supported},
		"tagging":                  {APIPinpoint, "TagResource", Supported},
		"event stream":             {APIPinpoint, "PutEventStream", Supported},
		"v2 send":                  {APISMSVoiceV2, "SendTextMessage", Supported},
		"v2 pool":                  {APISMSVoiceV2, "CreatePool", Supported},
		"v1 send":                  {APISMSVoice, "SendVoiceMessage", Supported},
		"v1 configuration set":     {APISMSVoice, "CreateConfigurationSet", Supported},
		"unknown operation":        {APIPinpoint, "GetReports", 0},
		"wrong case":               {APIPinpoint, "getsegments", 0},
		"operation of another api": {APISMSVoiceV2, "GetSegments", 0},
		"unknown api":              {"email", "SendEmail", 0},
		"empty":                    {"", "", 0},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if got := OperationLifecycle(tc.api, tc.op); got != tc.want {
				t.Errorf("OperationLifecycle(%q, %q) = %v, want %v", tc.api, tc.op, got, tc.want)
			}
		})
	}
}

// TestLifecycleSMSVoiceSupported checks every operation of both SMS and
// Voice APIs.
func TestLifecycleSMSVoiceSupported(t *testing.T) {
	t.Parallel()
	n := 0
	for _, op := range Operations() {
		if op[0] == APISMSVoice || op[0] == APISMSVoiceV2 {
			n++
			if lc := OperationLifecycle(op[0], op[1]); lc != Supported {
				t.Errorf("OperationLifecycle(%q, %q) = %v, want supported", op[0], op[1], lc)
			}
		}
	}
	if n == 0 {
		t.Fatal("Operations() lists no SMS and Voice operation")
	}
}

func TestRetiredAction(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		action string
		want   bool
	}{
		"segment":                {"mobiletargeting:GetSegment", true},
		"segment, lower case":    {"mobiletargeting:getsegment", true},
		"segment, upper case":    {"MOBILETARGETING:GETSEGMENT", true},
		"campaign":               {"mobiletargeting:CreateCampaign", true},
		"events":                 {"mobiletargeting:PutEvents", true},
		"users messages":         {"mobiletargeting:SendUsersMessages", true},
		"permission-only report": {"mobiletargeting:GetReports", true},
		"app":                    {"mobiletargeting:GetApp", false},
		"send messages":          {"mobiletargeting:SendMessages", false},
		"otp":                    {"mobiletargeting:SendOTPMessage", false},
		"sms channel":            {"mobiletargeting:UpdateSmsChannel", false},
		"tag":                    {"mobiletargeting:TagResource", false},
		"sms-voice":              {"sms-voice:SendTextMessage", false},
		"sms-voice wildcard":     {"sms-voice:*", false},
		"prefix wildcard":        {"mobiletargeting:*", false},
		"pattern":                {"mobiletargeting:GetSegment*", false},
		"other service":          {"iam:PassRole", false},
		"no prefix":              {"GetSegment", false},
		"other prefix":           {"sms-voice:GetSegment", false},
		"empty":                  {"", false},
		"too long":               {"mobiletargeting:GetSegment" + strings.Repeat("x", maxActionLen), false},
		"kelvin sign for k":      {"mobiletargeting:GetJourneyDateRange\u212api", false},
		"unknown":                {"mobiletargeting:GetNothing", false},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if got := RetiredAction(tc.action); got != tc.want {
				t.Errorf("RetiredAction(%q) = %v, want %v", tc.action, got, tc.want)
			}
		})
	}
}

// TestRetiredActionEvery checks RetiredAction against the operation table:
// an action is retired exactly when every Pinpoint operation with that
// action is, and RetiredActions lists exactly those (plus the permission-only
// ones), each no longer than maxActionLen.
func TestRetiredActionEvery(t *testing.T) {
	t.Parallel()
	want := map[string]bool{}
	for i := range operationTable {
		op := &operationTable[i]
		r := OperationLifecycle(op.api, op.name) == Retired
		if prev, seen := want[op.action]; seen {
			r = r && prev
		}
		want[op.action] = r
	}
	for _, e := range permissionOnlyLifecycle {
		want["mobiletargeting:"+e.name] = e.lc == Retired
	}
	listed := map[string]bool{}
	for _, a := range RetiredActions() {
		listed[a] = true
	}
	for a, r := range want {
		if len(a) > maxActionLen {
			t.Errorf("action %s is longer than maxActionLen", a)
		}
		for _, form := range []string{a, strings.ToUpper(a), strings.ToLower(a)} {
			if got := RetiredAction(form); got != r {
				t.Errorf("RetiredAction(%q) = %v, want %v", form, got, r)
			}
		}
		if listed[a] != r {
			t.Errorf("RetiredActions() lists %s: %v, want %v", a, listed[a], r)
		}
	}
	known := map[string]bool{}
	for _, a := range KnownActions() {
		known[a] = true
		if !IsKnownAction(a) {
			t.Errorf("KnownActions() lists %s, which IsKnownAction refuses", a)
		}
	}
	for a := range listed {
		if !known[strings.ToLower(a)] {
			t.Errorf("RetiredActions() lists %s, which KnownActions() does not", a)
		}
	}
	if len(known) != len(actionSet) {
		t.Errorf("KnownActions() lists %d actions, IsKnownAction knows %d", len(known), len(actionSet))
	}
	if len(listed) != len(RetiredActions()) {
		t.Error("RetiredActions() has duplicates")
	}
	for a := range listed {
		if _, ok := want[a]; !ok {
			t.Errorf("RetiredActions() lists %s, which no operation has", a)
		}
	}
}

func TestLifecycleString(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		l    Lifecycle
		want string
	}{
		"supported":    {Supported, "supported"},
		"retired":      {Retired, "retired"},
		"unknown":      {0, "Lifecycle(0)"},
		"out of range": {7, "Lifecycle(7)"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if got := tc.l.String(); got != tc.want {
				t.Errorf("Lifecycle(%d).String() = %q, want %q", int(tc.l), got, tc.want)
			}
		})
	}
}

func TestOperationLifecycleSource(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		api, op    string
		ok, silent bool
		url        string // one of the URLs returned
	}{
		"segments":        {APIPinpoint, "GetSegments", true, false, "https://docs.aws.amazon.com/pinpoint/"},
		"send messages":   {APIPinpoint, "SendMessages", true, false, "https://aws.amazon.com/blogs/messaging-and-targeting/aws-end-user-messaging-sms-and-voice-v2-api-a-migration-guide-from-v1/"},
		"users messages":  {APIPinpoint, "SendUsersMessages", true, true, "https://docs.aws.amazon.com/end-user-messaging/latest/userguide/nx-push-send.html"},
		"in-app template": {APIPinpoint, "CreateInAppTemplate", true, true, pinpointModelURL},
		"v2":              {APISMSVoiceV2, "SendTextMessage", false, false, ""},
		"unknown":         {APIPinpoint, "GetReports", false, false, ""},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srcs, note, silent, ok := OperationLifecycleSource(tc.api, tc.op)
			if ok != tc.ok || silent != tc.silent {
				t.Fatalf("OperationLifecycleSource(%q, %q) = %v, %q, %v, %v; want ok %v, silent %v", tc.api, tc.op, srcs, note, silent, ok, tc.ok, tc.silent)
			}
			if !ok {
				if srcs != nil || note != "" {
					t.Errorf("OperationLifecycleSource(%q, %q) = %v, %q without ok", tc.api, tc.op, srcs, note)
				}
				return
			}
			found := false
			for _, s := range srcs {
				found = found || s.URL == tc.url
			}
			if !found || note == "" {
				t.Errorf("OperationLifecycleSource(%q, %q) = %v, %q; want a source at %s and a note", tc.api, tc.op, srcs, note, tc.url)
			}
		})
	}
}

// TestMapSetsLifecycle checks Result.Lifecycle for mapped requests.
func TestMapSetsLifecycle(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		req  *Request
		op   string
		want Lifecycle
	}{
		"retired segments": {rest("GET", "/v1/apps/abc/segments", ""), "GetSegments", Retired},
		"retired endpoint": {rest("GET", "/v1/apps/abc/endpoints/ep1", ""), "GetEndpoint", Retired},
		"supported apps":   {rest("GET", "/v1/apps", ""), "GetApps", Supported},
		"supported send": {rest("POST", "/v1/apps/abc/messages", `{"Addresses":{"+12065550100":{"ChannelType":"SMS"}},"MessageConfiguration":{"SMSMessage":{"Body":"hi"}}}`),
			"SendMessages", Supported},
		"a send to endpoints": {rest("POST", "/v1/apps/abc/messages", `{"Endpoints":{"ep-1":{}},"MessageConfiguration":{"SMSMessage":{"Body":"hi"}}}`),
			"SendMessages", Retired},
		"supported v2": {v2("SendTextMessage", `{"DestinationPhoneNumber":"+12065550100","OriginationIdentity":"pool-1f2e3d4c5b6a79880123456789abcdef","MessageBody":"hi"}`),
			"SendTextMessage", Supported},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			res, err := Map(tc.req)
			if err != nil {
				t.Fatal(err)
			}
			if res.Operation != tc.op || res.Lifecycle != tc.want {
				t.Errorf("Map: %s %v, want %s %v", res.Operation, res.Lifecycle, tc.op, tc.want)
			}
		})
	}
}

// TestLifecycleNoAllocation checks that the lookups allocate nothing, so
// that Result.Lifecycle (an int copied from the operation) adds nothing to
// Map's allocations (not parallel: AllocsPerRun refuses to run in a
// parallel test).
func TestLifecycleNoAllocation(t *testing.T) {
	var sink bool
	if n := testing.AllocsPerRun(100, func() {
		sink = OperationLifecycle(APIPinpoint, "GetSegments") == Retired
		sink = RetiredAction("MobileTargeting:GetSegment") && sink
		sink = RetiredAction("sms-voice:SendTextMessage") || sink
	}); n != 0 {
		t.Errorf("lifecycle lookups: %v allocations, want 0", n)
	}
	_ = sink
	// Map's allocations for these requests, measured before Result had a
	// Lifecycle: the field must not change them.
	tests := map[string]struct {
		req  *Request
		want float64
	}{
		"GetApps":      {rest("GET", "/v1/apps", ""), 3},
		"GetSegments":  {rest("GET", "/v1/apps/abc/segments", ""), 3},
		"SendMessages": {rest("POST", "/v1/apps/abc/messages", `{"Addresses":{"+12065550100":{"ChannelType":"SMS"}}}`), 8},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if _, err := Map(tc.req); err != nil {
				t.Fatal(err)
			}
			if n := testing.AllocsPerRun(100, func() { _, _ = Map(tc.req) }); n > tc.want {
				t.Errorf("Map(%s %s): %v allocations, want at most %v", tc.req.Method, tc.req.RawPath, n, tc.want)
			}
		})
	}
}
