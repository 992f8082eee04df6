using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using QuoteHelper.Sgx;
using QuoteHelper.Sgx.Pck;
using QuoteHelper.Sgx.Simulation;

namespace QuoteHelper.Quoting.Simulation;

/// <summary>
/// The simulated SGX platform as loaded from its state directory: the PKI, the platform identity and versions,
/// the report secret, and the QE3 identity that follows from the QE SVN (design.md §3). Opening a directory for
/// the first time creates the platform; opening it with different versions applies a simulated platform update.
/// </summary>
public sealed class SimulatedPlatform : IDisposable
{
    /// <summary>QE3's fixed authentication data, <c>00 01 … 1F</c> (aesm-protocol.md §5, dcap-quote.md §1.4).</summary>
    public static ReadOnlySpan<byte> QeAuthData =>
    [
        0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,
        0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f,
    ];

    /// <summary>Attributes of QE3 (INIT, MODE64, PROVISION_KEY; XFRM 0xE7), as in real quotes (dcap-quote.md §3.8).</summary>
    public static SgxAttributes QeAttributes { get; } =
        new(SgxAttributeFlags.Initted | SgxAttributeFlags.Mode64Bit | SgxAttributeFlags.ProvisionKey, 0xE7);

    /// <summary>ISV product id of QE3.</summary>
    public const ushort QeProdId = 1;

    /// <summary>
    /// How long a writer waits for the state-directory lock. A writer holds it only while it reads, maybe issues a
    /// certificate and writes the file (well under a second), so a lock held this long is a stuck process.
    /// </summary>
    public static readonly TimeSpan StateLockTimeout = TimeSpan.FromSeconds(10);

    private readonly ECDsa _pckKey;

    private SimulatedPlatform(PlatformStateStore store, PlatformState state)
    {
        Store = store;
        State = state;
        RootCertificate = LoadCertificate(state.RootCa);
        PckCaCertificate = LoadCertificate(state.PckCa);
        PckCertificate = LoadCertificate(state.Pck);
        TcbSigningCertificate = LoadCertificate(state.TcbSigning);
        _pckKey = LoadKey(state.Pck.PrivateKey);
        ReportSecret = Convert.FromHexString(state.ReportSecret);
        ReportKeyId = Convert.FromHexString(state.ReportKeyId);
        QeId = Convert.FromHexString(state.Platform.QeId);
        CpuSvn = Convert.FromHexString(state.Platform.CpuSvn);
        QeTargetInfo = CreateQeTargetInfo(state.Platform.QeSvn);
        PckChainPem = PemOf(PckCertificate) + PemOf(PckCaCertificate) + PemOf(RootCertificate);
    }

    /// <summary>The store the platform was loaded from.</summary>
    public PlatformStateStore Store { get; }

    /// <summary>The state as loaded (after any update was applied).</summary>
    public PlatformState State { get; }

    /// <summary>The simulation root CA: the trust anchor a verifier must be given explicitly.</summary>
    public X509Certificate2 RootCertificate { get; }

    /// <summary>The PCK Processor CA.</summary>
    public X509Certificate2 PckCaCertificate { get; }

    /// <summary>The PCK leaf certificate.</summary>
    public X509Certificate2 PckCertificate { get; }

    /// <summary>The TCB signing certificate.</summary>
    public X509Certificate2 TcbSigningCertificate { get; }

    /// <summary>The PEM chain placed in quotes: PCK leaf, PCK CA, root, each ending in a newline (no NUL).</summary>
    public string PckChainPem { get; }

    /// <summary>The 32-byte report secret (the simulated CPU key behind every report MAC).</summary>
    public byte[] ReportSecret { get; }

    /// <summary>The KEYID (32 bytes) every simulated EREPORT on this platform carries.</summary>
    public byte[] ReportKeyId { get; }

    /// <summary>What the platform shares with its simulated enclaves (published beside the socket).</summary>
    public SimulatedCpu Cpu => new(ReportSecret, ReportKeyId, CpuSvn);

    /// <summary>QE_ID (16 bytes) placed in every quote header.</summary>
    public byte[] QeId { get; }

    /// <summary>Current CPUSVN.</summary>
    public byte[] CpuSvn { get; }

    /// <summary>Current QE3 ISVSVN.</summary>
    public ushort QeSvn => State.Platform.QeSvn;

    /// <summary>Current PCE ISVSVN.</summary>
    public ushort PceSvn => State.Platform.PceSvn;

