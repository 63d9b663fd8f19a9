#!/usr/bin/env bash
# Builds the Kubernetes test control plane (kube-apiserver, etcd) and kubectl
# from the Go module proxy into bin/k8s-<version>/, the folder that
# KUBEBUILDER_ASSETS points at. setup-envtest cannot download prebuilt
# binaries here, so they are built from source; each binary is skipped when
# already present, and Go's build cache makes a rebuild after `make clean` fast.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
k8s_version=${K8S_VERSION:-1.37.2}
dir=${1:-"$root/bin/k8s-$k8s_version"}
mkdir -p "$dir"

build() { # build <module dir> <package> <output>
	local out="$dir/$3"
	if [ -x "$out" ]; then
		return
	fi
	echo "building $3 (first time only; kube-apiserver takes about 4 minutes on 2 cores)" >&2
	(cd "$root/hack/tools/$1" && go build -o "$out.tmp" "$2") && mv "$out.tmp" "$out"
}

build kube k8s.io/kubernetes/cmd/kube-apiserver kube-apiserver
build etcd go.etcd.io/etcd/server/v3 etcd
build kube k8s.io/kubernetes/cmd/kubectl kubectl
echo "$dir"
