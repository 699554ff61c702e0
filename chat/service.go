package chat

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/lorehq/lore/knowledge"
	"github.com/lorehq/lore/retrieval"
	"github.com/lorehq/lore/retrieval/segment"
	"github.com/lorehq/lore/retrieval/understand"
)

// Searcher finds the items relevant to a question.
type Searcher interface {
	Search(ctx context.Context, req retrieval.Request) ([]knowledge.Hit, error)
}

// Tokenizer normalises text and splits it into words, the same way the
// index does, so the answerer can tell which retrieved sentences speak to
// the question.
type Tokenizer interface {
	Normalize(text string) string
	Words(text string) []string
	// Specific returns the words of text that name particular things
	// (rare nouns, unknown words): if none of the retrieved items mentions
	// one, the question is about something the knowledge base lacks.
	Specific(text string) []string
}

// Understander analyses a question as the searcher does: the answerer
// reads its expansions (配偶 for 老公) to recognise the sentences that answer
// in formal words. *understand.Understander is one.
type Understander interface {
	Understand(q string) understand.Understanding
}

// Options configure a Service.
type Options struct {
	// Understander, when set, analyses the question once for the search
	// (retrieval.Request.Understanding) and adds its expansions to the
	// words statements are chosen by; nil chooses by the question's own
	// words and leaves the analysis to the searcher.
	Understander Understander
	DefaultSpace string  // searched when a request names no space
	Limit        int     // sources retrieved per question; <= 0 means 8
	MaxSentences int     // statements in an answer; <= 0 means 4
	MinScore     float64 // least share of the question's words the retrieved items must cover; <= 0 means 0.34
}

// Service answers questions extractively: every statement is a sentence
// taken verbatim from a retrieved item and cites it.
type Service struct {
	search Searcher
	tok    Tokenizer
	opt    Options
}

// New returns an extractive answering service.
func New(s Searcher, tok Tokenizer, opt Options) *Service {
	if opt.Limit <= 0 {
		opt.Limit = 8
	}
	if opt.MaxSentences <= 0 {
		opt.MaxSentences = 4
	}
	if opt.MinScore <= 0 {
		opt.MinScore = 0.34
	}
	return &Service{search: s, tok: tok, opt: opt}
}

// maxQuestion bounds a question, in characters.
const maxQuestion = 2000

// Ask answers one question. Invalid requests get a knowledge.Invalid error
// whose message says what to fix.
func (s *Service) Ask(ctx context.Context, req Request) (Answer, error) {
	const op = "chat.Ask"
	q := strings.TrimSpace(req.Question)
	switch {
	case q == "":
		return Answer{}, knowledge.Errorf(knowledge.Invalid, op, "the question is empty / 问题不能为空")
	case utf8.RuneCountInString(q) > maxQuestion:
		return Answer{}, knowledge.Errorf(knowledge.Invalid, op, "the question is longer than %d characters / 问题超过 %d 个字符", maxQuestion, maxQuestion)
	case req.Limit < 0 || req.Limit > 50:
		return Answer{}, knowledge.Errorf(knowledge.Invalid, op, "limit %d is out of range 1..50 / limit 超出范围 1..50", req.Limit)
	}
	for _, k := range req.Kinds {
		if !k.Valid() {
			return Answer{}, knowledge.Errorf(knowledge.Invalid, op, "unknown kind %q / 未知的知识类型", k)
		}
	}
	limit := req.Limit
	if limit == 0 {
		limit = s.opt.Limit
	}
	spaces := req.Spaces
	if len(spaces) == 0 {
		spaces = []string{s.opt.DefaultSpace}
	}
	// The question is analysed once, for the search and the answer.
	var u *understand.Understanding
	if s.opt.Understander != nil {
		x := s.opt.Understander.Understand(q)
		u = &x
	}
	// Discovered glossary terms are candidates (some are fragments of
	// phrases), fit to answer only once a person confirmed them.
	hits, err := s.search.Search(ctx, retrieval.Request{
		Text:          q,
		Filter:        knowledge.Filter{Kinds: req.Kinds, Spaces: spaces, ApprovedOnly: []knowledge.Kind{knowledge.KindTerm}},
		Limit:         limit,
		Understanding: u,
	})
	if err != nil {
		return Answer{}, fmt.Errorf("chat: search: %w", err)
	}
	return s.compose(q, u, hits), nil
}

