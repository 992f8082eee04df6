using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using QuoteHelper.Sgx;
using QuoteHelper.Sgx.Pck;
using QuoteHelper.Sgx.Quotes;

namespace QuoteHelper.Cli.Inspect;

/// <summary>Turns a parsed quote into a tree of named values, printed as JSON or as indented text.</summary>
internal static class QuoteDescriber
{
    public static JsonObject Describe(Quote quote)
    {
        var header = quote.Header;
        var signature = quote.SignatureData;
        var result = new JsonObject
        {
            ["length"] = quote.Length,
            ["header"] = new JsonObject
            {
                ["version"] = header.Version,
                ["attestationKeyType"] = header.AttestationKeyType,
                ["teeType"] = header.TeeType,
                ["qeSvn"] = header.QeSvn,
                ["pceSvn"] = header.PceSvn,
                ["qeVendorId"] = Hex(header.QeVendorId),
                ["qeVendorIsIntel"] = header.QeVendorId.AsSpan().SequenceEqual(QuoteHeader.IntelQeVendorId),
                ["userData"] = Hex(header.UserData),
            },
            ["reportBody"] = DescribeBody(quote.Body),
            ["signatureData"] = new JsonObject
            {
                ["signature"] = Hex(signature.Signature),
                ["attestationPublicKey"] = Hex(signature.AttestationPublicKey),
                ["qeReport"] = DescribeBody(signature.QeReport),
                ["qeReportSignature"] = Hex(signature.QeReportSignature),
                ["qeAuthData"] = Hex(signature.QeAuthData),
                ["certificationDataType"] = $"{(int)signature.CertificationData.Type} ({signature.CertificationData.Type})",
                ["certificationDataLength"] = signature.CertificationData.Data.Length,
            },
        };

        if (signature.CertificationData.Type == CertificationDataType.PckCertChain)
        {
            var certificates = new JsonArray();
            foreach (var der in signature.CertificationData.GetPckCertChainDer())
            {
                certificates.Add(DescribeCertificate(der));
            }

            result["certificates"] = certificates;
        }

        return result;
    }

    /// <summary>Any quote version (v3, v4, v5): v4/v5 show the TEE type, body type and TD report fields.</summary>
    public static JsonObject Describe(DcapQuote quote)
    {
        var header = quote.Header;
        var result = new JsonObject
        {
            ["length"] = quote.Length,
            ["header"] = new JsonObject
            {
                ["version"] = header.Version,
                ["attestationKeyType"] = header.AttestationKeyType,
                ["teeType"] = $"0x{(uint)quote.TeeType:x} ({quote.TeeType})",
                ["reserved"] = Hex(quote.Bytes.Slice(QuoteHeader.Offsets.QeSvn, 4)),
                ["qeVendorId"] = Hex(header.QeVendorId),
                ["qeVendorIsIntel"] = header.IsIntelQeVendor,
                ["userData"] = Hex(header.UserData),
            },
            ["bodyType"] = $"{(int)quote.BodyType} ({quote.BodyType})",
            ["reportBody"] = quote.EnclaveReport is { } body ? DescribeBody(body) : DescribeTdBody(quote.TdReport!),
            ["signatureData"] = new JsonObject
            {
                ["signedLength"] = quote.SignedLength,
                ["signature"] = Hex(quote.Signature),
                ["attestationPublicKey"] = Hex(quote.AttestationPublicKey),
                ["outerCertificationDataType"] = quote.OuterCertificationDataLength is null ? null : "6 (QeReportCertificationData)",
                ["outerCertificationDataLength"] = quote.OuterCertificationDataLength,
                ["qeReport"] = DescribeBody(quote.QeReport),
                ["qeReportSignature"] = Hex(quote.QeReportSignature),
                ["qeAuthData"] = Hex(quote.QeAuthData),
                ["certificationDataType"] = $"{(int)quote.CertificationData.Type} ({quote.CertificationData.Type})",
                ["certificationDataLength"] = quote.CertificationData.Data.Length,
            },
        };

        if (quote.CertificationData.Type == CertificationDataType.PckCertChain)
        {
            var certificates = new JsonArray();
            foreach (var der in quote.CertificationData.GetPckCertChainDer())
            {
                certificates.Add(DescribeCertificate(der));
            }

            result["certificates"] = certificates;
        }

        return result;
    }

    /// <summary>The fields of a TD report 1.0 / 1.5 body (dcap-quote.md §1.7).</summary>
    public static JsonObject DescribeTdBody(TdReportBody body)
    {
        var node = new JsonObject
        {
            ["teeTcbSvn"] = Hex(body.TeeTcbSvn),
            ["mrSeam"] = Hex(body.MrSeam),
            ["mrSignerSeam"] = Hex(body.MrSignerSeam),
            ["seamAttributes"] = Hex(body.SeamAttributes),
            ["tdAttributes"] = Hex(body.TdAttributes),
            ["debug"] = body.IsDebug,
            ["xfam"] = Hex(body.Xfam),
            ["mrTd"] = Hex(body.MrTd),
            ["mrConfigId"] = Hex(body.MrConfigId),
            ["mrOwner"] = Hex(body.MrOwner),
            ["mrOwnerConfig"] = Hex(body.MrOwnerConfig),
            ["rtMr0"] = Hex(body.RtMr[0]),
            ["rtMr1"] = Hex(body.RtMr[1]),
            ["rtMr2"] = Hex(body.RtMr[2]),
            ["rtMr3"] = Hex(body.RtMr[3]),
            ["reportData"] = Hex(body.ReportData),
        };
        if (body.IsVersion15)
        {
            node["teeTcbSvn2"] = Hex(body.TeeTcbSvn2);
            node["mrServiceTd"] = Hex(body.MrServiceTd);
        }

        return node;
    }

