#!/usr/bin/env bash
# Stands in for the VS Code executable in @vscode/test-electron's runTests({ vscodeExecutablePath }).
# runTests spawns it with --extensionDevelopmentPath=… --extensionTestsPath=… plus desktop flags
# (--no-sandbox, --user-data-dir=…, …) which mean nothing here and are ignored; the suite then runs in
# code-server + headless Chromium (runExtensionTests.mjs) and its exit code is ours.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
dev="" tests="" folder=""
for arg in "$@"; do
  case "$arg" in
    --extensionDevelopmentPath=*) dev="${arg#*=}" ;;
    --extensionTestsPath=*) tests="${arg#*=}" ;;
    -*) ;;
    *) [ -n "$folder" ] || folder="$arg" ;;
  esac
done
if [ -z "$dev" ] || [ -z "$tests" ]; then
  echo "code-test-shim: expected --extensionDevelopmentPath=… and --extensionTestsPath=… (got: $*)" >&2
  exit 2
fi
# test-electron passes a module path: a folder (index.js inside) or a file with or without .js
if [ -d "$tests" ]; then tests="$tests/index.js"; elif [ ! -f "$tests" ] && [ -f "$tests.js" ]; then tests="$tests.js"; fi
exec node "$here/runExtensionTests.mjs" "$dev" "$tests" ${folder:+"$folder"}
