package oplog

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/lorehq/lore/knowledge"
)

// Fields of a row, in the order of row.f.
const (
	fCase = iota
	fActivity
	fTime
	fResource
	fLifecycle
	fType    // CaseTypeRule.Column
	fOutcome // OutcomeRule.Column
	nFields
)

var fieldLabels = [nFields]string{"case / 案件编号", "activity / 活动", "time / 时间", "resource / 处理人", "lifecycle / 生命周期", "case type / 案件类型", "outcome / 结果"}

// row is one event as read, before interning. Its strings may point into
// reader buffers and are valid only until the next row.
type row struct {
	line int
	f    [nFields]string
}

// columns maps the fields of a row to column names.
type columns struct {
	names    [nFields]string   // configured or resolved name; "" while unresolved
	synonyms [nFields][]string // tried in order while names[i] is ""
	wanted   [nFields]bool     // the field is used at all
}

func newColumns(s *settings) *columns {
	c := &columns{}
	c.names = [nFields]string{s.CaseColumn, s.ActivityColumn, s.TimeColumn, s.ResourceColumn, s.LifecycleColumn, s.CaseType.Column, s.Outcome.Column}
	if s.CaseType.FirstActivity {
		c.names[fType] = ""
	}
	c.synonyms = [nFields][]string{caseNames, activityNames, timeNames, resourceNames, lifecycleNames, nil, nil}
	for i := range c.names {
		c.names[i] = strings.TrimSpace(c.names[i])
		c.wanted[i] = c.names[i] != "" || c.synonyms[i] != nil
	}
	return c
}

// maxLine bounds one JSONL or kv line; longer lines are skipped with a
// warning, so a file without newlines cannot make the reader buffer it whole.
const maxLine = 1 << 20

// FormatForName returns the log format a file name suggests by its
// extension, or "" when it suggests none (the content decides then).
func FormatForName(name string) string {
	switch strings.ToLower(path.Ext(strings.ReplaceAll(name, "\\", "/"))) {
	case ".csv":
		return FormatCSV
	case ".tsv", ".tab":
		return FormatTSV
	case ".jsonl", ".ndjson":
		return FormatJSONL
	case ".kv":
		return FormatKV
	}
	return ""
}

// detect guesses the format from the first non-empty, non-comment line.
func detect(br *bufio.Reader) string {
	b, _ := br.Peek(64 << 10)
	b = bytes.TrimPrefix(b, []byte("\uFEFF"))
	for len(b) > 0 {
		line := b
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			line, b = b[:i], b[i+1:]
		} else {
			b = nil
		}
		t := strings.TrimSpace(string(line))
		if t == "" || t[0] == '#' {
			continue
		}
		switch {
		case t[0] == '{':
			return FormatJSONL
		case looksKV(t):
			return FormatKV
		case strings.Contains(t, "\t") && !strings.Contains(t, ","):
			return FormatTSV
		}
		return FormatCSV
	}
	return FormatCSV
}

// looksKV reports whether a line starts with a key=value token.
func looksKV(t string) bool {
	tok, _, _ := strings.Cut(t, " ")
	tok, _, _ = strings.Cut(tok, "\t")
	k, _, ok := strings.Cut(tok, "=")
	return ok && k != "" && !strings.ContainsAny(k, ",\"';|")
}

// readRows reads every row of the log and hands it to emit; malformed lines
// go to warn. It fails only when the input cannot be read, the header lacks
// a configured or required column, or ctx ends.
func readRows(ctx context.Context, r io.Reader, s *settings, emit func(*row), warn func(line int, msg string)) error {
	br := bufio.NewReaderSize(r, 64<<10)
	format := s.Format
	if format == "" {
		format = detect(br)
	}
	cols := newColumns(s)
	switch format {
	case FormatCSV:
		return readCSV(ctx, br, ',', cols, emit, warn)
	case FormatTSV:
		return readCSV(ctx, br, '\t', cols, emit, warn)
	case FormatJSONL:
		return readLines(ctx, br, cols, jsonLine, emit, warn)
	default:
		return readLines(ctx, br, cols, kvLine, emit, warn)
	}
}

func readCSV(ctx context.Context, br *bufio.Reader, comma rune, cols *columns, emit func(*row), warn func(int, string)) error {
	const op = "oplog.Mine"
	cr := csv.NewReader(br)
	cr.Comma = comma
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err == io.EOF {
		return knowledge.Errorf(knowledge.Invalid, op, "empty log / 日志为空")
	}
	if err != nil {
		return knowledge.Errorf(knowledge.Invalid, op, "cannot read the header row / 无法读取表头: %w", err)
	}
	var idx [nFields]int
	for i := range idx {
		idx[i] = -1
		if !cols.wanted[i] {
			continue
		}
		names := cols.synonyms[i]
		if cols.names[i] != "" {
			names = []string{cols.names[i]}
		}
	find:
		for _, n := range names {
			for j, h := range header {
				if strings.EqualFold(strings.TrimSpace(strings.TrimPrefix(h, "\uFEFF")), n) {
					idx[i] = j
					break find
				}
			}
		}
		if idx[i] < 0 && (i <= fTime || cols.names[i] != "") {
			return knowledge.Errorf(knowledge.Invalid, op, "the header has no %s column (looked for %s; header: %s) / 表头中找不到%s列",
				fieldLabels[i], strings.Join(names, ", "), strings.Join(header, ","), fieldLabels[i])
		}
	}
	var rw row
	for n := 0; ; n++ {
		if n&4095 == 0 {
			if err := ctx.Err(); err != nil {
				return fmt.Errorf("oplog: %w", err)
			}
		}
		rec, err := cr.Read()
		if err == io.EOF {
			return nil
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			warn(pe.StartLine, "malformed CSV: "+pe.Err.Error()+" / CSV 格式错误")
			continue
		}
		if err != nil {
			return fmt.Errorf("oplog: read log: %w", err)
		}
		rw.line, _ = cr.FieldPos(0)
		for i, j := range idx {
			rw.f[i] = ""
			if j >= 0 && j < len(rec) {
				rw.f[i] = strings.TrimSpace(rec[j])
			}
		}
		emit(&rw)
	}
}

