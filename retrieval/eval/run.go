package eval

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/lorehq/lore/knowledge"
)

// System returns ranked items for a question: what an evaluation
// measures. Search returns at most limit items, best first.
type System interface {
	Name() string
	Search(ctx context.Context, q string, limit int) ([]knowledge.Item, error)
}

// DefaultK is the depth every metric looks at (Hit@10, MRR@10, nDCG@10).
const DefaultK = 10

// Options configure Run.
type Options struct {
	// Details keeps each question's result in the report.
	Details bool
	// Progress, when set, is called after each system finishes a question.
	Progress func(system string, done, total int)
}

// Metrics are averages over the questions of one system.
type Metrics struct {
	Hit1     float64 `json:"hit@1"`
	Hit5     float64 `json:"hit@5"`
	Hit10    float64 `json:"hit@10"`
	Recall5  float64 `json:"recall@5"`
	Recall10 float64 `json:"recall@10"`
	MRR10    float64 `json:"mrr@10"`
	NDCG10   float64 `json:"ndcg@10"`
}

// Latency summarises the time of one query, in milliseconds (nearest-rank
// percentiles). The text table shows p50, p95 and p99.
type Latency struct {
	P50 float64 `json:"p50_ms"`
	P90 float64 `json:"p90_ms"`
	P95 float64 `json:"p95_ms"`
	P99 float64 `json:"p99_ms"`
}

// QuestionResult is one question's outcome for one system.
type QuestionResult struct {
	ID    string   `json:"id"`
	Rank  int      `json:"rank"`            // 1-based rank of the first gold item, 0 when not in the top DefaultK
	Found int      `json:"found"`           // gold entries found in the top DefaultK
	Gold  int      `json:"gold"`            // gold entries of the question
	Top   []string `json:"top,omitempty"`   // titles of the top 3 items
	Error string   `json:"error,omitempty"` // the system's error for this question
}

// SystemResult is the evaluation of one system.
type SystemResult struct {
	Name    string  `json:"name"`
	Metrics Metrics `json:"metrics"`
	Latency Latency `json:"latency"`
	// Errors counts questions the system failed on; they count as misses.
	Errors    int              `json:"errors"`
	Questions []QuestionResult `json:"questions,omitempty"`
}

// Report is the result of Run. The first system is the baseline the
// others are compared with in the text table.
type Report struct {
	Questions int            `json:"questions"`
	K         int            `json:"k"`
	Systems   []SystemResult `json:"systems"`
}

// Run asks every system every question, one query at a time so latencies
// are not disturbed, and scores the top DefaultK items of each answer
// against the question's gold. A system's error on one question counts as
// a miss (and in Errors); Run itself fails only when ctx ends. Put the
// baseline first: WriteText compares every other system with the first.
func Run(ctx context.Context, qs []Question, systems []System, opt Options) (*Report, error) {
	rep := &Report{Questions: len(qs), K: DefaultK}
	for _, sys := range systems {
		res := SystemResult{Name: sys.Name()}
		lat := make([]time.Duration, 0, len(qs))
		var sum Metrics
		for i, q := range qs {
			if err := ctx.Err(); err != nil {
				return nil, fmt.Errorf("eval: %w", err)
			}
			start := time.Now()
			items, err := sys.Search(ctx, q.Text, DefaultK)
			lat = append(lat, time.Since(start))
			qr := QuestionResult{ID: q.ID, Gold: len(q.Gold)}
			if err != nil {
				if ctx.Err() != nil {
					return nil, fmt.Errorf("eval: %w", ctx.Err())
				}
				res.Errors++
				qr.Error = err.Error()
			} else {
				m := score(q.Gold, items)
				sum.add(m.Metrics)
				qr.Rank, qr.Found = m.rank, m.found
				for _, it := range items[:min(3, len(items))] {
					qr.Top = append(qr.Top, it.Title)
				}
			}
			if opt.Details {
				res.Questions = append(res.Questions, qr)
			}
			if opt.Progress != nil {
				opt.Progress(sys.Name(), i+1, len(qs))
			}
		}
		if len(qs) > 0 {
			res.Metrics = sum.scale(1 / float64(len(qs)))
		}
		res.Latency = latency(lat)
		rep.Systems = append(rep.Systems, res)
	}
	return rep, nil
}

