// Package faqtable finds question-and-answer tables in parsed documents and
// turns their rows into faq knowledge items. It serves every format that
// yields TableRow blocks with a Header row: spreadsheets (ingest/xlsx),
// CSV (ingest/csv), Word tables (ingest/docx), Markdown and HTML tables.
//
// FAQColumns recognises a header row by its column names, after folding
// full-width characters, case, spaces, a trailing colon and bracketed
// notes (问题（必填）, Question:) away: a question column (问题, 问, 客户问题,
// 常见问题, 标准问, Question, Q, …, or any name ending in 问题 or 问法) and an
// answer column (答案, 回答, 答复, 标准答复, 回复, 解答, Answer, A, Reply, …,
// or any name ending in 答案, 答复, 回答, 回复, 解答, answer or reply). Exact names win over
// suffix matches, then the leftmost column. A column of similar questions
// (相似问法, 扩展问, Variants, …) is used too: its cell is split at line
// breaks and semicolons into FAQ.Variants.
//
// The Extractor makes one item per data row under such a header, until the
// table ends (any block that is not a table row) or another header row
// starts a new table. Rows with an empty question or answer and repeated
// header rows are skipped; a "Q:" or "问：" prefix in a cell is dropped.
// Each item has Kind faq, Title the question, Body "问：<question>\n答：
// <answer>", FAQ{Question, Answer, Variants, Support: 1} and one Provenance
// with the row's Line and Page and the enclosing headings (for a workbook,
// the sheet name). The pipeline sets ID, space, status and source.
package faqtable
