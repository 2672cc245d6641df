package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
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
}
