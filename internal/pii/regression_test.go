package pii

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// coveredBytes returns, for each byte of text, whether an entity that
// Detect reports covers it.
func coveredBytes(text string, entities []Entity) []bool {
	covered := make([]bool, len(text))
	for _, e := range entities {
		for i := e.Begin; i < e.End; i++ {
			covered[i] = true
		}
	}
	return covered
}

// assertCovered checks that every byte of each value in text lies inside
// a detected entity.
func assertCovered(t *testing.T, text string, values ...string) {
	t.Helper()
	covered := coveredBytes(text, NewDetector().Detect(text))
	for _, v := range values {
		b := strings.Index(text, v)
		require.GreaterOrEqual(t, b, 0, "%q not in %q", v, text)
		for i := b; i < b+len(v); i++ {
			if !assert.True(t, covered[i], "byte %d of %q is left in clear in %q", i-b, v, text) {
				break
			}
		}
	}
}

func TestOverlapKeepsUnionCovered(t *testing.T) {
	tests := []struct {
		name, text string
		values     []string
	}{
		{name: "email and phone in url", text: "link https://corp.com/?e=jane.doe@corp.com&phone=212-555-0187\n",
			values: []string{"https://corp.com/?e=jane.doe@corp.com&phone=212-555-0187"}},
		{name: "email and ssn in url", text: "see https://example.com/a?q=xxxxxxxxxx&mail=john.smith@corp.com&ssn=536-22-1234 end\n",
			values: []string{"https://example.com/a?q=xxxxxxxxxx&mail=john.smith@corp.com&ssn=536-22-1234"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assertCovered(t, tt.text, tt.values...)
		})
	}
}

func TestOverlapKeepsInnerType(t *testing.T) {
	text := "link https://corp.com/?e=jane.doe@corp.com&phone=212-555-0187\n"
	assert.Equal(t, []string{"212-555-0187"}, valuesOf(t, text, TypePhone))
}

func TestNegativeWordKeepsValidNumber(t *testing.T) {
	tests := []struct {
		name, text, typ, want string
	}{
		{name: "test before ssn", text: "Lab test results, SSN 536 22 1234", typ: TypeSSN, want: "536 22 1234"},
		{name: "sample after ssn", text: "SSN 536 22 1234 (blood sample taken)", typ: TypeSSN, want: "536 22 1234"},
		{name: "example before card", text: "For example, card 4111 1111 1111 1111 was charged", typ: TypeCreditCardNumber, want: "4111 1111 1111 1111"},
		{name: "sample before sin", text: "Sample taken, SIN 130 692 544", typ: TypeCASIN, want: "130 692 544"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, []string{tt.want}, valuesOf(t, tt.text, tt.typ))
		})
	}
}

func TestNegativeWordInDomainIgnored(t *testing.T) {
	score := func(text string) float64 {
		entities := NewDetector(WithTypes(TypeCreditCardNumber)).Detect(text)
		require.Len(t, entities, 1, text)
		return entities[0].Score
	}
	plain := score("Card 4111 1111 1111 1111, contact bob@gmail.com")
	assert.Equal(t, plain, score("Card 4111 1111 1111 1111, contact bob@example.com"))
	assert.Equal(t, plain, score("Card 4111 1111 1111 1111, see https://test.example.org/x"))
	assert.Less(t, score("Card 4111 1111 1111 1111, an example only"), plain)
}

func TestDottedCardNotMAC(t *testing.T) {
	text := "Card 4111.1111.1111.1111\n"
	assert.Equal(t, []string{"4111.1111.1111.1111"}, valuesOf(t, text, TypeCreditCardNumber))
	assert.Empty(t, valuesOf(t, text, TypeMACAddress))
	assert.Empty(t, valuesOf(t, "Id 0a1b.2c3d.4e5f.6a7b here", TypeMACAddress), "four dotted groups are not a MAC address")
	assert.Equal(t, []string{"0a1b.2c3d.4e5f"}, valuesOf(t, "MAC 0a1b.2c3d.4e5f here", TypeMACAddress))
}