// compose builds the extractive answer from the hits, in their order; u
// is the question's analysis, nil without an Understander.
func (s *Service) compose(q string, u *understand.Understanding, hits []knowledge.Hit) Answer {
	ans := Answer{Question: q, Mode: "extractive", Sources: []Source{}, Statements: []Statement{}}
	terms := s.queryTerms(q)
	expanded := s.expandedTerms(terms, u)
	var all strings.Builder
	for i, h := range hits {
		ans.Sources = append(ans.Sources, toSource(i+1, h))
		all.WriteString(s.tok.Normalize(h.Item.Title+" "+h.Item.Body) + "\n")
	}
	lacking := lackingTerms(s.tok.Specific(q), all.String())
	if len(terms) == 0 || len(hits) == 0 || len(lacking) > 0 || coverage(terms, all.String()) < s.opt.MinScore {
		ans.NoAnswer = true
		ans.Notice = noAnswerNotice(q, lacking)
		if len(ans.Sources) > 3 {
			ans.Sources = ans.Sources[:3]
		}
		return ans
	}

	type candidate struct {
		text  string
		cite  int
		score float64
		order int
	}
	var cands []candidate
	for i, h := range hits {
		prior := 1 / (1 + 0.15*float64(i))
		// A FAQ's answer is read with its question: "不需要。" answers
		// 提前结清要收手续费吗 without sharing a word with it.
		asked := ""
		if h.Item.FAQ != nil {
			asked = h.Item.FAQ.Question + " "
		}
		for j, sent := range segment.Sentences(answerText(&h.Item)) {
			if j > 0 {
				asked = "" // the question answers for the reply's first sentence only
			}
			c := coverage(expanded, s.tok.Normalize(asked+sent))
			if c == 0 || utf8.RuneCountInString(sent) < 4 {
				continue
			}
			cands = append(cands, candidate{text: sent, cite: i + 1, score: c * prior, order: i*10000 + j})
		}
	}
	sort.SliceStable(cands, func(a, b int) bool {
		if cands[a].score != cands[b].score {
			return cands[a].score > cands[b].score
		}
		return cands[a].order < cands[b].order
	})
	byText := map[string]int{}
	for _, c := range cands {
		if j, ok := byText[c.text]; ok {
			// The same sentence in another source: cite that one too.
			if !containsInt(ans.Statements[j].Cites, c.cite) {
				ans.Statements[j].Cites = append(ans.Statements[j].Cites, c.cite)
			}
			continue
		}
		if len(ans.Statements) == s.opt.MaxSentences {
			continue
		}
		byText[c.text] = len(ans.Statements)
		ans.Statements = append(ans.Statements, Statement{Text: c.text, Cites: []int{c.cite}})
	}

	if len(ans.Statements) == 0 {
		ans.NoAnswer = true
		ans.Notice = noAnswerNotice(q, nil)
		if len(ans.Sources) > 3 {
			ans.Sources = ans.Sources[:3]
		}
		return ans
	}

	for i, h := range hits {
		switch h.Item.Kind {
		case knowledge.KindRule:
			ans.Rules = append(ans.Rules, i+1)
		case knowledge.KindScript:
			// A reply is recommended only for the situation the question is
			// about: its title, what the customer said and the reply must
			// cover as much of the question as an answer has to.
			if ans.Script == nil && h.Item.Script != nil &&
				coverage(expanded, s.tok.Normalize(h.Item.Title+" "+strings.Join(h.Item.Script.Situation, " ")+" "+h.Item.Script.Reply)) >= s.opt.MinScore {
				src := ans.Sources[i]
				if h.Item.Script.Reply != "" {
					src.Snippet = h.Item.Script.Reply // the words to say, whole
				}
				ans.Script = &src
			}
		case knowledge.KindProcedure:
			if ans.Steps == nil && h.Item.Procedure != nil {
				ans.Steps = procedureSteps(h.Item.Procedure)
			}
		}
	}
	return ans
}

// answerText is the part of an item that can answer: a FAQ's answer and
// a script's reply, not the question or what the customer said; the body
// of anything else.
func answerText(it *knowledge.Item) string {
	switch {
	case it.FAQ != nil && it.FAQ.Answer != "":
		return it.FAQ.Answer
	case it.Script != nil && it.Script.Reply != "":
		return it.Script.Reply
	}
	return it.Body
}

// lackingTerms returns the specific terms the retrieved text does not
// mention when they show the question is off the knowledge base: any Han
// term (a rare noun or an unknown word), or Latin terms when at least half
// of them are missing (English questions carry more loose words).
func lackingTerms(specific []string, text string) []string {
	var han, latin []string
	nLatin := 0
	for _, w := range specific {
		isHan := utf8.RuneLen([]rune(w)[0]) > 1
		if !isHan {
			nLatin++
		}
		if strings.Contains(text, w) {
			continue
		}
		if isHan {
			han = append(han, w)
		} else {
			latin = append(latin, w)
		}
	}
	if 2*len(latin) >= nLatin && len(latin) > 0 {
		return append(han, latin...)
	}
	return han
}

// weighted is a term and its weight in coverage.
type weighted struct {
	term string
	w    float64
}

