package csv

import (
	"context"
	stdcsv "encoding/csv"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/lorehq/lore/ingest"
	"github.com/lorehq/lore/ingest/text"
)

// ErrNoText is returned for a file whose records are all empty.
var ErrNoText = errors.New("no data in the file / 文件中没有数据")

// Parser parses CSV and TSV files. The zero value is ready to use.
type Parser struct{}

var _ ingest.Parser = (*Parser)(nil)

// New returns a CSV parser.
func New() *Parser { return &Parser{} }

const (
	// sniffRecords is how many records the delimiter is sniffed from.
	sniffRecords = 50
	// maxRecordLines is the number of lines above which a record is
	// reported as probably joined by an unclosed quote.
	maxRecordLines = 50
	// maxWarnings caps the warnings of one file.
	maxWarnings = 20
)

// delimiters are the candidates, in tie-break order.
var delimiters = []rune{',', '\t', ';'}

// Parse implements ingest.Parser. The document's Format is "csv".
func (p *Parser) Parse(ctx context.Context, name string, r io.Reader) (*ingest.Document, error) {
	s, err := text.Read(ctx, "csv", name, r)
	if err != nil {
		return nil, err
	}
	line := 1
	delim, ok := sepLine(s)
	if ok {
		_, s, _ = strings.Cut(s, "\n")
		line = 2
	} else {
		delim = Sniff(s, strings.EqualFold(path.Ext(name), ".tsv"))
	}

	doc := &ingest.Document{Format: "csv"}
	cr := stdcsv.NewReader(strings.NewReader(s))
	cr.Comma = delim
	cr.LazyQuotes = true
	cr.FieldsPerRecord = -1
	var rows []ingest.Row
	for n := 0; ; n++ {
		if n%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, fmt.Errorf("csv: parse %s: %w", name, err)
			}
		}
		fields, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		var pe *stdcsv.ParseError
		switch {
		case errors.As(err, &pe):
			// With LazyQuotes this is not expected; the reader goes on
			// with the next record.
			no := pe.StartLine + line - 1
			warn(doc, fmt.Sprintf("line %d: malformed record skipped / 第 %d 行格式错误，已跳过: %v", no, no, pe.Err))
			continue
		case err != nil:
			return nil, fmt.Errorf("cannot read file / 无法读取文件: %w", err)
		case len(fields) == 0:
			continue // encoding/csv returns no empty records; FieldPos needs a field
		}
		start, _ := cr.FieldPos(0)
		start += line - 1
		last, _ := cr.FieldPos(len(fields) - 1)
		if span := last + line - 1 - start + strings.Count(fields[len(fields)-1], "\n") + 1; span > maxRecordLines {
			warn(doc, fmt.Sprintf("line %d: record spans %d lines, a quote may be unclosed / 第 %d 行的记录跨 %d 行，可能有未闭合的引号",
				start, span, start, span))
		}
		if cells := ingest.TrimCells(fields); len(cells) > 0 {
			rows = append(rows, ingest.Row{Line: start, Cells: cells})
		}
	}
	if len(rows) == 0 {
		return nil, ErrNoText
	}
	doc.Blocks = ingest.AppendTable(nil, rows)
	return doc, nil
}

// sepLine reads Excel's "sep=X" first line, which names the delimiter.
func sepLine(s string) (rune, bool) {
	first, _, _ := strings.Cut(s, "\n")
	first = strings.TrimRight(first, "\r")
	if len(first) == 5 && strings.HasPrefix(strings.ToLower(first), "sep=") {
		return rune(first[4]), first[4] != '"' && first[4] != '\r' && first[4] != '\n'
	}
	return 0, false
}

// Sniff returns the delimiter of delimited text s: the candidate (comma,
// tab, semicolon) that splits most of the first records into the same
// number of fields, at least two; more fields break a tie, then the order
// of the candidates, with tab first when preferTab is set. Quoted fields
// are honoured. Text no candidate splits gives comma.
func Sniff(s string, preferTab bool) rune {
	order := delimiters
	if preferTab {
		order = []rune{'\t', ',', ';'}
	}
	best, bestScore, bestFields := ',', 0, 0
	for _, d := range order {
		score, fields := consistency(s, d)
		if score > bestScore || score == bestScore && score > 0 && fields > bestFields {
			best, bestScore, bestFields = d, score, fields
		}
	}
	return best
}

// consistency splits the first sniffRecords non-empty records of s at d,
// honouring quotes, and returns how many of them have the most common field
// count, with that count; 0, 0 when the most common count is below two.
func consistency(s string, d rune) (score, fields int) {
	counts := map[int]int{}
	inQuote, atStart := false, true
	n, records := 1, 0
	blank := true
	for _, r := range s {
		switch {
		case r == '"' && (inQuote || atStart):
			inQuote = !inQuote
			blank = false
		case inQuote:
		case r == d:
			n++
			blank = false
			atStart = true
			continue
		case r == '\n':
			if !blank {
				counts[n]++
				records++
				if records == sniffRecords {
					return best(counts)
				}
			}
			n, blank, atStart = 1, true, true
			continue
		case r != '\r' && r != ' ':
			blank = false
		}
		atStart = false
	}
	if !blank {
		counts[n]++
	}
	return best(counts)
}

// best returns the frequency and value of the most common field count,
// preferring more fields on a tie, or 0, 0 when it is below two.
func best(counts map[int]int) (score, fields int) {
	for f, c := range counts {
		if c > score || c == score && f > fields {
			score, fields = c, f
		}
	}
	if fields < 2 {
		return 0, 0
	}
	return score, fields
}

// warn adds a warning to doc, up to maxWarnings.
func warn(doc *ingest.Document, s string) {
	if len(doc.Warnings) < maxWarnings {
		doc.Warnings = append(doc.Warnings, s)
	}
}
