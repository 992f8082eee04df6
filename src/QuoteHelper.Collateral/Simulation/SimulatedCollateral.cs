using System.Buffers;
using System.Globalization;
using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using QuoteHelper.Quoting.Simulation;
using QuoteHelper.Sgx;
using QuoteHelper.Verification.Collateral;

namespace QuoteHelper.Collateral.Simulation;

/// <summary>
/// The simulated platform's collateral in Intel's formats (design.md §3, dcap-quote.md §8.3): TCB Info v3 (and v2 for
/// the v3 API), QE Identity v2, the root CA CRL and the PCK CRL, and the issuer chains — everything signed by the
/// simulated keys exactly as Intel signs the real ones: the TCB signing key over the exact compact UTF-8 bytes of the
/// inner JSON value (r ‖ s, hex lower case), the root and the PCK CA over their CRLs (with CRL Number and Authority
/// Key Identifier). The TCB levels put the platform at <see cref="Scenario"/>. Immutable once created.
/// </summary>
public sealed class SimulatedCollateral
{
    /// <summary>Default TCB evaluation data number (that of the real sample collateral).</summary>
    public const int DefaultTcbEvaluationDataNumber = 17;

    /// <summary>How long TCB Info, QE Identity and the PCK CRL are valid: 30 days, as Intel issues them.</summary>
    public static readonly TimeSpan Validity = TimeSpan.FromDays(30);

    /// <summary>How long the root CA CRL is valid: one year, as Intel issues it.</summary>
    public static readonly TimeSpan RootCrlValidity = TimeSpan.FromDays(365);

    /// <summary>
    /// How far before the generation time the documents are dated, so that a quote verified at the generation time
    /// finds <c>issueDate ≤ t</c> even when the verifier's clock is a little behind.
    /// </summary>
    public static readonly TimeSpan Backdating = TimeSpan.FromHours(1);

    private SimulatedCollateral()
    {
    }

    /// <summary>The scenario the TCB levels were chosen for.</summary>
    public required CollateralScenario Scenario { get; init; }

    /// <summary><c>issueDate</c> of TCB Info and QE Identity; thisUpdate of both CRLs.</summary>
    public required DateTimeOffset IssueDate { get; init; }

    /// <summary><c>nextUpdate</c> of TCB Info, QE Identity and the PCK CRL (the earliest nextUpdate of the set).</summary>
    public required DateTimeOffset NextUpdate { get; init; }

    /// <summary>TCB evaluation data number of TCB Info and QE Identity.</summary>
    public required int TcbEvaluationDataNumber { get; init; }

    /// <summary>The TCB Info v3 JSON value (<c>id</c> SGX), compact UTF-8: the exact signed bytes.</summary>
    public required byte[] TcbInfo { get; init; }

    /// <summary>TCB signing key's signature over <see cref="TcbInfo"/>, 64 bytes r ‖ s.</summary>
    public required byte[] TcbInfoSignature { get; init; }

    /// <summary>The TCB Info v2 JSON value (served on the v3 API), compact UTF-8.</summary>
    public required byte[] TcbInfoV2 { get; init; }

    /// <summary>TCB signing key's signature over <see cref="TcbInfoV2"/>.</summary>
    public required byte[] TcbInfoV2Signature { get; init; }

    /// <summary>The QE Identity v2 JSON value (<c>id</c> QE), compact UTF-8: the exact signed bytes.</summary>
    public required byte[] QeIdentity { get; init; }

    /// <summary>TCB signing key's signature over <see cref="QeIdentity"/>.</summary>
    public required byte[] QeIdentitySignature { get; init; }

    /// <summary>Root CA CRL (issuer: the simulation root), DER.</summary>
    public required byte[] RootCaCrl { get; init; }

    /// <summary>PCK CRL (issuer: the simulated PCK Processor CA), DER.</summary>
    public required byte[] PckCrl { get; init; }

    /// <summary>PEM chain TCB signing ‖ root: the issuer chain of TCB Info and QE Identity.</summary>
    public required string TcbSigningChain { get; init; }