// registryIBANs are example IBANs, one per country of ibanFormats, in the
// form the SWIFT IBAN registry gives as its examples. Each passes mod 97.
var registryIBANs = []string{
	"AD1200012030200359100100", "AE070331234567890123456", "AL47212110090000000235698741",
	"AT611904300234573201", "AZ21NABZ00000000137010001944", "BA391290079401028494",
	"BE68539007547034", "BG80BNBG96611020345678", "BH67BMAG00001299123456",
	"BR1800360305000010009795493C1", "BY13NBRB3600900000002Z00AB00", "CH9300762011623852957",
	"CR05015202001026284066", "CY17002001280000001200527600", "CZ6508000000192000145399",
	"DE89370400440532013000", "DK5000400440116243", "DO28BAGR00000001212453611324",
	"EE382200221020145685", "EG380019000500000000263180002", "ES9121000418450200051332",
	"FI2112345600000785", "FO6264600001631634", "FR1420041010050500013M02606",
	"GB29NWBK60161331926819", "GE29NB0000000101904917", "GI75NWBK000000007099453",
	"GL8964710001000206", "GR1601101250000000012300695", "GT82TRAJ01020000001210029690",
	"HR1210010051863000160", "HU42117730161111101800000000", "IE29AIBK93115212345678",
	"IL620108000000099999999", "IQ98NBIQ850123456789012", "IS140159260076545510730339",
	"IT60X0542811101000000123456", "JO94CBJO0010000000000131000302", "KW81CBKU0000000000001234560101",
	"KZ86125KZT5004100100", "LB62099900000001001901229114", "LC55HEMM000100010012001200023015",
	"LI21088100002324013AA", "LT121000011101001000", "LU280019400644750000",
	"LV80BANK0000435195001", "MC5811222000010123456789030", "MD24AG000225100013104168",
	"ME25505000012345678951", "MK07250120000058984", "MR1300020001010000123456753",
	"MT84MALT011000012345MTLCAST001S", "MU17BOMM0101101030300200000MUR", "NL91ABNA0417164300",
	"NO9386011117947", "PK36SCBL0000001123456702", "PL61109010140000071219812874",
	"PS92PALS000000000400123456702", "PT50000201231234567890154", "QA58DOHB00001234567890ABCDEFG",
	"RO49AAAA1B31007593840000", "RS35260005601001611379", "SA0380000000608010167519",
	"SC18SSCB11010000000000001497USD", "SE4550000000058398257466", "SI56263300012039086",
	"SK3112000000198742637541", "SM86U0322509800000000270100", "ST68000100010051845310112",
	"SV62CENR00000000000000700025", "TL380080012345678910157", "TN5910006035183598478831",
	"TR330006100519786457841326", "UA213223130000026007233566001", "VA59001123000012345678",
	"VG96VPVG0000012345678901", "XK051212012345678906",
}

func TestIBANValidRegistryExamples(t *testing.T) {
	for _, iban := range registryIBANs {
		assert.True(t, ibanValid(iban), iban)
	}
}

func TestIBANFormatsMatchLengths(t *testing.T) {
	for country, length := range ibanLengths {
		if assert.Contains(t, bbanClasses, country) {
			assert.Len(t, bbanClasses[country], length-4, country)
		}
	}
	assert.Len(t, bbanClasses, len(ibanLengths))
}

func TestIBANRejectsWrongBBANFormat(t *testing.T) {
	// Each passes the mod 97 check and has its country's length, but the
	// Vatican BBAN is 18 digits and the British one starts with 4 letters.
	assert.False(t, ibanValid("VA13A1MF0619JMKWYS1K9B"))
	assert.Empty(t, valuesOf(t, "x vai3a1mf06l9jmkwys1k9b y\n", TypeIBAN))
}

func TestIBANLowerCaseScore(t *testing.T) {
	score := func(text string) float64 {
		entities := NewDetector(WithMinScore(0), WithTypes(TypeIBAN)).Detect(text)
		require.Len(t, entities, 1, text)
		return entities[0].Score
	}
	bare := score("x de89370400440532013000 y")
	assert.Less(t, bare, 0.7, "a lower-case IBAN without context is a guess")
	assert.Greater(t, score("IBAN de89370400440532013000"), bare)
	assert.Greater(t, score("account de89370400440532013000"), bare)
	assert.Greater(t, score("x DE89370400440532013000 y"), bare)
}

func TestDecomposedNameWhole(t *testing.T) {
	tests := []struct {
		name, text, want string
	}{
		{name: "cue and three words", text: "Me llamo Jose\u0301 Pe\u0301rez Garci\u0301a\n", want: "Jose\u0301 Pe\u0301rez Garci\u0301a"},
		{name: "title and mixed forms", text: "Sr. Jos\u00e9 Pe\u0301rez firmó.", want: "Jos\u00e9 Pe\u0301rez"},
		{name: "accent on capital", text: "My name is E\u0301mile Zola\u0300 today", want: "E\u0301mile Zola\u0300"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, []string{tt.want}, valuesOf(t, tt.text, TypeName))
		})
	}
}

