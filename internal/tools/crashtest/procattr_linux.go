package main

import (
	"os/exec"
	"syscall"
)

// setDeathSignal has the kernel SIGKILL the gateway if the test itself dies
// (killed by a CI timeout): no gateway outlives its test.
func setDeathSignal(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
