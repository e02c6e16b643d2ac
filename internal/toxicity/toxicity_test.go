package toxicity

import (
	"bufio"
	"math"
	"os"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// cleanThreshold is the highest score a harmless text may get on any label.
const cleanThreshold = 0.1

func readCleanPosts(t testing.TB) []string {
	t.Helper()
	file, err := os.Open("testdata/clean_posts.txt")
	require.NoError(t, err)
	defer file.Close()

	var posts []string
	scanner := bufio.NewScanner(file)
	for scanner.Scan() {
		line := scanner.Text()
		if line != "" && !strings.HasPrefix(line, "#") {
			posts = append(posts, line)
		}
	}
	require.NoError(t, scanner.Err())
	require.NotEmpty(t, posts)
	return posts
}

func assertClean(t *testing.T, result Result) {
	t.Helper()
	for _, label := range result.Labels {
		assert.Less(t, label.Score, cleanThreshold, "label %s", label.Name)
	}
	assert.Less(t, result.Toxicity, cleanThreshold, "toxicity")
}

func TestClassifyCleanPosts(t *testing.T) {
	c := New()
	for _, post := range readCleanPosts(t) {
		t.Run(post, func(t *testing.T) {
			assertClean(t, c.Classify(post))
		})
	}
}

func TestClassifyLabels(t *testing.T) {
	tests := []struct {
		name     string
		text     string
		label    string
		min, max float64
	}{
		{"profanity", "This fucking printer jammed again.", LabelProfanity, 0.75, 0.9},
		{"mild profanity", "Oh crap, I forgot my keys.", LabelProfanity, 0.3, 0.5},
		{"mild insult", "Honestly, the new manager is an idiot.", LabelInsult, 0.55, 0.7},
		{"insult loser", "What a loser.", LabelInsult, 0.55, 0.7},
		{"insult moron", "Only a moron would park there.", LabelInsult, 0.55, 0.7},
		{"insult pathetic", "That speech was pathetic.", LabelInsult, 0.5, 0.7},
		{"directed insult", "You are an idiot.", LabelInsult, 0.72, 0.85},
		{"directed insult harasses", "You are an idiot.", LabelHarassmentOrAbuse, 0.3, 0.5},
		{"several insults", "He is a stupid, pathetic moron and a loser.", LabelInsult, 0.9, 0.99},
		{"you are worthless", "You are worthless.", LabelHarassmentOrAbuse, 0.7, 0.9},
		{"strong insult", "What a piece of shit.", LabelInsult, 0.8, 0.95},
		{"hate speech phrase", "Immigrants are vermin.", LabelHateSpeech, 0.85, 0.95},
		{"hate speech call to violence", "Kill all Muslims.", LabelHateSpeech, 0.9, 0.99},
		{"graphic", "The video shows a severed head in a pool of blood.", LabelGraphic, 0.85, 0.95},
		{"sexual", "Send nudes or watch some porn.", LabelSexual, 0.85, 0.99},
		{"threat hurt", "I will hurt you.", LabelViolenceOrThreat, 0.85, 0.95},
		{"threat contraction", "I'll hurt you.", LabelViolenceOrThreat, 0.85, 0.95},
		{"threat going to", "I'm going to kill you.", LabelViolenceOrThreat, 0.9, 0.99},
		{"threat gonna", "im gonna kill u", LabelViolenceOrThreat, 0.9, 0.99},
		{"threat regret", "You'll regret this.", LabelViolenceOrThreat, 0.6, 0.8},
		{"threat watch your back", "Better watch your back.", LabelViolenceOrThreat, 0.7, 0.85},
		{"harassment exclusion", "Nobody wants you here.", LabelHarassmentOrAbuse, 0.8, 0.9},
		{"kill yourself harassment", "just kill yourself", LabelHarassmentOrAbuse, 0.95, 0.99},
		{"kill yourself threat", "just kill yourself", LabelViolenceOrThreat, 0.95, 0.99},
		{"directed profanity", "Fuck you.", LabelHarassmentOrAbuse, 0.4, 0.6},
		{"uppercase", "YOU ARE AN IDIOT", LabelInsult, 0.72, 0.85},
		{"curly apostrophe", "You’re worthless.", LabelHarassmentOrAbuse, 0.7, 0.9},
		{"non-latin text around", "Привет, idiot! 你好", LabelInsult, 0.55, 0.7},
	}
	c := New()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			result := c.Classify(tt.text)
			score := result.Score(tt.label)
			assert.GreaterOrEqual(t, score, tt.min, "%s score", tt.label)
			assert.LessOrEqual(t, score, tt.max, "%s score", tt.label)
			assert.GreaterOrEqual(t, result.Toxicity, score, "toxicity is at least the label score")
			assert.Less(t, result.Toxicity, 1.0)
		})
	}
}

