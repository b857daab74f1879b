package codegen

import (
	"bytes"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"sort"
	"strings"
)

// References: every string member of the three models, at any depth, whose
// name or documentation suggests that it names a resource (an ARN, a role, a
// topic, a stream, a bucket, a URL, a key, an identity, a template ...) must
// have exactly one class in refClasses: a reference kind (with the rule that
// derives its ARN at run time), or "not a reference" with the reason. The
// top-level v2 members that the operation's own resource types bind need no
// entry. Generate fails on a hinted member without a class and on a class
// that no member uses, so a new model member cannot slip through and the
// table cannot rot.

// hintName and hintDoc decide which members must be classified.
var (
	hintName = regexp.MustCompile(`(?i)(arn|role|topic|stream|bucket|url|uri|key|identit|s3|kms|log.?group|lambda|function|template|campaign|origination|address|configurationset|destination)`)
	hintDoc  = regexp.MustCompile(`(?i)(amazon resource name|\barn\b|iam role|identity and access management|amazon s3|s3 bucket|\bsns\b|kinesis|firehose|\bkms\b|cloudwatch|log group|amazon ses|amazon connect|lambda|personalize|name of the (?:\w+ )*message template)`)
)

// Hinted reports whether a string member must be classified: its name or
// its documentation suggests that it names a resource.
func Hinted(name, doc string) bool {
	return hintName.MatchString(name) || hintDoc.MatchString(doc) // links included: a link to an ARN page counts
}

// idVars returns the ARN variables of the sms-voice resource types
// (PoolId, OptOutListName, RcsAgentId, ...): a member of an SMS and Voice API
// named like one names that resource, so it must be classified too.
func (g *gen) idVars() map[string]bool {
	vars := map[string]bool{}
	for _, arn := range g.smsTypes {
		for _, v := range templateVars(arn) {
			vars[v] = true
		}
	}
	return vars
}

// NotHinted is the Classification of a member that needs no class.
const NotHinted = "not hinted"

// refClass is the class of a string member.
type refClass struct {
	kind   string // reference kind; "" when the member is not a reference
	derive string // apimap refDerive constant that turns the value into an ARN
	arg    string // template type for refTemplate
	reason string // why the member is not a reference
}

func ref(kind, derive string) refClass { return refClass{kind: kind, derive: derive} }
func tmpl(typ string) refClass         { return refClass{kind: "template", derive: "refTemplate", arg: typ} }
func not(reason string) refClass       { return refClass{reason: reason} }

// smsType is a reference to an sms-voice resource of type typ (an ID or an ARN).
func smsType(kind, typ string) refClass {
	return refClass{kind: kind, derive: "refSMSVoiceType", arg: typ}
}

var (
	role         = ref("iam-role", "refRole")
	s3URL        = ref("s3", "refS3URL")
	origination  = ref("origination-identity", "refOrigination")
	sesAddress   = ref("ses-identity", "refSESAddress")
	lambda       = ref("lambda-function", "refLambda")
	lambdaOrURL  = ref("lambda-function", "refLambdaOrURL")
	recommender  = ref("recommender", "refRecommender")
	byParentType = refClass{kind: "template", derive: "refTemplate", arg: "by-parent"}

	notDevice    = not("a link or media URL that the recipient's device opens; AWS does not fetch it on the caller's behalf")
	notSecret    = not("a credential of a third-party push service, not an AWS resource")
	notContent   = not("message content, an enumeration or other metadata, not a resource")
	notRecipient = not("a recipient address or number, not a resource of the caller")
	notVersion   = not("the version of the template named beside it")
	notDLT       = not("an ID issued by a telecom regulator (DLT), not an AWS resource")
	notNotify    = not("an AWS-managed notify template, the same for every account")
	notTag       = not("a tag key or value (tags are reported as RequestTags)")
	notSubName   = not("the name of a part of the operation's own resource")
	notOwnV1     = not("the resource the v1 operation creates; v1 operations have no resource type")
	notDescr     = not("a description or display name")
	notPrefix    = not("the key prefix inside the bucket named beside it")
	notCountry   = not("a country code (with a sender ID it is part of the origination identity's own ARN)")
)

