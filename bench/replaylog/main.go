// Command replaylog writes a synthetic audit log of N records shaped like
// the gateway's own (the fields and sizes of module/audit.go's records:
// context, evaluations, session policies, Caddy's envelope), and the two
// stores bench/replay.sh replays it against: the store the log was
// "recorded" under and a candidate that revokes a known share of it.
//
// Usage: replaylog -n 1000000 -out DIR
//
// The mix, per 1,000 records: 700 allows of users (Pinpoint GETs with one
// pair, SMS sends with destinations), 150 role-session allows (session tags,
// a session policy), 80 explicit denies, 30 STS AssumeRole calls, 20
// unauthenticated calls, 20 pairs of three resources; one Caddy line every
// 1,000 records. Each record's request ID is its sequence number, so the
// flips are checkable: the candidate store denies mobiletargeting:GetApp on
// apps of tenant "t7" (resource tag), so every GetApp record on such an app
// flips.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"
)

const account = "123456789012"

func main() {
	n := flag.Int("n", 1000000, "records to write")
	dir := flag.String("out", ".", "directory of audit.log, store.json and candidate.json")
	flag.Parse()
	if err := run(*n, *dir); err != nil {
		log.Fatal(err)
	}
}

func run(n int, dir string) error {
	if err := writeStores(dir); err != nil {
		return err
	}
	f, err := os.Create(filepath.Join(dir, "audit.log"))
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	start := time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
	flips := 0
	for i := range n {
		if i%1000 == 0 {
			fmt.Fprintf(w, `{"level":"info","ts":%d.0,"logger":"tls","msg":"cleaning storage unit","storage":"FileStorage:/data/caddy"}`+"\n", start.Unix()+int64(i/1000))
		}
		at := start.Add(time.Duration(i) * 10 * time.Millisecond)
		if record(w, i, at) {
			flips++
		}
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	fmt.Printf("%d records; %d GetApp allows on tenant t7's apps (the candidate flips them)\n", n, flips)
	return nil
}

// record writes record i; it reports whether the candidate flips it.
func record(w *bufio.Writer, i int, at time.Time) bool {
	ts := fmt.Sprintf("%d.%03d", at.Unix(), at.Nanosecond()/1e6)
	now := at.Format(time.RFC3339)
	id := fmt.Sprintf("00000000-0000-4000-8000-%012d", i)
	user := fmt.Sprintf("user-%d", i%50)
	team := fmt.Sprintf("t%d", i%10)
	app := fmt.Sprintf("arn:aws:mobiletargeting:us-east-1:%s:apps/app-%d", account, i%97)
	appTenant := fmt.Sprintf("t%d", (i%97)%10)
	head := fmt.Sprintf(`{"level":"info","ts":%s,"logger":"http.handlers.pinpoint_gateway.audit","msg":"request","time":%s,"request_id":%q,"remote_ip":"10.0.%d.%d","user_agent":"aws-sdk-go-v2/1.36.3 ua/2.1 os/linux lang/go#1.26.8 md/GOOS#linux md/GOARCH#amd64 api/pinpoint#1.35.2"`,
		ts, ts, id, i%200, i%250)
	userCtx := func(principal, extra string) string {
		return fmt.Sprintf(`"aws:currenttime":%q,"aws:epochtime":"%d","aws:principalaccount":%q,"aws:principalarn":%q,"aws:principalisawsservice":"false","aws:principaltag/team":%q,"aws:principaltype":"User","aws:requestedregion":"us-east-1","aws:securetransport":"true","aws:sourceip":"10.0.%d.%d","aws:useragent":"aws-sdk-go-v2/1.36.3 ua/2.1 os/linux lang/go#1.26.8 md/GOOS#linux md/GOARCH#amd64 api/pinpoint#1.35.2","aws:userid":"AIDA%017d","aws:username":%q,"aws:viaawsservice":"false"%s`,
			now, at.Unix(), account, principal, team, i%200, i%250, i%50, user, extra)
	}
	userARN := fmt.Sprintf("arn:aws:iam::%s:user/%s", account, user)
	tail := fmt.Sprintf(`"upstream_status":200,"upstream_request_id":"%08x-aaaa-4bbb-8ccc-%012x","duration":0.004%03d,"gateway_duration":0.000%03d}`+"\n", i, i, i%1000, i%1000)
	flip := false
	switch m := i % 1000; {
	case m < 450: // a user's GetApp: one pair, the app's tags
		fmt.Fprintf(w, `%s,"access_key_id":"AKIA%016d","region":"us-east-1","principal_arn":%q,"principal_type":"User","api":"pinpoint","operation":"GetApp","authorizations":[{"action":"mobiletargeting:GetApp","resources":[%q]}],"decision":"Allow","mode":"enforce","matched":[{"type":"identity","policy":"PinpointRead","sid":"Read","index":0,"effect":"Allow"}],"context":{%s},"evaluations":[{"action":"mobiletargeting:GetApp","resource":%q,"keys":{"aws:resourceaccount":%q,"aws:resourceorgid":"o-abcdef1234","aws:resourcetag/tenant":%q},"decision":"Allow"}],%s`,
			head, i%50, userARN, app, userCtx(userARN, `,"aws:principalorgid":"o-abcdef1234"`), app, account, appTenant, tail)
		flip = appTenant == "t7"
	case m < 700: // a user's SendTextMessage: destinations
		fmt.Fprintf(w, `%s,"access_key_id":"AKIA%016d","region":"us-east-1","principal_arn":%q,"principal_type":"User","api":"sms-voice-v2","operation":"SendTextMessage","authorizations":[{"action":"sms-voice:SendTextMessage","resources":["*"]}],"destinations":[{"member":"DestinationPhoneNumber","value":"+3361234%04d","form":"phone-number","country":"FR","calling_code":"33","number_type":"MOBILE"}],"decision":"Allow","mode":"enforce","matched":[{"type":"identity","policy":"Send","sid":"SendSMS","index":0,"effect":"Allow"}],"context":{%s},"evaluations":[{"action":"sms-voice:SendTextMessage","resource":"*","decision":"Allow"}],"quotas":["per-tenant"],%s`,
			head, i%50, userARN, i%10000, userCtx(userARN, fmt.Sprintf(`,"gateway:destinationcallingcode":["33"],"gateway:destinationcount":"1","gateway:destinationcountry":["FR"],"gateway:destinationnumber":["+3361234%04d"],"gateway:destinationnumbertype":["MOBILE"]`, i%10000)), tail)
	case m < 850: // a role session's GetApp of its tenant's app, with session tags and a session policy
		tenant := fmt.Sprintf("t%d", i%10)
		j := (i%9)*10 + i%10 // an app of the session's tenant
		app, appTenant = fmt.Sprintf("arn:aws:mobiletargeting:us-east-1:%s:apps/app-%d", account, j), tenant
		sess := fmt.Sprintf("arn:aws:sts::%s:assumed-role/tenant-app/worker-%d", account, i%20)
		ctx := fmt.Sprintf(`"aws:currenttime":%q,"aws:epochtime":"%d","aws:multifactorauthpresent":"false","aws:principalaccount":%q,"aws:principalarn":"arn:aws:iam::%s:role/tenant-app","aws:principalisawsservice":"false","aws:principaltag/tenant":%q,"aws:principaltype":"AssumedRole","aws:requestedregion":"us-east-1","aws:securetransport":"true","aws:sourceip":"10.1.0.%d","aws:tokenissuetime":%q,"aws:userid":"AROAEXAMPLETENANTAPP1:worker-%d","aws:viaawsservice":"false"`,
			now, at.Unix(), account, account, tenant, i%250, at.Add(-10*time.Minute).Format(time.RFC3339), i%20)
		fmt.Fprintf(w, `%s,"access_key_id":"ASIA%016d","region":"us-east-1","principal_arn":%q,"principal_type":"AssumedRole","role_arn":"arn:aws:iam::%s:role/tenant-app","session_name":"worker-%d","session_tags":{"tenant":%q},"session_policy":{"Version":"2012-10-17","Statement":[{"Sid":"OnlyReads","Effect":"Allow","Action":"mobiletargeting:Get*","Resource":"*"}]},"api":"pinpoint","operation":"GetApp","authorizations":[{"action":"mobiletargeting:GetApp","resources":[%q]}],"decision":"Allow","mode":"enforce","matched":[{"type":"identity","policy":"TenantScoped","sid":"OwnApps","index":0,"effect":"Allow"},{"type":"session","policy":"session policy","sid":"OnlyReads","index":0,"effect":"Allow"}],"context":{%s},"evaluations":[{"action":"mobiletargeting:GetApp","resource":%q,"keys":{"aws:resourceaccount":%q,"aws:resourcetag/tenant":%q},"decision":"Allow"}],%s`,
			head, i, sess, account, i%20, tenant, app, ctx, app, account, appTenant, tail)
	case m < 930: // an explicit deny
		fmt.Fprintf(w, `%s,"access_key_id":"AKIA%016d","region":"us-east-1","principal_arn":%q,"principal_type":"User","api":"pinpoint","operation":"DeleteApp","authorizations":[{"action":"mobiletargeting:DeleteApp","resources":[%q]}],"decision":"ExplicitDeny","mode":"enforce","reason":"User: %s is not authorized to perform: mobiletargeting:DeleteApp on resource: %s with an explicit deny in an identity-based policy","matched":[{"type":"identity","policy":"PinpointRead","sid":"NoDeletes","index":1,"effect":"Deny"}],"context":{%s},"evaluations":[{"action":"mobiletargeting:DeleteApp","resource":%q,"keys":{"aws:resourceaccount":%q,"aws:resourceorgid":"o-abcdef1234","aws:resourcetag/tenant":%q},"decision":"ExplicitDeny"}],"duration":0.000%03d,"gateway_duration":0.000%03d}`+"\n",
			head, i%50, userARN, app, userARN, app, userCtx(userARN, `,"aws:principalorgid":"o-abcdef1234"`), app, account, appTenant, i%1000, i%1000)
	case m < 960: // the local STS
		fmt.Fprintf(w, `%s,"access_key_id":"AKIA%016d","region":"us-east-1","principal_arn":%q,"principal_type":"User","api":"sts","operation":"AssumeRole","authorizations":[{"action":"sts:AssumeRole","resources":["arn:aws:iam::%s:role/tenant-app"]}],"decision":"Allow","mode":"enforce","matched":[{"type":"resource","policy":"trust policy","sid":"Backend","index":0,"effect":"Allow"}],"issued_principal_arn":"arn:aws:sts::%s:assumed-role/tenant-app/worker-%d","issued_session_tags":{"tenant":"t%d"},"duration":0.000%03d,"gateway_duration":0.000%03d}`+"\n",
			head, i%50, userARN, account, account, i%20, i%10, i%1000, i%1000)
	case m < 980: // unauthenticated
		fmt.Fprintf(w, `%s,"access_key_id":"AKIAUNKNOWN%09d","decision":"Unauthenticated","mode":"enforce","reason":"The security token included in the request is invalid.","duration":0.000%03d,"gateway_duration":0.000%03d}`+"\n",
			head, i%1000, i%1000, i%1000)
	default: // three pairs
		pools := [3]string{}
		evals := ""
		for k := range pools {
			pools[k] = fmt.Sprintf("arn:aws:sms-voice:us-east-1:%s:pool/pool-%032d", account, (i+k)%500)
			if k > 0 {
				evals += ","
			}
			evals += fmt.Sprintf(`{"action":"sms-voice:DescribePools","resource":%q,"keys":{"aws:resourceaccount":%q,"aws:resourceorgid":"o-abcdef1234"},"tags_unknown":true,"decision":"Allow"}`, pools[k], account)
		}
		res, _ := json.Marshal(pools)
		fmt.Fprintf(w, `%s,"access_key_id":"AKIA%016d","region":"us-east-1","principal_arn":%q,"principal_type":"User","api":"sms-voice-v2","operation":"DescribePools","authorizations":[{"action":"sms-voice:DescribePools","resources":%s}],"decision":"Allow","mode":"enforce","matched":[{"type":"identity","policy":"PinpointRead","sid":"Read","index":0,"effect":"Allow"},{"type":"identity","policy":"PinpointRead","sid":"Read","index":0,"effect":"Allow"},{"type":"identity","policy":"PinpointRead","sid":"Read","index":0,"effect":"Allow"}],"context":{%s},"evaluations":[%s],%s`,
			head, i%50, userARN, res, userCtx(userARN, `,"aws:principalorgid":"o-abcdef1234"`), evals, tail)
	}
	return flip
}

// writeStores writes store.json (what the log was recorded under) and
// candidate.json (the same, with GetApp denied on tenant t7's apps).
func writeStores(dir string) error {
	for name, extra := range map[string]string{
		"store.json":     "",
		"candidate.json": `,{"Sid":"NotT7","Effect":"Deny","Action":"mobiletargeting:GetApp","Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/tenant":"t7"}}}`,
	} {
		users := ""
		for u := range 50 {
			if u > 0 {
				users += ","
			}
			users += fmt.Sprintf(`{"name":"user-%d","tags":{"team":"t%d"},"access_keys":[{"id":"AKIA%016d","secret":"bench/secret/do-not-use/%016d"}],"policies":["PinpointRead","Send"]}`, u, u%10, u, u)
		}
		store := fmt.Sprintf(`{"users":[%s],
"roles":[{"name":"tenant-app","trust_policy":{"Version":"2012-10-17","Statement":[{"Sid":"Backend","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::%s:user/user-0"},"Action":["sts:AssumeRole","sts:TagSession"]}]},"policies":["TenantScoped"]}],
"policies":{
 "PinpointRead":{"Version":"2012-10-17","Statement":[{"Sid":"Read","Effect":"Allow","Action":["mobiletargeting:Get*","sms-voice:Describe*"],"Resource":"*"},{"Sid":"NoDeletes","Effect":"Deny","Action":"mobiletargeting:Delete*","Resource":"*"}%s]},
 "Send":{"Version":"2012-10-17","Statement":[{"Sid":"SendSMS","Effect":"Allow","Action":"sms-voice:SendTextMessage","Resource":"*","Condition":{"ForAllValues:StringEquals":{"gateway:DestinationCountry":"FR"},"Null":{"gateway:DestinationCountry":"false"}}}]},
 "TenantScoped":{"Version":"2012-10-17","Statement":[{"Sid":"OwnApps","Effect":"Allow","Action":"mobiletargeting:GetApp","Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/tenant":"${aws:PrincipalTag/tenant}"}}}]}
}}`, users, account, extra)
		if err := os.WriteFile(filepath.Join(dir, name), []byte(store), 0o600); err != nil {
			return err
		}
	}
	return nil
}
