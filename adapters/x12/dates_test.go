package x12_test

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/casebridge/casebridge/adapters/x12"
)

func TestAppendDateIsAppendFormat(t *testing.T) {
	rng := rand.New(rand.NewPCG(5010, 224))
	times := []time.Time{time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC),
		time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC)}
	for range 10000 {
		times = append(times, time.Unix(rng.Int64N(400*365*86400)-100*365*86400, 0).UTC())
	}
	for _, tm := range times {
		for _, layout := range []string{"20060102", "060102", "1504", "2006-01-02"} {
			if got, want := string(x12.AppendDate([]byte("x"), tm, layout)), string(tm.AppendFormat([]byte("x"), layout)); got != want {
				t.Fatalf("%v %s: %q, want %q", tm, layout, got, want)
			}
		}
	}
}
