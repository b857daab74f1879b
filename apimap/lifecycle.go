package apimap

import (
	"fmt"
	"slices"
)

// On 2026-10-30 AWS ended support for Amazon Pinpoint's engagement features.
// The Pinpoint API stays, but only the parts that AWS End User Messaging took
// over keep working. AWS publishes no list of operations and flags nothing in
// the models, so this file holds the gateway's own table: every operation of
// the Pinpoint API, Supported or Retired, each with the AWS statement it rests
// on (lifecycleSources). Where AWS names the feature, the entry follows AWS's
// sentence. Where AWS is silent, the entry says so ("AWS silent: decided by
// analogy with ...") and follows one rule: an operation that serves a
// messaging feature that continues (SMS, voice, mobile push, OTP, phone number
// validation) is Supported; one that serves only engagement features
// (endpoints, segments, campaigns, journeys, analytics) is Retired. Leaning
// Supported where the two readings meet keeps the optional local refusal of
// retired operations from ever breaking a call that AWS still serves; by
// default the gateway forwards both, and AWS stays the authority.
//
// The operations of the SMS and Voice APIs (v1 and v2) are AWS End User
// Messaging itself: all Supported.

// Lifecycle of an operation.
type Lifecycle int

// Lifecycles. The zero value means unknown (no such operation).
const (
	Supported Lifecycle = iota + 1 // AWS serves it (AWS End User Messaging)
	Retired                        // an engagement feature whose support ended on 2026-10-30
)

// String returns "supported" or "retired".
func (l Lifecycle) String() string {
	switch l {
	case Supported:
		return "supported"
	case Retired:
		return "retired"
	}
	return fmt.Sprintf("Lifecycle(%d)", int(l))
}

// LifecycleSource is what a lifecycle entry rests on: an AWS page and the
// sentence of it that decides.
type LifecycleSource struct {
	URL  string
	Says string
}

// sourceSet is a set of the statements of AWS the table cites, one bit each
// (lifecycleSources is keyed by the bit).
type sourceSet uint16

// The statements of AWS the table cites.
const (
	srcEnds          sourceSet = 1 << iota // the end-of-support notice: what ends
	srcContinues                           // the end-of-support notice: what continues
	srcPushApp                             // AWS End User Messaging Push: the Pinpoint API, apps and push channels
	srcPushSend                            // AWS End User Messaging Push: SendMessages is the one send operation
	srcSMSSend                             // the SMS v1 to v2 migration guide: SMS through Pinpoint continues
	srcGuidance                            // the migration guidance: email to SES, engagement to Connect, events to Kinesis
	srcEventStream                         // the event stream reports transactional SMS and email
	srcInAppTemplate                       // the model: in-app templates are not for SendMessages
	srcSendTemplates                       // the model: SendMessages takes SMS, voice and push templates
	srcEnd                                 // one past the last
)

// pinpointModelURL is the Pinpoint model, of which ../shared/data holds the
// snapshot the tables come from (TestLifecycleModelSources reads the quoted
// documentation there).
const pinpointModelURL = "https://github.com/boto/botocore/blob/develop/botocore/data/pinpoint/2016-12-01/service-2.json"

