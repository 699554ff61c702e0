package oplog

import (
	"cmp"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/lorehq/lore/knowledge"
)

// Result is what Mine found in a log. It holds no per-event data.
type Result struct {
	Rows     int  // data lines read, malformed ones included
	Skipped  int  // malformed lines skipped
	Events   int  // events in paths, after the lifecycle and activity filters
	Cases    int  // distinct cases with at least one valid event
	Outcome  bool // the OutcomeRule names success labels, so success rates mean something
	Outcomes []Count
	// Variants are the distinct paths per case type, most cases first.
	Variants []Variant
	// DFG is the directly-follows graph over all cases, most frequent edge
	// first.
	DFG []Edge
	// Types are the case types, most cases first.
	Types []TypeStats
	// Warnings name malformed lines ("line 12: …") and other problems that
	// did not stop mining.
	Warnings []string
}

// Count is a number of cases with some label.
type Count struct {
	Label string `json:"label"` // "" for cases without an outcome
	Cases int    `json:"cases"`
}

// Variant is one distinct path (sequence of activities) of a case type.
type Variant struct {
	CaseType       string        `json:"case_type"`
	Activities     []string      `json:"activities"`
	Cases          int           `json:"cases"`
	Successes      int           `json:"successes"`
	SuccessRate    float64       `json:"success_rate"`
	MedianDuration time.Duration `json:"median_duration"` // first to last event of the path
	Examples       []string      `json:"examples"`        // the smallest case ids
}

// Path renders the variant's activities as "A > B > C".
func (v *Variant) Path() string { return strings.Join(v.Activities, " > ") }

// Edge is a directly-follows relation: To happened right after From in
// Count cases' paths (counted once per occurrence).
type Edge struct {
	From       string        `json:"from"`
	To         string        `json:"to"`
	Count      int           `json:"count"`
	MedianWait time.Duration `json:"median_wait"`
}

// TypeStats sums up one case type and its recommended procedure.
type TypeStats struct {
	CaseType       string        `json:"case_type"`
	Cases          int           `json:"cases"`
	Successes      int           `json:"successes"`
	SuccessRate    float64       `json:"success_rate"`
	MedianDuration time.Duration `json:"median_duration"`
	Outcomes       []Count       `json:"outcomes"`
	Variants       int           `json:"variants"` // distinct paths
	// Recommended indexes Result.Variants; -1 when no case has a path.
	Recommended int                   `json:"recommended"`
	Steps       []knowledge.Step      `json:"steps"`
	Deviations  []knowledge.Deviation `json:"deviations,omitempty"`
	Line        int                   `json:"line"` // first line of the first example case
}

// event is one mined event: 16 bytes, no strings.
type event struct {
	t int64  // Unix nanoseconds
	c uint32 // case index
	a uint16 // activity id
	r uint16 // resource id; 0 = none
}

// caseState is what is known of a case while reading.
type caseState struct {
	id       string
	line     int32  // first line seen
	n        int32  // events kept
	typ      uint32 // label id of its case type value; 0 = none
	typeT    int64  // time of the event typ came from
	out      uint32 // label id of its outcome; 0 = none
	outT     int64
	hasTyped bool
	hasOut   bool
}

// interner maps strings to small ids; id 0 is "".
type interner struct {
	ids  map[string]uint32
	strs []string
}

func newInterner() *interner {
	return &interner{ids: map[string]uint32{"": 0}, strs: []string{""}}
}

func (in *interner) id(s string) uint32 {
	if id, ok := in.ids[s]; ok {
		return id
	}
	s = strings.Clone(s) // do not pin the reader's line
	id := uint32(len(in.strs))
	in.strs = append(in.strs, s)
	in.ids[s] = id
	return id
}

const maxSmallID = math.MaxUint16

// miner holds the state of one Mine call.
type miner struct {
	s        *settings
	acts     *interner
	actKeep  []bool // by activity id
	actOut   []bool
	res      *interner
	labels   *interner // case type and outcome values
	caseIDs  map[string]uint32
	cases    []caseState
	events   []event
	res0     *Result
	warnings []string
	dropped  int // warnings beyond MaxWarnings
	layout   string
	resFull  bool
}

