package pii

import (
	"bufio"
	"bytes"
	"compress/gzip"
	_ "embed"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// Types found by general rules of English and Spanish text rather than by
// a validator.
const (
	TypeName    = "NAME"
	TypeAddress = "ADDRESS"
)

// The embedded word lists contain one lower-case English word a line.
// lexicon/NOTICE gives their source and licence.
var (
	//go:embed lexicon/common-words.txt.gz
	commonWordsGz []byte
	//go:embed lexicon/rare-words.txt.gz
	rareWordsGz []byte
)

// wordClass is the frequency class of an English word.
type wordClass uint8

const (
	unknownClass wordClass = iota // not an English word: a proper noun or a foreign word
	rareClass                     // an English word outside the common list, such as "berg"
	commonClass                   // a common English word, such as "success"
)

// lexicon returns the class of each English word. A capitalized word
// missing from it is what makes "Thabo Nkosi" a likely name and
// "Customer Success" not.
var lexicon = sync.OnceValue(func() map[string]wordClass {
	words := make(map[string]wordClass, 64_000)
	load := func(gz []byte, class wordClass) {
		zr, err := gzip.NewReader(bytes.NewReader(gz))
		if err != nil {
			// The embedded files are fixed at build time and a test
			// reads them, so this is unreachable.
			return
		}
		scanner := bufio.NewScanner(zr)
		for scanner.Scan() {
			words[scanner.Text()] = class
		}
	}
	load(rareWordsGz, rareClass)
	load(commonWordsGz, commonClass)
	return words
})

// nameCues are words that introduce a person's name, in lower case, in
// English and Spanish.
var nameCues = []string{
	"my name is", "name:", "i'm", "i am", "it's", "this is", "dear", "hi", "hello", "hey",
	"thanks", "regards", "sincerely", "cheers", "patient", "new hire", "employee", "customer",
	"mr", "mrs", "ms", "miss", "dr", "prof", "contact", "attn", "cardholder", "card holder",
	"account holder", "applicant", "tenant", "signed", "from:", "to:", "cc:",
	"me llamo", "mi nombre es", "nombre:", "soy", "sr", "sra", "srta", "dra", "don", "doña",
	"estimado", "estimada", "hola", "atentamente", "saludos", "paciente", "cliente", "titular",
}

// roleCues are the cues that name a role rather than address a person.
// Words after them are a name only if one of the words is not a common
// English word, because "Customer Success" and "Patient Portal" are not
// names.
var roleCues = map[string]bool{
	"patient": true, "new hire": true, "employee": true, "customer": true, "contact": true, "cardholder": true,
	"card holder": true, "account holder": true, "applicant": true, "tenant": true, "from:": true, "to:": true,
	"cc:": true, "paciente": true, "cliente": true, "titular": true,
}

// titles are the cues that a period may follow, as in "Dr. Ruiz".
var titles = map[string]bool{"mr": true, "mrs": true, "ms": true, "dr": true, "prof": true, "sr": true, "sra": true, "srta": true, "dra": true}

// nameWordPattern matches one capitalized word of a name, including forms
// such as O'Neill, McAllister, Jean-Luc, Hyun-woo and Abernathy-Cole. particles are
// the lower-case words that may stand between the words of a name, as in
// "van der Berg" or "de la Cruz". namePattern, a name of one to four
// words, is the regular expression that matchName implements by hand.
const (
	nameWordPattern = `(?:O['’]|Mc|Mac|D['’])?\p{Lu}` + lowerRunPattern + `(?:-\p{L}` + lowerRunPattern + `)*`
	// lowerRunPattern is lower-case letters with the combining marks
	// that decomposed (NFD) text writes accents with.
	lowerRunPattern = `\p{M}*\p{Ll}[\p{Ll}\p{M}]*`
	particles       = `(?:van|von|der|den|de|del|della|la|le|da|das|dos|du|di|bin|ibn|al|ten|ter|y)`
	namePattern     = nameWordPattern + `(?: (?:` + particles + ` ){0,2}` + nameWordPattern + `){0,3}`
)

// nonNames contains capitalized words that are not names but are missing
// from the English lexicon or follow a name cue: greetings to groups, days,
// months, common sentence starters and common Spanish words.
var nonNames = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`All Everyone Team Folks Guys There Sir Madam Customer Customers Support Friend Friends
		Colleagues Staff Manager Sales Admin Monday Tuesday Wednesday Thursday Friday Saturday Sunday January
		February March April May June July August September October November December The This That These Those
		It Its We Our You Your They Their He She His Her I Please Thanks Thank Hello Hi Hey Dear Yes No Not Just
		Sorry Good Great Welcome Happy Here What When Where Why How Who Re Fwd Ticket Order Invoice Version Us Me World I I'm I've I'd I'll
		Mr Mrs Ms Dr Prof Attn Regards Cheers Best Kind Warm
		El La Los Las Un Una Unos Unas Por Para Con Sin De Del Al Mi Mis Tu Tus Su Sus Nuestro Nuestra Hola Buenos Buenas
		Gracias Saludos Atentamente Estimado Estimada Querido Querida Señor Señora Señorita Sr Sra Srta Don Doña Dra
		Calle Avenida Plaza Paseo Equipo Soporte Cliente Clientes Paciente Factura Pedido Tarjeta Cuenta Teléfono Correo
		Dirección Fecha Nombre Apellido Apellidos Lunes Martes Miércoles Jueves Viernes Sábado Domingo Enero Febrero
		Marzo Abril Mayo Junio Julio Agosto Septiembre Setiembre Octubre Noviembre Diciembre Le Les Lo Este Esta Estos
		Estas Ese Esa Aquí Hoy Mañana Ayer Muchas Favor Adjunto Asunto Usted Ustedes Nosotros Ellos Ella Él Yo
		Número Seguridad Social Documento Identidad Nacional Pasaporte Código Postal Sanitaria Banco Móvil`) {
		nonNames[w] = true
	}
}

