// How the server logs: `-log` picks Go's std `log` (the default) or one of the structured loggers
// Go services use, each as Debian packages it: zap 1.23 (golang-go.uber-zap-dev, its production
// JSON encoder), logrus 1.9 (golang-github-sirupsen-logrus-dev, its text formatter as written to a
// file, or JSON), zerolog 1.26 (golang-github-rs-zerolog-dev) and slog (golang-golang-x-exp-dev's
// golang.org/x/exp/slog, which became Go 1.21's log/slog; its text or JSON handler). net/http's own
// panic lines and the runtime's crash stay text whichever is picked.
package main

import (
	"fmt"
	"log"
	"os"
	"strings"

	"github.com/rs/zerolog"
	"github.com/sirupsen/logrus"
	"go.uber.org/zap"
	"golang.org/x/exp/slog"
)

// A logger's record of what happened on a connection: its message, the remote address and path
// as fields, and the error if any, at ERROR level (INFO for the close the server sends).
type sayFunc func(remote, path, msg string, err error, isError bool)

var loggers = map[string]func() sayFunc{
	"std": func() sayFunc {
		return func(remote, path, msg string, err error, _ bool) {
			if err != nil {
				log.Printf("%s %s: %s: %v", remote, path, msg, err)
			} else {
				log.Printf("%s %s: %s", remote, path, msg)
			}
		}
	},
	"zap": func() sayFunc {
		l, _ := zap.NewProduction(zap.AddCallerSkip(2))
		return func(remote, path, msg string, err error, isError bool) {
			fields := []zap.Field{zap.String("remote", remote), zap.String("path", path)}
			if err != nil {
				fields = append(fields, zap.Error(err))
			}
			if isError {
				l.Error(msg, fields...)
			} else {
				l.Info(msg, fields...)
			}
		}
	},
	"logrus":      func() sayFunc { return logrusSay(&logrus.TextFormatter{}) },
	"logrus-json": func() sayFunc { return logrusSay(&logrus.JSONFormatter{}) },
	"zerolog": func() sayFunc {
		l := zerolog.New(os.Stderr).With().Timestamp().Logger()
		return func(remote, path, msg string, err error, isError bool) {
			e := l.Info()
			if isError {
				e = l.Error()
			}
			e.Str("remote", remote).Str("path", path).Err(err).Msg(msg)
		}
	},
	"slog":      func() sayFunc { return slogSay(slog.NewTextHandler(os.Stderr)) },
	"slog-json": func() sayFunc { return slogSay(slog.NewJSONHandler(os.Stderr)) },
}

func logrusSay(f logrus.Formatter) sayFunc {
	l := logrus.New()
	l.SetOutput(os.Stderr)
	l.SetFormatter(f)
	return func(remote, path, msg string, err error, isError bool) {
		e := l.WithFields(logrus.Fields{"remote": remote, "path": path})
		if err != nil {
			e = e.WithError(err)
		}
		if isError {
			e.Error(msg)
		} else {
			e.Info(msg)
		}
	}
}

// slog's handlers, with the error under "err", the key its docs use.
func slogSay(h slog.Handler) sayFunc {
	l := slog.New(h)
	return func(remote, path, msg string, err error, isError bool) {
		args := []any{"remote", remote, "path", path}
		if err != nil {
			args = append(args, "err", err)
		}
		level := slog.InfoLevel
		if isError {
			level = slog.ErrorLevel
		}
		l.Log(level, msg, args...)
	}
}

// sayWith is the server's logger, set by -log.
var sayWith sayFunc

// useLogger sets the server's logger by its name.
func useLogger(name string) error {
	newSay, ok := loggers[name]
	if !ok {
		return fmt.Errorf("unknown -log %q", name)
	}
	sayWith = newSay()
	return nil
}

// say logs what happened on the connection `prefix` ("ADDR PATH") names, and the error if any.
func say(prefix, msg string, err error) {
	remote, path, _ := strings.Cut(prefix, " ")
	sayWith(remote, path, msg, err, err != nil && msg != "sending close")
}