// refClasses classifies the string members, keyed "api:Shape.Member".
var refClasses = map[string]refClass{
	// Pinpoint: roles.
	"pinpoint:ImportJobRequest.RoleArn":                                     role,
	"pinpoint:ExportJobRequest.RoleArn":                                     role,
	"pinpoint:WriteEventStream.RoleArn":                                     role,
	"pinpoint:EmailChannelRequest.RoleArn":                                  role,
	"pinpoint:EmailChannelRequest.OrchestrationSendingRoleArn":              role,
	"pinpoint:JourneyChannelSettings.ConnectCampaignExecutionRoleArn":       role,
	"pinpoint:CreateRecommenderConfiguration.RecommendationProviderRoleArn": role,
	"pinpoint:UpdateRecommenderConfiguration.RecommendationProviderRoleArn": role,
	// Pinpoint: other references.
	"pinpoint:ImportJobRequest.S3Url":                                      s3URL,
	"pinpoint:ExportJobRequest.S3UrlPrefix":                                s3URL,
	"pinpoint:WriteEventStream.DestinationStreamArn":                       ref("kinesis-stream", "refEventStream"),
	"pinpoint:EmailChannelRequest.Identity":                                ref("ses-identity", "refSESIdentity"),
	"pinpoint:EmailChannelRequest.FromAddress":                             sesAddress,
	"pinpoint:EmailChannelRequest.ConfigurationSet":                        ref("ses-configuration-set", "refSESConfigSet"),
	"pinpoint:EmailMessage.FromAddress":                                    sesAddress,
	"pinpoint:CampaignEmailMessage.FromAddress":                            sesAddress,
	"pinpoint:JourneyEmailMessage.FromAddress":                             sesAddress,
	"pinpoint:JourneyChannelSettings.ConnectCampaignArn":                   ref("connect-campaign", "refAsIs"),
	"pinpoint:CampaignHook.LambdaFunctionName":                             lambda,
	"pinpoint:CampaignHook.WebUrl":                                         ref("url", "refURL"),
	"pinpoint:CustomDeliveryConfiguration.DeliveryUri":                     lambdaOrURL,
	"pinpoint:CustomMessageActivity.DeliveryUri":                           lambdaOrURL,
	"pinpoint:CreateRecommenderConfiguration.RecommendationProviderUri":    ref("personalize-campaign", "refAsIs"),
	"pinpoint:UpdateRecommenderConfiguration.RecommendationProviderUri":    ref("personalize-campaign", "refAsIs"),
	"pinpoint:CreateRecommenderConfiguration.RecommendationTransformerUri": lambda,
	"pinpoint:UpdateRecommenderConfiguration.RecommendationTransformerUri": lambda,
	"pinpoint:Template.Name":                                               byParentType,
	"pinpoint:EmailMessageActivity.TemplateName":                           tmpl("EMAIL"),
	"pinpoint:SMSMessageActivity.TemplateName":                             tmpl("SMS"),
	"pinpoint:PushMessageActivity.TemplateName":                            tmpl("PUSH"),
	"pinpoint:CustomMessageActivity.TemplateName":                          tmpl(""), // the model gives no template type: ARN = value
	"pinpoint:EmailTemplateRequest.RecommenderId":                          recommender,
	"pinpoint:PushNotificationTemplateRequest.RecommenderId":               recommender,
	"pinpoint:SMSTemplateRequest.RecommenderId":                            recommender,
	"pinpoint:SMSMessage.OriginationNumber":                                origination,
	"pinpoint:CampaignSmsMessage.OriginationNumber":                        origination,
	"pinpoint:JourneySMSMessage.OriginationNumber":                         origination,
	"pinpoint:VoiceMessage.OriginationNumber":                              origination,
	"pinpoint:SendOTPMessageRequestParameters.OriginationIdentity":         origination,
	// Pinpoint: not references.
	"pinpoint:EmailTemplateRequest.tags":                                 notTag,
	"pinpoint:InAppTemplateRequest.tags":                                 notTag,
	"pinpoint:PushNotificationTemplateRequest.tags":                      notTag,
	"pinpoint:SMSTemplateRequest.tags":                                   notTag,
	"pinpoint:VoiceTemplateRequest.tags":                                 notTag,
	"pinpoint:WriteCampaignRequest.tags":                                 notTag,
	"pinpoint:WriteSegmentRequest.tags":                                  notTag,
	"pinpoint:ADMMessage.ConsolidationKey":                               notContent,
	"pinpoint:GCMMessage.CollapseKey":                                    notContent,
	"pinpoint:CampaignHook.Mode":                                         notContent,
	"pinpoint:ImportJobRequest.Format":                                   notContent,
	"pinpoint:ImportJobRequest.ExternalId":                               not("a deprecated external ID that Pinpoint no longer uses"),
	"pinpoint:JourneyCustomMessage.Data":                                 notContent,
	"pinpoint:CustomMessageActivity.NextActivity":                        not("the ID of an activity of the same journey"),
	"pinpoint:SMSMessage.Keyword":                                        notContent,
	"pinpoint:SMSMessage.MediaUrl":                                       not("reserved for future use; Pinpoint ignores it"),
	"pinpoint:SMSMessage.TemplateId":                                     notDLT,
	"pinpoint:CampaignSmsMessage.TemplateId":                             notDLT,
	"pinpoint:JourneySMSMessage.TemplateId":                              notDLT,
	"pinpoint:SendOTPMessageRequestParameters.TemplateId":                notDLT,
	"pinpoint:SendOTPMessageRequestParameters.DestinationIdentity":       notRecipient,
	"pinpoint:VerifyOTPMessageRequestParameters.DestinationIdentity":     notRecipient,
	"pinpoint:EndpointBatchItem.Address":                                 notRecipient,
	"pinpoint:EndpointRequest.Address":                                   notRecipient,
	"pinpoint:PublicEndpoint.Address":                                    notRecipient,
	"pinpoint:EmailMessage.FeedbackForwardingAddress":                    notRecipient,
	"pinpoint:EmailMessage.ReplyToAddresses":                             notRecipient,
	"pinpoint:Template.Version":                                          notVersion,
	"pinpoint:EmailMessageActivity.TemplateVersion":                      notVersion,
	"pinpoint:SMSMessageActivity.TemplateVersion":                        notVersion,
	"pinpoint:PushMessageActivity.TemplateVersion":                       notVersion,
	"pinpoint:CustomMessageActivity.TemplateVersion":                     notVersion,
	"pinpoint:EmailTemplateRequest.TemplateDescription":                  notDescr,
	"pinpoint:InAppTemplateRequest.TemplateDescription":                  notDescr,
	"pinpoint:PushNotificationTemplateRequest.TemplateDescription":       notDescr,
	"pinpoint:SMSTemplateRequest.TemplateDescription":                    notDescr,
	"pinpoint:VoiceTemplateRequest.TemplateDescription":                  notDescr,
	"pinpoint:VoiceTemplateRequest.VoiceId":                              not("an Amazon Polly voice name, the same for every account"),
	"pinpoint:CreateRecommenderConfiguration.Attributes":                 notDescr,
	"pinpoint:UpdateRecommenderConfiguration.Attributes":                 notDescr,
	"pinpoint:CreateRecommenderConfiguration.RecommendationsDisplayName": notDescr,
	"pinpoint:UpdateRecommenderConfiguration.RecommendationsDisplayName": notDescr,
	"pinpoint:APNSChannelRequest.PrivateKey":                             notSecret,
	"pinpoint:APNSChannelRequest.TokenKey":                               notSecret,
	"pinpoint:APNSChannelRequest.TokenKeyId":                             notSecret,
	"pinpoint:APNSSandboxChannelRequest.PrivateKey":                      notSecret,
	"pinpoint:APNSSandboxChannelRequest.TokenKey":                        notSecret,
	"pinpoint:APNSSandboxChannelRequest.TokenKeyId":                      notSecret,
	"pinpoint:APNSVoipChannelRequest.PrivateKey":                         notSecret,
	"pinpoint:APNSVoipChannelRequest.TokenKey":                           notSecret,
	"pinpoint:APNSVoipChannelRequest.TokenKeyId":                         notSecret,
	"pinpoint:APNSVoipSandboxChannelRequest.PrivateKey":                  notSecret,
	"pinpoint:APNSVoipSandboxChannelRequest.TokenKey":                    notSecret,
	"pinpoint:APNSVoipSandboxChannelRequest.TokenKeyId":                  notSecret,
	"pinpoint:BaiduChannelRequest.ApiKey":                                notSecret,
	"pinpoint:BaiduChannelRequest.SecretKey":                             notSecret,
	"pinpoint:GCMChannelRequest.ApiKey":                                  notSecret,
	"pinpoint:ADMMessage.ImageIconUrl":                                   notDevice,
	"pinpoint:ADMMessage.ImageUrl":                                       notDevice,
	"pinpoint:ADMMessage.SmallImageIconUrl":                              notDevice,
	"pinpoint:ADMMessage.Url":                                            notDevice,
	"pinpoint:APNSMessage.MediaUrl":                                      notDevice,
	"pinpoint:APNSMessage.Url":                                           notDevice,
	"pinpoint:APNSPushNotificationTemplate.MediaUrl":                     notDevice,
	"pinpoint:APNSPushNotificationTemplate.Url":                          notDevice,
	"pinpoint:AndroidPushNotificationTemplate.ImageIconUrl":              notDevice,
	"pinpoint:AndroidPushNotificationTemplate.ImageUrl":                  notDevice,
	"pinpoint:AndroidPushNotificationTemplate.SmallImageIconUrl":         notDevice,
	"pinpoint:AndroidPushNotificationTemplate.Url":                       notDevice,
	"pinpoint:BaiduMessage.ImageIconUrl":                                 notDevice,
	"pinpoint:BaiduMessage.ImageUrl":                                     notDevice,
	"pinpoint:BaiduMessage.SmallImageIconUrl":                            notDevice,
	"pinpoint:BaiduMessage.Url":                                          notDevice,
	"pinpoint:DefaultPushNotificationMessage.Url":                        notDevice,
	"pinpoint:DefaultPushNotificationTemplate.Url":                       notDevice,
	"pinpoint:GCMMessage.ImageIconUrl":                                   notDevice,
	"pinpoint:GCMMessage.ImageUrl":                                       notDevice,
	"pinpoint:GCMMessage.SmallImageIconUrl":                              notDevice,
	"pinpoint:GCMMessage.Url":                                            notDevice,
	"pinpoint:InAppMessageContent.ImageUrl":                              notDevice,
	"pinpoint:Message.ImageIconUrl":                                      notDevice,
	"pinpoint:Message.ImageSmallIconUrl":                                 notDevice,
	"pinpoint:Message.ImageUrl":                                          notDevice,
	"pinpoint:Message.MediaUrl":                                          notDevice,
	"pinpoint:Message.Url":                                               notDevice,

	// SMS and Voice v1.
	"sms-voice:CloudWatchLogsDestination.IamRoleArn":                               role,
	"sms-voice:KinesisFirehoseDestination.IamRoleArn":                              role,
	"sms-voice:CloudWatchLogsDestination.LogGroupArn":                              ref("log-group", "refLogGroup"),
	"sms-voice:KinesisFirehoseDestination.DeliveryStreamArn":                       ref("firehose-stream", "refFirehose"),
	"sms-voice:SnsDestination.TopicArn":                                            ref("sns-topic", "refSNSTopic"),
	"sms-voice:SendVoiceMessageRequest.ConfigurationSetName":                       smsType("configuration-set", "ConfigurationSet"),
	"sms-voice:SendVoiceMessageRequest.OriginationPhoneNumber":                     origination,
	"sms-voice:SendVoiceMessageRequest.DestinationPhoneNumber":                     notRecipient,
	"sms-voice:CreateConfigurationSetRequest.ConfigurationSetName":                 notOwnV1,
	"sms-voice:CreateConfigurationSetEventDestinationRequest.EventDestinationName": notSubName,

	// SMS and Voice v2.
	"sms-voice-v2:CloudWatchLogsDestination.IamRoleArn":                                          role,
	"sms-voice-v2:KinesisFirehoseDestination.IamRoleArn":                                         role,
	"sms-voice-v2:UpdatePhoneNumberRequest.TwoWayChannelRole":                                    role,
	"sms-voice-v2:UpdatePoolRequest.TwoWayChannelRole":                                           role,
	"sms-voice-v2:UpdateRcsAgentRequest.TwoWayChannelRole":                                       role,
	"sms-voice-v2:UpdateRcsAgentRequest.TwoWayMediaS3Role":                                       role,
	"sms-voice-v2:CloudWatchLogsDestination.LogGroupArn":                                         ref("log-group", "refLogGroup"),
	"sms-voice-v2:KinesisFirehoseDestination.DeliveryStreamArn":                                  ref("firehose-stream", "refFirehose"),
	"sms-voice-v2:SnsDestination.TopicArn":                                                       ref("sns-topic", "refSNSTopic"),
	"sms-voice-v2:UpdatePhoneNumberRequest.TwoWayChannelArn":                                     ref("two-way-channel", "refAsIs"),
	"sms-voice-v2:UpdatePoolRequest.TwoWayChannelArn":                                            ref("two-way-channel", "refAsIs"),
	"sms-voice-v2:UpdateRcsAgentRequest.TwoWayChannelArn":                                        ref("two-way-channel", "refAsIs"),
	"sms-voice-v2:UpdateRcsAgentRequest.TwoWayMediaS3BucketName":                                 ref("s3", "refS3Bucket"),
	"sms-voice-v2:UpdateRcsAgentRequest.TwoWayMediaS3KeyPrefix":                                  notPrefix,
	"sms-voice-v2:CreateRegistrationAttachmentRequest.AttachmentUrl":                             s3URL,
	"sms-voice-v2:SendMediaMessageRequest.MediaUrls":                                             s3URL,
	"sms-voice-v2:RcsFallbackConfiguration.MediaUrls":                                            s3URL,
	"sms-voice-v2:RcsCardMedia.FileUrl":                                                          s3URL,
	"sms-voice-v2:RcsCardMedia.ThumbnailUrl":                                                     s3URL,
	"sms-voice-v2:RcsCarouselCardMedia.FileUrl":                                                  s3URL,
	"sms-voice-v2:RcsCarouselCardMedia.ThumbnailUrl":                                             s3URL,
	"sms-voice-v2:RcsFileMessage.FileUrl":                                                        s3URL,
	"sms-voice-v2:RcsFileMessage.ThumbnailUrl":                                                   s3URL,
	"sms-voice-v2:RcsFallbackConfiguration.OriginationIdentity":                                  origination,
	"sms-voice-v2:UpdateNotifyConfigurationRequest.PoolId":                                       smsType("pool", "Pool"),
	"sms-voice-v2:SendVoiceMessageRequest.ConfigurationSetName":                                  smsType("configuration-set", "ConfigurationSet"),
	"sms-voice-v2:SendDestinationNumberVerificationCodeRequest.VerifiedDestinationNumberId":      smsType("verified-destination-number", "VerifiedDestinationNumber"),
	"sms-voice-v2:CreateNotifyConfigurationRequest.PoolId":                                       smsType("pool", "Pool"),
	"sms-voice-v2:CreateRcsAgentRequest.OptOutListName":                                          smsType("opt-out-list", "OptOutList"),
	"sms-voice-v2:UpdateRcsAgentRequest.OptOutListName":                                          smsType("opt-out-list", "OptOutList"),
	"sms-voice-v2:CreateVerifiedDestinationNumberRequest.RcsAgentId":                             smsType("rcs-agent", "RcsAgent"),
	"sms-voice-v2:PutRegistrationFieldValueRequest.RegistrationAttachmentId":                     smsType("registration-attachment", "RegistrationAttachment"),
	"sms-voice-v2:SendVoiceMessageRequest.ProtectConfigurationId":                                smsType("protect-configuration", "ProtectConfiguration"),
	"sms-voice-v2:SetDefaultSenderIdRequest.SenderId":                                            not("a sender ID string made the configuration set's default; a send that uses it is authorized on its own origination identity"),
	"sms-voice-v2:AssociateOriginationIdentityRequest.IsoCountryCode":                            notCountry,
	"sms-voice-v2:DisassociateOriginationIdentityRequest.IsoCountryCode":                         notCountry,
	"sms-voice-v2:CreatePoolRequest.IsoCountryCode":                                              notCountry,
	"sms-voice-v2:RequestPhoneNumberRequest.IsoCountryCode":                                      notCountry,
	"sms-voice-v2:RcsOpenUrlAction.Url":                                                          notDevice,
	"sms-voice-v2:CreateEventDestinationRequest.EventDestinationName":                            notSubName,
	"sms-voice-v2:DeleteEventDestinationRequest.EventDestinationName":                            notSubName,
	"sms-voice-v2:UpdateEventDestinationRequest.EventDestinationName":                            notSubName,
	"sms-voice-v2:CreateNotifyConfigurationRequest.DefaultTemplateId":                            notNotify,
	"sms-voice-v2:UpdateNotifyConfigurationRequest.DefaultTemplateId":                            notNotify,
	"sms-voice-v2:DescribeNotifyTemplatesRequest.TemplateIds":                                    notNotify,
	"sms-voice-v2:SendNotifyTextMessageRequest.TemplateId":                                       notNotify,
	"sms-voice-v2:SendNotifyVoiceMessageRequest.TemplateId":                                      notNotify,
	"sms-voice-v2:SendNotifyTextMessageRequest.TemplateVariables":                                notContent,
	"sms-voice-v2:SendNotifyVoiceMessageRequest.TemplateVariables":                               notContent,
	"sms-voice-v2:SendDestinationNumberVerificationCodeRequest.DestinationCountryParameters":     notContent,
	"sms-voice-v2:SendTextMessageRequest.DestinationCountryParameters":                           notContent,
	"sms-voice-v2:SendTextMessageRequest.Keyword":                                                notContent,
	"sms-voice-v2:DeleteKeywordRequest.Keyword":                                                  notContent,
	"sms-voice-v2:DescribeKeywordsRequest.Keywords":                                              notContent,
	"sms-voice-v2:PutKeywordRequest.Keyword":                                                     notContent,
	"sms-voice-v2:PutKeywordRequest.KeywordAction":                                               notContent,
	"sms-voice-v2:PutKeywordRequest.KeywordMessage":                                              notContent,
	"sms-voice-v2:Tag.Key":                                                                       notTag,
	"sms-voice-v2:UntagResourceRequest.TagKeys":                                                  notTag,
	"sms-voice-v2:CreateVerifiedDestinationNumberRequest.DestinationPhoneNumber":                 notRecipient,
	"sms-voice-v2:DeleteProtectConfigurationRuleSetNumberOverrideRequest.DestinationPhoneNumber": notRecipient,
	"sms-voice-v2:DescribeVerifiedDestinationNumbersRequest.DestinationPhoneNumbers":             notRecipient,
	"sms-voice-v2:PutProtectConfigurationRuleSetNumberOverrideRequest.DestinationPhoneNumber":    notRecipient,
	"sms-voice-v2:SendMediaMessageRequest.DestinationPhoneNumber":                                notRecipient,
	"sms-voice-v2:SendNotifyTextMessageRequest.DestinationPhoneNumber":                           notRecipient,
	"sms-voice-v2:SendNotifyVoiceMessageRequest.DestinationPhoneNumber":                          notRecipient,
	"sms-voice-v2:SendRcsMessageRequest.DestinationPhoneNumber":                                  notRecipient,
	"sms-voice-v2:SendTextMessageRequest.DestinationPhoneNumber":                                 notRecipient,
	"sms-voice-v2:SendVoiceMessageRequest.DestinationPhoneNumber":                                notRecipient,
}

