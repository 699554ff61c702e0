// Package demo ships Lore's demo corpus: the documents, dialogues and
// operation log of 安和消费金融有限公司 (Anhe Consumer Finance), a fictional
// Chinese consumer-finance company with a cash-loan product (随心贷) and an
// instalment product (安心分). Every text in it was written by the Lore
// project; names, numbers, phone numbers and ID numbers are invented.
//
// The corpus holds one file per input kind Lore reads: rule documents as
// Markdown, HTML, PDF and TXT (Chinese, plus one English notice), service
// and collections dialogues as JSONL, and a case operation log as CSV. The
// documents agree with each other (the FAQ's fees are the PDF's fees), so an
// answer drawn from one can be checked against another.
//
// Corpus returns the files, Extract writes them to a directory for
// `lore demo`, and Questions returns the evaluation questions written for
// this corpus, each naming the file a correct answer must cite.
package demo
