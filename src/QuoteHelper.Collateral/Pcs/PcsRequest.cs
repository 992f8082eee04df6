using System.Text;

namespace QuoteHelper.Collateral.Pcs;

/// <summary>
/// One GET of the PCS/PCCS API: router, version, route and normalised query parameters (dcap-quote.md §6.2). Its
/// <see cref="CacheKey"/> is route plus sorted parameters. Create it with the factory methods, or with
/// <see cref="TryCreate"/> from what an HTTP request carried.
/// </summary>
public sealed record PcsRequest
{
    /// <summary>The routes this project serves and fetches.</summary>
    public static IReadOnlyList<string> Routes { get; } = ["pckcrl", "tcb", "qe/identity", "qve/identity", "rootcacrl", "crl", "pckcert"];

    private PcsRequest(PcsTee tee, PcsApiVersion version, string route, IReadOnlyList<KeyValuePair<string, string>> query)
    {
        Tee = tee;
        Version = version;
        Route = route;
        Query = query;
    }

    /// <summary>SGX or TDX router.</summary>
    public PcsTee Tee { get; }

    /// <summary>API version.</summary>
    public PcsApiVersion Version { get; }

    /// <summary>Route below the version, e.g. <c>tcb</c> or <c>qe/identity</c>.</summary>
    public string Route { get; }

    /// <summary>Query parameters, sorted by name, values normalised (hex upper case as Intel's PCCS does).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Query { get; }

    /// <summary>Path of the route: <c>/sgx/certification/v4/tcb</c>.</summary>
    public string Path => $"/{(Tee == PcsTee.Sgx ? "sgx" : "tdx")}/certification/v{(int)Version}/{Route}";

    /// <summary>Path and query string, URL-encoded.</summary>
    public string PathAndQuery
    {
        get
        {
            var text = new StringBuilder(Path);
            for (var i = 0; i < Query.Count; i++)
            {
                text.Append(i == 0 ? '?' : '&').Append(Query[i].Key).Append('=').Append(Uri.EscapeDataString(Query[i].Value));
            }

            return text.ToString();
        }
    }

    /// <summary>The cache key: route and sorted parameters (dcap-quote.md §6.2; kubernetes.md §8.4 item 4).</summary>
    public string CacheKey => PathAndQuery;

    /// <summary>Parameter value, or null.</summary>
    public string? Get(string name)
    {
        foreach (var pair in Query)
        {
            if (pair.Key == name)
            {
                return pair.Value;
            }
        }

        return null;
    }

    /// <summary><c>pckcrl?ca=…&amp;encoding=…</c> (PEM leaves <c>encoding</c> out, as PCS clients do).</summary>
    public static PcsRequest PckCrl(PckCaType ca, PckCrlEncoding encoding, PcsApiVersion version = PcsApiVersion.V4) =>
        Create(PcsTee.Sgx, version, "pckcrl",
            encoding == PckCrlEncoding.Der
                ? [new("ca", CaName(ca)), new("encoding", "der")]
                : [new("ca", CaName(ca))]);

    /// <summary><c>tcb?fmspc=…</c>.</summary>
    public static PcsRequest TcbInfo(string fmspc, PcsTee tee = PcsTee.Sgx, PcsApiVersion version = PcsApiVersion.V4) =>
        Create(tee, version, "tcb", [new("fmspc", fmspc)]);

    /// <summary><c>qe/identity</c>.</summary>
    public static PcsRequest QeIdentity(PcsTee tee = PcsTee.Sgx, PcsApiVersion version = PcsApiVersion.V4) =>
        Create(tee, version, "qe/identity", []);

    /// <summary><c>rootcacrl</c> (PCCS: hex of the DER).</summary>
    public static PcsRequest RootCaCrl(PcsApiVersion version = PcsApiVersion.V4) =>
        Create(PcsTee.Sgx, version, "rootcacrl", []);

    /// <summary><c>pckcert?qeid=&amp;cpusvn=&amp;pcesvn=&amp;pceid=[&amp;encrypted_ppid=]</c>; all hex.</summary>
    public static PcsRequest PckCertificate(string qeId, string cpuSvn, string pceSvn, string pceId, string? encryptedPpid = null,
        PcsApiVersion version = PcsApiVersion.V4)
    {
        List<KeyValuePair<string, string>> query = [new("qeid", qeId), new("cpusvn", cpuSvn), new("pcesvn", pceSvn), new("pceid", pceId)];
        if (encryptedPpid is not null)
        {
            query.Add(new("encrypted_ppid", encryptedPpid));
        }

        return Create(PcsTee.Sgx, version, "pckcert", query);
    }

