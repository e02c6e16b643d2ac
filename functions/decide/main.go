// Command decide is the Lambda function of the Decide state: it applies the
// moderation policy to the analysis results.
//
// Configuration: POLICY_JSON holds the policy document; when it is empty the
// built-in default policy applies.
package main

import (
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/moderato/moderato/internal/lambdahandler"
	"github.com/moderato/moderato/internal/pipeline"
)

func main() {
	logger := lambdahandler.NewLogger()
	var env lambdahandler.Env
	pol, err := env.Policy()
	if err != nil {
		logger.Error("reading the configuration", "error", err)
		os.Exit(1)
	}

	tasks := &pipeline.Tasks{Policy: pol, Logger: logger}
	lambda.Start(lambdahandler.Wrap(logger, "decide", tasks.Decide))
}
