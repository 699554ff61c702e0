// Package faqtext extracts faq items from question-and-answer documents
// written as text: "问：… 答：…" or "Q: … A: …" pairs, and headings phrased
// as questions ("## 提前还款要收手续费吗？") followed by their answer. Such
// documents are how service teams usually keep their FAQs outside
// spreadsheets (spreadsheets are ingest/faqtable's).
package faqtext
