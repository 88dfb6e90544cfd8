#!/usr/bin/env bash
# Builds the VS Code extension from the locked npm packages (npm ci): checks the client's
# JavaScript, runs the TextMate grammar tests over tests/*.handoff, packages handoff.vsix,
# and, given a handoff binary, checks that the client library talks to `handoff lsp`.
# Usage: editors/vscode/build.sh [path/to/handoff]
set -euo pipefail
cd "$(dirname "$0")"
npm ci --no-audit --no-fund
node --check extension.js
npm test
npm run package
if [ $# -ge 1 ]; then
  node tests/server-smoke.js "$1"
fi