// lineDecoder splits one line into key/value pairs, appending to kvs.
type lineDecoder func(line []byte, kvs []pair) ([]pair, error)

type pair struct{ k, v string }

func readLines(ctx context.Context, br *bufio.Reader, cols *columns, decode lineDecoder, emit func(*row), warn func(int, string)) error {
	var (
		rw   row
		kvs  []pair
		buf  []byte
		line int
	)
	for {
		if line&4095 == 0 {
			if err := ctx.Err(); err != nil {
				return fmt.Errorf("oplog: %w", err)
			}
		}
		b, tooLong, err := nextLine(br, buf[:0])
		buf = b[:0]
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("oplog: read log: %w", err)
		}
		line++
		if tooLong {
			warn(line, fmt.Sprintf("line longer than %d bytes / 行过长", maxLine))
			continue
		}
		if line == 1 {
			b = bytes.TrimPrefix(b, []byte("\uFEFF"))
		}
		b = bytes.TrimSpace(b)
		if len(b) == 0 || b[0] == '#' {
			continue
		}
		kvs, err = decode(b, kvs[:0])
		if err != nil {
			warn(line, err.Error())
			continue
		}
		rw.line = line
		for i := range rw.f {
			rw.f[i] = ""
			if !cols.wanted[i] {
				continue
			}
			if cols.names[i] != "" {
				rw.f[i], _ = lookup(kvs, cols.names[i])
				continue
			}
			for _, syn := range cols.synonyms[i] {
				if v, ok := lookup(kvs, syn); ok {
					rw.f[i] = v
					cols.names[i] = syn // the log uses this name from now on
					break
				}
			}
		}
		emit(&rw)
	}
}

func lookup(kvs []pair, name string) (string, bool) {
	for _, p := range kvs {
		if p.k == name {
			return p.v, true
		}
	}
	for _, p := range kvs {
		if strings.EqualFold(p.k, name) {
			return p.v, true
		}
	}
	return "", false
}

// nextLine reads one line into buf without its line ending. tooLong reports
// a line over maxLine, whose content is dropped.
func nextLine(br *bufio.Reader, buf []byte) (line []byte, tooLong bool, err error) {
	got := false
	for {
		chunk, err := br.ReadSlice('\n')
		if len(chunk) > 0 {
			got = true
		}
		if !tooLong {
			if len(buf)+len(chunk) > maxLine {
				tooLong, buf = true, buf[:0]
			} else {
				buf = append(buf, chunk...)
			}
		}
		switch {
		case err == bufio.ErrBufferFull:
			continue
		case err == io.EOF && got:
			return bytes.TrimRight(buf, "\r\n"), tooLong, nil
		case err != nil:
			return buf, false, err
		}
		return bytes.TrimRight(buf, "\r\n"), tooLong, nil
	}
}

// jsonLine decodes a JSON object; scalar values become strings (numbers as
// written, null as ""), nested values are skipped.
func jsonLine(line []byte, kvs []pair) ([]pair, error) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(line, &obj); err != nil {
		return kvs, errors.New("not a JSON object / 不是 JSON 对象: " + shorten(err.Error()))
	}
	for k, raw := range obj {
		raw = bytes.TrimSpace(raw)
		if len(raw) == 0 {
			continue
		}
		var v string
		switch raw[0] {
		case '"':
			if err := json.Unmarshal(raw, &v); err != nil {
				continue
			}
		case '{', '[':
			continue
		case 'n':
			v = ""
		default:
			v = string(raw)
		}
		kvs = append(kvs, pair{k, strings.TrimSpace(v)})
	}
	return kvs, nil
}

// kvLine decodes `key=value key="quoted value"` tokens separated by blanks.
func kvLine(line []byte, kvs []pair) ([]pair, error) {
	s := string(line)
	for {
		s = strings.TrimLeft(s, " \t")
		if s == "" {
			return kvs, nil
		}
		eq := strings.IndexByte(s, '=')
		sp := strings.IndexAny(s, " \t")
		if eq <= 0 || (sp >= 0 && sp < eq) {
			tok := s
			if sp >= 0 {
				tok = s[:sp]
			}
			return kvs, fmt.Errorf("token %q is not key=value / 不是 key=value 形式", shorten(tok))
		}
		k := s[:eq]
		s = s[eq+1:]
		var v string
		if strings.HasPrefix(s, `"`) {
			end := closingQuote(s)
			if end < 0 {
				return kvs, fmt.Errorf("unterminated quote after %s= / 引号未闭合", shorten(k))
			}
			q := s[:end+1]
			s = s[end+1:]
			u, err := strconv.Unquote(q)
			if err != nil {
				u = q[1 : len(q)-1]
			}
			v = u
		} else {
			end := strings.IndexAny(s, " \t")
			if end < 0 {
				end = len(s)
			}
			v, s = s[:end], s[end:]
		}
		kvs = append(kvs, pair{k, strings.TrimSpace(v)})
	}
}

// closingQuote returns the index of the quote closing the one at s[0], or -1.
func closingQuote(s string) int {
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '"':
			return i
		}
	}
	return -1
}

// shorten keeps messages about bad input short and valid UTF-8.
func shorten(s string) string {
	const n = 60
	if len(s) <= n {
		return strings.ToValidUTF8(s, "?")
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return strings.ToValidUTF8(s[:cut], "?") + "…"
}
