// Command crashtest is the gateway's crash test (issue 9): it builds
// casebridge, serves it on a store, posts claims with Idempotency-Keys from
// concurrent clients, SIGKILLs the gateway in the middle of the stream,
// restarts it, retries every request whose answer was not seen, and checks:
//
//   - every claim exists exactly once in the store (one row per record id,
//     acknowledged or not), with the id of the first 201 seen for it;
//   - a replay of every request (same key, same body) answers the first 201
//     byte for byte (status, Location, body);
//   - the ISA13 of every stored 837D is the answer's control number, and
//     ISA13 values are unique.
//
// Backends: -db sqlite (one gateway on a data directory) and -db postgres
// (two gateways on one fresh database made in the server of -database-url,
// default $CASEBRIDGE_TEST_DATABASE_URL; the clients are spread over both;
// one scenario kills one gateway, another kills both). Without -db it runs
// sqlite, and postgres too when a database URL is set.
//
// The gateways run with a short idempotency lease (-lease, default 3s;
// serve --idempotency-lease, 5 min in production): a key whose request died
// with the process stays in flight (409) until the lease runs out, then a
// retry takes it over. The test checks the 409 while the lease certainly
// holds (the request was sent less than lease-1s ago), then retries every
// unanswered request until it is answered; nothing in the database is
// touched.
//
// Exit status: 0 all checks passed, 1 a violation (each one printed), 2 the
// test could not run (build, start, timeout). It kills its gateways on every
// exit, and gives up after -timeout per scenario.
//
//	go run ./internal/tools/crashtest [-db sqlite|postgres|sqlite,postgres] [-seed N] [-runs N]
package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // "pgx" driver: make the database, read the keys in flight, count rows
	_ "modernc.org/sqlite"             // "sqlite" driver: the same on the gateway's SQLite file
)

type config struct {
	bin         string
	dbs         []string
	databaseURL string
	claims      int
	clients     int
	seed        uint64
	runs        int
	timeout     time.Duration
	lease       time.Duration
	keep        bool
	verbose     bool
}

func main() {
	os.Exit(run())
}