// lifecycleSources are the statements the table cites. Each Says is quoted
// from the page at URL (as stored on 2026-12-01); "[...]" marks an omission, and
// "Member: text" quotes the documentation of a member of the model.
var lifecycleSources = map[sourceSet]LifecycleSource{
	srcEnds: {
		URL:  "https://docs.aws.amazon.com/pinpoint/",
		Says: "After October 30, 2026, you will no longer be able to access the Amazon Pinpoint console or Amazon Pinpoint resources (endpoints, segments, campaigns, journeys, and analytics).",
	},
	srcContinues: {
		URL:  "https://docs.aws.amazon.com/pinpoint/",
		Says: "Note: APIs related to SMS, voice, mobile push, OTP, and phone number validate are not impacted by this change and are supported by AWS End User Messaging.",
	},
	srcPushApp: {
		URL:  "https://docs.aws.amazon.com/end-user-messaging/latest/userguide/nx-push.html",
		Says: "You send push notifications with the Amazon Pinpoint API (the mobiletargeting namespace, which you call as aws pinpoint on the AWS CLI). [...] Application: The top-level AWS End User Messaging Push resource that represents your mobile or web app. You create an application, then enable the push channels it uses.",
	},
	srcPushSend: {
		URL:  "https://docs.aws.amazon.com/end-user-messaging/latest/userguide/nx-push-send.html",
		Says: "Push notifications are sent with the Amazon Pinpoint API (the mobiletargeting namespace). Use the following API operation to send push notifications. [...] SendMessages: Sends a push notification to the registered device endpoints for your application. Use for: All outbound push.",
	},
	srcSMSSend: {
		URL:  "https://aws.amazon.com/blogs/messaging-and-targeting/aws-end-user-messaging-sms-and-voice-v2-api-a-migration-guide-from-v1/",
		Says: "However, if you are an existing customer using Amazon Pinpoint for SMS, your current SMS operations are not impacted by the EOS, and you are not required to migrate to the v2 API at this time.",
	},
	srcGuidance: {
		URL:  "https://docs.amplify.aws/android/sdk/analytics/endpoints",
		Says: "The guidance is to use AWS End User Messaging for push notifications and SMS, Amazon Simple Email Service for sending emails, Amazon Connect for campaigns, journeys, endpoints, and engagement analytics. Pinpoint recommends Amazon Kinesis for event collection and mobile analytics.",
	},
	srcEventStream: {
		URL:  "https://docs.aws.amazon.com/pinpoint/latest/developerguide/event-streams.html",
		Says: "The Amazon Pinpoint event stream includes information about user interactions with applications (apps) that you connect to Amazon Pinpoint. [...] Finally, it includes information about all the transactional email and SMS messages that you send.",
	},
	srcInAppTemplate: {
		URL:  pinpointModelURL,
		Says: "TemplateConfiguration.InAppTemplate: The InApp template to use for the message. The InApp template object is not supported for SendMessages.",
	},
	srcSendTemplates: {
		URL:  pinpointModelURL,
		Says: "MessageRequest (the body of SendMessages): TemplateConfiguration: The message template to use for the message. TemplateConfiguration.SMSTemplate: The SMS template to use for the message. TemplateConfiguration.VoiceTemplate: The voice template to use for the message. This object isn't supported for campaigns. TemplateConfiguration.PushTemplate: The push notification template to use for the message.",
	},
}

// lifecycleEntry classifies one operation (or permission-only action) of
// the Pinpoint API.
type lifecycleEntry struct {
	name    string // operation name, or the action name of a permission-only action
	lc      Lifecycle
	sources sourceSet
	// silent marks an entry AWS does not name: note then says what it was
	// decided by analogy with ("AWS silent: decided by analogy with ...").
	silent bool
	note   string
}

// silentPrefix starts the note of every entry that AWS does not name.
const silentPrefix = "AWS silent: decided by analogy with "

