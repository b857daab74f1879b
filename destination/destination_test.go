package destination

import (
	"errors"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/nyaruka/phonenumbers"

	"github.com/pinpointgw/gateway/apimap"
	"github.com/pinpointgw/gateway/authz"
)

func TestParse(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		in   string
		want Number
		err  error
	}{
		"US":                     {in: "+12065550100", want: Number{"+12065550100", "US", "1", FixedLineOrMobile}},
		"Canada shares +1":       {in: "+16135550123", want: Number{"+16135550123", "CA", "1", FixedLineOrMobile}},
		"US premium rate":        {in: "+19005550100", want: Number{"+19005550100", "US", "1", PremiumRate}},
		"US toll free":           {in: "+18005550100", want: Number{"+18005550100", "US", "1", TollFree}},
		"UK premium rate":        {in: "+449098790000", want: Number{"+449098790000", "GB", "44", PremiumRate}},
		"UK toll free":           {in: "+448001234567", want: Number{"+448001234567", "GB", "44", TollFree}},
		"France mobile":          {in: "+33612345678", want: Number{"+33612345678", "FR", "33", Mobile}},
		"Isle of Man shares +44": {in: "+447624123456", want: Number{"+447624123456", "IM", "44", Mobile}},
		"Kazakhstan shares +7":   {in: "+77011234567", want: Number{"+77011234567", "KZ", "7", Mobile}},
		"Italy keeps its 0":      {in: "+390612345678", want: Number{"+390612345678", "IT", "39", FixedLine}},
		"Ireland fixed line":     {in: "+35312345678", want: Number{"+35312345678", "IE", "353", FixedLine}},

		"no plus":                {in: "12065550100", err: ErrNotE164},
		"national form":          {in: "02065550100", err: ErrNotE164},
		"spaces":                 {in: "+1 206 555 0100", err: ErrNotE164},
		"dashes":                 {in: "+1-206-555-0100", err: ErrNotE164},
		"letters":                {in: "+1800FLOWERS", err: ErrNotE164},
		"extension":              {in: "+12065550100;ext=1", err: ErrNotE164},
		"leading zero":           {in: "+012065550100", err: ErrNotE164},
		"too long":               {in: "+1206555010012345", err: ErrNotE164},
		"empty":                  {in: "", err: ErrNotE164},
		"plus only":              {in: "+", err: ErrNotE164},
		"full-width digits":      {in: "+１２０６５５５０１００", err: ErrNotE164},
		"invalid range":          {in: "+441632960000", err: ErrInvalid},
		"unassigned code":        {in: "+9991234567", err: ErrInvalid},
		"too short for its CC":   {in: "+4412", err: ErrInvalid},
		"satellite (no country)": {in: "+881612345678", err: ErrNoCountry},
		"freephone (no country)": {in: "+80012345678", err: ErrNoCountry},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got, err := Parse(tt.in)
			if !errors.Is(err, tt.err) {
				t.Fatalf("Parse(%q) error = %v, want %v", tt.in, err, tt.err)
			}
			if got != tt.want {
				t.Errorf("Parse(%q) = %+v, want %+v", tt.in, got, tt.want)
			}
		})
	}
}

func TestRead(t *testing.T) {
	t.Parallel()
	in := []apimap.Destination{
		{Form: apimap.DestinationPhoneNumber, Member: "DestinationPhoneNumber", Value: "+33612345678"},
		{Form: apimap.DestinationVerifiedID, Member: "VerifiedDestinationNumberId", Value: "verifieddestinationnumber-1"},
		{Form: apimap.DestinationVerifiedID, Member: "VerifiedDestinationNumberId", Value: "verifieddestinationnumber-2"},
		{Form: apimap.DestinationEndpoint, Member: `MessageRequest.Endpoints["e1"]`, Value: "e1"},
		{Form: apimap.DestinationUser, Member: `Users["u1"]`, Value: "u1"},
		{Form: apimap.DestinationPhoneNumber, Member: "x", Value: "+33 6 12 34 56 78"},
	}
	errLookup := errors.New("lookup failed")
	resolve := func(d apimap.Destination) (string, error) {
		if d.Value == "verifieddestinationnumber-1" {
			return "+449098790000", nil
		}
		return "", errLookup
	}
	got := Read(in, resolve)
	if len(got) != len(in) {
		t.Fatalf("Read returned %d destinations, want %d", len(got), len(in))
	}
	wantErr := []error{nil, nil, errLookup, ErrNoNumber, ErrNoNumber, ErrNotE164}
	for i := range got {
		if got[i].Destination != in[i] {
			t.Errorf("destination %d = %+v, want %+v", i, got[i].Destination, in[i])
		}
		if !errors.Is(got[i].Err, wantErr[i]) || (wantErr[i] == nil) != (got[i].Err == nil) {
			t.Errorf("destination %d error = %v, want %v", i, got[i].Err, wantErr[i])
		}
	}
	if got[1].Number.Type != PremiumRate {
		t.Errorf("resolved number = %+v, want the premium-rate number it resolves to", got[1].Number)
	}
	if !Unreadable(got) || Unreadable(got[:2]) {
		t.Errorf("Unreadable: want true for all, false for the first two")
	}
	if Read(nil, resolve) != nil {
		t.Error("Read(nil) != nil")
	}
	if r := Read(in[1:2], nil); !errors.Is(r[0].Err, ErrNoNumber) {
		t.Errorf("verified ID without a resolver: error %v, want ErrNoNumber", r[0].Err)
	}
}

