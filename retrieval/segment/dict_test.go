package segment

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestReadWords(t *testing.T) {
	tests := []struct {
		name, in string
		want     []string
		err      string
	}{
		{"words, comments, blanks", "\ufeff# 消费金融用语\n随借随还\n\n  展期还款  \n", []string{"随借随还", "展期还款"}, ""},
		{"jieba frequency and tag ignored", "提前结清 3 n\n代偿 nz\n", []string{"提前结清", "代偿"}, ""},
		{"empty file", "", nil, ""},
		{"too long", "随借随还\n" + strings.Repeat("借", MaxWordRunes+1) + "\n", nil, "line 2"},
		{"not UTF-8", "随借随还\n\xff\xfe\n", nil, "line 2 is not UTF-8"},
		{"line over 4 KB", strings.Repeat("a ", 3000), nil, "4 KB"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ReadWords(strings.NewReader(tc.in))
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want one containing %q", err, tc.err)
				}
				return
			}
			if err != nil || !slices.Equal(got, tc.want) {
				t.Fatalf("ReadWords = %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

func TestLoadWordsThenAddWords(t *testing.T) {
	path := filepath.Join(t.TempDir(), "dict.txt")
	if err := os.WriteFile(path, []byte("息费减免\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ws, err := LoadWords(path)
	if err != nil {
		t.Fatal(err)
	}
	s := testSegmenter(t)
	if got := s.Words("申请息费减免需要什么材料"); slices.Contains(got, "息费减免") {
		t.Fatalf("Words = %q before the dictionary was added: pick a word gse does not know", got)
	}
	if err := s.AddWords(ws...); err != nil {
		t.Fatal(err)
	}
	if got := s.Words("申请息费减免需要什么材料"); !slices.Contains(got, "息费减免") {
		t.Fatalf("Words = %q, want the dictionary word 息费减免 kept whole", got)
	}
	if _, err := LoadWords(filepath.Join(t.TempDir(), "missing.txt")); err == nil || !strings.Contains(err.Error(), "user dictionary") {
		t.Fatalf("missing file: err = %v", err)
	}
}

func FuzzReadWords(f *testing.F) {
	f.Add("随借随还\n# c\n提前结清 3 n\n")
	f.Add("\xff\n")
	f.Fuzz(func(t *testing.T, in string) {
		ws, err := ReadWords(strings.NewReader(in))
		if err != nil {
			return
		}
		for _, w := range ws {
			if w == "" || strings.ContainsAny(w, " \t\n") || strings.HasPrefix(w, "#") {
				t.Fatalf("bad word %q", w)
			}
		}
	})
}