    /// <summary>The running QE3's target info: what InitQuoteEx returns and what application reports must target.</summary>
    public TargetInfo QeTargetInfo { get; }

    /// <summary>
    /// Opens (or creates) the platform in <paramref name="stateDirectory"/>, applying the versions in
    /// <paramref name="options"/> as a platform update when they differ from the stored ones.
    /// </summary>
    /// <exception cref="InvalidDataException">The directory holds a state file that cannot be read.</exception>
    public static SimulatedPlatform Open(string stateDirectory, SimulatedPlatformOptions options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        if (options.CpuSvn is { Length: not 16 })
        {
            throw new ArgumentException("CPUSVN must be 16 bytes.", nameof(options));
        }

        var store = new PlatformStateStore(stateDirectory);
        var state = store.Update(current => Reconcile(current, options, time.GetUtcNow()), StateLockTimeout);
        return new SimulatedPlatform(store, state);
    }

    /// <summary>
    /// Loads the platform a helper created in <paramref name="stateDirectory"/>, as it is: no lock, no write, no
    /// update, so it works on a read-only mount and never creates a platform where none is.
    /// </summary>
    /// <exception cref="StateDirectoryException">No platform there, or the path is a file.</exception>
    /// <exception cref="InvalidDataException">The directory holds a state file that cannot be read.</exception>
    public static SimulatedPlatform OpenExisting(string stateDirectory)
    {
        var store = new PlatformStateStore(stateDirectory);
        return new SimulatedPlatform(store, store.ReadExisting());
    }

    /// <summary>MRENCLAVE of the simulated QE3 with the given ISVSVN: a new QE version is a new enclave.</summary>
    public static byte[] QeMrEnclave(ushort qeSvn)
    {
        Span<byte> input = stackalloc byte[64];
        var label = "Quote Helper simulated QE3 enclave"u8;
        label.CopyTo(input);
        BinaryPrimitives.WriteUInt16LittleEndian(input[label.Length..], qeSvn);
        return SHA256.HashData(input[..(label.Length + 2)]);
    }

    /// <summary>The QE3 target info for a given QE SVN.</summary>
    public static TargetInfo CreateQeTargetInfo(ushort qeSvn) => new()
    {
        MrEnclave = QeMrEnclave(qeSvn),
        Attributes = QeAttributes,
        MiscSelect = 0,
    };

    /// <summary>A QE3 report body with the given report data, as the running QE would produce it.</summary>
    public ReportBody CreateQeReportBody(ReadOnlySpan<byte> reportData)
    {
        var body = new ReportBody
        {
            CpuSvn = (byte[])CpuSvn.Clone(),
            MiscSelect = 0,
            Attributes = QeAttributes,
            MrEnclave = QeMrEnclave(QeSvn),
            MrSigner = AttestationKeyId.IntelQe3MrSigner.ToArray(),
            IsvProdId = QeProdId,
            IsvSvn = QeSvn,
        };
        reportData.CopyTo(body.ReportData);
        return body;
    }

