package main

import (
	"context"
	"flag"
	"net/http"
	"os"
	"path/filepath"
	"runtime/pprof"
	"time"

	"github.com/rs/zerolog"

	httpapi "github.com/casebridge/casebridge/adapters/http"
	"github.com/casebridge/casebridge/adapters/store"
	"github.com/casebridge/casebridge/internal/app"
	"github.com/casebridge/casebridge/internal/config"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:39999", "")
	out := flag.String("o", "/tmp/gw/serve.prof", "")
	secs := flag.Int("s", 10, "")
	flag.Parse()
	dir, _ := os.MkdirTemp("", "profgw")
	st, err := store.OpenSQLite(context.Background(), filepath.Join(dir, store.SQLiteFile))
	if err != nil {
		panic(err)
	}
	svc := app.New(st, app.DirProfiles("", "default"), time.Now, app.Options{ControlNumberBlock: 1000})
	h := httpapi.New(config.Config{Profile: "default", MaxBodyBytes: 1 << 20}, zerolog.New(os.Stderr).Level(zerolog.WarnLevel), httpapi.WithService(svc)).Handler()
	srv := &http.Server{Addr: *addr, Handler: h, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 60 * time.Second, WriteTimeout: 120 * time.Second, IdleTimeout: 120 * time.Second}
	go srv.ListenAndServe()
	time.Sleep(2 * time.Second)
	f, _ := os.Create(*out)
	pprof.StartCPUProfile(f)
	time.Sleep(time.Duration(*secs) * time.Second)
	pprof.StopCPUProfile()
	f.Close()
	os.Exit(0)
}
