package understand

import (
	"regexp"
	"strings"

	"github.com/lorehq/lore/knowledge"
)

// QuestionType is what a question asks for.
type QuestionType string

// Question types.
const (
	// TypeGeneral: no cue; every kind weighs 1.
	TypeGeneral QuestionType = "general"
	// TypeScript: how to handle or reply to a customer (怎么回复, 话术,
	// 客户说…).
	TypeScript QuestionType = "script"
	// TypeRule: what a rule says or allows (规定, 违法吗, 能不能, 第N条).
	TypeRule QuestionType = "rule"
	// TypeProcedure: the steps of a process (流程, 步骤, 怎么办理).
	TypeProcedure QuestionType = "procedure"
	// TypeFact: a fact or a definition (什么是, 多少, 多久).
	TypeFact QuestionType = "fact"
)

// kindWeights are the priors of each type: multipliers of a hit's fused
// score by the hit's kind. They are deliberately modest: fused scores of
// reciprocal-rank fusion differ by about 1.5 % per rank near the top, so
// 1.15 lifts an item of the wanted kind by several places among close
// candidates but cannot lift a weak one over a clearly better one.
var kindWeights = map[QuestionType]map[knowledge.Kind]float64{
	TypeScript: {
		knowledge.KindScript: 1.15, knowledge.KindFAQ: 1.05, knowledge.KindRule: 1,
		knowledge.KindProcedure: 0.95, knowledge.KindPassage: 0.95, knowledge.KindTerm: 0.9,
	},
	TypeRule: {
		knowledge.KindRule: 1.15, knowledge.KindFAQ: 1, knowledge.KindPassage: 1,
		knowledge.KindScript: 0.9, knowledge.KindProcedure: 0.9, knowledge.KindTerm: 0.95,
	},
	TypeProcedure: {
		knowledge.KindProcedure: 1.15, knowledge.KindFAQ: 1.05, knowledge.KindPassage: 1,
		knowledge.KindRule: 0.95, knowledge.KindScript: 0.95, knowledge.KindTerm: 0.9,
	},
	TypeFact: {
		knowledge.KindFAQ: 1.1, knowledge.KindPassage: 1.05, knowledge.KindTerm: 1.05,
		knowledge.KindRule: 1, knowledge.KindScript: 0.95, knowledge.KindProcedure: 0.95,
	},
}

// KindWeights returns the kind multipliers of a question type: a fresh map
// with an entry for every kind, all 1 for TypeGeneral and unknown types.
//
//	type        rule  faq   script procedure passage term
//	script      1     1.05  1.15   0.95      0.95    0.9
//	rule        1.15  1     0.9    0.9       1       0.95
//	procedure   0.95  1.05  0.95   1.15      1       0.9
//	fact        1     1.1   0.95   0.95      1.05    1.05
func KindWeights(t QuestionType) map[knowledge.Kind]float64 {
	out := make(map[knowledge.Kind]float64, len(knowledge.Kinds))
	for _, k := range knowledge.Kinds {
		out[k] = 1
		if w, ok := kindWeights[t][k]; ok {
			out[k] = w
		}
	}
	return out
}

// cue is a phrase that suggests a question type, with how strongly.
type cue struct {
	phrase string
	score  float64
}

