package mine

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/lorehq/lore/ingest/dialogue"
	"github.com/lorehq/lore/knowledge"
)

// Result is what mining found.
type Result struct {
	// Dialogues holds the analysis of every dialogue, in the order added.
	Dialogues []Analysis
	// Situations holds the baseline of every situation seen.
	Situations []Situation
	// FAQs are ordered by support, most first.
	FAQs []FAQ
	// Scripts are ordered by intent, customer state and rank (best first).
	Scripts []Script
	// Violations are the policy-breaking reply templates, most used first.
	// None of them is ever a Script.
	Violations []Violation
	// MinSupport is the support threshold that was applied.
	MinSupport int
}

// Situation is an intent with the customer's emotion just before an agent
// reply, and how dialogues in it ended.
type Situation struct {
	Intent        string  `json:"intent"`
	CustomerState string  `json:"customer_state"`
	Dialogues     int     `json:"dialogues"`
	Successes     int     `json:"successes"`
	Baseline      float64 `json:"baseline"` // Successes / Dialogues
}

// FAQ is a mined question-answer pair with the question turns behind it.
type FAQ struct {
	knowledge.FAQ
	Provenance []knowledge.Provenance // dialogue id and question turn
}

// Script is a mined best-practice reply with its evidence.
type Script struct {
	knowledge.Script
	// Improved is the share of the reply's uses after which the customer's
	// next turn showed a better emotion (anger < anxiety < confusion <
	// neutral < satisfaction); uses with no next customer turn are left out.
	Improved   float64
	Provenance []knowledge.Provenance // successful uses first
}

// Violation is a policy-breaking reply template and the evidence of what
// it achieved, for compliance review.
type Violation struct {
	Categories    []string               `json:"categories"` // e.g. threat, third_party_disclosure
	Terms         []string               `json:"terms"`      // lexicon terms found
	Reply         string                 `json:"reply"`      // most frequent wording, masked
	Intent        string                 `json:"intent"`
	CustomerState string                 `json:"customer_state"`
	Dialogues     int                    `json:"dialogues"`
	SuccessRate   float64                `json:"success_rate"`
	Baseline      float64                `json:"baseline"`
	Lift          float64                `json:"lift"`
	Provenance    []knowledge.Provenance `json:"provenance"` // every use, up to 50
}

// maxProvenance bounds the provenance kept per item or violation.
const maxProvenance = 50

// Result mines everything added so far. It does not change the miner.
func (m *Miner) Result(ctx context.Context) (*Result, error) {
	res := &Result{Dialogues: make([]Analysis, len(m.recs)), MinSupport: m.minSupport()}
	for i := range m.recs {
		res.Dialogues[i] = m.recs[i].a
	}
	m.clusterUnknown(res.Dialogues)
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("mine: %w", err)
	}
	m.mineScripts(res)
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("mine: %w", err)
	}
	m.mineFAQs(res)
	return res, nil
}

func (m *Miner) minSupport() int {
	if m.p.Mining.MinSupport > 0 {
		return m.p.Mining.MinSupport
	}
	return min(max(len(m.recs)/1000, 1), 5)
}

// clusterUnknown gives dialogues with no taxonomy intent an
// "other:<representative>" intent, clustering them by their opening
// customer question.
func (m *Miner) clusterUnknown(as []Analysis) {
	type unk struct {
		idx  []int
		text string
	}
	byKey := map[string]*unk{}
	var keys []string
	for i := range as {
		if as[i].Intent != "other" {
			continue
		}
		text := m.openingQuestion(&m.recs[i].d)
		key := string(template(text))
		u := byKey[key]
		if u == nil {
			u = &unk{text: text}
			byKey[key] = u
			keys = append(keys, key)
		}
		u.idx = append(u.idx, i)
	}
	slices.SortFunc(keys, func(a, b string) int {
		return cmp.Or(len(byKey[b].idx)-len(byKey[a].idx), strings.Compare(a, b))
	})
	c := newClusterer(m.p.Mining.UnknownSimilarity)
	var names []string
	for _, k := range keys {
		u := byKey[k]
		id := c.assign(bigrams([]rune(k)))
		if id == len(names) {
			names = append(names, otherPrefix+truncate(u.text, 16))
		}
		for _, i := range u.idx {
			as[i].Intent = names[id]
			as[i].IntentName = m.intentName(names[id])
			as[i].Note = caseNote(&as[i])
		}
	}
}

// openingQuestion is the first customer turn long enough to mean something,
// else the first non-empty turn.
func (m *Miner) openingQuestion(d *dialogue.Dialogue) string {
	first := ""
	for _, t := range d.Turns {
		if t.Text == "" {
			continue
		}
		if first == "" {
			first = t.Text
		}
		if t.Role == dialogue.Customer && len(template(t.Text)) >= m.p.Mining.MinReplyChars {
			return t.Text
		}
	}
	return first
}

