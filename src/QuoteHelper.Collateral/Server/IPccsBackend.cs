using QuoteHelper.Collateral.Pcs;

namespace QuoteHelper.Collateral.Server;

/// <summary>What <see cref="PccsServer"/> serves: answers validated PCS/PCCS requests.</summary>
public interface IPccsBackend
{
    /// <summary>
    /// Answers <paramref name="request"/>: a 200 with the body and Intel's headers, or an error status with a text
    /// body (404 no data for this platform, 502 upstream unavailable).
    /// </summary>
    ValueTask<PcsResponse> GetAsync(PcsRequest request, CancellationToken cancellationToken);
}
