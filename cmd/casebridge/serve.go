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
	"github.com/casebridge/casebridge/internal/config"
	"github.com/casebridge/casebridge/internal/profile"
)

func cmdServe(args []string, env *environ) int {
	cfg := config.FromEnv()
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.StringVar(&cfg.Addr, "addr", cfg.Addr, "listen address (env CASEBRIDGE_ADDR)")
	fs.StringVar(&cfg.Profile, "profile", cfg.Profile, "default trading-partner profile (env CASEBRIDGE_PROFILE)")
	fs.StringVar(&cfg.ProfilesDir, "profiles-dir", cfg.ProfilesDir, "directory of named profiles (env CASEBRIDGE_PROFILES_DIR)")
	fs.StringVar(&cfg.StateDir, "state-dir", cfg.StateDir, "directory of the control-number counter (env CASEBRIDGE_STATE_DIR)")
	fs.StringVar(&cfg.CodesDir, "codes-dir", cfg.CodesDir, "directory of official CARC/RARC/PLB lists: carc.tsv, rarc.tsv, plb.tsv (env CASEBRIDGE_CODES_DIR)")
	fs.Int64Var(&cfg.MaxBodyBytes, "max-body-bytes", cfg.MaxBodyBytes, "largest accepted request body (env CASEBRIDGE_MAX_BODY_BYTES)")
	pos, code := parse(fs, args, env)
	if code >= 0 {
		return code
	}
	if len(pos) > 0 {
		env.errorf("serve takes no arguments")
		return exitUsage
	}
	level, err := zerolog.ParseLevel(cfg.LogLevel)
	if err != nil {
		level = zerolog.InfoLevel
	}
	log := zerolog.New(env.stderr).Level(level).With().Timestamp().Str("service", "casebridge").Logger()
	if _, err := profile.Load(cfg.Profile, cfg.ProfilesDir); err != nil {
		env.errorf("%v", err)
		return exitUsage
	}
	if code := loadCodes(cfg.CodesDir, env); code >= 0 {
		return code
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		env.errorf("cannot listen on %s: %v", cfg.Addr, err)
		return exitUsage
	}
	srv := &http.Server{
		Handler:           httpapi.New(cfg, log).Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      120 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	log.Info().Str("addr", ln.Addr().String()).Str("profile", cfg.Profile).Msg("casebridge listening")
	select {
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			log.Error().Err(err).Msg("server stopped")
			return exitInternal
		}
	case <-ctx.Done():
		log.Info().Msg("shutting down")
		shutdown, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		if err := srv.Shutdown(shutdown); err != nil {
			log.Error().Err(err).Msg("shutdown incomplete")
			return exitInternal
		}
	}
	return exitOK
}
