namespace QuoteHelper.Verification.Policy;

/// <summary>Outcome of <see cref="Appraisal.Appraise"/>: a value.</summary>
/// <param name="RejectedBy">The first rule that rejected the quote; null when accepted.</param>
/// <param name="Detail">A human-readable detail for logs (do not parse); null when accepted.</param>
public sealed record AppraisalResult(AppraisalRule? RejectedBy, string? Detail)
{
    /// <summary>True when every rule accepted the quote.</summary>
    public bool Accepted => RejectedBy is null;
}