    /// <summary>PEM chain PCK CA ‖ root: the issuer chain of the PCK CRL and of the PCK certificate.</summary>
    public required string PckCaChain { get; init; }

    /// <summary>The PCK leaf certificate, PEM.</summary>
    public required string PckCertificatePem { get; init; }

    /// <summary>The simulation root certificate, DER (the trust anchor a verifier must be given).</summary>
    public required byte[] RootCertificate { get; init; }

    /// <summary>FMSPC of the platform, upper-case hex (12 digits).</summary>
    public required string Fmspc { get; init; }

    /// <summary>PCE-ID of the platform, upper-case hex (4 digits).</summary>
    public required string PceId { get; init; }

    /// <summary>QE_ID of the platform, upper-case hex (32 digits): the <c>qeid</c> of <c>pckcert</c> requests.</summary>
    public required string QeId { get; init; }

    /// <summary>The PCK certificate's TCB components (16 bytes, = its CPUSVN).</summary>
    public required byte[] PckComponents { get; init; }

    /// <summary>The PCK certificate's PCESVN.</summary>
    public required ushort PckPceSvn { get; init; }

    /// <summary>
    /// <c>SGX-TCBm</c> of the PCK certificate: hex CPUSVN (16 bytes) ‖ PCESVN (2 bytes, little-endian as Intel's API
    /// documentation says; dcap-quote.md §6.2), upper case.
    /// </summary>
    public string Tcbm => Convert.ToHexString(PckComponents) + Convert.ToHexString([(byte)PckPceSvn, (byte)(PckPceSvn >> 8)]);

    /// <summary>The PCS body of TCB Info v3: <c>{"tcbInfo":…,"signature":"…"}</c>.</summary>
    public byte[] TcbInfoBody => SignedBody("tcbInfo", TcbInfo, TcbInfoSignature);

    /// <summary>The PCS body of TCB Info v2 (v3 API).</summary>
    public byte[] TcbInfoV2Body => SignedBody("tcbInfo", TcbInfoV2, TcbInfoV2Signature);

    /// <summary>The PCS body of QE Identity: <c>{"enclaveIdentity":…,"signature":"…"}</c>.</summary>
    public byte[] QeIdentityBody => SignedBody("enclaveIdentity", QeIdentity, QeIdentitySignature);