// Mine reads an operation log and mines it. Malformed lines are skipped and
// reported in Result.Warnings. The error is non-nil when the configuration
// is invalid, the input cannot be read, the header lacks a needed column,
// no line holds a valid event, or ctx ends.
func Mine(ctx context.Context, r io.Reader, cfg Config) (*Result, error) {
	s, err := cfg.settle()
	if err != nil {
		return nil, err
	}
	m := &miner{
		s: s, acts: newInterner(), actKeep: []bool{false}, actOut: []bool{false},
		res: newInterner(), labels: newInterner(), caseIDs: map[string]uint32{},
		res0: &Result{Outcome: s.hasOutcome}, layout: s.TimeLayout,
	}
	if err := readRows(ctx, r, s, m.add, m.warn); err != nil {
		return nil, err
	}
	if len(m.cases) == 0 {
		msg := "no valid event in the log / 日志中没有有效事件"
		if len(m.warnings) > 0 {
			msg += " (" + m.warnings[0] + ")"
		}
		return nil, knowledge.Errorf(knowledge.Invalid, "oplog.Mine", "%s", msg)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("oplog: %w", err)
	}
	return m.mine(), nil
}

func (m *miner) warn(line int, msg string) {
	m.res0.Skipped++
	m.note(fmt.Sprintf("line %d: %s", line, msg))
}

// note records a warning, up to MaxWarnings of them.
func (m *miner) note(msg string) {
	if len(m.warnings) < m.s.MaxWarnings {
		m.warnings = append(m.warnings, msg)
		return
	}
	m.dropped++
}

// add takes one row: it interns its strings, updates its case's type and
// outcome, and keeps it as an event when it passes the filters.
func (m *miner) add(rw *row) {
	m.res0.Rows++
	id, actName, ts := rw.f[fCase], rw.f[fActivity], rw.f[fTime]
	var missing []string
	for i, v := range [3]string{id, actName, ts} {
		if v == "" {
			missing = append(missing, fieldLabels[i])
		}
	}
	if len(missing) > 0 {
		m.warn(rw.line, "missing "+strings.Join(missing, ", ")+" / 缺少必填列")
		return
	}
	t, err := m.parseTime(ts)
	if err != nil {
		m.warn(rw.line, fmt.Sprintf("cannot read time %q / 时间无法识别", shorten(ts)))
		return
	}
	a, ok := m.acts.ids[actName]
	if !ok {
		if len(m.acts.strs) > maxSmallID {
			m.warn(rw.line, fmt.Sprintf("more than %d distinct activities; check the activity column / 活动种类过多，请检查活动列", maxSmallID))
			return
		}
		a = m.acts.id(actName)
		m.actKeep = append(m.actKeep, m.s.keepActivity(actName))
		m.actOut = append(m.actOut, m.s.isOutcomeActivity(actName))
	}
	c, ok := m.caseIDs[id]
	if !ok {
		c = uint32(len(m.cases))
		id = strings.Clone(id)
		m.caseIDs[id] = c
		m.cases = append(m.cases, caseState{id: id, line: int32(min(rw.line, math.MaxInt32))})
	}
	cs := &m.cases[c]
	if !cs.hasTyped || t < cs.typeT {
		cs.hasTyped, cs.typeT = true, t
		switch {
		case m.s.CaseType.FirstActivity:
			cs.typ = m.labels.id(m.acts.strs[a])
		case m.s.CaseType.Column != "":
			cs.typ = m.labels.id(rw.f[fType])
		}
	}
	if m.actOut[a] {
		label := m.acts.strs[a]
		if m.s.Outcome.Column != "" {
			label = rw.f[fOutcome]
		}
		if label != "" && (!cs.hasOut || t >= cs.outT) {
			cs.hasOut, cs.outT, cs.out = true, t, m.labels.id(label)
		}
	}
	if !m.actKeep[a] {
		return
	}
	if m.s.keepLifecycle != nil && rw.f[fLifecycle] != "" && !m.s.keepLifecycle[strings.ToLower(rw.f[fLifecycle])] {
		return
	}
	var r uint32
	if res := rw.f[fResource]; res != "" {
		r, ok = m.res.ids[res]
		if !ok {
			if len(m.res.strs) > maxSmallID {
				if !m.resFull {
					m.resFull = true
					m.note(fmt.Sprintf("more than %d distinct resources; later ones are not recorded / 处理人种类过多", maxSmallID))
				}
			} else {
				r = m.res.id(res)
			}
		}
	}
	m.events = append(m.events, event{t: t, c: c, a: uint16(a), r: uint16(r)})
	cs.n++
}

