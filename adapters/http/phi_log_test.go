package httpapi_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// suiteLogs collects every log line any gateway of this package's tests
// writes, so that TestMain can check the logs of the whole suite for PHI.
var suiteLogs lockedBuffer

type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// suiteLog is the log writer of a test gateway: w, and the suite's record.
func suiteLog(w io.Writer) io.Writer { return io.MultiWriter(w, &suiteLogs) }

// TestMain runs the suite, then looks for every PHI value of the test data
// (names, member ids, birth dates, narratives, special-needs text, and the
// canaries) in every log line the suite's gateways wrote: the logs carry
// ids and counts, never data.
func TestMain(m *testing.M) {
	code := m.Run()
	if code == 0 {
		values, err := phiValues()
		if err != nil {
			fmt.Fprintln(os.Stderr, "PHI log check:", err)
			os.Exit(1)
		}
		if leaks := phiInLogs(suiteLogs.buf.Bytes(), values); len(leaks) > 0 {
			for _, l := range leaks {
				fmt.Fprintln(os.Stderr, "PHI in a log line:", l)
			}
			code = 1
		}
	}
	os.Exit(code)
}

// phiKeys are the record and FHIR fields that hold PHI.
var phiKeys = map[string]bool{
	"first_name": true, "last_name": true, "member_id": true, "birth_date": true, "narrative": true,
	"condition": true, "functional_limitations": true, "delivery_modifications": true,
	"reason": true, "actions": true, "patient_benefit": true, "follow_up": true, "note": true,
	"family": true, "given": true, "birthDate": true, "line1": true,
}

// phiValues gathers the PHI of the records, FHIR claims and 835s the tests
// send, plus the canary strings.
func phiValues() ([]string, error) {
	values := append([]string(nil), canaries...)
	var walk func(key string, v any)
	walk = func(key string, v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				walk(k, e)
			}
		case []any:
			for _, e := range x {
				walk(key, e)
			}
		case string:
			if phiKeys[key] && len(x) >= 4 {
				if len(x) > 24 { // narratives: a distinctive piece is enough
					x = x[:24]
				}
				values = append(values, x)
			}
		}
	}
	var files []string
	for _, g := range []string{"records/*.json", "fhir/ehr/*.json", "fhir/records/*.json"} {
		m, err := filepath.Glob(filepath.Join("..", "..", "testdata", g))
		if err != nil {
			return nil, err
		}
		files = append(files, m...)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		var v any
		if err := json.Unmarshal(b, &v); err != nil {
			return nil, fmt.Errorf("%s: %v", f, err)
		}
		walk("", v)
	}
	// the 835s: patient and subscriber names and ids (NM1*QC / NM1*IL)
	x12s, _ := filepath.Glob(filepath.Join("..", "..", "testdata", "835", "*.x12"))
	for _, f := range x12s {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		for _, seg := range strings.FieldsFunc(string(b), func(r rune) bool { return r == '~' || r == '\n' || r == '\r' }) {
			el := strings.Split(strings.TrimSpace(seg), "*")
			if len(el) < 4 || el[0] != "NM1" || (el[1] != "QC" && el[1] != "IL") {
				continue
			}
			for _, i := range []int{3, 4, 9} {
				if i < len(el) && len(el[i]) >= 4 {
					values = append(values, el[i])
				}
			}
		}
	}
	return values, nil
}

// phiInLogs returns the log lines that hold one of values (case-insensitive).
func phiInLogs(logs []byte, values []string) []string {
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(logs))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := strings.ToUpper(sc.Text())
		for _, v := range values {
			if strings.Contains(line, strings.ToUpper(v)) {
				out = append(out, fmt.Sprintf("%q holds %q", sc.Text(), v))
				break
			}
		}
	}
	return out
}

// The check itself finds what it looks for.
func TestPHIInLogsFindsData(t *testing.T) {
	values, err := phiValues()
	if err != nil {
		t.Fatal(err)
	}
	if len(values) < 20 {
		t.Fatalf("only %d PHI values gathered from the test data", len(values))
	}
	clean := []byte(`{"level":"info","request_id":"ab12","route":"/v1/claims","status":201}` + "\n")
	if got := phiInLogs(clean, values); len(got) != 0 {
		t.Errorf("a clean line flagged: %v", got)
	}
	leak := []byte(`{"level":"info","msg":"decoded ` + values[len(values)-1] + `"}` + "\n")
	if got := phiInLogs(append(clean, leak...), values); len(got) != 1 {
		t.Errorf("a leaking line not flagged: %v", got)
	}
}
