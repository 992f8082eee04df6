namespace QuoteHelper.Verification.Collateral;

/// <summary>
/// Collateral does not have the form dcap-quote.md §5.10 (or the PCS body form of §5.1/§5.2) requires.
/// <see cref="Reason"/> says which rule failed. Only this library creates it (house-style habit 5).
/// </summary>
#pragma warning disable CA1032 // Deliberately no public constructors: callers catch and switch on Reason, they do not fabricate.
public sealed class CollateralFormatException : Exception
#pragma warning restore CA1032
{
    internal CollateralFormatException(CollateralFormatError reason, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Reason = reason;
    }

    /// <summary>The rule that failed.</summary>
    public CollateralFormatError Reason { get; }
}
