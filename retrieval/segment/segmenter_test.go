package segment

import (
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"unicode"
	"unicode/utf8"
)

var (
	loadOnce  sync.Once
	shared    *Segmenter
	sharedErr error
)

// testSegmenter returns the Segmenter shared by every test of the binary:
// loading the dictionaries takes about a second.
func testSegmenter(tb testing.TB) *Segmenter {
	tb.Helper()
	loadOnce.Do(func() { shared, sharedErr = New() })
	if sharedErr != nil {
		tb.Fatalf("New: %v", sharedErr)
	}
	return shared
}

func TestNormalize(t *testing.T) {
	s := testSegmenter(t)
	tests := []struct {
		name, in, want string
	}{
		{"traditional to simplified", "貸款逾期會影響個人徵信記錄", "贷款逾期会影响个人征信记录"},
		{"full-width letters and digits", "ＡＢＣ１２３", "abc123"},
		{"full-width symbols fold, chinese punctuation stays", "年化利率３．５％，請問？（含罰息）",
			"年化利率3.5%，请问？（含罚息）"},
		{"full-width currency sign", "￥５００", "¥500"},
		{"ideographic and mixed white space collapse", "  第五十六条\u3000\u3000借款人\t应当\n\n还款  ", "第五十六条 借款人 应当 还款"},
		{"latin lower-cased", "Early Repayment FEE", "early repayment fee"},
		{"zero-width and BOM dropped", "\ufeff逾\u200b期", "逾期"},
		{"control characters separate", "罚息\x00违约金", "罚息 违约金"},
		{"invalid utf-8 separates", "催收\xff\xfe记录", "催收 记录"},
		{"chinese quotes and list marks stay", "“提前还款”、「分期」。", "“提前还款”、「分期」。"},
		{"empty", "", ""},
		{"only space", " \u3000\t", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := s.Normalize(tt.in)
			if got != tt.want {
				t.Errorf("Normalize(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if again := s.Normalize(got); again != got {
				t.Errorf("Normalize is not idempotent: %q then %q", got, again)
			}
		})
	}
}

func TestWords(t *testing.T) {
	s := testSegmenter(t)
	tests := []struct {
		name    string
		in      string
		want    []string // exactly, when not nil
		has     []string // contained, in any order
		hasNot  []string
		sameAss string // Words must equal Words(sameAss)
	}{
		{name: "plain two-character words", in: "逾期客户的健康状况",
			has: []string{"逾期", "客户", "健康", "状况"}, hasNot: []string{"逾", "期", "健", "康", "的"}},
		{name: "search mode keeps inner words", in: "借款人应当按期还款",
			want: []string{"借款", "人", "借款人", "应当", "按期", "还款"}},
		{name: "whole run that is one word", in: "罚息", want: []string{"罚息"}},
		{name: "single character run", in: "10,000元", want: []string{"10000", "元"}},
		{name: "traditional matches simplified", in: "貸款逾期", sameAss: "贷款逾期",
			has: []string{"贷款", "逾期"}},
		{name: "full-width folds", in: "ＡＢＣ１２３", want: []string{"abc123"}},
		{name: "english lower-cased, stop words and punctuation dropped",
			in:   "The Borrower is 3 days OVERDUE; the APR is 24.5%.",
			want: []string{"borrower", "3", "days", "overdue", "apr", "24.5"}},
		{name: "chinese stop words and punctuation dropped", in: "请问，提前还款了吗？",
			want: []string{"提前", "还款"}},
		{name: "negation and modality kept", in: "催收人员不得骚扰借款人的亲友",
			has: []string{"催收", "不得", "骚扰", "亲友"}},
		{name: "mixed script", in: "征信报告PDF版本v2", has: []string{"征信", "报告", "pdf", "版本", "v2"}},
		{name: "nothing left", in: "的了吗？！……", want: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := s.Words(tt.in)
			if tt.want != nil || (tt.has == nil && tt.sameAss == "") {
				if !reflect.DeepEqual(got, tt.want) {
					t.Errorf("Words(%q) = %q, want %q", tt.in, got, tt.want)
				}
			}
			for _, w := range tt.has {
				if !slices.Contains(got, w) {
					t.Errorf("Words(%q) = %q, missing %q", tt.in, got, w)
				}
			}
			for _, w := range tt.hasNot {
				if slices.Contains(got, w) {
					t.Errorf("Words(%q) = %q, should not contain %q", tt.in, got, w)
				}
			}
			if tt.sameAss != "" {
				if other := s.Words(tt.sameAss); !reflect.DeepEqual(got, other) {
					t.Errorf("Words(%q) = %q, Words(%q) = %q, want equal", tt.in, got, tt.sameAss, other)
				}
			}
			if split := s.Split(s.Normalize(tt.in)); !reflect.DeepEqual(split, got) {
				t.Errorf("Split(Normalize(%q)) = %q, Words = %q", tt.in, split, got)
			}
		})
	}
}

