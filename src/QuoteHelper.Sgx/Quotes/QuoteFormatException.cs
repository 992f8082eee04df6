namespace QuoteHelper.Sgx.Quotes;

/// <summary>
/// A quote, or a part of one, does not have the layout dcap-quote.md §1–§2 requires. <see cref="Reason"/> says which
/// rule failed. Only this library creates it (house-style habit 5).
/// </summary>
#pragma warning disable CA1032 // Deliberately no public constructors: callers catch and switch on Reason, they do not fabricate.
public sealed class QuoteFormatException : Exception
#pragma warning restore CA1032
{
    internal QuoteFormatException(QuoteFormatError reason, string message)
        : base(message)
    {
        Reason = reason;
    }

    /// <summary>The rule that failed.</summary>
    public QuoteFormatError Reason { get; }
}
