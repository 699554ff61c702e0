package docx

import (
	"encoding/xml"
	"regexp"
	"strconv"
	"strings"
)

// styleKind is what a paragraph style makes of its paragraphs.
type styleKind int

const (
	styleBody styleKind = iota
	styleHeading
	styleList
	styleTOC // table of contents entries, dropped
)

// style is the resolved meaning of one paragraph style.
type style struct {
	kind  styleKind
	level int // heading level, 1-based, for styleHeading
}

// styles maps paragraph style ids to what they mean.
type styles map[string]style

// xmlVal is an element whose w:val attribute is all that matters.
type xmlVal struct {
	Val string `xml:"val,attr"`
}

type stylesXML struct {
	Styles []struct {
		Type    string  `xml:"type,attr"`
		ID      string  `xml:"styleId,attr"`
		Name    *xmlVal `xml:"name"`
		BasedOn *xmlVal `xml:"basedOn"`
		PPr     *struct {
			OutlineLvl *xmlVal `xml:"outlineLvl"`
			NumPr      *struct {
				NumID *xmlVal `xml:"numId"`
			} `xml:"numPr"`
		} `xml:"pPr"`
	} `xml:"style"`
}

var (
	// headingNameRe matches the name or id of a heading style: the
	// built-in "heading 1" (Word writes the English name even in Chinese
	// documents), ids Heading1, and custom 标题 1 styles.
	headingNameRe = regexp.MustCompile(`(?i)^(?:heading|标题)\s*([1-9])$`)
	// tocNameRe matches the table of contents entry styles.
	tocNameRe = regexp.MustCompile(`(?i)^(?:toc|目录)\s*[1-9]$`)
)

// rawStyle is one paragraph style before the basedOn chain is followed.
type rawStyle struct {
	name    string
	basedOn string
	outline int // 0-based outline level, -1 when not set
	numID   string
}

// parseStyles reads styles.xml and resolves every paragraph style through
// its basedOn chain: a heading name wins, then an outline level 0..8, then
// numbering with a non-zero numId.
func parseStyles(b []byte) (styles, error) {
	var sx stylesXML
	if err := xml.Unmarshal(b, &sx); err != nil {
		return styles{}, err
	}
	raw := make(map[string]rawStyle, len(sx.Styles))
	for _, s := range sx.Styles {
		if s.Type != "" && s.Type != "paragraph" {
			continue
		}
		rs := rawStyle{outline: -1}
		if s.Name != nil {
			rs.name = strings.TrimSpace(s.Name.Val)
		}
		if s.BasedOn != nil {
			rs.basedOn = s.BasedOn.Val
		}
		if s.PPr != nil {
			if s.PPr.OutlineLvl != nil {
				if n, err := strconv.Atoi(s.PPr.OutlineLvl.Val); err == nil {
					rs.outline = n
				}
			}
			if s.PPr.NumPr != nil && s.PPr.NumPr.NumID != nil {
				rs.numID = s.PPr.NumPr.NumID.Val
			}
		}
		raw[s.ID] = rs
	}
	out := make(styles, len(raw))
	for id := range raw {
		out[id] = resolveStyle(id, raw)
	}
	return out, nil
}

// maxStyleChain bounds the basedOn chain, which a broken file may loop.
const maxStyleChain = 16

func resolveStyle(id string, raw map[string]rawStyle) style {
	first := raw[id]
	if lvl := headingLevelOf(first.name); lvl > 0 {
		return style{kind: styleHeading, level: lvl}
	}
	if lvl := headingLevelOf(id); lvl > 0 && first.name == "" {
		return style{kind: styleHeading, level: lvl}
	}
	if tocNameRe.MatchString(first.name) {
		return style{kind: styleTOC}
	}
	if strings.EqualFold(first.name, "title") || first.name == "标题" {
		return style{kind: styleHeading, level: 1}
	}
	outline, numID := -1, ""
	cur := id
	for i := 0; i < maxStyleChain && cur != ""; i++ {
		rs, ok := raw[cur]
		if !ok {
			break
		}
		if outline < 0 && rs.outline >= 0 {
			outline = rs.outline
		}
		if numID == "" && rs.numID != "" {
			numID = rs.numID
		}
		cur = rs.basedOn
	}
	switch {
	case outline >= 0 && outline <= 8:
		return style{kind: styleHeading, level: clampLevel(outline + 1)}
	case numID != "" && numID != "0":
		return style{kind: styleList}
	}
	return style{}
}

// lookup returns the meaning of style id. A document without styles.xml
// still names its heading styles by id (Heading1).
func (s styles) lookup(id string) style {
	if id == "" {
		return style{}
	}
	if st, ok := s[id]; ok {
		return st
	}
	if lvl := headingLevelOf(id); lvl > 0 {
		return style{kind: styleHeading, level: lvl}
	}
	if strings.EqualFold(id, "title") {
		return style{kind: styleHeading, level: 1}
	}
	return style{}
}

// headingLevelOf returns the level of a heading style name or id, or 0.
func headingLevelOf(s string) int {
	m := headingNameRe.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return 0
	}
	return clampLevel(int(m[1][0] - '0'))
}

// clampLevel keeps a heading level within ingest's 1..6.
func clampLevel(n int) int {
	return max(1, min(n, 6))
}
