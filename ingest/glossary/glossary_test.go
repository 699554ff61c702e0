package glossary

import (
	"context"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/lorehq/lore/knowledge"
)

// synthTexts is the synthetic corpus most tests share.
var synthTexts = synthCorpus(1, 3000)

func termNames(r *Result) []string {
	out := make([]string, len(r.Terms))
	for i, t := range r.Terms {
		out[i] = t.Term
	}
	return out
}

func findTerm(r *Result, w string) (Term, bool) {
	for _, t := range r.Terms {
		if t.Term == w {
			return t, true
		}
	}
	return Term{}, false
}

func TestDiscoverPlanted(t *testing.T) {
	corpus := strings.Join(synthTexts, "\n")
	for _, tc := range []struct {
		name string
		opt  Options
	}{
		{"defaults", Options{}},
		// A table far too small for the corpus forces many prunings.
		{"pruned table", Options{MaxNgrams: 4096}},
		{"max length 4", Options{MaxLen: 4}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := Discover(context.Background(), synthTexts, synthKnown, tc.opt)
			if err != nil {
				t.Fatal(err)
			}
			names := termNames(res)
			top := names[:min(len(names), len(planted)+3)]
			for _, w := range planted {
				if !slices.Contains(top, w) {
					t.Errorf("planted %s not in top %d: %v", w, len(top), top)
				}
				tm, _ := findTerm(res, w)
				// The second pass counts exactly: no planted term is part of a
				// longer selected term.
				if want := strings.Count(corpus, w); tm.Freq != want {
					t.Errorf("%s: Freq %d, want %d", w, tm.Freq, want)
				}
			}
			for _, junk := range []string{"的还款", "款日", "惠享", "心贷", "随心", "结清证", "清证明", "宽限", "限期", "还期", "随心贷的", "展期吗"} {
				if slices.Contains(names, junk) {
					t.Errorf("junk fragment %s among terms: %v", junk, names)
				}
			}
			if tc.opt.MaxNgrams > 0 && res.Stats.Prunes == 0 {
				t.Errorf("table of %d never pruned: %+v", tc.opt.MaxNgrams, res.Stats)
			}
		})
	}
}

func TestDefinitions(t *testing.T) {
	res, err := Discover(context.Background(), synthTexts, synthKnown, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		term, prefix string
		defining     bool
	}{
		{"展期", "展期是指", true},
		{"结清证明", "结清证明指的是", true},
		{"宽限期", "宽限期，即", true},
		{"随心贷", "随心贷是本公司", true},
		{"安心分", "安心分是面向", true},
	} {
		tm, ok := findTerm(res, tc.term)
		if !ok {
			t.Errorf("%s not found", tc.term)
			continue
		}
		def := tm.Definition
		if !strings.HasPrefix(def, tc.prefix) || tm.Defining != tc.defining {
			t.Errorf("%s: definition %q (defining %v), want one starting %q", tc.term, tm.Definition, tm.Defining, tc.prefix)
		}
		if tm.DefinitionLine < 1 || tm.DefinitionLine > len(synthTexts) || !strings.Contains(synthTexts[tm.DefinitionLine-1], strings.TrimSuffix(def, "，")) {
			t.Errorf("%s: definition line %d does not hold %q", tc.term, tm.DefinitionLine, def)
		}
	}
}

func TestSynonyms(t *testing.T) {
	res, err := Discover(context.Background(), synthTexts, synthKnown, Options{})
	if err != nil {
		t.Fatal(err)
	}
	partner := func(w string) (string, float64) {
		for _, p := range res.Synonyms { // most similar first
			switch w {
			case p.A:
				return p.B, p.Similarity
			case p.B:
				return p.A, p.Similarity
			}
		}
		return "", 0
	}
	for _, w := range []string{"宽限期", "容还期"} {
		want := map[string]string{"宽限期": "容还期", "容还期": "宽限期"}[w]
		if got, sim := partner(w); got != want {
			t.Errorf("best synonym candidate of %s is %q (%.2f), want %s; pairs %v", w, got, sim, want, res.Synonyms)
		}
	}
	for _, p := range res.Synonyms {
		if (p.A == "结清证明") != (p.B == "结清证明") && (p.A == "宽限期" || p.B == "宽限期") {
			t.Errorf("unrelated terms paired: %+v", p)
		}
	}
	for _, it := range res.Items() {
		if it.Term.Term == "宽限期" && !slices.Contains(it.Term.Synonyms, "容还期") {
			t.Errorf("item 宽限期 lacks synonym 容还期: %+v", it.Term)
		}
	}
}

