namespace QuoteHelper.Verification.Policy;

/// <summary>
/// What a relying party accepts, separate from whether a quote is genuine (dcap-quote.md §7.1 step 17, house-style
/// habit 1). Every expectation is optional (null = not checked); the unsafe knobs default off.
/// </summary>
public sealed record AppraisalPolicy
{
    /// <summary>The statuses accepted by default: UpToDate, SWHardeningNeeded, ConfigurationNeeded, ConfigurationAndSWHardeningNeeded.</summary>
    public static IReadOnlySet<TcbStatus> DefaultAcceptedStatuses { get; } = new HashSet<TcbStatus>
    {
        TcbStatus.UpToDate, TcbStatus.SWHardeningNeeded, TcbStatus.ConfigurationNeeded, TcbStatus.ConfigurationAndSWHardeningNeeded,
    };

    /// <summary>Expected MRENCLAVE (32 bytes); null: any.</summary>
    public byte[]? ExpectedMrEnclave { get; init; }

    /// <summary>Expected MRSIGNER (32 bytes); null: any.</summary>
    public byte[]? ExpectedMrSigner { get; init; }

    /// <summary>Expected ISV product id; null: any.</summary>
    public ushort? ExpectedIsvProdId { get; init; }

    /// <summary>Minimum ISV SVN; null: any.</summary>
    public ushort? MinimumIsvSvn { get; init; }

    /// <summary>
    /// Expected report data (at most 64 bytes); shorter values are zero-padded to 64 and the whole field compared, so a
    /// 32-byte hash matches report data "hash ‖ 0³²" and nothing else. Null: any.
    /// </summary>
    public byte[]? ExpectedReportData { get; init; }

    /// <summary>Default false: enclaves with the DEBUG attribute are rejected (their memory is readable by the host).</summary>
    public bool AllowDebug { get; init; }

    /// <summary>Accepted final TCB statuses; default <see cref="DefaultAcceptedStatuses"/>.</summary>
    public IReadOnlySet<TcbStatus> AcceptedStatuses { get; init; } = DefaultAcceptedStatuses;

    /// <summary>
    /// Maximum age of the collateral at the evaluation time, measured from
    /// <see cref="VerificationResult.CollateralIssueDate"/> (earliest of TCB Info issueDate, QE Identity issueDate and
    /// PCK CRL thisUpdate). Null (default): no limit.
    /// </summary>
    public TimeSpan? MaxCollateralAge { get; init; }

    /// <summary>
    /// Default false: a result with <see cref="VerificationResult.CollateralExpired"/> (Intel semantics: genuine, but
    /// some collateral was outside its validity) is rejected. True accepts it — risky: revocations published after the
    /// expired CRL or TCB Info are not seen.
    /// </summary>
    public bool AllowExpiredCollateral { get; init; }
}