// findNames reports the names after a cue such as "my name is", "Dear",
// "Patient" or "me llamo", and, without a cue, runs of two or more
// capitalized words that are neither English words nor common Spanish
// ones, such as "Thabo Nkosi" or "Siobhan da Silva".
//
// NOTE: a name without a cue whose words are English words, such as
// "Grace Baker", is missed, and a place or brand of two words missing
// from the lexicon, such as "Buenos Aires", is reported as a name.
func findNames(s *scan) {
	findCuedNames(s)
	findUnknownWordNames(s)
}

// cuesByPair groups nameCues by their first two bytes, so that
// findCuedNames compares only the cues that can start at a word.
var cuesByPair = func() map[uint16][]string {
	groups := map[uint16][]string{}
	for _, cue := range nameCues {
		pair := uint16(cue[0])<<8 | uint16(cue[1])
		groups[pair] = append(groups[pair], cue)
	}
	return groups
}()

// cuePrefixes is the set of the first two bytes of nameCues, a bit per
// pair, which rules out most words before any cue is compared.
var cuePrefixes = func() *[1 << 13]byte {
	var set [1 << 13]byte
	for _, cue := range nameCues {
		pair := uint16(cue[0])<<8 | uint16(cue[1])
		set[pair>>3] |= 1 << (pair & 7)
	}
	return &set
}()

// findCuedNames reports capitalized words after a cue.
func findCuedNames(s *scan) {
	text := s.text
	s.indexText()
	for _, b := range s.cueHits {
		if wordBefore(text, b) {
			continue
		}
		for _, cue := range cuesByPair[uint16(lowerASCII(text[b]))<<8|uint16(lowerASCII(text[b+1]))] {
			if len(text)-b >= len(cue) && equalLowerASCII(text[b:b+len(cue)], cue) {
				addCuedName(s, cue, b+len(cue))
			}
		}
	}
}

