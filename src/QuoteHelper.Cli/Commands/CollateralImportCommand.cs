using System.CommandLine;
using System.Text;
using System.Text.Json;
using QuoteHelper.Verification.Collateral;

namespace QuoteHelper.Cli.Commands;

/// <summary>
/// <c>quote-helper collateral import</c>: builds the collateral JSON that <c>verify --collateral</c> reads from the
/// separate responses of Intel PCS or a PCCS, as downloaded (docs/collateral.md §7): the TCB Info and QE Identity
/// bodies, the two CRLs (DER, PEM or hex) and the issuer chains (a URL-encoded header value, a PEM file, or a saved
/// header dump). The signed <c>tcbInfo</c> / <c>enclaveIdentity</c> values are cut out of the bodies byte for byte
/// (<see cref="PcsCollateral.ReadSignedBody"/>), never re-serialised, so their signatures still verify. Nothing is
/// verified here: that is <c>verify</c>'s job.
/// </summary>
internal static class CollateralImportCommand
{
    /// <summary>Header names that carry each chain (v4 first; v3's TCB Info name too), matched case-insensitively.</summary>
    internal static readonly string[] TcbInfoChainHeaders = ["TCB-Info-Issuer-Chain", "SGX-TCB-Info-Issuer-Chain"];
    internal static readonly string[] QeIdentityChainHeaders = ["SGX-Enclave-Identity-Issuer-Chain"];
    internal static readonly string[] PckCrlChainHeaders = ["SGX-PCK-CRL-Issuer-Chain"];

    // A header dump holds a few headers besides the chain; URL encoding at most triples a chain.
    private const int MaxChainFileLength = (3 * CollateralLimits.MaxChainLength) + (16 * 1024);
    private const int MaxCrlFileLength = (2 * CollateralLimits.MaxCrlLength) + 1024;

    public static Command Create()
    {
        const string ChainForms = "the URL-encoded header value itself, or a file with the PEM chain, the header value, or a saved header dump (curl -D)";
        var tcbInfo = new Option<string>("--tcb-info") { Description = "TCB Info response body as received: {\"tcbInfo\":{…},\"signature\":\"…\"}.", Required = true, HelpName = "FILE" };
        var tcbInfoChain = new Option<string>("--tcb-info-issuer-chain")
        {
            Description = $"TCB Info issuer chain (header TCB-Info-Issuer-Chain, v3: SGX-TCB-Info-Issuer-Chain): {ChainForms}.",
            Required = true,
            HelpName = "VALUE|FILE",
        };
        var qeIdentity = new Option<string>("--qe-identity") { Description = "QE Identity response body as received: {\"enclaveIdentity\":{…},\"signature\":\"…\"}.", Required = true, HelpName = "FILE" };
        var qeIdentityChain = new Option<string?>("--qe-identity-issuer-chain")
        {
            Description = $"QE Identity issuer chain (header SGX-Enclave-Identity-Issuer-Chain): {ChainForms}. Default: the TCB Info issuer chain (Intel signs both with the TCB Signing key).",
            HelpName = "VALUE|FILE",
        };
        var pckCrl = new Option<string>("--pck-crl") { Description = "PCK CRL (pckcrl?ca=processor|platform): DER, PEM or hex of DER.", Required = true, HelpName = "FILE" };
        var pckCrlChain = new Option<string>("--pck-crl-issuer-chain")
        {
            Description = $"PCK CRL issuer chain (header SGX-PCK-CRL-Issuer-Chain): {ChainForms}.",
            Required = true,
            HelpName = "VALUE|FILE",
        };
        var rootCaCrl = new Option<string>("--root-ca-crl") { Description = "Root CA CRL: DER (Intel's CDP), PEM, or hex of DER (PCCS rootcacrl).", Required = true, HelpName = "FILE" };
        var pckChain = new Option<string[]>("--pck-chain")
        {
            Description = "Optional PEM PCK chain (PCK certificate, its CA, root) to store with the collateral, for quotes without one (certification data types 1-4); " +
                          "repeat to concatenate files in order.",
            HelpName = "FILE",
        };
        var output = new Option<string>("--out") { Description = "Where to write the collateral JSON.", Required = true, HelpName = "FILE" };
        var command = new Command("import", "Build the collateral JSON for verify --collateral from separate PCS/PCCS responses (bodies, CRLs, issuer-chain headers); signed bytes are kept exactly.")
        {
            tcbInfo, tcbInfoChain, qeIdentity, qeIdentityChain, pckCrl, pckCrlChain, rootCaCrl, pckChain, output,
        };
        command.SetGuardedAction(async (parse, cancellationToken) =>
        {
            var tcbChain = ReadChain(parse.GetValue(tcbInfoChain)!, "--tcb-info-issuer-chain", TcbInfoChainHeaders);
            var qeChain = parse.GetValue(qeIdentityChain) is { } qe ? ReadChain(qe, "--qe-identity-issuer-chain", QeIdentityChainHeaders) : tcbChain;
            var crlChain = ReadChain(parse.GetValue(pckCrlChain)!, "--pck-crl-issuer-chain", PckCrlChainHeaders);
            var tcbBody = CommonOptions.ReadCapped(parse.GetValue(tcbInfo)!, CollateralLimits.MaxDocumentLength, "--tcb-info");
            var qeBody = CommonOptions.ReadCapped(parse.GetValue(qeIdentity)!, CollateralLimits.MaxDocumentLength, "--qe-identity");
            var pckCrlBytes = CommonOptions.ReadCapped(parse.GetValue(pckCrl)!, MaxCrlFileLength, "--pck-crl");
            var rootCrlBytes = CommonOptions.ReadCapped(parse.GetValue(rootCaCrl)!, MaxCrlFileLength, "--root-ca-crl");
            string? chain = null;
            if (parse.GetValue(pckChain) is { Length: > 0 } chainFiles)
            {
                // Each file ends with a line break in practice; one is added where it does not, so PEM blocks never touch.
                chain = string.Concat(chainFiles.Select(file =>
                {
                    var text = Encoding.ASCII.GetString(CommonOptions.ReadCapped(file, CollateralLimits.MaxChainLength, "--pck-chain"));
                    return text.EndsWith('\n') ? text : text + "\n";
                }));
            }

            var collateral = Build(() => PcsCollateral.FromPcsResponses(crlChain, rootCrlBytes, pckCrlBytes, tcbChain, tcbBody, qeChain, qeBody, chain), tcbBody, qeBody);
            var outPath = parse.GetValue(output)!;
            await File.WriteAllBytesAsync(outPath, QuoteCollateralJson.Serialize(collateral), cancellationToken).ConfigureAwait(false);
            Console.Out.WriteLine($"quote-helper collateral import: {Describe(collateral)} -> {outPath} (not verified yet: run verify).");
            return 0;
        });
        return command;
    }

