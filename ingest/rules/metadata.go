package rules

import (
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"
)

// meta is what a rule document says about itself.
type meta struct {
	title     string
	issuer    string
	number    string // 文号
	effective string // YYYY-MM-DD
	repealed  string // YYYY-MM-DD
}

const (
	// dateExpr matches a date in the forms rule documents use; dateValue
	// reads it.
	dateExpr = `(?:\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日|[〇零一二三四五六七八九]{4}\s*年\s*[一二三四五六七八九十]{1,3}\s*月\s*[一二三四五六七八九十]{1,3}\s*日|\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|` +
		`(?:January|February|March|April|May|June|July|August|September|October|November|December)\s+\d{1,2},?\s+\d{4}|` +
		`\d{1,2}\s+(?:January|February|March|April|May|June|July|August|September|October|November|December),?\s+\d{4})`
	// orgSuffix ends the name of an issuing body.
	orgSuffix = `(?:委员会|人民政府|办公厅|总局|银行|法院|检察院|国务院|监督管理局|管理局|公司|中心|协会|部|局|署|厅|院|会|委|办|行)`
)

var (
	zhDateRe   = regexp.MustCompile(`^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日$`)
	cnDateRe   = regexp.MustCompile(`^([〇零一二三四五六七八九]{4})\s*年\s*([一二三四五六七八九十]{1,3})\s*月\s*([一二三四五六七八九十]{1,3})\s*日$`)
	isoDateRe  = regexp.MustCompile(`^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$`)
	mdyDateRe  = regexp.MustCompile(`^([A-Z][a-z]+)\s+(\d{1,2}),?\s+(\d{4})$`)
	dmyDateRe  = regexp.MustCompile(`^(\d{1,2})\s+([A-Z][a-z]+),?\s+(\d{4})$`)
	onlyDateRe = regexp.MustCompile(`^` + dateExpr + `$`)

	// effectiveRes find the effective date in metadata lines; group 1 is
	// the date.
	effectiveRes = []*regexp.Regexp{
		regexp.MustCompile(`(?:施行|实施|生效)(?:日期|时间)\s*[:：]\s*(` + dateExpr + `)`),
		regexp.MustCompile(`(` + dateExpr + `)\s*(?:起)?\s*(?:施行|实施|生效)`),
		regexp.MustCompile(`(?i:effective(?:\s+date)?|in(?:to)?\s+force|takes?\s+effect|comes?\s+into\s+(?:force|effect)|applies|shall\s+apply)\s*(?:on|from|as\s+of|:)?\s*(` + dateExpr + `)`),
	}
	// articleEffectiveRe finds "本办法自2021年1月1日起施行" in an article.
	articleEffectiveRe = regexp.MustCompile(`本\p{Han}{0,6}自(` + dateExpr + `)起(?:施行|实施|生效)|(?i:this\s+\w+\s+(?:shall\s+)?(?:enters?|enter|come|comes|take|takes)\s+(?:into\s+force|into\s+effect|effect)\s+on)\s+(` + dateExpr + `)`)
	// fromIssueRe finds "自公布之日起施行" and its English forms.
	fromIssueRe = regexp.MustCompile(`自(?:公布|发布|印发|颁布)之日起(?:施行|实施|生效)|(?i:in(?:to)?\s+force\s+on\s+the\s+date\s+of\s+(?:its\s+)?(?:issue|issuance|publication))`)
	// issuedRe finds the issue date in a metadata line; group 1 is the date.
	issuedRe = regexp.MustCompile(`(` + dateExpr + `)\s*\S{0,30}?(?:公布|发布|印发|颁布)|(?i:issued|published|adopted)\s+(?:on\s+)?(` + dateExpr + `)`)
	// repealedRes find the repeal date of the document itself in metadata
	// lines (articles repealing other documents are not about this one).
	repealedRes = []*regexp.Regexp{
		regexp.MustCompile(`(?:废止|失效)(?:日期|时间)\s*[:：]\s*(` + dateExpr + `)`),
		regexp.MustCompile(`(` + dateExpr + `)\s*(?:起)?\s*(?:废止|失效)`),
		regexp.MustCompile(`(?i:repealed|ceased\s+to\s+have\s+effect|expired)\s*(?:on|as\s+of|with\s+effect\s+from|effective|:)?\s*(` + dateExpr + `)`),
	}

	// docNumberRes find a 文号; the whole match is the number.
	docNumberRes = []*regexp.Regexp{
		regexp.MustCompile(`[\p{Han}A-Za-z]{1,12}[〔\[［【(（]\s*\d{4}\s*[〕\]］】)）]\s*第?\s*\d{1,5}\s*号`),
		regexp.MustCompile(`[\p{Han}]{2,24}令\s*(?:[〔\[［(（]\d{4}[〕\]］)）]|\d{4}\s*年)?\s*第\s*(?:\d{1,5}|[零〇一二三四五六七八九十百]+)\s*号`),
	}
	// labelledNumberRe finds a labelled 文号 or document number; group 1.
	labelledNumberRe = regexp.MustCompile(`(?:发文字号|文号|(?i:document\s+no\.?|doc\.?\s+no\.?|reference\s+no\.?))\s*[:：]\s*(.{1,40})$`)
	// orderIssuerRe reads the issuer out of "中华人民共和国国务院令第631号".
	orderIssuerRe = regexp.MustCompile(`([\p{Han}]{2,24}?` + orderSuffix + `)令`)
	// labelledIssuerRe finds a labelled issuer; group 1.
	labelledIssuerRe = regexp.MustCompile(`(?:发布机关|发文机关|制定机关|颁布机关|发布单位|发文单位|发布部门|(?i:issued\s+by|issuer|issuing\s+(?:authority|body)))\s*[:：]\s*(.{2,60})$`)
	// meetingIssuerRe reads the body that adopted the document out of
	// "第十三届全国人民代表大会第三次会议通过"; group 1.
	meetingIssuerRe = regexp.MustCompile(`(?:第[零〇一二三四五六七八九十百]+届)?(\p{Han}{2,24}?)第[\d零〇一二三四五六七八九十百千]+次(?:全体|常务|主任|局务|行务|委务)?会议`)
	// titleIssuerRe reads the issuer out of "中国银保监会关于…的通知"; group 1.
	titleIssuerRe = regexp.MustCompile(`^(\p{Han}{2,30}?` + orgSuffix + `)关于`)
	// wrapperRe reads the rule document's title out of a notice that
	// issues it: 关于印发《消费金融公司管理办法》的通知.
	wrapperRe = regexp.MustCompile(`(?:印发|发布|公布|修订)\s*《([^《》]{2,80})》\s*的\s*(?:通知|公告|决定|令)`)
	// orgLineRe matches a line that is only the name of an issuing body.
	orgLineRe = regexp.MustCompile(`^[\p{Han}（）()]{3,30}` + orgSuffix + `$`)
)

