//go:build !linux

package main

import "os/exec"

// setDeathSignal: only Linux has a parent-death signal; elsewhere the test
// kills its gateways on every exit it sees.
func setDeathSignal(*exec.Cmd) {}
