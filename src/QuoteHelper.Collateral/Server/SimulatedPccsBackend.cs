using System.Buffers.Binary;
using System.Security.Cryptography;
using QuoteHelper.Collateral.Pcs;
using QuoteHelper.Collateral.Simulation;
using QuoteHelper.Quoting.Simulation;

namespace QuoteHelper.Collateral.Server;

/// <summary>
/// Serves the simulated platform of a state directory as Intel's PCS/PCCS would (dcap-quote.md §6.2, §8.3): TCB
/// Info, QE identity, the PCK CRL, the root CA CRL and the PCK certificate, with Intel's headers and content types.
/// The collateral is generated for <see cref="Scenario"/>, and again whenever the state file changes (a simulated
/// platform update), the scenario changes, or <see cref="RegenerateAfter"/> has passed.
/// </summary>
public sealed class SimulatedPccsBackend : IPccsBackend
{
    /// <summary>PCCS's answer when it holds nothing for the request (kubernetes.md §8.3).</summary>
    public const string NoDataMessage = "No cache data for this platform.";

    private readonly string _stateDirectory;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private CollateralScenario _scenario;
    private SimulatedCollateral? _current;
    private (DateTime Written, long Length) _stateFingerprint;
    private DateTimeOffset _generatedAt;

    /// <summary>
    /// Creates a backend for the platform a helper created in <paramref name="stateDirectory"/>. It only reads the
    /// directory (a read-only mount is enough); a request before the platform exists fails with
    /// <see cref="StateDirectoryException"/> (an HTTP 500 naming the directory).
    /// </summary>
    public SimulatedPccsBackend(string stateDirectory, CollateralScenario scenario, TimeProvider time)
    {
        ArgumentException.ThrowIfNullOrEmpty(stateDirectory);
        ArgumentNullException.ThrowIfNull(scenario);
        ArgumentNullException.ThrowIfNull(time);
        _stateDirectory = Path.GetFullPath(stateDirectory);
        _scenario = scenario;
        _time = time;
    }

