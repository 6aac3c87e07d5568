//go:build tools

// Package tools pins the upstream programs the test cluster is built from, so `go mod tidy` keeps
// their dependencies in go.sum. They are built with `go build k8s.io/kubernetes/cmd/...`.
package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kubectl"
)