    /// <summary>Signs <paramref name="data"/> with the PCK private key (r ‖ s): the PCE's certification.</summary>
    public byte[] SignWithPck(ReadOnlySpan<byte> data) =>
        _pckKey.SignData(data, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

    /// <summary>The SGX extension of the current PCK certificate.</summary>
    public SgxPckExtension PckExtension =>
        SgxPckExtension.Decode(PckCertificate.Extensions[SgxPckExtension.Oid]!.RawData);

    /// <summary>Opens a new handle on the TCB signing key (the caller disposes it).</summary>
    public ECDsa OpenTcbSigningKey() => LoadKey(State.TcbSigning.PrivateKey);

    /// <summary>Opens a new handle on the root CA key (the caller disposes it).</summary>
    public ECDsa OpenRootKey() => LoadKey(State.RootCa.PrivateKey);

    /// <summary>Opens a new handle on the PCK CA key (the caller disposes it).</summary>
    public ECDsa OpenPckCaKey() => LoadKey(State.PckCa.PrivateKey);

    /// <inheritdoc />
    public void Dispose()
    {
        _pckKey.Dispose();
        RootCertificate.Dispose();
        PckCaCertificate.Dispose();
        PckCertificate.Dispose();
        TcbSigningCertificate.Dispose();
        CryptographicOperations.ZeroMemory(ReportSecret);
    }

    internal static ECDsa LoadKey(string pkcs8Base64)
    {
        var key = ECDsa.Create();
        key.ImportPkcs8PrivateKey(Convert.FromBase64String(pkcs8Base64), out _);
        return key;
    }

    internal static StoredCertificate ToStored(X509Certificate2 certificate, ECDsa key) => new()
    {
        Certificate = Convert.ToBase64String(certificate.RawData),
        PrivateKey = Convert.ToBase64String(key.ExportPkcs8PrivateKey()),
    };

    private static X509Certificate2 LoadCertificate(StoredCertificate stored) =>
        X509CertificateLoader.LoadCertificate(Convert.FromBase64String(stored.Certificate));

    private static string PemOf(X509Certificate2 certificate)
    {
        var pem = new StringBuilder(PemEncoding.WriteString("CERTIFICATE", certificate.RawData));
        return pem.Append('\n').ToString();
    }

    private static PlatformState Reconcile(PlatformState? current, SimulatedPlatformOptions options, DateTimeOffset now)
    {
        var state = current ?? CreatePlatform(options, now);
        var identity = state.Platform;
        var qeSvn = options.QeSvn ?? identity.QeSvn;
        var pceSvn = options.PceSvn ?? identity.PceSvn;
        var cpuSvn = options.CpuSvn is { } cpu ? Convert.ToHexStringLower(cpu) : identity.CpuSvn;

        if (qeSvn != identity.QeSvn || pceSvn != identity.PceSvn || cpuSvn != identity.CpuSvn)
        {
            var updated = identity with { QeSvn = qeSvn, PceSvn = pceSvn, CpuSvn = cpuSvn };
            state = state with { Platform = updated };

            // A new PCE or CPU SVN means a new certified TCB: the PCK certificate is re-issued (design.md §3).
            if (pceSvn != identity.PceSvn || cpuSvn != identity.CpuSvn)
            {
                state = state with { Pck = IssuePck(state, now) };
            }
        }

        return state;
    }

    private static PlatformState CreatePlatform(SimulatedPlatformOptions options, DateTimeOffset now)
    {
        var notBefore = now.AddDays(-1);
        using var rootKey = SimulatedPki.CreateKey();
        using var root = SimulatedPki.CreateRoot(rootKey, notBefore);
        using var pckCaKey = SimulatedPki.CreateKey();
        using var pckCa = SimulatedPki.CreatePckCa(pckCaKey, root, rootKey, notBefore);
        using var tcbKey = SimulatedPki.CreateKey();
        using var tcbSigning = SimulatedPki.CreateTcbSigning(tcbKey, root, rootKey, notBefore);

        var state = new PlatformState
        {
            Platform = new PlatformIdentity
            {
                Ppid = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)),
                QeId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)),
                Fmspc = "00a067110000",
                PceId = "0000",
                CpuSvn = Convert.ToHexStringLower(options.CpuSvn ?? SimulatedPlatformOptions.DefaultCpuSvn.ToArray()),
                PceSvn = options.PceSvn ?? SimulatedPlatformOptions.DefaultPceSvn,
                QeSvn = options.QeSvn ?? SimulatedPlatformOptions.DefaultQeSvn,
            },
            ReportSecret = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(SimulatedReportKey.PlatformSecretLength)),
            ReportKeyId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(Report.KeyIdLength)),
            RootCa = ToStored(root, rootKey),
            PckCa = ToStored(pckCa, pckCaKey),
            Pck = new StoredCertificate { Certificate = "", PrivateKey = "" },
            TcbSigning = ToStored(tcbSigning, tcbKey),
        };
        return state with { Pck = IssuePck(state, now) };
    }

    private static StoredCertificate IssuePck(PlatformState state, DateTimeOffset now)
    {
        var identity = state.Platform;
        var cpuSvn = Convert.FromHexString(identity.CpuSvn);
        var extension = new SgxPckExtension
        {
            Ppid = Convert.FromHexString(identity.Ppid),
            ComponentSvns = (byte[])cpuSvn.Clone(),
            PceSvn = identity.PceSvn,
            CpuSvn = cpuSvn,
            PceId = Convert.FromHexString(identity.PceId),
            Fmspc = Convert.FromHexString(identity.Fmspc),
            SgxType = SgxType.Standard,
        };
        using var pckCa = LoadCertificate(state.PckCa);
        using var pckCaKey = LoadKey(state.PckCa.PrivateKey);
        using var pckKey = SimulatedPki.CreateKey();
        using var pck = SimulatedPki.CreatePck(pckKey, extension, pckCa, pckCaKey, now.AddDays(-1));
        return ToStored(pck, pckKey);
    }
}
