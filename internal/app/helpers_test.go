package app_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/casebridge/casebridge/adapters/store"
	"github.com/casebridge/casebridge/adapters/store/storetest"
	"github.com/casebridge/casebridge/internal/app"
)

// The tests run on SQLite in t.TempDir(), and on PostgreSQL too when
// CASEBRIDGE_TEST_DATABASE_URL is set (each test in a schema of its own).

var ctx = context.Background()

// eachStore runs fn once per backend, each time on a new empty database.
func eachStore(t *testing.T, fn func(t *testing.T, st app.Store)) {
	t.Run("sqlite", func(t *testing.T) {
		st, err := store.OpenSQLite(ctx, filepath.Join(t.TempDir(), store.SQLiteFile))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		fn(t, st)
	})
	t.Run("postgres", func(t *testing.T) {
		url := os.Getenv("CASEBRIDGE_TEST_DATABASE_URL")
		if url == "" {
			t.Skip("CASEBRIDGE_TEST_DATABASE_URL is not set")
		}
		fn(t, openPostgres(t, url))
	})
}

func openPostgres(t *testing.T, url string) app.Store {
	return openPostgresSchema(t, url, storetest.PostgresSchema(t, url, "cbapp_"))
}

// openPostgresSchema opens a store on an existing schema (a second handle
// on one database, as another process would have).
func openPostgresSchema(t *testing.T, url, schema string) app.Store {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		t.Fatal(err)
	}
	cfg.ConnConfig.RuntimeParams["search_path"] = schema
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.NewPostgres(ctx, pool, true)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// clock is a settable clock: tests move it, never sleep.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

var t0 = time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func newService(t *testing.T, st app.Store) (*app.Service, *clock) {
	t.Helper()
	c := &clock{t: t0}
	return app.New(st, app.DirProfiles("", ""), c.now, app.Options{}), c
}

func testdata(t *testing.T, rel string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", rel))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// must(f())(t) is f's value, or fails t with f's error.
func must[T any](v T, err error) func(t *testing.T) T {
	return func(t *testing.T) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

func wantErr(t *testing.T, err, target error, what string) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("%s: error %v, want %v", what, err, target)
	}
}

// clp is one claim of a synthetic 835: one service line.
type clp struct {
	id, status, charge, paid, pr, icn, line string
	cas                                     []string // e.g. "CO*45*20"
}

// build835 writes a minimal 005010X221A1 835 with these claims (one
// transaction set; BPR02 is the sum of CLP04).
func build835(t *testing.T, ctl int, claims ...clp) []byte {
	t.Helper()
	var segs []string
	total := 0.0
	for _, c := range claims {
		var p float64
		fmt.Sscan(c.paid, &p)
		total += p
		segs = append(segs,
			fmt.Sprintf("CLP*%s*%s*%s*%s*%s*12*%s*11*1", c.id, c.status, c.charge, c.paid, c.pr, c.icn),
			"NM1*QC*1*DOE*JANE****MI*M1",
			"DTM*050*20261101",
			fmt.Sprintf("SVC*AD:D9997*%s*%s**1", c.charge, c.paid),
			"DTM*472*20261015")
		for _, cas := range c.cas {
			segs = append(segs, "CAS*"+cas)
		}
		if c.line != "" {
			segs = append(segs, "REF*6R*"+c.line)
		}
	}
	head := []string{
		"ST*835*0001",
		fmt.Sprintf("BPR*I*%s*C*ACH*CCP*01*011000015*DA*123456789*1999999999**01*021000021*DA*987654321*20261120", fmt.Sprintf("%.2f", total)),
		"TRN*1*TRACE" + fmt.Sprint(ctl) + "*1999999999",
		"DTM*405*20261119",
		"N1*PR*EXAMPLE DENTAL PLAN*XV*DP0001",
		"N3*100 PLAN STREET",
		"N4*SPRINGFIELD*IL*62701",
		"PER*BL*EDI HELP*TE*8005550100",
		"N1*PE*SUNRISE FAMILY DENTAL*XX*1234567893",
		"REF*TJ*123456789",
		"LX*1",
	}
	set := append(head, segs...)
	set = append(set, fmt.Sprintf("SE*%d*0001", len(set)+1))
	var b strings.Builder
	fmt.Fprintf(&b, "ISA*00*          *00*          *ZZ*DENTALPLAN     *ZZ*CASEBRIDGE     *261120*1200*^*00501*%09d*0*T*:~\n", ctl)
	fmt.Fprintf(&b, "GS*HP*DENTALPLAN*CASEBRIDGE*20261120*1200*%d*X*005010X221A1~\n", ctl)
	for _, s := range set {
		b.WriteString(s + "~\n")
	}
	fmt.Fprintf(&b, "GE*1*%d~\nIEA*1*%09d~\n", ctl, ctl)
	return []byte(b.String())
}

func jsonBytes(v any) ([]byte, error) { return json.Marshal(v) }
