package mine

import (
	"context"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/lorehq/lore/ingest/dialogue"
)

// Miner accumulates dialogues and mines them. Add, Analyze and CheckReply
// may be called in any order; a Miner is not safe for concurrent use, but
// Result does not change it, so a Miner can be mined again after more Adds.
type Miner struct {
	p          Policy
	intents    *termMatcher // tag: index in p.Intents
	emotions   *termMatcher // tag: index in p.Emotions
	violations *termMatcher // tag: index in p.Violations
	neg        *negation    // for emotions
	vneg       *negation    // for violations
	success    map[string]bool
	recs       []record
}

// record is one added dialogue, masked, with its analysis.
type record struct {
	d dialogue.Dialogue
	a Analysis
}

// New returns a miner for the policy, or an error saying what is wrong
// with the policy.
func New(p Policy) (*Miner, error) {
	if err := p.Validate(); err != nil {
		return nil, fmt.Errorf("mine: invalid policy / 策略无效: %w", err)
	}
	m := &Miner{p: p, intents: newTermMatcher(), emotions: newTermMatcher(), violations: newTermMatcher(),
		neg:     newNegation(p.Negators, p.NotNegations, p.NegationWindow),
		vneg:    newNegation(p.ViolationNegators, p.NotNegations, p.ViolationNegationWindow),
		success: map[string]bool{}}
	for i, in := range p.Intents {
		for _, k := range in.Keywords {
			m.intents.add(k, i)
		}
	}
	for i, e := range p.Emotions {
		for _, t := range e.Terms {
			m.emotions.add(t, i)
		}
	}
	for i, v := range p.Violations {
		for _, t := range v.Terms {
			m.violations.add(t, i)
		}
	}
	for _, o := range p.SuccessOutcomes {
		m.success[NormalizeOutcome(o)] = true
	}
	return m, nil
}

// Policy returns the miner's policy.
func (m *Miner) Policy() Policy { return m.p }

// Len returns the number of dialogues added.
func (m *Miner) Len() int { return len(m.recs) }

// Add masks and analyses d and keeps it for mining. The dialogue is copied;
// the caller's value is not changed. It returns the analysis (whose intent
// may still be refined by Result for dialogues no keyword matched).
func (m *Miner) Add(d dialogue.Dialogue) Analysis {
	md := maskDialogue(d)
	a := m.analyze(&md)
	m.recs = append(m.recs, record{d: md, a: a})
	return a
}

// Analyze masks and analyses d without keeping it: intent, emotions,
// outcome, facts, violations and a case note. A dialogue no keyword
// matches gets the intent "other".
func (m *Miner) Analyze(d dialogue.Dialogue) Analysis {
	md := maskDialogue(d)
	return m.analyze(&md)
}

// Mine adds the dialogues and returns the result over everything added so
// far. It stops early when ctx ends.
func (m *Miner) Mine(ctx context.Context, dialogues []dialogue.Dialogue) (*Result, error) {
	for i, d := range dialogues {
		if i%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, fmt.Errorf("mine: %w", err)
			}
		}
		m.Add(d)
	}
	return m.Result(ctx)
}

// maskDialogue copies d with every turn's text PII-masked and its role
// normalised ("" when unknown; such turns are ignored).
func maskDialogue(d dialogue.Dialogue) dialogue.Dialogue {
	out := d
	out.ID = MaskPII(strings.TrimSpace(d.ID))
	out.Labels = append([]string(nil), d.Labels...)
	out.Turns = make([]dialogue.Turn, len(d.Turns))
	for i, t := range d.Turns {
		t.Role = dialogue.NormalizeRole(t.Role)
		t.Text = MaskPII(strings.TrimSpace(strings.ToValidUTF8(t.Text, "\uFFFD")))
		out.Turns[i] = t
	}
	return out
}

// analyze works on a masked dialogue.
func (m *Miner) analyze(d *dialogue.Dialogue) Analysis {
	a := Analysis{ID: d.ID, Channel: d.Channel, Satisfaction: d.Satisfaction, Emotions: make([]string, len(d.Turns))}
	for i, t := range d.Turns {
		if t.Role == dialogue.Customer {
			a.Emotions[i] = m.emotion(t.Text)
		}
		if t.Role == dialogue.Agent {
			for _, v := range m.CheckReply(t.Text) {
				v.Turn = i + 1
				a.Violations = append(a.Violations, v)
			}
		}
	}
	a.Intent = m.dialogueIntent(d)
	a.IntentName = m.intentName(a.Intent)
	a.Outcome = NormalizeOutcome(d.Outcome)
	if a.Outcome == "" {
		a.Outcome = inferOutcome(d.Turns, a.Emotions)
		a.OutcomeInferred = true
	}
	a.Success = m.success[a.Outcome] && !(d.Satisfaction > 0 && d.Satisfaction <= 2)
	a.Facts = extractFacts(d.Turns, a.Outcome == PromiseToPay)
	a.Note = caseNote(&a)
	return a
}

