// Command policygenlog writes a synthetic audit log for `gateway policy generate`'s
// figures (bench/policygen.sh): N JSON lines shaped as the gateway writes them (Caddy's
// envelope, the principal, authorizations, the decision inputs: context and evaluations with
// their per-resource keys, matched statements, upstream status), from 200 principals (150
// users, 50 sessions of 5 roles) over 500 apps and 60 phone numbers, about one in ten
// denied. User bench-000 calls GetApp and SendMessages on 40 apps, GetCampaign on 3
// campaigns of one app, SendTextMessage on 2 phone numbers and DescribePools; its denies
// are DeleteApp calls and GetApp on apps of another region. The other principals' denies
// are DeleteApp calls. The sessions of role tenant-1 carry the session tags tenant=t1 and
// cost-center=zürich (a value that is not a plain needle: selecting on it decodes every line).
//
// Usage: go run ./bench/policygenlog -n 1000000 > audit.log
package main

import (
	"bufio"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
)

const (
	acct   = "123456789012"
	region = "us-east-1"
	appPfx = "arn:aws:mobiletargeting:us-east-1:123456789012:apps/"
	smsPfx = "arn:aws:sms-voice:us-east-1:123456789012:"
)

type pair struct{ action, resource, decision string }

func main() {
	n := flag.Int("n", 1_000_000, "records to write")
	seed := flag.Uint64("seed", 1, "random seed")
	flag.Parse()
	rng := rand.New(rand.NewPCG(*seed, 2))
	w := bufio.NewWriterSize(os.Stdout, 1<<20)
	defer w.Flush()
	buf := make([]byte, 0, 4096)
	t0 := 1764600000.0
	for i := 0; i < *n; i++ {
		buf = appendRecord(buf[:0], rng, i, t0+float64(i)*0.001)
		buf = append(buf, '\n')
		if _, err := w.Write(buf); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
}

func app(i int) string { return fmt.Sprintf("app-%03d", i) }

// calls returns the pairs of one request of principal p.
func calls(rng *rand.Rand, p int) (api, op string, pairs []pair) {
	deny := rng.IntN(10) == 0
	if p == 0 { // bench-000: the selection of the figures
		if deny {
			if rng.IntN(2) == 0 {
				return "pinpoint", "DeleteApp", []pair{{"mobiletargeting:DeleteApp", appPfx + app(rng.IntN(40)), "ExplicitDeny"}}
			}
			return "pinpoint", "GetApp", []pair{{"mobiletargeting:GetApp", "arn:aws:mobiletargeting:eu-west-1:123456789012:apps/" + app(rng.IntN(40)), "ImplicitDeny"}}
		}
		switch rng.IntN(6) {
		case 0:
			return "pinpoint", "GetApp", []pair{{"mobiletargeting:GetApp", appPfx + app(rng.IntN(40)), "Allow"}}
		case 1, 2:
			return "pinpoint", "SendMessages", []pair{{"mobiletargeting:SendMessages", appPfx + app(rng.IntN(40)) + "/messages", "Allow"}}
		case 3:
			return "pinpoint", "GetCampaign", []pair{{"mobiletargeting:GetCampaign", appPfx + "app-007/campaigns/camp-" + strconv.Itoa(rng.IntN(3)), "Allow"}}
		case 4:
			return "sms-voice-v2", "SendTextMessage", []pair{
				{"sms-voice:SendTextMessage", smsPfx + "phone-number/phone-" + strconv.Itoa(rng.IntN(2)), "Allow"},
			}
		default:
			return "sms-voice-v2", "DescribePools", []pair{{"sms-voice:DescribePools", "*", "Allow"}}
		}
	}
	a := app(rng.IntN(500))
	if deny {
		return "pinpoint", "DeleteApp", []pair{{"mobiletargeting:DeleteApp", appPfx + a, "ExplicitDeny"}}
	}
	d := "Allow"
	switch rng.IntN(4) {
	case 0:
		return "pinpoint", "GetApp", []pair{{"mobiletargeting:GetApp", appPfx + a, d}}
	case 1:
		return "pinpoint", "SendMessages", []pair{{"mobiletargeting:SendMessages", appPfx + a + "/messages", d}}
	case 2:
		return "pinpoint", "GetSegment", []pair{{"mobiletargeting:GetSegment", appPfx + a + "/segments/seg-" + strconv.Itoa(rng.IntN(20)), d}}
	default:
		return "sms-voice-v2", "SendTextMessage", []pair{
			{"sms-voice:SendTextMessage", smsPfx + "phone-number/phone-" + strconv.Itoa(rng.IntN(60)), d},
		}
	}
}

func appendRecord(b []byte, rng *rand.Rand, i int, ts float64) []byte {
	p := 0
	if rng.IntN(10) != 0 { // bench-000 makes one request in ten
		p = 1 + rng.IntN(199)
	}
	var principal, ptype, role, session string
	if p < 150 {
		principal, ptype = fmt.Sprintf("arn:aws:iam::%s:user/bench-%03d", acct, p), "User"
	} else {
		role = fmt.Sprintf("arn:aws:iam::%s:role/tenant-%d", acct, p%5)
		session = fmt.Sprintf("s-%03d", p)
		principal, ptype = fmt.Sprintf("arn:aws:sts::%s:assumed-role/tenant-%d/%s", acct, p%5, session), "AssumedRole"
	}
	api, op, pairs := calls(rng, p)
	tsS := strconv.FormatFloat(ts, 'f', 6, 64)
	b = append(b, `{"level":"info","ts":`...)
	b = append(b, tsS...)
	b = append(b, `,"logger":"http.handlers.pinpoint_gateway.audit","msg":"request","time":`...)
	b = append(b, tsS...)
	b = append(b, `,"request_id":"`...)
	b = append(b, fmt.Sprintf("%08x-%04x-4%03x-8%03x-%012x", i, rng.IntN(1<<16), rng.IntN(1<<12), rng.IntN(1<<12), rng.Int64N(1<<48))...)
	b = append(b, `","remote_ip":"10.0.`...)
	b = strconv.AppendInt(b, int64(p%256), 10)
	b = append(b, `.17","user_agent":"aws-sdk-go-v2/1.30.3 os/linux lang/go#1.23 md/GOOS#linux api/pinpoint#1.32.0","access_key_id":"AKIABENCH`...)
	b = append(b, fmt.Sprintf("%011d", p)...)
	b = append(b, `","region":"`+region+`","principal_arn":"`...)
	b = append(b, principal...)
	b = append(b, `","principal_type":"`...)
	b = append(b, ptype...)
	b = append(b, '"')
	if role != "" {
		b = append(b, `,"role_arn":"`...)
		b = append(b, role...)
		b = append(b, `","session_name":"`...)
		b = append(b, session...)
		b = append(b, `","session_tags":{`...)
		if p%5 == 1 {
			// A value with a character outside the plain set: selecting on it decodes every line.
			b = append(b, `"cost-center":"zürich",`...)
		}
		b = append(b, `"tenant":"t`...)
		b = strconv.AppendInt(b, int64(p%5), 10)
		b = append(b, `"}`...)
	}
	b = append(b, `,"api":"`...)
	b = append(b, api...)
	b = append(b, `","operation":"`...)
	b = append(b, op...)
	b = append(b, `","authorizations":[`...)
	for j, pr := range pairs {
		if j > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"action":"`...)
		b = append(b, pr.action...)
		b = append(b, '"')
		if pr.resource != "*" {
			b = append(b, `,"resources":["`...)
			b = append(b, pr.resource...)
			b = append(b, `"]`...)
		}
		b = append(b, '}')
	}
	b = append(b, `],"context":{"aws:currenttime":"2026-12-01T17:00:00Z","aws:epochtime":"1796144400","aws:principalaccount":"`+acct+`","aws:principalarn":"`...)
	b = append(b, principal...)
	b = append(b, `","aws:principaltype":"`...)
	b = append(b, ptype...)
	b = append(b, `","aws:requestedregion":"`+region+`","aws:securetransport":"true","aws:sourceip":"10.0.`...)
	b = strconv.AppendInt(b, int64(p%256), 10)
	b = append(b, `.17","aws:useragent":"aws-sdk-go-v2/1.30.3","aws:userid":"AIDABENCH`...)
	b = strconv.AppendInt(b, int64(p), 10)
	b = append(b, `","aws:principaltag/team":"team-`...)
	b = strconv.AppendInt(b, int64(p%7), 10)
	b = append(b, `","aws:multifactorauthpresent":"false","aws:viaawsservice":"false"},"evaluations":[`...)
	decision := "Allow"
	for j, pr := range pairs {
		if j > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"action":"`...)
		b = append(b, pr.action...)
		b = append(b, `","resource":"`...)
		b = append(b, pr.resource...)
		b = append(b, `","keys":{`...)
		if pr.resource != "*" {
			b = append(b, `"aws:resourceaccount":"`+acct+`","aws:resourcetag/env":"prod"`...)
		}
		b = append(b, `},"decision":"`...)
		b = append(b, pr.decision...)
		b = append(b, `"}`...)
		if pr.decision != "Allow" {
			decision = pr.decision
		}
	}
	b = append(b, `],"decision":"`...)
	b = append(b, decision...)
	b = append(b, `","mode":"enforce"`...)
	if decision == "Allow" {
		b = append(b, `,"matched":[{"type":"identity","policy":"AppAccess","sid":"UseApps","index":0,"effect":"Allow"}],"upstream_status":200,"upstream_request_id":"`...)
		b = append(b, fmt.Sprintf("%016x", rng.Uint64())...)
		b = append(b, '"')
	} else {
		b = append(b, `,"reason":"User: `...)
		b = append(b, principal...)
		b = append(b, ` is not authorized to perform: `...)
		b = append(b, pairs[len(pairs)-1].action...)
		b = append(b, ` because no identity-based policy allows the action"`...)
	}
	b = append(b, `,"duration":0.0031,"gateway_duration":0.00004}`...)
	return b
}
