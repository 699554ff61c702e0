package eval

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/lorehq/lore/knowledge"
)

// Gold identifies an item that answers a question. Exactly one way of
// identifying is used: ID, Source, or Law with Article.
type Gold struct {
	ID      string `json:"id,omitempty"`      // the item's id
	Source  string `json:"source,omitempty"`  // a source path the item comes from
	Law     string `json:"law,omitempty"`     // the rule's document title, exactly
	Article string `json:"article,omitempty"` // the rule's article as written, e.g. 第五十六条
}

// Match reports whether it is the gold item.
func (g Gold) Match(it *knowledge.Item) bool {
	switch {
	case g.ID != "":
		return it.ID == g.ID
	case g.Source != "":
		for _, p := range it.Provenance {
			if p.Source == g.Source || strings.HasSuffix(p.Source, "/"+g.Source) {
				return true
			}
		}
		return false
	case g.Law != "":
		return it.Rule != nil && it.Rule.DocTitle == g.Law && it.Rule.Article == g.Article
	}
	return false
}

// String renders the gold for reports.
func (g Gold) String() string {
	switch {
	case g.ID != "":
		return "id:" + g.ID
	case g.Source != "":
		return "source:" + g.Source
	}
	return g.Law + " " + g.Article
}

// Question is one evaluation question with the items that answer it.
type Question struct {
	ID   string
	Text string
	Gold []Gold
}

// line is one JSONL record in any supported format.
type line struct {
	ID          string   `json:"id"`
	Question    string   `json:"question"`
	Q           string   `json:"q"`
	Gold        []Gold   `json:"gold"`
	GoldIDs     []string `json:"gold_ids"`
	GoldSources []string `json:"gold_sources"`
	// The demo's format: source and also name files that answer it;
	// unanswerable questions have no gold and are skipped.
	Source       string   `json:"source"`
	Also         []string `json:"also"`
	Unanswerable bool     `json:"unanswerable"`
}

// maxLine bounds one JSONL record.
const maxLine = 1 << 20

// ReadQuestions reads JSONL questions (see the package doc). Blank lines
// are skipped. A line that is not valid JSON, has no question text or no
// gold, or has a gold entry that names nothing or a law without an article
// is an error naming the line. A question without an id gets "line-N".
func ReadQuestions(r io.Reader) ([]Question, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), maxLine)
	var out []Question
	n := 0
	for sc.Scan() {
		n++
		raw := strings.TrimSpace(sc.Text())
		if raw == "" {
			continue
		}
		var l line
		if err := json.Unmarshal([]byte(raw), &l); err != nil {
			return nil, fmt.Errorf("eval: questions line %d: %w", n, err)
		}
		q := Question{ID: l.ID, Text: strings.TrimSpace(l.Question)}
		if q.Text == "" {
			q.Text = strings.TrimSpace(l.Q)
		}
		if q.ID == "" {
			q.ID = fmt.Sprintf("line-%d", n)
		}
		for _, g := range l.Gold {
			if (g.ID == "" && g.Source == "" && g.Law == "") || (g.Law != "" && g.Article == "") {
				return nil, fmt.Errorf("eval: questions line %d: gold %+v names no item (want id, source, or law with article)", n, g)
			}
			q.Gold = append(q.Gold, g)
		}
		for _, id := range l.GoldIDs {
			q.Gold = append(q.Gold, Gold{ID: id})
		}
		if l.Unanswerable {
			continue
		}
		for _, s := range append(append(l.GoldSources, l.Source), l.Also...) {
			if s != "" {
				q.Gold = append(q.Gold, Gold{Source: s})
			}
		}
		switch {
		case q.Text == "":
			return nil, fmt.Errorf("eval: questions line %d: no question text (want \"question\" or \"q\")", n)
		case len(q.Gold) == 0:
			return nil, fmt.Errorf("eval: questions line %d: no gold (want \"gold\", \"gold_ids\" or \"gold_sources\")", n)
		}
		out = append(out, q)
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, fmt.Errorf("eval: questions line %d: longer than %d bytes", n+1, maxLine)
		}
		return nil, fmt.Errorf("eval: read questions: %w", err)
	}
	return out, nil
}

// LoadQuestions reads the JSONL questions file at path.
func LoadQuestions(path string) ([]Question, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("eval: open questions: %w", err)
	}
	defer f.Close()
	return ReadQuestions(f)
}