// scored is the outcome of one question.
type scored struct {
	Metrics
	rank  int
	found int
}

// score rates one ranked answer. An item is relevant when it matches a
// gold entry not matched by an item ranked above it, so a gold entry is
// counted once however many items match it (several passages of one gold
// source, say).
func score(gold []Gold, items []knowledge.Item) scored {
	var s scored
	if len(gold) == 0 {
		return s
	}
	matched := make([]bool, len(gold))
	var dcg float64
	found5 := 0
	for i := 0; i < len(items) && i < DefaultK; i++ {
		rel := false
		for g := range gold {
			if !matched[g] && gold[g].Match(&items[i]) {
				matched[g] = true
				rel = true
				s.found++
			}
		}
		if !rel {
			continue
		}
		rank := i + 1
		if s.rank == 0 {
			s.rank = rank
		}
		if rank <= 5 {
			found5 = s.found
		}
		dcg += 1 / math.Log2(float64(rank)+1)
	}
	var idcg float64
	for i := 1; i <= min(len(gold), DefaultK); i++ {
		idcg += 1 / math.Log2(float64(i)+1)
	}
	if s.rank > 0 {
		s.MRR10 = 1 / float64(s.rank)
		s.Hit10 = 1
		s.Hit5 = b2f(s.rank <= 5)
		s.Hit1 = b2f(s.rank == 1)
	}
	s.Recall5 = float64(found5) / float64(len(gold))
	s.Recall10 = float64(s.found) / float64(len(gold))
	s.NDCG10 = dcg / idcg
	return s
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

func (m *Metrics) add(o Metrics) {
	m.Hit1 += o.Hit1
	m.Hit5 += o.Hit5
	m.Hit10 += o.Hit10
	m.Recall5 += o.Recall5
	m.Recall10 += o.Recall10
	m.MRR10 += o.MRR10
	m.NDCG10 += o.NDCG10
}

func (m Metrics) scale(f float64) Metrics {
	return Metrics{m.Hit1 * f, m.Hit5 * f, m.Hit10 * f, m.Recall5 * f, m.Recall10 * f, m.MRR10 * f, m.NDCG10 * f}
}

// latency returns nearest-rank percentiles of ds in milliseconds.
func latency(ds []time.Duration) Latency {
	if len(ds) == 0 {
		return Latency{}
	}
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	pct := func(p float64) float64 {
		i := int(math.Ceil(p*float64(len(s)))) - 1
		i = max(0, min(i, len(s)-1))
		return float64(s[i].Microseconds()) / 1000
	}
	return Latency{P50: pct(0.50), P90: pct(0.90), P95: pct(0.95), P99: pct(0.99)}
}

// WriteText writes the report as an aligned table, one row per system, with
// the change of Hit@5 and MRR@10 against the first system.
func (r *Report) WriteText(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "system\thit@1\thit@5\thit@10\trecall@5\trecall@10\tmrr@10\tndcg@10\tΔhit@5\tΔmrr@10\tp50 ms\tp95 ms\tp99 ms\terrors\t\n")
	for i, s := range r.Systems {
		m := s.Metrics
		dh, dm := "—", "—"
		if i > 0 {
			base := r.Systems[0].Metrics
			dh, dm = fmt.Sprintf("%+.3f", m.Hit5-base.Hit5), fmt.Sprintf("%+.3f", m.MRR10-base.MRR10)
		}
		fmt.Fprintf(tw, "%s\t%.3f\t%.3f\t%.3f\t%.3f\t%.3f\t%.3f\t%.3f\t%s\t%s\t%.1f\t%.1f\t%.1f\t%d\t\n",
			s.Name, m.Hit1, m.Hit5, m.Hit10, m.Recall5, m.Recall10, m.MRR10, m.NDCG10, dh, dm,
			s.Latency.P50, s.Latency.P95, s.Latency.P99, s.Errors)
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("eval: write report: %w", err)
	}
	_, err := fmt.Fprintf(w, "%d questions; metrics over the top %d items; first row is the baseline.\n", r.Questions, r.K)
	return err
}

// String is the text table.
func (r *Report) String() string {
	var b strings.Builder
	_ = r.WriteText(&b)
	return b.String()
}

// WriteJSON writes the report as indented JSON.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(r); err != nil {
		return fmt.Errorf("eval: write report: %w", err)
	}
	return nil
}