func TestClassifyObfuscations(t *testing.T) {
	tests := []struct {
		name  string
		text  string
		label string
	}{
		{"repeated letters", "fuuuuuck this", LabelProfanity},
		{"repeated letters keep double", "what an asssss", LabelProfanity},
		{"leet one as i", "you 1diot", LabelInsult},
		{"leet digits", "you m0r0n", LabelInsult},
		{"leet one as l", "k1ll yourself", LabelHarassmentOrAbuse},
		{"leet at sign", "what an @sshole", LabelProfanity},
		{"leet dollar", "a$$hole", LabelProfanity},
		{"leet exclamation", "this is sh!t", LabelProfanity},
		{"star inside word", "f*ck off", LabelProfanity},
		{"stars at end", "kiss my a**", LabelProfanity},
		{"emphasis stars", "you are an *idiot*", LabelInsult},
		{"infix compound", "shut up, motherfucker", LabelProfanity},
		{"mixed", "Y0U ARE A L0SSSER", LabelInsult},
		{"diacritic", "what an idiöt", LabelInsult},
		{"spelled with dots", "f.u.c.k off", LabelProfanity},
		{"spelled with spaces", "just k y s", LabelHarassmentOrAbuse},
		{"spelled with hyphens", "this is s-h-i-t.", LabelProfanity},
		{"spelled after a letter", "x f u c k", LabelProfanity},
		{"uppercase diacritic", "WHAT AN IDIÖT", LabelInsult},
		{"cyrillic lookalike", "what an idi\u043et", LabelInsult},
		{"greek lookalike", "what a m\u03bfron", LabelInsult},
	}
	c := New()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.GreaterOrEqual(t, c.Classify(tt.text).Score(tt.label), 0.5)
		})
	}
}

func TestClassifyFalseFriends(t *testing.T) {
	tests := []struct {
		name string
		text string
	}{
		{"bass", "The bass was too loud."},
		{"assess", "We will assess your application."},
		{"class", "Class starts at nine."},
		{"scunthorpe", "Scunthorpe United won on Saturday."},
		{"snigger", "The audience sniggered."},
		{"mishit", "He mishit the drive."},
		{"rapeseed", "Rapeseed oil is cheap this year."},
		{"prickly", "A prickly cactus."},
		{"dickens", "Charles Dickens wrote it."},
		{"cocktail", "A cocktail and a cockpit tour."},
		{"hello", "Hello, shell script."},
		{"ambiguous wildcard", "s**t happens"},
		{"as is not ass", "as soon as possible"},
		{"numbers only", "1337 404 5000"},
		{"initials", "J. R. R. Tolkien and the U.S.A. and a b c"},
		{"russian", "Привет, как дела? Хорошо, спасибо."},
		{"french", "Le café était très agréable, à bientôt."},
		{"german", "Die Straße ist schön und ruhig."},
		{"empty", ""},
		{"punctuation only", "!!! *** $$$ @@@"},
	}
	c := New()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assertClean(t, c.Classify(tt.text))
		})
	}
}

func TestClassifyContextLowersScore(t *testing.T) {
	tests := []struct {
		name    string
		plain   string
		context string
		label   string
	}{
		{"negation not", "He is an idiot.", "He is not an idiot.", LabelInsult},
		{"negation never", "She is a loser.", "She is never a loser.", LabelInsult},
		{"negation no", "He is an idiot.", "He is no idiot.", LabelInsult},
		{"quotation", "He is an idiot.", `He wrote "idiot" on the board.`, LabelInsult},
		{"curly quotation", "He is an idiot.", "He wrote “idiot” on the board.", LabelInsult},
	}
	c := New()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			plain := c.Classify(tt.plain).Score(tt.label)
			lowered := c.Classify(tt.context).Score(tt.label)
			require.Greater(t, plain, 0.5)
			assert.Less(t, lowered, plain*0.7)
			assert.Greater(t, lowered, 0.0, "a mention still counts a little")
		})
	}
}

