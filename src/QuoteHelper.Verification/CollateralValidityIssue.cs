using System.Globalization;

namespace QuoteHelper.Verification;

/// <summary>
/// One collateral item whose validity window did not contain the evaluation time and that, under Intel semantics, set
/// <see cref="VerificationResult.CollateralExpired"/> (<see cref="VerificationResult.ExpiredCollateral"/> lists them).
/// </summary>
/// <param name="Item">Which item.</param>
/// <param name="Name">Its name for people, e.g. <c>QE Identity</c> or <c>certificate 'Intel SGX PCK Certificate'</c>.</param>
/// <param name="ValidFrom">Start of its window: notBefore, thisUpdate or issueDate.</param>
/// <param name="ValidUntil">End of its window: notAfter or nextUpdate.</param>
/// <param name="NotYetValid">True when the evaluation time is before <paramref name="ValidFrom"/> (a CRL's thisUpdate,
/// which Intel flags too); false when it is after <paramref name="ValidUntil"/>.</param>
public sealed record CollateralValidityIssue(CollateralItem Item, string Name, DateTimeOffset ValidFrom, DateTimeOffset ValidUntil, bool NotYetValid)
{
    /// <summary>One line for people: <c>QE Identity expired at 2025-07-19T10:01:18Z</c> or <c>… not valid before …</c>.</summary>
    public override string ToString() => NotYetValid
        ? $"{Name} not valid before {Format(ValidFrom)}"
        : $"{Name} expired at {Format(ValidUntil)}";

    /// <summary>RFC 3339 UTC with whole seconds, the form Intel's collateral uses (<c>2025-07-19T10:01:18Z</c>).</summary>
    public static string Format(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
