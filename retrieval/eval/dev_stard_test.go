//go:build devbench

package eval

import (
	"bufio"
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/lorehq/lore/knowledge"
	"github.com/lorehq/lore/retrieval"
	"github.com/lorehq/lore/retrieval/embed"
	"github.com/lorehq/lore/retrieval/segment"
	"github.com/lorehq/lore/retrieval/understand"
)

var devArticle = regexp.MustCompile(`^(第[零〇一二两三四五六七八九十百千]+条(?:之[一二三四五六七八九十]+)?)\s*(.*)$`)

func devParseLaws(t *testing.T, root string) []knowledge.Item {
	var items []knowledge.Item
	filepath.Walk(root, func(path string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() || !strings.HasSuffix(path, ".md") {
			return nil
		}
		f, _ := os.Open(path)
		defer f.Close()
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		title := ""
		info2 := false
		var heads []string
		var cur *knowledge.Item
		flush := func() {
			if cur != nil {
				items = append(items, *cur)
				cur = nil
			}
		}
		for sc.Scan() {
			line := strings.TrimSpace(sc.Text())
			if line == "" {
				continue
			}
			if title == "" && strings.HasPrefix(line, "# ") {
				title = strings.TrimSpace(line[2:])
				continue
			}
			if !info2 {
				if strings.Contains(line, "INFO END") {
					info2 = true
				}
				continue
			}
			if strings.HasPrefix(line, "#") {
				flush()
				lvl := len(line) - len(strings.TrimLeft(line, "#"))
				h := strings.TrimSpace(strings.TrimLeft(line, "#"))
				if lvl-2 < len(heads) && lvl >= 2 {
					heads = heads[:max(lvl-2, 0)]
				}
				heads = append(heads, h)
				continue
			}
			if m := devArticle.FindStringSubmatch(line); m != nil {
				flush()
				hp := append([]string(nil), heads...)
				cur = &knowledge.Item{Kind: knowledge.KindRule, Space: "bench", Title: m[1], Body: m[2], Status: knowledge.StatusApproved,
					Rule:       &knowledge.Rule{DocTitle: title, Article: m[1], HeadingPath: hp},
					Provenance: []knowledge.Provenance{{Source: path, Article: m[1], HeadingPath: hp}}}
				cur.ID = knowledge.NewID("bench", knowledge.KindRule, title, m[1])
				continue
			}
			if cur != nil {
				cur.Body += "\n" + line
			}
		}
		flush()
		return nil
	})
	return items
}

// memIndex is a brute-force index with the store's semantics.
type memIndex struct {
	recs []knowledge.Record
	df   map[uint32]int
	post map[uint32][]int
}

func newMemIndex(recs []knowledge.Record) *memIndex {
	m := &memIndex{recs: recs, df: map[uint32]int{}, post: map[uint32][]int{}}
	for i, r := range recs {
		for _, idx := range r.Vectors.Sparse.Indices {
			m.df[idx]++
			m.post[idx] = append(m.post[idx], i)
		}
	}
	return m
}

