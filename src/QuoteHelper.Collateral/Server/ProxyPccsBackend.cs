using QuoteHelper.Collateral.Pcs;

namespace QuoteHelper.Collateral.Server;

/// <summary>
/// A caching proxy in front of an upstream PCS/PCCS: each request is answered by the <see cref="PcsClient"/> (and so
/// by its <see cref="Caching.CollateralCache"/> while an entry is fresh, or stale under its policy when the upstream
/// fails). Upstream 2xx–4xx answers are passed on with their body and Intel's headers; an unreachable upstream, a
/// timeout, an oversized answer or a 5xx becomes 502 "Unable to retrieve the collateral from the Intel SGX PCS.",
/// Intel PCCS's status for it (kubernetes.md §8.3).
/// </summary>
public sealed class ProxyPccsBackend(PcsClient client) : IPccsBackend
{
    /// <summary>PCCS's 502 message.</summary>
    public const string UpstreamFailureMessage = "Unable to retrieve the collateral from the Intel SGX PCS.";

    /// <inheritdoc />
    public async ValueTask<PcsResponse> GetAsync(PcsRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        try
        {
            var response = await client.SendAsync(request, cancellationToken).ConfigureAwait(false);
            return response.StatusCode >= 500 ? PcsResponse.Text(502, $"{UpstreamFailureMessage} (upstream answered {response.StatusCode})") : response;
        }
        catch (PcsException e)
        {
            return PcsResponse.Text(502, $"{UpstreamFailureMessage} ({e.Reason}: {e.Message})");
        }
    }
}
