// Command upstream is the trivial, fast HTTP server that bench/load.sh puts
// behind bare Caddy and the gateway: it answers every request with a fixed
// Pinpoint GetApps body, so the benchmark measures the proxies, not it.
package main

import (
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"strconv"
)

// body is a realistic GetApps answer of one application.
const body = `{"Item":[{"Arn":"arn:aws:mobiletargeting:us-east-1:123456789012:apps/bench","Id":"bench","Name":"bench","tags":{}}]}`

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address (loopback only)")
	flag.Parse()
	length := strconv.Itoa(len(body))
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		hd := w.Header()
		hd["Content-Type"] = []string{"application/json"}
		hd["Content-Length"] = []string{length}
		hd["X-Amzn-Requestid"] = []string{"bench-upstream"}
		_, _ = io.WriteString(w, body)
	})
	srv := &http.Server{Addr: *addr, Handler: h}
	fmt.Fprintln(os.Stderr, "upstream listening on", *addr)
	log.Fatal(srv.ListenAndServe())
}
