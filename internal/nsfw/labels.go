package nsfw

// Policy categories of the top-level moderation labels of Amazon
// Rekognition DetectModerationLabels (taxonomy version 7) that the model's
// classes map to. They are the names the Rekognition adapter
// (internal/awsadapter/rekognition) gives those labels, and policies name
// their thresholds with them, case-sensitive, so one policy works for
// Rekognition and for this model.
const (
	// LabelExplicit is Rekognition's "Explicit".
	LabelExplicit = "EXPLICIT"
	// LabelSwimwearOrUnderwear is Rekognition's "Swimwear or Underwear".
	LabelSwimwearOrUnderwear = "SWIMWEAR_OR_UNDERWEAR"
)

// Label is a moderation label and its score in [0, 1].
type Label struct {
	Name  string
	Score float64
}

// Labels maps the class probabilities to Rekognition's top-level
// moderation labels. Both labels are always returned, in this order:
//
//   - EXPLICIT (Explicit): Porn + Hentai. Rekognition's Explicit covers sexual
//     activity and explicit nudity whether photographed or drawn, and the
//     two classes are exclusive outcomes of one softmax, so their sum is
//     the model's probability that the image is explicit.
//   - SWIMWEAR_OR_UNDERWEAR (Swimwear or Underwear): Sexy. nsfwjs describes the class as sexual
//     images that are not pornography; its training images are mostly
//     people in lingerie or swimwear.
//
// Drawing and Neutral are safe classes and map to no label.
//
// NOTE: the model has no class for Rekognition's "Non-Explicit Nudity of
// Intimate parts and Kissing" (NON_EXPLICIT_NUDITY), so that category is
// never returned, and such images score as Sexy or Porn.
func (p Prediction) Labels() []Label {
	return []Label{
		{Name: LabelExplicit, Score: min(p[Porn]+p[Hentai], 1)},
		{Name: LabelSwimwearOrUnderwear, Score: p[Sexy]},
	}
}
