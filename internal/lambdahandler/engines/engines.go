// Package engines selects the analysis engines of the Lambda functions from
// MODERATO_ENGINES: "aws" (the default) uses Amazon Comprehend, Amazon
// Rekognition and, for text in images, Amazon Textract, and "local" uses
// the in-process engines of local mode. The
// local engines are for tests and offline deployments, such as a stack
// applied to an AWS emulator that does not implement the AI services.
//
// It is a package of its own so that only the functions that analyse
// content link the local engines and their embedded lexicons.
package engines

import (
	"fmt"
	"log/slog"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awscomprehend "github.com/aws/aws-sdk-go-v2/service/comprehend"
	awsrekognition "github.com/aws/aws-sdk-go-v2/service/rekognition"
	awstextract "github.com/aws/aws-sdk-go-v2/service/textract"

	"github.com/moderato/moderato/internal/awsadapter/comprehend"
	"github.com/moderato/moderato/internal/awsadapter/documents"
	"github.com/moderato/moderato/internal/awsadapter/rekognition"
	"github.com/moderato/moderato/internal/localengine"
	"github.com/moderato/moderato/internal/pipeline"
)

// Variable is the environment variable that selects the engines.
const Variable = "MODERATO_ENGINES"

// Kind is a set of analysis engines.
type Kind string

const (
	// AWS is Amazon Comprehend for text and Amazon Rekognition for images.
	AWS Kind = "aws"
	// Local is the toxicity lexicon, the PII patterns and the nsfwjs image
	// model, running in the function's process.
	Local Kind = "local"
)

// FromEnv returns the engines that getenv(Variable) names; an empty value
// means AWS.
func FromEnv(getenv func(string) string) (Kind, error) {
	switch v := strings.ToLower(strings.TrimSpace(getenv(Variable))); v {
	case "", string(AWS):
		return AWS, nil
	case string(Local):
		return Local, nil
	default:
		return "", fmt.Errorf("invalid %s %q: use aws or local", Variable, v)
	}
}

// TextModerator returns the engine that scores text for toxicity.
func (k Kind) TextModerator(cfg aws.Config, logger *slog.Logger) pipeline.TextModerator {
	if k == Local {
		return localengine.NewTextModerator()
	}
	return &comprehend.Moderator{API: awscomprehend.NewFromConfig(cfg), Logger: logger}
}

// PIIDetector returns the engine that finds PII in text.
func (k Kind) PIIDetector(cfg aws.Config, logger *slog.Logger) pipeline.PIIDetector {
	if k == Local {
		return localengine.NewPIIDetector()
	}
	return &comprehend.PIIDetector{API: awscomprehend.NewFromConfig(cfg), Logger: logger}
}

// TextRecognizer returns the engine that reads text in images: Amazon
// Textract for AWS, and nil for Local, because tesseract, the local OCR
// program, is not in the Lambda runtime. Without one, text in images is
// reported as not scanned and the image goes to review.
func (k Kind) TextRecognizer(cfg aws.Config) pipeline.TextRecognizer {
	if k == Local {
		return nil
	}
	return &documents.TextRecognizer{Textract: awstextract.NewFromConfig(cfg)}
}

// ImageModerator returns the engine that scores images. The local one reads
// the nsfwjs model from the model cache (`make model`); without it, images
// go to review.
func (k Kind) ImageModerator(cfg aws.Config, logger *slog.Logger) pipeline.ImageModerator {
	if k == Local {
		return localengine.NewImageModerator(logger)
	}
	return &rekognition.Moderator{API: awsrekognition.NewFromConfig(cfg)}
}
