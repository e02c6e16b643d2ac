package textract

import (
	"context"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/textract"
	"github.com/aws/aws-sdk-go-v2/service/textract/types"

	"github.com/moderato/moderato/internal/awsadapter/awserr"
	"github.com/moderato/moderato/internal/pipeline"
)

// MaxSyncBytes is the largest document DetectDocumentText reads from S3
// (10 MB, Textract quotas for synchronous operations).
const MaxSyncBytes = 10 << 20

// SyncAPI is the part of the Textract client Extractor calls.
type SyncAPI interface {
	DetectDocumentText(ctx context.Context, in *textract.DetectDocumentTextInput, opts ...func(*textract.Options)) (*textract.DetectDocumentTextOutput, error)
}

// Extractor reads single-page documents with the synchronous
// DetectDocumentText. It implements pipeline.TextExtractor for the
// extract_text function, which the state machine calls for documents of
// one page or of a page count Inspect could not read.
type Extractor struct {
	API SyncAPI
}

var _ pipeline.TextExtractor = (*Extractor)(nil)

// Name identifies the engine in outcomes.
func (e *Extractor) Name() string { return "amazon-textract" }

// ExtractText returns the lines of a one-page document. Audio and video,
// documents over MaxSyncBytes and documents of more than one page return a
// pipeline.EngineUnavailableError with the reason, which sends the item to
// review, because they need the asynchronous jobs.
func (e *Extractor) ExtractText(ctx context.Context, item pipeline.Item) (string, error) {
	if item.MediaType != "document" {
		return "", &pipeline.EngineUnavailableError{Reason: "speech in " + item.MediaType + " is read by a Transcribe job, not by synchronous text extraction"}
	}
	if item.Size > MaxSyncBytes {
		return "", &pipeline.EngineUnavailableError{Reason: "the document is larger than the 10 MB that synchronous Amazon Textract reads"}
	}

	obj := &types.S3Object{Bucket: aws.String(item.Bucket), Name: aws.String(item.Key)}
	if item.VersionID != "" {
		obj.Version = aws.String(item.VersionID)
	}
	out, err := e.API.DetectDocumentText(ctx, &textract.DetectDocumentTextInput{Document: &types.Document{S3Object: obj}})
	if awserr.Is(err, "UnsupportedDocumentException") && item.Format == "pdf" {
		// Synchronous text detection rejects PDFs of more than one page.
		// The state machine sends those to the asynchronous job when
		// Inspect could count their pages, so this is one it could not.
		return "", &pipeline.EngineUnavailableError{Reason: "the document has more than one page, which synchronous Amazon Textract does not read, and its page count could not be read to start a text detection job"}
	}
	if err != nil {
		return "", awserr.Classify("calling Textract DetectDocumentText for "+item.Location().String(), err)
	}

	var text strings.Builder
	for _, b := range out.Blocks {
		if b.BlockType == types.BlockTypeLine {
			text.WriteString(aws.ToString(b.Text))
			text.WriteString("\n")
		}
	}
	return text.String(), nil
}