func (m *memIndex) Search(_ context.Context, q knowledge.Query) ([]knowledge.Hit, error) {
	limit, cands := q.Limit, q.Candidates
	if limit <= 0 {
		limit = 10
	}
	if cands <= 0 {
		cands = max(4*limit, 50)
	}
	n := float64(len(m.recs))
	sp := map[int]float64{}
	for a, idx := range q.Vectors.Sparse.Indices {
		d := float64(m.df[idx])
		if d == 0 {
			continue
		}
		idf := math.Log(1 + (n-d+0.5)/(d+0.5))
		for _, i := range m.post[idx] {
			r := &m.recs[i]
			if !q.Filter.Match(&r.Item) {
				continue
			}
			j := sort.Search(len(r.Vectors.Sparse.Indices), func(k int) bool { return r.Vectors.Sparse.Indices[k] >= idx })
			sp[i] += float64(q.Vectors.Sparse.Values[a]) * float64(r.Vectors.Sparse.Values[j]) * idf
		}
	}
	type sc struct {
		i int
		s float64
	}
	hits := map[int]*knowledge.Hit{}
	rank := func(list []sc, set func(h *knowledge.Hit, r int, s float64)) {
		sort.Slice(list, func(a, b int) bool {
			if list[a].s != list[b].s {
				return list[a].s > list[b].s
			}
			return m.recs[list[a].i].Item.ID < m.recs[list[b].i].Item.ID
		})
		for r, x := range list[:min(len(list), cands)] {
			h := hits[x.i]
			if h == nil {
				h = &knowledge.Hit{Item: m.recs[x.i].Item}
				hits[x.i] = h
			}
			h.Score += 1 / float64(knowledge.RRFK+r+1)
			set(h, r+1, x.s)
		}
	}
	var sl []sc
	for i, s := range sp {
		if s > 0 {
			sl = append(sl, sc{i, s})
		}
	}
	rank(sl, func(h *knowledge.Hit, r int, s float64) { h.SparseRank, h.SparseScore = r, s })
	if len(q.Vectors.Dense) > 0 {
		var dl []sc
		for i := range m.recs {
			r := &m.recs[i]
			if !q.Filter.Match(&r.Item) {
				continue
			}
			var d float64
			for k, v := range q.Vectors.Dense {
				d += float64(v) * float64(r.Vectors.Dense[k])
			}
			dl = append(dl, sc{i, d})
		}
		rank(dl, func(h *knowledge.Hit, r int, s float64) { h.DenseRank, h.DenseScore = r, s })
	}
	out := make([]knowledge.Hit, 0, len(hits))
	for _, h := range hits {
		out = append(out, *h)
	}
	sort.Slice(out, func(a, b int) bool {
		if out[a].Score != out[b].Score {
			return out[a].Score > out[b].Score
		}
		return out[a].Item.ID < out[b].Item.ID
	})
	return out[:min(len(out), limit)], nil
}

var devOnce sync.Once
var devSeg *segment.Segmenter