func TestEntityBoundsNotBeforeMark(t *testing.T) {
	texts := []string{
		"Me llamo Jose\u0301 Pe\u0301rez Garci\u0301a",
		"Sr. Jos\u00e9 Pe\u0301rez, Calle Mayor 5\u0301, Madrid",
		"mail jane@example.com\u0301 card 4111 1111 1111 1111\u0301 ip 192.0.2.1\u0301",
		"SSN 536-22-8726\u0300\u0301 and Dr. Ana Lo\u0301pez\u0301\u0301",
	}
	for _, text := range texts {
		for _, e := range NewDetector().Detect(text) {
			assert.False(t, markAt(text, e.Begin), "%s begins before a combining mark in %q", e.Type, text)
			assert.False(t, markAt(text, e.End), "%s ends before a combining mark in %q", e.Type, text)
		}
	}
}

func markAt(text string, i int) bool {
	r, _ := utf8.DecodeRuneInString(text[i:])
	return i < len(text) && unicode.Is(unicode.M, r)
}

func TestWideSeparatorsInsideNumbers(t *testing.T) {
	tests := []struct {
		name, text, typ, want string
	}{
		{name: "card double spaces", text: "Card 4111  1111  1111  1111\n", typ: TypeCreditCardNumber, want: "4111  1111  1111  1111"},
		{name: "card tabs", text: "Card 4111\t1111\t1111\t1111\n", typ: TypeCreditCardNumber, want: "4111\t1111\t1111\t1111"},
		{name: "card no-break spaces", text: "Card 4111\u00a01111\u00a01111\u00a01111\n", typ: TypeCreditCardNumber, want: "4111\u00a01111\u00a01111\u00a01111"},
		{name: "card crlf", text: "Card 4111 1111\r\n1111 1111\n", typ: TypeCreditCardNumber, want: "4111 1111\r\n1111 1111"},
		{name: "ssn double spaces", text: "SSN 536  22  1234\n", typ: TypeSSN, want: "536  22  1234"},
		{name: "ssn break after hyphen", text: "SSN 536-22-\n1234\n", typ: TypeSSN, want: "536-22-\n1234"},
		{name: "phone break after hyphen", text: "phone 212-555-\n0187\n", typ: TypePhone, want: "212-555-\n0187"},
		{name: "phone crlf after hyphen", text: "phone 212-555-\r\n0187\n", typ: TypePhone, want: "212-555-\r\n0187"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, []string{tt.want}, valuesOf(t, tt.text, tt.typ))
		})
	}
}

func TestWideSeparatorsKeepChecksums(t *testing.T) {
	assert.Empty(t, valuesOf(t, "Card 4111  1111  1111  1112\n", TypeCreditCardNumber), "Luhn still decides")
	assert.Empty(t, valuesOf(t, "SSN 666  22  1234\n", TypeSSN), "area 666 is still invalid")
	assert.Empty(t, valuesOf(t, "Card 4111\n\n1111\n\n1111\n\n1111\n", TypeCreditCardNumber), "blank lines separate numbers")
}

func TestIPv6ShortFormsAndZones(t *testing.T) {
	tests := []struct {
		name, text string
		want       []string
	}{
		{name: "loopback", text: "bind ::1 port 80", want: []string{"::1"}},
		{name: "link-local", text: "peer fe80::1 up", want: []string{"fe80::1"}},
		{name: "zone id", text: "peer fe80::1%eth0 up", want: []string{"fe80::1%eth0"}},
		{name: "zone id after full address", text: "via fe80::a00:27ff:fe4e:66a1%en0.", want: []string{"fe80::a00:27ff:fe4e:66a1%en0"}},
		{name: "c++ scope", text: "use std::abc and a::b here", want: nil},
		{name: "time of day", text: "at 12:30 today", want: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, valuesOf(t, tt.text, TypeIPAddress))
		})
	}
}

func TestSpanishMobileWithoutSeparators(t *testing.T) {
	assert.Equal(t, []string{"612345678"}, valuesOf(t, "Llámame al 612345678", TypePhone))
	assert.Equal(t, []string{"612345678"}, valuesOf(t, "Mi móvil es 612345678.", TypePhone))
	assert.Empty(t, valuesOf(t, "Pedido 612345678 enviado", TypePhone), "nine bare digits need a word such as móvil")
}

func TestSpanishIDLabelNotName(t *testing.T) {
	assert.Empty(t, valuesOf(t, "Número de la Seguridad Social: 281234567840", TypeName))
	assert.Equal(t, []string{"Ana Pérez"}, valuesOf(t, "Número de la Seguridad Social: 281234567840, Ana Pérez", TypeName))
}

func TestNationalPhoneScoreHonest(t *testing.T) {
	score := func(text string) float64 {
		entities := NewDetector(WithMinScore(0), WithTypes(TypePhone)).Detect(text)
		require.Len(t, entities, 1, text)
		return entities[0].Score
	}
	bare := score("ref 046 454 286")
	assert.LessOrEqual(t, bare, 0.6, "a national number without a call word is a guess")
	assert.Greater(t, score("tel 046 454 286"), bare)
	assert.Less(t, score("SIN 046 454 287"), bare, "a word naming another number type makes a phone less likely")
	assert.Less(t, score("routing: 021-000-021"), bare)
}