func TestStreamingMatchesDiscover(t *testing.T) {
	want, err := Discover(context.Background(), synthTexts[:800], synthKnown, Options{})
	if err != nil {
		t.Fatal(err)
	}
	c := NewCounter(synthKnown, Options{})
	for i, s := range synthTexts[:800] {
		c.Add(Text{Text: s, Line: i + 1})
	}
	sel := c.Select()
	for i, s := range synthTexts[:800] {
		sel.Observe(Text{Text: s, Line: i + 1})
	}
	got := sel.Result()
	if !slices.Equal(termNames(got), termNames(want)) || !slices.Equal(got.Synonyms, want.Synonyms) {
		t.Errorf("streaming gives %v %v, Discover %v %v", termNames(got), got.Synonyms, termNames(want), want.Synonyms)
	}
}

func TestSelectWithoutSecondPass(t *testing.T) {
	c := NewCounter(synthKnown, Options{MaxTerms: 5})
	for _, s := range synthTexts {
		c.Add(Text{Text: s})
	}
	res := c.Select().Result()
	if len(res.Terms) != 5 || res.Synonyms != nil {
		t.Fatalf("got %d terms, %d pairs; want 5 terms, no pairs", len(res.Terms), len(res.Synonyms))
	}
	for _, tm := range res.Terms {
		if !slices.Contains(planted, tm.Term) || tm.Freq < DefaultMinFreq || tm.Definition != "" {
			t.Errorf("first-pass term %+v", tm)
		}
	}
}

func TestCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Discover(ctx, synthTexts, nil, Options{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

func TestJunk(t *testing.T) {
	for _, tc := range []struct {
		w    string
		junk bool
	}{
		{"随心贷", false}, {"结清证明", false}, {"展期", false}, {"等额本息", false}, {"万能险", false},
		{"的还款", true}, {"随心贷的", true}, {"还款了吗", true}, {"您名下", true}, {"依照本", true},
		{"三个月", true}, {"第十", true}, {"个工作日", true}, {"十日", true}, {"两笔", true}, {"三天", true},
	} {
		if got := junk(tc.w); got != tc.junk {
			t.Errorf("junk(%s) = %v, want %v", tc.w, got, tc.junk)
		}
	}
}

func TestDefinitionRank(t *testing.T) {
	for _, tc := range []struct {
		after string
		want  int
	}{
		{"是指借款人在到期前申请延长期限", 3},
		{"，是指客户逾期后计收的利息", 3},
		{"指的是结清后出具的文件", 3},
		{"，即还款日之后的若干天", 3},
		{"即可办理", 0},
		{"指定账户", 0},
		{"是本公司提供的消费贷款", 2},
		{"是什么产品", 0},
		{"在本办法中是指", 1},
		{"可以提前还款", 0},
		{"", 0},
	} {
		if got := definitionRank(tc.after); got != tc.want {
			t.Errorf("definitionRank(%q) = %d, want %d", tc.after, got, tc.want)
		}
	}
}

func TestStripLabel(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"客服：展期是指延长期限", "展期是指延长期限"},
		{"问：随心贷是什么产品？", "随心贷是什么产品？"},
		{"Q: 安心分怎么开通", "安心分怎么开通"},
		{"本办法所称展期，是指：", "本办法所称展期，是指："},
		{"第十九条 申请展期应当提交下列材料：", "第十九条 申请展期应当提交下列材料："},
		{"：", "："},
	} {
		if got := stripLabel(tc.in); got != tc.want {
			t.Errorf("stripLabel(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestEntropyAndPMI(t *testing.T) {
	// Two distinct neighbours seen twice each, out of four occurrences.
	if got := entropy(4, 4, 2*2*math.Log(2)); math.Abs(got-math.Log(2)) > 1e-9 {
		t.Errorf("entropy of two equal neighbours = %v, want ln 2", got)
	}
	// Always the same neighbour.
	if got := entropy(5, 5, 5*math.Log(5)); math.Abs(got) > 1e-9 {
		t.Errorf("entropy of one neighbour = %v, want 0", got)
	}
	// Always at a boundary: every occurrence a new neighbour.
	if got := entropy(8, 0, 0); math.Abs(got-math.Log(8)) > 1e-9 {
		t.Errorf("entropy at boundaries = %v, want ln 8", got)
	}
	c := NewCounter(nil, Options{})
	for range 10 {
		c.Add(Text{Text: "甲乙，丙丁，甲丁"})
	}
	// 甲乙: n=10, 甲=20, 乙=10, T=60: ln(10·60/(20·10)) = ln 3.
	if got := c.weakestPMI("甲乙", 10); math.Abs(got-math.Log(3)) > 1e-9 {
		t.Errorf("weakestPMI(甲乙) = %v, want ln 3", got)
	}
}

func TestObserveLinesAndClip(t *testing.T) {
	c := NewCounter(nil, Options{MinFreq: 2, MinPMI: -1, MinEntropy: -1})
	text := Text{Text: "第一行没有。\n安心分是分期服务的名字。\n再说安心分" + strings.Repeat("很长的句子", 40) + "。", Line: 10}
	c.Add(text)
	s := c.Select()
	s.Observe(text)
	tm, ok := findTerm(s.Result(), "安心分")
	if !ok {
		t.Fatal("安心分 not found")
	}
	if tm.DefinitionLine != 11 || tm.Definition != "安心分是分期服务的名字。" {
		t.Errorf("definition %q at line %d, want line 11", tm.Definition, tm.DefinitionLine)
	}
	if len(tm.Examples) != 2 || tm.Examples[1].Line != 12 || !strings.HasSuffix(tm.Examples[1].Text, "…") ||
		len([]rune(tm.Examples[1].Text)) > maxContext+2 {
		t.Errorf("examples %+v", tm.Examples)
	}
}

// validItems completes items as the pipeline does and checks them.
func validItems(t testing.TB, items []knowledge.Item) {
	t.Helper()
	for i, it := range items {
		it.ID = knowledge.NewID("test", it.Kind, it.Title)
		it.Space, it.Status = "test", knowledge.StatusDraft
		it.Provenance = slices.Clone(it.Provenance)
		for j := range it.Provenance {
			it.Provenance[j].Source = "corpus.txt"
		}
		if err := it.Validate(); err != nil {
			t.Errorf("item %d: %v", i, err)
		}
		if it.Kind != knowledge.KindTerm || it.Term == nil || it.Term.Term == "" || it.Title != it.Term.Term ||
			it.Term.Frequency <= 0 || it.Confidence <= 0 || it.Confidence > 1 || !strings.Contains(it.Body, it.Term.Term) {
			t.Errorf("item %d malformed: %+v %+v", i, it, it.Term)
		}
		for _, s := range it.Term.Synonyms {
			if s == it.Term.Term {
				t.Errorf("item %d lists itself as a synonym", i)
			}
		}
	}
}

func TestItems(t *testing.T) {
	res, err := Discover(context.Background(), synthTexts, synthKnown, Options{})
	if err != nil {
		t.Fatal(err)
	}
	items := res.Items()
	if len(items) != len(res.Terms) {
		t.Fatalf("%d items for %d terms", len(items), len(res.Terms))
	}
	validItems(t, items)
	for _, it := range items {
		for _, p := range it.Provenance {
			if p.Source != "" || p.Line < 1 || !strings.Contains(synthTexts[p.Line-1], it.Term.Term) {
				t.Errorf("%s: provenance %+v", it.Title, p)
			}
		}
	}
}
