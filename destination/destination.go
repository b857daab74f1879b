// Package destination reads where a message goes: the phone numbers a
// sending request names, classified with the libphonenumber metadata
// (github.com/nyaruka/phonenumbers), and the condition keys the gateway
// derives from them in its own namespace.
//
// A number is read only in the strict E.164 form, "+" then the country
// calling code and the national number, nothing else, and only when the
// metadata knows it as a valid number of a country and formats it back to
// exactly the bytes sent: what the policy decides on is then the very
// number AWS receives. Anything else is a Destination with an Err, which
// sets no key (so a statement that reads a destination key cannot match it
// by accident; the pipeline denies such a request when an applicable
// statement reads one).
package destination

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/nyaruka/phonenumbers"

	"github.com/pinpointgw/gateway/apimap"
	"github.com/pinpointgw/gateway/authz"
)

// The condition keys of destinations. The four per-destination keys are
// multi-valued (one value per distinct value among the request's
// destinations); KeyCount is numeric and single-valued.
const (
	KeyNumber      = "gateway:DestinationNumber"      // E.164, e.g. +447700900123
	KeyCountry     = "gateway:DestinationCountry"     // ISO 3166-1 alpha-2, e.g. GB
	KeyCallingCode = "gateway:DestinationCallingCode" // country calling code, e.g. 44
	KeyNumberType  = "gateway:DestinationNumberType"  // a NumberType value, e.g. MOBILE
	KeyCount       = "gateway:DestinationCount"       // number of destinations, readable or not
)

// The number types (KeyNumberType values), libphonenumber's classes by
// their names. Where the numbering plan does not tell mobile from fixed
// line (the United States, Canada, ...), a number is FIXED_LINE_OR_MOBILE.
const (
	FixedLine         = "FIXED_LINE"
	Mobile            = "MOBILE"
	FixedLineOrMobile = "FIXED_LINE_OR_MOBILE"
	TollFree          = "TOLL_FREE"
	PremiumRate       = "PREMIUM_RATE"
	SharedCost        = "SHARED_COST"
	VoIP              = "VOIP"
	PersonalNumber    = "PERSONAL_NUMBER"
	Pager             = "PAGER"
	UAN               = "UAN"
	Voicemail         = "VOICEMAIL"
	Unknown           = "UNKNOWN"
)

var numberTypes = [...]string{
	phonenumbers.FIXED_LINE:           FixedLine,
	phonenumbers.MOBILE:               Mobile,
	phonenumbers.FIXED_LINE_OR_MOBILE: FixedLineOrMobile,
	phonenumbers.TOLL_FREE:            TollFree,
	phonenumbers.PREMIUM_RATE:         PremiumRate,
	phonenumbers.SHARED_COST:          SharedCost,
	phonenumbers.VOIP:                 VoIP,
	phonenumbers.PERSONAL_NUMBER:      PersonalNumber,
	phonenumbers.PAGER:                Pager,
	phonenumbers.UAN:                  UAN,
	phonenumbers.VOICEMAIL:            Voicemail,
	phonenumbers.UNKNOWN:              Unknown,
}

// maxE164 is the longest E.164 number: "+" and 15 digits.
const maxE164 = 16

// Number is a phone number the gateway could read.
type Number struct {
	E164        string // as sent, which is its E.164 form
	Country     string // ISO 3166-1 alpha-2 region of the number
	CallingCode string // country calling code, digits only
	Type        string // one of the number type constants
}

// Errors of Parse, wrapped with the value.
var (
	ErrNotE164   = errors.New("not a phone number in E.164 form (+ and up to 15 digits)")
	ErrInvalid   = errors.New("not a valid phone number of any country")
	ErrNoCountry = errors.New("a non-geographic number (no country)")
	ErrNoNumber  = errors.New("the gateway does not know the phone number of this destination")
)

// Parse reads s, which must be a valid number in E.164 form. Results are
// cached (parsing takes tens of microseconds of regular expressions).
func Parse(s string) (Number, error) {
	if !isE164(s) {
		return Number{}, fmt.Errorf("%q: %w", s, ErrNotE164)
	}
	if p, ok := parsed.Get(s); ok {
		return p.n, p.err
	}
	n, err := classify(s)
	parsed.Add(s, parseResult{n, err})
	return n, err
}

// parsed caches what classify said of the numbers seen last.
var parsed, _ = lru.New[string, parseResult](parseCacheSize)

// parseCacheSize bounds the cache: about 200 bytes an entry.
const parseCacheSize = 1 << 14

type parseResult struct {
	n   Number
	err error
}

// classify reads an E.164 string with the libphonenumber metadata.
func classify(s string) (Number, error) {
	pn, ok := split(s)
	if !ok {
		return Number{}, fmt.Errorf("%q: %w", s, ErrInvalid)
	}
	// A number that does not format back to the bytes sent is not the
	// number AWS would read.
	if phonenumbers.Format(pn, phonenumbers.E164) != s {
		return Number{}, fmt.Errorf("%q: %w", s, ErrInvalid)
	}
	t := phonenumbers.GetNumberType(pn) // UNKNOWN when no pattern of the metadata matches: not valid
	if t == phonenumbers.UNKNOWN || int(t) >= len(numberTypes) {
		return Number{}, fmt.Errorf("%q: %w", s, ErrInvalid)
	}
	region := phonenumbers.GetRegionCodeForNumber(pn)
	if len(region) != 2 || region == phonenumbers.UNKNOWN_REGION {
		// Non-geographic numbers (+800 freephone, +881 satellite, ...) have
		// the region "001": no country a policy could name.
		return Number{}, fmt.Errorf("%q: %w", s, ErrNoCountry)
	}
	return Number{
		E164:        s,
		Country:     region,
		CallingCode: strconv.Itoa(int(pn.GetCountryCode())),
		Type:        numberTypes[t],
	}, nil
}