// pinpointLifecycle classifies every operation of the Pinpoint API
// (TestLifecycleEveryOperation holds it to the generated table).
var pinpointLifecycle = []lifecycleEntry{
	// Applications: the container of push channels in AWS End User Messaging Push.
	{"CreateApp", Supported, srcPushApp, false, "an application holds the push channels"},
	{"DeleteApp", Supported, srcPushApp, false, "an application holds the push channels"},
	{"GetApp", Supported, srcPushApp, false, "an application holds the push channels"},
	{"GetApps", Supported, srcPushApp, false, "an application holds the push channels"},
	{"GetApplicationSettings", Retired, srcEnds, true, silentPrefix + "campaigns and journeys, whose defaults these settings are (CampaignHook, Limits, QuietTime, JourneyLimits)"},
	{"UpdateApplicationSettings", Retired, srcEnds, true, silentPrefix + "campaigns and journeys, whose defaults these settings are (CampaignHook, Limits, QuietTime, JourneyLimits)"},

	// Push channels (mobile push).
	{"DeleteAdmChannel", Supported, srcPushApp, false, "a push channel"},
	{"GetAdmChannel", Supported, srcPushApp, false, "a push channel"},
	{"UpdateAdmChannel", Supported, srcPushApp, false, "a push channel"},
	{"DeleteApnsChannel", Supported, srcPushApp, false, "a push channel"},
	{"GetApnsChannel", Supported, srcPushApp, false, "a push channel"},
	{"UpdateApnsChannel", Supported, srcPushApp, false, "a push channel"},
	{"DeleteApnsSandboxChannel", Supported, srcPushApp, false, "a push channel"},
	{"GetApnsSandboxChannel", Supported, srcPushApp, false, "a push channel"},
	{"UpdateApnsSandboxChannel", Supported, srcPushApp, false, "a push channel"},
	{"DeleteApnsVoipChannel", Supported, srcPushApp, false, "a push channel"},
	{"GetApnsVoipChannel", Supported, srcPushApp, false, "a push channel"},
	{"UpdateApnsVoipChannel", Supported, srcPushApp, false, "a push channel"},
	{"DeleteApnsVoipSandboxChannel", Supported, srcPushApp, false, "a push channel"},
	{"GetApnsVoipSandboxChannel", Supported, srcPushApp, false, "a push channel"},
	{"UpdateApnsVoipSandboxChannel", Supported, srcPushApp, false, "a push channel"},
	{"DeleteBaiduChannel", Supported, srcPushApp, false, "a push channel"},
	{"GetBaiduChannel", Supported, srcPushApp, false, "a push channel"},
	{"UpdateBaiduChannel", Supported, srcPushApp, false, "a push channel"},
	{"DeleteGcmChannel", Supported, srcPushApp, false, "a push channel"},
	{"GetGcmChannel", Supported, srcPushApp, false, "a push channel"},
	{"UpdateGcmChannel", Supported, srcPushApp, false, "a push channel"},

	// SMS and voice channels.
	{"DeleteSmsChannel", Supported, srcContinues, false, "SMS"},
	{"GetSmsChannel", Supported, srcContinues, false, "SMS"},
	{"UpdateSmsChannel", Supported, srcContinues, false, "SMS"},
	{"DeleteVoiceChannel", Supported, srcContinues, false, "voice"},
	{"GetVoiceChannel", Supported, srcContinues, false, "voice"},
	{"UpdateVoiceChannel", Supported, srcContinues, false, "voice"},
	{"GetChannels", Supported, srcContinues, true, silentPrefix + "the push, SMS and voice channels it lists"},

	// The email channel: not among the APIs that continue; AWS directs email to Amazon SES.
	{"DeleteEmailChannel", Retired, srcGuidance, false, "email is not among the APIs that continue; email goes to Amazon SES"},
	{"GetEmailChannel", Retired, srcGuidance, false, "email is not among the APIs that continue; email goes to Amazon SES"},
	{"UpdateEmailChannel", Retired, srcGuidance, false, "email is not among the APIs that continue; email goes to Amazon SES"},

	// Sending.
	{"SendMessages", Supported, srcPushSend | srcSMSSend, false, "push and SMS sending; its Endpoints member names endpoints, which are retired, while the operation continues"},
	{"SendOTPMessage", Supported, srcContinues, false, "OTP"},
	{"VerifyOTPMessage", Supported, srcContinues, false, "OTP"},
	{"PhoneNumberValidate", Supported, srcContinues, false, "phone number validate"},
	{"SendUsersMessages", Retired, srcPushSend, true, silentPrefix + "endpoints: it sends to user IDs that AWS resolves through the endpoints holding them, and AWS End User Messaging names SendMessages alone for outbound push"},

	// Message templates: SMS, voice and push templates serve SendMessages.
	{"CreateSmsTemplate", Supported, srcSendTemplates, true, silentPrefix + "SendMessages, whose TemplateConfiguration takes SMS templates"},
	{"DeleteSmsTemplate", Supported, srcSendTemplates, true, silentPrefix + "SendMessages, whose TemplateConfiguration takes SMS templates"},
	{"GetSmsTemplate", Supported, srcSendTemplates, true, silentPrefix + "SendMessages, whose TemplateConfiguration takes SMS templates"},
	{"UpdateSmsTemplate", Supported, srcSendTemplates, true, silentPrefix + "SendMessages, whose TemplateConfiguration takes SMS templates"},
	{"CreateVoiceTemplate", Supported, srcSendTemplates, true, silentPrefix + "SendMessages, whose TemplateConfiguration takes voice templates"},
	{"DeleteVoiceTemplate", Supported, srcSendTemplates, true, silentPrefix + "SendMessages, whose TemplateConfiguration takes voice templates"},
	{"GetVoiceTemplate", Supported, srcSendTemplates, true, silentPrefix + "SendMessages, whose TemplateConfiguration takes voice templates"},
	{"UpdateVoiceTemplate", Supported, srcSendTemplates, true, silentPrefix + "SendMessages, whose TemplateConfiguration takes voice templates"},
	{"CreatePushTemplate", Supported, srcSendTemplates, true, silentPrefix + "SendMessages, whose TemplateConfiguration takes push templates"},
	{"DeletePushTemplate", Supported, srcSendTemplates, true, silentPrefix + "SendMessages, whose TemplateConfiguration takes push templates"},
	{"GetPushTemplate", Supported, srcSendTemplates, true, silentPrefix + "SendMessages, whose TemplateConfiguration takes push templates"},
	{"UpdatePushTemplate", Supported, srcSendTemplates, true, silentPrefix + "SendMessages, whose TemplateConfiguration takes push templates"},
	{"ListTemplates", Supported, srcSendTemplates, true, silentPrefix + "the SMS, voice and push templates it lists"},
	{"ListTemplateVersions", Supported, srcSendTemplates, true, silentPrefix + "the SMS, voice and push templates whose versions it lists"},
	{"UpdateTemplateActiveVersion", Supported, srcSendTemplates, true, silentPrefix + "the SMS, voice and push templates whose active version it sets"},
	{"CreateEmailTemplate", Retired, srcGuidance, true, silentPrefix + "the email channel, which goes to Amazon SES"},
	{"DeleteEmailTemplate", Retired, srcGuidance, true, silentPrefix + "the email channel, which goes to Amazon SES"},
	{"GetEmailTemplate", Retired, srcGuidance, true, silentPrefix + "the email channel, which goes to Amazon SES"},
	{"UpdateEmailTemplate", Retired, srcGuidance, true, silentPrefix + "the email channel, which goes to Amazon SES"},
	{"CreateInAppTemplate", Retired, srcInAppTemplate, true, silentPrefix + "campaigns and journeys, the only senders of in-app messages"},
	{"DeleteInAppTemplate", Retired, srcInAppTemplate, true, silentPrefix + "campaigns and journeys, the only senders of in-app messages"},
	{"GetInAppTemplate", Retired, srcInAppTemplate, true, silentPrefix + "campaigns and journeys, the only senders of in-app messages"},
	{"UpdateInAppTemplate", Retired, srcInAppTemplate, true, silentPrefix + "campaigns and journeys, the only senders of in-app messages"},

	// Tagging.
	{"ListTagsForResource", Supported, srcContinues, true, silentPrefix + "the applications and templates it tags, which continue"},
	{"TagResource", Supported, srcContinues, true, silentPrefix + "the applications and templates it tags, which continue"},
	{"UntagResource", Supported, srcContinues, true, silentPrefix + "the applications and templates it tags, which continue"},

	// Event stream: reports on the transactional SMS that SendMessages sends.
	{"DeleteEventStream", Supported, srcEventStream, true, silentPrefix + "SendMessages, whose transactional SMS events the stream delivers"},
	{"GetEventStream", Supported, srcEventStream, true, silentPrefix + "SendMessages, whose transactional SMS events the stream delivers"},
	{"PutEventStream", Supported, srcEventStream, true, silentPrefix + "SendMessages, whose transactional SMS events the stream delivers"},

	// Endpoints and users.
	{"DeleteEndpoint", Retired, srcEnds, false, "endpoints"},
	{"GetEndpoint", Retired, srcEnds, false, "endpoints"},
	{"UpdateEndpoint", Retired, srcEnds, false, "endpoints"},
	{"UpdateEndpointsBatch", Retired, srcEnds, false, "endpoints"},
	{"DeleteUserEndpoints", Retired, srcEnds, false, "endpoints"},
	{"GetUserEndpoints", Retired, srcEnds, false, "endpoints"},
	{"RemoveAttributes", Retired, srcEnds, true, silentPrefix + "endpoints, whose custom attributes it removes"},

	// Events (event collection and mobile analytics go to Amazon Kinesis).
	{"PutEvents", Retired, srcGuidance, false, "event collection and mobile analytics"},

	// Segments.
	{"CreateSegment", Retired, srcEnds, false, "segments"},
	{"DeleteSegment", Retired, srcEnds, false, "segments"},
	{"GetSegment", Retired, srcEnds, false, "segments"},
	{"GetSegments", Retired, srcEnds, false, "segments"},
	{"UpdateSegment", Retired, srcEnds, false, "segments"},
	{"GetSegmentVersion", Retired, srcEnds, false, "segments"},
	{"GetSegmentVersions", Retired, srcEnds, false, "segments"},
	{"GetSegmentExportJobs", Retired, srcEnds, true, silentPrefix + "segments and endpoints, which export jobs export"},
	{"GetSegmentImportJobs", Retired, srcEnds, true, silentPrefix + "segments and endpoints, which import jobs import"},

	// Import and export jobs (of endpoints and segments).
	{"CreateExportJob", Retired, srcEnds, true, silentPrefix + "segments and endpoints, which export jobs export"},
	{"GetExportJob", Retired, srcEnds, true, silentPrefix + "segments and endpoints, which export jobs export"},
	{"GetExportJobs", Retired, srcEnds, true, silentPrefix + "segments and endpoints, which export jobs export"},
	{"CreateImportJob", Retired, srcEnds, true, silentPrefix + "segments and endpoints, which import jobs import"},
	{"GetImportJob", Retired, srcEnds, true, silentPrefix + "segments and endpoints, which import jobs import"},
	{"GetImportJobs", Retired, srcEnds, true, silentPrefix + "segments and endpoints, which import jobs import"},

	// Campaigns.
	{"CreateCampaign", Retired, srcEnds, false, "campaigns"},
	{"DeleteCampaign", Retired, srcEnds, false, "campaigns"},
	{"GetCampaign", Retired, srcEnds, false, "campaigns"},
	{"GetCampaigns", Retired, srcEnds, false, "campaigns"},
	{"UpdateCampaign", Retired, srcEnds, false, "campaigns"},
	{"GetCampaignActivities", Retired, srcEnds, false, "campaigns"},
	{"GetCampaignVersion", Retired, srcEnds, false, "campaigns"},
	{"GetCampaignVersions", Retired, srcEnds, false, "campaigns"},

	// Journeys.
	{"CreateJourney", Retired, srcEnds, false, "journeys"},
	{"DeleteJourney", Retired, srcEnds, false, "journeys"},
	{"GetJourney", Retired, srcEnds, false, "journeys"},
	{"ListJourneys", Retired, srcEnds, false, "journeys"},
	{"UpdateJourney", Retired, srcEnds, false, "journeys"},
	{"UpdateJourneyState", Retired, srcEnds, false, "journeys"},
	{"GetJourneyRuns", Retired, srcEnds, false, "journeys"},
	{"GetJourneyExecutionMetrics", Retired, srcEnds, false, "journeys and analytics"},
	{"GetJourneyExecutionActivityMetrics", Retired, srcEnds, false, "journeys and analytics"},
	{"GetJourneyRunExecutionMetrics", Retired, srcEnds, false, "journeys and analytics"},
	{"GetJourneyRunExecutionActivityMetrics", Retired, srcEnds, false, "journeys and analytics"},

	// Analytics (KPIs).
	{"GetApplicationDateRangeKpi", Retired, srcEnds, false, "analytics"},
	{"GetCampaignDateRangeKpi", Retired, srcEnds, false, "analytics"},
	{"GetJourneyDateRangeKpi", Retired, srcEnds, false, "analytics"},

	// In-app messaging.
	{"GetInAppMessages", Retired, srcEnds, true, silentPrefix + "campaigns, journeys and endpoints: it returns the in-app messages of campaigns and journeys for an endpoint"},

	// Recommender models.
	{"CreateRecommenderConfiguration", Retired, srcEnds, true, silentPrefix + "endpoints and campaigns: recommendations are per-endpoint attributes for personalized engagement"},
	{"DeleteRecommenderConfiguration", Retired, srcEnds, true, silentPrefix + "endpoints and campaigns: recommendations are per-endpoint attributes for personalized engagement"},
	{"GetRecommenderConfiguration", Retired, srcEnds, true, silentPrefix + "endpoints and campaigns: recommendations are per-endpoint attributes for personalized engagement"},
	{"GetRecommenderConfigurations", Retired, srcEnds, true, silentPrefix + "endpoints and campaigns: recommendations are per-endpoint attributes for personalized engagement"},
	{"UpdateRecommenderConfiguration", Retired, srcEnds, true, silentPrefix + "endpoints and campaigns: recommendations are per-endpoint attributes for personalized engagement"},
}

