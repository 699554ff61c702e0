// Package rules is the extractor that turns rule documents — statutes,
// regulations, judicial interpretations, company policies (管理办法, 规定,
// 细则) and English regulations — into rule items, one per article.
//
// A document is a rule document when at least Options.MinArticles of its
// blocks start with an article number (第十条, 第二百五十三条之一, 第5条,
// Article 5; Section 5 when the document has no Article numbering), mostly
// in ascending order, or when Options.Force says so.
//
// Structure. Divisions — 编, 分编, 部分, 章, 节, 总则/分则/附则/附件, Part,
// Title, Chapter (and Section under Article numbering) — close the current
// article and make the heading path of the articles under them; a heading
// of level L replaces those of level L and deeper. An article number may
// open a paragraph ("第十条　借款人应当…") or stand as a heading of its own.
// Every block without a new article number continues the article before
// it: its 款, its 项 and 目 (（一）, 1., （1）, ①), a paragraph split by a
// page break, and heading-like lines that are not divisions, unless such a
// heading is followed by an article (then it is a division, as the 一、
// sections of judicial interpretations are). Page numbers standing alone
// and running headers repeating the title are dropped; the signature after
// the last article (issuing body, date) is metadata, not article text.
//
// Each item has the document title (the title of the rules a 关于印发《…》
// 的通知 issues), issuer, 文号 and effective and repeal dates (YYYY-MM-DD)
// when the document states them, the article number exactly as written,
// the heading path, the page and line where the article starts, the
// modality of the article (a prohibition — 不得, 禁止, 严禁, shall not —
// wins over an obligation — 应当, 必须, shall, must — which wins over a
// permission — 可以, may) and the articles it refers to: 本法第二十条 and
// 第二十条 as 第二十条, 第二十条第一款, 前款 and 本条第二款 resolved to the
// citing article's 款, 前条 to the previous article, 第五条至第八条 in full,
// and another law's articles with its name: 《中华人民共和国民法典》第五百八十五条.
package rules
