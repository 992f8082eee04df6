using System.Buffers.Binary;
using System.Formats.Asn1;
using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using QuoteHelper.Sgx;
using QuoteHelper.Sgx.Pck;
using QuoteHelper.Sgx.Quotes;
using QuoteHelper.Verification.Collateral;

namespace QuoteHelper.Verification.Tests;

/// <summary>Fault knobs of a <see cref="TestPki"/> (house-style habit 13). Defaults give an UpToDate quote.</summary>
internal sealed record PkiKnobs
{
    public bool ExpiredPckCa { get; init; }
    public bool PckSignedByRogueCa { get; init; }
    public bool PckIssuerNameWrong { get; init; }
    public bool RevokePck { get; init; }
    public bool RevokePckCa { get; init; }
    public bool BadPckCrlSignature { get; init; }
    public bool BadRootCrlSignature { get; init; }
    public bool PckCrlOutOfDate { get; init; }
    public bool PckCrlWithoutCrlNumber { get; init; }
    public bool RootCrlWithoutAki { get; init; }
    public bool TcbInfoSignedByWrongKey { get; init; }
    public bool TcbInfoWhitespaceChanged { get; init; }
    public bool QeIdentitySignedByWrongKey { get; init; }
    public bool TcbSignerFromOtherRoot { get; init; }
    public bool DebugEnclave { get; init; }
    public byte[] PckComponents { get; init; } = [2, 2, 2, 2, 2, 2, 2, 2, 0, 0, 0, 0, 0, 0, 0, 0];
    public ushort PckPceSvn { get; init; } = 10;
    public string PckFmspc { get; init; } = "00906ED50000";
    public string TcbInfoFmspc { get; init; } = "00906ED50000";
    public string TcbInfoPceId { get; init; } = "0000";
    public ushort QeSvn { get; init; } = 8;

    /// <summary>TCB Info version (2 or 3); levels are rendered in that version's shape.</summary>
    public int TcbInfoVersion { get; init; } = 3;

    /// <summary>Platform levels: components, pcesvn, status, advisories — JSON order as given.</summary>
    public (byte[] Components, int PceSvn, string Status, string[] Advisories)[] TcbLevels { get; init; } =
    [
        ([2, 2, 2, 2, 2, 2, 2, 2, 0, 0, 0, 0, 0, 0, 0, 0], 10, "UpToDate", []),
        ([1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0], 5, "OutOfDate", ["INTEL-SA-00001"]),
    ];

    /// <summary>QE levels (isvsvn, status, advisories), JSON order.</summary>
    public (int IsvSvn, string Status, string[] Advisories)[] QeLevels { get; init; } =
    [
        (8, "UpToDate", []),
        (6, "OutOfDate", ["INTEL-SA-00615"]),
    ];
}

/// <summary>
/// A generated Intel-shaped PKI (root, PCK CA, PCK leaf with an SGX extension, TCB signer, CRLs), collateral signed by
/// it and quotes assembled as QE3 does (dcap-quote.md §8), with fault knobs. All times are around <see cref="Now"/>.
/// </summary>
internal sealed class TestPki
{
    public static readonly DateTimeOffset Now = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
    public static readonly byte[] QeMrSigner = Convert.FromHexString("8C4F5775D796503E96137F77C68A829A0056AC8DED70140B081B094490C57BFF");
    public static readonly byte[] MrEnclave = SHA256.HashData("test enclave"u8);
    public static readonly byte[] MrSigner = SHA256.HashData("test signer"u8);

