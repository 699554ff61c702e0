package understand

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/lorehq/lore/knowledge"
	"github.com/lorehq/lore/retrieval/segment"
)

var (
	segOnce sync.Once
	seg     *segment.Segmenter
	segErr  error
)

// testSegmenter returns the Segmenter shared by the tests of this binary;
// loading its dictionaries takes about a second.
func testSegmenter(tb testing.TB) *segment.Segmenter {
	tb.Helper()
	segOnce.Do(func() { seg, segErr = segment.New() })
	if segErr != nil {
		tb.Fatalf("segment.New: %v", segErr)
	}
	return seg
}

func TestDefaultSynonyms(t *testing.T) {
	if _, err := ParseSynonyms(bytes.NewReader(defaultSynonymsYAML)); err != nil {
		t.Fatalf("the embedded synonyms.yaml does not parse: %v", err)
	}
	if n := DefaultSynonyms().Len(); n < 500 {
		t.Errorf("DefaultSynonyms has %d pairs, want several hundred (>= 500)", n)
	}
}

// TestConfigCopy keeps configs/synonyms.yaml, the copy operators edit,
// identical to the list compiled into the binary.
func TestConfigCopy(t *testing.T) {
	path := filepath.Join("..", "..", "configs", "synonyms.yaml")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	if !bytes.Equal(b, defaultSynonymsYAML) {
		t.Errorf("%s differs from retrieval/understand/synonyms.yaml; copy the canonical list over it", path)
	}
	s, err := LoadSynonyms(path)
	if err != nil {
		t.Fatalf("LoadSynonyms: %v", err)
	}
	if s.Len() != DefaultSynonyms().Len() {
		t.Errorf("LoadSynonyms gave %d pairs, DefaultSynonyms %d", s.Len(), DefaultSynonyms().Len())
	}
}

func TestLoadSynonymsMissing(t *testing.T) {
	if _, err := LoadSynonyms(filepath.Join(t.TempDir(), "none.yaml")); err == nil {
		t.Error("LoadSynonyms of a missing file gave no error")
	}
}

func TestParseSynonyms(t *testing.T) {
	tests := []struct {
		name    string
		yaml    string
		wantErr string
		pairs   int
	}{
		{"one entry", "expand:\n  - from: [老公, 老婆]\n    to: [配偶]\n", "", 2},
		{"default weight and group", "default_weight: 0.5\nequivalents:\n  - [罚息, 逾期利息, 违约金]\n", "", 6},
		{"empty file", "", "", 0},
		{"duplicates merge", "expand:\n  - from: [欠钱, 欠钱]\n    to: [债务, 债务]\n  - from: [欠钱]\n    to: [债务]\n    weight: 0.9\n", "", 1},
		{"weight 1", "expand:\n  - from: [欠钱]\n    to: [债务]\n    weight: 1\n", "outside (0, 1)", 0},
		{"negative weight", "expand:\n  - from: [欠钱]\n    to: [债务]\n    weight: -0.2\n", "outside (0, 1)", 0},
		{"bad default", "default_weight: 1.5\n", "outside (0, 1)", 0},
		{"no targets", "expand:\n  - from: [欠钱]\n    to: []\n", "needs at least one", 0},
		{"blank phrases", "expand:\n  - from: [\" \"]\n    to: [债务]\n", "needs at least one", 0},
		{"group of one", "equivalents:\n  - [罚息]\n", "at least two", 0},
		{"unknown key", "expands:\n  - from: [a]\n", "field expands not found", 0},
		{"version 2", "version: 2\n", "not supported", 0},
		{"not yaml", "expand: [from: {", "parse synonyms", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := ParseSynonyms(strings.NewReader(tt.yaml))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseSynonyms error %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseSynonyms: %v", err)
			}
			if s.Len() != tt.pairs {
				t.Errorf("Len = %d, want %d", s.Len(), tt.pairs)
			}
		})
	}
}

func expansionTexts(es []Expansion) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.Text
	}
	return out
}