func TestClassifyLongQuotationIsNotAMention(t *testing.T) {
	c := New()
	text := `"you are an idiot and everybody in this whole town knows it`
	assert.Greater(t, c.Classify(text).Score(LabelInsult), 0.7)

	text = `"you are an idiot and everybody in this whole town knows it"`
	assert.Greater(t, c.Classify(text).Score(LabelInsult), 0.7)
}

func TestClassifyContainedPhraseCountsOnce(t *testing.T) {
	c := New()
	// "i will kill you" (0.95) contains "kill you" (0.80).
	assert.InDelta(t, 0.95, c.Classify("I will kill you").Score(LabelViolenceOrThreat), 1e-9)
	// Two separate threats do add up.
	assert.Greater(t, c.Classify("I will kill you. I will kill you.").Score(LabelViolenceOrThreat), 0.95)
}

func TestClassifyNegationStaysInSentence(t *testing.T) {
	c := New()
	result := c.Classify("I do not agree. He is an idiot.")
	assert.InDelta(t, c.Classify("He is an idiot.").Score(LabelInsult), result.Score(LabelInsult), 1e-9)
}

func TestClassifyResultShape(t *testing.T) {
	result := New().Classify("hello")
	require.Len(t, result.Labels, 7)
	assert.Equal(t, []string{
		"PROFANITY", "HATE_SPEECH", "INSULT", "GRAPHIC",
		"HARASSMENT_OR_ABUSE", "SEXUAL", "VIOLENCE_OR_THREAT",
	}, LabelNames())
	for i, label := range result.Labels {
		assert.Equal(t, LabelNames()[i], label.Name)
	}
}

func TestClassifyScoresStayBelowOne(t *testing.T) {
	text := strings.Repeat("You fucking idiot, kill yourself, you worthless piece of shit. ", 200)
	result := New().Classify(text)
	for _, label := range result.Labels {
		assert.GreaterOrEqual(t, label.Score, 0.0, label.Name)
		assert.Less(t, label.Score, 1.0, label.Name)
	}
	assert.Greater(t, result.Toxicity, 0.95)
	assert.Less(t, result.Toxicity, 1.0)
}

func TestClassifyLongTextAbuseAtEnd(t *testing.T) {
	posts := readCleanPosts(t)
	var b strings.Builder
	for b.Len() < 50_000 {
		for _, post := range posts {
			b.WriteString(post)
			b.WriteString(" ")
		}
	}
	clean := b.String()
	require.Greater(t, len(Split(clean, MaxSegmentBytes)), 40)
	c := New()

	assertClean(t, c.Classify(clean))

	result := c.Classify(clean + "You are a pathetic loser.")
	assert.Greater(t, result.Score(LabelInsult), 0.8)
	assert.Greater(t, result.Score(LabelHarassmentOrAbuse), 0.3)
}

func TestClassifyInvalidUTF8(t *testing.T) {
	tests := []struct {
		name  string
		text  string
		label string
		min   float64
	}{
		{"around word", "\xff\xfeidiot\xc3", LabelInsult, 0.55},
		{"inside phrase gap", "kill\xffyourself", LabelHarassmentOrAbuse, 0.9},
		{"truncated sequence", "\xe2\x82", LabelInsult, 0},
		{"only invalid bytes", strings.Repeat("\xff\x80", 3000), LabelInsult, 0},
	}
	c := New()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			result := c.Classify(tt.text)
			require.Len(t, result.Labels, numLabels)
			assert.GreaterOrEqual(t, result.Score(tt.label), tt.min)
			if tt.min == 0 {
				assert.Zero(t, result.Toxicity)
			}
		})
	}
}