    private readonly ECDsa _attestationKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly ECDsa _pckKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    private TestPki(PkiKnobs knobs)
    {
        Knobs = knobs;
        using var rootKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var rogueKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var tcbKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var otherKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        Root = SelfSigned("Test SGX Root CA", rootKey);
        var ca = Issue("Test SGX PCK Processor CA", caKey, Root, rootKey, isCa: true,
            notAfter: knobs.ExpiredPckCa ? Now.AddDays(-1) : Now.AddYears(10), extension: null);
        var pckIssuer = knobs.PckIssuerNameWrong ? SelfSigned("Test SGX PCK Other CA", rogueKey) : ca;
        var pckIssuerKey = knobs.PckSignedByRogueCa || knobs.PckIssuerNameWrong ? rogueKey : caKey;
        var extension = new SgxPckExtension
        {
            Ppid = RandomNumberGenerator.GetBytes(16),
            ComponentSvns = knobs.PckComponents,
            PceSvn = knobs.PckPceSvn,
            CpuSvn = knobs.PckComponents,
            PceId = [0, 0],
            Fmspc = Convert.FromHexString(knobs.PckFmspc),
            SgxType = SgxType.Standard,
        };
        Pck = Issue("Test SGX PCK Certificate", _pckKey, pckIssuer, pckIssuerKey, isCa: false, notAfter: Now.AddYears(5), extension);
        Ca = ca;

        var otherRoot = SelfSigned("Test SGX Root CA", otherKey);
        var tcbSigner = knobs.TcbSignerFromOtherRoot
            ? Issue("Test SGX TCB Signing", tcbKey, otherRoot, otherKey, isCa: false, notAfter: Now.AddYears(5), extension: null)
            : Issue("Test SGX TCB Signing", tcbKey, Root, rootKey, isCa: false, notAfter: Now.AddYears(5), extension: null);

        var rootCrl = Crl(Root, knobs.BadRootCrlSignature ? otherKey : rootKey, Now.AddDays(-10), Now.AddDays(300),
            knobs.RevokePckCa ? [ca] : [], withNumber: true, withAki: !knobs.RootCrlWithoutAki);
        var pckCrl = Crl(ca, knobs.BadPckCrlSignature ? otherKey : caKey, Now.AddDays(-10), knobs.PckCrlOutOfDate ? Now.AddDays(-1) : Now.AddDays(20),
            knobs.RevokePck ? [Pck] : [], withNumber: !knobs.PckCrlWithoutCrlNumber, withAki: true);

        TcbInfoJson = TcbInfo(knobs);
        var tcbInfoSignature = (knobs.TcbInfoSignedByWrongKey ? otherKey : tcbKey).SignData(TcbInfoJson, HashAlgorithmName.SHA256);
        var qeIdentity = QeIdentity(knobs);
        var qeSignature = (knobs.QeIdentitySignedByWrongKey ? otherKey : tcbKey).SignData(qeIdentity, HashAlgorithmName.SHA256);
        var signedTcbInfo = knobs.TcbInfoWhitespaceChanged
            ? Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(TcbInfoJson).Replace(",\"fmspc\"", ", \"fmspc\"", StringComparison.Ordinal))
            : TcbInfoJson;
        Collateral = new QuoteCollateral
        {
            PckCrlIssuerChain = Pem(ca) + Pem(Root),
            RootCaCrl = rootCrl,
            PckCrl = pckCrl,
            TcbInfoIssuerChain = Pem(tcbSigner) + Pem(knobs.TcbSignerFromOtherRoot ? otherRoot : Root),
            TcbInfo = signedTcbInfo,
            TcbInfoSignature = tcbInfoSignature,
            QeIdentityIssuerChain = Pem(tcbSigner) + Pem(Root),
            QeIdentity = qeIdentity,
            QeIdentitySignature = qeSignature,
        };
        Chain = [Pck, pckIssuer, Root];
    }

    public PkiKnobs Knobs { get; }
    public X509Certificate2 Root { get; }
    public X509Certificate2 Ca { get; }
    public X509Certificate2 Pck { get; }
    public X509Certificate2[] Chain { get; }
    public byte[] TcbInfoJson { get; }
    public QuoteCollateral Collateral { get; }
    public byte[] RootDer => Root.RawData;
    public QuoteVerifier Verifier(bool strict = false) => new(new QuoteVerifierOptions { TrustedRootDer = RootDer, StrictExpiry = strict });

    public static TestPki Create(PkiKnobs? knobs = null) => new(knobs ?? new PkiKnobs());

    public VerificationResult Verify(byte[]? quote = null, QuoteCollateral? collateral = null, DateTimeOffset? at = null, bool strict = false) =>
        Verifier(strict).Verify(quote ?? QuoteV3(), collateral ?? Collateral, at ?? Now);

    public ReportBody EnclaveBody()
    {
        var body = new ReportBody
        {
            MrEnclave = MrEnclave,
            MrSigner = MrSigner,
            IsvProdId = 7,
            IsvSvn = 3,
            Attributes = new SgxAttributes(SgxAttributeFlags.Initted | SgxAttributeFlags.Mode64Bit | (Knobs.DebugEnclave ? SgxAttributeFlags.Debug : 0), 0xe7),
        };
        "test report data"u8.CopyTo(body.ReportData);
        return body;
    }

    private static readonly byte[] s_authData = [.. Enumerable.Range(0, 32).Select(i => (byte)i)];

    /// <summary>The QE report and its PCK signature, as the PCE certifies them (§8.2 step 3).</summary>
    public (ReportBody Report, byte[] Signature) QeReport()
    {
        var publicKey = AttestationPublicKey();
        var report = new ReportBody
        {
            MrSigner = QeMrSigner,
            IsvProdId = 1,
            IsvSvn = Knobs.QeSvn,
            Attributes = new SgxAttributes(SgxAttributeFlags.Initted | SgxAttributeFlags.Mode64Bit | SgxAttributeFlags.ProvisionKey, 0xe7),
        };
        SHA256.HashData([.. publicKey, .. s_authData]).CopyTo(report.ReportData, 0);
        return (report, _pckKey.SignData(report.ToArray(), HashAlgorithmName.SHA256));
    }

    public byte[] AttestationPublicKey()
    {
        var parameters = _attestationKey.ExportParameters(false);
        return [.. parameters.Q.X!, .. parameters.Q.Y!];
    }

    public CertificationData ChainData() => CertificationData.ForPckCertChainDer(Chain.Select(c => c.RawData));

    /// <summary>A v3 quote as QE3 writes it (§8.2).</summary>
    public byte[] QuoteV3(CertificationData? certificationData = null)
    {
        var (qeReport, qeSignature) = QeReport();
        var quote = new Quote
        {
            Header = new QuoteHeader { QeSvn = Knobs.QeSvn, PceSvn = Knobs.PckPceSvn },
            Body = EnclaveBody(),
            SignatureData = new QuoteSignatureData
            {
                AttestationPublicKey = AttestationPublicKey(),
                QeReport = qeReport,
                QeReportSignature = qeSignature,
                QeAuthData = s_authData,
                CertificationData = certificationData ?? ChainData(),
            },
        };
        var bytes = quote.ToArray();
        _attestationKey.SignData(bytes.AsSpan(0, QuoteOffsets.SignedRegionLength), bytes.AsSpan(QuoteOffsets.Signature, 64), HashAlgorithmName.SHA256);
        return bytes;
    }

    /// <summary>
    /// A v5 quote (dcap-quote.md §1.7) written byte by byte, independently of the reader: header, body_type/body_size,
    /// body, signature data with a type-6 outer certification data wrapping the QE report data and the PEM chain.
    /// </summary>
    public byte[] QuoteV5(QuoteBodyType bodyType = QuoteBodyType.SgxEnclaveReport, ushort teeTypeOverride = 0xffff)
    {
        var body = bodyType switch
        {
            QuoteBodyType.SgxEnclaveReport => EnclaveBody().ToArray(),
            QuoteBodyType.TdReport10 => new byte[584],
            _ => new byte[648],
        };
        var tee = teeTypeOverride != 0xffff ? teeTypeOverride : bodyType == QuoteBodyType.SgxEnclaveReport ? 0u : 0x81u;
        var (qeReport, qeSignature) = QeReport();
        var chain = ChainData().Data;
        var inner = new List<byte>();
        inner.AddRange(qeReport.ToArray());
        inner.AddRange(qeSignature);
        inner.AddRange(U16(32));
        inner.AddRange(s_authData);
        inner.AddRange(U16(5));
        inner.AddRange(U32(chain.Length));
        inner.AddRange(chain);
        var bytes = new List<byte>();
        var header = new QuoteHeader { Version = 5, TeeType = tee }.ToArray();
        bytes.AddRange(header);
        bytes.AddRange(U16((int)bodyType));
        bytes.AddRange(U32(body.Length));
        bytes.AddRange(body);
        var signedLength = bytes.Count;
        bytes.AddRange(U32(64 + 64 + 6 + inner.Count));
        bytes.AddRange(new byte[64]);
        bytes.AddRange(AttestationPublicKey());
        bytes.AddRange(U16(6));
        bytes.AddRange(U32(inner.Count));
        bytes.AddRange(inner);
        var quote = bytes.ToArray();
        _attestationKey.SignData(quote.AsSpan(0, signedLength), quote.AsSpan(signedLength + 4, 64), HashAlgorithmName.SHA256);
        return quote;
    }

    private static byte[] U16(int value)
    {
        var b = new byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(b, (ushort)value);
        return b;
    }

    private static byte[] U32(int value)
    {
        var b = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(b, (uint)value);
        return b;
    }

    public static string Pem(X509Certificate2 certificate) => new string(PemEncoding.Write("CERTIFICATE", certificate.RawData)) + "\n";

    private static string Date(DateTimeOffset d) => d.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    private static string Advisories(string[] ids) => ids.Length == 0 ? "" : ",\"advisoryIDs\":[" + string.Join(",", ids.Select(i => $"\"{i}\"")) + "]";

    private static byte[] TcbInfo(PkiKnobs knobs)
    {
        var levels = knobs.TcbLevels.Select(level =>
        {
            var tcb = knobs.TcbInfoVersion >= 3
                ? "{\"sgxtcbcomponents\":[" + string.Join(",", level.Components.Select(c => $"{{\"svn\":{c}}}")) + $"],\"pcesvn\":{level.PceSvn}}}"
                : "{" + string.Concat(level.Components.Select((c, i) => $"\"sgxtcbcomp{i + 1:D2}svn\":{c},")) + $"\"pcesvn\":{level.PceSvn}}}";
            return $"{{\"tcb\":{tcb},\"tcbDate\":\"2024-01-01T00:00:00Z\",\"tcbStatus\":\"{level.Status}\"{Advisories(level.Advisories)}}}";
        });
        var id = knobs.TcbInfoVersion >= 3 ? "\"id\":\"SGX\"," : "";
        return Encoding.UTF8.GetBytes(
            $"{{{id}\"version\":{knobs.TcbInfoVersion},\"issueDate\":\"{Date(Now.AddDays(-5))}\",\"nextUpdate\":\"{Date(Now.AddDays(25))}\"," +
            $"\"fmspc\":\"{knobs.TcbInfoFmspc}\",\"pceId\":\"{knobs.TcbInfoPceId}\",\"tcbType\":0,\"tcbEvaluationDataNumber\":17," +
            $"\"tcbLevels\":[{string.Join(",", levels)}]}}");
    }

    private static byte[] QeIdentity(PkiKnobs knobs)
    {
        var levels = knobs.QeLevels.Select(l => $"{{\"tcb\":{{\"isvsvn\":{l.IsvSvn}}},\"tcbDate\":\"2024-01-01T00:00:00Z\",\"tcbStatus\":\"{l.Status}\"{Advisories(l.Advisories)}}}");
        return Encoding.UTF8.GetBytes(
            $"{{\"id\":\"QE\",\"version\":2,\"issueDate\":\"{Date(Now.AddDays(-5))}\",\"nextUpdate\":\"{Date(Now.AddDays(25))}\",\"tcbEvaluationDataNumber\":17," +
            "\"miscselect\":\"00000000\",\"miscselectMask\":\"FFFFFFFF\",\"attributes\":\"11000000000000000000000000000000\"," +
            $"\"attributesMask\":\"FBFFFFFFFFFFFFFF0000000000000000\",\"mrsigner\":\"{Convert.ToHexString(QeMrSigner)}\",\"isvprodid\":1," +
            $"\"tcbLevels\":[{string.Join(",", levels)}]}}");
    }

    private static X500DistinguishedName Name(string cn) => new($"CN={cn}, O=Quote Helper Tests, C=US");

    private static byte[] Serial()
    {
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] = (byte)((serial[0] & 0x7f) | 0x01);
        return serial;
    }

    private static X509Certificate2 SelfSigned(string cn, ECDsa key)
    {
        var request = new CertificateRequest(Name(cn), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 1, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        using var certificate = request.Create(Name(cn), X509SignatureGenerator.CreateForECDsa(key), Now.AddYears(-5), Now.AddYears(20), Serial());
        return X509CertificateLoader.LoadCertificate(certificate.RawData);
    }

    private static X509Certificate2 Issue(string cn, ECDsa key, X509Certificate2 issuer, ECDsa issuerKey, bool isCa, DateTimeOffset notAfter, SgxPckExtension? extension)
    {
        var request = new CertificateRequest(Name(cn), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(isCa, isCa, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(isCa ? X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign : X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.NonRepudiation, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer, true, false));
        if (extension is not null)
        {
            request.CertificateExtensions.Add(new X509Extension(SgxPckExtension.Oid, extension.Encode(), false));
        }

        using var certificate = request.Create(issuer.SubjectName, X509SignatureGenerator.CreateForECDsa(issuerKey), Now.AddYears(-4), notAfter, Serial());
        return X509CertificateLoader.LoadCertificate(certificate.RawData);
    }

    /// <summary>A CRL written with AsnWriter so that each required field can be left out (dcap-quote.md §5.8).</summary>
    private static byte[] Crl(X509Certificate2 issuer, ECDsa key, DateTimeOffset thisUpdate, DateTimeOffset nextUpdate,
        X509Certificate2[] revoked, bool withNumber, bool withAki)
    {
        var tbs = new AsnWriter(AsnEncodingRules.DER);
        using (tbs.PushSequence())
        {
            tbs.WriteInteger(1);
            using (tbs.PushSequence())
            {
                tbs.WriteObjectIdentifier("1.2.840.10045.4.3.2");
            }

            tbs.WriteEncodedValue(issuer.SubjectName.RawData);
            tbs.WriteUtcTime(thisUpdate);
            tbs.WriteUtcTime(nextUpdate);
            if (revoked.Length > 0)
            {
                using (tbs.PushSequence())
                {
                    foreach (var certificate in revoked)
                    {
                        using (tbs.PushSequence())
                        {
                            tbs.WriteInteger(certificate.SerialNumberBytes.Span);
                            tbs.WriteUtcTime(thisUpdate);
                        }
                    }
                }
            }

            using (tbs.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0, true)))
            using (tbs.PushSequence())
            {
                if (withNumber)
                {
                    using (tbs.PushSequence())
                    {
                        tbs.WriteObjectIdentifier("2.5.29.20");
                        var number = new AsnWriter(AsnEncodingRules.DER);
                        number.WriteInteger(1);
                        tbs.WriteOctetString(number.Encode());
                    }
                }

                if (withAki)
                {
                    using (tbs.PushSequence())
                    {
                        tbs.WriteObjectIdentifier("2.5.29.35");
                        tbs.WriteOctetString(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer, true, false).RawData);
                    }
                }
            }
        }

        var tbsBytes = tbs.Encode();
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteEncodedValue(tbsBytes);
            using (writer.PushSequence())
            {
                writer.WriteObjectIdentifier("1.2.840.10045.4.3.2");
            }

            writer.WriteBitString(key.SignData(tbsBytes, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));
        }

        return writer.Encode();
    }
}
