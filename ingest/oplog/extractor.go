package oplog

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/lorehq/lore/knowledge"
)

// Extractor turns whole operation-log files into procedure items. It reads
// the file itself, so it needs no ingest.Parser: the pipeline hands it the
// file's bytes for the files it routes to operation logs.
type Extractor struct {
	cfg Config
}

// NewExtractor returns an extractor that mines every file with cfg. When
// cfg.Format is empty the file name's extension (FormatForName) and then its
// content decide the format.
func NewExtractor(cfg Config) *Extractor { return &Extractor{cfg: cfg} }

// ExtractFile mines one log. name is the file's source name, used in the
// items' provenance and in messages. warnings name the malformed lines that
// were skipped; err is non-nil when nothing could be mined (its
// knowledge.ErrorMessage says why, for the quarantine reason) or ctx ended.
func (e *Extractor) ExtractFile(ctx context.Context, name string, r io.Reader) (items []knowledge.Item, warnings []string, err error) {
	cfg := e.cfg
	if cfg.Format == "" {
		cfg.Format = FormatForName(name)
	}
	res, err := Mine(ctx, r, cfg)
	if err != nil {
		return nil, nil, fmt.Errorf("oplog: %s: %w", name, err)
	}
	return res.Procedures(name), res.Warnings, nil
}

// Accepts reports whether the file looks like an event log this extractor
// can mine: its first record (a CSV/TSV header, a JSON object or a
// key=value line) names a case, an activity and a time column, as
// configured or by the usual names.
func (e *Extractor) Accepts(name string, head []byte) bool {
	line := string(head)
	if i := strings.IndexByte(line, '\n'); i >= 0 {
		line = line[:i]
	}
	line = strings.TrimSpace(strings.TrimPrefix(line, "\ufeff"))
	var keys []string
	switch {
	case strings.HasPrefix(line, "{"):
		var obj map[string]json.RawMessage
		if json.Unmarshal([]byte(line), &obj) != nil {
			return false
		}
		for k := range obj {
			keys = append(keys, k)
		}
	case looksKV(line):
		for _, f := range strings.Fields(line) {
			if k, _, ok := strings.Cut(f, "="); ok {
				keys = append(keys, k)
			}
		}
	default:
		sep := ","
		if strings.Count(line, "\t") > strings.Count(line, ",") {
			sep = "\t"
		}
		for _, k := range strings.Split(line, sep) {
			keys = append(keys, strings.Trim(strings.TrimSpace(k), `"`))
		}
	}
	have := map[string]bool{}
	for _, k := range keys {
		have[strings.ToLower(strings.TrimSpace(k))] = true
	}
	found := func(configured string, synonyms []string) bool {
		if configured != "" {
			return have[strings.ToLower(configured)]
		}
		for _, s := range synonyms {
			if have[s] {
				return true
			}
		}
		return false
	}
	return found(e.cfg.CaseColumn, caseNames) && found(e.cfg.ActivityColumn, activityNames) && found(e.cfg.TimeColumn, timeNames)
}