func TestUnderstandExpansions(t *testing.T) {
	u := New(testSegmenter(t), DefaultSynonyms())
	tests := []struct {
		q       string
		has     []string
		hasNot  []string
		noneAll bool // no expansion at all
	}{
		{q: "老公欠钱不还，我要替他还吗？", has: []string{"配偶", "债务", "逾期"}},
		{q: "房东不退押金怎么办", has: []string{"出租人", "保证金"}},
		{q: "公司拖欠工资三个月", has: []string{"劳动报酬", "拖欠劳动报酬"}},
		{q: "被辞退了有补偿吗", has: []string{"解除劳动合同", "经济补偿"}},
		{q: "孩子在学校被打伤了谁赔", has: []string{"子女", "伤害", "赔偿", "教育机构"}},
		{q: "出了车祸对方要我赔钱", has: []string{"交通事故", "损害赔偿"}},
		{q: "網貸利息太高了", has: []string{"利率", "网络借贷"}}, // traditional input
		{q: "逾期了会上征信吗", has: []string{"信用信息", "不良信息"}, hasNot: []string{"逾期", "征信"}},
		{q: "催收爆通讯录，天天打给我家人", has: []string{"第三人", "骚扰"}},
		{q: "可以申请延期还款吗", has: []string{"展期"}},
		{q: "My husband is overdue on his loan", has: []string{"配偶", "逾期", "借款"}},
		// 偷 is a one-character trigger: it must be a word of its own.
		{q: "他偷偷把合同改了", hasNot: []string{"盗窃"}},
		{q: "东西被偷了", has: []string{"盗窃"}},
		// "fine" must not fire inside "define".
		{q: "define the term", hasNot: []string{"罚款"}},
		{q: "你好", noneAll: true},
	}
	for _, tt := range tests {
		t.Run(tt.q, func(t *testing.T) {
			got := u.Understand(tt.q)
			texts := expansionTexts(got.Expansions)
			if tt.noneAll && len(texts) > 0 {
				t.Errorf("expansions %q, want none", texts)
			}
			for _, w := range tt.has {
				if !containsString(texts, w) {
					t.Errorf("expansions %q lack %q", texts, w)
				}
			}
			for _, w := range tt.hasNot {
				if containsString(texts, w) {
					t.Errorf("expansions %q hold %q", texts, w)
				}
			}
			if len(got.Expansions) > MaxExpansions {
				t.Errorf("%d expansions, more than MaxExpansions", len(got.Expansions))
			}
			for i, e := range got.Expansions {
				if e.Weight <= 0 || e.Weight >= 1 {
					t.Errorf("expansion %q has weight %v, want in (0, 1)", e.Text, e.Weight)
				}
				if i > 0 && e.Weight > got.Expansions[i-1].Weight {
					t.Errorf("expansions not by weight: %+v", got.Expansions)
				}
				if strings.Contains(got.Normalized, e.Text) {
					t.Errorf("expansion %q is already in the question", e.Text)
				}
			}
		})
	}
}

func containsString(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

func TestMaxExpansions(t *testing.T) {
	u := New(testSegmenter(t), DefaultSynonyms())
	q := "老公欠钱不还，房东催债，公司拖欠工资，孩子被打，出了车祸，征信也花了，网贷利息太高，还被骗了钱"
	got := u.Understand(q)
	if len(got.Expansions) != MaxExpansions {
		t.Errorf("got %d expansions, want the cap %d", len(got.Expansions), MaxExpansions)
	}
}

func TestSynonymsAdd(t *testing.T) {
	syn := &Synonyms{}
	u := New(testSegmenter(t), syn)
	if got := u.Understand("随心贷怎么提前还"); len(got.Expansions) != 0 {
		t.Fatalf("empty list expanded to %+v", got.Expansions)
	}
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(2)
		go func() { defer wg.Done(); syn.Add("随心贷", "个人消费贷款", "随心贷产品") }()
		go func() { defer wg.Done(); u.Understand("随心贷怎么提前还") }()
	}
	wg.Wait()
	got := expansionTexts(u.Understand("随心贷怎么提前还").Expansions)
	if !containsString(got, "个人消费贷款") {
		t.Errorf("after Add, expansions %q lack 个人消费贷款", got)
	}
	if syn.Len() != 6 {
		t.Errorf("Len = %d after adding one group of three four times, want 6", syn.Len())
	}
	syn.Add("孤词")
	if syn.Len() != 6 {
		t.Error("Add of a term without synonyms changed the list")
	}
	if got := expansionTexts(u.Understand("个人消费贷款提前还款").Expansions); !containsString(got, "随心贷") {
		t.Errorf("groups are two-way: expansions %q lack 随心贷", got)
	}
}

func TestDetectType(t *testing.T) {
	tests := []struct {
		q    string
		want QuestionType
	}{
		{"客户说要投诉，我该怎么回复", TypeScript},
		{"客户情绪激动骂人，怎么安抚", TypeScript},
		{"催收的时候能不能给借款人的同事打电话", TypeRule},
		{"向第三方透露欠款违法吗", TypeRule},
		{"商业银行法第三十条怎么规定的", TypeRule},
		{"催收可以在晚上十点打电话吗", TypeRule},
		{"提前还款的流程是什么", TypeProcedure},
		{"怎么办理展期，需要哪些材料", TypeProcedure},
		{"什么是罚息", TypeFact},
		{"逾期多久会上征信", TypeFact},
		{"随心贷", TypeGeneral},
		{"How should I reply to an angry customer?", TypeScript},
		{"Is it legal to call the borrower's employer?", TypeRule},
		{"what is penalty interest", TypeFact},
		// Ties go to the reply: the question asks how to answer.
		{"客户问能不能减免罚息，话术怎么说", TypeScript},
	}
	s := testSegmenter(t)
	for _, tt := range tests {
		t.Run(tt.q, func(t *testing.T) {
			if got := DetectType(s.Normalize(tt.q)); got != tt.want {
				t.Errorf("DetectType(%q) = %s, want %s", tt.q, got, tt.want)
			}
		})
	}
}

