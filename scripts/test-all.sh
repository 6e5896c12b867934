#!/usr/bin/env bash
# The one test command (npm test; .ci/run calls it): type-check every side, lint the layers, build,
# then every vitest suite against real servers and the Playwright e2e in Chromium through `ferry serve`,
# all inside a private D-Bus session with a real Secret Service. Prints one summary line at the end.
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p test-results
fail=0
step() { echo; echo "== $*"; }

step typecheck; npm run -s typecheck || fail=1
step lint; npx eslint . || fail=1
step build; npm run -s build || { echo "build failed"; exit 1; }
step "unit + integration (vitest, real servers)"
bash scripts/with-keyring.sh npx vitest run --reporter=default --reporter=json --outputFile=test-results/vitest.json || fail=1
step "e2e (Playwright, Chromium, ferry serve)"
bash scripts/with-keyring.sh npx playwright test --config e2e/playwright.config.ts || { fail=1; node scripts/e2e-failures.mjs; }
step "conformance results"
node scripts/conformance-table.mjs test-results/vitest.json 2>/dev/null || true
node scripts/test-summary.mjs || fail=1
exit $fail
