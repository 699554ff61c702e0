// Package schedule runs ingestion jobs on cron schedules inside `lore
// serve`: each share on its own expression ("30 2 * * *", "@every 1h"),
// one job at a time so runs never compete for the store, and a run that
// is still going when its next turn comes is skipped, not queued.
package schedule