// emotion classifies one customer utterance: the emotion with the most
// lexicon hits (longest match first; a negated term counts for its Negated
// emotion or not at all); ties go to anger, then anxiety, confusion and
// satisfaction; no hit is neutral.
func (m *Miner) emotion(text string) string {
	s := fold(text)
	var score [5]int
	for _, h := range longest(m.emotions.all(s)) {
		lex := &m.p.Emotions[h.term.tag]
		e := lex.Emotion
		if hasWord(h.term.text) && m.neg.negated(s, h.pos) {
			e = lex.Negated
		}
		for k, v := range emotionOrder {
			if v == e {
				score[k]++
			}
		}
	}
	best := 3 // neutral
	for k, n := range score {
		if k != 3 && n > 0 && (best == 3 || n > score[best]) {
			best = k
		}
	}
	return emotionOrder[best]
}

// Emotion returns the customer emotion of one utterance, after masking.
func (m *Miner) Emotion(text string) string { return m.emotion(MaskPII(text)) }

// hasWord reports whether a term holds a letter or a Han character; pure
// punctuation terms (！！) are never negated.
func hasWord(s string) bool {
	for _, r := range s {
		if unicode.IsLetter(r) {
			return true
		}
	}
	return false
}

// CheckReply returns the policy breaches in an agent reply, at most one per
// violation category, in policy order; Turn is 0.
func (m *Miner) CheckReply(text string) []TurnViolation {
	s := fold(MaskPII(text))
	hits := m.violations.all(s)
	if len(hits) == 0 {
		return nil
	}
	found := make([]*termHit, len(m.p.Violations))
	for i := range hits {
		h := &hits[i]
		if m.vneg.negated(s, h.pos) {
			continue
		}
		if f := found[h.term.tag]; f == nil || h.pos < f.pos {
			found[h.term.tag] = h
		}
	}
	var out []TurnViolation
	for i, h := range found {
		if h != nil {
			out = append(out, TurnViolation{Category: m.p.Violations[i].Category, Term: h.term.text})
		}
	}
	return out
}

// Intent returns the taxonomy intent of one utterance, or "" when no
// keyword matches.
func (m *Miner) Intent(text string) string {
	scores := make([]float64, len(m.p.Intents))
	m.scoreIntents(text, 1, scores)
	return m.bestIntent(scores)
}

func (m *Miner) scoreIntents(text string, w float64, scores []float64) {
	for _, h := range longest(m.intents.all(fold(text))) {
		scores[h.term.tag] += w * float64(utf8.RuneCountInString(h.term.text))
	}
}

func (m *Miner) bestIntent(scores []float64) string {
	best := -1
	for i, s := range scores {
		if s > 0 && (best < 0 || s > scores[best]) {
			best = i
		}
	}
	if best < 0 {
		return ""
	}
	return m.p.Intents[best].ID
}

// dialogueIntent weighs the keywords of the labels and the first customer
// turn (×3) above the other customer turns (×1) and the agent's (×0.5).
func (m *Miner) dialogueIntent(d *dialogue.Dialogue) string {
	scores := make([]float64, len(m.p.Intents))
	for _, l := range d.Labels {
		m.scoreIntents(l, 3, scores)
	}
	first := true
	for _, t := range d.Turns {
		switch t.Role {
		case dialogue.Customer:
			w := 1.0
			if first {
				w, first = 3, false
			}
			m.scoreIntents(t.Text, w, scores)
		case dialogue.Agent:
			m.scoreIntents(t.Text, 0.5, scores)
		}
	}
	if id := m.bestIntent(scores); id != "" {
		return id
	}
	return otherPrefix[:len(otherPrefix)-1]
}

// otherPrefix starts the intents of clustered unknown dialogues.
const otherPrefix = "other:"

func (m *Miner) intentName(id string) string {
	for _, in := range m.p.Intents {
		if in.ID == id {
			return in.Name
		}
	}
	if rest, ok := strings.CutPrefix(id, otherPrefix); ok {
		return "其他 other: " + rest
	}
	return "其他 other"
}