    /// <summary>
    /// Generates the collateral of <paramref name="platform"/> for <paramref name="scenario"/>, dated
    /// <see cref="Backdating"/> before <paramref name="at"/> (whole seconds).
    /// </summary>
    /// <exception cref="ArgumentException">The scenario cannot be expressed for this platform (a QE SVN of 65535
    /// cannot be out of date).</exception>
    public static SimulatedCollateral Create(SimulatedPlatform platform, CollateralScenario scenario, DateTimeOffset at,
        int tcbEvaluationDataNumber = DefaultTcbEvaluationDataNumber)
    {
        ArgumentNullException.ThrowIfNull(platform);
        ArgumentNullException.ThrowIfNull(scenario);
        var issueDate = DateTimeOffset.FromUnixTimeSeconds(at.ToUnixTimeSeconds()) - Backdating;
        var nextUpdate = issueDate + Validity;
        var extension = platform.PckExtension;
        var fmspc = Convert.ToHexString(extension.Fmspc);
        var pceId = Convert.ToHexString(extension.PceId);
        var tcbLevels = PlatformLevels(extension.ComponentSvns, extension.PceSvn, scenario.PlatformStatus);
        var qeLevels = QeLevels(platform.QeSvn, scenario.QeStatus);

        var tcbInfo = WriteTcbInfo(3, issueDate, nextUpdate, fmspc, pceId, tcbEvaluationDataNumber, tcbLevels);
        var tcbInfoV2 = WriteTcbInfo(2, issueDate, nextUpdate, fmspc, pceId, tcbEvaluationDataNumber, tcbLevels);
        var qeIdentity = WriteQeIdentity(issueDate, nextUpdate, tcbEvaluationDataNumber, qeLevels);

        using var tcbKey = platform.OpenTcbSigningKey();
        using var rootKey = platform.OpenRootKey();
        using var pckCaKey = platform.OpenPckCaKey();
        var rootCrl = BuildCrl(platform.RootCertificate, rootKey, issueDate, issueDate + RootCrlValidity, revoked: null);
        var pckCrl = BuildCrl(platform.PckCaCertificate, pckCaKey, issueDate, nextUpdate,
            scenario.RevokePck ? platform.PckCertificate.SerialNumberBytes.ToArray() : null);

        return new SimulatedCollateral
        {
            Scenario = scenario,
            IssueDate = issueDate,
            NextUpdate = nextUpdate,
            TcbEvaluationDataNumber = tcbEvaluationDataNumber,
            TcbInfo = tcbInfo,
            TcbInfoSignature = Sign(tcbKey, tcbInfo),
            TcbInfoV2 = tcbInfoV2,
            TcbInfoV2Signature = Sign(tcbKey, tcbInfoV2),
            QeIdentity = qeIdentity,
            QeIdentitySignature = Sign(tcbKey, qeIdentity),
            RootCaCrl = rootCrl,
            PckCrl = pckCrl,
            TcbSigningChain = Pem(platform.TcbSigningCertificate) + Pem(platform.RootCertificate),
            PckCaChain = Pem(platform.PckCaCertificate) + Pem(platform.RootCertificate),
            PckCertificatePem = Pem(platform.PckCertificate),
            RootCertificate = platform.RootCertificate.RawData,
            Fmspc = fmspc,
            PceId = pceId,
            QeId = Convert.ToHexString(platform.QeId),
            PckComponents = (byte[])extension.ComponentSvns.Clone(),
            PckPceSvn = extension.PceSvn,
        };
    }

    /// <summary>The collateral as the verifier takes it (no PCK chain: it comes from the quote).</summary>
    public QuoteCollateral ToQuoteCollateral() => new()
    {
        PckCrlIssuerChain = PckCaChain,
        RootCaCrl = RootCaCrl,
        PckCrl = PckCrl,
        TcbInfoIssuerChain = TcbSigningChain,
        TcbInfo = TcbInfo,
        TcbInfoSignature = TcbInfoSignature,
        QeIdentityIssuerChain = TcbSigningChain,
        QeIdentity = QeIdentity,
        QeIdentitySignature = QeIdentitySignature,
    };

