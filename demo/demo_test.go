package demo

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/ledongthuc/pdf"
)

const (
	collectionsDoc = "rules/催收作业管理办法.md"
	complaintsDoc  = "rules/客户投诉处理规程.html"
	prepaymentDoc  = "rules/个人贷款提前还款与展期操作细则.pdf"
	faqDoc         = "rules/随心贷产品常见问题.txt"
	privacyDoc     = "rules/data-privacy-notice.md"
	dialoguesFile  = "dialogues/dialogues.jsonl"
	oplogFile      = "oplog/cases.csv"
)

func TestQuestions(t *testing.T) {
	qs, err := Questions()
	if err != nil {
		t.Fatal(err)
	}
	corpus := Corpus()
	perSource := map[string]int{}
	english, unanswerable := 0, 0
	for i, q := range qs {
		if q.Unanswerable {
			unanswerable++
			continue
		}
		if _, err := fs.Stat(corpus, q.Source); err != nil {
			t.Errorf("question %d %q: source: %v", i+1, q.Q, err)
		}
		perSource[q.Source]++
		if q.Source == privacyDoc && isASCII(q.Q) {
			english++
		}
	}
	// The brief for this corpus: at least 14 answerable questions, two for
	// each document format, two in English, some against the dialogues and
	// the log, and three the corpus cannot answer.
	if got := len(qs) - unanswerable; got < 14 {
		t.Errorf("answerable questions = %d, want at least 14", got)
	}
	if unanswerable < 3 {
		t.Errorf("unanswerable questions = %d, want at least 3", unanswerable)
	}
	if english < 2 {
		t.Errorf("English questions on %s = %d, want at least 2", privacyDoc, english)
	}
	for _, src := range []string{collectionsDoc, complaintsDoc, prepaymentDoc, faqDoc, privacyDoc, dialoguesFile, oplogFile} {
		if perSource[src] < 2 {
			t.Errorf("questions citing %s = %d, want at least 2", src, perSource[src])
		}
	}
}