// timeLayouts are tried in order when Config.TimeLayout is empty.
var timeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02 15:04:05Z07:00",
	"2006-01-02 15:04:05",
	"2006-01-02T15:04:05",
	"2006/01/02 15:04:05",
	"2006-01-02 15:04",
	"2006/01/02 15:04",
	"2006-01-02T15:04",
	"2006/1/2 15:04:05",
	"2006/1/2 15:04",
	"2006-01-02",
	"2006/01/02",
	"02.01.2006 15:04:05",
	"2006年1月2日 15:04:05",
	"2006年1月2日 15:04",
	"2006年1月2日",
}

// parseTime reads a time, trying the layout that worked last first.
func (m *miner) parseTime(s string) (int64, error) {
	if m.s.TimeLayout != "" {
		t, err := time.ParseInLocation(m.s.TimeLayout, s, m.s.Location)
		return t.UnixNano(), err
	}
	if m.layout != "" {
		if t, err := time.ParseInLocation(m.layout, s, m.s.Location); err == nil {
			return t.UnixNano(), nil
		}
	}
	for _, l := range timeLayouts {
		if t, err := time.ParseInLocation(l, s, m.s.Location); err == nil {
			m.layout = l
			return t.UnixNano(), nil
		}
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil && n > 0 {
		switch {
		case n < 1e11: // seconds until year 5138
			return n * 1e9, nil
		case n < 1e14: // milliseconds
			return n * 1e6, nil
		}
	}
	return 0, fmt.Errorf("unknown time layout")
}

// variantAcc accumulates one variant while mining.
type variantAcc struct {
	typ      uint32
	acts     []uint16
	cases    int
	succ     int
	durs     []int64
	examples []uint32 // case indexes with the smallest ids
	// filled for recommended variants only
	rec   bool
	waits [][]int64
	who   []map[uint16]int
}

// typeAcc accumulates one case type.
type typeAcc struct {
	label    uint32
	cases    int
	succ     int
	durs     []int64
	outcomes map[uint32]int
	variants []int32
	rec      int32
}

type edgeAcc struct {
	from, to uint16
	waits    []int64
}

// mine groups the events by case, sorts each case by time and computes the
// result. It frees the events as it goes.
func (m *miner) mine() *Result {
	res := m.res0
	res.Cases = len(m.cases)
	res.Events = len(m.events)
	off := m.groupByCase()
	ev := m.events

	defaultType := m.labels.id(m.s.CaseType.Default)
	success := make([]bool, len(m.labels.strs))
	for i, l := range m.labels.strs {
		success[i] = m.s.successLabels[l]
	}
	typeOf := func(c int) uint32 {
		if t := m.cases[c].typ; t != 0 {
			return t
		}
		return defaultType
	}

	caseVar := make([]int32, len(m.cases))
	var (
		vars    []*variantAcc
		varIdx  = map[string]int32{}
		types   = map[uint32]*typeAcc{}
		edgeIdx = map[uint32]int{}
		edges   []*edgeAcc
		key     []byte
	)
	for c := range m.cases {
		cs := &m.cases[c]
		typ := typeOf(c)
		ta := types[typ]
		if ta == nil {
			ta = &typeAcc{label: typ, outcomes: map[uint32]int{}, rec: -1}
			types[typ] = ta
		}
		ok := success[cs.out]
		ta.cases++
		ta.outcomes[cs.out]++
		if ok {
			ta.succ++
		}
		es := ev[off[c]:off[c+1]]
		caseVar[c] = -1
		if len(es) == 0 {
			continue
		}
		dur := es[len(es)-1].t - es[0].t
		ta.durs = append(ta.durs, dur)
		key = binary.LittleEndian.AppendUint32(key[:0], typ)
		for _, e := range es {
			key = binary.LittleEndian.AppendUint16(key, e.a)
		}
		v, found := varIdx[string(key)]
		if !found {
			v = int32(len(vars))
			varIdx[string(key)] = v
			acts := make([]uint16, len(es))
			for i, e := range es {
				acts[i] = e.a
			}
			vars = append(vars, &variantAcc{typ: typ, acts: acts})
			ta.variants = append(ta.variants, v)
		}
		caseVar[c] = v
		va := vars[v]
		va.cases++
		if ok {
			va.succ++
		}
		va.durs = append(va.durs, dur)
		va.examples = m.addExample(va.examples, uint32(c))
		for i := 1; i < len(es); i++ {
			k := uint32(es[i-1].a)<<16 | uint32(es[i].a)
			j, found := edgeIdx[k]
			if !found {
				j = len(edges)
				edgeIdx[k] = j
				edges = append(edges, &edgeAcc{from: es[i-1].a, to: es[i].a})
			}
			edges[j].waits = append(edges[j].waits, es[i].t-es[i-1].t)
		}
	}

	// Recommended path per type, then the step statistics of those paths.
	for _, ta := range types {
		ta.rec = m.recommend(ta, vars)
		if ta.rec >= 0 {
			va := vars[ta.rec]
			va.rec = true
			va.waits = make([][]int64, len(va.acts))
			va.who = make([]map[uint16]int, len(va.acts))
			for i := range va.who {
				va.who[i] = map[uint16]int{}
			}
		}
	}
	for c, v := range caseVar {
		if v < 0 || !vars[v].rec {
			continue
		}
		va := vars[v]
		es := ev[off[c]:off[c+1]]
		for i, e := range es {
			if i > 0 {
				va.waits[i] = append(va.waits[i], e.t-es[i-1].t)
			}
			if e.r != 0 {
				va.who[i][e.r]++
			}
		}
	}
	m.events, ev = nil, nil

	// Variants, sorted.
	res.Variants = make([]Variant, len(vars))
	order := make([]int, len(vars))
	for i, va := range vars {
		order[i] = i
		v := Variant{
			CaseType:       m.labels.strs[va.typ],
			Activities:     m.actNames(va.acts),
			Cases:          va.cases,
			Successes:      va.succ,
			MedianDuration: time.Duration(median(va.durs)),
		}
		if m.s.hasOutcome {
			v.SuccessRate = rate(va.succ, va.cases)
		}
		for _, c := range va.examples {
			v.Examples = append(v.Examples, m.cases[c].id)
		}
		res.Variants[i] = v
	}
	slices.SortStableFunc(order, func(a, b int) int {
		x, y := &res.Variants[a], &res.Variants[b]
		return cmp.Or(cmp.Compare(y.Cases, x.Cases), cmp.Compare(x.CaseType, y.CaseType), slices.Compare(x.Activities, y.Activities))
	})
	newIdx := make([]int, len(vars))
	sorted := make([]Variant, len(vars))
	for i, o := range order {
		newIdx[o] = i
		sorted[i] = res.Variants[o]
	}
	res.Variants = sorted

	// DFG.
	for _, e := range edges {
		res.DFG = append(res.DFG, Edge{From: m.acts.strs[e.from], To: m.acts.strs[e.to], Count: len(e.waits), MedianWait: time.Duration(median(e.waits))})
	}
	slices.SortFunc(res.DFG, func(a, b Edge) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.From, b.From), cmp.Compare(a.To, b.To))
	})

	// Types.
	for _, ta := range types {
		ts := TypeStats{
			CaseType:       m.labels.strs[ta.label],
			Cases:          ta.cases,
			Successes:      ta.succ,
			MedianDuration: time.Duration(median(ta.durs)),
			Variants:       len(ta.variants),
			Recommended:    -1,
		}
		if m.s.hasOutcome {
			ts.SuccessRate = rate(ta.succ, ta.cases)
		}
		for l, n := range ta.outcomes {
			ts.Outcomes = append(ts.Outcomes, Count{Label: m.labels.strs[l], Cases: n})
		}
		sortCounts(ts.Outcomes)
		if ta.rec >= 0 {
			va := vars[ta.rec]
			ts.Recommended = newIdx[ta.rec]
			ts.Line = int(m.cases[va.examples[0]].line)
			for i, a := range va.acts {
				st := knowledge.Step{Activity: m.acts.strs[a], MedianWait: time.Duration(median(va.waits[i]))}
				best := 0
				for r, n := range va.who[i] {
					if n > best || (n == best && m.res.strs[r] < st.Resource) {
						best, st.Resource = n, m.res.strs[r]
					}
				}
				ts.Steps = append(ts.Steps, st)
			}
			if m.s.hasOutcome {
				ts.Deviations = m.deviations(ta, vars)
			}
		}
		res.Types = append(res.Types, ts)
	}
	slices.SortFunc(res.Types, func(a, b TypeStats) int {
		return cmp.Or(cmp.Compare(b.Cases, a.Cases), cmp.Compare(a.CaseType, b.CaseType))
	})

	// Outcomes over all cases.
	all := map[string]int{}
	for _, ts := range res.Types {
		for _, o := range ts.Outcomes {
			all[o.Label] += o.Cases
		}
	}
	for l, n := range all {
		res.Outcomes = append(res.Outcomes, Count{Label: l, Cases: n})
	}
	sortCounts(res.Outcomes)

	res.Warnings = m.warnings
	if m.dropped > 0 {
		res.Warnings = append(res.Warnings, fmt.Sprintf("%d more warnings not shown / 另有 %d 条警告未列出", m.dropped, m.dropped))
	}
	return res
}

