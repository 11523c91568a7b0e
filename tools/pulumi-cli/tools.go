//go:build tools

// Package tools pins the Pulumi CLI that scripts/setup-test-host.sh builds for the tests.
//
// The Pulumi CLI is a Go module (github.com/pulumi/pulumi/pkg/v3, command cmd/pulumi). Its own
// go.mod has replace directives, so `go install ...@version` refuses it; building the command from
// this small module, which requires it at one version, works. The version in go.mod is the one
// matching the @pulumi/pulumi the project locks (see DEVELOPERS.md). Nothing here is shipped.
package tools

import (
	_ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
	// The CLI's version string is set in this package at link time (-X .../version.Version).
	_ "github.com/pulumi/pulumi/sdk/v3/go/common/version"
)