// templateTypes gives the template type of the TemplateConfiguration members.
var templateTypes = map[string]string{"EmailTemplate": "EMAIL", "SMSTemplate": "SMS", "VoiceTemplate": "VOICE", "PushTemplate": "PUSH", "InAppTemplate": "INAPP"}

// unsetRe finds the sentinel of shapes like IamRoleArnOrUnset ("(arn:\S+|UNSET_X)").
var unsetRe = regexp.MustCompile(`\|([A-Z][A-Z_]+)\)\$?$`)

type genRef struct {
	kind, derive, arg, unset string
	path                     []string
}

// references walks the request body shape of op at any depth and returns the
// references its members can carry. own says which top-level members bind
// the operation's own resources. classified records the class of every
// string member seen.
func (g *gen) references(api string, m *model, bodyName string, body *shape, skipLocated bool, own map[string]bool) ([]genRef, error) {
	w := &refWalk{g: g, api: api, m: m, skipLocated: skipLocated, own: own, stack: map[string]bool{bodyName: true}}
	if err := w.walk(body, bodyName, nil, true); err != nil {
		return nil, err
	}
	return w.out, nil
}

// refWalk is one walk of references over a request body shape.
type refWalk struct {
	g           *gen
	api         string
	m           *model
	skipLocated bool            // skip the body's members bound to the URI, query or headers
	own         map[string]bool // JSON paths of the members that bind the operation's own resources
	stack       map[string]bool // the structures being walked, to refuse recursion
	out         []genRef
}

