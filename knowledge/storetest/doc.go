// Package storetest is the contract suite every knowledge.Store passes: the
// embedded SQLite store, the Qdrant adapter (against its in-process
// stand-in or a real server) and any store added later. A store package's
// test calls Run with a function that opens a fresh, empty store.
package storetest