func run() int {
	var c config
	var dbs string
	flag.StringVar(&c.bin, "bin", "", "casebridge binary to test (default: go build ./cmd/casebridge into a temp dir)")
	flag.StringVar(&dbs, "db", "", "backends, comma-separated: sqlite, postgres (default: sqlite, and postgres when a database URL is set)")
	flag.StringVar(&c.databaseURL, "database-url", os.Getenv("CASEBRIDGE_TEST_DATABASE_URL"), "PostgreSQL server to make a fresh database in (default $CASEBRIDGE_TEST_DATABASE_URL)")
	flag.IntVar(&c.claims, "claims", 60, "claims per scenario")
	flag.IntVar(&c.clients, "clients", 4, "concurrent clients")
	flag.Uint64Var(&c.seed, "seed", 0, "random seed (0: from the clock; printed)")
	flag.IntVar(&c.runs, "runs", 1, "repeat every scenario this many times (seed+1 each)")
	flag.DurationVar(&c.timeout, "timeout", 60*time.Second, "limit per scenario")
	flag.DurationVar(&c.lease, "lease", 3*time.Second, "the gateways' idempotency lease (serve --idempotency-lease; at least 2s)")
	flag.BoolVar(&c.keep, "keep", false, "keep the temp directory (gateway logs) even when the checks pass")
	flag.BoolVar(&c.verbose, "v", false, "log every step")
	flag.Parse()
	if flag.NArg() > 0 || c.claims < 8 || c.clients < 1 || c.runs < 1 || c.lease < 2*time.Second {
		fmt.Fprintln(os.Stderr, "usage: crashtest [-db sqlite,postgres] [-claims N>=8] [-clients N] [-seed N] [-runs N]")
		return 2
	}
	switch dbs {
	case "":
		c.dbs = []string{"sqlite"}
		if c.databaseURL != "" {
			c.dbs = append(c.dbs, "postgres")
		}
	default:
		for _, d := range strings.Split(dbs, ",") {
			if d != "sqlite" && d != "postgres" {
				fmt.Fprintf(os.Stderr, "crashtest: unknown backend %q\n", d)
				return 2
			}
			c.dbs = append(c.dbs, d)
		}
	}
	// testdata and ./cmd/casebridge are read from the module's root
	if out, err := exec.Command("go", "env", "GOMOD").Output(); err == nil && strings.TrimSpace(string(out)) != "" && strings.TrimSpace(string(out)) != os.DevNull {
		if err := os.Chdir(filepath.Dir(strings.TrimSpace(string(out)))); err != nil {
			fmt.Fprintln(os.Stderr, "crashtest:", err)
			return 2
		}
	}
	for _, db := range c.dbs {
		if db == "postgres" && c.databaseURL == "" {
			fmt.Fprintln(os.Stderr, "crashtest: -db postgres needs -database-url or CASEBRIDGE_TEST_DATABASE_URL")
			return 2
		}
	}
	if c.seed == 0 {
		c.seed = uint64(time.Now().UnixNano()) % 1_000_000
	}

	tmp, err := os.MkdirTemp("", "casebridge-crash-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "crashtest:", err)
		return 2
	}
	failed := false
	defer func() {
		if failed || c.keep {
			fmt.Fprintf(os.Stderr, "crashtest: gateway logs kept in %s\n", tmp)
		} else {
			os.RemoveAll(tmp)
		}
	}()
	// whatever happens (a signal, a panic in a check), no gateway outlives us
	defer killAll()
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		s := <-sigs
		killAll()
		fmt.Fprintf(os.Stderr, "crashtest: %v: gateways killed\n", s)
		os.Exit(2)
	}()

	if c.bin == "" {
		c.bin = filepath.Join(tmp, "casebridge")
		start := time.Now()
		cmd := exec.Command("go", "build", "-o", c.bin, "./cmd/casebridge")
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Run(); err != nil {
			fmt.Fprintln(os.Stderr, "crashtest: go build:", err)
			failed = true
			return 2
		}
		logf(c.verbose, "built %s in %s", c.bin, time.Since(start).Round(time.Millisecond))
	}

	code := 0
	for r := 0; r < c.runs; r++ {
		seed := c.seed + uint64(r)
		for _, db := range c.dbs {
			scenarios := []scenario{{db: db, gateways: 1, kill: "all"}}
			if db == "postgres" {
				scenarios = []scenario{{db: db, gateways: 2, kill: "one"}, {db: db, gateways: 2, kill: "all"}}
			}
			for i, sc := range scenarios {
				sc.seed = seed
				sc.dir = filepath.Join(tmp, fmt.Sprintf("%s-%d-%d", db, r, i))
				rc := runScenario(c, sc)
				if rc > code {
					code = rc
				}
				if rc != 0 {
					failed = true
				}
			}
		}
	}
	return code
}

func logf(on bool, format string, args ...any) {
	if on {
		fmt.Fprintf(os.Stderr, "crashtest: "+format+"\n", args...)
	}
}

// ---- gateway processes

var (
	procsMu sync.Mutex
	procs   = map[*gateway]bool{}
)

// killAll SIGKILLs every gateway still running.
func killAll() {
	procsMu.Lock()
	defer procsMu.Unlock()
	for g := range procs {
		g.cmd.Process.Kill()
	}
}

type gateway struct {
	idx  int
	addr string
	cmd  *exec.Cmd
	done chan struct{} // closed when the process has exited
	log  *os.File
}

func (g *gateway) url(path string) string { return "http://" + g.addr + path }

