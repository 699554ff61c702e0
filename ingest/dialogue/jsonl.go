package dialogue

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/lorehq/lore/ingest"
)

// Dialogue is one conversation between an agent and a customer.
type Dialogue struct {
	ID           string   `json:"id"`
	Channel      string   `json:"channel,omitempty"`
	Turns        []Turn   `json:"turns"`
	Outcome      string   `json:"outcome,omitempty"`
	Satisfaction float64  `json:"satisfaction,omitempty"`
	Labels       []string `json:"labels,omitempty"`
	Line         int      `json:"-"` // 1-based line in the file
}

// Turn is one utterance.
type Turn struct {
	Role string    `json:"role"` // "agent" or "customer" after Read
	Text string    `json:"text"`
	Time time.Time `json:"time,omitempty"`
}

// Roles.
const (
	Agent    = "agent"
	Customer = "customer"
)

// maxLine bounds one JSONL record, so a file without newlines cannot make
// the reader buffer it whole.
const maxLine = 4 << 20

// NormalizeRole maps the role names seen in exports to Agent or Customer;
// it returns "" for anything else.
func NormalizeRole(role string) string {
	switch strings.ToLower(strings.TrimSpace(role)) {
	case "agent", "staff", "service", "assistant", "客服", "坐席", "座席", "催收员", "专员":
		return Agent
	case "customer", "user", "client", "borrower", "客户", "用户", "借款人", "客人":
		return Customer
	}
	return ""
}

// Read parses JSONL dialogues. Malformed lines are reported in warnings as
// "line N: reason" and skipped. The error is non-nil only when the input
// cannot be read or holds no valid dialogue.
func Read(r io.Reader) (dialogues []Dialogue, warnings []string, err error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), maxLine)
	seen := map[string]int{}
	line := 0
	for sc.Scan() {
		line++
		raw := strings.TrimSpace(sc.Text())
		if raw == "" {
			continue
		}
		d, err := decode(raw)
		if err != nil {
			warnings = append(warnings, fmt.Sprintf("line %d: %v", line, err))
			continue
		}
		if first, dup := seen[d.ID]; dup {
			warnings = append(warnings, fmt.Sprintf("line %d: dialogue id %q already used on line %d / 对话编号重复", line, d.ID, first))
			continue
		}
		seen[d.ID] = line
		d.Line = line
		dialogues = append(dialogues, d)
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, warnings, fmt.Errorf("line %d is longer than %d bytes / 单行过长", line+1, maxLine)
		}
		return nil, warnings, fmt.Errorf("read dialogues / 读取对话失败: %w", err)
	}
	if len(dialogues) == 0 {
		if len(warnings) > 0 {
			return nil, warnings, fmt.Errorf("no valid dialogue; first problem: %s / 没有有效的对话记录", warnings[0])
		}
		return nil, nil, errors.New("empty file / 文件为空")
	}
	return dialogues, warnings, nil
}

func decode(raw string) (Dialogue, error) {
	var d Dialogue
	if !utf8.ValidString(raw) {
		return d, errors.New("not valid UTF-8 / 不是有效的 UTF-8 文本")
	}
	dec := json.NewDecoder(strings.NewReader(raw))
	if err := dec.Decode(&d); err != nil {
		return d, fmt.Errorf("not a JSON dialogue object / 不是有效的 JSON 对话: %w", err)
	}
	if dec.More() {
		return d, errors.New("more than one JSON value on the line / 一行只能有一个 JSON 对象")
	}
	d.ID = strings.TrimSpace(d.ID)
	if d.ID == "" {
		return d, errors.New(`missing "id" / 缺少对话编号 id`)
	}
	if len(d.Turns) == 0 {
		return d, fmt.Errorf("dialogue %s has no turns / 对话没有内容", d.ID)
	}
	for i := range d.Turns {
		t := &d.Turns[i]
		role := NormalizeRole(t.Role)
		if role == "" {
			return d, fmt.Errorf("dialogue %s turn %d: unknown role %q (want agent or customer) / 未知角色", d.ID, i+1, t.Role)
		}
		t.Role = role
		t.Text = strings.TrimSpace(t.Text)
	}
	return d, nil
}

// Parser is the ingest.Parser for JSONL dialogue files: every turn becomes
// a Turn block carrying its dialogue id, role and turn number.
type Parser struct{}

var _ ingest.Parser = (*Parser)(nil)

// NewParser returns a JSONL dialogue parser.
func NewParser() *Parser { return &Parser{} }

// Parse implements ingest.Parser.
func (*Parser) Parse(ctx context.Context, name string, r io.Reader) (*ingest.Document, error) {
	ds, warnings, err := Read(r)
	if err != nil {
		return nil, err
	}
	doc := &ingest.Document{Format: "dialogue-jsonl", Warnings: warnings}
	for _, d := range ds {
		for i, t := range d.Turns {
			if t.Text == "" {
				continue
			}
			doc.Blocks = append(doc.Blocks, ingest.Block{
				Kind: ingest.Turn, Text: t.Text, Line: d.Line,
				Dialogue: d.ID, Role: t.Role, TurnNo: i + 1,
			})
		}
	}
	return doc, nil
}