// typeCues are matched against the normalised question (lower case,
// simplified). A strong cue (2) names the type outright; a weak one (1)
// is a hint another cue can outvote.
var typeCues = map[QuestionType][]cue{
	TypeScript: {
		{"怎么回复", 2}, {"如何回复", 2}, {"怎么回答", 2}, {"如何回答", 2}, {"怎么答复", 2},
		{"如何答复", 2}, {"怎么回应", 2}, {"如何回应", 2}, {"怎么应对", 2}, {"如何应对", 2},
		{"怎么跟客户说", 2}, {"怎么和客户说", 2}, {"如何跟客户", 2}, {"怎么跟他说", 2},
		{"怎么沟通", 2}, {"如何沟通", 2}, {"话术", 2}, {"怎么安抚", 2}, {"如何安抚", 2},
		{"怎么劝", 2}, {"怎么解释", 1}, {"如何解释", 1}, {"该说什么", 2}, {"应该怎么说", 2},
		{"怎么说", 1}, {"客户说", 1}, {"客户问", 1}, {"客户要求", 1}, {"客户情绪", 1},
		{"客户骂", 1}, {"客户不愿", 1}, {"客户拒绝", 1}, {"客户投诉", 1}, {"坐席", 1},
		{"how should i reply", 2}, {"how to reply", 2}, {"how to respond", 2},
		{"what should i say", 2}, {"what to say", 2}, {"script", 2}, {"customer says", 1},
		{"customer asks", 1}, {"calm", 1},
	},
	TypeRule: {
		{"规定", 2}, {"法律", 1}, {"法规", 2}, {"条例", 2}, {"违法", 2}, {"合法", 2}, {"犯法", 2},
		{"违规", 2}, {"合规", 2}, {"能不能", 1}, {"可不可以", 1}, {"可以吗", 1}, {"能否", 1},
		{"是否可以", 1}, {"允许", 1}, {"禁止", 2}, {"不得", 2}, {"必须", 1}, {"应当", 1},
		{"依据", 1}, {"责任", 1}, {"算不算", 1}, {"有效吗", 1}, {"无效", 1}, {"处罚", 1},
		{"怎么判", 2}, {"判几年", 2}, {"犯罪", 1}, {"侵权", 1}, {"有权", 1}, {"义务", 1},
		{"allowed", 2}, {"legal", 2}, {"illegal", 2}, {"regulation", 2}, {"rule", 1},
		{"law", 1}, {"permitted", 2}, {"prohibited", 2}, {"must", 1}, {"may we", 1},
		{"can we", 1}, {"liable", 1},
	},
	TypeProcedure: {
		{"流程", 2}, {"步骤", 2}, {"怎么办理", 2}, {"如何办理", 2}, {"手续", 2}, {"怎么申请", 2},
		{"如何申请", 2}, {"需要什么材料", 2}, {"需要哪些材料", 2}, {"要带什么", 2}, {"怎么操作", 2},
		{"如何操作", 2}, {"去哪办", 2}, {"在哪里办", 2}, {"办理", 1}, {"申请", 1}, {"操作", 1},
		{"先做什么", 2}, {"下一步", 1}, {"审批", 1}, {"哪几步", 2}, {"几个步骤", 2}, {"环节", 1},
		{"how do i apply", 2}, {"how to apply", 2}, {"steps", 2}, {"procedure", 2},
		{"process", 1}, {"how do i", 1},
	},
	TypeFact: {
		{"什么是", 2}, {"是什么意思", 2}, {"什么意思", 2}, {"是什么", 1}, {"多少", 1}, {"多久", 1},
		{"几天", 1}, {"几年", 1}, {"哪些", 1}, {"定义", 2}, {"含义", 2}, {"区别", 1},
		{"what is", 1}, {"what are", 1}, {"how much", 1}, {"how long", 1}, {"define", 2},
		{"definition", 2}, {"meaning", 2},
	},
}

// typePriority breaks ties between equally scored types: a question that
// asks how to reply and also names a rule wants the reply.
var typePriority = []QuestionType{TypeScript, TypeProcedure, TypeRule, TypeFact}

// permissionCue matches a yes/no question about what may be done
// (可以在晚上打电话吗, 能不收手续费吗), a weak rule cue.
var permissionCue = regexp.MustCompile(`(可以|能|允许|准许)[^，。？?]{1,16}吗`)

// articleCue matches an article reference, a strong rule cue.
var articleCue = regexp.MustCompile(`第\s*[0-9零〇一二两三四五六七八九十百千]+\s*条`)

// DetectType classifies a normalised question by its cue phrases: the type
// with the highest cue score wins, ties going to script, then procedure,
// then rule, then fact; with no cue it is TypeGeneral. Latin cues must
// stand on word boundaries.
func DetectType(normalized string) QuestionType {
	best, bestScore := TypeGeneral, 0.0
	for _, t := range typePriority {
		score := 0.0
		for _, c := range typeCues[t] {
			if hasHan(c.phrase) {
				if strings.Contains(normalized, c.phrase) {
					score += c.score
				}
			} else if indexWord(normalized, c.phrase) >= 0 {
				score += c.score
			}
		}
		if t == TypeRule && articleCue.MatchString(normalized) {
			score += 2
		}
		if t == TypeRule && permissionCue.MatchString(normalized) {
			score++
		}
		if score > bestScore {
			best, bestScore = t, score
		}
	}
	return best
}
