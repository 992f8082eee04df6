namespace QuoteHelper.Verification.Policy;

/// <summary>
/// Applies an <see cref="AppraisalPolicy"/> to a <see cref="VerificationResult"/>: the step after verification
/// (dcap-quote.md §7.1 step 17). Rules run in the order of <see cref="AppraisalRule"/>; the first that fails is reported.
/// </summary>
public static class Appraisal
{
    /// <summary>Appraises a verification result.</summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static AppraisalResult Appraise(VerificationResult result, AppraisalPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(policy);
        if (!result.IsVerified || result.Status is not { } status)
        {
            return Reject(AppraisalRule.NotVerified, $"verification failed at step {(int?)result.FailedStep} ({result.FailureReason}).");
        }

        if (!policy.AcceptedStatuses.Contains(status))
        {
            return Reject(AppraisalRule.TcbStatusNotAccepted, $"TCB status {status} is not accepted.");
        }

        if (result.CollateralExpired && !policy.AllowExpiredCollateral)
        {
            // Name each item and when its window ended, so that the operator knows what to fetch again.
            var items = result.ExpiredCollateral.Count > 0 ? string.Join("; ", result.ExpiredCollateral) : "an item";
            return Reject(AppraisalRule.CollateralExpired,
                $"collateral outside its validity at {CollateralValidityIssue.Format(result.EvaluationTime)}: {items}.");
        }

        if (policy.MaxCollateralAge is { } maxAge && result.CollateralIssueDate is { } issued && result.EvaluationTime - issued > maxAge)
        {
            return Reject(AppraisalRule.CollateralTooOld, $"collateral issued {issued:O} is older than {maxAge} at {result.EvaluationTime:O}.");
        }

        var body = result.EnclaveReport;
        if (body is null)
        {
            // A TD quote has no MRENCLAVE etc.; refuse rather than silently skip the caller's expectations.
            return Reject(AppraisalRule.NotAnSgxEnclave, "the quote has no SGX enclave report body.");
        }

        if (body.Attributes.IsDebug && !policy.AllowDebug)
        {
            return Reject(AppraisalRule.DebugEnclave, "the enclave is a debug enclave.");
        }

        if (policy.ExpectedMrEnclave is { } mrEnclave && !body.MrEnclave.AsSpan().SequenceEqual(mrEnclave))
        {
            return Reject(AppraisalRule.MrEnclaveMismatch, $"MRENCLAVE {Convert.ToHexStringLower(body.MrEnclave)} is not the expected one.");
        }

        if (policy.ExpectedMrSigner is { } mrSigner && !body.MrSigner.AsSpan().SequenceEqual(mrSigner))
        {
            return Reject(AppraisalRule.MrSignerMismatch, $"MRSIGNER {Convert.ToHexStringLower(body.MrSigner)} is not the expected one.");
        }

        if (policy.ExpectedIsvProdId is { } prodId && body.IsvProdId != prodId)
        {
            return Reject(AppraisalRule.IsvProdIdMismatch, $"ISV product id {body.IsvProdId} is not {prodId}.");
        }

        if (policy.MinimumIsvSvn is { } minSvn && body.IsvSvn < minSvn)
        {
            return Reject(AppraisalRule.IsvSvnTooLow, $"ISV SVN {body.IsvSvn} is below {minSvn}.");
        }

        if (policy.ExpectedReportData is { } expected)
        {
            var padded = new byte[64];
            if (expected.Length > padded.Length)
            {
                return Reject(AppraisalRule.ReportDataMismatch, "expected report data is longer than 64 bytes.");
            }

            expected.CopyTo(padded, 0);
            if (!body.ReportData.AsSpan().SequenceEqual(padded))
            {
                return Reject(AppraisalRule.ReportDataMismatch, "report data is not the expected value.");
            }
        }

        return new AppraisalResult(null, null);
    }

    private static AppraisalResult Reject(AppraisalRule rule, string detail) => new(rule, detail);
}
