// A real gorilla/websocket server (Debian's golang-github-gorilla-websocket-dev 1.5.0; its /n/
// routes use nhooyr.io/websocket 1.8.7, see nhooyr.go) logging with Go's std `log`, or with
// `-log NAME` through a structured logger (say.go: zap, logrus, zerolog, slog), and the gorilla
// clients that drive every scenario against it.
//
// `gows -out DIR [-log NAME]` starts itself as the server (`gows -serve`) with its stderr written to
// DIR/server.log, runs the scenarios (twice over, at once, so lines interleave), then opens
// idle connections and makes the server panic in a goroutine: the process dies, as Go does.
// It writes DIR/server.expected.json: the verdict each connection's scenario calls for.
// Build: GO111MODULE=off GOPATH=/usr/share/gocode go build -o gows ./samples/go-gorilla
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/exec"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

var upgrader = websocket.Upgrader{}

func main() {
	serve := flag.Bool("serve", false, "run the server (prints its address on stdout)")
	out := flag.String("out", ".", "directory for server.log and server.expected.json")
	logger := flag.String("log", "std", "the server's logger: std, zap, logrus, logrus-json, zerolog, slog, slog-json")
	flag.Parse()
	if err := useLogger(*logger); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	if *serve {
		server()
		return
	}
	if err := drive(*out, *logger); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// ---- server ----

type chatMsg struct {
	Op   string            `json:"op"`
	User map[string]string `json:"user"`
}

func server() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	http.HandleFunc("/text", handler(onText))
	http.HandleFunc("/binary", handler(onBinary))
	http.HandleFunc("/json", handler(onJSON))
	http.HandleFunc("/crash", handler(onCrash))
	http.HandleFunc("/n/text", nhooyrHandler(nOnText))
	http.HandleFunc("/n/json", nhooyrHandler(nOnJSON))
	fmt.Println(ln.Addr().String())
	log.Fatal(http.Serve(ln, nil))
}

type onMessage func(c *websocket.Conn, mt int, data []byte) error

// closeWith sends a close frame and logs it; the read loop ends when the peer echoes it.
func closeWith(c *websocket.Conn, prefix string, code int, reason string) {
	say(prefix, "sending close", &websocket.CloseError{Code: code, Text: reason})
	c.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, reason), time.Now().Add(time.Second))
}

func handler(on onMessage) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c, err := upgrader.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer c.Close()
		prefix := c.RemoteAddr().String() + " " + r.URL.Path
		say(prefix, "websocket connected", nil)
		if r.URL.Path == "/binary" {
			c.SetReadLimit(1024)
		}
		for {
			mt, data, err := c.ReadMessage()
			if !logRead(prefix, mt == websocket.BinaryMessage, data, err) {
				return
			}
			if err := on(c, mt, data); err != nil {
				say(prefix, "message handler failed", err)
				closeWith(c, prefix, websocket.CloseInternalServerErr, "internal error")
			}
		}
	}
}

// logRead logs what a read returned, in the same words for both libraries; false when the read failed.
func logRead(prefix string, binary bool, data []byte, err error) bool {
	if err != nil {
		say(prefix, "read error", err)
		return false
	}
	kind := "text"
	if binary {
		kind = "binary"
	}
	say(prefix, fmt.Sprintf("received %s message (%d bytes)", kind, len(data)), nil)
	return true
}

func prefixOf(c *websocket.Conn, path string) string { return c.RemoteAddr().String() + " " + path }

// Text only: a binary frame is answered with 1003, as RFC 6455 asks.
func onText(c *websocket.Conn, mt int, data []byte) error {
	if mt != websocket.TextMessage {
		closeWith(c, prefixOf(c, "/text"), websocket.CloseUnsupportedData, "text frames only")
		return nil
	}
	return c.WriteMessage(websocket.TextMessage, append([]byte("echo:"), data...))
}

// Binary only, with a 1024-byte read limit (gorilla answers a bigger message with 1009).
func onBinary(c *websocket.Conn, mt int, data []byte) error {
	if mt != websocket.BinaryMessage {
		closeWith(c, prefixOf(c, "/binary"), websocket.CloseUnsupportedData, "binary frames only")
		return nil
	}
	return c.WriteMessage(websocket.BinaryMessage, data)
}

// Decodes every message as JSON without checking the frame type: a binary frame makes
// json.Unmarshal fail and the handler answers 1011, the tangled case. A message without a
// user panics (a write to a nil map): net/http recovers, logs it and the deferred Close drops
// the connection without a close frame.
func onJSON(c *websocket.Conn, mt int, data []byte) error {
	var m chatMsg
	if err := json.Unmarshal(data, &m); err != nil {
		return err
	}
	if m.Op == "rename" {
		m.User["name"] = "new" // panics when the message has no user
	}
	return c.WriteMessage(websocket.TextMessage, []byte(`{"ok":true}`))
}