// walk visits the members of sh (named shName) at the JSON path path; top
// says sh is the body itself.
func (w *refWalk) walk(sh *shape, shName string, path []string, top bool) error {
	if len(path) > 16 {
		return fmt.Errorf("member %s: nesting deeper than 16", strings.Join(path, "."))
	}
	for _, k := range slices.Sorted(maps.Keys(sh.Members)) {
		v := sh.Members[k]
		if top && w.skipLocated && v.Location != "" {
			continue
		}
		p, elName := w.element(append(append([]string(nil), path...), v.wireName(k)), v.Shape)
		el := w.m.Shapes[elName]
		switch el.Type {
		case "structure":
			if err := w.walkStruct(&el, elName, p); err != nil {
				return err
			}
		case "string":
			if err := w.stringMember(shName, k, v, path, p, &el); err != nil {
				return err
			}
		}
	}
	return nil
}

// element follows the lists and maps of shape name to their element: it
// returns p with "[]" for each list and "{}" for each map crossed, and the
// element's shape name.
func (w *refWalk) element(p []string, name string) ([]string, string) {
	return w.m.element(p, name)
}

// element follows the lists and maps of shape name to their element (see
// refWalk.element).
func (m *model) element(p []string, name string) ([]string, string) {
	el := m.Shapes[name]
	for el.Type == "list" || el.Type == "map" {
		if el.Type == "list" {
			p = append(p, "[]")
			name = el.Member.Shape
		} else {
			p = append(p, "{}")
			name = el.Value.Shape
		}
		el = m.Shapes[name]
	}
	return p, name
}

