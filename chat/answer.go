package chat

import "github.com/lorehq/lore/knowledge"

// Request is a question to answer.
type Request struct {
	Question string           `json:"question"`
	Spaces   []string         `json:"spaces,omitempty"` // spaces the asker may read; empty = the default space
	Kinds    []knowledge.Kind `json:"kinds,omitempty"`  // restrict to these kinds
	Limit    int              `json:"limit,omitempty"`  // sources to consider; 0 = configured default
}

// Answer is a structured, cited answer. Every Statement cites at least one
// Source by its number; a Source is one retrieved item.
type Answer struct {
	Question   string      `json:"question"`
	Statements []Statement `json:"statements"` // the best-supported sentences, best first
	// Script is the recommended reply when a script item applies; its
	// Snippet is the reply itself, whole.
	Script *Source `json:"script,omitempty"`
	// Rules are the rule clauses that apply, as numbers into Sources.
	Rules []int `json:"rules,omitempty"`
	// Steps are the procedure steps when a procedure applies.
	Steps   []string `json:"steps,omitempty"`
	Sources []Source `json:"sources"`
	// NoAnswer is true when nothing retrieved supports an answer; Notice
	// then says so in the asker's language and Statements is empty.
	NoAnswer bool   `json:"no_answer"`
	Notice   string `json:"notice,omitempty"`
	Mode     string `json:"mode"` // "extractive" or "llm"
}

// Statement is one sentence of an answer with the sources it comes from.
type Statement struct {
	Text  string `json:"text"`
	Cites []int  `json:"cites"` // Source numbers, 1-based
}

// Source is a retrieved item as an answer cites it.
type Source struct {
	N        int            `json:"n"` // 1-based citation number
	ItemID   string         `json:"item_id"`
	Kind     knowledge.Kind `json:"kind"`
	Title    string         `json:"title"`
	File     string         `json:"file"`     // source file path
	Location string         `json:"location"` // page, heading path, article, dialogue…
	Snippet  string         `json:"snippet"`  // the item's text, possibly shortened
	Score    float64        `json:"score"`
}
