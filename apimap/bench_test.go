package apimap

import (
	"net/http"
	"testing"
)

// BenchmarkClassifyRESTGet maps a Pinpoint GET (path match, label decoding,
// one ARN).
func BenchmarkClassifyRESTGet(b *testing.B) {
	req := &Request{Method: "GET", RawPath: "/v1/apps/6f1d2c3b4a5948e7a1b2c3d4e5f60718/campaigns/c0ffee01",
		Region: "us-east-1", Account: "123456789012", Service: "mobiletargeting"}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Map(req); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkClassifyV2 maps an SMS and Voice v2 SendTextMessage (target
// lookup, body scan, two ARNs).
func BenchmarkClassifyV2(b *testing.B) {
	req := &Request{Method: "POST", RawPath: "/", Region: "us-east-1", Account: "123456789012", Service: "sms-voice",
		Header: http.Header{"X-Amz-Target": {"PinpointSMSVoiceV2.SendTextMessage"}, "Content-Type": {"application/x-amz-json-1.0"}},
		Body:   []byte(`{"DestinationPhoneNumber":"+12065550100","OriginationIdentity":"pool-1f2e3d4c5b6a79880123456789abcdef","ConfigurationSetName":"main-config","MessageBody":"Your code is 123456"}`)}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Map(req); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkClassifyV2NoBody maps a v2 call whose body names nothing.
func BenchmarkClassifyV2NoBody(b *testing.B) {
	req := &Request{Method: "POST", RawPath: "/", Region: "us-east-1", Account: "123456789012",
		Header: http.Header{"X-Amz-Target": {"PinpointSMSVoiceV2.DescribeAccountAttributes"}}, Body: []byte(`{}`)}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Map(req); err != nil {
			b.Fatal(err)
		}
	}
}
