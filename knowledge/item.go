package knowledge

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"time"
)

// Kind is the kind of a knowledge item.
type Kind string

// The kinds of DESIGN.md.
const (
	KindRule      Kind = "rule"      // a clause of a rule document
	KindFAQ       Kind = "faq"       // a question with its answer
	KindScript    Kind = "script"    // a best-practice reply for a situation
	KindProcedure Kind = "procedure" // the steps that resolve a case type
	KindTerm      Kind = "term"      // a glossary term
	KindPassage   Kind = "passage"   // a structure-aware chunk of a document
)

// Kinds lists every kind in display order.
var Kinds = []Kind{KindRule, KindFAQ, KindScript, KindProcedure, KindTerm, KindPassage}

// Valid reports whether k is one of Kinds.
func (k Kind) Valid() bool {
	for _, v := range Kinds {
		if k == v {
			return true
		}
	}
	return false
}

// Status is the review state of an item.
type Status string

// Review states. New items start as StatusDraft; reviewers approve or reject
// them; an item whose every source disappeared is retired. Searches skip
// rejected and retired items unless a Filter names them.
const (
	StatusDraft    Status = "draft"
	StatusApproved Status = "approved"
	StatusRejected Status = "rejected"
	StatusRetired  Status = "retired"
)

// Valid reports whether s is a known status.
func (s Status) Valid() bool {
	switch s {
	case StatusDraft, StatusApproved, StatusRejected, StatusRetired:
		return true
	}
	return false
}

// Provenance says where an item was found. Only the fields that apply to the
// source's format are set.
type Provenance struct {
	Source      string   `json:"source"`                 // path of the file, as the ingester names it
	ContentHash string   `json:"content_hash,omitempty"` // hex SHA-256 of the whole source file
	Page        int      `json:"page,omitempty"`         // 1-based PDF page; 0 when not paged
	HeadingPath []string `json:"heading_path,omitempty"` // enclosing headings, outermost first
	Article     string   `json:"article,omitempty"`      // article number as written, e.g. 第五十六条
	Dialogue    string   `json:"dialogue,omitempty"`     // dialogue id
	Turn        int      `json:"turn,omitempty"`         // 1-based turn within Dialogue
	Cases       []string `json:"cases,omitempty"`        // operation-log case ids
	Line        int      `json:"line,omitempty"`         // 1-based line or row in the source
}

// Location renders where in its source the provenance points, for citations:
// "p. 3 · 第二章 > 第十条", "dialogue d-17 turn 4", or "" when nothing finer
// than the file is known.
func (p Provenance) Location() string {
	var parts []string
	if p.Page > 0 {
		parts = append(parts, "p. "+strconv.Itoa(p.Page))
	}
	if len(p.HeadingPath) > 0 {
		parts = append(parts, strings.Join(p.HeadingPath, " > "))
	}
	if p.Article != "" && (len(p.HeadingPath) == 0 || p.HeadingPath[len(p.HeadingPath)-1] != p.Article) {
		parts = append(parts, p.Article)
	}
	if p.Dialogue != "" {
		d := "dialogue " + p.Dialogue
		if p.Turn > 0 {
			d += " turn " + strconv.Itoa(p.Turn)
		}
		parts = append(parts, d)
	}
	if len(p.Cases) > 0 {
		parts = append(parts, "cases "+strings.Join(p.Cases, ","))
	}
	if p.Line > 0 && p.Page == 0 {
		parts = append(parts, "line "+strconv.Itoa(p.Line))
	}
	return strings.Join(parts, " · ")
}

// Item is one unit of knowledge. Exactly one of the kind-specific field
// groups (Rule, FAQ, Script, Procedure, Term) is set, matching Kind; a
// passage has none.
type Item struct {
	ID         string       `json:"id"`
	Kind       Kind         `json:"kind"`
	Space      string       `json:"space"` // knowledge base name
	Title      string       `json:"title"`
	Body       string       `json:"body"` // original text, for display and citation
	Provenance []Provenance `json:"provenance"`
	Confidence float64      `json:"confidence"` // 0..1, how sure the extractor is
	Status     Status       `json:"status"`
	Version    int          `json:"version"` // starts at 1, +1 on every stored change
	Edited     bool         `json:"edited,omitempty"`
	// NeedsReview is set when a source of a reviewed item (edited or
	// approved) changed and no longer yields it: the store keeps the
	// reviewer's work and flags it instead of deleting it. A reviewer's
	// Update clears it.
	NeedsReview bool      `json:"needs_review,omitempty"`
	Created     time.Time `json:"created"`
	Updated     time.Time `json:"updated"`

	Rule      *Rule      `json:"rule,omitempty"`
	FAQ       *FAQ       `json:"faq,omitempty"`
	Script    *Script    `json:"script,omitempty"`
	Procedure *Procedure `json:"procedure,omitempty"`
	Term      *Term      `json:"term,omitempty"`
}

