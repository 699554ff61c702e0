package rules

import (
	"regexp"
	"sort"
	"strings"

	"github.com/lorehq/lore/knowledge"
)

var (
	// prohibitionRe, obligationRe and permissionRe find the modal words of
	// a clause, Chinese and English.
	enProhibitionRe = regexp.MustCompile(`(?i:\b(?:shall|must|may)\s+not\b|\bprohibited\b|\bis\s+forbidden\b|\bno\s+\w+\s+(?:shall|may)\b)`)
	enObligationRe  = regexp.MustCompile(`(?i:\bshall\b|\bmust\b|\bis\s+required\s+to\b)`)
	enPermissionRe  = regexp.MustCompile(`(?i:\bmay\b|\bis\s+entitled\s+to\b)`)
)

// Chinese modal words, matched as plain substrings.
var (
	zhProhibition = []string{"不得", "禁止", "严禁", "不准", "不允许"}
	zhObligation  = []string{"应当", "必须"}
	zhPermission  = []string{"可以"}
)

func containsAny(s string, words []string) bool {
	for _, w := range words {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

// hasLatin reports whether s holds an ASCII letter, so that the English
// patterns are worth running.
func hasLatin(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i] | 0x20; c >= 'a' && c <= 'z' {
			return true
		}
	}
	return false
}

// modality returns what text does to its subject: a prohibition wins over
// an obligation, which wins over a permission; "" when none is stated.
// 不得不 ("cannot but") is an obligation, not a prohibition.
func modality(text string) knowledge.Modality {
	t := strings.ReplaceAll(text, "不得不", "必须")
	en := hasLatin(t)
	switch {
	case containsAny(t, zhProhibition) || (en && enProhibitionRe.MatchString(t)):
		return knowledge.Prohibition
	case containsAny(t, zhObligation) || (en && enObligationRe.MatchString(t)):
		return knowledge.Obligation
	case containsAny(t, zhPermission) || (en && enPermissionRe.MatchString(t)):
		return knowledge.Permission
	}
	return ""
}

var (
	// zhRefRe finds the tokens of Chinese cross-references. Groups: 1 an
	// article number (第二十条, with 2 its 之 suffix), 3 a paragraph (第二款),
	// 4 an item (第（一）项), 5 a relative paragraph (前款, 前两款), 6 前条,
	// 7 本条.
	zhRefRe = regexp.MustCompile(`第(` + cnNum + `)条(?:之([一二三四五六七八九十]+))?|第(` + cnNum + `)款|第([（(][一二三四五六七八九十]+[)）]|[一二三四五六七八九十]+)项|(前[两三]?款)|(前条)|(本条)`)
	// refJoinRe matches what may stand between two tokens of one
	// reference list: 第二十条、第二十一条和第二十二条, 第五条至第九条.
	refJoinRe = regexp.MustCompile(`^(?:、|和|及|以及|或者|或|与|至|到|，)$`)
	// aliasRe finds the short names a document gives other laws:
	// （以下简称民法典）, (以下简称“征信条例”).
	aliasRe = regexp.MustCompile(`以下简称[“"「《]?([^”"」》）)，,。、\s]{2,20})`)
	// definedAliasRe finds a short name defined for a law named in 《》:
	// 《中华人民共和国消费者权益保护法》（以下简称消保法）; groups 1 and 2.
	definedAliasRe = regexp.MustCompile(`《([^《》]{2,40})》[（(]以下简称[“"「]?([^”"」）)，,。、\s]{2,20})`)
	// bracketedRe finds the laws a document names in 《》; their names
	// without 中华人民共和国 are how the text cites them afterwards.
	bracketedRe = regexp.MustCompile(`《([^《》]{2,40}?(?:法典|法|条例|办法|规定|解释))》`)
	// citedLawRe finds a law named without brackets right before an
	// article number: 依照刑法第…, 根据民事诉讼法第….
	citedLawRe = regexp.MustCompile(`(?:依照|根据|按照|适用|违反|依据|参照|符合|即|和|、)(\p{Han}{1,12}?(?:法典|法|条例))$`)
	// enRefRe finds English references: Article 12, Article 12(3),
	// Articles 5 and 6, Section 4.
	enRefRe    = regexp.MustCompile(`\b(Articles?|Sections?|§§?)\s+(\d+[a-z]?(?:\(\d+\))?(?:\s*(?:,|and|or|to)\s*\d+[a-z]?(?:\(\d+\))?)*)`)
	enRefNumRe = regexp.MustCompile(`\d+[a-z]?(?:\(\d+\))?`)
)

