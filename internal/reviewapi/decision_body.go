package reviewapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/moderato/moderato/internal/review"
)

// decisionBody is the JSON body of a decision request. Present is a pointer
// so that a correction without a "present" field is rejected instead of
// being read as false.
type decisionBody struct {
	Decision    string           `json:"decision"`
	Reason      string           `json:"reason"`
	Corrections []correctionBody `json:"corrections,omitempty"`
}

type correctionBody struct {
	Category string `json:"category"`
	Present  *bool  `json:"present"`
}

// parseDecisionBody decodes a decision request body. It rejects unknown
// fields (which also rejects a body that tries to name its own reviewer),
// duplicate keys at any depth (so "reject" then "approve" cannot pass as
// either), data after the JSON object and corrections without "present".
func parseDecisionBody(body []byte) (DecisionRequest, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	var wire decisionBody
	if err := dec.Decode(&wire); err != nil {
		return DecisionRequest{}, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return DecisionRequest{}, errors.New("unexpected data after the JSON object")
	}
	if err := checkDuplicateKeys(json.NewDecoder(bytes.NewReader(body)), "body"); err != nil {
		return DecisionRequest{}, err
	}

	req := DecisionRequest{Decision: wire.Decision, Reason: wire.Reason}
	for i, c := range wire.Corrections {
		if c.Present == nil {
			return DecisionRequest{}, fmt.Errorf("corrections[%d] has no \"present\" field: set it to true or false", i)
		}
		req.Corrections = append(req.Corrections, review.Correction{Category: c.Category, Present: *c.Present})
	}
	return req, nil
}

// checkDuplicateKeys reads one JSON value from dec and returns an error
// naming the first object key that occurs twice in the same object,
// ignoring case as encoding/json does. The
// value was decoded once already, so it is valid JSON.
func checkDuplicateKeys(dec *json.Decoder, path string) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	switch tok {
	case json.Delim('{'):
		var seen []string
		for dec.More() {
			keyTok, err := dec.Token()
			if err != nil {
				return err
			}
			key, _ := keyTok.(string)
			// encoding/json matches keys to fields case-insensitively, so
			// "Decision" and "decision" set the same field.
			if slices.ContainsFunc(seen, func(k string) bool { return strings.EqualFold(k, key) }) {
				return fmt.Errorf("duplicate key %q in %s", key, path)
			}
			seen = append(seen, key)
			if err := checkDuplicateKeys(dec, path+"."+key); err != nil {
				return err
			}
		}
	case json.Delim('['):
		for i := 0; dec.More(); i++ {
			if err := checkDuplicateKeys(dec, fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
	default:
		return nil
	}
	_, err = dec.Token() // the closing '}' or ']'
	return err
}