// permissionOnlyLifecycle classifies the mobiletargeting actions that no
// operation has (the console's own permissions).
var permissionOnlyLifecycle = []lifecycleEntry{
	{"GetReports", Retired, srcEnds, false, "the console's analytics"},
}

type opKey struct{ api, name string }

var (
	lifecycleByOp  = map[string]*lifecycleEntry{} // Pinpoint operation name → entry
	opLifecycle    = map[opKey]Lifecycle{}        // every operation of the three APIs
	retiredActions = map[string]string{}          // lower-cased action → action, for actions of retired operations only
)

func init() {
	for i := range pinpointLifecycle {
		lifecycleByOp[pinpointLifecycle[i].name] = &pinpointLifecycle[i]
	}
	retired := map[string]bool{} // action → retired (false once a supported operation has it)
	for i := range operationTable {
		op := &operationTable[i]
		switch op.api {
		case APIPinpoint:
			if e := lifecycleByOp[op.name]; e != nil {
				op.lifecycle = e.lc
			}
		case APISMSVoice, APISMSVoiceV2:
			op.lifecycle = Supported
		}
		opLifecycle[opKey{op.api, op.name}] = op.lifecycle
		if op.api != APIPinpoint {
			continue
		}
		if r, seen := retired[op.action]; !seen || r {
			retired[op.action] = op.lifecycle == Retired
		}
	}
	for _, e := range permissionOnlyLifecycle {
		a := SigningName(APIPinpoint) + ":" + e.name
		if _, seen := retired[a]; !seen {
			retired[a] = e.lc == Retired
		}
	}
	for a, r := range retired {
		if r {
			retiredActions[asciiLower(a)] = a
		}
	}
}