func TestKindWeights(t *testing.T) {
	for _, qt := range []QuestionType{TypeGeneral, TypeScript, TypeRule, TypeProcedure, TypeFact, "unknown"} {
		w := KindWeights(qt)
		if len(w) != len(knowledge.Kinds) {
			t.Errorf("%s: %d weights, want one per kind", qt, len(w))
		}
		for k, v := range w {
			if v < 0.85 || v > 1.15 {
				t.Errorf("%s: weight of %s is %v, want modest (0.85..1.15)", qt, k, v)
			}
			if (qt == TypeGeneral || qt == "unknown") && v != 1 {
				t.Errorf("%s: weight of %s is %v, want 1", qt, k, v)
			}
		}
	}
	want := map[QuestionType]knowledge.Kind{
		TypeScript: knowledge.KindScript, TypeRule: knowledge.KindRule,
		TypeProcedure: knowledge.KindProcedure, TypeFact: knowledge.KindFAQ,
	}
	for qt, top := range want {
		w := KindWeights(qt)
		for k, v := range w {
			if k != top && v >= w[top] {
				t.Errorf("%s: %s weighs %v, not below the favoured %s (%v)", qt, k, v, top, w[top])
			}
		}
	}
	// The map is a copy: changing it changes nothing for the next caller.
	KindWeights(TypeRule)[knowledge.KindRule] = 9
	if KindWeights(TypeRule)[knowledge.KindRule] != 1.15 {
		t.Error("KindWeights returned a shared map")
	}
}

func TestParseLookup(t *testing.T) {
	tests := []struct {
		q    string
		want *Lookup
	}{
		{"商业银行法第三十条", &Lookup{DocTitle: "商业银行法", Article: "第三十条"}},
		{"民法典第一千零六十四条是怎么规定的", &Lookup{DocTitle: "民法典", Article: "第一千零六十四条"}},
		{"请问民法典第1064条", &Lookup{DocTitle: "民法典", Article: "第一千零六十四条"}},
		{"根据《个人信息保护法》第十三条，处理信息要同意吗", &Lookup{DocTitle: "个人信息保护法", Article: "第十三条"}},
		{"刑法第二百五十三条之一讲什么", &Lookup{DocTitle: "刑法", Article: "第二百五十三条之一"}},
		{"催收管理办法的第 12 条", &Lookup{DocTitle: "催收管理办法", Article: "第十二条"}},
		{"第12条说了什么", &Lookup{Article: "第十二条"}},
		{"本法第二十条", &Lookup{Article: "第二十条"}},
		{"依照安和消金发〔2026〕12号文", &Lookup{DocNumber: "安和消金发〔2026〕12号"}},
		{"安和消金发[2026]12号第三条", &Lookup{DocNumber: "安和消金发〔2026〕12号", Article: "第三条"}},
		{"ＡＢ发（２０２４）３号", &Lookup{DocNumber: "ab发〔2024〕3号"}},
		{"逾期罚息怎么算", nil},
		{"第一次逾期", nil},
		{"第0条", nil},
	}
	s := testSegmenter(t)
	for _, tt := range tests {
		t.Run(tt.q, func(t *testing.T) {
			got := ParseLookup(s.Normalize(tt.q))
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ParseLookup(%q) = %+v, want %+v", tt.q, got, tt.want)
			}
		})
	}
}

func TestUnderstandLookupAndType(t *testing.T) {
	u := New(testSegmenter(t), nil)
	got := u.Understand("商業銀行法第三十條")
	if got.Lookup == nil || got.Lookup.DocTitle != "商业银行法" || got.Lookup.Article != "第三十条" {
		t.Errorf("Lookup = %+v, want 商业银行法 第三十条 (traditional input normalised)", got.Lookup)
	}
	if got.Type != TypeRule || got.KindWeights[knowledge.KindRule] != 1.15 {
		t.Errorf("Type %s weights %v, want rule with its weights", got.Type, got.KindWeights)
	}
	if len(got.Expansions) != 0 {
		t.Errorf("nil synonyms expanded to %+v", got.Expansions)
	}
}

