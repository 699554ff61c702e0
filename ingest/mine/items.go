package mine

import (
	"fmt"
	"strings"

	"github.com/lorehq/lore/knowledge"
)

// Items renders the FAQs and scripts as knowledge items: FAQs first, then
// scripts. Provenance names dialogue ids and turns; Source, ID, Space and
// Status are left for the ingest pipeline to fill.
func (r *Result) Items() []knowledge.Item {
	items := make([]knowledge.Item, 0, len(r.FAQs)+len(r.Scripts))
	names := map[string]string{}
	for _, a := range r.Dialogues {
		names[a.Intent] = a.IntentName
	}
	for i := range r.FAQs {
		f := r.FAQs[i]
		faq := f.FAQ
		faq.Variants = append([]string(nil), f.Variants...)
		body := "问 Q：" + f.Question + "\n答 A：" + f.Answer
		if len(f.Variants) > 0 {
			body += "\n相似问法 variants：" + strings.Join(f.Variants, "；")
		}
		items = append(items, knowledge.Item{
			Kind:       knowledge.KindFAQ,
			Title:      f.Question,
			Body:       body,
			Provenance: append([]knowledge.Provenance(nil), f.Provenance...),
			Confidence: float64(f.Support) / float64(f.Support+2),
			FAQ:        &faq,
		})
	}
	for i := range r.Scripts {
		s := r.Scripts[i]
		sc := s.Script
		sc.Examples = append([]string(nil), s.Examples...)
		name := names[s.Intent]
		if name == "" {
			name = s.Intent
		}
		title := fmt.Sprintf("%s · 客户%s %s", name, emotionNames[s.CustomerState], s.CustomerState)
		situation := ""
		if len(sc.Situation) > 0 {
			situation = "客户说 customer says：" + strings.Join(sc.Situation, " / ") + "\n"
		}
		body := fmt.Sprintf("%s推荐话术 recommended reply：%s\n证据 evidence：%d 个对话 dialogues，成功率 success %.0f%% vs 基线 baseline %.0f%%，提升 lift %.2f（置信下限 lower bound %.2f），之后情绪改善 emotion improved %.0f%%",
			situation, s.Reply, s.Dialogues, 100*s.SuccessRate, 100*s.Baseline, s.Lift, s.LiftLow, 100*s.Improved)
		conf := 0.05
		if s.Lift > 0 {
			conf = min(1, max(0.05, s.LiftLow/s.Lift))
		}
		items = append(items, knowledge.Item{
			Kind:       knowledge.KindScript,
			Title:      title,
			Body:       body,
			Provenance: append([]knowledge.Provenance(nil), s.Provenance...),
			Confidence: conf,
			Script:     &sc,
		})
	}
	return items
}
