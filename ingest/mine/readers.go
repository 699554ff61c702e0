package mine

import (
	"bytes"
	"cmp"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/lorehq/lore/ingest/dialogue"
	"github.com/lorehq/lore/ingest/text"
)

// maxInput bounds what the readers load into memory.
const maxInput = 256 << 20

// csvColumns maps header names (lower case) to fields.
var csvColumns = map[string]string{
	"dialogue_id": "id", "dialogue": "id", "id": "id", "conversation_id": "id", "session_id": "id", "session": "id",
	"对话id": "id", "对话编号": "id", "会话id": "id", "会话编号": "id",
	"turn": "turn", "turn_no": "turn", "seq": "turn", "index": "turn", "轮次": "turn", "序号": "turn",
	"role": "role", "speaker": "role", "角色": "role", "说话人": "role", "发言人": "role",
	"text": "text", "content": "text", "utterance": "text", "message": "text", "内容": "text", "文本": "text", "话术": "text",
	"time": "time", "timestamp": "time", "时间": "time",
	"outcome": "outcome", "result": "outcome", "结果": "outcome",
	"satisfaction": "satisfaction", "csat": "satisfaction", "满意度": "satisfaction",
	"channel": "channel", "渠道": "channel",
}

// ReadCSV reads a CSV export with a header row naming at least the
// dialogue id, role and text columns (dialogue_id/对话编号, role/角色,
// text/内容; turn, time, outcome, satisfaction and channel are optional).
// Rows are grouped by dialogue id in order of first appearance and sorted
// by turn number when there is one. A row with an unknown role or no text
// is skipped with a warning naming its line. GBK/GB18030 and UTF-16 files
// are decoded.
func ReadCSV(r io.Reader) (dialogues []dialogue.Dialogue, warnings []string, err error) {
	src, err := readText(r)
	if err != nil {
		return nil, nil, err
	}
	cr := csv.NewReader(strings.NewReader(src))
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil, errors.New("empty file / 文件为空")
		}
		return nil, nil, fmt.Errorf("read CSV header / 读取表头失败: %w", err)
	}
	col := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\uFEFF")))
		if f, ok := csvColumns[h]; ok {
			if _, dup := col[f]; !dup {
				col[f] = i
			}
		}
	}
	for _, need := range []string{"id", "role", "text"} {
		if _, ok := col[need]; !ok {
			return nil, nil, fmt.Errorf("CSV header %q has no %s column (want dialogue_id, role, text) / 表头缺少 %s 列", strings.Join(header, ","), need, need)
		}
	}
	get := func(rec []string, f string) string {
		if i, ok := col[f]; ok && i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	type row struct {
		turn int
		t    dialogue.Turn
	}
	byID := map[string]*dialogue.Dialogue{}
	rows := map[string][]row{}
	var ids []string
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			warnings = append(warnings, fmt.Sprintf("line %d: %v / CSV 格式错误", line, err))
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				continue
			}
			return nil, warnings, fmt.Errorf("read CSV / 读取 CSV 失败: %w", err)
		}
		id := get(rec, "id")
		role := dialogue.NormalizeRole(get(rec, "role"))
		txt := get(rec, "text")
		switch {
		case id == "":
			warnings = append(warnings, fmt.Sprintf("line %d: no dialogue id / 缺少对话编号", line))
			continue
		case role == "":
			warnings = append(warnings, fmt.Sprintf("line %d: unknown role %q (want agent or customer) / 未知角色", line, get(rec, "role")))
			continue
		case txt == "":
			continue
		}
		d := byID[id]
		if d == nil {
			d = &dialogue.Dialogue{ID: id, Line: line}
			byID[id] = d
			ids = append(ids, id)
		}
		if o := get(rec, "outcome"); o != "" && d.Outcome == "" {
			d.Outcome = o
		}
		if s := get(rec, "satisfaction"); s != "" && d.Satisfaction == 0 {
			if v, err := strconv.ParseFloat(s, 64); err == nil && v > 0 && v <= 10 {
				d.Satisfaction = v
			}
		}
		if c := get(rec, "channel"); c != "" && d.Channel == "" {
			d.Channel = c
		}
		turn, _ := strconv.Atoi(get(rec, "turn"))
		rows[id] = append(rows[id], row{turn: turn, t: dialogue.Turn{Role: role, Text: txt, Time: parseTime(get(rec, "time"))}})
	}
	for _, id := range ids {
		rs := rows[id]
		slices.SortStableFunc(rs, func(a, b row) int { return cmp.Compare(a.turn, b.turn) })
		d := byID[id]
		for _, r := range rs {
			d.Turns = append(d.Turns, r.t)
		}
		dialogues = append(dialogues, *d)
	}
	if len(dialogues) == 0 {
		return nil, warnings, errors.New("no dialogue rows / 没有有效的对话记录")
	}
	return dialogues, warnings, nil
}

