package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/casebridge/casebridge/adapters/store"
	"github.com/casebridge/casebridge/internal/app"
)

func TestKeysCreateListRevoke(t *testing.T) {
	data := t.TempDir()
	t.Setenv("CASEBRIDGE_DATABASE_URL", "")
	code, out, errb := runCLI(t, "", "keys", "create", "--tenant", "acme", "--label", "billing office", "--data", data)
	if code != exitOK {
		t.Fatalf("create: exit %d: %s", code, errb)
	}
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	key := lines[len(lines)-1]
	if !strings.HasPrefix(key, "cb_") || len(key) != 46 {
		t.Fatalf("last line is not a key: %q", key)
	}
	if fi, err := os.Stat(filepath.Join(data, "casebridge.db")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("database file: %v %v", fi, err)
	}
	code, out, _ = runCLI(t, "", "keys", "list", "--tenant", "acme", "--data", data)
	if code != exitOK || !strings.Contains(out, "billing office") || !strings.Contains(out, key[:9]) || strings.Contains(out, key) {
		t.Fatalf("list: exit %d\n%s", code, out)
	}
	id := strings.Fields(strings.Split(out, "\n")[1])[0]
	if code, _, errb := runCLI(t, "", "keys", "revoke", id, "--tenant", "other", "--data", data); code != exitInvalid {
		t.Errorf("revoke as another tenant: exit %d %s", code, errb)
	}
	if code, out, errb := runCLI(t, "", "keys", "revoke", id, "--tenant", "acme", "--data", data); code != exitOK || !strings.Contains(out, id) {
		t.Fatalf("revoke: exit %d %s", code, errb)
	}
	_, out, _ = runCLI(t, "", "keys", "list", "--tenant", "acme", "--data", data)
	if f := strings.Fields(strings.Split(out, "\n")[1]); f[len(f)-1] == "-" || !strings.HasPrefix(f[len(f)-1], "20") {
		t.Errorf("revoked key not shown revoked:\n%s", out)
	}
	for _, tc := range []struct {
		args []string
		code int
	}{
		{[]string{"keys"}, exitUsage},
		{[]string{"keys", "rotate"}, exitUsage},
		{[]string{"keys", "create", "--data", data}, exitUsage},
		{[]string{"keys", "create", "--tenant", "bad tenant!", "--data", data}, exitUsage},
		{[]string{"keys", "create", "--tenant", "a", "--data", data, "--database-url", "postgres://x"}, exitUsage},
		{[]string{"keys", "revoke", "--data", data}, exitUsage},
		{[]string{"keys", "revoke", "nope", "--tenant", "acme", "--data", data}, exitInvalid},
		{[]string{"keys", "list", "--data", filepath.Join(data, "casebridge.db", "x")}, exitInternal},
	} {
		if code, _, errb := runCLI(t, "", tc.args...); code != tc.code {
			t.Errorf("%v: exit %d, want %d (%s)", tc.args, code, tc.code, errb)
		}
	}
}

// Without a key the gateway is local and unauthenticated: it refuses to
// listen beyond this machine.
func TestServeLocalModeRefusesNonLoopback(t *testing.T) {
	data := t.TempDir()
	for _, addr := range []string{"0.0.0.0:0", ":0", "192.0.2.1:0"} {
		code, _, errb := runCLI(t, "", "serve", "--addr", addr, "--data", data)
		if code != exitUsage || !strings.Contains(errb, "no API key") {
			t.Errorf("%s: exit %d %s", addr, code, errb)
		}
	}
	for addr, want := range map[string]bool{"127.0.0.1:8080": true, "localhost:1": true, "[::1]:1": true, "0.0.0.0:1": false, ":1": false, "example.com:1": false} {
		if loopback(addr) != want {
			t.Errorf("loopback(%q) = %v", addr, !want)
		}
	}
	if code, _, _ := runCLI(t, "", "serve", "--data", data, "--database-url", "postgres://x"); code != exitUsage {
		t.Errorf("both stores: exit %d", code)
	}
	if code, _, errb := runCLI(t, "", "serve", "--data", data, "--auth-recheck", "-1s"); code != exitUsage || !strings.Contains(errb, "auth-recheck") {
		t.Errorf("negative --auth-recheck: exit %d %s", code, errb)
	}
}

