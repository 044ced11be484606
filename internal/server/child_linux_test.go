package server_test

import "syscall"

// childAttr makes a child process die with the test binary, so a test run
// killed halfway leaves no server behind eating the machine.
func childAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
