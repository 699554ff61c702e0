package segment

import (
	"fmt"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/go-ego/gse"
	"github.com/longbridgeapp/opencc"
	"golang.org/x/text/width"
)

// Segmenter normalises text and splits it into words. Create it with New;
// it is safe for concurrent use.
type Segmenter struct {
	// mu guards the gse dictionary: Split reads it, AddWords rewrites it.
	mu  sync.RWMutex
	gse gse.Segmenter
	t2s *opencc.OpenCC
}

// loadMu serialises dictionary loads. gse keeps its HMM model in package
// state that every load rewrites, so two concurrent New calls would race.
// (Lore never segments with the HMM, so Split does not touch that state.)
var loadMu sync.Mutex

// userWordFreq is the dictionary frequency given to words added with
// AddWords: high enough that the shortest-path segmenter keeps such a word
// whole instead of splitting it into two common words.
const userWordFreq = 20000

// New loads the embedded simplified-Chinese gse dictionary and the OpenCC
// traditional-to-simplified tables. It takes about 1.5 s and 130-150 MB of
// heap, and reads nothing from disk or the network; call it once per process.
func New() (*Segmenter, error) {
	loadMu.Lock()
	defer loadMu.Unlock()
	// gse.NewEmbed reads only the dictionary compiled into the binary;
	// gse.New and LoadIdf read files from the module cache, which a built
	// binary does not have.
	g, err := gse.NewEmbed("zh_s")
	if err != nil {
		return nil, fmt.Errorf("segment: load gse dictionary: %w", err)
	}
	cc, err := opencc.New("t2s")
	if err != nil {
		return nil, fmt.Errorf("segment: load opencc t2s: %w", err)
	}
	return &Segmenter{gse: g, t2s: cc}, nil
}

// AddWords adds domain terms (product names, jargon such as 借呗 or 展期还款)
// to the dictionary so Words keeps them whole. Words are normalised first;
// words already known are skipped, and so are words that are not all Han
// characters: Words hands only Han runs to the dictionary (Latin words and
// numbers are split at spaces and punctuation and need no entry). It
// reports an error only when gse cannot insert a word. Each call re-derives the
// search-mode sub-words of the whole dictionary, which takes a few hundred
// milliseconds: add terms in one call, before indexing. Items embedded
// before a call are segmented differently from those after it, so the word
// list must be the same at indexing and at query time.
func (s *Segmenter) AddWords(words ...string) error {
	var add []string
	for _, w := range words {
		if w = s.Normalize(w); w != "" && allHan(w) {
			add = append(add, w)
		}
	}
	if len(add) == 0 {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	added := 0
	for _, w := range add {
		if freq, _, ok := s.gse.Find(w); ok && freq > 0 {
			continue // already a word; Find reports prefixes with freq 0
		}
		if err := s.gse.AddToken(w, userWordFreq); err != nil {
			return fmt.Errorf("segment: add word %q: %w", w, err)
		}
		added++
	}
	if added > 0 {
		s.gse.CalcToken()
	}
	return nil
}

// keepWide lists the full-width punctuation marks that are ordinary
// Chinese punctuation and so stay as they are; every other full-width ASCII
// form (letters, digits, ％＋－．／＠ …) becomes its half-width form.
const keepWide = "，！？：；（）"

// Normalize makes text comparable: traditional Chinese becomes simplified
// (OpenCC t2s, phrase-aware), full-width ASCII letters, digits and symbols
// and the full-width currency signs become half-width (Chinese punctuation
// ，！？：；（） and 。、「」 stays), letters are lower-cased, runs of white
// space, control characters and invalid UTF-8 become one space, invisible
// format characters (zero-width space, BOM, soft hyphen) are dropped, and
// the result is trimmed. It is deterministic and its result is valid UTF-8.
// Should the OpenCC conversion fail, the text is returned without it.
// Normalising twice changes nothing, save for a rare OpenCC chain (of the
// 27,000 characters U+3400-U+9FFF only 薴 → 苧 → 苎): normalise raw text,
// on the indexing and the query side alike.
func (s *Segmenter) Normalize(text string) string {
	var b strings.Builder
	b.Grow(len(text))
	space := false // a separator is pending
	wide := false  // the text has non-ASCII runes, so may need t2s
	for i := 0; i < len(text); {
		r, n := utf8.DecodeRuneInString(text[i:])
		i += n
		switch {
		case r == utf8.RuneError && n <= 1, unicode.IsSpace(r), unicode.IsControl(r):
			space = true
			continue
		case unicode.Is(unicode.Cf, r):
			continue
		case (r >= 0xFF01 && r <= 0xFF5E || r >= 0xFFE0 && r <= 0xFFE6) && !strings.ContainsRune(keepWide, r):
			if nr := width.LookupRune(r).Narrow(); nr != 0 {
				r = nr
			}
		}
		r = unicode.ToLower(r)
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		if r >= utf8.RuneSelf {
			wide = true
		}
		b.WriteRune(r)
	}
	out := b.String()
	if !wide {
		return out
	}
	conv, err := s.t2s.Convert(out)
	if err != nil || !utf8.ValidString(conv) {
		return out
	}
	return conv
}

// Words normalises text and splits it into index terms: Han runs are
// segmented by gse in search mode, so a long dictionary word comes with the
// shorter dictionary words inside it (借款人 → 借款, 借款人; 中国人民银行 →
// 中国, 人民, 银行, 人民银行, 中国人民银行); runs of letters and digits are
// words of their own (lower case; decimals such as 3.5 and thousands such
// as 10,000 → 10000 stay whole). Punctuation, symbols, white space and the
// stop words in stopWords are dropped. Terms come in text order and repeat
// as often as they occur, so callers can count them.
func (s *Segmenter) Words(text string) []string {
	return s.Split(s.Normalize(text))
}

// Split is Words for text that Normalize has already produced: Words(t)
// equals Split(Normalize(t)). It lets a caller that also needs the
// normalised text (for Bigrams, say) normalise once.
func (s *Segmenter) Split(normalized string) []string {
	var out []string
	emit := func(w string) {
		if w != "" && !stopWords[w] {
			out = append(out, w)
		}
	}
	text := normalized
	for i := 0; i < len(text); {
		r, n := utf8.DecodeRuneInString(text[i:])
		switch {
		case unicode.Is(unicode.Han, r):
			j := i + n
			for j < len(text) {
				r2, n2 := utf8.DecodeRuneInString(text[j:])
				if !unicode.Is(unicode.Han, r2) {
					break
				}
				j += n2
			}
			for _, w := range s.cutHan(text[i:j]) {
				emit(w)
			}
			i = j
		case isWordRune(r):
			var w string
			w, i = scanWord(text, i)
			emit(w)
		default:
			i += n
		}
	}
	return out
}

// cutHan segments a run of Han characters with gse's dictionary
// (shortest-path) segmenter and expands each word in search mode into the
// dictionary words inside it. This is what gse's CutSearch does, except
// that CutSearch never yields the whole run when the run is itself one
// word (利率 alone gives 利, 率) and drops a one-character run; segmenting
// first and expanding after avoids both. gse's HMM mode is not used: it is
// three times slower, and reads gse's package-level HMM state; Han bigrams
// cover the words the dictionary lacks.
func (s *Segmenter) cutHan(run string) []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	ws := gse.ToSlice(s.gse.Segment([]byte(run)), true)
	out := ws[:0]
	for _, w := range ws {
		if w = strings.TrimSpace(w); w != "" && utf8.ValidString(w) {
			out = append(out, w)
		}
	}
	return out
}

