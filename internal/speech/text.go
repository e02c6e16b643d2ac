package speech

import "strings"

// digitWords maps the spoken digits that the US English model recognises.
var digitWords = map[string]byte{
	"zero": '0', "oh": '0', "one": '1', "two": '2', "three": '3', "four": '4',
	"five": '5', "six": '6', "seven": '7', "eight": '8', "nine": '9',
}

// minDigitRun is the shortest run of spoken digits written as a number.
// Shorter runs stay words, so "one or two" is not read as "1 2".
const minDigitRun = 3

// Text returns the transcript as text, as Amazon Transcribe writes it: runs
// of at least three spoken digits become numerals, with a space at each
// pause inside the run, so "two one two <sil> five five five" reads
// "212 555". PII detectors then see numbers as they would in typed text.
func (tr Transcript) Text() string {
	var b strings.Builder
	words := tr.Words
	for i := 0; i < len(words); {
		if words[i].Text == Silence {
			i++
			continue
		}
		if n := digitRun(words[i:]); n > 0 {
			writeSep(&b)
			for _, w := range words[i : i+n] {
				if w.Text == Silence {
					b.WriteByte(' ')
					continue
				}
				b.WriteByte(digitWords[w.Text])
			}
			i += n
			continue
		}
		writeSep(&b)
		b.WriteString(words[i].Text)
		i++
	}
	return b.String()
}

// digitRun returns how many of words, from the first, form a run of spoken
// digits with at least minDigitRun digits, counting the pauses inside the
// run. It returns zero when words does not start with such a run.
func digitRun(words []Word) int {
	digits, end := 0, 0
	for i, w := range words {
		if w.Text == Silence {
			continue
		}
		if _, ok := digitWords[w.Text]; !ok {
			break
		}
		digits++
		end = i + 1
	}
	if digits < minDigitRun {
		return 0
	}
	return end
}

func writeSep(b *strings.Builder) {
	if b.Len() > 0 {
		b.WriteByte(' ')
	}
}
