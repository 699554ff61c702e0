package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// Exit codes.
const (
	exitOK      = 0 // success
	exitFailure = 1 // the command failed
	exitUsage   = 2 // bad command line or configuration
	exitPartial = 3 // ingest finished, but some files were quarantined
)

const usage = `lore — knowledge assistant for service teams / 服务团队知识助手

Usage:
  lore demo   [flags]            ingest the bundled demo corpus and serve the UI and API
  lore serve  [flags]            serve the UI and API over the data directory
  lore ingest [flags] [PATH...]  ingest files or folders (each folder is a share);
                                 with no PATH, the shares of the config
  lore ask    [flags] QUESTION   answer one question on the terminal
  lore eval   -questions FILE [flags] [PATH...]
                                 score retrieval (Hit@k, MRR, nDCG, latency) against a
                                 BM25 baseline, after ingesting PATH… if given
  lore reindex [flags]           re-embed every stored item with the configured embedder,
                                 after changing the embedding model or dimension
                                 (Qdrant: into a new collection, -to-collection NAME)

Flags common to every command:
  -config FILE   YAML config (see configs/lore.example.yaml); env LORE_* overrides it
  -data DIR      data directory (overrides data_dir)

Run 'lore COMMAND -help' for a command's own flags.

Exit codes: 0 success, 1 failure, 2 usage or configuration error,
3 ingest finished but some files were quarantined.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Environ(), os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run executes one command line and returns the exit code.
func run(ctx context.Context, args, environ []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	cmd, rest := args[0], args[1:]
	var fn func(context.Context, *command) error
	switch cmd {
	case "demo":
		fn = runDemo
	case "serve":
		fn = runServe
	case "ingest":
		fn = runIngest
	case "ask":
		fn = runAsk
	case "eval":
		fn = runEval
	case "reindex":
		fn = runReindex
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, usage)
		return exitOK
	default:
		fmt.Fprintf(stderr, "lore: unknown command %q\n\n%s", cmd, usage)
		return exitUsage
	}
	c, err := parseCommand(cmd, rest, environ, stdout, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err != nil {
		fmt.Fprintf(stderr, "lore %s: %v\n", cmd, err)
		return exitUsage
	}
	if err := fn(ctx, c); err != nil {
		var ec exitError
		if errors.As(err, &ec) {
			if ec.err != nil {
				fmt.Fprintf(stderr, "lore %s: %v\n", cmd, ec.err)
			}
			return ec.code
		}
		fmt.Fprintf(stderr, "lore %s: %v\n", cmd, err)
		return exitFailure
	}
	return exitOK
}

// exitError carries a specific exit code out of a command.
type exitError struct {
	code int
	err  error
}

func (e exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit %d", e.code)
	}
	return e.err.Error()
}
