package pii

import (
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/nyaruka/phonenumbers"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestParsePhoneMatchesParse checks that parsePhone returns what
// phonenumbers.Parse returns, for random numbers in the forms that
// phoneScore parses, and that it reads most of them without Parse.
func TestParsePhoneMatchesParse(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	regions := append([]string{"", "US"}, append(trunkRegions, nineDigitRegions...)...)
	prefixes := []string{"+1", "+44", "+49", "+34", "+351", "+33", "+39", "+61", "+91", "+86", "+7", "+27", "+800", "+0", "+", "1", "0", "",
		"+44180020", "180020", "+4418002", "+441"}
	direct, total := 0, 0
	for range 30_000 {
		region := regions[rng.IntN(len(regions))]
		prefix := prefixes[rng.IntN(len(prefixes))]
		if region != "" && len(prefix) > 0 && prefix[0] == '+' {
			prefix = prefix[1:]
		}
		number := []byte(prefix)
		for n := 6 + rng.IntN(9); n > 0; n-- {
			if rng.IntN(5) == 0 {
				number = append(number, " -.()"[rng.IntN(5)])
			}
			number = append(number, byte('0'+rng.IntN(10)))
		}
		text := string(number)

		defaultRegion := region
		if region == "" {
			defaultRegion = "US"
		}
		want, wantErr := phonenumbers.Parse(text, defaultRegion)
		got, gotErr := parsePhone(text, region)

		require.Equal(t, wantErr == nil, gotErr == nil, "number %q in region %q: errors %v and %v", text, region, wantErr, gotErr)
		if wantErr != nil {
			continue
		}
		require.Equal(t, want.GetCountryCode(), got.GetCountryCode(), "country code of %q in region %q", text, region)
		require.Equal(t, want.GetNationalNumber(), got.GetNationalNumber(), "national number of %q in region %q", text, region)
		require.Equal(t, phonenumbers.GetNationalSignificantNumber(want), phonenumbers.GetNationalSignificantNumber(got), "number %q in region %q", text, region)
		require.Equal(t, phonenumbers.IsValidNumber(want), phoneValid(got), "validity of %q", text)
		require.Equal(t, phonenumbers.IsValidNumberForRegion(want, defaultRegion), phoneValidForRegion(got, defaultRegion),
			"validity of %q in region %q", text, defaultRegion)
		total++
		if _, ok := parsePhoneDirect(text, region); ok {
			direct++
		}
	}
	t.Logf("%d of %d parsed numbers read without Parse", direct, total)
	assert.Greater(t, direct, total/3)
}

// TestPhoneValidMatchesPhonenumbers checks phoneValid and
// phoneValidForRegion against phonenumbers on numbers near the example
// numbers of every region, which are mostly valid, and on their
// neighbours with one digit changed, which often are not.
func TestPhoneValidMatchesPhonenumbers(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	checked, valid := 0, 0
	for region := range phonenumbers.GetSupportedRegions() {
		for _, numberType := range []phonenumbers.PhoneNumberType{phonenumbers.FIXED_LINE, phonenumbers.MOBILE, phonenumbers.TOLL_FREE} {
			example := phonenumbers.GetExampleNumberForType(region, numberType)
			if example == nil {
				continue
			}
			nsn := []byte(phonenumbers.GetNationalSignificantNumber(example))
			for range 8 {
				variant := append([]byte(nil), nsn...)
				variant[rng.IntN(len(variant))] = byte('0' + rng.IntN(10))
				text := "+" + strconv.Itoa(int(example.GetCountryCode())) + " " + string(variant)
				number, err := phonenumbers.Parse(text, "US")
				if err != nil {
					continue
				}

				want := phonenumbers.IsValidNumber(number)
				require.Equal(t, want, phoneValid(number), "validity of %s", text)
				require.Equal(t, phonenumbers.IsValidNumberForRegion(number, region), phoneValidForRegion(number, region),
					"validity of %s in region %s", text, region)
				checked++
				if want {
					valid++
				}
			}
		}
	}
	t.Logf("%d numbers checked, %d valid", checked, valid)
	assert.Greater(t, valid, checked/4)
	assert.Less(t, valid, checked)
}

// TestNationalSuffixValidNecessary checks on random national numbers that
// nationalSuffixValid holds for every number that phoneValidIn accepts in
// the regions nationalValid tries, so that skipping the parse when it
// fails rejects no valid number.
func TestNationalSuffixValidNecessary(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	regions := append(append([]string{"US", "MX", "AR"}, trunkRegions...), nineDigitRegions...)
	prefixes := []string{"0", "00", "0044", "44", "0039", "(0)", "0 ", "1", "", "000"}
	valid, rejected := 0, 0
	for range 40_000 {
		region := regions[rng.IntN(len(regions))]
		number := []byte(prefixes[rng.IntN(len(prefixes))])
		for n := 6 + rng.IntN(8); n > 0; n-- {
			if rng.IntN(4) == 0 {
				number = append(number, " -.()"[rng.IntN(5)])
			}
			number = append(number, byte('0'+rng.IntN(10)))
		}
		text := string(number)

		suffixValid := nationalSuffixValid(digitsOf(text), region)

		if phoneValidIn(text, region) {
			valid++
			require.True(t, suffixValid, "number %q is valid in %s but no suffix of its digits is", text, region)
		} else if !suffixValid {
			rejected++
		}
	}
	t.Logf("%d valid numbers, %d invalid ones rejected without a parse", valid, rejected)
	assert.Greater(t, valid, 1000)
	assert.Greater(t, rejected, 10_000)
}
