// Runs a command as dockerd runs a container's process with the json-file logging driver (the
// default): its stdout and stderr are two pipes, copied line by line by moby's own Copier
// (daemon/logger/copier.go) into moby's own JSONFileLogger (daemon/logger/jsonfilelog), which
// writes the container's <id>-json.log. Built from Debian's golang-github-docker-docker-dev
// (moby 20.10), no network. fd 3, when open, is passed on to the command (Node's IPC channel).
//
// Usage: dockerlog -out <file> [-buf <bytes>] [-tag <tag>] -- <command> [args...]
// -buf: the copier's line buffer, as a logging driver sets it through SizedLogger (16 KB, the
// copier's default, when 0): a line longer than it is written in parts.
// -tag: written in each record's "attrs", as `docker run --log-opt tag=…` asks.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"

	"github.com/docker/docker/daemon/logger"
	"github.com/docker/docker/daemon/logger/jsonfilelog"
)

// sized gives the copier another buffer size, as drivers that implement logger.SizedLogger do.
type sized struct {
	logger.Logger
	size int
}

func (s sized) BufSize() int { return s.size }

func main() {
	out := flag.String("out", "", "the json-file log to write")
	buf := flag.Int("buf", 0, "the copier's buffer size (0: its default, 16 KB)")
	tag := flag.String("tag", "", "a log tag, written in each record's attrs")
	flag.Parse()
	if *out == "" || flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: dockerlog -out <file> [-buf <bytes>] [-tag <tag>] -- <command> [args...]")
		os.Exit(2)
	}
	config := map[string]string{}
	if *tag != "" {
		config["tag"] = *tag
	}
	l, err := jsonfilelog.New(logger.Info{
		ContainerID: "4f0c1d5e2b7a9c3d8e6f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d", ContainerName: "/chat",
		ContainerImageName: "chat:latest", LogPath: *out, Config: config,
	})
	if err != nil {
		fail(err)
	}
	var dst logger.Logger = l
	if *buf > 0 {
		dst = sized{l, *buf}
	}

	cmd := exec.Command(flag.Arg(0), flag.Args()[1:]...)
	if ipc := os.NewFile(3, "ipc"); ipc != nil {
		if _, err := ipc.Stat(); err == nil {
			cmd.ExtraFiles = []*os.File{ipc}
		}
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		fail(err)
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		fail(err)
	}
	if err := cmd.Start(); err != nil {
		fail(err)
	}
	copier := logger.NewCopier(map[string]io.Reader{"stdout": stdout, "stderr": stderr}, dst)
	copier.Run()
	copier.Wait() // both pipes at EOF: the process has ended
	werr := cmd.Wait()
	if err := l.Close(); err != nil {
		fail(err)
	}
	if exit, ok := werr.(*exec.ExitError); ok {
		os.Exit(exit.ExitCode())
	} else if werr != nil {
		fail(werr)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "dockerlog:", err)
	os.Exit(1)
}
