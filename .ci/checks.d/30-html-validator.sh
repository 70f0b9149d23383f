#!/usr/bin/env bash
# Every page of the shipped site (built by .ci/run, as the README says, into public/) through the Nu Html
# Checker: any error fails CI.
set -euo pipefail
cd "$(dirname "$0")/../.."
jar=.ci/node_modules/vnu-jar/build/dist/vnu.jar
site=public
[ -f "$jar" ] || { echo "missing $jar: run npm ci in .ci/" >&2; exit 1; }
pages=$(find "$site" -name '*.html' | wc -l)
[ "$pages" -gt 0 ] || { echo "no pages in $site" >&2; exit 1; }
if ! report=$(java -jar "$jar" --errors-only --skip-non-html --exit-zero-always "$site" 2>&1); then
    echo "$report" >&2
    exit 1
fi
if [ -n "$report" ]; then
    echo "$report" >&2
    echo "Nu Html Checker: errors in $site" >&2
    exit 1
fi
echo "Nu Html Checker: $pages pages, 0 errors"
