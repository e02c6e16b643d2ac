package pii_test

import (
	"fmt"

	"github.com/moderato/moderato/internal/pii"
)

func Example() {
	text := "Hi, I'm Ana Ruiz. Card 4111 1111 1111 1111, CVV 737, mail ana.ruiz@example.com."
	detector := pii.NewDetector()

	entities := detector.DetectLong(text)

	fmt.Println(pii.Redact(text, entities))
	for _, count := range pii.Summarize(entities) {
		fmt.Println(count.Type, count.Count)
	}
	// Output:
	// Hi, I'm [NAME]. Card [CREDIT_DEBIT_NUMBER], CVV [CREDIT_DEBIT_CVV], mail [EMAIL].
	// CREDIT_DEBIT_CVV 1
	// CREDIT_DEBIT_NUMBER 1
	// EMAIL 1
	// NAME 1
}

func ExampleCodePoints() {
	text := "Grüße, mail zoe@example.com"
	entities := pii.NewDetector().Detect(text)

	begin, end := pii.CodePoints(text, entities[0])
	fmt.Println(entities[0].Begin, entities[0].End, begin, end)
	// Output:
	// 14 29 12 27
}