func allHan(w string) bool {
	for _, r := range w {
		if !unicode.Is(unicode.Han, r) {
			return false
		}
	}
	return true
}

func isWordRune(r rune) bool {
	return (unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r)) && !unicode.Is(unicode.Han, r)
}

// scanWord reads the run of letters and digits starting at i and returns it
// and the index after it. A '.' between digits is kept (3.5); a ',' between
// a digit and exactly three digits is dropped (10,000 → 10000).
func scanWord(text string, i int) (string, int) {
	var b strings.Builder
	prevDigit := false
	for i < len(text) {
		r, n := utf8.DecodeRuneInString(text[i:])
		switch {
		case isWordRune(r):
			b.WriteRune(r)
			prevDigit = unicode.IsDigit(r)
			i += n
			continue
		case r == '.' && prevDigit && digitsAt(text[i+1:]) > 0:
			b.WriteByte('.')
			i++
			prevDigit = false
			continue
		case r == ',' && prevDigit && digitsAt(text[i+1:]) == 3:
			i++
			continue
		}
		break
	}
	return b.String(), i
}

// digitsAt counts the ASCII digits at the start of s.
func digitsAt(s string) int {
	n := 0
	for n < len(s) && s[n] >= '0' && s[n] <= '9' {
		n++
	}
	return n
}

// Bigrams returns the overlapping character bigrams of every run of Han
// characters in normalized (text from Normalize), in text order and with
// repeats; a run of one character yields that character. 逾期还款 gives
// 逾期, 期还, 还款. Other characters only separate runs.
func Bigrams(normalized string) []string {
	var out []string
	var run []rune
	flush := func() {
		switch len(run) {
		case 0:
		case 1:
			out = append(out, string(run))
		default:
			for k := 0; k+1 < len(run); k++ {
				out = append(out, string(run[k:k+2]))
			}
		}
		run = run[:0]
	}
	for _, r := range normalized {
		if unicode.Is(unicode.Han, r) {
			run = append(run, r)
			continue
		}
		flush()
	}
	flush()
	return out
}