// walkStruct walks the structure el (named elName) at the JSON path p,
// refusing a recursive shape.
func (w *refWalk) walkStruct(el *shape, elName string, p []string) error {
	if w.stack[elName] {
		return fmt.Errorf("member %s: recursive shape %s", strings.Join(p, "."), elName)
	}
	w.stack[elName] = true
	if err := w.walk(el, elName, p, false); err != nil {
		return err
	}
	delete(w.stack, elName)
	return nil
}

// stringMember classifies member k (v) of the structure shName, a string of
// shape el at the JSON path p (parent being the structure's path), and
// records its reference when it is one.
func (w *refWalk) stringMember(shName, k string, v member, parent, p []string, el *shape) error {
	key := w.api + ":" + shName + "." + k
	c, ok := refClasses[key]
	w.g.usedClasses[key] = true
	switch {
	case ok && c.kind == "":
		w.g.classified[key] = "not a reference: " + c.reason
		return nil
	case ok:
		w.g.classified[key] = "reference " + c.kind
	case w.own[strings.Join(p, ".")]:
		w.g.classified[key] = "the operation's own resource"
		return nil
	case Hinted(k, v.Documentation) || w.api != apiPinpoint && w.g.smsVars[k]:
		w.g.unclassified = append(w.g.unclassified, key)
		return nil
	default:
		w.g.classified[key] = NotHinted
		return nil
	}
	r := genRef{kind: c.kind, derive: c.derive, arg: c.arg, path: p}
	if c.arg == "by-parent" {
		name := ""
		if len(parent) > 0 {
			name = parent[len(parent)-1]
		}
		if r.arg = templateTypes[name]; r.arg == "" {
			return fmt.Errorf("member %s: template of unknown type (parent %q)", strings.Join(p, "."), name)
		}
	}
	if mm := unsetRe.FindStringSubmatch(el.Pattern); mm != nil {
		r.unset = mm[1]
	}
	w.out = append(w.out, r)
	return nil
}

