//go:build tools

// Package tools pins krew's own programs, built by tests/krew/build from the sigs.k8s.io/krew
// module: `krew` (run as `kubectl krew`) installs the plugins from their manifests and archives,
// `validate-krew-manifest` is the validator the krew-index uses.
package tools

import (
	_ "sigs.k8s.io/krew/cmd/krew"
	_ "sigs.k8s.io/krew/cmd/validate-krew-manifest"
)