// groupByCase orders m.events by case, then by time (input order among
// equal times), and returns each case's offsets: case c's events are
// events[off[c]:off[c+1]]. Logs already in that order are left in place.
func (m *miner) groupByCase() []int32 {
	off := make([]int32, len(m.cases)+1)
	for c, cs := range m.cases {
		off[c+1] = off[c] + cs.n
	}
	ev := m.events
	grouped := true
	for i := 1; i < len(ev); i++ {
		if ev[i].c < ev[i-1].c || (ev[i].c == ev[i-1].c && ev[i].t < ev[i-1].t) {
			grouped = false
			break
		}
	}
	if grouped {
		return off
	}
	// Counting sort by case keeps input order within a case; then each case
	// is sorted by time, stably.
	out := make([]event, len(ev))
	next := slices.Clone(off[:len(off)-1])
	for _, e := range ev {
		out[next[e.c]] = e
		next[e.c]++
	}
	byTime := func(a, b event) int { return cmp.Compare(a.t, b.t) }
	for c := range m.cases {
		es := out[off[c]:off[c+1]]
		if !slices.IsSortedFunc(es, byTime) {
			slices.SortStableFunc(es, byTime)
		}
	}
	m.events = out
	return off
}

// addExample keeps the cases with the smallest ids, at most Examples.
func (m *miner) addExample(ex []uint32, c uint32) []uint32 {
	id := m.cases[c].id
	if len(ex) == m.s.Examples && id >= m.cases[ex[len(ex)-1]].id {
		return ex
	}
	i, _ := slices.BinarySearchFunc(ex, id, func(e uint32, id string) int { return strings.Compare(m.cases[e].id, id) })
	ex = slices.Insert(ex, i, c)
	if len(ex) > m.s.Examples {
		ex = ex[:m.s.Examples]
	}
	return ex
}

