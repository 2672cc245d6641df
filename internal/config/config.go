// Package config reads casebridge settings from the environment; command-line
// flags override them.
package config

import (
	"os"
	"strconv"
)

// Config is the gateway's configuration.
type Config struct {
	Addr         string // CASEBRIDGE_ADDR, default 127.0.0.1:8080
	Profile      string // CASEBRIDGE_PROFILE, default "default"
	ProfilesDir  string // CASEBRIDGE_PROFILES_DIR
	MaxBodyBytes int64  // CASEBRIDGE_MAX_BODY_BYTES, default 10 MiB
	LogLevel     string // CASEBRIDGE_LOG_LEVEL: debug, info, warn, error
	CodesDir     string // CASEBRIDGE_CODES_DIR: official CARC/RARC/PLB lists (carc.tsv, rarc.tsv, plb.tsv)
}

// FromEnv returns the configuration from the environment with defaults.
func FromEnv() Config {
	c := Config{
		Addr:         env("CASEBRIDGE_ADDR", "127.0.0.1:8080"),
		Profile:      env("CASEBRIDGE_PROFILE", "default"),
		ProfilesDir:  env("CASEBRIDGE_PROFILES_DIR", ""),
		MaxBodyBytes: 10 << 20,
		LogLevel:     env("CASEBRIDGE_LOG_LEVEL", "info"),
		CodesDir:     env("CASEBRIDGE_CODES_DIR", ""),
	}
	if v, err := strconv.ParseInt(os.Getenv("CASEBRIDGE_MAX_BODY_BYTES"), 10, 64); err == nil && v > 0 {
		c.MaxBodyBytes = v
	}
	return c
}

func env(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}