// OperationLifecycle returns the lifecycle of an operation of api
// (APIPinpoint, APISMSVoice, APISMSVoiceV2); operations of the SMS and Voice
// APIs are Supported; an unknown operation is 0. Names are case-sensitive, as
// Operations lists them.
func OperationLifecycle(api, operation string) Lifecycle {
	return opLifecycle[opKey{api, operation}]
}

// OperationLifecycleSource returns what the lifecycle of a Pinpoint
// operation rests on: the statements of AWS, and a note that says which part
// of them decides or, where AWS is silent, what the operation was decided by
// analogy with (then silent is true). ok is false for an operation that is
// not a Pinpoint operation of the table; the SMS and Voice APIs have no entry
// (they are AWS End User Messaging itself).
func OperationLifecycleSource(api, operation string) (sources []LifecycleSource, note string, silent, ok bool) {
	if api != APIPinpoint || opLifecycle[opKey{api, operation}] == 0 {
		return nil, "", false, false
	}
	e := lifecycleByOp[operation]
	return e.sources.list(), e.note, e.silent, true
}

// list returns the statements of s in order.
func (s sourceSet) list() []LifecycleSource {
	var out []LifecycleSource
	for b := sourceSet(1); b < srcEnd; b <<= 1 {
		if s&b != 0 {
			out = append(out, lifecycleSources[b])
		}
	}
	return out
}