// startGateway runs casebridge serve on a free loopback port and waits for
// /readyz (a port taken in between: it tries again on another).
func startGateway(ctx context.Context, c config, sc scenario, idx int, dbURL string) (*gateway, error) {
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		addr, err := freePort()
		if err != nil {
			return nil, err
		}
		args := []string{"serve", "--addr", addr, "--idempotency-lease", c.lease.String()}
		if sc.db == "sqlite" {
			args = append(args, "--data", filepath.Join(sc.dir, "data"))
		} else {
			args = append(args, "--database-url", dbURL)
		}
		cmd := exec.Command(c.bin, args...)
		env := []string{"CASEBRIDGE_STATE_DIR=" + filepath.Join(sc.dir, fmt.Sprintf("state%d", idx))}
		for _, kv := range os.Environ() {
			if !strings.HasPrefix(kv, "CASEBRIDGE_") {
				env = append(env, kv)
			}
		}
		cmd.Env = env
		lf, err := os.OpenFile(filepath.Join(sc.dir, fmt.Sprintf("gateway%d.log", idx)), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(lf, "---- start %s %s\n", time.Now().UTC().Format(time.RFC3339Nano), strings.Join(args, " "))
		cmd.Stdout, cmd.Stderr = lf, lf
		setDeathSignal(cmd)
		g := &gateway{idx: idx, addr: addr, cmd: cmd, done: make(chan struct{}), log: lf}
		procsMu.Lock()
		if err := cmd.Start(); err != nil {
			procsMu.Unlock()
			lf.Close()
			return nil, fmt.Errorf("start gateway: %w", err)
		}
		procs[g] = true
		procsMu.Unlock()
		go func() {
			cmd.Wait()
			procsMu.Lock()
			delete(procs, g)
			procsMu.Unlock()
			lf.Close()
			close(g.done)
		}()
		if lastErr = waitReady(ctx, g); lastErr == nil {
			return g, nil
		}
		g.kill()
	}
	return nil, fmt.Errorf("gateway %d did not become ready (log in %s): %w", idx, sc.dir, lastErr)
}

func waitReady(ctx context.Context, g *gateway) error {
	cl := &http.Client{Timeout: 2 * time.Second}
	for {
		select {
		case <-g.done:
			return fmt.Errorf("gateway exited: %v", g.cmd.ProcessState)
		case <-ctx.Done():
			return ctx.Err()
		default:
		}
		resp, err := cl.Get(g.url("/readyz"))
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return nil
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// kill SIGKILLs the gateway and waits until it is gone.
func (g *gateway) kill() {
	g.cmd.Process.Signal(syscall.SIGKILL)
	<-g.done
}

// stop SIGTERMs the gateway (a clean shutdown) and waits, SIGKILL after 10 s.
func (g *gateway) stop() {
	g.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-g.done:
	case <-time.After(10 * time.Second):
		g.kill()
	}
}

func freePort() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// ---- the scenario

type scenario struct {
	db       string // sqlite | postgres
	gateways int
	kill     string // one | all
	seed     uint64
	dir      string
}

func (sc scenario) name() string {
	if sc.db == "sqlite" {
		return "sqlite"
	}
	return fmt.Sprintf("postgres(%d gateways, kill %s)", sc.gateways, sc.kill)
}

// claim is one claim of the run and everything seen about its request.
type claim struct {
	idx      int
	recordID string
	key      string
	body     []byte

	mu        sync.Mutex
	first     *answer   // the first 201 seen
	attempts  []int     // gateway of each attempt before the kill that got no answer
	lastSent  time.Time // when the last of those attempts was sent
	unseen    bool      // phase 1 ended without an answer
	answers   int       // answers seen (any status)
	retried   int       // retries after the restart
	conflicts int       // 409s seen while retrying
}

type answer struct {
	status   int
	location string
	body     []byte
	id       string
	isa13    string
}

type violations struct {
	mu   sync.Mutex
	list []string
}

func (v *violations) add(format string, args ...any) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.list = append(v.list, fmt.Sprintf(format, args...))
}

func (v *violations) len() int {
	v.mu.Lock()
	defer v.mu.Unlock()
	return len(v.list)
}

