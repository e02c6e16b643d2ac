package pii

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/nyaruka/phonenumbers"
)

// phonenumbers.Parse runs several regular expressions over each number,
// extension forms among them, and costs more than the rest of a Detect
// call on short texts. The candidates that phoneScore parses contain only
// digits, separators and a leading '+', so for the common forms the
// parsed number follows from the digits and the region's metadata alone,
// and parsePhone builds it directly. It strips a national prefix such as
// the 0 of 020 7946 0958 by Parse's rules. It leaves to Parse every number
// from which Parse would strip an international prefix, and every number
// that starts with the country code without a '+' or keeps a leading zero.
// TestParsePhoneMatchesParse compares both on random numbers.

// numberingPlan is the part of a region's metadata that parsePhone reads.
type numberingPlan struct {
	region      string
	countryCode int
	// simple is set when Parse takes a number that starts with neither
	// prefix as it is. That holds when the region has no transform rule,
	// its national prefix for parsing is empty or digit strings joined by
	// '|' (GB has "0|180020"), and its international prefix is a string
	// of digits that starts with 0.
	simple bool
	// nationalPrefixes are the alternatives of the national prefix for
	// parsing, such as "1" in the US, or nil when it is empty.
	nationalPrefixes []string
	// internationalPrefix is the prefix for dialling abroad, such as
	// "011" in the US, which in a simple plan is a string of digits.
	internationalPrefix string
}

// numberingPlans returns the plans by region code and by the country
// calling code of each code's main region.
var numberingPlans = sync.OnceValues(func() (map[string]numberingPlan, map[int]numberingPlan) {
	byRegion := map[string]numberingPlan{}
	byCode := map[int]numberingPlan{}
	collection, err := phonenumbers.MetadataCollection()
	if err != nil {
		// The metadata is embedded in the library, which fails to start
		// without it, so this is unreachable. Empty plans send every
		// number to Parse.
		return byRegion, byCode
	}
	for _, m := range collection.GetMetadata() {
		prefix := m.GetNationalPrefixForParsing()
		idd := m.GetInternationalPrefix()
		plan := numberingPlan{
			region:              m.GetId(),
			countryCode:         int(m.GetCountryCode()),
			internationalPrefix: idd,
			simple: m.GetNationalPrefixTransformRule() == "" && alternativeDigits(prefix) &&
				idd != "" && idd[0] == '0' && allDigits(idd),
		}
		if prefix != "" {
			plan.nationalPrefixes = strings.Split(prefix, "|")
		}
		byRegion[plan.region] = plan
	}
	for _, plan := range byRegion {
		if phonenumbers.GetRegionCodeForCountryCode(plan.countryCode) == plan.region {
			byCode[plan.countryCode] = plan
		}
	}
	return byRegion, byCode
})