// addCuedName reports the name that follows cue, which ends at from.
func addCuedName(s *scan, cue string, from int) {
	if isLetter(cue[len(cue)-1]) && wordAfter(s.text, from) {
		return
	}
	if from < len(s.text) && s.text[from] == '.' && !titles[cue] {
		return
	}
	if !capitalFollows(s.text, from) {
		return
	}
	nameBegin, nameEnd := matchNameAfterCue(s.text[from:min(len(s.text), from+120)])
	if nameBegin < 0 || wordAfter(s.text, from+nameEnd) {
		return
	}
	words := trimNonNames(s.text, nameWords(s.text, from+nameBegin, from+nameEnd))
	if len(words) == 0 || (roleCues[cue] && !slices.ContainsFunc(words, func(w [2]int) bool {
		return wordClassOf(s.text[w[0]:w[1]]) != commonClass
	})) {
		return
	}
	score := 0.7
	if len(words) > 1 {
		score = 0.8
	}
	s.add(TypeName, words[0][0], words[len(words)-1][1], score)
}

// capitalFollows reports whether, after an optional '.' or ':', an optional
// ',' and at least one space, a capital letter follows from, as
// matchNameAfterCue requires. It spares the pattern after most cues in prose.
func capitalFollows(text string, from int) bool {
	i := from
	if i < len(text) && (text[i] == '.' || text[i] == ':') {
		i++
	}
	if i < len(text) && text[i] == ',' {
		i++
	}
	start := i
	for i < len(text) && isSpaceByte(text[i]) {
		i++
	}
	if i == start || i >= len(text) {
		return false
	}
	r, _ := utf8.DecodeRuneInString(text[i:])
	return unicode.IsUpper(r)
}

// upperOrMultibyte contains the ASCII capitals and the bytes of multibyte
// UTF-8 sequences, among which are the first bytes of other capitals.
var upperOrMultibyte = func() *alphabet {
	a := newAlphabet(upperBytes)
	for c := utf8.RuneSelf; c < 256; c++ {
		a[c] = true
	}
	return a
}()

// maxNameWindow is how many bytes from a capitalized word
// findUnknownWordNames reads for a name.
const maxNameWindow = 160

// findUnknownWordNames reports runs of two or more capitalized words that
// are missing from the lexicon and from nonNames, with particles allowed
// between them. It tries the pattern once at each capitalized word that
// starts a token and skips past every match, so the scan stays linear.
func findUnknownWordNames(s *scan) {
	text := s.text
	end := 0
	s.indexText()
	for _, i := range s.capitals {
		if i < end {
			continue
		}
		r, _ := utf8.DecodeRuneInString(text[i:])
		if !unicode.IsUpper(r) || wordBefore(text, i) || (i > 0 && strings.IndexByte("'’-", text[i-1]) >= 0) {
			continue
		}
		// matchName reads at most maxNameWindow bytes, so a name starts
		// with a word that ends inside them, and secondWordFollows reads
		// no further. Without the bound, text without spaces made it read
		// to the end of the text at every capital.
		window := text[:min(len(text), i+maxNameWindow)]
		if !secondWordFollows(window, i) {
			continue
		}
		n := matchName(window[i:])
		if n < 0 {
			continue
		}
		end = i + n
		if !wordAfter(text, end) {
			addUnknownWordRuns(s, nameWords(text, i, end))
		}
	}
}

// secondWordFollows reports whether the word at i is followed by a space
// and a capitalized word or a particle, without which no run of two names
// can start at i. It spares the pattern for most capitalized words.
func secondWordFollows(text string, i int) bool {
	j := i
	for j < len(text) && (isLetter(text[j]) || text[j] >= utf8.RuneSelf || text[j] == '\'' || text[j] == '-') {
		j++
	}
	if j+1 >= len(text) || text[j] != ' ' {
		return false
	}
	r, _ := utf8.DecodeRuneInString(text[j+1:])
	if unicode.IsUpper(r) {
		return true
	}
	k := j + 1
	for k < len(text) && isLetter(text[k]) {
		k++
	}
	return isParticle(text[j+1 : k])
}

