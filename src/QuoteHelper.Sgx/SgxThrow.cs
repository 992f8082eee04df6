using System.Diagnostics.CodeAnalysis;

namespace QuoteHelper.Sgx;

/// <summary>Throw helpers, so that the hot read and write paths stay small (house-style habit 5).</summary>
internal static class SgxThrow
{
    public static void IfTooShort(ReadOnlySpan<byte> span, int required)
    {
        if (span.Length < required)
        {
            TooShort(span.Length, required);
        }
    }

    public static void IfTooShort(Span<byte> span, int required)
    {
        if (span.Length < required)
        {
            TooShort(span.Length, required);
        }
    }

    public static void IfWrongLength(ReadOnlySpan<byte> span, int required, string name)
    {
        if (span.Length != required)
        {
            WrongLength(span.Length, required, name);
        }
    }

    [DoesNotReturn]
    private static void TooShort(int actual, int required) =>
        throw new ArgumentException($"Buffer of {actual} bytes is shorter than the {required} bytes required.");

    [DoesNotReturn]
    private static void WrongLength(int actual, int required, string name) =>
        throw new ArgumentException($"{name} must be exactly {required} bytes, got {actual}.", name);
}
