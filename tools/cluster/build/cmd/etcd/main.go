// Command etcd is etcd's own server main, built from go.etcd.io/etcd/server/v3 at the version
// the pinned Kubernetes release requires, so the control plane needs no downloaded binary.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