// A bug outside the handler goroutine: nothing recovers it and the whole process dies.
func onCrash(c *websocket.Conn, mt int, data []byte) error {
	done := make(chan struct{})
	go func() {
		defer close(done)
		var counters map[string]int
		counters[string(data)]++
	}()
	<-done
	return nil
}

// ---- clients ----

type expect struct {
	RootCause     string `json:"rootCause"`
	CloseCode     *int   `json:"closeCode"`
	CodeAgreement string `json:"codeAgreement"`
	Incident      bool   `json:"incident"`
	ExceptionType string `json:"exceptionType,omitempty"`
	TopFrame      string `json:"topFrame,omitempty"`
	// The connection was open when the process died: the crash report is its evidence.
	Crash bool `json:"crash,omitempty"`
}

type scenario struct {
	name  string
	route string
	send  []frame
	end   string // "close": the client closes 1000; "wait": the server ends it; "drop": TCP is cut
	want  expect
}

type frame struct {
	binary bool
	data   []byte
}

func code(n int) *int { return &n }

var scenarios = []scenario{
	{"text-normal", "/text", []frame{{false, []byte("hello")}, {false, []byte("how are you")}}, "close",
		expect{RootCause: "normal", CloseCode: code(1000), CodeAgreement: "agrees"}},
	{"binary-to-text", "/text", []frame{{false, []byte("hi")}, {true, []byte{0, 0x9f, 0x92, 0x96}}}, "wait",
		expect{RootCause: "data-type-mismatch", CloseCode: code(1003), CodeAgreement: "agrees", Incident: true}},
	{"binary-normal", "/binary", []frame{{true, []byte{1, 2, 3}}}, "close",
		expect{RootCause: "normal", CloseCode: code(1000), CodeAgreement: "agrees"}},
	{"json-normal", "/json", []frame{{false, []byte(`{"op":"join"}`)}}, "close",
		expect{RootCause: "normal", CloseCode: code(1000), CodeAgreement: "agrees"}},
	{"binary-to-json", "/json", []frame{{false, []byte(`{"op":"join"}`)}, {true, []byte{0, 0x9f, 0x92, 0x96}}}, "wait",
		expect{RootCause: "data-type-mismatch", CloseCode: code(1011), CodeAgreement: "disagrees", Incident: true, ExceptionType: "json.SyntaxError"}},
	{"handler-panic", "/json", []frame{{false, []byte(`{"op":"join"}`)}, {false, []byte(`{"op":"rename"}`)}}, "wait",
		expect{RootCause: "unhandled-error", CloseCode: code(1006), CodeAgreement: "disagrees", Incident: true, ExceptionType: "panic", TopFrame: `main\.onJSON \(.*main\.go:\d+\)`}},
	{"too-big", "/binary", []frame{{true, make([]byte, 4096)}}, "wait",
		expect{RootCause: "message-too-big", CloseCode: code(1009), CodeAgreement: "agrees", Incident: true}},
	// The same scenarios on the routes served with nhooyr.io/websocket.
	{"n-text-normal", "/n/text", []frame{{false, []byte("hello")}}, "close",
		expect{RootCause: "normal", CloseCode: code(1000), CodeAgreement: "agrees"}},
	{"n-binary-to-text", "/n/text", []frame{{false, []byte("hi")}, {true, []byte{0, 0x9f, 0x92, 0x96}}}, "wait",
		expect{RootCause: "data-type-mismatch", CloseCode: code(1003), CodeAgreement: "agrees", Incident: true}},
	{"n-json-normal", "/n/json", []frame{{false, []byte(`{"op":"join"}`)}}, "close",
		expect{RootCause: "normal", CloseCode: code(1000), CodeAgreement: "agrees"}},
	{"n-binary-to-json", "/n/json", []frame{{false, []byte(`{"op":"join"}`)}, {true, []byte{0, 0x9f, 0x92, 0x96}}}, "wait",
		expect{RootCause: "data-type-mismatch", CloseCode: code(1011), CodeAgreement: "disagrees", Incident: true, ExceptionType: "json.SyntaxError"}},
	{"n-too-big", "/n/json", []frame{{true, make([]byte, 4096)}}, "wait",
		expect{RootCause: "message-too-big", CloseCode: code(1009), CodeAgreement: "agrees", Incident: true}},
	{"dropped", "/text", []frame{{false, []byte("bye?")}}, "drop",
		expect{RootCause: "abnormal-closure", CloseCode: code(1006), CodeAgreement: "agrees", Incident: true}},
}

