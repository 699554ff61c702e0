package remote

import (
	"strings"
	"unicode"

	"github.com/lorehq/lore/knowledge"
)

// itemText is the text of an item the model embeds: the fields that name
// what the item is about (title; the rule's document title, heading path
// and article; the provenance heading paths and articles; the FAQ question;
// the glossary term; the procedure's case type; the script's intent), then
// the body and the alternative phrasings usually absent from it (FAQ
// variants, term synonyms), one per line, repeated strings once, clipped to
// maxTextRunes. These are the fields embed.Offline indexes, so the sparse
// and dense vectors describe the same text.
func itemText(it *knowledge.Item) string {
	var lines []string
	seen := map[string]bool{}
	add := func(s string) {
		if s = strings.TrimSpace(s); s != "" && !seen[s] {
			seen[s] = true
			lines = append(lines, s)
		}
	}
	path := func(p []string) {
		var parts []string
		for _, s := range p {
			if s = strings.TrimSpace(s); s != "" {
				parts = append(parts, s)
			}
		}
		add(strings.Join(parts, " / "))
	}
	add(it.Title)
	if r := it.Rule; r != nil {
		add(r.DocTitle)
		path(r.HeadingPath)
		add(r.Article)
	}
	for _, p := range it.Provenance {
		path(p.HeadingPath)
		add(p.Article)
	}
	if f := it.FAQ; f != nil {
		add(f.Question)
	}
	if t := it.Term; t != nil {
		add(t.Term)
	}
	if p := it.Procedure; p != nil {
		add(p.CaseType)
	}
	if s := it.Script; s != nil {
		add(s.Intent)
	}
	add(it.Body)
	if f := it.FAQ; f != nil {
		for _, v := range f.Variants {
			add(v)
		}
	}
	if t := it.Term; t != nil {
		for _, s := range t.Synonyms {
			add(s)
		}
	}
	return clip(strings.Join(lines, "\n"))
}

// clip cuts s to at most maxTextRunes runes.
func clip(s string) string {
	n := 0
	for i := range s {
		if n == maxTextRunes {
			return s[:i]
		}
		n++
	}
	return s
}

// isBlank reports whether s has nothing but white space.
func isBlank(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return !unicode.IsSpace(r) }) < 0
}