func TestParseQuestionsRejects(t *testing.T) {
	tests := []struct {
		name, in string
	}{
		{"not json", `{"q": "逾期罚息怎么算"`},
		{"empty question", `{"q": " ", "source": "rules/a.md"}`},
		{"no source", `{"q": "逾期罚息怎么算"}`},
		{"unanswerable with source", `{"q": "房贷利率", "source": "rules/a.md", "unanswerable": true}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := parseQuestions(strings.NewReader(tt.in)); err == nil {
				t.Errorf("parseQuestions(%s) succeeded, want an error", tt.in)
			}
		})
	}
}

func TestCorpusFilesAreUTF8(t *testing.T) {
	err := fs.WalkDir(Corpus(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || path.Ext(p) == ".pdf" {
			return err
		}
		data, err := fs.ReadFile(Corpus(), p)
		if err != nil {
			return err
		}
		if !utf8.Valid(data) {
			t.Errorf("%s is not valid UTF-8", p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// articleStart matches the start of an article, not a reference to one: a
// cross-reference such as 依照本办法第八条的规定 is never at the start of a
// paragraph and is never followed by the full-width space.
var articleStart = regexp.MustCompile(`(?m)^(?:<p>)?第[一二三四五六七八九十]+条(?:之[一二三])?　`)

func TestRuleDocuments(t *testing.T) {
	tests := []struct {
		file        string
		docNumber   string
		minArticles int
		wantText    []string
	}{
		{collectionsDoc, "安和消金发〔2026〕12号", 20, []string{"第十二条之一", "依照本办法第八条的规定", "前款规定的情形", "8:00至21:00"}},
		{complaintsDoc, "安和消金发〔2025〕37号", 20, []string{"<nav", "<table", "<footer", "12378", "15个工作日"}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			data, err := fs.ReadFile(Corpus(), tt.file)
			if err != nil {
				t.Fatal(err)
			}
			text := string(data)
			if !strings.Contains(text, tt.docNumber) {
				t.Errorf("document number %s missing", tt.docNumber)
			}
			if n := len(articleStart.FindAllString(text, -1)); n < tt.minArticles {
				t.Errorf("articles = %d, want at least %d", n, tt.minArticles)
			}
			for _, s := range tt.wantText {
				if !strings.Contains(text, s) {
					t.Errorf("text %q missing", s)
				}
			}
		})
	}
}

func TestPDFHasChineseTextLayer(t *testing.T) {
	data, err := fs.ReadFile(Corpus(), prepaymentDoc)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(data, []byte("%PDF-")) {
		t.Fatalf("%s does not start with %%PDF-", prepaymentDoc)
	}
	if len(data) > 200<<10 {
		t.Errorf("%s is %d bytes, want at most 200 KiB", prepaymentDoc, len(data))
	}
	r, err := pdf.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	if n := r.NumPage(); n < 2 || n > 4 {
		t.Errorf("pages = %d, want 2 to 4", n)
	}
	var all strings.Builder
	for i := 1; i <= r.NumPage(); i++ {
		text, err := r.Page(i).GetPlainText(nil)
		if err != nil {
			t.Fatalf("page %d: %v", i, err)
		}
		all.WriteString(strings.Join(strings.Fields(text), ""))
	}
	for _, s := range []string{"安和消金发〔2026〕5号", "第十三条之一", "宽限期", "罚息日利率为合同约定日利率的1.5倍"} {
		if !strings.Contains(all.String(), s) {
			t.Errorf("PDF text layer lacks %q", s)
		}
	}
}

// dialogueRecord mirrors one line of dialogues.jsonl.
type dialogueRecord struct {
	ID      string `json:"id"`
	Channel string `json:"channel"`
	Agent   string `json:"agent"`
	Turns   []struct {
		Role string `json:"role"`
		Text string `json:"text"`
		Time string `json:"time"`
	} `json:"turns"`
	Outcome      string   `json:"outcome"`
	Satisfaction int      `json:"satisfaction"`
	Labels       []string `json:"labels"`
}

func TestDialoguesWellFormed(t *testing.T) {
	data, err := fs.ReadFile(Corpus(), dialoguesFile)
	if err != nil {
		t.Fatal(err)
	}
	outcomes := map[string]int{}
	seen := map[string]bool{}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	for i, line := range lines {
		var d dialogueRecord
		dec := json.NewDecoder(strings.NewReader(line))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&d); err != nil {
			t.Errorf("line %d: %v", i+1, err)
			continue
		}
		switch {
		case d.ID == "" || seen[d.ID]:
			t.Errorf("line %d: missing or repeated id %q", i+1, d.ID)
		case d.Channel != "chat" && d.Channel != "call":
			t.Errorf("%s: channel %q", d.ID, d.Channel)
		case len(d.Turns) < 4:
			t.Errorf("%s: %d turns, want at least 4", d.ID, len(d.Turns))
		case d.Satisfaction < 0 || d.Satisfaction > 5:
			t.Errorf("%s: satisfaction %d", d.ID, d.Satisfaction)
		}
		seen[d.ID] = true
		outcomes[d.Outcome]++
		var prev time.Time
		for j, turn := range d.Turns {
			at, err := time.Parse(time.RFC3339, turn.Time)
			if err != nil {
				t.Errorf("%s turn %d: time: %v", d.ID, j+1, err)
			}
			if at.Before(prev) {
				t.Errorf("%s turn %d: time goes backwards", d.ID, j+1)
			}
			prev = at
			if (turn.Role != "customer" && turn.Role != "agent") || strings.TrimSpace(turn.Text) == "" {
				t.Errorf("%s turn %d: role %q, text %q", d.ID, j+1, turn.Role, turn.Text)
			}
		}
	}
	if len(lines) < 40 {
		t.Errorf("dialogues = %d, want about 40", len(lines))
	}
	for _, o := range []string{"resolved", "promise_to_pay", "paid", "complaint", "escalated"} {
		if outcomes[o] == 0 {
			t.Errorf("no dialogue with outcome %q", o)
		}
	}
	for o := range outcomes {
		switch o {
		case "", "resolved", "promise_to_pay", "paid", "complaint", "escalated":
		default:
			t.Errorf("unknown outcome %q", o)
		}
	}
}

func TestOperationLogWellFormed(t *testing.T) {
	f, err := Corpus().Open(oplogFile)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f) // FieldsPerRecord 0: every row must match the header
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"case_id", "activity", "timestamp", "resource", "result"}
	if strings.Join(rows[0], ",") != strings.Join(want, ",") {
		t.Fatalf("header = %v, want %v", rows[0], want)
	}
	last := map[string]time.Time{}
	for i, row := range rows[1:] {
		at, err := time.Parse(time.RFC3339, row[2])
		if err != nil {
			t.Errorf("row %d: %v", i+2, err)
			continue
		}
		if at.Before(last[row[0]]) {
			t.Errorf("row %d: case %s goes back in time", i+2, row[0])
		}
		last[row[0]] = at
		for j, cell := range row {
			if strings.TrimSpace(cell) == "" {
				t.Errorf("row %d: empty %s", i+2, want[j])
			}
		}
	}
	if n := len(rows) - 1; n < 400 || n > 600 {
		t.Errorf("events = %d, want 400 to 600", n)
	}
	if n := len(last); n < 55 || n > 65 {
		t.Errorf("cases = %d, want about 60", n)
	}
}

func TestExtract(t *testing.T) {
	dir := t.TempDir()
	if err := Extract(dir); err != nil {
		t.Fatal(err)
	}
	check := func() {
		t.Helper()
		err := fs.WalkDir(Corpus(), ".", func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			want, err := fs.ReadFile(Corpus(), p)
			if err != nil {
				return err
			}
			got, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(p)))
			if err != nil {
				return err
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from the embedded file", p)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	check()

	// A second run restores a changed file and leaves an unchanged one alone.
	changed := filepath.Join(dir, filepath.FromSlash(faqDoc))
	unchanged := filepath.Join(dir, filepath.FromSlash(collectionsDoc))
	if err := os.WriteFile(changed, []byte("edited"), 0o644); err != nil {
		t.Fatal(err)
	}
	old := time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)
	if err := os.Chtimes(unchanged, old, old); err != nil {
		t.Fatal(err)
	}
	if err := Extract(dir); err != nil {
		t.Fatal(err)
	}
	check()
	info, err := os.Stat(unchanged)
	if err != nil {
		t.Fatal(err)
	}
	if !info.ModTime().Equal(old) {
		t.Errorf("unchanged file rewritten: mtime %v, want %v", info.ModTime(), old)
	}
}

func TestExtractReportsUnwritableDir(t *testing.T) {
	file := filepath.Join(t.TempDir(), "not-a-dir")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Extract(file); err == nil {
		t.Error("Extract into a regular file succeeded, want an error")
	}
}

func isASCII(s string) bool {
	for _, r := range s {
		if r > 127 {
			return false
		}
	}
	return true
}