var timeLayouts = []string{time.RFC3339, "2006-01-02 15:04:05", "2006-01-02T15:04:05", "2006/01/02 15:04:05", "2006-01-02 15:04"}

func parseTime(s string) time.Time {
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t
		}
	}
	return time.Time{}
}

// ReadTranscript reads plain transcripts with role prefixes, one turn a
// line: 客服：… 坐席：… 客户：… 用户：… Agent: … Customer: … (a leading
// [time] is ignored; 客服王敏： counts as 客服). A line without a role prefix
// continues the turn before it. Dialogues are separated by header lines
// (=== id ===, ### id, 对话 id, Dialogue: id) or, in a file with no header
// line, by blank lines. Lines 结果：/Outcome: and 满意度：/Satisfaction: set
// the dialogue's labels. Dialogues without an id are named prefix#N.
func ReadTranscript(r io.Reader, prefix string) (dialogues []dialogue.Dialogue, warnings []string, err error) {
	src, err := readText(r)
	if err != nil {
		return nil, nil, err
	}
	lines := strings.Split(strings.ReplaceAll(src, "\r\n", "\n"), "\n")
	headers := false
	for _, l := range lines {
		if _, ok := transcriptHeader(l); ok {
			headers = true
			break
		}
	}
	var cur *dialogue.Dialogue
	flush := func() {
		if cur != nil && len(cur.Turns) > 0 {
			if cur.ID == "" {
				cur.ID = fmt.Sprintf("%s#%d", prefix, len(dialogues)+1)
			}
			dialogues = append(dialogues, *cur)
		}
		cur = nil
	}
	for i, l := range lines {
		line := strings.TrimSpace(l)
		if id, ok := transcriptHeader(line); ok {
			flush()
			cur = &dialogue.Dialogue{ID: id, Line: i + 1}
			continue
		}
		if line == "" {
			if !headers {
				flush()
			}
			continue
		}
		if cur == nil {
			cur = &dialogue.Dialogue{Line: i + 1}
		}
		if key, val, ok := metaLine(line); ok {
			switch key {
			case "outcome":
				cur.Outcome = val
			case "satisfaction":
				if v, err := strconv.ParseFloat(val, 64); err == nil && v > 0 && v <= 10 {
					cur.Satisfaction = v
				}
			}
			continue
		}
		if role, txt, ok := roleLine(line); ok {
			cur.Turns = append(cur.Turns, dialogue.Turn{Role: role, Text: txt})
			continue
		}
		if n := len(cur.Turns); n > 0 {
			cur.Turns[n-1].Text += joinSep(cur.Turns[n-1].Text, line) + line
			continue
		}
		warnings = append(warnings, fmt.Sprintf("line %d: no role prefix (want 客服： or 客户：) / 缺少角色前缀", i+1))
	}
	flush()
	seen := map[string]bool{}
	out := dialogues[:0]
	for _, d := range dialogues {
		if seen[d.ID] {
			warnings = append(warnings, fmt.Sprintf("line %d: dialogue id %q already used / 对话编号重复", d.Line, d.ID))
			continue
		}
		seen[d.ID] = true
		out = append(out, d)
	}
	if len(out) == 0 {
		return nil, warnings, errors.New("no dialogue with role-prefixed turns / 没有带角色前缀的对话")
	}
	return out, warnings, nil
}

