package oplog

import (
	"strings"
	"time"

	"github.com/lorehq/lore/knowledge"
)

// Log formats accepted by Config.Format.
const (
	FormatCSV   = "csv"   // comma-separated with a header row
	FormatTSV   = "tsv"   // tab-separated with a header row
	FormatJSONL = "jsonl" // one JSON object per line
	FormatKV    = "kv"    // key=value pairs separated by blanks, one event per line
)

// Config says how to read a log and how to judge its cases. The zero value
// reads a CSV, JSONL or key=value log with commonly named columns, treats
// every case as one case type and knows no outcome.
type Config struct {
	// Format is one of the Format constants; "" detects it from the first
	// non-empty line ('{' → JSONL, key=value tokens → kv, tabs without
	// commas → TSV, else CSV).
	Format string

	// Column names (CSV header names, JSON keys or kv keys; matched without
	// regard to case). An empty name means the first of the usual names
	// present: case_id, case, case:concept:name, 案件编号, …; activity,
	// concept:name, 活动, 环节, …; timestamp, time, time:timestamp, 时间, …;
	// resource, org:resource, 处理人, 经办人, …; lifecycle,
	// lifecycle:transition, 状态. Case, activity and time are required;
	// resource and lifecycle are optional.
	CaseColumn, ActivityColumn, TimeColumn, ResourceColumn, LifecycleColumn string

	// TimeLayout is a Go time layout for the time column; "" accepts RFC 3339,
	// "2006-01-02 15:04:05", "2006/01/02 15:04", a date alone, and Unix
	// seconds or milliseconds.
	TimeLayout string
	// Location applies to times written without a zone; nil means UTC.
	Location *time.Location

	// LifecycleKeep lists, comma-separated, the lifecycle values whose events
	// are mined (e.g. "complete"); "" keeps every event. Events without a
	// lifecycle value are kept.
	LifecycleKeep string
	// Activities lists patterns of the activities that make up paths ('*'
	// matches any run of characters, e.g. "A_*"); empty keeps every
	// activity. Outcome and case type are judged on every event regardless.
	Activities []string

	Outcome  OutcomeRule
	CaseType CaseTypeRule

	// MinSupport is the least number of cases a path needs to be
	// recommended; <= 0 means 2. When no path has that many, the most
	// frequent path is recommended.
	MinSupport int
	// MinDeviationCases is the least number of cases that must skip a step
	// for the skip to be reported; <= 0 means 2.
	MinDeviationCases int
	// MinDeviationDrop is the least fall in success rate (0..1) for a skipped
	// step to be reported; <= 0 means 0.1.
	MinDeviationDrop float64
	// MaxDeviations caps the deviations per procedure; <= 0 means 5.
	MaxDeviations int
	// Examples is the number of example case ids kept per variant and
	// procedure; <= 0 means 3.
	Examples int
	// MaxWarnings caps the line warnings kept; later ones are counted in a
	// final warning. <= 0 means 100.
	MaxWarnings int
}

// OutcomeRule decides the outcome of a case. Outcome events are the events
// whose activity is one of Activities (any activity when Activities is empty
// and Column is set; the Success activities when both are empty). A case's
// outcome label is that of its last outcome event in time: the value of
// Column when Column is set, the activity otherwise. A case succeeds when
// its label is one of Success. A rule with no Success labels knows no
// outcome: success rates and deviations are not computed.
//
// "Success = the case reaches A_APPROVED" is {Success: ["A_APPROVED"]};
// adding Activities [A_APPROVED, A_DECLINED, A_CANCELLED] also labels the
// failures. "Success = 结案 with result 已解决" is {Activities: ["结案"],
// Column: "result", Success: ["已解决"]}.
type OutcomeRule struct {
	Activities []string
	Column     string
	Success    []string
}

// CaseTypeRule decides the case type of a case: the value of Column at the
// case's first event in time, or its first activity when FirstActivity is
// set. Cases whose value is empty, and every case when the rule is empty,
// get Default ("全部案件" when empty).
type CaseTypeRule struct {
	Column        string
	FirstActivity bool
	Default       string
}

// DefaultCaseType is the case type of cases the CaseTypeRule does not type.
const DefaultCaseType = "全部案件"