func runScenario(c config, sc scenario) int {
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
	defer cancel()
	// a last resort against a hang the context does not reach
	watchdog := time.AfterFunc(c.timeout+15*time.Second, func() {
		killAll()
		fmt.Fprintf(os.Stderr, "crashtest %s: hung past %s: gateways killed\n", sc.name(), c.timeout)
		os.Exit(2)
	})
	defer watchdog.Stop()
	if err := os.MkdirAll(sc.dir, 0o700); err != nil {
		fmt.Fprintln(os.Stderr, "crashtest:", err)
		return 2
	}
	rng := rand.New(rand.NewPCG(sc.seed, uint64(len(sc.name()))))
	fail := func(format string, args ...any) int {
		fmt.Fprintf(os.Stderr, "crashtest %s seed=%d: cannot run: %s\n", sc.name(), sc.seed, fmt.Sprintf(format, args...))
		return 2
	}

	// the store
	var dbURL string
	var db *sql.DB
	ph := func(i int) string { return "?" }
	if sc.db == "postgres" {
		u, drop, err := freshDatabase(ctx, c.databaseURL, sc.seed)
		if err != nil {
			return fail("fresh database: %v", err)
		}
		defer drop()
		dbURL = u
		ph = func(i int) string { return "$" + strconv.Itoa(i) }
	}

	// the claims
	tmpl, err := os.ReadFile(filepath.Join("testdata", "records", "self.json"))
	if err != nil {
		return fail("%v (run from the repository root)", err)
	}
	tag := strconv.FormatUint(sc.seed%46656, 36) + strconv.FormatInt(time.Now().UnixNano()%1296, 36)
	claims := make([]*claim, c.claims)
	for i := range claims {
		rid := fmt.Sprintf("CR%s%03d", strings.ToUpper(tag), i)
		body, err := claimBody(tmpl, rid)
		if err != nil {
			return fail("claim body: %v", err)
		}
		claims[i] = &claim{idx: i, recordID: rid, key: fmt.Sprintf("crash-%s-%s-%03d", sc.db, tag, i), body: body}
	}

	gws := make([]*gateway, sc.gateways)
	for i := range gws {
		if gws[i], err = startGateway(ctx, c, sc, i, dbURL); err != nil {
			return fail("%v", err)
		}
	}
	defer func() {
		for _, g := range gws {
			if g != nil {
				g.kill()
			}
		}
	}()

	var v violations

	// ---- phase 1: post from concurrent clients, SIGKILL after killAfter 201s
	// while requests are in flight on the victims
	killAfter := c.claims/5 + rng.IntN(c.claims/2)
	victims := []int{}
	switch {
	case sc.kill == "all":
		for i := range gws {
			victims = append(victims, i)
		}
	default:
		victims = []int{rng.IntN(len(gws))}
	}
	isVictim := func(g int) bool {
		for _, x := range victims {
			if x == g {
				return true
			}
		}
		return false
	}
	var (
		acks       atomic.Int64
		inflight   = make([]atomic.Int64, len(gws))
		killOnce   sync.Once
		killed     atomic.Bool
		killNote   string
		killDone   = make(chan struct{})
		next       atomic.Int64
		clientsWG  sync.WaitGroup
		deadBefore atomic.Int64 // requests sent to a gateway already dead (connection refused)
	)
	maybeKill := func() {
		if killed.Load() || acks.Load() < int64(killAfter) {
			return
		}
		n := int64(0)
		for _, g := range victims {
			n += inflight[g].Load()
		}
		if n == 0 {
			return // not provably mid-stream yet: the next answer checks again
		}
		killOnce.Do(func() {
			for _, g := range victims {
				gws[g].cmd.Process.Signal(syscall.SIGKILL)
			}
			killed.Store(true)
			killNote = fmt.Sprintf("SIGKILL gateway %v after %d acks, %d requests in flight on it", victims, acks.Load(), n)
			for _, g := range victims {
				<-gws[g].done
			}
			close(killDone)
		})
	}
	for w := 0; w < c.clients; w++ {
		clientsWG.Add(1)
		go func(w int) {
			defer clientsWG.Done()
			hc := newClient()
			for j := 0; ; j++ {
				i := int(next.Add(1) - 1)
				if i >= len(claims) || ctx.Err() != nil {
					return
				}
				cl := claims[i]
				g := (w + j) % len(gws)
				if killed.Load() && isVictim(g) {
					deadBefore.Add(1)
				}
				inflight[g].Add(1)
				sent := time.Now()
				a, err := post(ctx, hc, gws[g], cl)
				inflight[g].Add(-1)
				if err != nil {
					cl.mu.Lock()
					cl.attempts = append(cl.attempts, g)
					cl.lastSent = sent
					cl.unseen = true
					cl.mu.Unlock()
					if !killed.Load() || !isVictim(g) {
						v.add("%s: no answer from gateway %d, which was not killed: %v", cl.recordID, g, err)
					}
					continue
				}
				record(&v, cl, a, "first post")
				if a.status == 201 {
					acks.Add(1)
				}
				maybeKill()
			}
		}(w)
	}
	clientsWG.Wait()
	if !killed.Load() {
		return fail("the stream ended before the kill (%d acks, kill after %d): raise -claims", acks.Load(), killAfter)
	}
	<-killDone
	unseen := []*claim{}
	for _, cl := range claims {
		if cl.unseen {
			unseen = append(unseen, cl)
		}
	}
	logf(c.verbose, "%s: %s; %d unseen", sc.name(), killNote, len(unseen))

	// ---- restart the dead gateways
	for _, g := range victims {
		if gws[g], err = startGateway(ctx, c, sc, g, dbURL); err != nil {
			return fail("restart: %v", err)
		}
	}

	// ---- the keys the dead gateways left in flight: the restarted gateway
	// must hold them (409: the dead process could still be running, as far as
	// it knows), until their lease (-lease) runs out; checked while it
	// certainly holds, then phase 2 waits it out.
	orphans := []string{}
	for _, cl := range unseen {
		orphan := len(cl.attempts) > 0
		for _, g := range cl.attempts {
			orphan = orphan && isVictim(g)
		}
		if orphan {
			orphans = append(orphans, cl.key)
		}
	}
	var expiredKeys map[string]bool // keys the killed gateways left in flight
	if db, err = openDB(sc, dbURL); err != nil {
		return fail("open the store: %v", err)
	}
	leftInFlight, err := keysInFlight(ctx, db, ph, orphans)
	if err != nil {
		db.Close()
		return fail("keys in flight: %v", err)
	}
	// of those, the ones whose claim the dead gateway had committed (the
	// crash window between the claim's commit and the key's answer): the
	// retry must answer that claim, not store another
	committed, err := claimsWithKeys(ctx, db, ph, leftInFlight)
	if err != nil {
		db.Close()
		return fail("claims of the keys in flight: %v", err)
	}
	hc0 := newClient()
	checked409 := 0
	for _, cl := range unseen {
		if !leftInFlight[cl.key] || time.Since(cl.lastSent) > c.lease-time.Second {
			continue // the lease may have run out already
		}
		checked409++
		a, err := post(ctx, hc0, gws[(cl.idx+1)%len(gws)], cl)
		switch {
		case err != nil:
			v.add("%s: the restarted gateways do not answer: %v", cl.recordID, err)
		case a.status != 409 || !bytes.Contains(a.body, []byte("IDEMPOTENCY_IN_FLIGHT")):
			v.add("%s: a retry of a request the killed gateway left in flight answered %d, not 409 IDEMPOTENCY_IN_FLIGHT, within the lease: %.300s", cl.recordID, a.status, a.body)
			if a.status == 201 {
				record(&v, cl, a, "retry within the lease")
			}
		}
	}
	expiredKeys = leftInFlight
	logf(c.verbose, "%s: %d keys left in flight, %d checked for 409 within the lease", sc.name(), len(leftInFlight), checked409)
	db.Close()
	expired := len(leftInFlight)

	// ---- phase 2: retry every request without a seen answer, against either
	// gateway, until it is answered (409: the lease; 5xx or no answer: again)
	retryWG := sync.WaitGroup{}
	work := make(chan *claim)
	for w := 0; w < c.clients; w++ {
		retryWG.Add(1)
		go func(w int) {
			defer retryWG.Done()
			hc := newClient()
			for cl := range work {
				backoff := 100 * time.Millisecond
				for n := 0; ; n++ {
					g := gws[(cl.idx+n)%len(gws)]
					cl.mu.Lock()
					cl.retried++
					cl.mu.Unlock()
					a, err := post(ctx, hc, g, cl)
					if err == nil && a.status != 409 && a.status < 500 {
						record(&v, cl, a, "retry")
						break
					}
					if err == nil && a.status == 409 {
						cl.mu.Lock()
						cl.conflicts++
						cl.mu.Unlock()
					}
					if ctx.Err() != nil {
						v.add("%s: no final answer before the timeout (last: %v %v)", cl.recordID, statusOf(a), err)
						break
					}
					select {
					case <-time.After(backoff):
					case <-ctx.Done():
					}
					backoff = min(backoff*2, 2*time.Second)
				}
			}
		}(w)
	}
	for _, cl := range unseen {
		work <- cl
	}
	close(work)
	retryWG.Wait()

	// ---- phase 3: replay every request: the first 201, byte for byte
	hc := newClient()
	for _, cl := range claims {
		if cl.first == nil {
			v.add("%s: never acknowledged", cl.recordID)
			continue
		}
		g := gws[(cl.idx+1)%len(gws)]
		a, err := post(ctx, hc, g, cl)
		if err != nil {
			v.add("%s: replay: %v", cl.recordID, err)
			continue
		}
		record(&v, cl, a, "replay")
	}

	// ---- phase 4: what the store holds, through the API
	isa13s := map[string]string{}
	for _, cl := range claims {
		if cl.first == nil {
			continue
		}
		g := gws[cl.idx%len(gws)]
		var list struct {
			Items []struct {
				ID             string `json:"id"`
				RecordID       string `json:"record_id"`
				Status         string `json:"status"`
				ControlNumbers *struct {
					Interchange string `json:"interchange"`
				} `json:"control_numbers"`
			} `json:"items"`
		}
		if err := getJSON(ctx, hc, g.url("/v1/claims?limit=500&record_id="+url.QueryEscape(cl.recordID)), &list); err != nil {
			v.add("%s: list: %v", cl.recordID, err)
			continue
		}
		if len(list.Items) != 1 {
			ids := []string{}
			for _, it := range list.Items {
				ids = append(ids, it.ID)
			}
			v.add("%s: stored %d times (ids %v; acknowledged %s; %s)", cl.recordID, len(list.Items), ids, cl.first.id, cl.history())
			if expiredKeys[cl.key] {
				v.add("%s: its key was left in flight by the killed gateway, which had already committed the claim: "+
					"the retry took the key over after the lease and stored the claim again "+
					"(it did not find the claim stored under the key)", cl.recordID)
			}
		}
		for _, it := range list.Items {
			if it.ID != cl.first.id && len(list.Items) == 1 {
				v.add("%s: stored as %s, acknowledged as %s", cl.recordID, it.ID, cl.first.id)
			}
		}
		x12, err := get(ctx, hc, g.url("/v1/claims/"+cl.first.id+"/837d"))
		if err != nil {
			v.add("%s: 837d: %v", cl.recordID, err)
			continue
		}
		isa13, err := isa13Of(x12)
		if err != nil {
			v.add("%s: 837d: %v", cl.recordID, err)
			continue
		}
		if isa13 != cl.first.isa13 {
			v.add("%s: ISA13 %s, but the answer's control number was %s", cl.recordID, isa13, cl.first.isa13)
		}
		if other, dup := isa13s[isa13]; dup {
			v.add("ISA13 %s used twice: %s and %s", isa13, other, cl.recordID)
		}
		isa13s[isa13] = cl.recordID
	}
	total, err := countAll(ctx, hc, gws[0])
	if err != nil {
		v.add("list all: %v", err)
	} else if total != len(claims) {
		v.add("the store lists %d claims for %d records", total, len(claims))
	}

	// ---- and the store itself, every gateway stopped
	for _, g := range gws {
		g.stop()
	}
	if db, err = openDB(sc, dbURL); err != nil {
		v.add("open the store: %v", err)
	} else {
		storeChecks(ctx, db, &v, tag)
		db.Close()
	}

	// ---- summary
	retried, conflicts := 0, 0
	for _, cl := range unseen {
		retried += cl.retried
		conflicts += cl.conflicts
	}
	status := "OK"
	if v.len() > 0 {
		status = "FAIL"
	}
	fmt.Printf("crashtest %s seed=%d: %s; %d claims, %d clients, %s; %d unanswered (%d refused by a dead gateway), %d keys left in flight (409 until the lease ran out; %d with their claim committed), %d retries (%d× 409); %d replays; %d unique ISA13 (%.1fs)\n",
		sc.name(), sc.seed, status, len(claims), c.clients, killNote, len(unseen), deadBefore.Load(), expired, committed, retried, conflicts,
		len(claims), len(isa13s), time.Since(start).Seconds())
	if v.len() > 0 {
		for _, s := range v.list {
			fmt.Fprintf(os.Stderr, "  VIOLATION: %s\n", s)
		}
		fmt.Fprintf(os.Stderr, "  gateway logs: %s\n", sc.dir)
		return 1
	}
	return 0
}