    /// <summary>Formats a time as Intel does in collateral: <c>2025-06-19T10:56:11Z</c>.</summary>
    public static string FormatTime(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    internal static byte[] SignedBody(string member, byte[] inner, byte[] signature) =>
        PcsCollateral.WriteSignedBody(member, inner, signature); // the inner bytes are copied, never re-serialised

    internal static string Pem(X509Certificate2 certificate) =>
        PemEncoding.WriteString("CERTIFICATE", certificate.RawData) + "\n";

    private static byte[] Sign(ECDsa key, byte[] data) =>
        key.SignData(data, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

    private static byte[] BuildCrl(X509Certificate2 issuer, ECDsa issuerKey, DateTimeOffset thisUpdate,
        DateTimeOffset nextUpdate, byte[]? revoked)
    {
        var builder = new CertificateRevocationListBuilder();
        if (revoked is not null)
        {
            builder.AddEntry(revoked, thisUpdate, X509RevocationReason.KeyCompromise);
        }

        // CRL Number and Authority Key Identifier are the two extensions Intel's QVL requires (dcap-quote.md §5.8).
        var ski = issuer.Extensions.OfType<X509SubjectKeyIdentifierExtension>().Single();
        var aki = X509AuthorityKeyIdentifierExtension.CreateFromSubjectKeyIdentifier(ski);
        return builder.Build(issuer.SubjectName, X509SignatureGenerator.CreateForECDsa(issuerKey), BigInteger.One,
            nextUpdate, HashAlgorithmName.SHA256, aki, thisUpdate);
    }

    private sealed record Level(byte[] Components, ushort PceSvn, string Status, string[] AdvisoryIds);

    private sealed record QeLevel(ushort IsvSvn, string Status, string[] AdvisoryIds);

    private static string[] AdvisoriesFor(string status) => status switch
    {
        TcbStatusNames.SWHardeningNeeded => ["INTEL-SA-00615"],
        TcbStatusNames.ConfigurationNeeded => ["INTEL-SA-00289"],
        TcbStatusNames.ConfigurationAndSWHardeningNeeded => ["INTEL-SA-00289", "INTEL-SA-00615"],
        TcbStatusNames.OutOfDate => ["INTEL-SA-00828"],
        TcbStatusNames.OutOfDateConfigurationNeeded => ["INTEL-SA-00289", "INTEL-SA-00828"],
        TcbStatusNames.Revoked => ["INTEL-SA-00233"],
        _ => [],
    };

    // The platform's own TCB (components, pcesvn) gets the scenario's status. For the out-of-date and revoked
    // statuses a level just above it (one component or the PCESVN raised by one) is UpToDate, as after a TCB
    // recovery; below it come a level one PCESVN (or component) lower and the all-zero level, both OutOfDate.
    // The list is sorted highest first (dcap-quote.md §5.1), which npm dcap-qvl relies on (§5.5).
    private static List<Level> PlatformLevels(byte[] components, ushort pceSvn, string status)
    {
        var levels = new List<Level>();
        if (status is TcbStatusNames.OutOfDate or TcbStatusNames.OutOfDateConfigurationNeeded or TcbStatusNames.Revoked)
        {
            var higher = (byte[])components.Clone();
            var raised = Array.FindIndex(higher, svn => svn < byte.MaxValue);
            var higherPce = pceSvn;
            if (raised >= 0)
            {
                higher[raised]++;
            }
            else if (pceSvn < ushort.MaxValue)
            {
                higherPce++;
            }
            else
            {
                throw new ArgumentException("A platform at the highest possible TCB cannot be out of date.");
            }

            levels.Add(new Level(higher, higherPce, TcbStatusNames.UpToDate, []));
        }

        levels.Add(new Level((byte[])components.Clone(), pceSvn, status, AdvisoriesFor(status)));

        var lower = (byte[])components.Clone();
        var lowerPce = pceSvn;
        var lowered = false;
        if (pceSvn > 0)
        {
            lowerPce--;
            lowered = true;
        }
        else if (Array.FindLastIndex(lower, svn => svn > 0) is var index and >= 0)
        {
            lower[index]--;
            lowered = true;
        }

        if (lowered)
        {
            levels.Add(new Level(lower, lowerPce, TcbStatusNames.OutOfDate, AdvisoriesFor(TcbStatusNames.OutOfDate)));
        }

        var zero = new byte[components.Length];
        if (levels.TrueForAll(l => !(l.PceSvn == 0 && l.Components.AsSpan().SequenceEqual(zero))))
        {
            levels.Add(new Level(zero, 0, TcbStatusNames.OutOfDate, AdvisoriesFor(TcbStatusNames.OutOfDate)));
        }

        return levels;
    }

    private static List<QeLevel> QeLevels(ushort qeSvn, string status)
    {
        if (status == TcbStatusNames.UpToDate)
        {
            List<QeLevel> levels = [new(qeSvn, TcbStatusNames.UpToDate, [])];
            if (qeSvn > 0)
            {
                levels.Add(new(0, TcbStatusNames.OutOfDate, ["INTEL-SA-00615"]));
            }

            return levels;
        }

        if (qeSvn == ushort.MaxValue)
        {
            throw new ArgumentException($"A QE with ISVSVN {qeSvn} cannot be {status}: no newer QE can exist.");
        }

        return [new((ushort)(qeSvn + 1), TcbStatusNames.UpToDate, []), new(qeSvn, status, ["INTEL-SA-00615"])];
    }

    private static DateTimeOffset TcbDate(DateTimeOffset issueDate, int index) =>
        new DateTimeOffset(issueDate.UtcDateTime.Date, TimeSpan.Zero).AddDays(-30 * (index + 1));

    // Field order of dcap-quote.md §5.1 (v3: id first; v2: no id, components as sgxtcbcompNNsvn), compact.
    private static byte[] WriteTcbInfo(int version, DateTimeOffset issueDate, DateTimeOffset nextUpdate, string fmspc,
        string pceId, int evaluationDataNumber, List<Level> levels)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            if (version == 3)
            {
                json.WriteString("id", "SGX");
            }

            json.WriteNumber("version", version);
            json.WriteString("issueDate", FormatTime(issueDate));
            json.WriteString("nextUpdate", FormatTime(nextUpdate));
            json.WriteString("fmspc", fmspc);
            json.WriteString("pceId", pceId);
            json.WriteNumber("tcbType", 0);
            json.WriteNumber("tcbEvaluationDataNumber", evaluationDataNumber);
            json.WriteStartArray("tcbLevels");
            for (var i = 0; i < levels.Count; i++)
            {
                var level = levels[i];
                json.WriteStartObject();
                json.WriteStartObject("tcb");
                if (version == 3)
                {
                    json.WriteStartArray("sgxtcbcomponents");
                    foreach (var svn in level.Components)
                    {
                        json.WriteStartObject();
                        json.WriteNumber("svn", svn);
                        json.WriteEndObject();
                    }

                    json.WriteEndArray();
                }
                else
                {
                    for (var c = 0; c < level.Components.Length; c++)
                    {
                        json.WriteNumber($"sgxtcbcomp{c + 1:00}svn", level.Components[c]);
                    }
                }

                json.WriteNumber("pcesvn", level.PceSvn);
                json.WriteEndObject();
                WriteLevelTail(json, TcbDate(issueDate, i), level.Status, level.AdvisoryIds);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    // Field order of dcap-quote.md §5.2; values of Intel's QE3 identity (§3.8). The simulated QE has Intel's MRSIGNER,
    // ISVPRODID 1, attributes 0x15/0xE7 (masked with FB…: 0x11) and MISCSELECT 0.
    private static byte[] WriteQeIdentity(DateTimeOffset issueDate, DateTimeOffset nextUpdate, int evaluationDataNumber,
        List<QeLevel> levels)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("id", "QE");
            json.WriteNumber("version", 2);
            json.WriteString("issueDate", FormatTime(issueDate));
            json.WriteString("nextUpdate", FormatTime(nextUpdate));
            json.WriteNumber("tcbEvaluationDataNumber", evaluationDataNumber);
            json.WriteString("miscselect", "00000000");
            json.WriteString("miscselectMask", "FFFFFFFF");
            json.WriteString("attributes", "11000000000000000000000000000000");
            json.WriteString("attributesMask", "FBFFFFFFFFFFFFFF0000000000000000");
            json.WriteString("mrsigner", Convert.ToHexString(AttestationKeyId.IntelQe3MrSigner));
            json.WriteNumber("isvprodid", SimulatedPlatform.QeProdId);
            json.WriteStartArray("tcbLevels");
            for (var i = 0; i < levels.Count; i++)
            {
                json.WriteStartObject();
                json.WriteStartObject("tcb");
                json.WriteNumber("isvsvn", levels[i].IsvSvn);
                json.WriteEndObject();
                WriteLevelTail(json, TcbDate(issueDate, i), levels[i].Status, levels[i].AdvisoryIds);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteLevelTail(Utf8JsonWriter json, DateTimeOffset tcbDate, string status, string[] advisoryIds)
    {
        json.WriteString("tcbDate", FormatTime(tcbDate));
        json.WriteString("tcbStatus", status);
        if (advisoryIds.Length > 0)
        {
            json.WriteStartArray("advisoryIDs");
            foreach (var id in advisoryIds)
            {
                json.WriteStringValue(id);
            }

            json.WriteEndArray();
        }
    }
}