const orderSuffix = `(?:国务院|委员会|人民银行|银行|总局|部|局|署|院|会|委|行)`

// dateValue returns a date written in one of the forms of dateExpr as
// YYYY-MM-DD, or "" when it is not a real calendar date.
func dateValue(s string) string {
	s = trimBlank(s)
	var y, mo, d int
	switch {
	case zhDateRe.MatchString(s):
		m := zhDateRe.FindStringSubmatch(s)
		y, mo, d = numberValue(m[1]), numberValue(m[2]), numberValue(m[3])
	case cnDateRe.MatchString(s):
		m := cnDateRe.FindStringSubmatch(s)
		y = 0
		for _, r := range m[1] {
			y = y*10 + cnDigits[r]
		}
		mo, d = chineseValue(m[2]), chineseValue(m[3])
	case isoDateRe.MatchString(s):
		m := isoDateRe.FindStringSubmatch(s)
		y, mo, d = numberValue(m[1]), numberValue(m[2]), numberValue(m[3])
	case mdyDateRe.MatchString(s):
		m := mdyDateRe.FindStringSubmatch(s)
		y, mo, d = numberValue(m[3]), monthValue(m[1]), numberValue(m[2])
	case dmyDateRe.MatchString(s):
		m := dmyDateRe.FindStringSubmatch(s)
		y, mo, d = numberValue(m[3]), monthValue(m[2]), numberValue(m[1])
	default:
		return ""
	}
	if y < 1000 || mo < 1 || mo > 12 || d < 1 {
		return ""
	}
	t := time.Date(y, time.Month(mo), d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d || int(t.Month()) != mo {
		return ""
	}
	return fmt.Sprintf("%04d-%02d-%02d", y, mo, d)
}

func monthValue(name string) int {
	for m := time.January; m <= time.December; m++ {
		if m.String() == name {
			return int(m)
		}
	}
	return 0
}

// firstDate returns the first group of re's first match in s that holds a
// real date, as YYYY-MM-DD, or "".
func firstDate(re *regexp.Regexp, s string) string {
	for _, m := range re.FindAllStringSubmatch(s, -1) {
		for _, g := range m[1:] {
			if g == "" {
				continue
			}
			if d := dateValue(g); d != "" {
				return d
			}
		}
	}
	return ""
}

// readMeta reads the metadata of a rule document from its metadata lines
// (the text before the first article and the signature after the last),
// its articles' text, and its title.
func readMeta(title string, lines []string, articles []string) meta {
	md := meta{title: trimBlank(title)}
	if m := wrapperRe.FindStringSubmatch(md.title); m != nil {
		md.title = trimBlank(m[1])
	}
	var issued, order, orgLine, meeting string
	for _, l := range lines {
		l = trimBlank(l)
		if l == "" {
			continue
		}
		if md.effective == "" {
			for _, re := range effectiveRes {
				if d := firstDate(re, l); d != "" {
					md.effective = d
					break
				}
			}
		}
		if md.repealed == "" {
			for _, re := range repealedRes {
				if d := firstDate(re, l); d != "" {
					md.repealed = d
					break
				}
			}
		}
		if issued == "" {
			if d := firstDate(issuedRe, l); d != "" {
				issued = d
			} else if onlyDateRe.MatchString(l) {
				issued = dateValue(l)
			}
		}
		if md.number == "" {
			if m := labelledNumberRe.FindStringSubmatch(l); m != nil {
				md.number = trimBlank(m[1])
			} else {
				for _, re := range docNumberRes {
					if n := re.FindString(l); n != "" {
						md.number = trimBlank(n)
						break
					}
				}
			}
		}
		if md.issuer == "" {
			if m := labelledIssuerRe.FindStringSubmatch(l); m != nil {
				md.issuer = trimBlank(m[1])
			}
		}
		if order == "" {
			if m := orderIssuerRe.FindStringSubmatch(l); m != nil && docNumberRes[1].MatchString(l) {
				order = m[1]
			}
		}
		if orgLine == "" && utf8.RuneCountInString(l) <= 30 && orgLineRe.MatchString(l) {
			orgLine = l
		}
		if meeting == "" {
			if m := meetingIssuerRe.FindStringSubmatch(l); m != nil {
				meeting = m[1]
			}
		}
	}
	if md.issuer == "" {
		var fromTitle string
		if m := titleIssuerRe.FindStringSubmatch(trimBlank(title)); m != nil {
			fromTitle = m[1]
		}
		for _, c := range []string{order, fromTitle, orgLine, meeting} {
			if c != "" {
				md.issuer = c
				break
			}
		}
	}
	if md.effective == "" {
		for i := len(articles) - 1; i >= 0 && md.effective == ""; i-- {
			if !mentionsEffect(articles[i]) {
				continue
			}
			md.effective = firstDate(articleEffectiveRe, articles[i])
			if md.effective == "" && issued != "" && fromIssueRe.MatchString(articles[i]) {
				md.effective = issued
			}
		}
	}
	return md
}

// mentionsEffect is a cheap test for text that may state when rules take
// effect, run before the date patterns.
func mentionsEffect(s string) bool {
	for _, w := range []string{"施行", "实施", "生效", "force", "effect"} {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}
