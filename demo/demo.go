package demo

import (
	"bufio"
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// files holds the corpus and the questions. An embedded file system is the
// one package-level variable Go's embed directive requires; it is never
// written to.
//
//go:embed corpus questions.jsonl
var files embed.FS

// corpusRoot is the directory inside files that Corpus exposes.
const corpusRoot = "corpus"

// Question is one evaluation question written for the demo corpus.
type Question struct {
	// Q is the question as staff would ask it.
	Q string `json:"q"`
	// Source is the path, relative to the corpus root and slash-separated,
	// of the file a correct answer must cite among its top three sources.
	// It is empty when Unanswerable is set.
	Source string `json:"source"`
	// Kind is the knowledge kind expected to answer it: "rule", "faq",
	// "script", "procedure" or "passage"; empty for unanswerable questions.
	Kind string `json:"kind,omitempty"`
	// Note says where in the source the answer is, for people reading
	// evaluation reports.
	Note string `json:"note,omitempty"`
	// Also lists other files of the corpus that answer the question as
	// fully (the same policy restated in a FAQ); citing one of them in the
	// top three is right too.
	Also []string `json:"also,omitempty"`
	// Unanswerable marks a question the corpus cannot answer; a correct
	// response says so instead of inventing an answer.
	Unanswerable bool `json:"unanswerable,omitempty"`
}

// Corpus returns the demo corpus as a read-only file system whose root holds
// the folders rules/, dialogues/ and oplog/.
func Corpus() fs.FS {
	sub, err := fs.Sub(files, corpusRoot)
	if err != nil {
		// fs.Sub fails only for an invalid path, and corpusRoot is valid;
		// report it on use rather than panic.
		return brokenFS{err: fmt.Errorf("demo: open corpus: %w", err)}
	}
	return sub
}

// brokenFS is a file system whose every Open fails with err.
type brokenFS struct{ err error }

func (b brokenFS) Open(string) (fs.File, error) { return nil, b.err }

// Questions returns the evaluation questions in file order.
func Questions() ([]Question, error) {
	data, err := files.ReadFile("questions.jsonl")
	if err != nil {
		return nil, fmt.Errorf("demo: read questions: %w", err)
	}
	qs, err := parseQuestions(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("demo: questions.jsonl: %w", err)
	}
	return qs, nil
}

// parseQuestions reads one Question per non-blank line and checks that each
// has a question and, unless unanswerable, a source.
func parseQuestions(r io.Reader) ([]Question, error) {
	var qs []Question
	sc := bufio.NewScanner(r)
	line := 0
	for sc.Scan() {
		line++
		raw := strings.TrimSpace(sc.Text())
		if raw == "" {
			continue
		}
		var q Question
		if err := json.Unmarshal([]byte(raw), &q); err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		switch {
		case strings.TrimSpace(q.Q) == "":
			return nil, fmt.Errorf("line %d: empty question", line)
		case q.Unanswerable && q.Source != "":
			return nil, fmt.Errorf("line %d: unanswerable question has source %q", line, q.Source)
		case !q.Unanswerable && q.Source == "":
			return nil, fmt.Errorf("line %d: question has no source", line)
		}
		qs = append(qs, q)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("line %d: %w", line+1, err)
	}
	return qs, nil
}

// Extract writes the demo corpus into dir, creating dir and its
// subdirectories as needed. A file already present with the same content is
// left untouched (its modification time too), so re-running Extract does not
// make a watching ingester see changes; a file with different content is
// overwritten. Files in dir that are not part of the corpus are left alone.
func Extract(dir string) error {
	corpus := Corpus()
	err := fs.WalkDir(corpus, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		target := filepath.Join(dir, filepath.FromSlash(p))
		if d.IsDir() {
			if err := os.MkdirAll(target, 0o755); err != nil {
				return err
			}
			return nil
		}
		want, err := fs.ReadFile(corpus, p)
		if err != nil {
			return err
		}
		have, err := os.ReadFile(target)
		switch {
		case err == nil && bytes.Equal(have, want):
			return nil
		case err != nil && !errors.Is(err, fs.ErrNotExist):
			return err
		}
		return os.WriteFile(target, want, 0o644)
	})
	if err != nil {
		return fmt.Errorf("demo: extract corpus to %s: %w", dir, err)
	}
	return nil
}