// recommend picks the type's recommended variant: among variants with at
// least MinSupport cases, the best Wilson lower bound of the success rate
// (all zero without an outcome rule), then the most cases, then the path in
// string order. When no variant has MinSupport cases the most frequent one
// is taken. It returns -1 when the type has no variant.
func (m *miner) recommend(ta *typeAcc, vars []*variantAcc) int32 {
	best, bestScore := int32(-1), -1.0
	better := func(v int32, score float64) bool {
		if best < 0 || score > bestScore+1e-12 {
			return true
		}
		if score < bestScore-1e-12 {
			return false
		}
		a, b := vars[v], vars[best]
		if a.cases != b.cases {
			return a.cases > b.cases
		}
		return slices.Compare(m.actNames(a.acts), m.actNames(b.acts)) < 0
	}
	for _, v := range ta.variants {
		va := vars[v]
		if va.cases < m.s.MinSupport {
			continue
		}
		score := 0.0
		if m.s.hasOutcome {
			score = wilsonLow(va.succ, va.cases)
		}
		if better(v, score) {
			best, bestScore = v, score
		}
	}
	if best >= 0 {
		return best
	}
	for _, v := range ta.variants {
		if better(v, 0) {
			best, bestScore = v, 0
		}
	}
	return best
}

// deviations finds the steps of the recommended path whose absence goes
// with a lower success rate: for each step, the cases of the type that skip
// it (lack it, or do it only after a later step of the path) against those
// that do it in place. Only the steps before the path's first
// outcome activity count: skipping A_APPROVED, or a step that follows it,
// cannot be a cause of the outcome.
func (m *miner) deviations(ta *typeAcc, vars []*variantAcc) []knowledge.Deviation {
	rec := vars[ta.rec]
	// order is the recommended path without repeats; only its steps before
	// the first outcome activity (order[:cut]) are candidates.
	var order []uint16
	inPath := map[uint16]bool{}
	cut := -1
	for _, a := range rec.acts {
		if inPath[a] {
			continue
		}
		inPath[a] = true
		if m.actOut[a] && cut < 0 {
			cut = len(order)
		}
		order = append(order, a)
	}
	if cut < 0 {
		cut = len(order)
	}
	type tally struct{ cases, succ int } // cases that do the step in place
	did := make([]tally, cut)
	first := map[uint16]int{}
	for _, v := range ta.variants {
		va := vars[v]
		clear(first)
		for i, a := range va.acts {
			if _, ok := first[a]; !ok && inPath[a] {
				first[a] = i
			}
		}
		// A step is done in place when it occurs before every later step of
		// the path that the case has; done only after them, it was skipped.
		later := math.MaxInt
		for i := len(order) - 1; i >= 0; i-- {
			p, ok := first[order[i]]
			if !ok {
				continue
			}
			if p < later {
				if i < cut {
					did[i].cases += va.cases
					did[i].succ += va.succ
				}
				later = p
			}
		}
	}
	steps := order[:cut]
	var out []knowledge.Deviation
	var drops []float64
	for i, a := range steps {
		t := did[i]
		skipped, skippedSucc := ta.cases-t.cases, ta.succ-t.succ
		if skipped < m.s.MinDeviationCases || t.cases == 0 {
			continue
		}
		with, without := rate(skippedSucc, skipped), rate(t.succ, t.cases)
		if without-with < m.s.MinDeviationDrop {
			continue
		}
		name := m.acts.strs[a]
		out = append(out, knowledge.Deviation{
			Description:    "跳过「" + name + "」 / skips " + name,
			Cases:          skipped,
			SuccessWith:    with,
			SuccessWithout: without,
		})
		drops = append(drops, (without-with)*math.Sqrt(float64(skipped)))
	}
	idx := make([]int, len(out))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(drops[b], drops[a]) })
	sorted := make([]knowledge.Deviation, 0, len(out))
	for _, i := range idx {
		sorted = append(sorted, out[i])
	}
	if len(sorted) > m.s.MaxDeviations {
		sorted = sorted[:m.s.MaxDeviations]
	}
	return sorted
}