func statusOf(a *answer) any {
	if a == nil {
		return "no answer"
	}
	return a.status
}

func (cl *claim) history() string {
	cl.mu.Lock()
	defer cl.mu.Unlock()
	return fmt.Sprintf("unanswered before the kill: %v, attempts on %v, %d retries", cl.unseen, cl.attempts, cl.retried)
}

// record checks an answer against what was seen before for the claim.
func record(v *violations, cl *claim, a *answer, what string) {
	cl.mu.Lock()
	defer cl.mu.Unlock()
	cl.answers++
	if a.status != 201 {
		v.add("%s: %s answered %d: %.300s", cl.recordID, what, a.status, a.body)
		return
	}
	if cl.first == nil {
		cl.first = a
		return
	}
	if a.id != cl.first.id {
		v.add("%s: %s returned id %s, the first 201 was %s", cl.recordID, what, a.id, cl.first.id)
	} else if !bytes.Equal(a.body, cl.first.body) || a.location != cl.first.location {
		v.add("%s: %s is not the first 201 byte for byte", cl.recordID, what)
	}
}

// claimBody is the template record with its own record id (service line
// ids, absent in the template, default to <record_id>-<n>) and its own
// patient (member id "M" + record id): D9997 on one date for one patient in
// two claims would be refused as DUPLICATE_SERVICE.
func claimBody(tmpl []byte, recordID string) ([]byte, error) {
	var m map[string]any
	if err := json.Unmarshal(tmpl, &m); err != nil {
		return nil, err
	}
	m["record_id"] = recordID
	if sub, ok := m["subscriber"].(map[string]any); ok {
		sub["member_id"] = "M" + recordID
	}
	if svcs, ok := m["services"].([]any); ok {
		for _, s := range svcs {
			if sm, ok := s.(map[string]any); ok {
				delete(sm, "line_id")
			}
		}
	}
	return json.Marshal(m)
}

