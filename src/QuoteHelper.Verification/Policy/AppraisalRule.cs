namespace QuoteHelper.Verification.Policy;

/// <summary>The policy rule that rejected a verified quote (<see cref="AppraisalResult.RejectedBy"/>).</summary>
public enum AppraisalRule
{
    /// <summary>The quote did not pass verification: nothing to appraise.</summary>
    NotVerified = 1,
    /// <summary>The final TCB status is not in <see cref="AppraisalPolicy.AcceptedStatuses"/>.</summary>
    TcbStatusNotAccepted,
    /// <summary>Some collateral was expired at the evaluation time and expired collateral is not allowed.</summary>
    CollateralExpired,
    /// <summary>The collateral is older than <see cref="AppraisalPolicy.MaxCollateralAge"/>.</summary>
    CollateralTooOld,
    /// <summary>The quote is not of an SGX enclave, and the policy has enclave expectations.</summary>
    NotAnSgxEnclave,
    /// <summary>The enclave has the DEBUG attribute and debug is not allowed.</summary>
    DebugEnclave,
    /// <summary>MRENCLAVE differs from the expected one.</summary>
    MrEnclaveMismatch,
    /// <summary>MRSIGNER differs from the expected one.</summary>
    MrSignerMismatch,
    /// <summary>ISV product id differs from the expected one.</summary>
    IsvProdIdMismatch,
    /// <summary>ISV SVN is below the minimum.</summary>
    IsvSvnTooLow,
    /// <summary>Report data differs from the expected value.</summary>
    ReportDataMismatch,
}
