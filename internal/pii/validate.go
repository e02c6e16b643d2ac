package pii

import "strings"

// countDigits returns the number of ASCII digits in s.
func countDigits(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if isDigit(s[i]) {
			n++
		}
	}
	return n
}

// digitsOf returns the ASCII digits of s in order, dropping separators.
func digitsOf(s string) string {
	if allDigits(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// luhnValid reports whether digits, a string of ASCII digits, passes the
// Luhn (mod 10) check used by card numbers and Canadian SINs.
func luhnValid(digits string) bool {
	if len(digits) < 2 {
		return false
	}
	sum := 0
	double := false
	for i := len(digits) - 1; i >= 0; i-- {
		d := int(digits[i] - '0')
		if double {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return sum%10 == 0
}

// cardIssuerValid reports whether a card number's prefix belongs to a known
// issuer network and its length is one that the network issues. The
// prefixes are Visa 4, Mastercard 51-55 and 2221-2720, American Express 34
// and 37, Discover 6011, 644-649 and 65, Diners Club 36, 38-39 and 300-305,
// JCB 3528-3589, UnionPay 62, Mir 2200-2204 and Maestro 50 and 56-69.
func cardIssuerValid(digits string) bool {
	n := len(digits)
	prefix := func(k int) int {
		v := 0
		for i := 0; i < k && i < n; i++ {
			v = v*10 + int(digits[i]-'0')
		}
		return v
	}
	p2, p3, p4 := prefix(2), prefix(3), prefix(4)
	switch {
	case digits[0] == '4':
		return n == 13 || n == 16 || n == 19
	case p2 >= 51 && p2 <= 55, p4 >= 2221 && p4 <= 2720:
		return n == 16
	case p2 == 34 || p2 == 37:
		return n == 15
	case p4 == 6011, p3 >= 644 && p3 <= 649, p2 == 65, p2 == 62, p4 >= 3528 && p4 <= 3589, p4 >= 2200 && p4 <= 2204:
		return n >= 16 && n <= 19
	case p2 == 36, p2 == 38, p2 == 39, p3 >= 300 && p3 <= 305:
		return n >= 14 && n <= 19
	case p2 == 50, p2 >= 56 && p2 <= 69:
		return n >= 12 && n <= 19
	}
	return false
}

// ssnValid reports whether the nine digits of a US Social Security number
// are assignable: area not 000, 666 or 900-999, group not 00, serial not
// 0000, and not a number known to be published as a sample.
func ssnValid(digits string) bool {
	if len(digits) != 9 {
		return false
	}
	area, group, serial := digits[:3], digits[3:5], digits[5:]
	if area == "000" || area == "666" || area[0] == '9' || group == "00" || serial == "0000" {
		return false
	}
	if strings.Count(digits, digits[:1]) == 9 {
		return false
	}
	switch digits {
	case "078051120", // printed on the card sold with Woolworth wallets in 1938
		"219099999", // used in a Social Security Administration advertisement
		"123456789":
		return false
	}
	return true
}

// ibanLengths maps a country code to the length of its IBANs.
//
// NOTE: the table was written from knowledge of the SWIFT IBAN registry,
// not generated from it, and IBANs of a country missing here are not
// detected.
var ibanLengths = map[string]int{
	"AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16,
	"BG": 22, "BH": 22, "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28,
	"CZ": 24, "DE": 22, "DK": 18, "DO": 28, "EE": 20, "EG": 29, "ES": 24,
	"FI": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23, "GL": 18,
	"GR": 27, "GT": 28, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23,
	"IS": 26, "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32,
	"LI": 21, "LT": 20, "LU": 20, "LV": 21, "MC": 27, "MD": 24, "ME": 22,
	"MK": 19, "MR": 27, "MT": 31, "MU": 30, "NL": 18, "NO": 15, "PK": 24,
	"PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "SA": 24,
	"SC": 31, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "ST": 25, "SV": 28,
	"TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20,
}

// ibanFormats maps a country code to the format of its BBAN, the part of
// the IBAN after the check digits: a count, then n for digits, a for
// upper-case letters or c for letters or digits.
//
// NOTE: like ibanLengths, the table was written from knowledge of the
// SWIFT IBAN registry, not generated from it. TestIBANValidRegistryExamples
// checks one example IBAN per country against it.
var ibanFormats = map[string]string{
	"AD": "8n12c", "AE": "19n", "AL": "8n16c", "AT": "16n", "AZ": "4a20c", "BA": "16n",
	"BE": "12n", "BG": "4a6n8c", "BH": "4a14c", "BR": "23n1a1c", "BY": "4c4n16c", "CH": "5n12c",
	"CR": "18n", "CY": "8n16c", "CZ": "20n", "DE": "18n", "DK": "14n", "DO": "4c20n",
	"EE": "16n", "EG": "25n", "ES": "20n", "FI": "14n", "FO": "14n", "FR": "10n11c2n",
	"GB": "4a14n", "GE": "2a16n", "GI": "4a15c", "GL": "14n", "GR": "7n16c", "GT": "4c20c",
	"HR": "17n", "HU": "24n", "IE": "4a14n", "IL": "19n", "IQ": "4a15n", "IS": "22n",
	"IT": "1a10n12c", "JO": "4a4n18c", "KW": "4a22c", "KZ": "3n13c", "LB": "4n20c", "LC": "4a24c",
	"LI": "5n12c", "LT": "16n", "LU": "3n13c", "LV": "4a13c", "MC": "10n11c2n", "MD": "2c18c",
	"ME": "18n", "MK": "3n10c2n", "MR": "23n", "MT": "4a5n18c", "MU": "4a19n3a", "NL": "4a10n",
	"NO": "11n", "PK": "4a16c", "PL": "24n", "PS": "4a21c", "PT": "21n", "QA": "4a21c",
	"RO": "4a16c", "RS": "18n", "SA": "2n18c", "SC": "4a20n3a", "SE": "20n", "SI": "15n",
	"SK": "20n", "SM": "1a10n12c", "ST": "21n", "SV": "4a20n", "TL": "19n", "TN": "20n",
	"TR": "6n16c", "UA": "6n19c", "VA": "18n", "VG": "4a16n", "XK": "16n",
}

// bbanClasses maps a country code to one class byte (n, a or c) per
// character of its BBAN, expanded from ibanFormats.
var bbanClasses = func() map[string]string {
	classes := make(map[string]string, len(ibanFormats))
	for country, format := range ibanFormats {
		var expanded strings.Builder
		count := 0
		for i := 0; i < len(format); i++ {
			if c := format[i]; isDigit(c) {
				count = count*10 + int(c-'0')
			} else {
				expanded.WriteString(strings.Repeat(string(c), count))
				count = 0
			}
		}
		classes[country] = expanded.String()
	}
	return classes
}()

// bbanFormatValid reports whether the BBAN of iban, upper-case letters and
// digits, has its country's format, or whether the country has none listed.
func bbanFormatValid(iban string) bool {
	classes, ok := bbanClasses[iban[:2]]
	if !ok {
		return true
	}
	bban := iban[4:]
	if len(bban) != len(classes) {
		return false
	}
	for i := 0; i < len(bban); i++ {
		switch classes[i] {
		case 'n':
			if !isDigit(bban[i]) {
				return false
			}
		case 'a':
			if !isUpper(bban[i]) {
				return false
			}
		}
	}
	return true
}

// ibanValid reports whether iban, upper-case letters and digits without
// separators, has its country's length and BBAN format and passes the ISO
// 13616 mod 97 check.
func ibanValid(iban string) bool {
	if len(iban) < 5 || ibanLengths[iban[:2]] != len(iban) || !bbanFormatValid(iban) {
		return false
	}
	rearranged := iban[4:] + iban[:4]
	rem := 0
	for i := 0; i < len(rearranged); i++ {
		c := rearranged[i]
		switch {
		case c >= '0' && c <= '9':
			rem = (rem*10 + int(c-'0')) % 97
		case c >= 'A' && c <= 'Z':
			rem = (rem*100 + int(c-'A') + 10) % 97
		default:
			return false
		}
	}
	return rem == 1
}

// nhsValid reports whether ten digits form a valid UK NHS number: the
// first nine digits weighted 10 down to 2, summed mod 11, give the tenth.
func nhsValid(digits string) bool {
	if len(digits) != 10 || strings.Count(digits, digits[:1]) == 10 {
		return false
	}
	sum := 0
	for i := range 9 {
		sum += int(digits[i]-'0') * (10 - i)
	}
	check := 11 - sum%11
	if check == 11 {
		check = 0
	}
	return check != 10 && check == int(digits[9]-'0')
}

// ninoPrefixValid reports whether the two letters of a UK National
// Insurance number may be issued: D, F, I, Q, U and V never appear, O
// never second, and BG, GB, KN, NK, NT, TN and ZZ are not allocated.
func ninoPrefixValid(prefix string) bool {
	if len(prefix) != 2 || strings.ContainsAny(prefix, "DFIQUV") || prefix[1] == 'O' {
		return false
	}
	switch prefix {
	case "BG", "GB", "KN", "NK", "NT", "TN", "ZZ":
		return false
	}
	return true
}

// sinValid reports whether nine digits form a valid Canadian Social
// Insurance Number: Luhn valid and not starting with 0 or 8, which are not
// issued as SINs.
func sinValid(digits string) bool {
	return len(digits) == 9 && digits[0] != '0' && digits[0] != '8' && luhnValid(digits)
}

// abaChecksumValid reports whether nine digits pass the ABA routing
// transit number checksum: the digits weighted 3, 7, 1 repeating sum to a
// multiple of 10.
func abaChecksumValid(digits string) bool {
	if len(digits) != 9 || strings.Trim(digits, "0") == "" {
		return false
	}
	weights := [3]int{3, 7, 1}
	sum := 0
	for i := range 9 {
		sum += int(digits[i]-'0') * weights[i%3]
	}
	return sum%10 == 0
}

// abaPrefixValid reports whether a routing number starts with a Federal
// Reserve routing symbol in use: 00-12, 21-32, 61-72 or 80.
func abaPrefixValid(digits string) bool {
	prefix := int(digits[0]-'0')*10 + int(digits[1]-'0')
	return prefix <= 12 || (prefix >= 21 && prefix <= 32) || (prefix >= 61 && prefix <= 72) || prefix == 80
}

// vinValid reports whether a 17-character VIN carries a correct check digit
// in position 9, as North American VINs do.
func vinValid(vin string) bool {
	if len(vin) != 17 {
		return false
	}
	weights := [17]int{8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2}
	sum := 0
	for i := 0; i < 17; i++ {
		v := vinValue(vin[i])
		if v < 0 {
			return false
		}
		sum += v * weights[i]
	}
	check := byte('0' + sum%11)
	if sum%11 == 10 {
		check = 'X'
	}
	return vin[8] == check
}

// vinValue returns the number that a VIN character stands for in the
// check digit sum, or -1 for I, O, Q and characters outside A-Z0-9.
func vinValue(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'A' && c <= 'H':
		return int(c-'A') + 1
	case c >= 'J' && c <= 'N':
		return int(c-'J') + 1
	case c == 'P':
		return 7
	case c == 'R':
		return 9
	case c >= 'S' && c <= 'Z':
		return int(c-'S') + 2
	}
	return -1
}
