using System.Diagnostics.CodeAnalysis;

namespace QuoteHelper.Sgx.Quotes;

/// <summary>Throw helpers for quote parsing, so the parse paths stay small (house-style habit 5).</summary>
internal static class QuoteThrow
{
    [DoesNotReturn]
    public static void Format(QuoteFormatError reason, string message) =>
        throw new QuoteFormatException(reason, message);

    [DoesNotReturn]
    public static T Format<T>(QuoteFormatError reason, string message) =>
        throw new QuoteFormatException(reason, message);

    [DoesNotReturn]
    public static void WrongType(CertificationDataType actual, string expected) =>
        throw new InvalidOperationException($"Certification data of type {actual} is not {expected}.");
}