// derives lists the refDerive constants of apimap/references.go.
var derives = map[string]bool{"refAsIs": true, "refRole": true, "refS3URL": true, "refS3Bucket": true, "refLogGroup": true,
	"refFirehose": true, "refEventStream": true, "refSNSTopic": true, "refSESIdentity": true, "refSESAddress": true,
	"refSESConfigSet": true, "refLambda": true, "refLambdaOrURL": true, "refURL": true, "refTemplate": true,
	"refOrigination": true, "refSMSVoiceType": true, "refRecommender": true}

// checkClasses fails when a hinted member has no class, when a class names
// no member of the models, or when a class has an unknown derivation.
func (g *gen) checkClasses() error {
	for k, c := range refClasses {
		if (c.kind == "") != (c.derive == "") || c.kind != "" && !derives[c.derive] || c.kind == "" && c.reason == "" {
			return fmt.Errorf("refClasses %s: bad class %+v", k, c)
		}
	}
	if len(g.unclassified) > 0 {
		u := dedupe(g.unclassified)
		return fmt.Errorf("%d members may name a resource but have no class in refClasses (apimap/internal/codegen/refs.go): %s", len(u), strings.Join(u, ", "))
	}
	var stale []string
	for k := range refClasses {
		if !g.usedClasses[k] {
			stale = append(stale, k)
		}
	}
	sort.Strings(stale)
	if len(stale) > 0 {
		return fmt.Errorf("refClasses entries name no string member of the models: %s", strings.Join(stale, ", "))
	}
	return nil
}

func writeRefs(b *bytes.Buffer, refs []genRef) {
	b.WriteString(",\nrefs: []refSpec{\n")
	for _, r := range refs {
		fmt.Fprintf(b, "{kind: %q, derive: %s, path: %s", r.kind, r.derive, strList(r.path))
		if r.arg != "" {
			fmt.Fprintf(b, ", arg: %q", r.arg)
		}
		if r.unset != "" {
			fmt.Fprintf(b, ", unset: %q", r.unset)
		}
		b.WriteString("},\n")
	}
	b.WriteString("}")
}
