package mine

import (
	"cmp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/lorehq/lore/ingest/dialogue"
	"github.com/lorehq/lore/knowledge"
)

// questionWords mark an utterance as a question even without a question
// mark.
var questionWords = []string{"吗", "怎么", "什么", "多少", "能不能", "可不可以", "是不是", "会不会", "为什么", "如何", "哪里", "哪天", "几号", "有没有"}

var englishQuestionStarts = []string{"how ", "what ", "when ", "why ", "can ", "could ", "is ", "are ", "do ", "does ", "will ", "where ", "which "}

// isQuestion reports whether a customer utterance asks something.
func isQuestion(text string) bool {
	s := fold(text)
	if strings.ContainsAny(s, "?") {
		return true
	}
	for _, w := range questionWords {
		if strings.Contains(s, w) {
			return true
		}
	}
	for _, w := range englishQuestionStarts {
		if strings.HasPrefix(s, w) || strings.Contains(s, ". "+w) {
			return true
		}
	}
	return false
}

// qa is one customer question and the agent answer that followed it.
type qa struct {
	rec      int32
	turn     int32 // question turn, 0-based
	question string
	answer   string
	akey     string // answer template
}

// mineFAQs pairs customer questions with the agent answer that resolved
// them and clusters paraphrased questions. An answer counts when the
// dialogue succeeded, the answer breaks no policy, and the customer's next
// turn is neither angry nor confused.
func (m *Miner) mineFAQs(res *Result) {
	minChars := m.p.Mining.MinReplyChars
	byKey := map[string][]qa{}
	for ri := range m.recs {
		r := &m.recs[ri]
		a := &res.Dialogues[ri]
		if !a.Success {
			continue
		}
		violating := map[int]bool{}
		for _, v := range a.Violations {
			violating[v.Turn-1] = true
		}
		turns := r.d.Turns
		for ti, t := range turns {
			if t.Role != dialogue.Customer || !isQuestion(t.Text) {
				continue
			}
			qk := string(template(t.Text))
			if utf8.RuneCountInString(qk) < minChars {
				continue
			}
			ans, next, ok := answerAfter(turns, ti, violating)
			ans = withoutCourtesy(ans)
			if !ok || utf8.RuneCountInString(string(template(ans))) < minChars {
				continue
			}
			if next < len(turns) {
				if e := a.Emotions[next]; e == Anger || e == Confusion {
					continue
				}
			}
			byKey[qk] = append(byKey[qk], qa{rec: int32(ri), turn: int32(ti), question: t.Text, answer: ans,
				akey: string(template(ans))})
		}
	}
	keys := make([]string, 0, len(byKey))
	for k := range byKey {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int {
		return cmp.Or(len(byKey[b])-len(byKey[a]), strings.Compare(a, b))
	})
	c := newClusterer(m.p.Mining.QuestionSimilarity)
	var clusters [][]qa
	for _, k := range keys {
		id := c.assign(bigrams([]rune(k)))
		if id == len(clusters) {
			clusters = append(clusters, nil)
		}
		clusters[id] = append(clusters[id], byKey[k]...)
	}
	for _, cl := range clusters {
		if f, ok := m.faqOf(res, cl); ok && f.Support >= res.MinSupport {
			res.FAQs = append(res.FAQs, f)
		}
	}
	slices.SortStableFunc(res.FAQs, func(a, b FAQ) int {
		return cmp.Or(b.Support-a.Support, strings.Compare(a.Question, b.Question))
	})
}