    /// <summary>
    /// Validates and normalises a request as Intel's PCCS does (dcap-quote.md §6.2, kubernetes.md §8.3): known
    /// router/version/route, required parameters present, hex parameters of the right length (upper-cased),
    /// <c>ca</c>/<c>encoding</c>/<c>update</c> from their value sets, <c>update</c> not together with
    /// <c>tcbEvaluationDataNumber</c>. Unknown parameters are dropped (they would only split the cache).
    /// </summary>
    /// <returns>True with <paramref name="request"/>, or false with the reason for a 400 (or 404 for an unknown route).</returns>
    public static bool TryCreate(string tee, string version, string route, IEnumerable<KeyValuePair<string, string>> query,
        out PcsRequest? request, out string? error, out bool notFound)
    {
        ArgumentNullException.ThrowIfNull(query);
        request = null;
        error = null;
        notFound = true;
        PcsTee parsedTee;
        PcsApiVersion parsedVersion;
        switch (tee, version)
        {
            case ("sgx", "v3"): (parsedTee, parsedVersion) = (PcsTee.Sgx, PcsApiVersion.V3); break;
            case ("sgx", "v4"): (parsedTee, parsedVersion) = (PcsTee.Sgx, PcsApiVersion.V4); break;
            case ("tdx", "v4"): (parsedTee, parsedVersion) = (PcsTee.Tdx, PcsApiVersion.V4); break;
            default: error = $"No such router: /{tee}/certification/{version}/."; return false;
        }

        if (!Routes.Contains(route) || (parsedTee == PcsTee.Tdx && route is not ("tcb" or "qe/identity")))
        {
            error = $"No such route: {route}.";
            return false;
        }

        notFound = false;
        string? problem = null;
        var given = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in query)
        {
            if (!given.TryAdd(name, value))
            {
                error = $"Parameter '{name}' is given twice.";
                return false;
            }
        }

        var normalised = new List<KeyValuePair<string, string>>();
        bool Hex(string name, int minDigits, int maxDigits, bool required)
        {
            if (!given.TryGetValue(name, out var value))
            {
                if (required)
                {
                    problem = $"Parameter '{name}' is required.";
                }

                return !required;
            }

            if (value.Length < minDigits || value.Length > maxDigits || value.Length % 2 != 0 || !value.All(char.IsAsciiHexDigit))
            {
                problem = minDigits == maxDigits
                    ? $"Parameter '{name}' must be {minDigits} hex digits."
                    : $"Parameter '{name}' must be {minDigits} to {maxDigits} hex digits.";
                return false;
            }

            normalised.Add(new(name, value.ToUpperInvariant()));
            return true;
        }

        bool OneOf(string name, string[] values, bool required)
        {
            if (!given.TryGetValue(name, out var value))
            {
                if (required)
                {
                    problem = $"Parameter '{name}' is required ({string.Join('|', values)}).";
                }

                return !required;
            }

            var lower = value.ToLowerInvariant();
            if (!values.Contains(lower))
            {
                problem = $"Parameter '{name}' must be one of {string.Join('|', values)}.";
                return false;
            }

            // encoding=pem is the default: the same document under the same cache key as no encoding at all.
            if (!(name == "encoding" && lower == "pem"))
            {
                normalised.Add(new(name, lower));
            }

            return true;
        }

        bool Update()
        {
            if (given.ContainsKey("update") && given.ContainsKey("tcbEvaluationDataNumber"))
            {
                problem = "Parameters 'update' and 'tcbEvaluationDataNumber' cannot be given together.";
                return false;
            }

            if (given.TryGetValue("tcbEvaluationDataNumber", out var number))
            {
                if (!uint.TryParse(number, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n))
                {
                    problem = "Parameter 'tcbEvaluationDataNumber' must be a non-negative integer.";
                    return false;
                }

                normalised.Add(new("tcbEvaluationDataNumber", n.ToString(System.Globalization.CultureInfo.InvariantCulture)));
                return true;
            }

            return OneOf("update", ["standard", "early"], required: false);
        }

        var ok = route switch
        {
            "pckcrl" => OneOf("ca", ["processor", "platform"], required: true) && OneOf("encoding", ["pem", "der"], required: false),
            "tcb" => Hex("fmspc", 12, 12, required: true) && Update(),
            "qe/identity" or "qve/identity" => Update(),
            "rootcacrl" => true,
            "crl" => UriParameter(given, normalised, ref problem),
            "pckcert" => Hex("qeid", 2, 260, required: true) && Hex("cpusvn", 32, 32, required: true) &&
                         Hex("pcesvn", 4, 4, required: true) && Hex("pceid", 4, 4, required: true) &&
                         Hex("encrypted_ppid", 768, 768, required: false),
            _ => false,
        };
        if (!ok)
        {
            error = problem;
            return false;
        }

        request = Create(parsedTee, parsedVersion, route, normalised);
        return true;
    }

    private static bool UriParameter(Dictionary<string, string> given, List<KeyValuePair<string, string>> normalised, ref string? error)
    {
        // PCCS API 3.1 (dcap-quote.md §6.2): uri ≤ 2048 characters.
        if (!given.TryGetValue("uri", out var uri) || uri.Length == 0 || uri.Length > 2048)
        {
            error = "Parameter 'uri' is required (at most 2048 characters).";
            return false;
        }

        normalised.Add(new("uri", uri));
        return true;
    }

    private static string CaName(PckCaType ca) => ca == PckCaType.Processor ? "processor" : "platform";

    private static PcsRequest Create(PcsTee tee, PcsApiVersion version, string route, List<KeyValuePair<string, string>> query)
    {
        query.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        return new PcsRequest(tee, version, route, query.AsReadOnly());
    }
}
