package awserr

import "testing"

// TestAdapt checks the code each protocol uses for a REST JSON code.
func TestAdapt(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		code                string
		restJSON, json, qry string
	}{
		"access denied":  {AccessDeniedException, AccessDeniedException, AccessDeniedException, AccessDenied},
		"bad request":    {BadRequestException, BadRequestException, ValidationException, InvalidParameterValue},
		"validation":     {ValidationException, ValidationException, ValidationException, InvalidParameterValue},
		"too large":      {PayloadTooLargeException, PayloadTooLargeException, PayloadTooLargeException, RequestEntityTooLarge},
		"timeout":        {RequestTimeoutException, RequestTimeoutException, RequestTimeoutException, RequestTimeout},
		"bad gateway":    {BadGateway, BadGateway, BadGateway, BadGateway},
		"internal":       {InternalFailure, InternalFailure, InternalFailure, InternalFailure},
		"throttled":      {TooManyRequestsException, TooManyRequestsException, ThrottlingException, Throttling},
		"unavailable":    {ServiceUnavailable, ServiceUnavailable, ServiceUnavailable, ServiceUnavailable},
		"already query":  {MalformedInput, MalformedInput, MalformedInput, MalformedInput},
		"authentication": {InvalidSignatureException, InvalidSignatureException, InvalidSignatureException, InvalidSignatureException},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			for p, want := range map[Protocol]string{RESTJSON: tc.restJSON, JSON: tc.json, Query: tc.qry} {
				if got := p.Adapt(tc.code); got != want {
					t.Errorf("%s.Adapt(%q) = %q, want %q", p, tc.code, got, want)
				}
			}
		})
	}
}

func TestProtocolString(t *testing.T) {
	t.Parallel()
	for p, want := range map[Protocol]string{RESTJSON: "rest-json", JSON: "json", Query: "query"} {
		if got := p.String(); got != want {
			t.Errorf("Protocol(%d).String() = %q, want %q", p, got, want)
		}
	}
}