// ---- HTTP

func newClient() *http.Client {
	// no keep-alive: a request never rides a connection the kill broke, so
	// the transport never replays it on its own (it would: the
	// Idempotency-Key header makes a POST replayable to net/http)
	return &http.Client{Timeout: 15 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
}

func post(ctx context.Context, hc *http.Client, g *gateway, cl *claim) (*answer, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, g.url("/v1/claims"), bytes.NewReader(cl.body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", cl.key)
	resp, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("status %d, body cut: %w", resp.StatusCode, err)
	}
	a := &answer{status: resp.StatusCode, location: resp.Header.Get("Location"), body: body}
	if a.status == 201 {
		var r struct {
			ID             string `json:"id"`
			RecordID       string `json:"record_id"`
			Status         string `json:"status"`
			ControlNumbers struct {
				Interchange string `json:"interchange"`
			} `json:"control_numbers"`
		}
		if err := json.Unmarshal(body, &r); err != nil {
			return nil, fmt.Errorf("201 body: %w", err)
		}
		if r.ID == "" || r.RecordID != cl.recordID || r.Status != "submitted" || r.ControlNumbers.Interchange == "" || a.location != "/v1/claims/"+r.ID {
			return nil, fmt.Errorf("unexpected 201: Location %q %.300s", a.location, body)
		}
		a.id, a.isa13 = r.ID, r.ControlNumbers.Interchange
	}
	return a, nil
}

func get(ctx context.Context, hc *http.Client, u string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != 200 {
		return nil, fmt.Errorf("GET %s: %d %.300s", u, resp.StatusCode, body)
	}
	return body, nil
}

func getJSON(ctx context.Context, hc *http.Client, u string, v any) error {
	b, err := get(ctx, hc, u)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

// countAll pages through GET /v1/claims and counts the claims, checking
// that no id comes twice.
func countAll(ctx context.Context, hc *http.Client, g *gateway) (int, error) {
	seen := map[string]bool{}
	cursor := ""
	for pages := 0; pages < 100; pages++ {
		u := g.url("/v1/claims?limit=7")
		if cursor != "" {
			u += "&cursor=" + url.QueryEscape(cursor)
		}
		var page struct {
			Items []struct {
				ID string `json:"id"`
			} `json:"items"`
			NextCursor *string `json:"next_cursor"`
		}
		if err := getJSON(ctx, hc, u, &page); err != nil {
			return 0, err
		}
		for _, it := range page.Items {
			if seen[it.ID] {
				return 0, fmt.Errorf("claim %s listed twice", it.ID)
			}
			seen[it.ID] = true
		}
		if page.NextCursor == nil {
			return len(seen), nil
		}
		cursor = *page.NextCursor
	}
	return 0, errors.New("more than 100 pages")
}

// isa13Of reads ISA13 from an interchange: the ISA is fixed-length, its
// element separator is its fourth byte.
func isa13Of(x12 []byte) (string, error) {
	if len(x12) < 106 || string(x12[:3]) != "ISA" {
		return "", errors.New("no ISA segment")
	}
	f := strings.Split(string(x12[:106]), string(x12[3]))
	if len(f) < 14 {
		return "", errors.New("short ISA segment")
	}
	return f[13], nil
}

// ---- the store, directly

func openDB(sc scenario, dbURL string) (*sql.DB, error) {
	if sc.db == "sqlite" {
		return sql.Open("sqlite", filepath.Join(sc.dir, "data", "casebridge.db")+"?_busy_timeout=10000")
	}
	return sql.Open("pgx", dbURL)
}

// storeChecks counts rows: one claim per record id, unique ISA13, no key
// left in flight.
func storeChecks(ctx context.Context, db *sql.DB, v *violations, tag string) {
	like := "CR" + strings.ToUpper(tag) + "%"
	rows, err := db.QueryContext(ctx, `SELECT record_id, COUNT(*) FROM claims WHERE tenant = 'local' AND record_id LIKE '`+like+`'
		GROUP BY record_id HAVING COUNT(*) > 1`)
	if err != nil {
		v.add("store: %v", err)
		return
	}
	for rows.Next() {
		var rid string
		var n int
		rows.Scan(&rid, &n)
		v.add("store: record %s has %d claim rows", rid, n)
	}
	rows.Close()
	rows, err = db.QueryContext(ctx, `SELECT isa13, COUNT(*) FROM claims WHERE tenant = 'local' AND isa13 IS NOT NULL
		GROUP BY isa13 HAVING COUNT(*) > 1`)
	if err != nil {
		v.add("store: %v", err)
		return
	}
	for rows.Next() {
		var isa13, n int64
		rows.Scan(&isa13, &n)
		v.add("store: ISA13 %d on %d claims", isa13, n)
	}
	rows.Close()
	var inflight int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM idempotency_keys WHERE state = 'in_flight'`).Scan(&inflight); err != nil {
		v.add("store: %v", err)
	} else if inflight > 0 {
		v.add("store: %d idempotency keys still in flight after every retry", inflight)
	}
}

// freshDatabase makes a database of its own in the server of base and
// returns its URL and a func dropping it.
func freshDatabase(ctx context.Context, base string, seed uint64) (string, func(), error) {
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return "", nil, fmt.Errorf("the database URL must be a postgres:// URL")
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		return "", nil, err
	}
	name := fmt.Sprintf("casebridge_crash_%d_%d_%d", os.Getpid(), seed, time.Now().UnixNano()%1_000_000)
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		admin.Close()
		return "", nil, err
	}
	u.Path = "/" + name
	drop := func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if _, err := admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			fmt.Fprintf(os.Stderr, "crashtest: drop database %s: %v\n", name, err)
		}
		admin.Close()
	}
	return u.String(), drop, nil
}

// claimsWithKeys counts the stored claims created under these keys.
func claimsWithKeys(ctx context.Context, db *sql.DB, ph func(int) string, keys map[string]bool) (int, error) {
	if len(keys) == 0 {
		return 0, nil
	}
	args := []any{}
	marks := []string{}
	for k := range keys {
		args = append(args, k)
		marks = append(marks, ph(len(args)))
	}
	var n int
	err := db.QueryRowContext(ctx, `SELECT count(*) FROM claims WHERE tenant = 'local' AND idempotency_key IN (`+
		strings.Join(marks, ",")+`)`, args...).Scan(&n)
	return n, err
}

// keysInFlight returns which of keys are in flight.
func keysInFlight(ctx context.Context, db *sql.DB, ph func(int) string, keys []string) (map[string]bool, error) {
	out := map[string]bool{}
	if len(keys) == 0 {
		return out, nil
	}
	args := []any{}
	marks := []string{}
	for i, k := range keys {
		args = append(args, k)
		marks = append(marks, ph(i+1))
	}
	q := `SELECT key FROM idempotency_keys WHERE tenant = 'local' AND state = 'in_flight' AND key IN (` + strings.Join(marks, ",") + `)`
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return nil, err
		}
		out[k] = true
	}
	return out, rows.Err()
}