func TestSameArticle(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"第十二条", "第12条", true},
		{"第 12 条", "第十二条第二款", true},
		{"第一千零六十四条", "第1064条", true},
		{"第二百五十三条之一", "第253条之1", true},
		{"第二百五十三条之一", "第二百五十三条", false},
		{"第一百一十条", "第110条", true},
		{"第二十条", "第二条", false},
		{"第一〇六四条", "第一千零六十四条", true},
		{"", "第一条", false},
		{"第X条", "第X条", false},
	}
	for _, tt := range tests {
		if got := SameArticle(tt.a, tt.b); got != tt.want {
			t.Errorf("SameArticle(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestSameDocNumber(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"安和消金发〔2026〕12号", "安和消金发[2026]12号", true},
		{"消金发〔2026〕12号", "安和消金发（2026）12号", true},
		{"安和消金发〔2026〕12号", "安和消金发〔2025〕12号", false},
		{"安和消金发〔2026〕12号", "安和消金发〔2026〕13号", false},
		{"安和消金发〔2026〕12号", "银保监发〔2026〕12号", false},
		{"安和消金发〔2026〕012号", "安和消金发〔2026〕12号", true},
		{"", "安和消金发〔2026〕12号", false},
	}
	for _, tt := range tests {
		if got := SameDocNumber(tt.a, tt.b); got != tt.want {
			t.Errorf("SameDocNumber(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestChineseNumber(t *testing.T) {
	want := map[int]string{
		1: "一", 10: "十", 12: "十二", 20: "二十", 100: "一百", 110: "一百一十", 205: "二百零五",
		253: "二百五十三", 1000: "一千", 1001: "一千零一", 1010: "一千零一十", 1064: "一千零六十四",
		1260: "一千二百六十", 10000: "一万", 10203: "一万零二百零三",
	}
	for n, w := range want {
		if got := chineseNumber(n); got != w {
			t.Errorf("chineseNumber(%d) = %s, want %s", n, got, w)
		}
	}
	for n := 1; n < 20000; n++ {
		if got, ok := parseNumber(chineseNumber(n)); !ok || got != n {
			t.Fatalf("parseNumber(chineseNumber(%d) = %s) = %d, %v", n, chineseNumber(n), got, ok)
		}
	}
}

// FuzzParseLookup checks that any question parses without panicking and
// that a Lookup it returns is well formed.
func FuzzParseLookup(f *testing.F) {
	for _, s := range []string{"商业银行法第三十条", "第12条之3", "安和消金发〔2026〕12号", "第十万条", "《》第一条", "第九九九九九九九九九条"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		l := ParseLookup(s)
		if l == nil {
			return
		}
		if *l == (Lookup{}) {
			t.Fatalf("ParseLookup(%q) returned an empty Lookup", s)
		}
		if l.Article != "" {
			if _, ok := ArticleKey(l.Article); !ok {
				t.Fatalf("ParseLookup(%q).Article %q has no key", s, l.Article)
			}
		}
	})
}

// FuzzParseSynonyms checks that any file either fails or yields a list
// whose expansions all weigh within (0, 1).
func FuzzParseSynonyms(f *testing.F) {
	f.Add("expand:\n  - from: [老公]\n    to: [配偶]\n")
	f.Add("equivalents:\n  - [a, b]\n")
	f.Add("default_weight: 0.3\n")
	f.Fuzz(func(t *testing.T, s string) {
		syn, err := ParseSynonyms(strings.NewReader(s))
		if err != nil {
			return
		}
		for trig, ts := range syn.triggers {
			for _, x := range ts {
				if x.weight <= 0 || x.weight >= 1 || x.text == trig {
					t.Fatalf("pair %q → %+v out of contract", trig, x)
				}
			}
		}
	})
}

// BenchmarkUnderstand measures one question against the default list.
func BenchmarkUnderstand(b *testing.B) {
	u := New(testSegmenter(b), DefaultSynonyms())
	for b.Loop() {
		u.Understand("老公欠了网贷三个月没还，催收天天打电话给我家人，这合法吗？")
	}
}

// TestFindOrder: triggers are reported at their first occurrence, by
// position, ties in the list's order, whether they match anywhere or as
// whole words.
func TestFindOrder(t *testing.T) {
	s, err := ParseSynonyms(strings.NewReader(`
expand:
  - {from: [逾期罚息], to: [罚息]}
  - {from: [逾期], to: [迟延履行]}
  - {from: [apr], to: [年化利率]}
  - {from: [罚息], to: [违约金]}
`))
	if err != nil {
		t.Fatal(err)
	}
	norm := "逾期罚息和apr，罚息怎么算，逾期"
	got := s.find(norm, map[string]bool{"apr": true})
	var texts []string
	for _, m := range got {
		texts = append(texts, fmt.Sprintf("%d:%s", m.at, m.targets[0].text))
	}
	want := []string{"0:罚息", "0:迟延履行", "6:违约金", "15:年化利率"}
	if fmt.Sprint(texts) != fmt.Sprint(want) {
		t.Errorf("find = %v, want %v", texts, want)
	}
}