func TestValue(t *testing.T) {
	t.Parallel()
	ds := Read([]apimap.Destination{
		{Form: apimap.DestinationPhoneNumber, Value: "+447624123456"},
		{Form: apimap.DestinationPhoneNumber, Value: "not a number"},
	}, nil)
	for key, want := range map[string]string{
		KeyNumber: "+447624123456", "GATEWAY:destinationcountry": "IM", KeyCallingCode: "44", KeyNumberType: Mobile,
	} {
		if v, ok := ds[0].ValueOf(key); !ok || v != want {
			t.Errorf("Value(%q) = %q, %v; want %q", key, v, ok, want)
		}
		if v, ok := ds[1].ValueOf(key); ok {
			t.Errorf("unreadable destination: Value(%q) = %q, want none", key, v)
		}
	}
	for _, key := range []string{KeyCount, "aws:PrincipalArn", "gateway:Destination"} {
		if IsPerDestination(key) {
			t.Errorf("IsPerDestination(%q) = true", key)
		}
		if _, ok := ds[0].ValueOf(key); ok {
			t.Errorf("Value(%q) found a value", key)
		}
	}
}

func TestSetContext(t *testing.T) {
	t.Parallel()
	ds := Read([]apimap.Destination{
		{Form: apimap.DestinationPhoneNumber, Value: "+33612345678"},
		{Form: apimap.DestinationPhoneNumber, Value: "+33612345679"},
		{Form: apimap.DestinationPhoneNumber, Value: "+449098790000"},
		{Form: apimap.DestinationPhoneNumber, Value: "garbage"},
	}, nil)
	c := authz.NewContext()
	SetContext(c, ds)
	want := map[string][]string{
		KeyCount:       {"4"},
		KeyNumber:      {"+33612345678", "+33612345679", "+449098790000"},
		KeyCountry:     {"FR", "GB"},
		KeyCallingCode: {"33", "44"},
		KeyNumberType:  {Mobile, PremiumRate},
	}
	for key, w := range want {
		got, multi, ok := c.Lookup(key)
		if !ok || !slices.Equal(got, w) {
			t.Errorf("%s = %q, want %q", key, got, w)
		}
		if multi != (key != KeyCount) {
			t.Errorf("%s multi-valued = %v", key, multi)
		}
	}

	empty := authz.NewContext()
	SetContext(empty, nil)
	if keys := empty.Keys(); len(keys) != 0 {
		t.Errorf("no destinations set keys %v", keys)
	}
	onlyBad := authz.NewContext()
	SetContext(onlyBad, ds[3:])
	if keys := onlyBad.Keys(); len(keys) != 1 || !strings.EqualFold(keys[0], KeyCount) {
		t.Errorf("an unreadable destination set keys %v, want only the count", keys)
	}
}

// BenchmarkParse measures one number: "cached" is a number seen before,
// "uncached" the libphonenumber classification every new number costs.
func BenchmarkParse(b *testing.B) {
	for _, n := range []string{"+12065550100", "+447624123456", "+449098790000", "+33612345678"} {
		b.Run("cached/"+n, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_, _ = Parse(n)
			}
		})
		b.Run("uncached/"+n, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_, _ = classify(n)
			}
		})
	}
}

// reference classifies s the library's own way: its parser, then
// IsValidNumber, GetRegionCodeForNumber and GetNumberType.
func reference(s string) (Number, bool) {
	pn, err := phonenumbers.Parse(s, "")
	if err != nil || !phonenumbers.IsValidNumber(pn) || phonenumbers.Format(pn, phonenumbers.E164) != s {
		return Number{}, false
	}
	region := phonenumbers.GetRegionCodeForNumber(pn)
	if len(region) != 2 {
		return Number{}, false
	}
	return Number{s, region, strconv.Itoa(int(pn.GetCountryCode())), numberTypes[phonenumbers.GetNumberType(pn)]}, true
}

// TestClassifyAgreesWithLibraryParser holds the gateway's own split of an
// E.164 string (country calling code, national number) against the
// library's parser: on the metadata's example number of every type of every
// region, and on numbers derived from them by changing digits.
func TestClassifyAgreesWithLibraryParser(t *testing.T) {
	t.Parallel()
	var inputs []string
	for region := range phonenumbers.GetSupportedRegions() {
		for typ := phonenumbers.FIXED_LINE; typ < phonenumbers.UNKNOWN; typ++ {
			if pn := phonenumbers.GetExampleNumberForType(region, typ); pn != nil {
				inputs = append(inputs, phonenumbers.Format(pn, phonenumbers.E164))
			}
		}
	}
	for cc := range phonenumbers.GetSupportedGlobalNetworkCallingCodes() {
		if pn := phonenumbers.GetExampleNumberForNonGeoEntity(cc); pn != nil {
			inputs = append(inputs, phonenumbers.Format(pn, phonenumbers.E164))
		}
	}
	if len(inputs) < 1000 {
		t.Fatalf("only %d example numbers: the metadata is not loaded", len(inputs))
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, s := range inputs[:len(inputs):len(inputs)] {
		b := []byte(s)
		for range 3 { // change one digit, drop the last, add a zero after the code
			i := 1 + rng.IntN(len(b)-1)
			c := slices.Clone(b)
			c[i] = byte('0' + rng.IntN(10))
			inputs = append(inputs, string(c), s[:len(s)-1], s[:3]+"0"+s[3:])
		}
	}
	valid := 0
	for _, s := range inputs {
		want, ok := reference(s)
		got, err := classify(s)
		if !isE164(s) {
			continue
		}
		if ok != (err == nil) || got != want {
			t.Errorf("classify(%q) = %+v, %v; the library's parser says %+v, valid %v", s, got, err, want, ok)
		}
		if ok {
			valid++
		}
	}
	if valid < 1000 {
		t.Errorf("only %d of %d inputs valid: the test would not catch much", valid, len(inputs))
	}
}