func (m *miner) actNames(acts []uint16) []string {
	out := make([]string, len(acts))
	for i, a := range acts {
		out[i] = m.acts.strs[a]
	}
	return out
}

func sortCounts(cs []Count) {
	slices.SortFunc(cs, func(a, b Count) int {
		return cmp.Or(cmp.Compare(b.Cases, a.Cases), cmp.Compare(a.Label, b.Label))
	})
}

// median sorts xs and returns its median; 0 for none.
func median(xs []int64) int64 {
	if len(xs) == 0 {
		return 0
	}
	slices.Sort(xs)
	n := len(xs)
	if n%2 == 1 {
		return xs[n/2]
	}
	return xs[n/2-1] + (xs[n/2]-xs[n/2-1])/2
}

func rate(k, n int) float64 {
	if n == 0 {
		return 0
	}
	return float64(k) / float64(n)
}

// wilsonLow is the lower bound of the 95% Wilson score interval of k
// successes in n trials.
func wilsonLow(k, n int) float64 {
	if n == 0 {
		return 0
	}
	const z = 1.959964
	nf := float64(n)
	p := float64(k) / nf
	d := 1 + z*z/nf
	centre := p + z*z/(2*nf)
	margin := z * math.Sqrt(p*(1-p)/nf+z*z/(4*nf*nf))
	return (centre - margin) / d
}