// addUnknownWordRuns adds each run of two or more consecutive capitalized
// words, with the particles between them, that qualifies as a name. In a
// qualifying run no word is a common English word and at least one is not
// an English word at all, so "Magnus Berg" counts and "Microsoft Teams"
// does not.
func addUnknownWordRuns(s *scan, words [][2]int) {
	var run [][2]int
	flush := func() {
		for len(run) > 0 && isParticle(s.text[run[len(run)-1][0]:run[len(run)-1][1]]) {
			run = run[:len(run)-1]
		}
		capitalized, unknown := 0, 0
		for _, w := range run {
			word := s.text[w[0]:w[1]]
			if isParticle(word) {
				continue
			}
			capitalized++
			if wordClassOf(word) == unknownClass {
				unknown++
			}
		}
		if capitalized >= 2 && unknown >= 1 {
			score := 0.65
			if capitalized >= 3 {
				score = 0.7
			}
			s.add(TypeName, run[0][0], run[len(run)-1][1], score)
		}
		run = run[:0]
	}
	for _, w := range words {
		word := s.text[w[0]:w[1]]
		switch {
		case isParticle(word):
			if len(run) > 0 {
				run = append(run, w)
			}
		case wordClassOf(word) != commonClass:
			run = append(run, w)
		default:
			flush()
		}
	}
	flush()
}

// wordClassOf returns the class of a capitalized word: common for the
// words of nonNames, else the least common class of its hyphenated parts,
// so that "Hyun-woo" is unknown although "woo" is an English word.
func wordClassOf(word string) wordClass {
	if nonNames[word] {
		return commonClass
	}
	words := lexicon()
	class := commonClass
	for part := range strings.SplitSeq(word, "-") {
		part = strings.TrimLeft(part, "'’")
		if len(part) < 2 {
			continue
		}
		class = min(class, lexiconClass(words, part))
	}
	return class
}

// lexiconClass returns the class of word in words, looked up in lower
// case. An ASCII word of up to 32 bytes is lowered in a buffer on the
// stack, and the map lookup of the converted buffer allocates nothing.
func lexiconClass(words map[string]wordClass, word string) wordClass {
	var buf [32]byte
	if len(word) > len(buf) {
		return words[strings.ToLower(word)]
	}
	for i := 0; i < len(word); i++ {
		if word[i] >= utf8.RuneSelf {
			return words[strings.ToLower(word)]
		}
		buf[i] = lowerASCII(word[i])
	}
	return words[string(buf[:len(word)])]
}

var particleSet = func() map[string]bool {
	set := map[string]bool{}
	for _, p := range strings.Split(strings.Trim(particles, "(?:)"), "|") {
		set[p] = true
	}
	return set
}()

// particleFirst contains the first bytes of the particles, which rules out
// capitalized words without a lookup.
var particleFirst = func() *alphabet {
	var a alphabet
	for p := range particleSet {
		a[p[0]] = true
	}
	return &a
}()

func isParticle(word string) bool { return word != "" && particleFirst[word[0]] && particleSet[word] }

// nameWords splits [b, e) at spaces into word spans.
func nameWords(text string, b, e int) [][2]int {
	var words [][2]int
	for i := b; i < e; {
		for i < e && isSpaceByte(text[i]) {
			i++
		}
		j := i
		for j < e && !isSpaceByte(text[j]) {
			j++
		}
		if j > i {
			words = append(words, [2]int{i, j})
		}
		i = j
	}
	return words
}

// trimNonNames drops the words of nonNames and the particles at either end
// of words.
func trimNonNames(text string, words [][2]int) [][2]int {
	drop := func(w [2]int) bool {
		word := text[w[0]:w[1]]
		return nonNames[word] || isParticle(word)
	}
	for len(words) > 0 && drop(words[0]) {
		words = words[1:]
	}
	for len(words) > 0 && drop(words[len(words)-1]) {
		words = words[:len(words)-1]
	}
	return words
}

func isSpaceByte(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}
