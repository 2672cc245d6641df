package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"syscall"
	"testing"
)

// TestServeDrainsOnSIGTERM sends SIGTERM while a request is in flight (its
// handler is reading the body: the 100 Continue proves it) and checks that
// the listener closes at once (a new connection is refused), the request
// then completes with its whole 200 answer, and serve exits 0 afterwards.
func TestServeDrainsOnSIGTERM(t *testing.T) {
	logR, logW := io.Pipe()
	lines := make(chan string, 64)
	go func() {
		sc := bufio.NewScanner(logR)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	waitFor := func(msg string) map[string]any {
		t.Helper()
		for line := range lines {
			var m map[string]any
			if json.Unmarshal([]byte(line), &m) == nil && m["message"] == msg {
				return m
			}
		}
		t.Fatalf("serve ended without logging %q", msg)
		return nil
	}
	done := make(chan int, 1)
	go func() {
		var out bytes.Buffer
		done <- run([]string{"serve", "--addr", "127.0.0.1:0", "--data", t.TempDir()}, strings.NewReader(""), &out, logW)
		logW.Close()
	}()
	addr, _ := waitFor("casebridge listening")["addr"].(string)

	body, err := os.ReadFile(rec + "dependent.json")
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("../../testdata/837d/dependent.x12")
	if err != nil {
		t.Fatal(err)
	}
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	br := bufio.NewReader(conn)
	fmt.Fprintf(conn, "POST /v1/claims/837d?control_number=1001&at=2026-11-27T10:00:00Z&newlines=true HTTP/1.1\r\n"+
		"Host: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\nExpect: 100-continue\r\n\r\n", addr, len(body))
	// the handler asks for the body: the request is in flight
	if status, _ := br.ReadString('\n'); !strings.HasPrefix(status, "HTTP/1.1 100") {
		t.Fatalf("no 100 Continue: %q", status)
	}
	if blank, _ := br.ReadString('\n'); blank != "\r\n" {
		t.Fatalf("after 100 Continue: %q", blank)
	}
	half := len(body) / 2
	if _, err := conn.Write(body[:half]); err != nil {
		t.Fatal(err)
	}

	if err := syscall.Kill(os.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	waitFor("listener closed; draining requests in flight")
	// long (or any) requests that have not started are refused
	if c, err := net.Dial("tcp", addr); err == nil {
		c.Close()
		t.Error("a new connection was accepted during the drain")
	}
	select {
	case code := <-done:
		t.Fatalf("serve exited (%d) with a request in flight", code)
	default:
	}

	if _, err := conn.Write(body[half:]); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("truncated answer: %v (%d bytes)", err, len(got))
	}
	if resp.StatusCode != 200 || !bytes.Equal(got, want) {
		t.Errorf("in-flight answer: %d, %d bytes, want the golden %d", resp.StatusCode, len(got), len(want))
	}
	if !resp.Close {
		t.Error("the answer during the drain does not close the connection")
	}
	waitFor("shut down")
	if code := <-done; code != exitOK {
		t.Errorf("serve exit %d", code)
	}
	for range lines { // drain the log pipe
	}
}

// Shutdown waits at least as long as a response may take to write, so our
// exit never cuts an answer that the write timeout would have let finish.
func TestDrainCoversWriteTimeout(t *testing.T) {
	srv := newHTTPServer(http.NotFoundHandler())
	if srv.WriteTimeout <= 0 || drainTimeout(srv) <= srv.WriteTimeout {
		t.Errorf("drain %v, write timeout %v", drainTimeout(srv), srv.WriteTimeout)
	}
}
