package upstreampolicy

import (
	"strings"

	"github.com/pinpointgw/gateway/apimap"
)

// spelled maps a lower-cased known action to its spelling in the Service Authorization
// Reference, as far as apimap's exported tables tell it (an operation's name, which is
// its action's, and the retired actions), and otherwise as listed here: iam:PassRole and
// the SMS and Voice v2 actions newer than the models (apimap's unmodeledV2Table).
// TestActionNameSpellsEveryKnownAction fails when a known action has no spelling.
var spelled = func() map[string]string {
	m := map[string]string{
		"iam:passrole":                        "iam:PassRole",
		"sms-voice:listavailablephonenumbers": "sms-voice:ListAvailablePhoneNumbers",
	}
	for _, op := range apimap.Operations() {
		a := apimap.SigningName(op[0]) + ":" + op[1]
		m[strings.ToLower(a)] = a
	}
	for _, a := range apimap.RetiredActions() {
		m[strings.ToLower(a)] = a
	}
	return m
}()

// ActionName returns the usual spelling of a known action given in any case (IAM
// compares actions ignoring case); an action it cannot spell is returned as given.
func ActionName(action string) string {
	if s, ok := spelled[strings.ToLower(action)]; ok {
		return s
	}
	return action
}