// Sources lists the distinct source files of the item, in provenance order.
func (it *Item) Sources() []string {
	var out []string
	seen := map[string]bool{}
	for _, p := range it.Provenance {
		if !seen[p.Source] {
			seen[p.Source] = true
			out = append(out, p.Source)
		}
	}
	return out
}

// Validate reports the first thing that makes the item unstorable.
func (it *Item) Validate() error {
	const op = "knowledge.Item.Validate"
	switch {
	case it.ID == "":
		return Errorf(Invalid, op, "item has no id")
	case !it.Kind.Valid():
		return Errorf(Invalid, op, "item %s: unknown kind %q", it.ID, it.Kind)
	case it.Space == "":
		return Errorf(Invalid, op, "item %s: no space", it.ID)
	case !it.Status.Valid():
		return Errorf(Invalid, op, "item %s: unknown status %q", it.ID, it.Status)
	case strings.TrimSpace(it.Body) == "" && strings.TrimSpace(it.Title) == "":
		return Errorf(Invalid, op, "item %s: empty title and body", it.ID)
	case len(it.Provenance) == 0:
		return Errorf(Invalid, op, "item %s: no provenance", it.ID)
	}
	return nil
}

// NewID derives a stable item id from the space, the kind and the parts that
// identify the content (for a rule: document title, article number, text;
// for a passage: its text). Equal inputs give equal ids across runs and
// machines; the id is 32 hex characters.
func NewID(space string, kind Kind, parts ...string) string {
	h := sha256.New()
	h.Write([]byte(space))
	h.Write([]byte{0})
	h.Write([]byte(kind))
	for _, p := range parts {
		h.Write([]byte{0})
		h.Write([]byte(p))
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// Rule holds the fields of a rule clause.
type Rule struct {
	DocTitle    string   `json:"doc_title"`
	Issuer      string   `json:"issuer,omitempty"`
	DocNumber   string   `json:"doc_number,omitempty"` // 文号
	Effective   string   `json:"effective,omitempty"`  // date as YYYY-MM-DD when stated
	Repealed    string   `json:"repealed,omitempty"`
	HeadingPath []string `json:"heading_path,omitempty"` // 编/章/节 headings
	Article     string   `json:"article"`                // 第N条 as written
	Paragraph   string   `json:"paragraph,omitempty"`    // 款/项 when the item is one
	Modality    Modality `json:"modality,omitempty"`
	References  []string `json:"references,omitempty"` // articles referred to, e.g. 第二十条
}

// Modality is what a rule clause does to its subject.
type Modality string

// Modalities of a rule clause.
const (
	Obligation  Modality = "obligation"  // 应当, 必须
	Prohibition Modality = "prohibition" // 不得, 禁止, 严禁
	Permission  Modality = "permission"  // 可以
)

// FAQ holds the fields of a question-answer pair.
type FAQ struct {
	Question string   `json:"question"`
	Variants []string `json:"variants,omitempty"`
	Answer   string   `json:"answer"`
	Intent   string   `json:"intent,omitempty"`
	Support  int      `json:"support,omitempty"` // dialogues or rows behind it
}

// Script holds a best-practice reply for a situation, with its evidence.
type Script struct {
	Intent        string `json:"intent"`
	CustomerState string `json:"customer_state,omitempty"` // e.g. anger, anxiety
	// Situation holds what customers said just before the reply was
	// given, a few distinct examples: how staff recognise the situation.
	Situation   []string `json:"situation,omitempty"`
	Reply       string   `json:"reply"`
	Dialogues   int      `json:"dialogues"`    // dialogues in which the reply was seen
	SuccessRate float64  `json:"success_rate"` // share of those with a good outcome
	Baseline    float64  `json:"baseline"`     // success rate of the situation overall
	Lift        float64  `json:"lift"`         // SuccessRate / Baseline
	LiftLow     float64  `json:"lift_low"`     // lower confidence bound of Lift
	Examples    []string `json:"examples,omitempty"`
}

// Procedure holds the recommended steps for a case type.
type Procedure struct {
	CaseType       string        `json:"case_type"`
	Steps          []Step        `json:"steps"`
	Cases          int           `json:"cases"`
	SuccessRate    float64       `json:"success_rate"`
	MedianDuration time.Duration `json:"median_duration"`
	Deviations     []Deviation   `json:"deviations,omitempty"`
}

// Step is one step of a procedure.
type Step struct {
	Activity   string        `json:"activity"`
	Resource   string        `json:"resource,omitempty"`    // who usually does it
	MedianWait time.Duration `json:"median_wait,omitempty"` // typical time since the previous step
}

// Deviation is a departure from a procedure that correlates with its outcome.
type Deviation struct {
	Description    string  `json:"description"` // e.g. "skips 回访确认"
	Cases          int     `json:"cases"`
	SuccessWith    float64 `json:"success_with"`
	SuccessWithout float64 `json:"success_without"`
}

// Term holds a glossary entry.
type Term struct {
	Term       string   `json:"term"`
	Synonyms   []string `json:"synonyms,omitempty"`
	Definition string   `json:"definition,omitempty"`
	Frequency  int      `json:"frequency,omitempty"`
}
