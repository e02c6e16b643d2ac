package nsfw

// Top-level moderation labels of Amazon Rekognition DetectModerationLabels
// (taxonomy version 7) that the model's classes map to. Policies name their
// category thresholds with these strings, case-sensitive, so one policy
// works for Rekognition and for this model.
const (
	LabelExplicit            = "Explicit"
	LabelSwimwearOrUnderwear = "Swimwear or Underwear"
)

// Label is a moderation label and its score in [0, 1].
type Label struct {
	Name  string
	Score float64
}

// Labels maps the class probabilities to Rekognition's top-level
// moderation labels. Both labels are always returned, in this order:
//
//   - Explicit: Porn + Hentai. Rekognition's Explicit covers sexual
//     activity and explicit nudity whether photographed or drawn, and the
//     two classes are exclusive outcomes of one softmax, so their sum is
//     the model's probability that the image is explicit.
//   - Swimwear or Underwear: Sexy. nsfwjs describes the class as sexual
//     images that are not pornography; its training images are mostly
//     people in lingerie or swimwear.
//
// Drawing and Neutral are safe classes and map to no label.
//
// NOTE: the model has no class for Rekognition's "Non-Explicit Nudity of
// Intimate parts and Kissing", so that label is never returned; such images
// score as Sexy or Porn.
func (p Prediction) Labels() []Label {
	return []Label{
		{Name: LabelExplicit, Score: min(p[Porn]+p[Hentai], 1)},
		{Name: LabelSwimwearOrUnderwear, Score: p[Sexy]},
	}
}