func joinSep(prev, next string) string {
	if prev == "" {
		return ""
	}
	last, _ := utf8.DecodeLastRuneInString(prev)
	first, _ := utf8.DecodeRuneInString(next)
	if last < 0x80 && first < 0x80 {
		return " "
	}
	return ""
}

// transcriptHeader recognises a dialogue header line and returns its id.
func transcriptHeader(line string) (string, bool) {
	l := strings.TrimSpace(line)
	switch {
	case strings.HasPrefix(l, "===") && strings.HasSuffix(l, "===") && len(l) > 6:
		return strings.TrimSpace(strings.Trim(l, "=")), true
	case strings.HasPrefix(l, "###"):
		return strings.TrimSpace(strings.TrimLeft(l, "#")), true
	}
	for _, p := range []string{"对话编号", "对话", "dialogue", "Dialogue", "会话"} {
		if rest, ok := strings.CutPrefix(l, p); ok {
			rest = strings.TrimSpace(rest)
			rest = strings.TrimLeft(rest, ":：# ")
			if rest != "" && !strings.ContainsAny(rest, " 　，。") && strings.ContainsAny(rest, "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") && utf8.RuneCountInString(rest) <= 40 {
				return rest, true
			}
		}
	}
	return "", false
}

// metaLine recognises 结果：…, Outcome: …, 满意度：…, Satisfaction: … lines.
func metaLine(line string) (key, val string, ok bool) {
	head, val, found := cutColon(line)
	if !found {
		return "", "", false
	}
	switch strings.ToLower(strings.TrimSpace(head)) {
	case "结果", "outcome", "result":
		return "outcome", strings.TrimSpace(val), true
	case "满意度", "satisfaction", "csat":
		return "satisfaction", strings.TrimSpace(val), true
	}
	return "", "", false
}

// roleLine splits "客服：您好" into its normalised role and text.
func roleLine(line string) (role, txt string, ok bool) {
	l := line
	if strings.HasPrefix(l, "[") {
		if k := strings.Index(l, "]"); k > 0 {
			l = strings.TrimSpace(l[k+1:])
		}
	}
	head, rest, found := cutColon(l)
	if !found || utf8.RuneCountInString(head) > 12 {
		return "", "", false
	}
	head = strings.TrimSpace(head)
	if r := dialogue.NormalizeRole(head); r != "" {
		return r, strings.TrimSpace(rest), true
	}
	for _, p := range []string{"客服", "坐席", "座席", "催收员", "专员", "客户", "用户", "借款人"} {
		if strings.HasPrefix(head, p) {
			return dialogue.NormalizeRole(p), strings.TrimSpace(rest), true
		}
	}
	return "", "", false
}

// cutColon splits at the first full- or half-width colon.
func cutColon(s string) (before, after string, found bool) {
	i := strings.IndexAny(s, ":：")
	if i < 0 {
		return s, "", false
	}
	_, size := utf8.DecodeRuneInString(s[i:])
	return s[:i], s[i+size:], true
}

// readText reads at most maxInput bytes and decodes them to UTF-8.
func readText(r io.Reader) (string, error) {
	b, err := io.ReadAll(io.LimitReader(r, maxInput+1))
	if err != nil {
		return "", fmt.Errorf("read / 读取失败: %w", err)
	}
	if len(b) > maxInput {
		return "", fmt.Errorf("file larger than %d bytes / 文件过大", maxInput)
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return "", errors.New("empty file / 文件为空")
	}
	s, _, err := text.Decode(b)
	if err != nil {
		return "", fmt.Errorf("decode text / 文本解码失败: %w", err)
	}
	return s, nil
}