// queryTerms are the question's words that carry meaning, each weighted by
// its length in characters (longer words are more specific), capped at 4,
// in the order they are first seen.
func (s *Service) queryTerms(q string) []weighted {
	var terms []weighted
	seen := map[string]bool{}
	for _, w := range s.tok.Words(q) {
		if questionWords[w] || isPunct(w) || seen[w] {
			continue
		}
		seen[w] = true
		terms = append(terms, weighted{w, float64(min(utf8.RuneCountInString(w), 4))})
	}
	return terms
}

// questionWords ask rather than say what is asked about; they never count
// towards relevance.
var questionWords = map[string]bool{
	"怎么": true, "怎样": true, "怎么办": true, "如何": true, "什么": true, "多少": true, "哪些": true,
	"哪里": true, "为什么": true, "是否": true, "能否": true, "可否": true, "请问": true, "一下": true,
	"可以": true, "能": true, "吗": true, "呢": true, "么": true, "要": true, "需要": true, "我": true,
	"我们": true, "你": true, "您": true, "他": true, "她": true, "有": true, "没有": true, "该": true,
	"how": true, "what": true, "when": true, "where": true, "why": true, "which": true, "who": true,
	"can": true, "could": true, "do": true, "does": true, "is": true, "are": true, "i": true,
	"my": true, "we": true, "you": true, "should": true, "must": true, "there": true, "it": true,
}

// expandedTerms are terms plus the question's expansions, each weighted by
// its length (capped at 4) times the expansion's weight, scaled so that the
// expansions together weigh half what the question's own terms weigh: a
// sentence that says in formal words what the question says in everyday
// ones counts, though less than one that uses the question's words.
func (s *Service) expandedTerms(terms []weighted, u *understand.Understanding) []weighted {
	if u == nil || len(terms) == 0 {
		return terms
	}
	var typed, extra float64
	seen := map[string]bool{}
	for _, t := range terms {
		typed += t.w
		seen[t.term] = true
	}
	out := terms[:len(terms):len(terms)]
	for _, e := range u.Expansions {
		t := s.tok.Normalize(e.Text)
		if t == "" || seen[t] {
			continue
		}
		seen[t] = true
		w := float64(min(utf8.RuneCountInString(t), 4)) * e.Weight
		out = append(out, weighted{t, w})
		extra += w
	}
	for i := len(terms); i < len(out); i++ {
		out[i].w *= 0.5 * typed / extra
	}
	return out
}

// coverage is the weighted share of terms found in the normalised text.
func coverage(terms []weighted, text string) float64 {
	var have, total float64
	for _, t := range terms {
		total += t.w
		if strings.Contains(text, t.term) {
			have += t.w
		}
	}
	if total == 0 {
		return 0
	}
	return have / total
}

func isPunct(w string) bool {
	for _, r := range w {
		if !unicode.IsPunct(r) && !unicode.IsSymbol(r) && !unicode.IsSpace(r) {
			return false
		}
	}
	return true
}

func containsInt(s []int, v int) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

func toSource(n int, h knowledge.Hit) Source {
	src := Source{N: n, ItemID: h.Item.ID, Kind: h.Item.Kind, Title: h.Item.Title, Snippet: snippet(h.Item.Body, 240), Score: h.Score}
	if len(h.Item.Provenance) > 0 {
		p := h.Item.Provenance[0]
		src.File, src.Location = p.Source, p.Location()
	}
	return src
}

// snippet shortens text to at most n characters, ending with "…" when cut.
func snippet(text string, n int) string {
	text = strings.TrimSpace(text)
	if utf8.RuneCountInString(text) <= n {
		return text
	}
	r := []rune(text)
	return string(r[:n]) + "…"
}

func procedureSteps(p *knowledge.Procedure) []string {
	steps := make([]string, len(p.Steps))
	for i, st := range p.Steps {
		s := st.Activity
		if st.Resource != "" {
			s += " (" + st.Resource + ")"
		}
		steps[i] = s
	}
	return steps
}

// noAnswerNotice says, in the question's language, that the knowledge base
// does not hold the answer, naming what it found nothing about.
func noAnswerNotice(q string, lacking []string) string {
	for _, r := range q {
		if unicode.Is(unicode.Han, r) {
			about := ""
			if len(lacking) > 0 {
				about = "关于“" + strings.Join(lacking, "”“") + "”的"
			}
			return "知识库中没有找到" + about + "能回答这个问题的内容。请换个说法，或联系知识库管理员补充。"
		}
	}
	about := ""
	if len(lacking) > 0 {
		about = " about “" + strings.Join(lacking, "”, “") + "”"
	}
	return "The knowledge base holds nothing" + about + " that answers this question. Try rephrasing it, or ask a knowledge-base editor to add it."
}