// faqOf builds the FAQ of one cluster: the leader's most frequent wording
// as the question, the other wordings as variants, and as answer the one
// most similar to all the others (the consensus answer).
func (m *Miner) faqOf(res *Result, cl []qa) (FAQ, bool) {
	if len(cl) == 0 {
		return FAQ{}, false
	}
	qCount := map[string]int{}
	var qOrder []string
	aCount := map[string]int{}
	aRaw := map[string]map[string]int{}
	intents := map[string]int{}
	dialogues := map[int32]bool{}
	var prov []knowledge.Provenance
	leaderKey := string(template(cl[0].question))
	for _, x := range cl {
		if qCount[x.question] == 0 {
			qOrder = append(qOrder, x.question)
		}
		qCount[x.question]++
		aCount[x.akey]++
		if aRaw[x.akey] == nil {
			aRaw[x.akey] = map[string]int{}
		}
		aRaw[x.akey][x.answer]++
		if !dialogues[x.rec] {
			dialogues[x.rec] = true
			intents[res.Dialogues[x.rec].Intent]++
			if len(prov) < maxProvenance {
				prov = append(prov, knowledge.Provenance{Dialogue: res.Dialogues[x.rec].ID, Turn: int(x.turn) + 1, Line: m.recs[x.rec].d.Line})
			}
		}
	}
	slices.SortStableFunc(qOrder, func(a, b string) int {
		la, lb := string(template(a)) == leaderKey, string(template(b)) == leaderKey
		if la != lb {
			if la {
				return -1
			}
			return 1
		}
		return cmp.Or(qCount[b]-qCount[a], strings.Compare(a, b))
	})
	var f FAQ
	f.Question = qOrder[0]
	for _, q := range qOrder[1:] {
		if len(f.Variants) == 10 {
			break
		}
		f.Variants = append(f.Variants, q)
	}
	f.Answer = consensus(aCount, aRaw)
	f.Intent = topKey(intents)
	f.Support = len(dialogues)
	f.Provenance = prov
	return f, true
}

// consensus picks the answer template most similar, weighted by use, to
// the others (ties: more used, then shorter) and returns its most frequent
// wording. At most 100 templates, the most used, are compared.
func consensus(count map[string]int, raw map[string]map[string]int) string {
	keys := make([]string, 0, len(count))
	for k := range count {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int { return cmp.Or(count[b]-count[a], strings.Compare(a, b)) })
	keys = keys[:min(len(keys), 100)]
	sets := make([][]uint64, len(keys))
	for i, k := range keys {
		sets[i] = bigrams([]rune(k))
	}
	best, bestScore := 0, -1.0
	for i := range keys {
		score := float64(count[keys[i]] - 1)
		for j := range keys {
			if i != j {
				score += float64(count[keys[j]]) * jaccard(sets[i], sets[j])
			}
		}
		if score > bestScore+1e-9 {
			best, bestScore = i, score
		}
	}
	return topKey(raw[keys[best]])
}

// topKey returns the key with the largest count, the smallest key on ties.
func topKey(m map[string]int) string {
	best, n := "", -1
	for k, c := range m {
		if c > n || (c == n && k < best) {
			best, n = k, c
		}
	}
	return best
}

// verifyTerms mark an agent turn that asks the customer to identify
// themselves before answering.
var verifyTerms = []string{"后四位", "核实身份", "请提供", "请问您的姓名", "verify your", "last four digits"}

// answerAfter finds the agent's answer to the question at turn q: the
// longest agent turn before the customer speaks again. When that turn only
// asks for identification and the customer answers briefly, the answer is
// looked for after the customer's reply. next is the customer turn that
// follows the answer (len(turns) when none); ok is false when the answer
// breaks the policy.
func answerAfter(turns []dialogue.Turn, q int, violating map[int]bool) (ans string, next int, ok bool) {
	from := q + 1
	for hop := 0; hop < 2; hop++ {
		ans, next = "", len(turns)
		for j := from; j < len(turns); j++ {
			if turns[j].Role == dialogue.Customer {
				next = j
				break
			}
			if turns[j].Role != dialogue.Agent {
				continue
			}
			if violating[j] {
				return "", next, false
			}
			if utf8.RuneCountInString(turns[j].Text) > utf8.RuneCountInString(ans) {
				ans = turns[j].Text
			}
		}
		if !containsAny(fold(ans), verifyTerms) || next == len(turns) || utf8.RuneCountInString(turns[next].Text) > 16 {
			break
		}
		from = next + 1
	}
	return ans, next, true
}
