using QuoteHelper.Sgx;
using QuoteHelper.Sgx.Pck;
using QuoteHelper.Sgx.Quotes;

namespace QuoteHelper.Verification;

/// <summary>
/// The outcome of <see cref="QuoteVerifier.Verify(ReadOnlySpan{byte}, Collateral.QuoteCollateral, DateTimeOffset)"/>:
/// a value, never a string to parse (house-style habit 6). <see cref="IsVerified"/> is true when every step passed;
/// otherwise <see cref="FailedStep"/> and <see cref="FailureReason"/> say which step rejected the quote and why.
/// Fields the pipeline reached before a failure are filled in (e.g. the parsed quote after step 1).
/// </summary>
public sealed record VerificationResult
{
    /// <summary>True when every step passed (the status may still be anything but Revoked).</summary>
    public bool IsVerified => FailedStep is null;

    /// <summary>Final status (Intel's merge of platform and QE status, §5.7); Revoked also when a certificate is revoked.</summary>
    public TcbStatus? Status { get; init; }

    /// <summary>Status of the matched platform TCB level (step 14).</summary>
    public TcbStatus? PlatformTcbStatus { get; init; }

    /// <summary>Status of the QE's TCB (step 12).</summary>
    public TcbStatus? QeTcbStatus { get; init; }

    /// <summary>Advisory IDs of the matched platform TCB level only (Intel's rule, §5.7); empty when none.</summary>
    public IReadOnlyList<string> AdvisoryIds { get; init; } = [];

    /// <summary>
    /// True when a certificate, CRL, the TCB Info or the QE Identity was outside its validity at the evaluation time
    /// (Intel semantics: not fatal). With <see cref="QuoteVerifierOptions.StrictExpiry"/> such a quote fails instead.
    /// </summary>
    public bool CollateralExpired { get; init; }

    /// <summary>
    /// Which items set <see cref="CollateralExpired"/>, and when their windows ended (or began), in pipeline order; empty
    /// when it is false. The same signing certificate may appear twice: once for the TCB Info, once for the QE Identity.
    /// </summary>
    public IReadOnlyList<CollateralValidityIssue> ExpiredCollateral { get; init; } = [];

    /// <summary>The step that rejected the quote; null when verified.</summary>
    public VerificationStep? FailedStep { get; init; }

    /// <summary>Why that step rejected it; null when verified.</summary>
    public VerificationFailureReason? FailureReason { get; init; }

    /// <summary>A human-readable detail of the failure, for logs only (do not parse).</summary>
    public string? FailureDetail { get; init; }

    /// <summary>The evaluation time.</summary>
    public DateTimeOffset EvaluationTime { get; init; }

    /// <summary>The parsed quote (after step 1).</summary>
    public DcapQuote? Quote { get; init; }

    /// <summary>The ISV enclave report body of an SGX quote.</summary>
    public ReportBody? EnclaveReport => Quote?.EnclaveReport;

    /// <summary>The TD report body of a TDX quote.</summary>
    public TdReportBody? TdReport => Quote?.TdReport;

    /// <summary>The PCK certificate's SGX extension (after step 8).</summary>
    public SgxPckExtension? PckExtension { get; init; }

    /// <summary>FMSPC of the platform (from the PCK certificate), 6 bytes.</summary>
    public byte[]? Fmspc => PckExtension?.Fmspc;

    /// <summary><c>tcbDate</c> of the matched platform TCB level.</summary>
    public DateTimeOffset? TcbDate { get; init; }

    /// <summary><c>tcbEvaluationDataNumber</c> of the TCB Info.</summary>
    public int? TcbEvaluationDataNumber { get; init; }

    /// <summary>
    /// Earliest issue date of the freshness-bearing collateral: TCB Info issueDate, QE Identity issueDate and PCK CRL
    /// thisUpdate. The appraisal policy's maximum collateral age is measured from it.
    /// </summary>
    public DateTimeOffset? CollateralIssueDate { get; init; }

    /// <summary>Earliest expiry among certificates, CRLs, TCB Info and QE Identity (Intel's earliest_expiration_date).</summary>
    public DateTimeOffset? CollateralExpirationDate { get; init; }
}
