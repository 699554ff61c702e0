// Package oplog mines operation (event) logs into procedure knowledge items.
//
// An operation log records, one event per line, that some activity happened
// in some case at some time, optionally by some resource (an agent, a team,
// 系统) and with a lifecycle (SCHEDULE, START, COMPLETE) and other
// attributes. Three layouts are read, each mapped to those columns by Config:
//
//   - CSV or TSV with a header row;
//   - JSONL, one JSON object per line;
//   - key=value lines: `case=ZQ-1 activity=受理申请 time=2026-03-02T09:25:00+08:00`
//     (values with spaces in double quotes; lines starting with # are comments).
//
// Mine streams the log once. Strings are interned as they arrive (activities
// and resources to 16-bit ids, cases to 32-bit ids), so an event costs 16
// bytes and no per-event strings or maps are kept; events of a case need not
// be adjacent or in time order, they are grouped and sorted per case before
// mining. A malformed line becomes a warning naming its line and the rest of
// the log is mined.
//
// Each case gets an outcome (OutcomeRule: the last outcome event, success
// when its label is a success label) and a case type (CaseTypeRule: a
// column's value at the case's first event, or its first activity). Mining
// yields the case variants (distinct activity paths) with their success rate
// and median duration, the directly-follows graph with frequencies and
// median waits, and, per case type, a recommended path — the path with the
// best lower confidence bound of its success rate among those taken by at
// least MinSupport cases — with each step's median wait and usual resource,
// and the skipped steps whose absence correlates with failure. Procedures
// renders one knowledge.KindProcedure item per case type.
//
// Extractor wraps Mine and Procedures for the ingest pipeline: it reads a
// whole file itself and needs no format parser.
package oplog
