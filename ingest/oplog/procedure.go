package oplog

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/lorehq/lore/knowledge"
)

// Procedures renders one KindProcedure item per case type that has a
// recommended path, in the order of Result.Types. The Procedure's Cases,
// SuccessRate and MedianDuration are those of the cases that followed the
// recommended path exactly; the Body also gives the case type's overall
// figures. Provenance names source (may be empty: the ingest pipeline sets
// it), up to Config.Examples example case ids of the path and the first line
// of the first of them. Items have no ID, space or status; Confidence is the
// Wilson lower bound of the path's success rate (of its share of the type's
// cases without an outcome rule), at least 0.05.
func (r *Result) Procedures(source string) []knowledge.Item {
	var items []knowledge.Item
	for i := range r.Types {
		ts := &r.Types[i]
		if ts.Recommended < 0 || ts.Recommended >= len(r.Variants) {
			continue
		}
		v := &r.Variants[ts.Recommended]
		p := &knowledge.Procedure{
			CaseType:       ts.CaseType,
			Steps:          ts.Steps,
			Cases:          v.Cases,
			SuccessRate:    v.SuccessRate,
			MedianDuration: v.MedianDuration,
			Deviations:     ts.Deviations,
		}
		conf := wilsonLow(v.Cases, ts.Cases)
		if r.Outcome {
			conf = wilsonLow(v.Successes, v.Cases)
		}
		conf = math.Max(0.05, math.Round(conf*100)/100)
		items = append(items, knowledge.Item{
			Kind:       knowledge.KindProcedure,
			Title:      ts.CaseType + " · 推荐处理流程 / Recommended procedure",
			Body:       r.body(ts, v),
			Provenance: []knowledge.Provenance{{Source: source, Cases: v.Examples, Line: ts.Line}},
			Confidence: conf,
			Procedure:  p,
		})
	}
	return items
}

// body writes the readable text of a procedure.
func (r *Result) body(ts *TypeStats, v *Variant) string {
	var b strings.Builder
	fmt.Fprintf(&b, "案件类型 Case type：%s\n", ts.CaseType)
	fmt.Fprintf(&b, "共 %d 个案件", ts.Cases)
	if r.Outcome {
		fmt.Fprintf(&b, "，成功率 %s（%d/%d）", pct(ts.SuccessRate), ts.Successes, ts.Cases)
	}
	fmt.Fprintf(&b, "，中位办理时长 %s；%d 种路径。\n", span(ts.MedianDuration), ts.Variants)
	fmt.Fprintf(&b, "推荐路径 Recommended path（%d 个案件", v.Cases)
	if r.Outcome {
		fmt.Fprintf(&b, "，成功率 %s", pct(v.SuccessRate))
	}
	fmt.Fprintf(&b, "，中位时长 %s）：%s\n", span(v.MedianDuration), strings.Join(v.Activities, " → "))
	b.WriteString("步骤 Steps：\n")
	for i, st := range ts.Steps {
		fmt.Fprintf(&b, "%d. %s", i+1, st.Activity)
		var notes []string
		if st.Resource != "" {
			notes = append(notes, "通常由 "+st.Resource+" 办理")
		}
		if i > 0 {
			notes = append(notes, "距上一步中位 "+span(st.MedianWait))
		}
		if len(notes) > 0 {
			b.WriteString("（" + strings.Join(notes, "；") + "）")
		}
		b.WriteByte('\n')
	}
	if len(ts.Deviations) > 0 {
		b.WriteString("偏差 Deviations：\n")
		for _, d := range ts.Deviations {
			step := strings.TrimPrefix(d.Description, "跳过「")
			step, _, _ = strings.Cut(step, "」")
			fmt.Fprintf(&b, "- 跳过「%s」时，成功率从 %s 降至 %s（%d 个案件跳过） / when %s is skipped, success falls from %s to %s (%d cases)\n",
				step, pct(d.SuccessWithout), pct(d.SuccessWith), d.Cases, step, pct(d.SuccessWithout), pct(d.SuccessWith), d.Cases)
		}
	}
	if r.Outcome && len(ts.Outcomes) > 0 {
		var parts []string
		for _, o := range ts.Outcomes {
			l := o.Label
			if l == "" {
				l = "无结果"
			}
			parts = append(parts, l+" "+strconv.Itoa(o.Cases))
		}
		fmt.Fprintf(&b, "结果分布 Outcomes：%s\n", strings.Join(parts, "，"))
	}
	fmt.Fprintf(&b, "示例案件 Example cases：%s", strings.Join(v.Examples, "、"))
	return b.String()
}

// pct renders a rate as a percentage, with one decimal only when needed.
func pct(x float64) string {
	p := x * 100
	if math.Abs(p-math.Round(p)) < 0.05 {
		return strconv.Itoa(int(math.Round(p))) + "%"
	}
	return strconv.FormatFloat(p, 'f', 1, 64) + "%"
}

// span renders a duration in Chinese units, to two units at most:
// 2天3小时, 1小时5分钟, 15分钟, 40秒.
func span(d time.Duration) string {
	if d < 0 {
		d = -d
	}
	day := 24 * time.Hour
	switch {
	case d >= day:
		days, hours := int(d/day), int((d%day)/time.Hour)
		if hours == 0 {
			return strconv.Itoa(days) + "天"
		}
		return fmt.Sprintf("%d天%d小时", days, hours)
	case d >= time.Hour:
		hours, mins := int(d/time.Hour), int((d%time.Hour)/time.Minute)
		if mins == 0 {
			return strconv.Itoa(hours) + "小时"
		}
		return fmt.Sprintf("%d小时%d分钟", hours, mins)
	case d >= time.Minute:
		return strconv.Itoa(int(d/time.Minute)) + "分钟"
	}
	return strconv.Itoa(int(d/time.Second)) + "秒"
}
