package pipeline

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/moderato/moderato/internal/objects"
)

// ExtractTextInput is the input of the text extraction tasks.
type ExtractTextInput struct {
	Item Item `json:"item"`
}

// ExtractText extracts the text of a document or the speech of an audio or
// video item and stores it by reference. Without an engine for the item the
// result names no location and gives the reason, so that the analysis branches
// report the item as unscored.
func (t *Tasks) ExtractText(ctx context.Context, in ExtractTextInput) (TextRef, error) {
	if t.TextExtractor == nil {
		return TextRef{Unscored: []string{fmt.Sprintf("no text could be extracted: no engine for %s content is configured", in.Item.MediaType)}}, nil
	}

	text, err := t.TextExtractor.ExtractText(ctx, in.Item)
	if errors.Is(err, ErrEngineUnavailable) {
		return TextRef{Unscored: []string{"no text could be extracted: " + err.Error()}}, nil
	}
	if err != nil {
		return TextRef{}, err
	}

	loc := objects.Location{Bucket: t.Buckets.Work, Key: "text/" + workID(in.Item) + ".txt"}
	if _, err := t.Objects.Put(ctx, loc, strings.NewReader(text), "text/plain; charset=utf-8"); err != nil {
		return TextRef{}, fmt.Errorf("writing text extracted from %s: %w", in.Item.Location(), err)
	}
	return TextRef{Location: &loc}, nil
}

// VideoInput is the input of the Moderate video frames task.
type VideoInput struct {
	Item Item `json:"item"`
}

// ModerateVideoFrames samples frames of a video and scores each with the
// image moderation engine and the words in it with the text moderation
// engine. Each category keeps its highest score over the frames. Parts that
// no engine could score are reported as unscored, which sends the video to
// review.
func (t *Tasks) ModerateVideoFrames(ctx context.Context, in VideoInput) (Analysis, error) {
	out := Analysis{Kind: KindModeration, Engine: engineName(t.FrameSampler)}
	if t.FrameSampler == nil {
		out.Unscored = []string{"video frames were not moderated: no video engine is configured"}
		return out, nil
	}
	frames, err := t.FrameSampler.SampleFrames(ctx, in.Item)
	if errors.Is(err, ErrEngineUnavailable) {
		out.Unscored = []string{"video frames were not moderated: " + err.Error()}
		return out, nil
	}
	if err != nil {
		return Analysis{}, err
	}

	return t.moderateFrames(ctx, in.Item, frames, out)
}