func TestBigrams(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"逾期还款", []string{"逾期", "期还", "还款"}},
		{"罚息", []string{"罚息"}},
		{"元", []string{"元"}},
		{"10,000元 分期", []string{"元", "分期"}},
		{"征信，健康", []string{"征信", "健康"}},
		{"loan overdue 3 days", nil},
		{"", nil},
	}
	for _, tt := range tests {
		if got := Bigrams(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Bigrams(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestAddWords(t *testing.T) {
	s := testSegmenter(t)
	// 借呗 and 花呗 are product names the stock dictionary lacks; the
	// traditional form must be normalised before it is added.
	if err := s.AddWords("借唄", "花呗", "", "  ", "逾期", "T+1", "A股"); err != nil {
		t.Fatalf("AddWords: %v", err)
	}
	got := s.Words("我想用借呗和花呗分期还款")
	for _, w := range []string{"借呗", "花呗", "分期", "还款"} {
		if !slices.Contains(got, w) {
			t.Errorf("after AddWords, Words = %q, missing %q", got, w)
		}
	}
	if slices.Contains(got, "呗") {
		t.Errorf("after AddWords, Words = %q still splits the product names", got)
	}
	if err := s.AddWords(); err != nil {
		t.Errorf("AddWords() = %v, want nil", err)
	}
}

// TestConcurrentUse runs Words while AddWords rewrites the dictionary; the
// race detector checks the locking.
func TestConcurrentUse(t *testing.T) {
	s := testSegmenter(t)
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				if ws := s.Words("客户申请提前还款，免收违约金"); !slices.Contains(ws, "还款") {
					t.Errorf("Words = %q, missing 还款", ws)
					return
				}
			}
		}()
	}
	if err := s.AddWords("罚息减免券"); err != nil {
		t.Errorf("AddWords: %v", err)
	}
	wg.Wait()
}

func FuzzWords(f *testing.F) {
	for _, seed := range []string{
		"借款人逾期未还款的，按日计收罚息。",
		"貸款逾期會影響個人徵信記錄",
		"ＡＢＣ１２３，年化利率３．５％",
		"Loan overdue 3 days, APR 24%, 10,000元",
		"\xff\xfe\u200b\u3000 \t",
		"1.2.3,456,7890.",
		"",
	} {
		f.Add(seed)
	}
	s := testSegmenter(f)
	f.Fuzz(func(t *testing.T, in string) {
		n := s.Normalize(in)
		if !utf8.ValidString(n) {
			t.Fatalf("Normalize(%q) = %q, invalid UTF-8", in, n)
		}
		if strings.TrimSpace(n) != n || strings.Contains(n, "  ") {
			t.Fatalf("Normalize(%q) = %q, white space not collapsed", in, n)
		}
		words := s.Words(in)
		for _, w := range words {
			if w == "" || !utf8.ValidString(w) || strings.IndexFunc(w, unicode.IsSpace) >= 0 || stopWords[w] {
				t.Fatalf("Words(%q) has bad word %q (all: %q)", in, w, words)
			}
		}
		for _, b := range Bigrams(n) {
			if c := utf8.RuneCountInString(b); c < 1 || c > 2 || !utf8.ValidString(b) {
				t.Fatalf("Bigrams(%q) has bad bigram %q", n, b)
			}
		}
	})
}

func BenchmarkWords(b *testing.B) {
	s := testSegmenter(b)
	text := strings.Repeat("借款人逾期未还款的，贷款机构应当按照合同约定计收罚息，并依法向征信系统报送逾期记录。", 4)
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		s.Words(text)
	}
}

func BenchmarkNormalize(b *testing.B) {
	s := testSegmenter(b)
	text := strings.Repeat("借款人逾期未还款的，贷款机构应当按照合同约定计收罚息，并依法向征信系统报送逾期记录。", 4)
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		s.Normalize(text)
	}
}
