// Command recommend is the recommend module's benchmark and load tool.
// Every target is on this machine (loopback); every loop is bounded.
//
//	go run ./bench/recommend seed  -data DIR -products N -signals M -seed S
//	go run ./bench/recommend serve -data DIR -addr 127.0.0.1:8092
//	go run ./bench/recommend load  -url http://127.0.0.1:8092 -n 3000 -c 2
//
// -db is a postgres:// URL or sqlite:PATH (default: SQLite in -data).
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: recommend seed|serve|load [flags]")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "seed":
		err = seed(ctx, os.Args[2:])
	case "serve":
		err = serve(ctx, os.Args[2:])
	case "load":
		err = load(ctx, os.Args[2:])
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "recommend:", err)
		os.Exit(1)
	}
}

// bulk readies the process for a bulk load (fewer GCs unless GOGC is set).
func bulk() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
}
