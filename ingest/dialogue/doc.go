// Package dialogue reads service dialogues (chat logs and call transcripts)
// in JSONL, one dialogue per line:
//
//	{"id":"d-001","channel":"chat","turns":[{"role":"customer","text":"…","time":"2026-03-02T10:15:00+08:00"}],
//	 "outcome":"promise_to_pay","satisfaction":4,"labels":["逾期"]}
//
// Roles are normalised to "agent" and "customer" (客服, 坐席, 客户, 用户,
// Agent, Customer and the like are accepted). A malformed line is skipped
// with a warning naming its line number; the other dialogues are kept.
package dialogue
