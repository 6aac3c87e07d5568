// Command etcd is etcd's own entry point. Upstream's main.go lives in the root module
// go.etcd.io/etcd/v3, whose dependency graph fights the Kubernetes one; its whole body is this
// call, so we keep the single line here and build the unmodified server package.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
