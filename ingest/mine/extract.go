package mine

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/lorehq/lore/ingest"
	"github.com/lorehq/lore/ingest/dialogue"
	"github.com/lorehq/lore/knowledge"
)

// ExtractFile mines one dialogue file with the miner's policy, without
// touching what was added to m: JSONL (dialogue.Read) by default, CSV for
// .csv and plain transcripts for .txt. warnings holds the reader's
// warnings about skipped records and one line per policy-breaking reply
// template, for compliance review. The items' provenance names dialogues
// and turns; the pipeline fills in Source.
func (m *Miner) ExtractFile(ctx context.Context, name string, r io.Reader) (items []knowledge.Item, warnings []string, err error) {
	var ds []dialogue.Dialogue
	switch strings.ToLower(path.Ext(name)) {
	case ".csv":
		ds, warnings, err = ReadCSV(r)
	case ".txt", ".text":
		ds, warnings, err = ReadTranscript(r, strings.TrimSuffix(path.Base(name), path.Ext(name)))
	default:
		ds, warnings, err = dialogue.Read(r)
	}
	if err != nil {
		return nil, warnings, knowledge.Errorf(knowledge.Invalid, "mine.ExtractFile", "%s: %w", name, err)
	}
	res, err := m.fresh().Mine(ctx, ds)
	if err != nil {
		return nil, warnings, err
	}
	return res.Items(), append(warnings, res.ViolationWarnings()...), nil
}

// ExtractFile mines one dialogue file with DefaultPolicy; see
// (*Miner).ExtractFile.
func ExtractFile(ctx context.Context, name string, r io.Reader) ([]knowledge.Item, []string, error) {
	m, err := New(DefaultPolicy())
	if err != nil {
		return nil, nil, err
	}
	return m.ExtractFile(ctx, name, r)
}

// fresh returns a miner with m's policy and nothing added.
func (m *Miner) fresh() *Miner {
	c := *m
	c.recs = nil
	return &c
}

// ViolationWarnings renders one line per violation, for logs and ingest
// warnings.
func (r *Result) ViolationWarnings() []string {
	var out []string
	for _, v := range r.Violations {
		var where []string
		for _, p := range v.Provenance[:min(len(v.Provenance), 3)] {
			where = append(where, p.Location())
		}
		out = append(out, fmt.Sprintf("compliance / 合规: %s (%s) in %d dialogue(s), %s: %q — never recommended / 不予推荐",
			strings.Join(v.Categories, ","), strings.Join(v.Terms, ","), v.Dialogues, strings.Join(where, "; "), truncate(v.Reply, 40)))
	}
	return out
}

// Extractor adapts a Miner to the ingest pipeline: it rebuilds the
// dialogues of a document from its Turn blocks and mines them. Turn blocks
// carry no outcome labels, so outcomes are inferred; ExtractFile keeps the
// labels when the file can be read directly.
type Extractor struct {
	m *Miner
}

var _ ingest.Extractor = (*Extractor)(nil)

// NewExtractor returns an extractor mining with p.
func NewExtractor(p Policy) (*Extractor, error) {
	m, err := New(p)
	if err != nil {
		return nil, err
	}
	return &Extractor{m: m}, nil
}

// Extract implements ingest.Extractor. A document without Turn blocks
// yields nil.
func (e *Extractor) Extract(ctx context.Context, doc *ingest.Document) ([]knowledge.Item, error) {
	var ds []dialogue.Dialogue
	index := map[string]int{}
	for _, b := range doc.Blocks {
		if b.Kind != ingest.Turn || b.Dialogue == "" {
			continue
		}
		i, ok := index[b.Dialogue]
		if !ok {
			i = len(ds)
			index[b.Dialogue] = i
			ds = append(ds, dialogue.Dialogue{ID: b.Dialogue, Line: b.Line})
		}
		d := &ds[i]
		// Keep turn numbers: pad the turns the parser dropped (empty ones).
		for b.TurnNo > len(d.Turns)+1 {
			d.Turns = append(d.Turns, dialogue.Turn{})
		}
		d.Turns = append(d.Turns, dialogue.Turn{Role: b.Role, Text: b.Text})
	}
	if len(ds) == 0 {
		return nil, nil
	}
	res, err := e.m.fresh().Mine(ctx, ds)
	if err != nil {
		return nil, err
	}
	return res.Items(), nil
}

// Accepts reports whether a file is a dialogue log the miner reads: JSONL
// whose first record has turns, a CSV export whose header names the
// dialogue id, role and text columns, or a plain-text transcript whose
// first lines mostly start with a role ("客服：", "Customer:").
func (m *Miner) Accepts(name string, head []byte) bool {
	text := strings.TrimPrefix(string(head), "\ufeff")
	lines := strings.Split(text, "\n")
	if len(lines) > 1 {
		lines = lines[:len(lines)-1] // the last line of a head may be cut short
	}
	first := strings.TrimSpace(lines[0])
	switch strings.ToLower(path.Ext(name)) {
	case ".jsonl", ".ndjson":
		var rec struct {
			Turns []json.RawMessage `json:"turns"`
		}
		return json.Unmarshal([]byte(first), &rec) == nil && len(rec.Turns) > 0
	case ".csv":
		have := map[string]bool{}
		for _, h := range strings.Split(first, ",") {
			have[csvColumns[strings.ToLower(strings.Trim(strings.TrimSpace(h), `"`))]] = true
		}
		return have["id"] && have["role"] && have["text"]
	case ".txt", ".text":
		roles, nonEmpty := 0, 0
		for _, l := range lines {
			if l = strings.TrimSpace(l); l == "" {
				continue
			}
			nonEmpty++
			if _, _, ok := roleLine(l); ok {
				roles++
			}
		}
		return roles >= 2 && roles*2 >= nonEmpty
	}
	return false
}
