using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace QuoteHelper.Sgx.Simulation;

/// <summary>
/// A simulated enclave's <c>sgx_verify_report</c> for many reports: the report key for the most recent KEYID is
/// derived once and its CMAC contexts are pooled. On hardware KEYID is the CPU's value for the current boot, so all
/// reports on a platform carry the same one and the cache always hits; a report with another KEYID is still
/// checked, with a fresh derivation. Thread-safe.
/// </summary>
public sealed class SimulatedReportVerifier : IDisposable
{
    private readonly byte[] _platformSecret;
    private readonly TargetInfo _self;
    private volatile CachedKey? _cached;

    /// <summary>Creates a verifier for reports made for <paramref name="self"/>.</summary>
    public SimulatedReportVerifier(ReadOnlySpan<byte> platformSecret, TargetInfo self)
    {
        ArgumentNullException.ThrowIfNull(self);
        SgxThrow.IfWrongLength(platformSecret, SimulatedReportKey.PlatformSecretLength, nameof(platformSecret));
        _platformSecret = platformSecret.ToArray();
        _self = self;
    }

    /// <summary>True when the 432-byte <paramref name="report"/> was MACed for this verifier's enclave.</summary>
    public bool Verify(ReadOnlySpan<byte> report)
    {
        if (report.Length != Report.Size)
        {
            return false;
        }

        var keyId = report.Slice(Report.KeyIdOffset, Report.KeyIdLength);
        var cached = _cached;
        if (cached is null || !cached.KeyId.AsSpan().SequenceEqual(keyId))
        {
            // The replaced entry is not disposed: a concurrent check may still be using it (regression: disposing it
            // zeroed the key under that check). Its contexts are released by the garbage collector.
            cached = new CachedKey(keyId.ToArray(), SimulatedReportKey.Derive(_platformSecret, _self, keyId));
            _cached = cached;
        }

        var cmac = cached.Rent();
        try
        {
            return cmac.Verify(report[..ReportBody.Size], report.Slice(Report.MacOffset, Report.MacLength));
        }
        finally
        {
            cached.Return(cmac);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Interlocked.Exchange(ref _cached, null)?.Dispose();
        CryptographicOperations.ZeroMemory(_platformSecret);
    }

    private sealed class CachedKey(byte[] keyId, byte[] key) : IDisposable
    {
        private readonly ConcurrentBag<AesCmac> _pool = [];

        public byte[] KeyId { get; } = keyId;

        // AesCmac holds an Aes instance, which is not safe for concurrent use: each concurrent check takes its own.
        public AesCmac Rent() => _pool.TryTake(out var cmac) ? cmac : new AesCmac(key);

        public void Return(AesCmac cmac) => _pool.Add(cmac);

        public void Dispose()
        {
            // A context still rented by a concurrent check is returned to this (now unused) pool and collected.
            while (_pool.TryTake(out var cmac))
            {
                cmac.Dispose();
            }

            CryptographicOperations.ZeroMemory(key);
        }
    }
}