// split cuts an E.164 string into its country calling code and national
// number, as libphonenumber's parser does for the "+" form. Calling codes
// are prefix-free, so the first known prefix of 1 to 3 digits is the code.
// Leading zeros of the national number are kept (Italy).
func split(s string) (*phonenumbers.PhoneNumber, bool) {
	digits := s[1:]
	for l := 1; l <= 3 && l < len(digits); l++ {
		cc, _ := strconv.Atoi(digits[:l])
		if len(phonenumbers.GetRegionCodesForCountryCode(cc)) == 0 {
			continue
		}
		national := digits[l:]
		nn, err := strconv.ParseUint(national, 10, 64)
		if err != nil {
			return nil, false
		}
		cc32 := int32(cc)
		pn := &phonenumbers.PhoneNumber{CountryCode: &cc32, NationalNumber: &nn}
		if zeros := int32(len(national) - len(strings.TrimLeft(national, "0"))); zeros > 0 && len(national) > 1 {
			italian := true
			pn.ItalianLeadingZero = &italian
			if zeros > 1 {
				pn.NumberOfLeadingZeros = &zeros
			}
		}
		return pn, true
	}
	return nil, false
}

// isE164 reports whether s is "+", a non-zero digit and at most 14 more
// digits: the only form read (no spaces, dashes, letters or extensions).
func isE164(s string) bool {
	if len(s) < 3 || len(s) > maxE164 || s[0] != '+' || s[1] == '0' {
		return false
	}
	for i := 1; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Destination is one destination of a request as the gateway read it.
type Destination struct {
	apimap.Destination
	Number Number
	Err    error // non-nil: no number could be read here, and no key is set for it
}

// Resolver returns the phone number of a destination that names it
// indirectly (apimap.DestinationVerifiedID); the gateway asks the upstream.
type Resolver func(d apimap.Destination) (string, error)

// Read reads every destination of a request. Numbers are parsed; verified
// destination IDs are resolved with resolve, then parsed; endpoint and user
// IDs, whose addresses only the retired Pinpoint engagement features knew,
// get ErrNoNumber. Read never fails: each destination carries its own Err.
func Read(ds []apimap.Destination, resolve Resolver) []Destination {
	if len(ds) == 0 {
		return nil
	}
	out := make([]Destination, len(ds))
	for i, d := range ds {
		out[i].Destination = d
		switch d.Form {
		case apimap.DestinationPhoneNumber:
			out[i].Number, out[i].Err = Parse(d.Value)
		case apimap.DestinationVerifiedID:
			if resolve == nil {
				out[i].Err = fmt.Errorf("%s %q: %w", d.Form, d.Value, ErrNoNumber)
				break
			}
			n, err := resolve(d)
			if err != nil {
				out[i].Err = fmt.Errorf("%s %q: %w", d.Form, d.Value, err)
				break
			}
			out[i].Number, out[i].Err = Parse(n)
		default:
			out[i].Err = fmt.Errorf("%s %q: %w", d.Form, d.Value, ErrNoNumber)
		}
	}
	return out
}

// perDestinationKeys are the four keys whose value belongs to a single
// destination, lower-cased (condition keys are case-insensitive; authz
// stores them lower-cased), in the order of Number's fields.
var perDestinationKeys = [...]string{
	"gateway:destinationnumber", "gateway:destinationcountry",
	"gateway:destinationcallingcode", "gateway:destinationnumbertype",
}

// keyCount is KeyCount lower-cased.
const keyCount = "gateway:destinationcount"

// perDestinationIndex returns the index of a per-destination key in
// perDestinationKeys (case-insensitive), or -1.
func perDestinationIndex(key string) int {
	for i, k := range perDestinationKeys {
		if strings.EqualFold(key, k) {
			return i
		}
	}
	return -1
}

// field returns the value of the per-destination key of index i.
func (n *Number) field(i int) string {
	switch i {
	case 0:
		return n.E164
	case 1:
		return n.Country
	case 2:
		return n.CallingCode
	}
	return n.Type
}

// IsPerDestination reports whether key (case-insensitive) is one of the four
// keys whose value belongs to a single destination.
func IsPerDestination(key string) bool { return perDestinationIndex(key) >= 0 }

// ValueOf returns d's value of a per-destination key (case-insensitive); ok is
// false when key is not one of them or d has no number.
func (d *Destination) ValueOf(key string) (v string, ok bool) {
	i := perDestinationIndex(key)
	if i < 0 || d.Err != nil {
		return "", false
	}
	return d.Number.field(i), true
}

// SetContext sets the destination keys of ds in c: each per-destination key
// with the distinct values of the destinations that have a number (in
// request order), and KeyCount with len(ds). It sets nothing when ds is
// empty, and no per-destination key that no destination has.
func SetContext(c *authz.Context, ds []Destination) {
	if len(ds) == 0 {
		return
	}
	c.SetLower(keyCount, strconv.Itoa(len(ds)))
	var buf [8]string // the usual request has one destination: no allocation here
	for k, key := range perDestinationKeys {
		values := buf[:0]
		for i := range ds {
			if ds[i].Err != nil {
				continue
			}
			if v := ds[i].Number.field(k); !slices.Contains(values, v) {
				values = append(values, v)
			}
		}
		if len(values) > 0 {
			c.SetMulti(key, values)
		}
	}
}

// Unreadable reports whether a destination of ds has no number.
func Unreadable(ds []Destination) bool {
	for i := range ds {
		if ds[i].Err != nil {
			return true
		}
	}
	return false
}