func truncate(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n]) + "…"
}

// use is one agent reply in a situation.
type use struct {
	rec      int32
	turn     int32 // 0-based
	improved bool
	next     bool // a customer turn follows
}

// situation returns up to n distinct customer turns that came just
// before the uses of a reply cluster.
func (m *Miner) situation(cl []*group, n int) []string {
	var out []string
	seen := map[string]bool{}
	for _, g := range cl {
		for _, u := range g.uses {
			turns := m.recs[u.rec].d.Turns
			for j := int(u.turn) - 1; j >= 0; j-- {
				if turns[j].Role != dialogue.Customer {
					continue
				}
				if t := strings.TrimSpace(turns[j].Text); t != "" && !seen[t] && len(out) < n {
					seen[t] = true
					out = append(out, t)
				}
				break
			}
		}
	}
	return out
}

// group collects the uses of one normalised wording.
type group struct {
	key  string
	uses []use
	raw  map[string]int // masked wordings and their counts
}

// situation gathers the replies seen in one situation.
type situation struct {
	Situation
	lastRec int32
	good    map[string]*group
	bad     map[string]*group
}

// mineScripts finds, for every situation, the reply templates with the
// best lift over the situation's baseline, and the policy-breaking ones.
func (m *Miner) mineScripts(res *Result) {
	sits := map[string]*situation{}
	var order []string
	for ri := range m.recs {
		r := &m.recs[ri]
		a := &res.Dialogues[ri]
		violating := map[int]bool{}
		for _, v := range a.Violations {
			violating[v.Turn-1] = true
		}
		state := ""
		for ti, t := range r.d.Turns {
			switch t.Role {
			case dialogue.Customer:
				state = a.Emotions[ti]
				continue
			case dialogue.Agent:
			default:
				continue
			}
			if state == "" || t.Text == "" {
				continue // the agent speaks first: no situation yet
			}
			key := a.Intent + "\x00" + state
			s := sits[key]
			if s == nil {
				s = &situation{Situation: Situation{Intent: a.Intent, CustomerState: state}, lastRec: -1,
					good: map[string]*group{}, bad: map[string]*group{}}
				sits[key] = s
				order = append(order, key)
			}
			if s.lastRec != int32(ri) {
				s.lastRec = int32(ri)
				s.Dialogues++
				if a.Success {
					s.Successes++
				}
			}
			tk := string(template(t.Text))
			if utf8.RuneCountInString(tk) < m.p.Mining.MinReplyChars && !violating[ti] {
				continue
			}
			u := use{rec: int32(ri), turn: int32(ti)}
			for nj := ti + 1; nj < len(r.d.Turns); nj++ {
				if r.d.Turns[nj].Role == dialogue.Customer {
					u.next = true
					u.improved = rank(a.Emotions[nj]) > rank(state)
					break
				}
			}
			groups := s.good
			if violating[ti] {
				groups = s.bad
			}
			g := groups[tk]
			if g == nil {
				g = &group{key: tk, raw: map[string]int{}}
				groups[tk] = g
			}
			g.uses = append(g.uses, u)
			g.raw[t.Text]++
		}
	}
	slices.Sort(order)
	minSup := res.MinSupport
	z := m.p.Mining.Z
	for _, key := range order {
		s := sits[key]
		s.Baseline = float64(s.Successes) / float64(s.Dialogues)
		res.Situations = append(res.Situations, s.Situation)
		var cands []Script
		for _, cl := range m.clusterGroups(s.good) {
			ev := m.evidence(res, cl)
			if ev.n < minSup || s.Baseline <= 0 || ev.rate <= s.Baseline {
				continue
			}
			sc := Script{Script: knowledge.Script{
				Intent: s.Intent, CustomerState: s.CustomerState, Reply: ev.reply,
				Dialogues: ev.n, SuccessRate: ev.rate, Baseline: s.Baseline,
				Lift: ev.rate / s.Baseline, LiftLow: wilsonLow(ev.succ, ev.n, z) / s.Baseline,
				Examples:  ev.examples(m.p.Mining.MaxExamples),
				Situation: m.situation(cl, m.p.Mining.MaxExamples),
			}, Improved: ev.improved, Provenance: ev.prov}
			cands = append(cands, sc)
		}
		slices.SortFunc(cands, func(a, b Script) int {
			return cmp.Or(cmp.Compare(b.LiftLow, a.LiftLow), cmp.Compare(b.Dialogues, a.Dialogues),
				cmp.Compare(b.Improved, a.Improved), strings.Compare(a.Reply, b.Reply))
		})
		res.Scripts = append(res.Scripts, cands[:min(len(cands), m.p.Mining.TopScripts)]...)
		for _, cl := range m.clusterGroups(s.bad) {
			ev := m.evidence(res, cl)
			v := Violation{Reply: ev.reply, Intent: s.Intent, CustomerState: s.CustomerState,
				Dialogues: ev.n, SuccessRate: ev.rate, Baseline: s.Baseline, Provenance: ev.prov}
			if s.Baseline > 0 {
				v.Lift = ev.rate / s.Baseline
			}
			seenC, seenT := map[string]bool{}, map[string]bool{}
			for _, g := range cl {
				for _, u := range g.uses {
					for _, tv := range res.Dialogues[u.rec].Violations {
						if tv.Turn != int(u.turn)+1 {
							continue
						}
						if !seenC[tv.Category] {
							seenC[tv.Category] = true
							v.Categories = append(v.Categories, tv.Category)
						}
						if !seenT[tv.Term] {
							seenT[tv.Term] = true
							v.Terms = append(v.Terms, tv.Term)
						}
					}
				}
			}
			res.Violations = append(res.Violations, v)
		}
	}
	slices.SortStableFunc(res.Violations, func(a, b Violation) int {
		return cmp.Or(cmp.Compare(b.Dialogues, a.Dialogues), strings.Compare(a.Reply, b.Reply))
	})
}