// serve with a store: local mode until a key is created (by another
// process on the same database), then 401 without it; the claim loop works.
// CASEBRIDGE_AUTH_RECHECK=0 makes serve ask the store on every request, so
// the key takes effect at once (the default bound of 1 s is tested with a
// settable clock in internal/app/authcache_test.go).
func TestServeWithStore(t *testing.T) {
	data := t.TempDir()
	t.Setenv("CASEBRIDGE_DATABASE_URL", "")
	t.Setenv("CASEBRIDGE_AUTH_RECHECK", "0")
	logR, logW := io.Pipe()
	lines := make(chan string, 256)
	go func() {
		sc := bufio.NewScanner(logR)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	done := make(chan int, 1)
	go func() {
		var out bytes.Buffer
		done <- run([]string{"serve", "--addr", "127.0.0.1:0", "--data", data}, strings.NewReader(""), &out, logW)
		logW.Close()
	}()
	var addr string
	for line := range lines {
		var m map[string]any
		if json.Unmarshal([]byte(line), &m) == nil && m["message"] == "casebridge listening" {
			addr, _ = m["addr"].(string)
			break
		}
	}
	go func() {
		for range lines { // keep the log pipe flowing
		}
	}()
	if addr == "" {
		t.Fatal("serve did not start")
	}
	do := func(method, path, ctype, key string, body []byte) (int, []byte) {
		t.Helper()
		req, _ := http.NewRequest(method, "http://"+addr+path, bytes.NewReader(body))
		if ctype != "" {
			req.Header.Set("Content-Type", ctype)
		}
		if key != "" {
			req.Header.Set("Authorization", "Bearer "+key)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, b
	}
	record, _ := os.ReadFile(rec + "self.json")
	if code, body := do("POST", "/v1/claims", "application/json", "", record); code != 201 {
		t.Fatalf("local mode: %d %s", code, body)
	}
	if code, _ := do("GET", "/readyz", "", "", nil); code != 200 {
		t.Fatalf("readyz %d", code)
	}
	code, out, errb := runCLI(t, "", "keys", "create", "--tenant", "acme", "--data", data)
	if code != exitOK {
		t.Fatalf("keys create: %d %s", code, errb)
	}
	key := strings.TrimSpace(out[strings.LastIndex(strings.TrimRight(out, "\n"), "\n")+1:])
	if code, _ := do("GET", "/v1/claims", "", "", nil); code != 401 {
		t.Errorf("after a key, without it: %d", code)
	}
	code, body := do("GET", "/v1/claims", "", key, nil)
	if code != 200 || strings.TrimSpace(string(body)) != `{"items":[],"next_cursor":null}` {
		t.Errorf("acme sees %d %s (the local tenant's claim is not acme's)", code, body)
	}
	if err := syscall.Kill(os.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := <-done; code != exitOK {
		t.Errorf("serve exit %d", code)
	}
}

// serve's purge loop forgets idempotency keys past their 24 h at start.
func TestPurgeIdempotency(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	st, err := store.Open(ctx, store.Options{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	svc := app.New(st, nil, func() time.Time { return now }, app.Options{})
	b, err := svc.Idempotency().Begin(ctx, "t1", "k", "POST", "/v1/claims", []byte("{}"))
	if err != nil || b.Outcome != app.IdemNew {
		t.Fatal(b, err)
	}
	if err := svc.Idempotency().Finish(ctx, "t1", "k", b.Token, 201, http.Header{}, []byte("{}")); err != nil {
		t.Fatal(err)
	}
	now = now.Add(25 * time.Hour)
	logR, logW := io.Pipe()
	done := make(chan struct{})
	go func() {
		purgeIdempotency(ctx, svc, zerolog.New(logW), time.Hour)
		logW.Close()
		close(done)
	}()
	sc := bufio.NewScanner(logR)
	for sc.Scan() {
		var m map[string]any
		if json.Unmarshal(sc.Bytes(), &m) == nil && m["message"] == "idempotency keys purged" {
			if m["purged"] != float64(1) {
				t.Errorf("purged %v", m["purged"])
			}
			break
		}
	}
	cancel()
	go io.Copy(io.Discard, logR)
	<-done
	b, err = svc.Idempotency().Begin(context.Background(), "t1", "k", "POST", "/v1/claims", []byte("other"))
	if err != nil || b.Outcome != app.IdemNew {
		t.Errorf("after the purge the key is %v (%v), want new", b.Outcome, err)
	}
}
