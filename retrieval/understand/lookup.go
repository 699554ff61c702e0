package understand

import (
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Lookup is an exact reference found in a question: an article of a
// document (商业银行法第三十条), an article alone (第12条), a document number
// (安和消金发〔2026〕12号), or a document number with an article. Empty
// fields were not given.
type Lookup struct {
	// DocTitle is the document's name as the question gives it, without
	// book-title marks or leading filler (商业银行法, 民法典); a rule matches
	// when its Rule.DocTitle contains it.
	DocTitle string
	// Article is the article in the statute style, Chinese numerals
	// (第三十条, 第二百五十三条之一), whatever style the question used;
	// compare with SameArticle, which also accepts Arabic numerals.
	Article string
	// DocNumber is the 文号 in canonical form, 〔〕 around the year
	// (安和消金发〔2026〕12号); compare with SameDocNumber.
	DocNumber string
}

// articleRE matches 第N条 with Arabic or Chinese numerals and an optional
// 之N suffix.
var articleRE = regexp.MustCompile(`第\s*([0-9]+|[零〇一二两三四五六七八九十百千万]+)\s*条(?:\s*之\s*([0-9]+|[一二三四五六七八九十]+))?`)

// docNumberRE matches a 文号: an issuer abbreviation, a four-digit year in
// any of the usual brackets, and a serial number followed by 号.
var docNumberRE = regexp.MustCompile(`([\p{Han}A-Za-z]{1,16})\s*[〔\[［（(【]\s*((?:19|20)[0-9]{2})\s*[〕\]］）)】]\s*(?:第\s*)?([0-9]{1,5})\s*号`)

// titleSuffixes end a document name: a run of Han characters before 第N条
// that ends with one of them is taken as the name of the document.
var titleSuffixes = []string{
	"法典", "法", "条例", "办法", "规定", "细则", "解释", "规则", "准则", "指引", "章程", "通知",
	"意见", "决定", "制度", "规程", "规范", "守则", "须知", "手册", "指南", "协议", "合同", "条款", "编",
}

// titleFillers are words that can precede a document name in a question
// and are not part of it; the name starts after the last one.
var titleFillers = []string{
	"请问", "问一下", "想问", "我想知道", "查一下", "查询", "看一下", "看看", "解释一下", "帮我查",
	"根据", "依据", "按照", "依照", "参照", "关于", "对于", "适用", "违反", "按", "依", "据", "在", "的",
}

// ParseLookup finds an exact reference in a normalised question, or
// returns nil. A document name is recognised before 第N条 (in 《》 or as a
// run of Han characters ending with a suffix such as 法, 条例, 办法, 规定);
// 本法 and the like name no document.
func ParseLookup(normalized string) *Lookup {
	var l Lookup
	if m := docNumberRE.FindStringSubmatchIndex(normalized); m != nil {
		issuer := trimFillers(normalized[m[2]:m[3]])
		if issuer != "" {
			l.DocNumber = issuer + "〔" + normalized[m[4]:m[5]] + "〕" + normalized[m[6]:m[7]] + "号"
		}
	}
	if m := articleRE.FindStringSubmatchIndex(normalized); m != nil {
		n, ok := parseNumber(normalized[m[2]:m[3]])
		sub := 0
		if ok && m[4] >= 0 {
			sub, ok = parseNumber(normalized[m[4]:m[5]])
		}
		if ok && n > 0 {
			l.Article = "第" + chineseNumber(n) + "条"
			if sub > 0 {
				l.Article += "之" + chineseNumber(sub)
			}
			l.DocTitle = docTitleBefore(normalized[:m[0]])
		}
	}
	if l == (Lookup{}) {
		return nil
	}
	return &l
}

// docTitleBefore returns the document name that ends the text before an
// article reference, or "".
func docTitleBefore(prefix string) string {
	prefix = strings.TrimRightFunc(prefix, func(r rune) bool {
		return unicode.IsSpace(r) || r == '的' || r == '之'
	})
	if strings.HasSuffix(prefix, "》") {
		if i := strings.LastIndex(prefix, "《"); i >= 0 {
			return strings.TrimSpace(prefix[i+len("《") : len(prefix)-len("》")])
		}
		return ""
	}
	// The trailing run of Han characters.
	start := len(prefix)
	for start > 0 {
		r, n := utf8.DecodeLastRuneInString(prefix[:start])
		if !unicode.Is(unicode.Han, r) {
			break
		}
		start -= n
	}
	run := prefix[start:]
	hasSuffix := false
	for _, s := range titleSuffixes {
		if strings.HasSuffix(run, s) {
			hasSuffix = true
			break
		}
	}
	if !hasSuffix {
		return ""
	}
	run = trimFillers(run)
	if utf8.RuneCountInString(run) < 2 || strings.HasPrefix(run, "本") || strings.HasPrefix(run, "该") || strings.HasPrefix(run, "此") {
		return ""
	}
	return run
}

// trimFillers drops everything up to and including the last filler word
// of titleFillers found in s, keeping at least two characters.
func trimFillers(s string) string {
	for changed := true; changed; {
		changed = false
		for _, f := range titleFillers {
			i := strings.LastIndex(s, f)
			if i < 0 {
				continue
			}
			rest := s[i+len(f):]
			if utf8.RuneCountInString(rest) >= 2 {
				s, changed = rest, true
			}
		}
	}
	return s
}

// SameArticle reports whether two article references name the same
// article: 第十二条, 第12条 and 第 12 条 are the same; 第二百五十三条之一 is not
// 第二百五十三条. Text after the article (款, 项) is ignored.
func SameArticle(a, b string) bool {
	ka, ok := ArticleKey(a)
	if !ok {
		return false
	}
	kb, ok := ArticleKey(b)
	return ok && ka == kb
}

// ArticleKey returns a canonical key of the first article reference in s:
// its number in Arabic digits, with "-N" for 之N ("1064", "253-1").
func ArticleKey(s string) (string, bool) {
	m := articleRE.FindStringSubmatch(s)
	if m == nil {
		return "", false
	}
	n, ok := parseNumber(m[1])
	if !ok || n <= 0 {
		return "", false
	}
	key := strconv.Itoa(n)
	if m[2] != "" {
		sub, ok := parseNumber(m[2])
		if !ok {
			return "", false
		}
		key += "-" + strconv.Itoa(sub)
	}
	return key, true
}

// SameDocNumber reports whether two 文号 name the same document: the same
// year and serial number, and one issuer abbreviation ending the other
// (消金发〔2026〕12号 matches 安和消金发[2026]12号). Bracket styles and
// spaces do not matter.
func SameDocNumber(a, b string) bool {
	ma := docNumberRE.FindStringSubmatch(a)
	mb := docNumberRE.FindStringSubmatch(b)
	if ma == nil || mb == nil || ma[2] != mb[2] {
		return false
	}
	na, _ := strconv.Atoi(ma[3])
	nb, _ := strconv.Atoi(mb[3])
	if na != nb {
		return false
	}
	ia, ib := trimFillers(ma[1]), trimFillers(mb[1])
	return strings.HasSuffix(ia, ib) || strings.HasSuffix(ib, ia)
}

var digitValue = map[rune]int{
	'零': 0, '〇': 0, '一': 1, '二': 2, '两': 2, '三': 3, '四': 4,
	'五': 5, '六': 6, '七': 7, '八': 8, '九': 9,
}

var unitValue = map[rune]int{'十': 10, '百': 100, '千': 1000, '万': 10000}

// parseNumber reads Arabic digits or a Chinese numeral: positional
// (一千零六十四, 十二, 两百) or digit by digit (一〇六四).
func parseNumber(s string) (int, bool) {
	if s == "" {
		return 0, false
	}
	if s[0] >= '0' && s[0] <= '9' {
		n, err := strconv.Atoi(s)
		return n, err == nil && n < 1_000_000
	}
	hasUnit := false
	for _, r := range s {
		if _, ok := unitValue[r]; ok {
			hasUnit = true
			break
		}
	}
	if !hasUnit {
		n := 0
		for _, r := range s {
			d, ok := digitValue[r]
			if !ok || n > 100_000 {
				return 0, false
			}
			n = n*10 + d
		}
		return n, true
	}
	total, section, digit := 0, 0, -1
	for _, r := range s {
		if d, ok := digitValue[r]; ok {
			digit = d
			continue
		}
		u, ok := unitValue[r]
		if !ok {
			return 0, false
		}
		if u == 10000 {
			if digit >= 0 {
				section += digit
			}
			total += section * u
			section, digit = 0, -1
			continue
		}
		if digit < 0 {
			digit = 1 // 十二: a leading unit means one of it
		}
		section += digit * u
		digit = -1
	}
	if digit > 0 {
		section += digit
	}
	return total + section, true
}

var chineseDigits = []string{"零", "一", "二", "三", "四", "五", "六", "七", "八", "九"}

// chineseNumber writes 1 ≤ n < 100000 as statutes do: 十, 十二, 一百一十,
// 二百零五, 一千零六十四.
func chineseNumber(n int) string {
	if n <= 0 || n >= 100000 {
		return strconv.Itoa(n)
	}
	units := []struct {
		v    int
		name string
	}{{10000, "万"}, {1000, "千"}, {100, "百"}, {10, "十"}}
	var b strings.Builder
	zero := false // a zero is pending between non-zero digits
	for _, u := range units {
		d := n / u.v % 10
		switch {
		case d == 0:
			zero = b.Len() > 0
		default:
			if zero {
				b.WriteString("零")
				zero = false
			}
			if !(u.v == 10 && d == 1 && b.Len() == 0) {
				b.WriteString(chineseDigits[d])
			}
			b.WriteString(u.name)
		}
	}
	if d := n % 10; d > 0 {
		if zero {
			b.WriteString("零")
		}
		b.WriteString(chineseDigits[d])
	}
	return b.String()
}