    /// <summary>The scenario served; setting it regenerates the collateral on the next request.</summary>
    public CollateralScenario Scenario
    {
        get
        {
            lock (_lock)
            {
                return _scenario;
            }
        }
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            lock (_lock)
            {
                _scenario = value;
                _current = null;
            }
        }
    }

    /// <summary>How long one generation is served before it is re-issued (new dates, new signatures). Default 12 h.</summary>
    public TimeSpan RegenerateAfter { get; init; } = TimeSpan.FromHours(12);

    /// <summary>The collateral currently served (generated now if due).</summary>
    public SimulatedCollateral Current
    {
        get
        {
            lock (_lock)
            {
                var now = _time.GetUtcNow();
                var fingerprint = Fingerprint();
                if (_current is null || fingerprint != _stateFingerprint || now >= _generatedAt + RegenerateAfter)
                {
                    // A reader: no lock, no write, never a new platform (the helper creates it; docs/collateral.md).
                    using var platform = SimulatedPlatform.OpenExisting(_stateDirectory);
                    _current = SimulatedCollateral.Create(platform, _scenario, now);
                    _stateFingerprint = Fingerprint();
                    _generatedAt = now;
                }

                return _current;
            }
        }
    }

    /// <inheritdoc />
    public ValueTask<PcsResponse> GetAsync(PcsRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Tee == PcsTee.Tdx)
        {
            return ValueTask.FromResult(NoData()); // the simulated platform is SGX only
        }

        var collateral = Current;
        var response = request.Route switch
        {
            "pckcrl" => PckCrl(collateral, request),
            "tcb" => TcbInfo(collateral, request),
            "qe/identity" => QeIdentity(collateral, request),
            "rootcacrl" => Ok(System.Text.Encoding.ASCII.GetBytes(Convert.ToHexStringLower(collateral.RootCaCrl)), PcsContentTypes.Crl),
            "crl" => Crl(collateral, request),
            "pckcert" => PckCertificate(collateral, request),
            _ => NoData(),
        };
        return ValueTask.FromResult(response);
    }

    private (DateTime, long) Fingerprint()
    {
        var info = new FileInfo(Path.Combine(_stateDirectory, PlatformStateStore.StateFileName));
        return info.Exists ? (info.LastWriteTimeUtc, info.Length) : default;
    }

    private static PcsResponse NoData() => PcsResponse.Text(404, NoDataMessage);

    private static PcsResponse Ok(byte[] body, string contentType, params (string Name, string Value)[] headers)
    {
        var map = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            [PcsHeaders.RequestId] = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)),
        };
        foreach (var (name, value) in headers)
        {
            map[name] = value;
        }

        return new PcsResponse(200, body, contentType, map);
    }

    // Issuer chains travel URL-encoded in headers (dcap-quote.md §5.9).
    private static string Chain(string pem) => Uri.EscapeDataString(pem);

    private static PcsResponse PckCrl(SimulatedCollateral collateral, PcsRequest request)
    {
        if (request.Get("ca") != "processor")
        {
            return NoData(); // the simulated PCK CA is a Processor CA
        }

        var chain = (PcsHeaders.PckCrlIssuerChain, Chain(collateral.PckCaChain));
        return request.Get("encoding") == "der"
            ? Ok(collateral.PckCrl, PcsContentTypes.Crl, chain)
            : Ok(System.Text.Encoding.ASCII.GetBytes(PemEncoding.WriteString("X509 CRL", collateral.PckCrl) + "\n"), PcsContentTypes.Pem, chain);
    }

    private static PcsResponse TcbInfo(SimulatedCollateral collateral, PcsRequest request)
    {
        if (!string.Equals(request.Get("fmspc"), collateral.Fmspc, StringComparison.OrdinalIgnoreCase) || !Evaluation(collateral, request))
        {
            return NoData();
        }

        // v3 API: TCB Info v2 under SGX-TCB-Info-Issuer-Chain; v4: TCB Info v3 under TCB-Info-Issuer-Chain (§6.2).
        return request.Version == PcsApiVersion.V3
            ? Ok(collateral.TcbInfoV2Body, PcsContentTypes.Json, (PcsHeaders.SgxTcbInfoIssuerChain, Chain(collateral.TcbSigningChain)))
            : Ok(collateral.TcbInfoBody, PcsContentTypes.Json, (PcsHeaders.TcbInfoIssuerChain, Chain(collateral.TcbSigningChain)));
    }

    private static PcsResponse QeIdentity(SimulatedCollateral collateral, PcsRequest request) =>
        Evaluation(collateral, request)
            ? Ok(collateral.QeIdentityBody, PcsContentTypes.Json, (PcsHeaders.EnclaveIdentityIssuerChain, Chain(collateral.TcbSigningChain)))
            : NoData();

    // Only the current evaluation data number exists for the simulated platform.
    private static bool Evaluation(SimulatedCollateral collateral, PcsRequest request) =>
        request.Get("tcbEvaluationDataNumber") is not { } number ||
        number == collateral.TcbEvaluationDataNumber.ToString(System.Globalization.CultureInfo.InvariantCulture);

    // PCCS API 3.1 crl?uri=<CDP>: raw DER of the CRL a distribution point names (dcap-quote.md §6.2).
    private static PcsResponse Crl(SimulatedCollateral collateral, PcsRequest request)
    {
        var uri = request.Get("uri") ?? "";
        if (uri.Contains("rootcacrl", StringComparison.Ordinal) || uri.EndsWith("RootCA.der", StringComparison.Ordinal) ||
            uri.EndsWith("RootCA.crl", StringComparison.Ordinal))
        {
            return Ok(collateral.RootCaCrl, PcsContentTypes.Crl);
        }

        return uri.Contains("pckcrl", StringComparison.Ordinal) && uri.Contains("ca=processor", StringComparison.Ordinal)
            ? Ok(collateral.PckCrl, PcsContentTypes.Crl)
            : NoData();
    }

    // pckcert (dcap-quote.md §6.2): the platform's one PCK certificate, for its QE_ID and PCE-ID, when the requested
    // raw TCB is at least the certified one (PCS picks the best certificate at or below the raw TCB). PCESVN is read
    // little-endian, as Intel's API documentation and dcap-qvl write it; SGX-TCBm is written the same way.
    private static PcsResponse PckCertificate(SimulatedCollateral collateral, PcsRequest request)
    {
        var cpuSvn = Convert.FromHexString(request.Get("cpusvn")!);
        var pceSvn = BinaryPrimitives.ReadUInt16LittleEndian(Convert.FromHexString(request.Get("pcesvn")!));
        var known = string.Equals(request.Get("qeid"), collateral.QeId, StringComparison.OrdinalIgnoreCase) &&
                    string.Equals(request.Get("pceid"), collateral.PceId, StringComparison.OrdinalIgnoreCase);
        var covered = pceSvn >= collateral.PckPceSvn;
        for (var i = 0; i < cpuSvn.Length && covered; i++)
        {
            covered = cpuSvn[i] >= collateral.PckComponents[i];
        }

        if (!known || !covered)
        {
            return NoData();
        }

        return Ok(System.Text.Encoding.ASCII.GetBytes(collateral.PckCertificatePem), PcsContentTypes.Pem,
            (PcsHeaders.PckCertificateIssuerChain, Chain(collateral.PckCaChain)),
            (PcsHeaders.Tcbm, collateral.Tcbm),
            (PcsHeaders.Fmspc, collateral.Fmspc),
            (PcsHeaders.PckCertificateCaType, "processor"));
    }
}
