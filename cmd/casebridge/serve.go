package main

import (
	"context"
	"errors"
	"flag"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/rs/zerolog"

	httpapi "github.com/casebridge/casebridge/adapters/http"
	"github.com/casebridge/casebridge/internal/app"
	"github.com/casebridge/casebridge/internal/config"
)

func cmdServe(args []string, env *environ) int {
	cfg := config.FromEnv()
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.StringVar(&cfg.Addr, "addr", cfg.Addr, "listen address (env CASEBRIDGE_ADDR)")
	fs.StringVar(&cfg.Profile, "profile", cfg.Profile, "default trading-partner profile (env CASEBRIDGE_PROFILE)")
	fs.StringVar(&cfg.ProfilesDir, "profiles-dir", cfg.ProfilesDir, "directory of named profiles (env CASEBRIDGE_PROFILES_DIR)")
	fs.StringVar(&cfg.CodesDir, "codes-dir", cfg.CodesDir, "directory of official CARC/RARC/PLB lists: carc.tsv, rarc.tsv, plb.tsv (env CASEBRIDGE_CODES_DIR)")
	fs.Int64Var(&cfg.MaxBodyBytes, "max-body-bytes", cfg.MaxBodyBytes, "largest accepted request body (env CASEBRIDGE_MAX_BODY_BYTES)")
	lease := app.DefaultIdempotencyLease
	if v := os.Getenv("CASEBRIDGE_IDEMPOTENCY_LEASE"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			env.errorf("CASEBRIDGE_IDEMPOTENCY_LEASE: want a positive duration such as 5m, got %q", v)
			return exitUsage
		}
		lease = d
	}
	fs.DurationVar(&lease, "idempotency-lease", lease,
		"how long a request in flight holds its Idempotency-Key; a retry after a crash waits this long (env CASEBRIDGE_IDEMPOTENCY_LEASE)")
	recheck := app.DefaultAuthRecheck
	if v := os.Getenv("CASEBRIDGE_AUTH_RECHECK"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 {
			env.errorf("CASEBRIDGE_AUTH_RECHECK: want a duration such as 1s (0: ask the store on every request), got %q", v)
			return exitUsage
		}
		recheck = d
	}
	fs.DurationVar(&recheck, "auth-recheck", recheck,
		"how long \"no API key exists\" (local mode) and a key's tenant are trusted before the store is asked again: "+
			"a key created or revoked by another process takes effect within it; 0 asks on every request (env CASEBRIDGE_AUTH_RECHECK)")
	storeOpts := storeFlags(fs)
	pos, code := parse(fs, args, env)
	if code >= 0 {
		return code
	}
	if len(pos) > 0 {
		env.errorf("serve takes no arguments")
		return exitUsage
	}
	if lease <= 0 {
		env.errorf("--idempotency-lease must be positive")
		return exitUsage
	}
	if recheck < 0 {
		env.errorf("--auth-recheck must not be negative")
		return exitUsage
	}
	if recheck == 0 {
		recheck = -1 // app.Options: negative asks on every request
	}
	level, err := zerolog.ParseLevel(cfg.LogLevel)
	if err != nil {
		level = zerolog.InfoLevel
	}
	log := zerolog.New(env.stderr).Level(level).With().Timestamp().Str("service", "casebridge").Logger()
	if _, err := app.LoadProfile(cfg.Profile, cfg.ProfilesDir); err != nil {
		env.errorf("%v", err)
		return exitUsage
	}
	if code := loadCodes(cfg.CodesDir, env); code >= 0 {
		return code
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	st, code := openStore(ctx, fs, storeOpts, env)
	if code >= 0 {
		return code
	}
	defer st.Close()
	svc := app.New(st, app.DirProfiles(cfg.ProfilesDir, cfg.Profile), time.Now,
		app.Options{IdempotencyLease: lease, ControlNumberBlock: serveControlBlock, AuthRecheck: recheck})
	local, err := svc.LocalMode(ctx)
	if err != nil {
		env.errorf("cannot read the API keys: %v", err)
		return exitInternal
	}
	if local && !loopback(cfg.Addr) {
		env.errorf("no API key exists, so the gateway would answer anyone on %s unauthenticated: "+
			"listen on a loopback address (127.0.0.1:8080), or create a key first (casebridge keys create --tenant NAME)", cfg.Addr)
		return exitUsage
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		env.errorf("cannot listen on %s: %v", cfg.Addr, err)
		return exitUsage
	}
	purgeCtx, stopPurge := context.WithCancel(ctx)
	defer stopPurge() // before the store closes
	go purgeIdempotency(purgeCtx, svc, log, time.Hour)
	log.Info().Bool("local_mode", local).Msg("store open")
	return runServer(ctx, ln, newHTTPServer(httpapi.New(cfg, log, httpapi.WithService(svc)).Handler()), log, cfg.Profile)
}

// purgeIdempotency forgets idempotency keys past their retention (24 h), at
// start and then every interval, until ctx ends.
func purgeIdempotency(ctx context.Context, svc *app.Service, log zerolog.Logger, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if n, err := svc.Idempotency().Purge(ctx); err != nil && ctx.Err() == nil {
			log.Warn().Str("cause", err.Error()).Msg("idempotency purge failed")
		} else if n > 0 {
			log.Info().Int64("purged", n).Msg("idempotency keys purged")
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Server timeouts. A response in flight at shutdown is bounded by
// writeTimeout (counted from the end of its request headers), so draining
// for longer than that lets every request that started finish: nothing is
// cut mid-body by our exit.
const (
	readHeaderTimeout = 10 * time.Second
	readTimeout       = 60 * time.Second
	writeTimeout      = 120 * time.Second
	idleTimeout       = 120 * time.Second
)

func newHTTPServer(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    64 << 10,
	}
}

// drainTimeout is how long shutdown waits for in-flight requests: the write
// timeout and a margin for the last bytes to leave.
func drainTimeout(srv *http.Server) time.Duration { return srv.WriteTimeout + 5*time.Second }

// runServer serves until ctx ends (SIGTERM, SIGINT), then shuts down: the
// listener closes at once (new connections are refused, idle keep-alive
// connections close), requests in flight finish with their complete answer
// and a Connection: close. Only a handler stuck past the drain timeout is
// cut, by closing its connection before it wrote anything.
func runServer(ctx context.Context, ln net.Listener, srv *http.Server, log zerolog.Logger, profileName string) int {
	srv.RegisterOnShutdown(func() { log.Info().Msg("listener closed; draining requests in flight") })
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	log.Info().Str("addr", ln.Addr().String()).Str("profile", profileName).Msg("casebridge listening")
	select {
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			log.Error().Err(err).Msg("server stopped")
			return exitInternal
		}
	case <-ctx.Done():
		log.Info().Dur("drain_timeout", drainTimeout(srv)).Msg("shutting down")
		shutdown, cancel := context.WithTimeout(context.Background(), drainTimeout(srv))
		defer cancel()
		if err := srv.Shutdown(shutdown); err != nil {
			log.Error().Err(err).Msg("shutdown incomplete: closing the connections still open")
			_ = srv.Close()
			return exitInternal
		}
		log.Info().Msg("shut down")
	}
	return exitOK
}

// serveControlBlock is how many control numbers serve reserves from the
// store at once per tenant and sender (app.Options.ControlNumberBlock): one
// store write per block instead of one per claim; a process that ends loses
// the rest of its block (gaps, never repeats).
const serveControlBlock = 1000