func TestNumberRunsIntoNextValue(t *testing.T) {
	tests := []struct {
		name, text, typ string
		want            []string
	}{
		{"card then expiry and cvv", "Card: 4111 1111 1111 1111 09/28 737", TypeCreditCardNumber, []string{"4111 1111 1111 1111"}},
		{"card then four digits", "MC 5500 0000 0000 0004 1227", TypeCreditCardNumber, []string{"5500 0000 0000 0004"}},
		{"card then expiry on the next line", "4111 1111 1111 1111\n09/28 737", TypeCreditCardNumber, []string{"4111 1111 1111 1111"}},
		{"card after a zip code", "CA 95014 4111 1111 1111 1111", TypeCreditCardNumber, []string{"4111 1111 1111 1111"}},
		{"phone then a time", "Call (415) 555-0134 - 24/7.", TypePhone, []string{"(415) 555-0134"}},
		{"phone then an hour", "Call +1 415 555 0134 9am.", TypePhone, []string{"+1 415 555 0134"}},
		{"phone then an ip address", "Phone: 020 7946 0958 203.0.113.42", TypePhone, []string{"020 7946 0958"}},
		{"phone then two groups", "Call +44 20 7946 0958 35 2792", TypePhone, []string{"+44 20 7946 0958"}},
		{"phones in a row", "011 44 20 7946 0958 087 123 4567 203.0.113.42", TypePhone, []string{"011 44 20 7946 0958", "087 123 4567"}},
		{"ip after phones", "011 44 20 7946 0958 087 123 4567 203.0.113.42", TypeIPAddress, []string{"203.0.113.42"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, valuesOf(t, tt.text, tt.typ))
		})
	}
}

func TestInternationalPrefixPhones(t *testing.T) {
	for _, number := range []string{"0044 20 7946 0958", "011 44 20 7946 0958", "0049 30 12345678", "00353 87 123 4567",
		"0033 1 23 45 67 89", "0061 2 9876 5432", "0039 06 1234 5678"} {
		t.Run(number, func(t *testing.T) {
			assert.Equal(t, []string{number}, valuesOf(t, "Call "+number+" today.", TypePhone))
		})
	}
	// Quantities that start with 00 are no phone numbers.
	assert.Empty(t, valuesOf(t, "order 0012345678 and 0000123456", TypePhone))
}

func TestNoValueFromPartOfNumber(t *testing.T) {
	tests := []struct{ name, text string }{
		{"tail of a longer number", "card 22261 6601 0991 9051"},
		{"digits of a damaged iban", "IBAN FR48 5856 22O37 6811 2378 5371 069"},
		{"tail after a letter run", "Card-like test stri94577 5987 1693 3802 fails its checksum"},
		{"digits after an iban start", "DE5238588 6605 0496 6954 91"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Empty(t, valuesOf(t, tt.text, TypeCreditCardNumber))
		})
	}
}

func TestOtherNumberWordLowersPhone(t *testing.T) {
	for _, text := range []string{"NHS number 943-476-5918", "routing 0210 00021", "SIN 046 454 286"} {
		t.Run(text, func(t *testing.T) {
			assert.Empty(t, NewDetector().Detect(text))
		})
	}
	// A phone word keeps the number a phone number.
	assert.Equal(t, []string{"212-555-0134"}, valuesOf(t, "SSN 536-22-8726, call 212-555-0134", TypePhone))
}

func TestOverlapLeavesNoPartialNumber(t *testing.T) {
	for _, text := range []string{"invoice +44 129 195 35 2792", "Phone +353 15890 571 015 379, ext 12"} {
		t.Run(text, func(t *testing.T) {
			for _, e := range NewDetector().Detect(text) {
				assert.Equal(t, TypePhone, e.Type, "entity %q", text[e.Begin:e.End])
			}
		})
	}
	// A part of an address keeps its words, without the space before them.
	assert.Equal(t, []string{"King Street"}, valuesOf(t, "CVV 220 King Street", TypeAddress))
}

func TestAddressWithDirection(t *testing.T) {
	for text, want := range map[string]string{
		"Ship to 220 King Street West, Toronto, ON M5H 1K4":         "220 King Street West, Toronto, ON M5H 1K4",
		"Ship to 1600 Pennsylvania Avenue NW, Washington, DC 20500": "1600 Pennsylvania Avenue NW, Washington, DC 20500",
		"Meet at 12 Main Street Westfield today":                    "12 Main Street",
	} {
		t.Run(text, func(t *testing.T) {
			assert.Equal(t, []string{want}, valuesOf(t, text, TypeAddress))
		})
	}
}