    public static JsonObject DescribeBody(ReportBody body) => new()
    {
        ["cpuSvn"] = Hex(body.CpuSvn),
        ["miscSelect"] = $"0x{body.MiscSelect:x8}",
        ["attributes"] = new JsonObject
        {
            ["flags"] = $"0x{(ulong)body.Attributes.Flags:x16}",
            ["flagNames"] = body.Attributes.Flags.ToString(),
            ["xfrm"] = $"0x{body.Attributes.Xfrm:x16}",
            ["debug"] = body.Attributes.IsDebug,
        },
        ["mrEnclave"] = Hex(body.MrEnclave),
        ["mrSigner"] = Hex(body.MrSigner),
        ["isvProdId"] = body.IsvProdId,
        ["isvSvn"] = body.IsvSvn,
        ["configSvn"] = body.ConfigSvn,
        ["configId"] = Hex(body.ConfigId),
        ["isvExtProdId"] = Hex(body.IsvExtProdId),
        ["isvFamilyId"] = Hex(body.IsvFamilyId),
        ["reportData"] = Hex(body.ReportData),
    };

    private static JsonObject DescribeCertificate(byte[] der)
    {
        using var certificate = X509CertificateLoader.LoadCertificate(der);
        var node = new JsonObject
        {
            // In encoding order (CN first), the way Intel's documentation writes these names.
            ["subject"] = certificate.SubjectName.Decode(X500DistinguishedNameFlags.None),
            ["issuer"] = certificate.IssuerName.Decode(X500DistinguishedNameFlags.None),
            ["serial"] = certificate.SerialNumber,
            ["notBefore"] = certificate.NotBefore.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture),
            ["notAfter"] = certificate.NotAfter.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture),
            ["sha256"] = Convert.ToHexStringLower(SHA256.HashData(der)),
        };
        if (certificate.Extensions[SgxPckExtension.Oid] is { } extension)
        {
            var sgx = SgxPckExtension.Decode(extension.RawData);
            var sgxNode = new JsonObject
            {
                ["ppid"] = Hex(sgx.Ppid),
                ["componentSvns"] = new JsonArray([.. sgx.ComponentSvns.Select(s => (JsonNode)JsonValue.Create((int)s))]),
                ["pceSvn"] = sgx.PceSvn,
                ["cpuSvn"] = Hex(sgx.CpuSvn),
                ["pceId"] = Hex(sgx.PceId),
                // Upper case everywhere (inspect, verify, demo), as Intel writes it in TCB Info and the SGX-FMSPC header.
                ["fmspc"] = Convert.ToHexString(sgx.Fmspc),
                ["sgxType"] = sgx.SgxType.ToString(),
            };
            if (sgx.PlatformInstanceId is { } instance)
            {
                sgxNode["platformInstanceId"] = Hex(instance);
            }

            if (sgx.Configuration is { } configuration)
            {
                sgxNode["configuration"] = new JsonObject
                {
                    ["dynamicPlatform"] = configuration.DynamicPlatform,
                    ["cachedKeys"] = configuration.CachedKeys,
                    ["smtEnabled"] = configuration.SmtEnabled,
                };
            }

            node["sgxExtension"] = sgxNode;
        }

        return node;
    }

    private static string Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(bytes);

    /// <summary>Prints the tree as indented "name: value" lines.</summary>
    public static void WriteText(TextWriter writer, JsonNode node, int indent = 0)
    {
        var pad = new string(' ', indent);
        switch (node)
        {
            case JsonObject obj:
                foreach (var (name, value) in obj)
                {
                    if (value is JsonObject || (value is JsonArray nested && nested.Any(x => x is JsonObject)))
                    {
                        writer.WriteLine($"{pad}{name}:");
                        WriteText(writer, value!, indent + 2);
                    }
                    else
                    {
                        writer.WriteLine($"{pad}{name}: {Scalar(value)}");
                    }
                }

                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    writer.WriteLine($"{pad}[{i}]");
                    WriteText(writer, array[i]!, indent + 2);
                }

                break;
            default:
                writer.WriteLine($"{pad}{Scalar(node)}");
                break;
        }
    }

    private static string Scalar(JsonNode? value) => value switch
    {
        null => "null",
        JsonArray array => string.Join(", ", array.Select(Scalar)),
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        _ => value.ToJsonString(),
    };
}
