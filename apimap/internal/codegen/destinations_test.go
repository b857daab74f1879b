package codegen

import (
	"strings"
	"testing"

	"github.com/pinpointgw/gateway/internal/testenv"
)

// TestGeneratorFailsOnUnclassifiedSend adds a v2 operation SendFaxMessage
// (in the model and in the join) whose recipient member has no destination
// class, and removes the member of Pinpoint's PhoneNumberValidate, and
// checks that Generate refuses the data and names both operations.
func TestGeneratorFailsOnUnclassifiedSend(t *testing.T) {
	t.Parallel()
	dir := editedData(t, func(v2, pinpoint, join map[string]any) {
		v2["operations"].(map[string]any)["SendFaxMessage"] = map[string]any{
			"name": "SendFaxMessage", "http": map[string]any{"method": "POST", "requestUri": "/"},
			"input": map[string]any{"shape": "SendFaxMessageRequest"},
		}
		v2["shapes"].(map[string]any)["SendFaxMessageRequest"] = map[string]any{
			"type": "structure", "members": map[string]any{"FaxNumber": map[string]any{"shape": "String"}},
		}
		ops := join["operations"].([]any)
		join["operations"] = append(ops, map[string]any{
			"api": "pinpoint-sms-voice-v2", "operation": "SendFaxMessage",
			"http":       map[string]any{"method": "POST", "request_uri": "/", "x_amz_target": "PinpointSMSVoiceV2.SendFaxMessage"},
			"iam_action": "sms-voice:SendTextMessage", "access_level": "Write",
		})
		delete(pinpoint["shapes"].(map[string]any)["NumberValidateRequest"].(map[string]any)["members"].(map[string]any), "PhoneNumber")
	})
	_, err := Generate(dir)
	if err == nil {
		t.Fatal("Generate(a Send operation without destinations) succeeded, want an error")
	}
	for _, want := range []string{"sms-voice-v2:SendFaxMessage", "pinpoint:PhoneNumberValidate"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("Generate error %q does not name %s", err, want)
		}
	}
}

// TestGeneratorFailsOnStaleDestinations changes the tables (so it does not
// run in parallel) and checks that Generate refuses an entry that names
// nothing of the models, a reason for an operation that has destinations,
// and a destination member in an operation that is not a destination
// operation.
func TestGeneratorFailsOnStaleDestinations(t *testing.T) {
	data := testenv.SharedData(t)
	tests := map[string]struct {
		edit func() (undo func())
		want string
	}{
		"class of no member": {
			edit: func() func() {
				destClasses["pinpoint:MessageRequest.Recipients"] = destPhone
				return func() { delete(destClasses, "pinpoint:MessageRequest.Recipients") }
			},
			want: "pinpoint:MessageRequest.Recipients",
		},
		"destination operation of no operation": {
			edit: func() func() {
				destOps["sms-voice-v2:FaxLookup"] = true
				return func() { delete(destOps, "sms-voice-v2:FaxLookup") }
			},
			want: "sms-voice-v2:FaxLookup",
		},
		"reason for an operation with destinations": {
			edit: func() func() {
				noDestinations["pinpoint:SendMessages"] = "sends nothing"
				return func() { delete(noDestinations, "pinpoint:SendMessages") }
			},
			want: "pinpoint:SendMessages",
		},
		"destination in an operation that sends nothing": {
			edit: func() func() {
				destClasses["pinpoint:VerifyOTPMessageRequestParameters.DestinationIdentity"] = destPhone
				return func() { delete(destClasses, "pinpoint:VerifyOTPMessageRequestParameters.DestinationIdentity") }
			},
			want: "pinpoint:VerifyOTPMessage",
		},
		"operation that must send but has no member": {
			edit: func() func() {
				destOps["pinpoint:VerifyOTPMessage"] = true
				return func() { delete(destOps, "pinpoint:VerifyOTPMessage") }
			},
			want: "pinpoint:VerifyOTPMessage",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			undo := tc.edit()
			defer undo()
			_, err := Generate(data)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Generate error = %v, want one naming %s", err, tc.want)
			}
		})
	}
	if _, err := Generate(data); err != nil {
		t.Errorf("Generate after the edits were undone: %v", err)
	}
}