// refContext is what resolving a relative reference needs.
type refContext struct {
	article  string     // the citing article, 第十条
	previous string     // the article before it, for 前条
	para     int        // 1-based 款 of the text being read; 0 when unknown
	aliases  []lawAlias // names of other laws
}

// maxRangeExpand is the widest 第X条至第Y条 range listed article by article.
const maxRangeExpand = 20

// zhReferences appends to refs the articles text refers to, as 第二十条,
// 第二十条第一款 or 第二十条第一款第（一）项; a reference to another law keeps
// its name: 《中华人民共和国民法典》第五百八十五条. 前款 and 本条第二款 are
// resolved against ctx; ranges of up to maxRangeExpand articles are listed
// in full.
func zhReferences(text string, ctx refContext, refs []string) []string {
	type chain struct {
		law     string // "" for this document
		article string // 第二十条, or the citing article after 本条
		value   int
		base    string // the reference items attach to: law, article and 款
		last    int    // index in refs of the chain's last reference, -1 none
	}
	if !strings.Contains(text, "第") && !strings.Contains(text, "前") && !strings.Contains(text, "本条") {
		return refs
	}
	var c *chain
	prevEnd := -1
	for _, m := range zhRefRe.FindAllStringSubmatchIndex(text, -1) {
		start, end := m[0], m[1]
		sep := ""
		if prevEnd >= 0 {
			sep = text[prevEnd:start]
		}
		if c != nil && prevEnd >= 0 && sep != "" && !refJoinRe.MatchString(sep) {
			c = nil
		}
		if prevEnd < 0 {
			c = nil
		}
		switch {
		case m[2] >= 0: // 第N条
			art := text[start:end]
			val := numberValue(text[m[2]:m[3]])
			if c != nil && sep == "至" && c.law == "" && c.value > 0 && val > c.value && val-c.value <= maxRangeExpand {
				for v := c.value + 1; v < val; v++ {
					refs = append(refs, "第"+chineseNumber(v)+"条")
				}
			}
			law := ""
			if c != nil && sep != "" {
				law = c.law
			} else {
				law = citedLaw(text[:start], ctx.aliases)
			}
			refs = append(refs, law+art)
			c = &chain{law: law, article: art, value: val, base: law + art, last: len(refs) - 1}
		case m[6] >= 0: // 第N款
			para := text[start:end]
			switch {
			case c != nil && sep == "" && c.last >= 0 && !strings.Contains(refs[c.last], "款"):
				refs[c.last] += para // 第二十条第一款
				c.base = refs[c.last]
			case c != nil:
				refs = append(refs, c.law+c.article+para)
				c.last = len(refs) - 1
				c.base = refs[c.last]
			default:
				if ctx.article == "" {
					break
				}
				refs = append(refs, ctx.article+para) // 第二款 alone means this article's
				c = &chain{article: ctx.article, value: -1, base: refs[len(refs)-1], last: len(refs) - 1}
			}
		case m[8] >= 0: // 第N项
			item := text[start:end]
			switch {
			case c == nil || c.base == "":
			case sep == "" && c.last >= 0 && !strings.HasSuffix(refs[c.last], "项"):
				refs[c.last] += item // 第一款第（一）项
			default:
				refs = append(refs, c.base+item) // 第（一）项、第（二）项
				c.last = len(refs) - 1
			}
		case m[10] >= 0: // 前款, 前两款
			if ctx.article == "" {
				break
			}
			n := 1
			if w := text[m[10]:m[11]]; strings.Contains(w, "两") {
				n = 2
			} else if strings.Contains(w, "三") {
				n = 3
			}
			if ctx.para < 2 {
				refs = append(refs, ctx.article)
				break
			}
			for p := max(1, ctx.para-n); p < ctx.para; p++ {
				refs = append(refs, ctx.article+"第"+chineseNumber(p)+"款")
			}
			c = nil
		case m[12] >= 0: // 前条
			if ctx.previous != "" {
				refs = append(refs, ctx.previous)
			}
			c = nil
		case m[14] >= 0: // 本条
			if ctx.article != "" {
				c = &chain{article: ctx.article, value: -1, last: -1}
			}
		}
		prevEnd = end
	}
	return refs
}

