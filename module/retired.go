package module

import (
	"net/http"

	"github.com/pinpointgw/gateway/apimap"
	"github.com/pinpointgw/gateway/authz"
	"github.com/pinpointgw/gateway/awserr"
	"github.com/pinpointgw/gateway/metrics"
)

// What the gateway does with calls to operations AWS retired (Amazon
// Pinpoint's engagement features, 2026-10-30; apimap.OperationLifecycle).
const (
	// RetiredForward forwards them like any other call: AWS stays the
	// authority on what it still answers.
	RetiredForward = "forward"
	// RetiredDeny answers them in the gateway with MethodNotAllowedException
	// (405), after the policy decision, without calling AWS.
	RetiredDeny = "deny"
)

// retiredAnswer is the message of a retired operation answered locally.
const retiredAnswer = "Amazon Pinpoint ended support for this operation with its engagement features on 2026-10-30; " +
	"this gateway answers it itself (retired_operations deny). SMS, voice, push, OTP and phone number validation continue as AWS End User Messaging."

// admitRetired answers an allowed call to a retired operation when
// retired_operations is deny; false means it answered. In dry_run it
// records the decision with a "would deny" reason and the call goes on.
func (g *Gateway) admitRetired(w http.ResponseWriter, rs *requestState) bool {
	if rs.lifecycle != apimap.Retired || g.RetiredOperations != RetiredDeny || rs.decision != authz.Allow.String() {
		return true
	}
	rs.decision = metrics.DecisionRetired
	if g.dryRun {
		rs.reason = "would deny: " + retiredAnswer
		return true
	}
	rs.reason = retiredAnswer
	rs.writeError(w, http.StatusMethodNotAllowed, awserr.MethodNotAllowedException, retiredAnswer)
	return false
}
