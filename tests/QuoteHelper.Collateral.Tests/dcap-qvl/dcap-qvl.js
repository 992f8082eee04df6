#!/usr/bin/env node
// Independent verdict for the differential test of QuoteHelper.Collateral.Tests: npm @phala/dcap-qvl (pinned in
// package.json) verifies a quote and prints one JSON line. Install with ./install.sh.
//
//   node dcap-qvl.js verify QUOTE COLLATERAL_JSON ROOT_DER UNIX_SECONDS [ITERATIONS | SECONDSs]
//       verifies with QuoteVerifier.newWithRootCa(root); with ITERATIONS (e.g. 300), repeats the verification that
//       many times, with SECONDSs (e.g. 5s) for that long, and adds verificationsPerSecond (the performance figure of
//       issue 3; `quote-helper bench verify --dcap-qvl DIR` runs it in the same run as ours).
//   node dcap-qvl.js fetch PCCS_URL QUOTE ROOT_DER UNIX_SECONDS
//       getCollateral(PCCS_URL, quote) — dcap-qvl's own PCCS client — then verifies with that collateral.
//
// Output: {"ok":true,"status":"…","advisory_ids":[…]} or {"ok":false,"error":"…"}; exit code 0 either way (the
// verdict is data), 2 on usage errors.
'use strict';
const fs = require('fs');
const { QuoteVerifier, getCollateral } = require('@phala/dcap-qvl');

function verdict(verifier, quote, collateral, now) {
    try {
        const report = verifier.verify(quote, collateral, now);
        return { ok: true, status: report.status, advisory_ids: report.advisory_ids };
    } catch (e) {
        return { ok: false, error: String(e && e.message ? e.message : e) };
    }
}

async function main(argv) {
    const [command, ...args] = argv;
    if (command === 'verify' && (args.length === 4 || args.length === 5)) {
        const [quotePath, collateralPath, rootPath, time, iterations] = args;
        const quote = fs.readFileSync(quotePath);
        const collateral = JSON.parse(fs.readFileSync(collateralPath, 'utf8'));
        const verifier = QuoteVerifier.newWithRootCa(fs.readFileSync(rootPath));
        const now = Number(time);
        const result = verdict(verifier, quote, collateral, now);
        if (iterations) {
            const forSeconds = iterations.endsWith('s') ? Number(iterations.slice(0, -1)) : null;
            const start = process.hrtime.bigint();
            const elapsed = () => Number(process.hrtime.bigint() - start) / 1e9;
            let n = 0;
            if (forSeconds !== null) {
                while (elapsed() < forSeconds) {
                    verifier.verify(quote, collateral, now);
                    n++;
                }
            } else {
                n = Number(iterations);
                for (let i = 0; i < n; i++) {
                    verifier.verify(quote, collateral, now);
                }
            }
            const seconds = elapsed();
            result.iterations = n;
            result.seconds = seconds;
            result.verificationsPerSecond = n / seconds;
        }
        return result;
    }
    if (command === 'fetch' && args.length === 4) {
        const [pccsUrl, quotePath, rootPath, time] = args;
        const quote = fs.readFileSync(quotePath);
        let collateral;
        try {
            collateral = await getCollateral(pccsUrl, quote);
        } catch (e) {
            return { ok: false, error: 'getCollateral: ' + String(e && e.message ? e.message : e) };
        }
        const result = verdict(QuoteVerifier.newWithRootCa(fs.readFileSync(rootPath)), quote, collateral, Number(time));
        result.tcb_info = collateral.tcb_info;
        result.qe_identity = collateral.qe_identity;
        return result;
    }
    process.stderr.write('usage: dcap-qvl.js verify QUOTE COLLATERAL ROOT_DER TIME [ITERATIONS] | fetch PCCS_URL QUOTE ROOT_DER TIME\n');
    process.exit(2);
}

main(process.argv.slice(2)).then(result => process.stdout.write(JSON.stringify(result) + '\n'));
