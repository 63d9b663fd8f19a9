//go:build tools

// Package tools pins the Kubernetes sources that the test control plane
// (kube-apiserver) and kubectl are built from. It lives in its own module so
// the project's go.mod never requires k8s.io/kubernetes.
package tools

import (
	_ "k8s.io/kubectl/pkg/cmd"
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
)