func TestDevSTARD(t *testing.T) {
	bench := filepath.Join("..", "..", "..", "shared", "bench")
	devOnce.Do(func() { devSeg, _ = segment.New() })
	items := devParseLaws(t, filepath.Join(bench, "laws"))
	t.Logf("%d articles", len(items))
	emb := embed.NewOffline(devSeg, 256)
	ctx := context.Background()
	vecs, _ := emb.EmbedItems(ctx, items)
	recs := make([]knowledge.Record, len(items))
	for i := range items {
		recs[i] = knowledge.Record{Item: items[i], Vectors: vecs[i]}
	}
	idx := newMemIndex(recs)
	qs, err := LoadQuestions(filepath.Join(bench, "stard-laws-dev.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	f := knowledge.Filter{Kinds: []knowledge.Kind{knowledge.KindRule}}
	u := understand.New(devSeg, understand.DefaultSynonyms())
	dense512 := embed.NewOffline(devSeg, 512)
	v512, _ := dense512.EmbedItems(ctx, items)
	recs512 := make([]knowledge.Record, len(items))
	for i := range items {
		recs512[i] = knowledge.Record{Item: items[i], Vectors: v512[i]}
	}
	idx512 := newMemIndex(recs512)
	sp := retrieval.New(idx, sparseOnly{emb}, retrieval.Options{MMRLambda: 1})
	spu := retrieval.New(idx, sparseOnly{emb}, retrieval.Options{MMRLambda: 1, Understander: u})
	systems := []System{NewBM25Items(items), NewSearchSystem("lore-sparse", sp, f),
		NewSearchSystem("lore-sparse+exp", spu, f),
		xform{"sparse-fill-sub", NewSearchSystem("", sp, f), fillSub},
		xform{"sparse-fill-word", NewSearchSystem("", sp, f), fillWord},
		xform{"sparse-fill-word-join", NewSearchSystem("", sp, f), fillWordJoin},
		xform{"sparse-fill-sub+exp", NewSearchSystem("", spu, f), fillSub},
	}
	_, _ = idx512, fmt.Sprint()
	rep, err := Run(ctx, qs, systems, Options{Details: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Log("\n" + rep.String())
	if p := os.Getenv("DEV_JSON"); p != "" {
		fh, _ := os.Create(p)
		rep.WriteJSON(fh)
		fh.Close()
	}
}

type sparseOnly struct{ e *embed.Offline }

func (s sparseOnly) EmbedQuery(ctx context.Context, q string) (knowledge.Vectors, error) {
	v, err := s.e.EmbedQuery(ctx, q)
	v.Dense = nil
	return v, err
}

type denseOnly struct{ e *embed.Offline }

func (s denseOnly) EmbedQuery(ctx context.Context, q string) (knowledge.Vectors, error) {
	v, err := s.e.EmbedQuery(ctx, q)
	v.Sparse = knowledge.Sparse{}
	return v, err
}

var fillers = strings.Fields("请问 我想问 想问一下 问一下 想知道 我想 怎么办 怎么处理 该怎么 怎么样 怎么 如何 什么 为什么 是否 能否 可否 吗 呢 吧 啊 呀 是不是 能不能 可不可以 有没有 会不会 要不要 应不应该 该不该 还能 还可以 可以 能够 应该 需要 我们 我 你 他们 他 她 对方 自己 现在 已经 之前 以前 后来 当时 时候 然后 但是 可是 因为 所以 如果 这样 那么 这种 那种 这个 那个 一个 一些 还是 就是 的话 一下 觉得 情况 问题 谁 哪 多少")

var fillerSet = func() map[string]bool {
	m := map[string]bool{}
	for _, f := range fillers {
		m[f] = true
	}
	return m
}()

func fillSub(q string) string {
	q = devSeg.Normalize(q)
	for _, f := range fillers {
		q = strings.ReplaceAll(q, f, " ")
	}
	return q
}

func fillWord(q string) string {
	var out []string
	for _, w := range devSeg.Words(q) {
		if !fillerSet[w] {
			out = append(out, w)
		}
	}
	return strings.Join(out, " ")
}

func fillWordJoin(q string) string {
	var out []string
	for _, w := range devSeg.Words(q) {
		if !fillerSet[w] {
			out = append(out, w)
		}
	}
	return strings.Join(out, "")
}

type xform struct {
	name string
	s    System
	f    func(string) string
}

func (x xform) Name() string { return x.name }
func (x xform) Search(ctx context.Context, q string, limit int) ([]knowledge.Item, error) {
	return x.s.Search(ctx, x.f(q), limit)
}

func TestDevDepth(t *testing.T) {
	bench := filepath.Join("..", "..", "..", "shared", "bench")
	devOnce.Do(func() { devSeg, _ = segment.New() })
	items := devParseLaws(t, filepath.Join(bench, "laws"))
	emb := embed.NewOffline(devSeg, 256)
	ctx := context.Background()
	vecs, _ := emb.EmbedItems(ctx, items)
	recs := make([]knowledge.Record, len(items))
	for i := range items {
		recs[i] = knowledge.Record{Item: items[i], Vectors: vecs[i]}
	}
	idx := newMemIndex(recs)
	qs, _ := LoadQuestions(filepath.Join(bench, "stard-laws-dev.jsonl"))
	f := knowledge.Filter{Kinds: []knowledge.Kind{knowledge.KindRule}}
	u := understand.New(devSeg, understand.DefaultSynonyms())
	for _, v := range []struct {
		name string
		s    *retrieval.Searcher
	}{{"sparse", retrieval.New(idx, sparseOnly{emb}, retrieval.Options{MMRLambda: 1})}, {"sparse+exp", retrieval.New(idx, sparseOnly{emb}, retrieval.Options{MMRLambda: 1, Understander: u})}, {"hybrid+exp", retrieval.New(idx, emb, retrieval.Options{MMRLambda: 1, Understander: u})}} {
		buckets := map[string]int{}
		sameLaw := 0
		for _, q := range qs {
			hits, _ := v.s.Search(ctx, retrieval.Request{Text: q.Text, Filter: f, Limit: 100})
			r := 0
			for i, h := range hits {
				for _, g := range q.Gold {
					if g.Match(&h.Item) && r == 0 {
						r = i + 1
					}
				}
			}
			switch {
			case r == 0:
				buckets["none"]++
			case r <= 1:
				buckets["1"]++
			case r <= 5:
				buckets["2-5"]++
			case r <= 10:
				buckets["6-10"]++
			case r <= 30:
				buckets["11-30"]++
			default:
				buckets["31-100"]++
			}
			if len(hits) > 0 && hits[0].Item.Rule.DocTitle == q.Gold[0].Law {
				sameLaw++
			}
		}
		t.Logf("%s %v top1 same law %d/%d", v.name, buckets, sameLaw, len(qs))
	}
}

func TestDevRerank(t *testing.T) {
	bench := filepath.Join("..", "..", "..", "shared", "bench")
	devOnce.Do(func() { devSeg, _ = segment.New() })
	items := devParseLaws(t, filepath.Join(bench, "laws"))
	emb := embed.NewOffline(devSeg, 256)
	ctx := context.Background()
	vecs, _ := emb.EmbedItems(ctx, items)
	recs := make([]knowledge.Record, len(items))
	pos := map[string]int{}
	for i := range items {
		recs[i] = knowledge.Record{Item: items[i], Vectors: vecs[i]}
		pos[items[i].ID] = i
	}
	idx := newMemIndex(recs)
	qs, _ := LoadQuestions(filepath.Join(bench, "stard-laws-dev.jsonl"))
	f := knowledge.Filter{Kinds: []knowledge.Kind{knowledge.KindRule}}
	u := understand.New(devSeg, understand.DefaultSynonyms())
	s := retrieval.New(idx, sparseOnly{emb}, retrieval.Options{MMRLambda: 1, Understander: u})
	pools := make([][]knowledge.Hit, len(qs))
	for i, q := range qs {
		pools[i], _ = s.Search(ctx, retrieval.Request{Text: q.Text, Filter: f, Limit: 100})
	}
	type rr func(pool []knowledge.Hit) []knowledge.Hit
	eval := func(name string, fn rr) {
		var sum Metrics
		for i, q := range qs {
			p := fn(append([]knowledge.Hit(nil), pools[i]...))
			its := make([]knowledge.Item, 0, 10)
			for _, h := range p[:min(10, len(p))] {
				its = append(its, h.Item)
			}
			sum.add(score(q.Gold, its).Metrics)
		}
		m := sum.scale(1 / float64(len(qs)))
		t.Logf("%-30s h1 %.3f h5 %.3f h10 %.3f mrr %.3f", name, m.Hit1, m.Hit5, m.Hit10, m.MRR10)
	}
	eval("identity", func(p []knowledge.Hit) []knowledge.Hit { return p })
	base := func(h knowledge.Hit) float64 { return h.SparseScore }
	for _, depth := range []int{20, 50} {
		for _, a := range []float64{0.1, 0.2, 0.3, 0.5} {
			eval(fmt.Sprintf("chapter d%d a%.1f", depth, a), func(p []knowledge.Hit) []knowledge.Hit {
				if len(p) == 0 {
					return p
				}
				top := base(p[0])
				g := map[string]float64{}
				key := func(h knowledge.Hit) string {
					return h.Item.Rule.DocTitle + strings.Join(h.Item.Rule.HeadingPath, "/")
				}
				for _, h := range p[:min(depth, len(p))] {
					g[key(h)] += base(h) / top
				}
				for i := range p {
					self := base(p[i]) / top
					other := g[key(p[i])]
					if i < depth {
						other -= self
					}
					p[i].Score = self + a*other
				}
				sort.SliceStable(p, func(i, j int) bool { return p[i].Score > p[j].Score })
				return p
			})
			eval(fmt.Sprintf("neighbor d%d a%.1f", depth, a), func(p []knowledge.Hit) []knowledge.Hit {
				if len(p) == 0 {
					return p
				}
				top := base(p[0])
				sc := map[int]float64{}
				for _, h := range p[:min(depth, len(p))] {
					sc[pos[h.Item.ID]] = base(h) / top
				}
				for i := range p {
					k := pos[p[i].Item.ID]
					nb := 0.0
					for _, d := range []int{-2, -1, 1, 2} {
						if j := k + d; j >= 0 && j < len(items) && items[j].Rule.DocTitle == p[i].Item.Rule.DocTitle {
							nb += sc[j] / math.Abs(float64(d))
						}
					}
					p[i].Score = base(p[i])/top + a*nb
				}
				sort.SliceStable(p, func(i, j int) bool { return p[i].Score > p[j].Score })
				return p
			})
		}
	}
}

type scaledU struct {
	u     *understand.Understander
	scale float64
	max   int
}

func (s scaledU) Understand(q string) understand.Understanding {
	x := s.u.Understand(q)
	for i := range x.Expansions {
		x.Expansions[i].Weight *= s.scale
	}
	if s.max > 0 && len(x.Expansions) > s.max {
		x.Expansions = x.Expansions[:s.max]
	}
	return x
}

func TestDevExp(t *testing.T) {
	bench := filepath.Join("..", "..", "..", "shared", "bench")
	devOnce.Do(func() { devSeg, _ = segment.New() })
	items := devParseLaws(t, filepath.Join(bench, "laws"))
	emb := embed.NewOffline(devSeg, 256)
	ctx := context.Background()
	vecs, _ := emb.EmbedItems(ctx, items)
	recs := make([]knowledge.Record, len(items))
	for i := range items {
		recs[i] = knowledge.Record{Item: items[i], Vectors: vecs[i]}
	}
	idx := newMemIndex(recs)
	qs, _ := LoadQuestions(filepath.Join(bench, "stard-laws-dev.jsonl"))
	f := knowledge.Filter{Kinds: []knowledge.Kind{knowledge.KindRule}}
	u := understand.New(devSeg, understand.DefaultSynonyms())
	var systems []System
	for _, fw := range []float64{0, 0.03, 0.06, 0.1, 0.15} {
		for _, fd := range []int{1, 2, 3, 5} {
			systems = append(systems, NewSearchSystem(fmt.Sprintf("prf%d w%.2f", fd, fw), retrieval.New(idx, sparseOnly{emb}, retrieval.Options{MMRLambda: 1, Understander: scaledU{u, 0.5, 12}}), f))
		}
	}
	rep, _ := Run(ctx, qs, systems, Options{})
	t.Log("\n" + rep.String())
}

func TestDevShow(t *testing.T) {
	bench := filepath.Join("..", "..", "..", "shared", "bench")
	devOnce.Do(func() { devSeg, _ = segment.New() })
	items := devParseLaws(t, filepath.Join(bench, "laws"))
	emb := embed.NewOffline(devSeg, 256)
	ctx := context.Background()
	vecs, _ := emb.EmbedItems(ctx, items)
	recs := make([]knowledge.Record, len(items))
	byKey := map[string]knowledge.Item{}
	for i := range items {
		recs[i] = knowledge.Record{Item: items[i], Vectors: vecs[i]}
		byKey[items[i].Rule.DocTitle+items[i].Rule.Article] = items[i]
	}
	idx := newMemIndex(recs)
	qs, _ := LoadQuestions(filepath.Join(bench, "stard-laws-dev.jsonl"))
	f := knowledge.Filter{Kinds: []knowledge.Kind{knowledge.KindRule}}
	u := understand.New(devSeg, understand.DefaultSynonyms())
	s := retrieval.New(idx, sparseOnly{emb}, retrieval.Options{MMRLambda: 1, Understander: scaledU{u, 0.5, 12}})
	shown := 0
	for qi, q := range qs {
		if qi%7 != 3 {
			continue
		}
		hits, _ := s.Search(ctx, retrieval.Request{Text: q.Text, Filter: f, Limit: 30})
		r := 0
		for i, h := range hits {
			for _, g := range q.Gold {
				if g.Match(&h.Item) && r == 0 {
					r = i + 1
				}
			}
		}
		if r >= 2 && r <= 30 && shown < 6 {
			shown++
			g := byKey[q.Gold[0].Law+q.Gold[0].Article]
			t.Logf("Q: %s\n  exp: %v\n  GOLD r=%d: %s %s\n  TOP1: %s %s", q.Text, u.Understand(q.Text).Expansions, r, g.Rule.Article, g.Body, hits[0].Item.Rule.Article, hits[0].Item.Body)
		}
	}
}

var defRE = regexp.MustCompile(`^(?:本(?:法|条例|办法|规定|解释)所称(?:的)?)?([\p{Han}]{2,12}?)(?:，)?是(?:指)?`)
var headNum = regexp.MustCompile(`^第[零〇一二两三四五六七八九十百千]+[编分章节]\s*`)

func definedTerm(body string) string {
	m := defRE.FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return m[1]
}

func TestDevField(t *testing.T) {
	bench := filepath.Join("..", "..", "..", "shared", "bench")
	devOnce.Do(func() { devSeg, _ = segment.New() })
	items := devParseLaws(t, filepath.Join(bench, "laws"))
	emb := embed.NewOffline(devSeg, 256)
	ctx := context.Background()
	vecs, _ := emb.EmbedItems(ctx, items)
	recs := make([]knowledge.Record, len(items))
	nd := 0
	for i := range items {
		recs[i] = knowledge.Record{Item: items[i], Vectors: vecs[i]}
		if definedTerm(items[i].Body) != "" {
			nd++
		}
	}
	t.Logf("%d definitional", nd)
	idx := newMemIndex(recs)
	qs, _ := LoadQuestions(filepath.Join(bench, "stard-laws-dev.jsonl"))
	f := knowledge.Filter{Kinds: []knowledge.Kind{knowledge.KindRule}}
	u := understand.New(devSeg, understand.DefaultSynonyms())
	s := retrieval.New(idx, sparseOnly{emb}, retrieval.Options{MMRLambda: 1, Understander: scaledU{u, 0.5, 12}})
	pools := make([][]knowledge.Hit, len(qs))
	norms := make([]string, len(qs))
	for i, q := range qs {
		pools[i], _ = s.Search(ctx, retrieval.Request{Text: q.Text, Filter: f, Limit: 100})
		norms[i] = devSeg.Normalize(q.Text)
	}
	evalr := func(name string, fn func(qn string, p []knowledge.Hit) []knowledge.Hit) {
		var sum Metrics
		for i, q := range qs {
			p := fn(norms[i], append([]knowledge.Hit(nil), pools[i]...))
			its := make([]knowledge.Item, 0, 10)
			for _, h := range p[:min(10, len(p))] {
				its = append(its, h.Item)
			}
			sum.add(score(q.Gold, its).Metrics)
		}
		m := sum.scale(1 / float64(len(qs)))
		t.Logf("%-30s h1 %.3f h5 %.3f h10 %.3f mrr %.3f", name, m.Hit1, m.Hit5, m.Hit10, m.MRR10)
	}
	evalr("identity", func(_ string, p []knowledge.Hit) []knowledge.Hit { return p })
	for _, bd := range []float64{0, 0.1, 0.2, 0.4} {
		for _, bh := range []float64{0, 0.05, 0.1, 0.2} {
			evalr(fmt.Sprintf("def %.2f head %.2f", bd, bh), func(qn string, p []knowledge.Hit) []knowledge.Hit {
				for i := range p {
					it := &p[i].Item
					mult := 1.0
					if d := definedTerm(it.Body); d != "" && strings.Contains(qn, d) {
						mult += bd
					}
					for _, h := range it.Rule.HeadingPath {
						topic := headNum.ReplaceAllString(h, "")
						topic = strings.TrimSpace(topic)
						if len([]rune(topic)) >= 2 && strings.Contains(qn, topic) {
							mult += bh
						}
					}
					p[i].Score *= mult
				}
				sort.SliceStable(p, func(i, j int) bool { return p[i].Score > p[j].Score })
				return p
			})
		}
	}
}

func longWords(q string) string {
	var out []string
	for _, w := range devSeg.Words(q) {
		if len([]rune(w)) >= 2 && !fillerSet[w] {
			out = append(out, w)
		}
	}
	return strings.Join(out, " ")
}

func TestDevDense(t *testing.T) {
	bench := filepath.Join("..", "..", "..", "shared", "bench")
	devOnce.Do(func() { devSeg, _ = segment.New() })
	items := devParseLaws(t, filepath.Join(bench, "laws"))
	ctx := context.Background()
	qs, _ := LoadQuestions(filepath.Join(bench, "stard-laws-dev.jsonl"))
	f := knowledge.Filter{Kinds: []knowledge.Kind{knowledge.KindRule}}
	var systems []System
	u := understand.New(devSeg, understand.DefaultSynonyms())
	for _, dim := range []int{1024, 2048} {
		emb := embed.NewOffline(devSeg, dim)
		vecs, _ := emb.EmbedItems(ctx, items)
		recs := make([]knowledge.Record, len(items))
		for i := range items {
			recs[i] = knowledge.Record{Item: items[i], Vectors: vecs[i]}
		}
		idx := newMemIndex(recs)
		d := retrieval.New(idx, denseOnly{emb}, retrieval.Options{MMRLambda: 1})
		systems = append(systems, NewSearchSystem(fmt.Sprintf("dense%d", dim), d, f))
		for _, dw := range []float64{0.3, 0.5, 0.7, 1} {
			systems = append(systems, NewSearchSystem(fmt.Sprintf("hyb%d-dw%.1f", dim, dw), retrieval.New(idx, emb, retrieval.Options{MMRLambda: 1, DenseWeight: dw}), f))
			systems = append(systems, NewSearchSystem(fmt.Sprintf("hyb%d-dw%.1f+exp", dim, dw), retrieval.New(idx, emb, retrieval.Options{MMRLambda: 1, DenseWeight: dw, Understander: scaledU{u, 0.5, 12}}), f))
		}
	}
	rep, _ := Run(ctx, qs, systems, Options{})
	t.Log("\n" + rep.String())
}

type rrfSys struct {
	name string
	a, b System
	wb   float64
}

func (r rrfSys) Name() string { return r.name }
func (r rrfSys) Search(ctx context.Context, q string, limit int) ([]knowledge.Item, error) {
	x, _ := r.a.Search(ctx, q, 100)
	y, _ := r.b.Search(ctx, q, 100)
	sc := map[string]float64{}
	byID := map[string]knowledge.Item{}
	for i, it := range x {
		sc[it.ID] += 1 / float64(60+i+1)
		byID[it.ID] = it
	}
	for i, it := range y {
		sc[it.ID] += r.wb / float64(60+i+1)
		byID[it.ID] = it
	}
	var ids []string
	for id := range sc {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool {
		if sc[ids[i]] != sc[ids[j]] {
			return sc[ids[i]] > sc[ids[j]]
		}
		return ids[i] < ids[j]
	})
	var out []knowledge.Item
	for _, id := range ids[:min(limit, len(ids))] {
		out = append(out, byID[id])
	}
	return out, nil
}

func TestDevEnsemble(t *testing.T) {
	bench := filepath.Join("..", "..", "..", "shared", "bench")
	devOnce.Do(func() { devSeg, _ = segment.New() })
	items := devParseLaws(t, filepath.Join(bench, "laws"))
	ctx := context.Background()
	qs, _ := LoadQuestions(filepath.Join(bench, "stard-laws-dev.jsonl"))
	f := knowledge.Filter{Kinds: []knowledge.Kind{knowledge.KindRule}}
	u := understand.New(devSeg, understand.DefaultSynonyms())
	emb := embed.NewOffline(devSeg, 256)
	vecs, _ := emb.EmbedItems(ctx, items)
	recs := make([]knowledge.Record, len(items))
	for i := range items {
		recs[i] = knowledge.Record{Item: items[i], Vectors: vecs[i]}
	}
	idx := newMemIndex(recs)
	sp := NewSearchSystem("sp+exp", retrieval.New(idx, sparseOnly{emb}, retrieval.Options{MMRLambda: 1, Understander: scaledU{u, 0.5, 12}}), f)
	bm := NewBM25Items(items)
	systems := []System{bm, sp}
	for _, w := range []float64{0.5, 1} {
		systems = append(systems, rrfSys{fmt.Sprintf("sp+bm w%.1f", w), sp, bm, w})
	}
	rep, _ := Run(ctx, qs, systems, Options{})
	t.Log("\n" + rep.String())
}

func TestDevWords(t *testing.T) {
	bench := filepath.Join("..", "..", "..", "shared", "bench")
	seg2, _ := segment.New()
	if os.Getenv("ADDWORDS") != "" {
		if err := seg2.AddWords(understand.DefaultSynonyms().Terms()...); err != nil {
			t.Fatal(err)
		}
	}
	devOnce.Do(func() { devSeg = seg2 })
	items := devParseLaws(t, filepath.Join(bench, "laws"))
	emb := embed.NewOffline(seg2, dimEnv())
	ctx := context.Background()
	vecs, _ := emb.EmbedItems(ctx, items)
	recs := make([]knowledge.Record, len(items))
	for i := range items {
		recs[i] = knowledge.Record{Item: items[i], Vectors: vecs[i]}
	}
	idx := newMemIndex(recs)
	qs, _ := LoadQuestions(filepath.Join(bench, "stard-laws-dev.jsonl"))
	f := knowledge.Filter{Kinds: []knowledge.Kind{knowledge.KindRule}}
	u := understand.New(seg2, understand.DefaultSynonyms())
	systems := []System{
		NewSearchSystem("sparse", retrieval.New(idx, emb, retrieval.Options{MMRLambda: 1, DenseWeight: -1}), f),
		NewSearchSystem("sparse+exp", retrieval.New(idx, emb, retrieval.Options{MMRLambda: 1, DenseWeight: -1, Understander: u}), f),
		NewSearchSystem("default", retrieval.New(idx, emb, retrieval.Options{Understander: u}), f),
		NewSearchSystem("default-nommr", retrieval.New(idx, emb, retrieval.Options{Understander: u, MMRLambda: 1}), f),
		NewSearchSystem("default-mmr0.85", retrieval.New(idx, emb, retrieval.Options{Understander: u, MMRLambda: 0.85}), f),
		NewSearchSystem("sparse-mmr0.7", retrieval.New(idx, emb, retrieval.Options{Understander: u, DenseWeight: -1}), f),
	}
	for _, dw := range []float64{0.02, 0.05, 0.1} {
		systems = append(systems, NewSearchSystem(fmt.Sprintf("dw%.2f", dw), retrieval.New(idx, emb, retrieval.Options{Understander: u, DenseWeight: dw}), f))
	}
	rep, _ := Run(ctx, qs, systems, Options{})
	t.Log("\n" + rep.String())
}

func dimEnv() int {
	if os.Getenv("DIM") == "256" {
		return 256
	}
	return 512
}

func TestDevCoord(t *testing.T) {
	bench := filepath.Join("..", "..", "..", "shared", "bench")
	devOnce.Do(func() { devSeg, _ = segment.New() })
	items := devParseLaws(t, filepath.Join(bench, "laws"))
	emb := embed.NewOffline(devSeg, 256)
	ctx := context.Background()
	vecs, _ := emb.EmbedItems(ctx, items)
	recs := make([]knowledge.Record, len(items))
	df := map[string]int{}
	for i := range items {
		recs[i] = knowledge.Record{Item: items[i], Vectors: vecs[i]}
		seen := map[string]bool{}
		for _, w := range devSeg.Words(items[i].Body) {
			if !seen[w] {
				seen[w] = true
				df[w]++
			}
		}
	}
	idx := newMemIndex(recs)
	qs, _ := LoadQuestions(filepath.Join(bench, "stard-laws-dev.jsonl"))
	f := knowledge.Filter{Kinds: []knowledge.Kind{knowledge.KindRule}}
	u := understand.New(devSeg, understand.DefaultSynonyms())
	s := retrieval.New(idx, emb, retrieval.Options{MMRLambda: 1, DenseWeight: -1, Understander: u})
	pools := make([][]knowledge.Hit, len(qs))
	qws := make([][]string, len(qs))
	for i, q := range qs {
		pools[i], _ = s.Search(ctx, retrieval.Request{Text: q.Text, Filter: f, Limit: 50})
		seen := map[string]bool{}
		for _, w := range devSeg.Words(q.Text) {
			if len([]rune(w)) >= 2 && !fillerSet[w] && df[w] > 0 && !seen[w] {
				seen[w] = true
				qws[i] = append(qws[i], w)
			}
		}
	}
	n := float64(len(items))
	evalr := func(name string, fn func(qi int, p []knowledge.Hit) []knowledge.Hit) {
		var sum Metrics
		for i, q := range qs {
			p := fn(i, append([]knowledge.Hit(nil), pools[i]...))
			its := make([]knowledge.Item, 0, 10)
			for _, h := range p[:min(10, len(p))] {
				its = append(its, h.Item)
			}
			sum.add(score(q.Gold, its).Metrics)
		}
		m := sum.scale(1 / float64(len(qs)))
		t.Logf("%-30s h1 %.3f h5 %.3f h10 %.3f mrr %.3f", name, m.Hit1, m.Hit5, m.Hit10, m.MRR10)
	}
	evalr("identity", func(_ int, p []knowledge.Hit) []knowledge.Hit { return p })
	for _, g := range []float64{0.25, 0.5, 1, 2} {
		for _, useScore := range []bool{true, false} {
			evalr(fmt.Sprintf("coord g%.2f score=%v", g, useScore), func(qi int, p []knowledge.Hit) []knowledge.Hit {
				var tot float64
				for _, w := range qws[qi] {
					tot += math.Log(1 + n/float64(df[w]))
				}
				if tot == 0 {
					return p
				}
				for i := range p {
					body := devSeg.Normalize(p[i].Item.Body)
					var c float64
					for _, w := range qws[qi] {
						if strings.Contains(body, w) {
							c += math.Log(1 + n/float64(df[w]))
						}
					}
					base := p[i].Score
					if useScore {
						base = p[i].SparseScore
					}
					p[i].Score = base * math.Pow(0.1+c/tot, g)
				}
				sort.SliceStable(p, func(i, j int) bool { return p[i].Score > p[j].Score })
				return p
			})
		}
	}
}

func TestDevCoverage(t *testing.T) {
	bench := filepath.Join("..", "..", "..", "shared", "bench")
	devOnce.Do(func() { devSeg, _ = segment.New() })
	qs, _ := LoadQuestions(filepath.Join(bench, "stard-laws-dev.jsonl"))
	u := understand.New(devSeg, understand.DefaultSynonyms())
	n, tot := 0, 0
	for _, q := range qs {
		e := u.Understand(q.Text).Expansions
		if len(e) > 0 {
			n++
		}
		tot += len(e)
	}
	t.Logf("%d/%d questions expanded, %.1f expansions on average", n, len(qs), float64(tot)/float64(len(qs)))
}
