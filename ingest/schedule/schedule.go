package schedule

import (
	"context"
	"fmt"
	"sync"

	"github.com/robfig/cron/v3"
)

// Job is one scheduled ingestion.
type Job struct {
	Name string // for messages, e.g. the share's name
	Spec string // standard five-field cron line, or a descriptor such as @every 30m
	Run  func(ctx context.Context) error
}

// Parse checks a schedule expression, for configuration validation.
func Parse(spec string) error {
	if _, err := parser.Parse(spec); err != nil {
		return fmt.Errorf("schedule %q: %w", spec, err)
	}
	return nil
}

var parser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// Scheduler runs jobs until its context ends.
type Scheduler struct {
	c  *cron.Cron
	mu sync.Mutex // one job at a time
}

// Start schedules the jobs and returns at once. A job's error goes to
// report (with the job's name) and does not stop the schedule. Stop the
// scheduler with Stop; it waits for a running job to finish.
func Start(ctx context.Context, jobs []Job, report func(job string, err error)) (*Scheduler, error) {
	s := &Scheduler{c: cron.New(cron.WithParser(parser))}
	for _, j := range jobs {
		j := j
		running := false
		var state sync.Mutex
		_, err := s.c.AddFunc(j.Spec, func() {
			state.Lock()
			if running {
				state.Unlock()
				report(j.Name, fmt.Errorf("previous run still going; this turn skipped / 上一次运行尚未结束，本次跳过"))
				return
			}
			running = true
			state.Unlock()
			defer func() {
				state.Lock()
				running = false
				state.Unlock()
			}()
			s.mu.Lock()
			defer s.mu.Unlock()
			if ctx.Err() != nil {
				return
			}
			report(j.Name, runSafely(ctx, j.Run))
		})
		if err != nil {
			return nil, fmt.Errorf("schedule %s: %q: %w", j.Name, j.Spec, err)
		}
	}
	s.c.Start()
	return s, nil
}

// Stop stops scheduling and waits for a running job.
func (s *Scheduler) Stop() {
	<-s.c.Stop().Done()
}

// runSafely runs a job and turns a panic into its error, so one bad run
// cannot take the server down.
func runSafely(ctx context.Context, run func(context.Context) error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("scheduled run crashed / 定时任务异常: %v", r)
		}
	}()
	return run(ctx)
}
