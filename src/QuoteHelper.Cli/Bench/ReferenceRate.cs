using System.Diagnostics;
using System.Security.Cryptography;

namespace QuoteHelper.Cli.Bench;

/// <summary>
/// The in-run references the budgets are expressed against (design.md §6): the raw ECDSA P-256 sign and verify
/// rates of one core in .NET, measured on one thread in the same run as the benchmark.
/// </summary>
internal static class ReferenceRate
{
    /// <summary>The best of three half-second measurements of <see cref="SignsPerSecond"/>.</summary>
    public static double BestSignsPerSecond() =>
        Enumerable.Range(0, 3).Max(_ => SignsPerSecond(TimeSpan.FromMilliseconds(500)));

    /// <summary>The best of three half-second measurements of <see cref="VerifiesPerSecond"/>.</summary>
    public static double BestVerifiesPerSecond() =>
        Enumerable.Range(0, 3).Max(_ => VerifiesPerSecond(TimeSpan.FromMilliseconds(500)));

    /// <summary>Signatures per second with <see cref="ECDsa.SignHash(byte[])"/>, the cheapest sign path.</summary>
    public static double SignsPerSecond(TimeSpan duration)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var hash = SHA256.HashData("quote-helper reference"u8);
        Span<byte> signature = stackalloc byte[64];
        for (var i = 0; i < 200; i++)
        {
            key.SignHash(hash, signature);
        }

        var count = 0L;
        var started = Stopwatch.GetTimestamp();
        while (Stopwatch.GetElapsedTime(started) < duration)
        {
            for (var i = 0; i < 50; i++)
            {
                key.SignHash(hash, signature);
            }

            count += 50;
        }

        return count / Stopwatch.GetElapsedTime(started).TotalSeconds;
    }

    /// <summary>Verifications per second with <see cref="ECDsa.VerifyHash(byte[], byte[])"/>.</summary>
    public static double VerifiesPerSecond(TimeSpan duration)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var hash = SHA256.HashData("quote-helper reference"u8);
        var signature = key.SignHash(hash);
        for (var i = 0; i < 200; i++)
        {
            key.VerifyHash(hash, signature);
        }

        var count = 0L;
        var started = Stopwatch.GetTimestamp();
        while (Stopwatch.GetElapsedTime(started) < duration)
        {
            for (var i = 0; i < 50; i++)
            {
                key.VerifyHash(hash, signature);
            }

            count += 50;
        }

        return count / Stopwatch.GetElapsedTime(started).TotalSeconds;
    }
}
