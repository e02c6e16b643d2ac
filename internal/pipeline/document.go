package pipeline

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/moderato/moderato/internal/pii"
)

// redactDocument stages the redacted copy of a document in its own format
// and makes it out's redacted copy. A document without PII in its text is
// rewritten too, never copied, because its metadata (author, title,
// subject) and hidden parts can hold PII that the text does not show.
// Without a DocumentRedactor for the format, the redacted extracted text
// that DetectPIIText wrote stays the only redacted copy.
func (t *Tasks) redactDocument(ctx context.Context, item Item, text string, entities []pii.Entity, out *Analysis) error {
	if t.DocumentRedactor == nil {
		return nil
	}
	dst := t.stagedRedacted(item.Key)

	data, err := t.DocumentRedactor.RedactDocument(ctx, item, text, entities)
	if errors.Is(err, ErrEngineUnavailable) {
		t.logger().InfoContext(ctx, "document published as redacted text only", "item", item.Location().String(), "reason", err.Error())
		return nil
	}
	if err != nil {
		return fmt.Errorf("redacting document %s: %w", item.Location(), err)
	}
	if _, err := t.Objects.Put(ctx, dst, bytes.NewReader(data), item.MIME); err != nil {
		return fmt.Errorf("writing redacted copy of %s: %w", item.Location(), err)
	}
	out.Redacted = &dst
	return nil
}
