package apimap

import (
	"net/http"
	"runtime"
	"testing"
)

// benchMap runs Map(req) in the benchmark loop with benchCPU.
func benchMap(b *testing.B, req *Request) {
	b.Helper()
	if _, err := Map(req); err != nil {
		b.Fatal(err)
	}
	benchCPU(b, func() error {
		_, err := Map(req)
		return err
	})
}

// benchCPU runs op in the benchmark loop and also reports cpu-ns/op, the
// calling thread's CPU time per operation (Linux), which stays meaningful
// when other processes load the machine. Run it with GOMAXPROCS=1 so that
// the garbage collector's work is counted too.
func benchCPU(b *testing.B, op func() error) {
	b.Helper()
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	start, ok := threadCPU()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if err := op(); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	if end, ok2 := threadCPU(); ok && ok2 && b.N > 0 {
		b.ReportMetric(float64(end-start)/float64(b.N), "cpu-ns/op")
	}
}

// BenchmarkClassifyRESTGet maps a Pinpoint GET (path match, label decoding,
// one ARN).
func BenchmarkClassifyRESTGet(b *testing.B) {
	req := &Request{Method: "GET", RawPath: "/v1/apps/6f1d2c3b4a5948e7a1b2c3d4e5f60718/campaigns/c0ffee01",
		Region: "us-east-1", Account: "123456789012", Service: "mobiletargeting"}
	benchMap(b, req)
}

// BenchmarkClassifyV2 maps an SMS and Voice v2 SendTextMessage (target
// lookup, body scan, two ARNs).
func BenchmarkClassifyV2(b *testing.B) {
	req := &Request{Method: "POST", RawPath: "/", Region: "us-east-1", Account: "123456789012", Service: "sms-voice",
		Header: http.Header{"X-Amz-Target": {"PinpointSMSVoiceV2.SendTextMessage"}, "Content-Type": {"application/x-amz-json-1.0"}},
		Body:   []byte(`{"DestinationPhoneNumber":"+12065550100","OriginationIdentity":"pool-1f2e3d4c5b6a79880123456789abcdef","ConfigurationSetName":"main-config","MessageBody":"Your code is 123456"}`)}
	benchMap(b, req)
}

// BenchmarkClassifyV2NoBody maps a v2 call whose body names nothing.
func BenchmarkClassifyV2NoBody(b *testing.B) {
	req := &Request{Method: "POST", RawPath: "/", Region: "us-east-1", Account: "123456789012",
		Header: http.Header{"X-Amz-Target": {"PinpointSMSVoiceV2.DescribeAccountAttributes"}}, Body: []byte(`{}`)}
	benchMap(b, req)
}

// BenchmarkClassifyReferences maps a v2 CreateEventDestination with a role
// and a Firehose stream (reference walk, iam:PassRole).
func BenchmarkClassifyReferences(b *testing.B) {
	req := &Request{Method: "POST", RawPath: "/", Region: "us-east-1", Account: "123456789012", Service: "sms-voice",
		Header: http.Header{"X-Amz-Target": {"PinpointSMSVoiceV2.CreateEventDestination"}},
		Body:   []byte(`{"ConfigurationSetName":"main-config","EventDestinationName":"e","MatchingEventTypes":["ALL"],"KinesisFirehoseDestination":{"IamRoleArn":"arn:aws:iam::123456789012:role/fh","DeliveryStreamArn":"arn:aws:firehose:us-east-1:123456789012:deliverystream/events"}}`)}
	benchMap(b, req)
}

// BenchmarkClassifyDestinations maps a Pinpoint SendMessages to three
// addresses (one of them email) and an endpoint (destination walk).
func BenchmarkClassifyDestinations(b *testing.B) {
	req := &Request{Method: "POST", RawPath: "/v1/apps/6f1d2c3b4a5948e7a1b2c3d4e5f60718/messages", Region: "us-east-1", Account: "123456789012", Service: "mobiletargeting",
		Body: []byte(`{"Addresses":{"+447700900123":{"ChannelType":"SMS"},"+12065550100":{"ChannelType":"SMS"},"a@example.com":{"ChannelType":"EMAIL"}},"Endpoints":{"ep-1":{}},"MessageConfiguration":{"SMSMessage":{"Body":"Your code is 123456","MessageType":"TRANSACTIONAL"}}}`)}
	benchMap(b, req)
}