func TestClassifyTextWithoutSpaces(t *testing.T) {
	tests := []struct {
		name string
		text string
	}{
		{"ascii", strings.Repeat("a", 3<<20)},
		{"two-byte", strings.Repeat("é", 1<<20)},
		{"four-byte", strings.Repeat("😀", 1<<19)},
		{"stars", strings.Repeat("f*ck", 1<<18)},
		{"elongated", strings.Repeat("fuuuuuuck", 1<<17)},
	}
	c := New()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			result := c.Classify(tt.text)
			require.Len(t, result.Labels, numLabels)
			assert.Less(t, result.Toxicity, 1.0)
		})
	}
}

func TestClassifyConcurrent(t *testing.T) {
	c := New()
	texts := []string{"You are an idiot.", "I will hurt you.", "Lovely weather.", "f*ck this"}
	want := make([]Result, len(texts))
	for i, text := range texts {
		want[i] = c.Classify(text)
	}

	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for round := range 50 {
				i := round % len(texts)
				assert.Equal(t, want[i], c.Classify(texts[i]))
			}
		})
	}
	wg.Wait()
}

func TestWithMaxSegmentBytes(t *testing.T) {
	// With segments of 16 bytes the two halves of the phrase land in
	// different segments, so the phrase cannot match.
	text := "xxxxxxxxx kill yourself"
	assert.Greater(t, New().Classify(text).Score(LabelHarassmentOrAbuse), 0.9)
	assert.Zero(t, New(WithMaxSegmentBytes(16)).Classify(text).Score(LabelHarassmentOrAbuse))
}

func TestWithLexicon(t *testing.T) {
	lex, err := ParseLexicon([]byte("INSULT 0.6 gobshite\n"))
	require.NoError(t, err)
	c := New(WithLexicon(lex))

	assert.InDelta(t, 0.6, c.Classify("what a gobshite").Score(LabelInsult), 1e-9)
	assert.Zero(t, c.Classify("you idiot").Score(LabelInsult), "the embedded lexicon is replaced")
}

func FuzzClassify(f *testing.F) {
	for _, seed := range []string{"", "you idiot", "f*ck", "a$$", "\xff\xfe", "kill yourself", `"idiot"`, "fuuuuuuuuuuuck", "1d10t"} {
		f.Add(seed)
	}
	c := New()
	f.Fuzz(func(t *testing.T, text string) {
		result := c.Classify(text)
		if len(result.Labels) != numLabels {
			t.Fatalf("got %d labels, want %d", len(result.Labels), numLabels)
		}
		for _, label := range result.Labels {
			if math.IsNaN(label.Score) || label.Score < 0 || label.Score >= 1 {
				t.Fatalf("label %s has score %v, want 0 <= score < 1", label.Name, label.Score)
			}
		}
		if result.Toxicity < 0 || result.Toxicity >= 1 {
			t.Fatalf("toxicity %v, want 0 <= toxicity < 1", result.Toxicity)
		}
		for _, segment := range Split(text, MaxSegmentBytes) {
			if utf8.ValidString(text) && !utf8.ValidString(segment) {
				t.Fatalf("segment %q of valid text is invalid UTF-8", segment)
			}
		}
	})
}

func BenchmarkClassify(b *testing.B) {
	posts := readCleanPosts(b)
	var builder strings.Builder
	for builder.Len() < 1<<20 {
		for _, post := range posts {
			builder.WriteString(post)
			builder.WriteString(" You are an idiot, f*ck this. ")
		}
	}
	text := builder.String()
	c := New()

	b.SetBytes(int64(len(text)))
	b.ResetTimer()
	for b.Loop() {
		c.Classify(text)
	}
}

func TestThreatsAndFullwidthForms(t *testing.T) {
	c := New()
	tests := []struct {
		name  string
		text  string
		label string
		min   float64
	}{
		{name: "threat to family", text: "I will find where you live and hurt your family", label: LabelViolenceOrThreat, min: 0.8},
		{name: "fullwidth profanity", text: "ｆｕｃｋ you", label: LabelProfanity, min: 0.5},
		{name: "armenian lookalikes", text: "you are an idi\u0585t", label: LabelInsult, min: 0.5},
		{name: "armenian u in profanity", text: "f\u057dck you", label: LabelProfanity, min: 0.5},
		{name: "cyrillic lookalikes", text: "ѕhit hеаd", label: LabelProfanity, min: 0.5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.GreaterOrEqual(t, c.Classify(tt.text).Score(tt.label), tt.min)
		})
	}
}
