// The same service's /n/ routes, served with nhooyr.io/websocket 1.8.7 (Debian's
// golang-nhooyr-websocket-dev; the library is now github.com/coder/websocket): its error texts
// ("failed to get reader: ...", "status = StatusX and reason = ...") go to the same log (`say`).
package main

import (
	"encoding/json"
	"net/http"

	nws "nhooyr.io/websocket"
)

// nhooyrHandler reads messages until an error, and answers a rejected message with a close.
func nhooyrHandler(on func(typ nws.MessageType, data []byte) (nws.StatusCode, string, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c, err := nws.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer c.Close(nws.StatusInternalError, "handler returned")
		prefix := r.RemoteAddr + " " + r.URL.Path
		say(prefix, "websocket connected", nil)
		c.SetReadLimit(1024)
		for {
			typ, data, err := c.Read(r.Context())
			if !logRead(prefix, typ == nws.MessageBinary, data, err) {
				return
			}
			code, reason, err := on(typ, data)
			if err != nil {
				say(prefix, "message handler failed", err)
			}
			if code != 0 {
				say(prefix, "sending close", nws.CloseError{Code: code, Reason: reason})
				c.Close(code, reason)
				return
			}
			c.Write(r.Context(), typ, data)
		}
	}
}

// Text only: a binary frame is answered with 1003.
func nOnText(typ nws.MessageType, _ []byte) (nws.StatusCode, string, error) {
	if typ != nws.MessageText {
		return nws.StatusUnsupportedData, "text frames only", nil
	}
	return 0, "", nil
}

// Decodes every message as JSON without checking its type: binary fails and is answered 1011.
func nOnJSON(_ nws.MessageType, data []byte) (nws.StatusCode, string, error) {
	var m chatMsg
	if err := json.Unmarshal(data, &m); err != nil {
		return nws.StatusInternalError, "internal error", err
	}
	return 0, "", nil
}
