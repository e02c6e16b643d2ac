// Command decide is the Lambda function of the Decide state: it applies the
// moderation policy to the analysis results.
//
// Configuration: POLICY_JSON holds the policy document; when it is empty the
// built-in default policy applies.
package main

import (
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/moderato/moderato/internal/pipeline"
	"github.com/moderato/moderato/internal/policy"
)

func main() {
	logger := slog.New(slog.NewJSONHandler(os.Stdout, nil))

	pol := policy.Default()
	if doc := os.Getenv("POLICY_JSON"); doc != "" {
		p, err := policy.Parse([]byte(doc))
		if err != nil {
			logger.Error("loading the policy from POLICY_JSON", "error", err)
			os.Exit(1)
		}
		pol = p
	}

	tasks := &pipeline.Tasks{Policy: pol, Logger: logger}
	lambda.Start(tasks.Decide)
}