// alternativeDigits reports whether s is empty or strings of digits
// joined by '|'.
func alternativeDigits(s string) bool {
	if s == "" {
		return true
	}
	for _, alternative := range strings.Split(s, "|") {
		if alternative == "" || !allDigits(alternative) {
			return false
		}
	}
	return true
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

// parsePhone parses number, which contains digits, spaces and ().- and
// may start with '+', as a number of region, or of the country its '+'
// prefix names. It returns the same number as phonenumbers.Parse with
// region, or "US" when region is empty.
func parsePhone(number, region string) (*phonenumbers.PhoneNumber, error) {
	if parsed, ok := parsePhoneDirect(number, region); ok {
		return parsed, nil
	}
	if region == "" {
		region = "US"
	}
	return phonenumbers.Parse(number, region)
}

// parsePhoneDirect returns the parsed number and true when number has a
// form that it can read without phonenumbers.Parse.
func parsePhoneDirect(number, region string) (*phonenumbers.PhoneNumber, bool) {
	digits := digitsOf(number)
	if len(digits) < 3 || len(digits) > 17 {
		return nil, false
	}
	byRegion, byCode := numberingPlans()
	var plan numberingPlan
	national := digits
	if strings.HasPrefix(number, "+") {
		if digits[0] == '0' {
			return nil, false
		}
		found := false
		for n := 1; n <= 3 && !found; n++ {
			code, _ := strconv.Atoi(digits[:n])
			plan, found = byCode[code]
			national = digits[n:]
		}
		if !found {
			return nil, false
		}
	} else {
		var known bool
		// Parse reads a number that starts with the international
		// prefix, such as 00 in Europe, or with the country code as an
		// international number.
		if plan, known = byRegion[region]; !known || strings.HasPrefix(digits, plan.internationalPrefix) ||
			strings.HasPrefix(digits, strconv.Itoa(plan.countryCode)) {
			return nil, false
		}
	}
	if !plan.simple || len(national) < 2 {
		return nil, false
	}
	if stripped, ok := stripNationalPrefix(plan, national); ok {
		national = stripped
	}
	if len(national) < 2 || national[0] == '0' {
		return nil, false
	}
	for _, prefix := range plan.nationalPrefixes {
		if strings.HasPrefix(national, prefix) {
			return nil, false
		}
	}
	value, err := strconv.ParseUint(national, 10, 64)
	if err != nil {
		return nil, false
	}
	code := int32(plan.countryCode)
	return &phonenumbers.PhoneNumber{CountryCode: &code, NationalNumber: &value}, true
}

// stripNationalPrefix returns national without the first of the plan's
// national prefixes that starts it, such as the 0 of the British
// 020 7946 0958, and true when Parse would strip it. Parse strips it when
// the shorter number matches the region's general pattern, or the longer
// one does not, and the shorter one has a length the region allows.
func stripNationalPrefix(plan numberingPlan, national string) (string, bool) {
	i := slices.IndexFunc(plan.nationalPrefixes, func(prefix string) bool { return strings.HasPrefix(national, prefix) })
	if i < 0 {
		return "", false
	}
	p := patternsOf(regionKey{plan.region, plan.countryCode})
	if p == nil {
		return "", false
	}
	stripped := national[len(plan.nationalPrefixes[i]):]
	if p.general.matches(national) && !p.general.matches(stripped) {
		return "", false
	}
	// These are the length tests of testNumberLength for an unknown
	// number type, of which Parse keeps the results IS_POSSIBLE and
	// TOO_LONG.
	general := p.metadata.GetGeneralDesc()
	possible, n := general.GetPossibleLength(), int32(len(stripped))
	switch {
	case len(possible) == 0 || possible[0] == -1 || slices.Contains(general.GetPossibleLengthLocalOnly(), n):
		return "", false
	case n == possible[0] || n > possible[len(possible)-1]:
		return stripped, true
	case n < possible[0]:
		return "", false
	}
	return stripped, slices.Contains(possible[1:], n)
}

// The validity checks of phonenumbers build each pattern's anchored form
// as a new string and look it up in a locked cache, for each of up to
// ten number types per check, which costs more than the match itself.
// phoneValid and phoneValidForRegion return the same results as
// IsValidNumber and IsValidNumberForRegion with two precompiled matches
// per number: the region's general pattern and the union of the patterns
// of the number types that allow the number's length, each run as a
// digitDFA.

// regionKey names a region's metadata. Regions without a territory, such
// as the international freephone numbers, share the region code "001"
// and differ in their calling code.
type regionKey struct {
	region      string
	countryCode int
}

// regionPatterns are the compiled patterns of one region.
type regionPatterns struct {
	metadata *phonenumbers.PhoneMetadata
	// general matches the pattern of the general description.
	general *digitDFA
	// leading matches the leading digits that select the region among
	// those sharing its calling code, or is nil.
	leading *regexp.Regexp
	// typeMasks contains, per national number length, a bit for each
	// element of numberTypeDescs whose pattern is set and allows the length.
	typeMasks [maxNationalLength + 1]uint16
	// unions caches, by type mask, the automaton of the union of the
	// patterns of the types in the mask. Lengths that allow the same types share one.
	unions sync.Map
}

// maxNationalLength is the longest national significant number that
// phonenumbers parses.
const maxNationalLength = 17

// patternsByRegion caches *regionPatterns by regionKey.
var patternsByRegion sync.Map

// patternsOf returns the patterns of the region, or nil when phonenumbers
// has no metadata for it.
func patternsOf(key regionKey) *regionPatterns {
	if p, ok := patternsByRegion.Load(key); ok {
		return p.(*regionPatterns)
	}
	m := regionMetadata()[key]
	if m == nil {
		return nil
	}
	p := &regionPatterns{metadata: m, general: newDigitDFA(m.GetGeneralDesc().GetNationalNumberPattern())}
	for length := range p.typeMasks {
		for i, desc := range numberTypeDescs(m) {
			if desc.GetNationalNumberPattern() != "" && lengthAllowed(desc, length) {
				p.typeMasks[length] |= 1 << i
			}
		}
	}
	if leading := m.GetLeadingDigits(); leading != "" {
		p.leading = regexp.MustCompile("^(?:" + leading + ")")
	}
	actual, _ := patternsByRegion.LoadOrStore(key, p)
	return actual.(*regionPatterns)
}

var regionMetadata = sync.OnceValue(func() map[regionKey]*phonenumbers.PhoneMetadata {
	byKey := map[regionKey]*phonenumbers.PhoneMetadata{}
	collection, err := phonenumbers.MetadataCollection()
	if err != nil {
		// Unreachable, as in numberingPlans. Without metadata every
		// number is invalid, as in phonenumbers.
		return byKey
	}
	for _, m := range collection.GetMetadata() {
		byKey[regionKey{m.GetId(), int(m.GetCountryCode())}] = m
	}
	return byKey
})

// numberTypeDescs returns the descriptions of the number types that
// phonenumbers tests when it decides whether a number is valid.
func numberTypeDescs(m *phonenumbers.PhoneMetadata) []*phonenumbers.PhoneNumberDesc {
	return []*phonenumbers.PhoneNumberDesc{m.GetPremiumRate(), m.GetTollFree(), m.GetSharedCost(), m.GetVoip(),
		m.GetPersonalNumber(), m.GetPager(), m.GetUan(), m.GetVoicemail(), m.GetFixedLine(), m.GetMobile()}
}

// lengthAllowed reports whether desc allows national numbers of length n.
// A description without lengths allows those of the general description,
// which the caller checks.
func lengthAllowed(desc *phonenumbers.PhoneNumberDesc, n int) bool {
	return len(desc.GetPossibleLength()) == 0 || slices.Contains(desc.GetPossibleLength(), int32(n))
}

// typeUnion returns the union of the type patterns that allow length, or
// nil when none does.
func (p *regionPatterns) typeUnion(length int) *digitDFA {
	mask := p.typeMasks[length]
	if mask == 0 {
		return nil
	}
	if dfa, ok := p.unions.Load(mask); ok {
		return dfa.(*digitDFA)
	}
	var patterns []string
	for i, desc := range numberTypeDescs(p.metadata) {
		if mask&(1<<i) != 0 {
			patterns = append(patterns, "(?:"+desc.GetNationalNumberPattern()+")")
		}
	}
	dfa, _ := p.unions.LoadOrStore(mask, newDigitDFA(strings.Join(patterns, "|")))
	return dfa.(*digitDFA)
}

// nationalNumberValid reports whether nsn is a valid national significant
// number of the region, as phonenumbers decides it: it matches the
// general description and that of at least one number type.
func (p *regionPatterns) nationalNumberValid(nsn string) bool {
	if len(nsn) > maxNationalLength || !lengthAllowed(p.metadata.GetGeneralDesc(), len(nsn)) || !p.general.matches(nsn) {
		return false
	}
	union := p.typeUnion(len(nsn))
	return union != nil && union.matches(nsn)
}

// nationalSuffixValid reports whether a suffix of digits is a valid
// national significant number of region. Parse derives the national
// significant number of a number of digits and the separators " ().-" by
// dropping leading digits only (an international or national prefix, a
// country code), so the condition is necessary for such a number to be
// valid in region. It costs a few regexp matches where a parse costs
// many, which matters on texts full of numbers that start with 0, because
// phoneScore tries each of them in every region of trunkRegions. A region
// with a national prefix transform rule, which may insert digits, always
// passes.
func nationalSuffixValid(digits, region string) bool {
	p := patternsOf(regionKey{region, phonenumbers.GetCountryCodeForRegion(region)})
	if p == nil {
		return false
	}
	if p.metadata.GetNationalPrefixTransformRule() != "" {
		return true
	}
	for i := 0; i+2 <= len(digits); i++ {
		if p.nationalNumberValid(digits[i:]) {
			return true
		}
	}
	return false
}

// phoneValidForRegion returns what phonenumbers.IsValidNumberForRegion
// returns.
func phoneValidForRegion(number *phonenumbers.PhoneNumber, region string) bool {
	code := int(number.GetCountryCode())
	if region != "001" && phonenumbers.GetCountryCodeForRegion(region) != code {
		return false
	}
	p := patternsOf(regionKey{region, code})
	return p != nil && p.nationalNumberValid(nationalSignificantNumber(number))
}

// phoneValid returns what phonenumbers.IsValidNumber returns: whether the
// number is valid in the region that its country code and leading digits
// select.
func phoneValid(number *phonenumbers.PhoneNumber) bool {
	code := int(number.GetCountryCode())
	regions := phonenumbers.GetRegionCodesForCountryCode(code)
	switch len(regions) {
	case 0:
		return false
	case 1:
		return phoneValidForRegion(number, regions[0])
	}
	nsn := nationalSignificantNumber(number)
	for _, region := range regions {
		p := patternsOf(regionKey{region, code})
		if p == nil {
			continue
		}
		if p.leading != nil {
			if p.leading.MatchString(nsn) {
				return phoneValidForRegion(number, region)
			}
		} else if p.nationalNumberValid(nsn) {
			return phoneValidForRegion(number, region)
		}
	}
	return false
}

// nationalSignificantNumber returns what
// phonenumbers.GetNationalSignificantNumber returns, with one allocation
// in place of its builder's several when the number has no Italian
// leading zero.
func nationalSignificantNumber(number *phonenumbers.PhoneNumber) string {
	if number.GetItalianLeadingZero() {
		return phonenumbers.GetNationalSignificantNumber(number)
	}
	return strconv.FormatUint(number.GetNationalNumber(), 10)
}