var crashed = expect{RootCause: "unhandled-error", CloseCode: code(1006), CodeAgreement: "disagrees", Incident: true, ExceptionType: "panic", TopFrame: `main\.onCrash\.func1 \(.*main\.go:\d+\)`, Crash: true}

type result struct {
	Connection string `json:"connection"`
	Scenario   string `json:"scenario"`
	Route      string `json:"route"`
	expect
	// What the client itself saw: the code on the wire (1006 when no close frame came).
	PeerSaw int `json:"peerSaw"`
}

func dial(addr, route string) (*websocket.Conn, error) {
	c, _, err := websocket.DefaultDialer.Dial("ws://"+addr+route, nil)
	return c, err
}

// run plays one scenario and returns the code the client saw.
func run(addr string, sc scenario) (result, error) {
	c, err := dial(addr, sc.route)
	if err != nil {
		return result{}, err
	}
	res := result{Connection: c.LocalAddr().String(), Scenario: sc.name, Route: sc.route, expect: sc.want}
	for _, f := range sc.send {
		mt := websocket.TextMessage
		if f.binary {
			mt = websocket.BinaryMessage
		}
		if err := c.WriteMessage(mt, f.data); err != nil {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	switch sc.end {
	case "close":
		time.Sleep(20 * time.Millisecond)
		c.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, "done"))
	case "drop":
		time.Sleep(20 * time.Millisecond)
		c.UnderlyingConn().Close()
		return res, nil
	}
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	res.PeerSaw = readUntilClose(c)
	c.Close()
	return res, nil
}

func readUntilClose(c *websocket.Conn) int {
	for {
		if _, _, err := c.ReadMessage(); err != nil {
			if ce, ok := err.(*websocket.CloseError); ok {
				return ce.Code
			}
			return websocket.CloseAbnormalClosure
		}
	}
}

func drive(out string, logger string) error {
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	logFile, err := os.Create(out + "/server.log")
	if err != nil {
		return err
	}
	defer logFile.Close()
	self, _ := os.Executable()
	srv := exec.Command(self, "-serve", "-log", logger)
	srv.Stderr = logFile
	stdout, _ := srv.StdoutPipe()
	if err := srv.Start(); err != nil {
		return err
	}
	buf := make([]byte, 64)
	n, err := stdout.Read(buf)
	if err != nil {
		return err
	}
	addr := strings.TrimSpace(string(buf[:n]))

	var mu sync.Mutex
	var results []result
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for copy := 0; copy < 2; copy++ {
		for _, sc := range scenarios {
			wg.Add(1)
			go func(sc scenario) {
				defer wg.Done()
				r, err := run(addr, sc)
				if err != nil {
					errs <- fmt.Errorf("%s: %w", sc.name, err)
					return
				}
				mu.Lock()
				results = append(results, r)
				mu.Unlock()
			}(sc)
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		return err
	}
	// Let the server log the end of the dropped connections before it dies.
	time.Sleep(100 * time.Millisecond)

	// Two idle connections, then a panic outside any handler: every open connection dies with the process.
	var open []*websocket.Conn
	for i := 0; i < 2; i++ {
		c, err := dial(addr, "/text")
		if err != nil {
			return err
		}
		c.WriteMessage(websocket.TextMessage, []byte("still here"))
		open = append(open, c)
		results = append(results, result{Connection: c.LocalAddr().String(), Scenario: "idle-when-crashed", Route: "/text", expect: crashed})
	}
	c, err := dial(addr, "/crash")
	if err != nil {
		return err
	}
	open = append(open, c)
	results = append(results, result{Connection: c.LocalAddr().String(), Scenario: "process-crash", Route: "/crash", expect: crashed})
	time.Sleep(50 * time.Millisecond)
	c.WriteMessage(websocket.TextMessage, []byte("boom"))
	for i, c := range open {
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		results[len(results)-len(open)+i].PeerSaw = readUntilClose(c)
	}
	srv.Wait() // exits 2: the panic

	sort.Slice(results, func(i, j int) bool { return results[i].Connection < results[j].Connection })
	for _, r := range results {
		if want := *r.CloseCode; r.PeerSaw != 0 && r.PeerSaw != want {
			return fmt.Errorf("%s: the client saw %d, the scenario expects %d", r.Scenario, r.PeerSaw, want)
		}
	}
	data, _ := json.MarshalIndent(results, "", "  ")
	return os.WriteFile(out+"/server.expected.json", append(data, '\n'), 0o644)
}