func rank(e string) int { return slices.Index(emotionOrder, e) }

// clusterGroups clusters wordings into templates, most used first.
func (m *Miner) clusterGroups(groups map[string]*group) [][]*group {
	gs := make([]*group, 0, len(groups))
	for _, g := range groups {
		gs = append(gs, g)
	}
	slices.SortFunc(gs, func(a, b *group) int {
		return cmp.Or(len(b.uses)-len(a.uses), strings.Compare(a.key, b.key))
	})
	c := newClusterer(m.p.Mining.ReplySimilarity)
	var out [][]*group
	for _, g := range gs {
		id := c.assign(bigrams([]rune(g.key)))
		if id == len(out) {
			out = append(out, nil)
		}
		out[id] = append(out[id], g)
	}
	return out
}

// evidence is what a template's uses show.
type evidence struct {
	reply    string
	n, succ  int
	rate     float64
	improved float64
	prov     []knowledge.Provenance
	ids      []string // distinct dialogues, successful first
}

func (e *evidence) examples(k int) []string { return e.ids[:min(k, len(e.ids))] }

func (m *Miner) evidence(res *Result, cl []*group) evidence {
	var ev evidence
	raw := map[string]int{}
	var uses []use
	for _, g := range cl {
		uses = append(uses, g.uses...)
		for t, n := range g.raw {
			raw[t] += n
		}
	}
	best := 0
	for t, n := range raw {
		if n > best || (n == best && t < ev.reply) {
			ev.reply, best = t, n
		}
	}
	slices.SortFunc(uses, func(a, b use) int { return cmp.Or(cmp.Compare(a.rec, b.rec), cmp.Compare(a.turn, b.turn)) })
	var withNext, improved int
	var okIDs, badIDs []string
	var okProv, badProv []knowledge.Provenance
	last := int32(-1)
	for _, u := range uses {
		if u.next {
			withNext++
			if u.improved {
				improved++
			}
		}
		a := &res.Dialogues[u.rec]
		p := knowledge.Provenance{Dialogue: a.ID, Turn: int(u.turn) + 1, Line: m.recs[u.rec].d.Line}
		if a.Success {
			okProv = append(okProv, p)
		} else {
			badProv = append(badProv, p)
		}
		if u.rec == last {
			continue
		}
		last = u.rec
		ev.n++
		if a.Success {
			ev.succ++
			okIDs = append(okIDs, a.ID)
		} else {
			badIDs = append(badIDs, a.ID)
		}
	}
	ev.rate = float64(ev.succ) / float64(max(ev.n, 1))
	if withNext > 0 {
		ev.improved = float64(improved) / float64(withNext)
	}
	ev.ids = append(okIDs, badIDs...)
	ev.prov = append(okProv, badProv...)
	ev.prov = ev.prov[:min(len(ev.prov), maxProvenance)]
	return ev
}

// wilsonLow is the lower bound of the Wilson score interval of succ
// successes in n trials at normal quantile z.
func wilsonLow(succ, n int, z float64) float64 {
	if n == 0 {
		return 0
	}
	p := float64(succ) / float64(n)
	nn := float64(n)
	z2 := z * z
	centre := p + z2/(2*nn)
	margin := z * math.Sqrt(p*(1-p)/nn+z2/(4*nn*nn))
	return max(0, (centre-margin)/(1+z2/nn))
}