// maxActionLen bounds the actions RetiredAction looks up without allocating
// (every action of the table is shorter; TestRetiredActionEvery checks).
const maxActionLen = 96

// RetiredAction reports whether an IAM action (case-insensitive) is the
// action of retired operations only (mobiletargeting:GetSegment yes;
// mobiletargeting:GetApp no; sms-voice:* no), or a permission-only
// mobiletargeting action of a retired feature (mobiletargeting:GetReports).
// A pattern with wildcards is not an action: false (match it against
// RetiredActions).
func RetiredAction(action string) bool {
	if len(action) > maxActionLen {
		return false
	}
	var buf [maxActionLen]byte
	b := buf[:len(action)]
	for i := 0; i < len(action); i++ {
		c := action[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		b[i] = c
	}
	_, ok := retiredActions[string(b)]
	return ok
}

// RetiredActions returns every action for which RetiredAction is true, as
// the Service Authorization Reference spells it, sorted (for matching
// wildcard patterns, and for tools).
func RetiredActions() []string {
	out := make([]string, 0, len(retiredActions))
	for _, a := range retiredActions {
		out = append(out, a)
	}
	slices.Sort(out)
	return out
}

// KnownActions returns, lower-cased and sorted, every action for which
// IsKnownAction is true: with RetiredActions, what a linter needs to tell
// whether a wildcard pattern grants only retired actions (every known action
// it matches is retired).
func KnownActions() []string {
	out := slices.Clone(knownActions)
	slices.Sort(out)
	return out
}

// asciiLower lower-cases the ASCII letters of s.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
