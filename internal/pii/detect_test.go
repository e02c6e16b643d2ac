package pii

import (
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/moderato/moderato/internal/textchunk"
)

// valuesOf returns the text of the entities of type t that Detect finds.
func valuesOf(t *testing.T, text, typ string) []string {
	t.Helper()
	var values []string
	for _, e := range NewDetector().Detect(text) {
		require.True(t, e.Begin >= 0 && e.Begin < e.End && e.End <= len(text), "offsets %d-%d outside text", e.Begin, e.End)
		if e.Type == typ {
			values = append(values, text[e.Begin:e.End])
		}
	}
	return values
}

func TestDetectByType(t *testing.T) {
	tests := []struct {
		name string
		typ  string
		text string
		want []string
	}{
		{name: "email", typ: TypeEmail, text: "Mail jane.doe+tag@mail.example.co.uk today.", want: []string{"jane.doe+tag@mail.example.co.uk"}},
		{name: "email without domain", typ: TypeEmail, text: "Mail jane@ or @example.com or jane@localhost.", want: nil},
		{name: "email with double dot", typ: TypeEmail, text: "Mail jane..doe@example.com.", want: nil},
		{name: "url credentials are not email", typ: TypeEmail, text: "Uses https://bob:s3cret@db.example.com/x now.", want: nil},
		{name: "url user is not email", typ: TypeEmail, text: "Uses \"http://gopher@test.com\" now.", want: nil},

		{name: "phone US with parens", typ: TypePhone, text: "Call (617) 555-0167 now.", want: []string{"(617) 555-0167"}},
		{name: "phone US dashed", typ: TypePhone, text: "Call 312-555-0145.", want: []string{"312-555-0145"}},
		{name: "phone UK international", typ: TypePhone, text: "Ring +44 20 7946 0958 please.", want: []string{"+44 20 7946 0958"}},
		{name: "phone France international", typ: TypePhone, text: "Tel +33 1 83 22 15 28.", want: []string{"+33 1 83 22 15 28"}},
		{name: "phone inside parentheses", typ: TypePhone, text: "Office (212-555-0105) today.", want: []string{"212-555-0105"}},
		{name: "phone with trailing count", typ: TypePhone, text: "Call 312-555-0145 2 times.", want: []string{"312-555-0145"}},
		{name: "phone invalid area code", typ: TypePhone, text: "Call 123-456-7890.", want: nil},
		{name: "phone bare digits after word", typ: TypePhone, text: "Call 2125550105 today.", want: []string{"2125550105"}},
		{name: "bare ten-digit quantity", typ: TypePhone, text: "The maximum is 2147483647.", want: nil},
		{name: "phone too short", typ: TypePhone, text: "Ticket 4471-2209 and +1 555 123.", want: nil},

		{name: "card visa spaced", typ: TypeCreditCardNumber, text: "Charge 4111 1111 1111 1111, thanks.", want: []string{"4111 1111 1111 1111"}},
		{name: "card mastercard dashed", typ: TypeCreditCardNumber, text: "Card 5555-5555-5555-4444.", want: []string{"5555-5555-5555-4444"}},
		{name: "card amex", typ: TypeCreditCardNumber, text: "Amex 3782 822463 10005 on file.", want: []string{"3782 822463 10005"}},
		{name: "card compact", typ: TypeCreditCardNumber, text: "Card 6011111111111117.", want: []string{"6011111111111117"}},
		{name: "card followed by cvv", typ: TypeCreditCardNumber, text: "Card 4111 1111 1111 1111 123.", want: []string{"4111 1111 1111 1111"}},
		{name: "card failing luhn", typ: TypeCreditCardNumber, text: "Card 4111 1111 1111 1112.", want: nil},
		{name: "card unknown issuer", typ: TypeCreditCardNumber, text: "Card 9111 1111 1111 1113.", want: nil},
		{name: "card inside longer number", typ: TypeCreditCardNumber, text: "Id 41111111111111112222222.", want: nil},

		{name: "ssn dashed", typ: TypeSSN, text: "SSN 536-22-8726.", want: []string{"536-22-8726"}},
		{name: "ssn bare after context", typ: TypeSSN, text: "SSN: 536228726", want: []string{"536228726"}},
		{name: "ssn bare without context", typ: TypeSSN, text: "Order 536228726", want: nil},
		{name: "ssn area 000", typ: TypeSSN, text: "SSN 000-12-3456.", want: nil},
		{name: "ssn area 666", typ: TypeSSN, text: "SSN 666-12-3456.", want: nil},
		{name: "ssn area 900", typ: TypeSSN, text: "SSN 912-34-5678.", want: nil},
		{name: "ssn group 00", typ: TypeSSN, text: "SSN 536-00-8726.", want: nil},
		{name: "ssn serial 0000", typ: TypeSSN, text: "SSN 536-22-0000.", want: nil},
		{name: "ssn woolworth sample", typ: TypeSSN, text: "SSN 078-05-1120.", want: nil},
		{name: "ssn sequential sample", typ: TypeSSN, text: "SSN 123-45-6789.", want: nil},

		{name: "iban spaced", typ: TypeIBAN, text: "IBAN GB82 WEST 1234 5698 7654 32 for refunds.", want: []string{"GB82 WEST 1234 5698 7654 32"}},
		{name: "iban compact", typ: TypeIBAN, text: "Pay DE89370400440532013000.", want: []string{"DE89370400440532013000"}},
		{name: "iban followed by word", typ: TypeIBAN, text: "Pay DE89 3704 0044 0532 0130 00 EUR now", want: []string{"DE89 3704 0044 0532 0130 00"}},
		{name: "iban wrong check", typ: TypeIBAN, text: "IBAN GB83 WEST 1234 5698 7654 32.", want: nil},
		{name: "iban wrong length", typ: TypeIBAN, text: "IBAN GB82 WEST 1234 5698 7654 3.", want: nil},

		{name: "ipv4", typ: TypeIPAddress, text: "Host 192.0.2.112 is down.", want: []string{"192.0.2.112"}},
		{name: "ipv6 compressed", typ: TypeIPAddress, text: "Peer 2001:db8::8a2e:370:7334 left.", want: []string{"2001:db8::8a2e:370:7334"}},
		{name: "ipv6 full", typ: TypeIPAddress, text: "Peer 2001:db8:85a3:0:0:8a2e:370:7334.", want: []string{"2001:db8:85a3:0:0:8a2e:370:7334"}},
		{name: "ipv6 prefix after context", typ: TypeIPAddress, text: "IPv6 peer 2001:db8:d7a2:ad74 timed out.", want: []string{"2001:db8:d7a2:ad74"}},
		{name: "ipv6 prefix after host", typ: TypeIPAddress, text: "host 2001:db8:d7a2:ad74 is down", want: []string{"2001:db8:d7a2:ad74"}},
		{name: "ipv6 prefix without context", typ: TypeIPAddress, text: "Code 2001:db8:d7a2:ad74 again.", want: nil},
		{name: "ipv4 octet above 255", typ: TypeIPAddress, text: "Host 256.1.1.1 is down.", want: nil},
		{name: "section number", typ: TypeIPAddress, text: "See Section 5.1.1.5 and version 1.2.3.4 now.", want: nil},
		{name: "version number", typ: TypeIPAddress, text: "Version 1.2.3.4.5 and 2.14.3 shipped.", want: nil},

		{name: "aws access key", typ: TypeAWSAccessKey, text: "key AKIAIOSFODNN7EXAMPLE here", want: []string{"AKIAIOSFODNN7EXAMPLE"}},
		{name: "aws access key too long", typ: TypeAWSAccessKey, text: "key AKIAIOSFODNN7EXAMPLEX here", want: nil},
		{name: "aws secret after context", typ: TypeAWSSecretKey, text: "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", want: []string{"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}},
		{name: "aws secret next to access key", typ: TypeAWSSecretKey, text: "AKIAIOSFODNN7EXAMPLE wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", want: []string{"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}},
		{name: "aws secret without context", typ: TypeAWSSecretKey, text: "token wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", want: nil},
		{name: "git commit hash", typ: TypeAWSSecretKey, text: "secret commit 9fceb02d0ae598e95dc970b74767f19372d61af8", want: nil},

		{name: "url with credentials", typ: TypeURL, text: "Uses https://bob:s3cret@db.example.com/v1.", want: []string{"https://bob:s3cret@db.example.com/v1"}},
		{name: "url in parentheses", typ: TypeURL, text: "(see https://example.com/a_(b)) ok", want: []string{"https://example.com/a_(b)"}},
		{name: "url www", typ: TypeURL, text: "Visit www.example.org/path, then.", want: []string{"www.example.org/path"}},
		{name: "url without host", typ: TypeURL, text: "Type https:// then.", want: nil},

		{name: "mac colons", typ: TypeMACAddress, text: "MAC 00:1A:2B:3C:4D:5E seen.", want: []string{"00:1A:2B:3C:4D:5E"}},
		{name: "mac dashes", typ: TypeMACAddress, text: "MAC c1-38-3a-dd-53-cc seen.", want: []string{"c1-38-3a-dd-53-cc"}},
		{name: "mac five groups", typ: TypeMACAddress, text: "MAC 00:1A:2B:3C:4D seen.", want: nil},
		{name: "mac seven groups", typ: TypeMACAddress, text: "MAC 00:1A:2B:3C:4D:5E:6F seen.", want: nil},

		{name: "expiry after word", typ: TypeCreditCardExpiry, text: "Card expires 04/29.", want: []string{"04/29"}},
		{name: "expiry four digit year", typ: TypeCreditCardExpiry, text: "Exp. date: 11/2031", want: []string{"11/2031"}},
		{name: "expiry after card", typ: TypeCreditCardExpiry, text: "Card 4111 1111 1111 1111, 04/29", want: []string{"04/29"}},
		{name: "date without context", typ: TypeCreditCardExpiry, text: "Meeting on 04/29 at noon.", want: nil},
		{name: "cvv after word", typ: TypeCreditCardCVV, text: "CVV: 363", want: []string{"363"}},
		{name: "cvv security code", typ: TypeCreditCardCVV, text: "the security code is 1234", want: []string{"1234"}},
		{name: "cvv after card and expiry", typ: TypeCreditCardCVV, text: "4111 1111 1111 1111, 04/29, 363", want: []string{"363"}},
		{name: "number without context", typ: TypeCreditCardCVV, text: "Room 363 is free.", want: nil},

		{name: "nhs number", typ: TypeUKNHSNumber, text: "NHS number 943 476 5919.", want: []string{"943 476 5919"}},
		{name: "nhs compact after context", typ: TypeUKNHSNumber, text: "NHS no 9434765919.", want: []string{"9434765919"}},
		{name: "nhs wrong check digit", typ: TypeUKNHSNumber, text: "NHS number 943 476 5918.", want: nil},
		{name: "nhs compact without context", typ: TypeUKNHSNumber, text: "Order 9434765919.", want: nil},

		{name: "nino spaced", typ: TypeUKNINumber, text: "National Insurance number AB 12 34 56 C.", want: []string{"AB 12 34 56 C"}},
		{name: "nino compact after context", typ: TypeUKNINumber, text: "NINO: JK123456A", want: []string{"JK123456A"}},
		{name: "nino unallocated prefix", typ: TypeUKNINumber, text: "National Insurance number GB 12 34 56 A.", want: nil},
		{name: "nino forbidden letter", typ: TypeUKNINumber, text: "National Insurance number DA 12 34 56 A.", want: nil},
		{name: "nino O second", typ: TypeUKNINumber, text: "National Insurance number AO 12 34 56 A.", want: nil},

		{name: "sin dashed after context", typ: TypeCASIN, text: "SIN: 130-456-288", want: []string{"130-456-288"}},
		{name: "sin bare after context", typ: TypeCASIN, text: "Social insurance 271485393", want: []string{"271485393"}},
		{name: "sin failing luhn", typ: TypeCASIN, text: "SIN: 130-456-289", want: nil},
		{name: "sin starting with zero", typ: TypeCASIN, text: "SIN: 046-454-286", want: nil},
		{name: "sin bare without context", typ: TypeCASIN, text: "Using 271485393 here", want: nil},

		{name: "routing after word", typ: TypeBankRouting, text: "Routing 021000021.", want: []string{"021000021"}},
		{name: "routing after aba", typ: TypeBankRouting, text: "ABA: 011000015", want: []string{"011000015"}},
		{name: "routing bad checksum", typ: TypeBankRouting, text: "Routing 021000022.", want: nil},
		{name: "routing false friend word", typ: TypeBankRouting, text: "Abandoned 021000021.", want: nil},
		{name: "routing without context", typ: TypeBankRouting, text: "Order 021000021.", want: nil},

		{name: "vin", typ: TypeVIN, text: "VIN 1HGCM82633A004352 on file.", want: []string{"1HGCM82633A004352"}},
		{name: "vin without context", typ: TypeVIN, text: "Id 1HGCM82633A004352.", want: []string{"1HGCM82633A004352"}},
		{name: "vin wrong check digit", typ: TypeVIN, text: "VIN 1HGCM82634A004352.", want: nil},
		{name: "vin with letter O", typ: TypeVIN, text: "VIN 1HGCM82633AO04352.", want: nil},

		{name: "name after my name is", typ: TypeName, text: "Hello, my name is Leo Patel. Bye", want: []string{"Leo Patel"}},
		{name: "name after greeting", typ: TypeName, text: "hey it's Zoë, text me", want: []string{"Zoë"}},
		{name: "name after title", typ: TypeName, text: "Ask Dr. Anna Kowalski today", want: []string{"Anna Kowalski"}},
		{name: "name before verb", typ: TypeName, text: "New hire Ava Alvarez submitted it", want: []string{"Ava Alvarez"}},
		{name: "name after greeting and I'm", typ: TypeName, text: "Hi, I'm Ana Ruiz. Bye", want: []string{"Ana Ruiz"}},
		{name: "name after contact", typ: TypeName, text: "Contact: Jane Doe today", want: []string{"Jane Doe"}},
		{name: "contact us is no name", typ: TypeName, text: "Please contact Us today", want: nil},
		{name: "greeting to a group", typ: TypeName, text: "Hi Team, Dear Customer, it's Monday.", want: nil},
		{name: "camel case after cue", typ: TypeName, text: "Check that this is ErrContentLength.", want: nil},
		{name: "sentence after name field", typ: TypeName, text: "It must have a valid name. Invalid ones fail.", want: nil},
		{name: "capitalized word without cue", typ: TypeName, text: "Bass Guitar Lessons start soon.", want: nil},
		{name: "cue inside a word", typ: TypeName, text: "The shire Hobbit and Thistle Farm.", want: nil},

		{name: "address with city", typ: TypeAddress, text: "Lives at 1657 Maple Avenue, Portland, OR 97205. Ok", want: []string{"1657 Maple Avenue, Portland, OR 97205"}},
		{name: "address with unit", typ: TypeAddress, text: "Ship to 12 Elm St., Apt 4B, Salem, MA 01970-1234 now", want: []string{"12 Elm St., Apt 4B, Salem, MA 01970-1234"}},
		{name: "street without city", typ: TypeAddress, text: "Meet at 221 Baker Street today.", want: []string{"221 Baker Street"}},
		{name: "street without suffix", typ: TypeAddress, text: "Lives at 1220 Kingsway, Austin, TX 78701.", want: []string{"1220 Kingsway, Austin, TX 78701"}},
		{name: "uk postcode", typ: TypeAddress, text: "Write to 10 Downing Street, London SW1A 2AA.", want: []string{"10 Downing Street, London SW1A 2AA"}},
		{name: "ordinal street", typ: TypeAddress, text: "At 350 5th Avenue, New York, NY 10118.", want: []string{"350 5th Avenue, New York, NY 10118"}},
		{name: "unknown state code", typ: TypeAddress, text: "Lives at 1220 Kingsway, Austin, QQ 78701.", want: nil},
		{name: "number before capitalized words", typ: TypeAddress, text: "We sold 300 Blue Widgets yesterday.", want: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, valuesOf(t, tt.text, tt.typ))
		})
	}
}

func TestDetectScores(t *testing.T) {
	tests := []struct {
		name      string
		text      string
		typ       string
		higher    string
		lowerText string
	}{
		{name: "nhs with context", typ: TypeUKNHSNumber, text: "NHS number 943 476 5919", lowerText: "Number 943 476 5919"},
		{name: "sin with context", typ: TypeCASIN, text: "SIN 130-456-288", lowerText: "Using 130-456-288"},
		{name: "card with context", typ: TypeCreditCardNumber, text: "Card 4111 1111 1111 1111", lowerText: "Row 4111 1111 1111 1111"},
		{name: "card marked as sample", typ: TypeCreditCardNumber, text: "Row 4111 1111 1111 1111", lowerText: "Sample 4111 1111 1111 1111"},
		{name: "international phone", typ: TypePhone, text: "+1 212 555 0105", lowerText: "212 555 0105"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			detector := NewDetector(WithMinScore(0), WithTypes(tt.typ))
			high := detector.Detect(tt.text)
			low := detector.Detect(tt.lowerText)
			require.Len(t, high, 1)
			require.Len(t, low, 1)
			assert.Greater(t, high[0].Score, low[0].Score)
			assert.LessOrEqual(t, high[0].Score, 1.0)
		})
	}
}

func TestDetectResolvesOverlaps(t *testing.T) {
	text := "Patient NHS number 451 450 6125, deploy https://osei:2GT1toNrlaKz@api.example.com/v1 and call 212-555-0105."
	entities := NewDetector().Detect(text)

	var got []string
	for _, e := range entities {
		got = append(got, e.Type+"="+text[e.Begin:e.End])
	}
	assert.Equal(t, []string{
		"UK_NATIONAL_HEALTH_SERVICE_NUMBER=451 450 6125",
		"URL=https://osei:2GT1toNrlaKz@api.example.com/v1",
		"PHONE=212-555-0105",
	}, got)
}

func TestDetectWithTypes(t *testing.T) {
	text := "Card 4111 1111 1111 1111, CVV 363, mail jane@example.com"
	entities := NewDetector(WithTypes(TypeCreditCardCVV)).Detect(text)

	require.Len(t, entities, 1)
	assert.Equal(t, TypeCreditCardCVV, entities[0].Type)
	assert.Equal(t, "363", text[entities[0].Begin:entities[0].End])
}

func TestDetectMinScore(t *testing.T) {
	text := "Number 943 476 5919"
	assert.Len(t, NewDetector(WithTypes(TypeUKNHSNumber)).Detect(text), 1, "default threshold keeps a format-only NHS number")
	assert.Empty(t, NewDetector(WithTypes(TypeUKNHSNumber), WithMinScore(0.6)).Detect(text), "a higher threshold drops it")
}

func TestDetectMultibyteText(t *testing.T) {
	text := "Grüße aus Köln 😀 — Müller: mueller@example.com, Tel. +49 30 20360649, IBAN DE89 3704 0044 0532 0130 00 ✓"
	entities := NewDetector().Detect(text)
	require.Len(t, entities, 3)

	runes := []rune(text)
	wants := []struct{ typ, value string }{
		{TypeEmail, "mueller@example.com"},
		{TypePhone, "+49 30 20360649"},
		{TypeIBAN, "DE89 3704 0044 0532 0130 00"},
	}
	for i, want := range wants {
		e := entities[i]
		assert.Equal(t, want.typ, e.Type)
		assert.Equal(t, want.value, text[e.Begin:e.End])
		assert.True(t, textchunk.IsBoundary(text, e.Begin), "%s begins inside a rune", e.Type)
		assert.True(t, textchunk.IsBoundary(text, e.End), "%s ends inside a rune", e.Type)

		begin, end := CodePoints(text, e)
		assert.Equal(t, want.value, string(runes[begin:end]), "code point offsets of %s", e.Type)
	}
}

func TestCodePoints(t *testing.T) {
	text := "é😀 ab"
	tests := []struct {
		name      string
		entity    Entity
		wantBegin int
		wantEnd   int
	}{
		{name: "after multibyte runes", entity: Entity{Begin: 7, End: 9}, wantBegin: 3, wantEnd: 5},
		{name: "covers multibyte runes", entity: Entity{Begin: 0, End: 6}, wantBegin: 0, wantEnd: 2},
		{name: "offsets beyond text", entity: Entity{Begin: 7, End: 50}, wantBegin: 3, wantEnd: 5},
		{name: "negative offsets", entity: Entity{Begin: -3, End: -1}, wantBegin: 0, wantEnd: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			begin, end := CodePoints(text, tt.entity)
			assert.Equal(t, tt.wantBegin, begin)
			assert.Equal(t, tt.wantEnd, end)
		})
	}
}