    /// <summary>
    /// An issuer chain given as PEM, as the URL-encoded header value, or as a header dump holding one of
    /// <paramref name="headers"/> — each inline or in a file.
    /// </summary>
    /// <exception cref="InvalidDataException">None of these forms, or no certificate in it (exit code 65).</exception>
    internal static string ReadChain(string value, string option, IReadOnlyList<string> headers)
    {
        string text;
        if (File.Exists(value))
        {
            text = Encoding.UTF8.GetString(CommonOptions.ReadCapped(value, MaxChainFileLength, option));
        }
        else if (value.Contains("BEGIN", StringComparison.Ordinal))
        {
            text = value;
        }
        else
        {
            throw new FileNotFoundException($"{option}: '{Shorten(value)}' is not a file, nor a URL-encoded PEM chain.", value);
        }

        string pem;
        if (FindHeader(text, headers) is { } headerValue)
        {
            pem = Decode(headerValue, option);
        }
        else if (text.TrimStart().StartsWith("-----BEGIN ", StringComparison.Ordinal))
        {
            pem = text;
        }
        else if (text.Contains('%', StringComparison.Ordinal))
        {
            pem = Decode(text.Trim(), option);
        }
        else
        {
            throw new InvalidDataException($"{option}: neither a PEM chain, a URL-encoded header value, nor a header dump with {string.Join(" or ", headers)}.");
        }

        return pem.Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal)
            ? pem
            : throw new InvalidDataException($"{option}: the chain holds no PEM certificate.");
    }

    /// <summary>The last value of one of the headers in a header dump ("Name: value" lines); null when there is none.</summary>
    internal static string? FindHeader(string dump, IReadOnlyList<string> headers)
    {
        string? found = null;
        foreach (var line in dump.Split('\n'))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            // The last match wins: a dump of redirects or retries ends with the answer that was saved.
            if (colon > 0 && headers.Any(h => line.AsSpan(0, colon).Trim().Equals(h, StringComparison.OrdinalIgnoreCase)))
            {
                found = line[(colon + 1)..].Trim();
            }
        }

        return found;
    }

    private static string Decode(string headerValue, string option)
    {
        try
        {
            return PcsCollateral.DecodeIssuerChainHeader(headerValue);
        }
        catch (CollateralFormatException e)
        {
            throw new InvalidDataException($"{option}: {e.Message}", e);
        }
    }

    private static QuoteCollateral Build(Func<QuoteCollateral> build, byte[] tcbBody, byte[] qeBody)
    {
        try
        {
            return build();
        }
        catch (CollateralFormatException e)
        {
            // Say which file: the bodies are the usual suspects (a body saved with its headers, or the two swapped).
            var which = Looks(tcbBody, PcsCollateral.TcbInfoMember) ? Looks(qeBody, PcsCollateral.EnclaveIdentityMember) ? string.Empty : "--qe-identity: " : "--tcb-info: ";
            throw new InvalidDataException($"{which}{e.Reason}: {e.Message}", e);
        }
    }

    private static bool Looks(byte[] body, string member)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty(member, out _);
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static string Describe(QuoteCollateral collateral)
    {
        using var tcb = JsonDocument.Parse(collateral.TcbInfo);
        using var qe = JsonDocument.Parse(collateral.QeIdentity);
        string Text(JsonElement e, string name) => e.TryGetProperty(name, out var v) ? v.ToString() : "?";
        return $"TCB Info v{Text(tcb.RootElement, "version")} for FMSPC {Text(tcb.RootElement, "fmspc")} (issued {Text(tcb.RootElement, "issueDate")}, " +
               $"next update {Text(tcb.RootElement, "nextUpdate")}), QE Identity {Text(qe.RootElement, "id")} (next update {Text(qe.RootElement, "nextUpdate")})" +
               (collateral.PckCertificateChain is null ? string.Empty : ", with a PCK chain");
    }

    private static string Shorten(string value) => value.Length <= 60 ? value : value[..57] + "...";
}