// Column synonyms tried, in order, when a column name is not configured.
var (
	caseNames      = []string{"case_id", "case", "caseid", "case:concept:name", "case id", "案件编号", "案件号", "工单号", "案件id"}
	activityNames  = []string{"activity", "concept:name", "event", "activity_name", "活动", "环节", "操作", "步骤"}
	timeNames      = []string{"timestamp", "time", "time:timestamp", "datetime", "时间", "发生时间", "操作时间"}
	resourceNames  = []string{"resource", "org:resource", "user", "agent", "处理人", "经办人", "操作人", "坐席"}
	lifecycleNames = []string{"lifecycle", "lifecycle:transition", "transition", "生命周期"}
)

// settings is a Config with its defaults applied and its lists indexed.
type settings struct {
	Config
	keepLifecycle map[string]bool // lower-case values; nil keeps all
	outcomeActs   map[string]bool // nil: see OutcomeRule
	successLabels map[string]bool
	hasOutcome    bool
}

func (c Config) settle() (*settings, error) {
	const op = "oplog.Mine"
	s := &settings{Config: c}
	switch strings.ToLower(strings.TrimSpace(c.Format)) {
	case "":
		s.Format = ""
	case FormatCSV, FormatTSV, FormatJSONL, FormatKV:
		s.Format = strings.ToLower(strings.TrimSpace(c.Format))
	case "ndjson", "json":
		s.Format = FormatJSONL
	default:
		return nil, knowledge.Errorf(knowledge.Invalid, op, "unknown log format %q (want csv, tsv, jsonl or kv) / 不支持的日志格式 %q", c.Format, c.Format)
	}
	if s.Location == nil {
		s.Location = time.UTC
	}
	if s.MinSupport <= 0 {
		s.MinSupport = 2
	}
	if s.MinDeviationCases <= 0 {
		s.MinDeviationCases = 2
	}
	if s.MinDeviationDrop <= 0 {
		s.MinDeviationDrop = 0.1
	}
	if s.MaxDeviations <= 0 {
		s.MaxDeviations = 5
	}
	if s.Examples <= 0 {
		s.Examples = 3
	}
	if s.MaxWarnings <= 0 {
		s.MaxWarnings = 100
	}
	if s.CaseType.Default == "" {
		s.CaseType.Default = DefaultCaseType
	}
	for _, v := range strings.Split(c.LifecycleKeep, ",") {
		if v = strings.ToLower(strings.TrimSpace(v)); v != "" {
			if s.keepLifecycle == nil {
				s.keepLifecycle = map[string]bool{}
			}
			s.keepLifecycle[v] = true
		}
	}
	for _, p := range c.Activities {
		if strings.TrimSpace(p) == "" {
			return nil, knowledge.Errorf(knowledge.Invalid, op, "empty activity pattern / 活动筛选条件为空")
		}
	}
	s.successLabels = set(c.Outcome.Success)
	s.hasOutcome = len(s.successLabels) > 0
	switch {
	case len(c.Outcome.Activities) > 0:
		s.outcomeActs = set(c.Outcome.Activities)
	case c.Outcome.Column == "" && s.hasOutcome:
		s.outcomeActs = s.successLabels
	}
	return s, nil
}

// isOutcomeActivity reports whether events of activity act carry an outcome.
func (s *settings) isOutcomeActivity(act string) bool {
	if s.outcomeActs != nil {
		return s.outcomeActs[act]
	}
	return s.Outcome.Column != ""
}

// keepActivity reports whether act matches the Activities patterns.
func (s *settings) keepActivity(act string) bool {
	if len(s.Activities) == 0 {
		return true
	}
	for _, p := range s.Activities {
		if match(p, act) {
			return true
		}
	}
	return false
}

func set(vals []string) map[string]bool {
	var m map[string]bool
	for _, v := range vals {
		if v = strings.TrimSpace(v); v != "" {
			if m == nil {
				m = map[string]bool{}
			}
			m[v] = true
		}
	}
	return m
}

// match reports whether s matches pattern, where '*' matches any run of
// characters and everything else matches itself.
func match(pattern, s string) bool {
	parts := strings.Split(pattern, "*")
	if len(parts) == 1 {
		return pattern == s
	}
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]
	last := parts[len(parts)-1]
	for _, p := range parts[1 : len(parts)-1] {
		i := strings.Index(s, p)
		if i < 0 {
			return false
		}
		s = s[i+len(p):]
	}
	return len(s) >= len(last) && strings.HasSuffix(s, last)
}