func TestRedact(t *testing.T) {
	text := "Mail jane@example.com or call 312-555-0145."
	tests := []struct {
		name     string
		entities []Entity
		want     string
	}{
		{name: "detected entities", entities: NewDetector().Detect(text), want: "Mail [EMAIL] or call [PHONE]."},
		{name: "no entities", entities: nil, want: text},
		{
			name:     "unsorted and overlapping",
			entities: []Entity{{Type: "PHONE", Begin: 30, End: 42}, {Type: "EMAIL", Begin: 5, End: 21}, {Type: "NAME", Begin: 10, End: 25}},
			want:     "Mail [EMAIL] or call [PHONE].",
		},
		{name: "out of range", entities: []Entity{{Type: "EMAIL", Begin: 40, End: 400}, {Type: "X", Begin: 5, End: 5}}, want: text},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, Redact(text, tt.entities))
		})
	}
}

func TestSummarize(t *testing.T) {
	entities := []Entity{{Type: "PHONE"}, {Type: "EMAIL"}, {Type: "PHONE"}}
	assert.Equal(t, []TypeCount{{Type: "EMAIL", Count: 1}, {Type: "PHONE", Count: 2}}, Summarize(entities))
	assert.Empty(t, Summarize(nil))
}

func TestDetectConcurrentUse(t *testing.T) {
	detector := NewDetector()
	text := "Mail jane@example.com, card 4111 1111 1111 1111, call +44 20 7946 0958."
	want := detector.Detect(text)

	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 20 {
				assert.Equal(t, want, detector.Detect(text))
			}
		})
	}
	wg.Wait()
}

func TestSupportedTypes(t *testing.T) {
	types := SupportedTypes()
	assert.Len(t, types, 19)
	assert.Equal(t, TypeEmail, types[0])
	assert.Contains(t, types, TypeVIN)
	assert.False(t, strings.Contains(strings.Join(types, ","), " "))
}

// TestDetectConcurrentTexts checks that concurrent Detect calls on
// different texts, which share pooled scan buffers over time, return what
// sequential calls return.
func TestDetectConcurrentTexts(t *testing.T) {
	data, err := os.ReadFile("testdata/sample.txt")
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	detector := NewDetector()
	want := make([][]Entity, len(lines))
	for i, line := range lines {
		want[i] = detector.Detect(line)
	}

	var wg sync.WaitGroup
	for worker := range 4 {
		wg.Go(func() {
			for round := range 10 {
				i := (worker*7 + round*3) % len(lines)
				assert.Equal(t, want[i], detector.Detect(lines[i]), "line %d", i)
			}
		})
	}
	wg.Wait()
}