// citedLaw returns the name of the other law that before (the text up to
// an article number) ends with, in 《》, or "" for this document.
func citedLaw(before string, aliases []lawAlias) string {
	if strings.HasSuffix(before, "》") {
		if i := strings.LastIndex(before, "《"); i >= 0 {
			return before[i:]
		}
	}
	for _, a := range aliases {
		if strings.HasSuffix(before, a.name) {
			return a.display
		}
	}
	if m := citedLawRe.FindStringSubmatch(before); m != nil && !strings.HasPrefix(m[1], "本") {
		for _, a := range aliases {
			if a.name == m[1] {
				return a.display
			}
		}
		return "《" + m[1] + "》"
	}
	return ""
}

// enReferences appends to refs the English references of text: Article 12,
// Article 12(3); a list "Articles 5 and 6" gives one reference each.
func enReferences(text string, refs []string) []string {
	for _, m := range enRefRe.FindAllStringSubmatch(text, -1) {
		word := m[1]
		switch {
		case strings.HasPrefix(word, "Article"):
			word = "Article"
		case strings.HasPrefix(word, "Section"):
			word = "Section"
		default:
			word = "§"
		}
		for _, n := range enRefNumRe.FindAllString(m[2], -1) {
			refs = append(refs, word+" "+n)
		}
	}
	return refs
}

// dedupe removes repeated and self references, keeping the first of each
// in order; self is the citing article.
func dedupe(refs []string, self string) []string {
	var out []string
	seen := map[string]bool{self: true}
	for _, r := range refs {
		if !seen[r] {
			seen[r] = true
			out = append(out, r)
		}
	}
	return out
}

// commonLaws are the short names by which Chinese rule texts cite the
// laws of consumer finance and civil procedure without brackets.
var commonLaws = []string{
	"民法典", "民事诉讼法", "刑事诉讼法", "行政诉讼法", "行政处罚法", "行政许可法",
	"公司法", "合同法", "担保法", "物权法", "民法通则", "民法总则", "侵权责任法",
	"刑法", "商业银行法", "保险法", "证券法", "票据法", "企业破产法", "信托法",
	"消费者权益保护法", "个人信息保护法", "数据安全法", "网络安全法", "电子商务法",
	"电子签名法", "反洗钱法", "中国人民银行法", "银行业监督管理法", "劳动合同法",
}

// lawAlias is a name by which a text cites another law, and how a
// reference shows that law.
type lawAlias struct {
	name    string // 民法典
	display string // 《中华人民共和国民法典》
}

// lawAliases lists the names by which texts cite other laws: the short
// names they define (《…》（以下简称…）), the laws they name in 《》 with
// and without 中华人民共和国, and commonLaws; longer names first, so
// 民事诉讼法 wins over 诉讼法. A short name shows as the full name the
// document gives it.
func lawAliases(texts []string) []lawAlias {
	seen := map[string]bool{}
	var out []lawAlias
	add := func(name, display string) {
		if name != "" && !seen[name] && !strings.HasPrefix(name, "本") {
			seen[name] = true
			out = append(out, lawAlias{name: name, display: display})
		}
	}
	for _, t := range texts {
		for _, m := range definedAliasRe.FindAllStringSubmatch(t, -1) {
			add(m[2], "《"+m[1]+"》")
		}
		for _, m := range bracketedRe.FindAllStringSubmatch(t, -1) {
			add(m[1], "《"+m[1]+"》")
			add(strings.TrimPrefix(m[1], "中华人民共和国"), "《"+m[1]+"》")
		}
		for _, m := range aliasRe.FindAllStringSubmatch(t, -1) {
			add(m[1], "《"+m[1]+"》")
		}
	}
	for _, a := range commonLaws {
		add(a, "《"+a+"》")
	}
	sort.SliceStable(out, func(i, j int) bool { return len(out[i].name) > len(out[j].name) })
	return out
}
