using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using QuoteHelper.Sgx;
using QuoteHelper.Sgx.Errors;
using QuoteHelper.Sgx.Quotes;

namespace QuoteHelper.Quoting.Hardware;

/// <summary>
/// The hardware backend (design.md §4): Intel's DCAP quote library (<c>libsgx_dcap_ql.so.1</c>) hosted in the daemon's
/// process, in-proc mode, with QE3 and the PCE on <c>/dev/sgx_enclave</c> and <c>/dev/sgx_provision</c> and a quote
/// provider library for PCK certificates. Every <c>quote3_error_t</c> becomes an AESM code through
/// <see cref="ErrorMapping.ToAesmError"/> (aesm-protocol.md §7.3), as Intel's ECDSA bundle does. Calls into the library
/// are serialised with one lock, as Intel's aesmd serialises them with <c>ecdsa_quote_mutex</c>.
/// </summary>
/// <remarks>
/// Two sets of functions can do the work. The core functions <c>sgx_ql_init_quote</c>/<c>sgx_ql_get_quote_size</c>/
/// <c>sgx_ql_get_quote</c> (exported by <c>libsgx_qe3_logic</c>, which the DCAP library loads as a dependency) are
/// what aesmd calls; they return the attestation key's <c>pub_key_id</c> and fill <c>qe_report_info</c>. The wrapper
/// functions <c>sgx_qe_get_target_info</c>/<c>sgx_qe_get_quote_size</c>/<c>sgx_qe_get_quote</c> (the only exports of
/// <c>libsgx_dcap_ql</c>) do neither: in that mode the key id is learnt from the quotes
/// (SHA256(attestation public key ‖ auth data), aesm-protocol.md §5) and a request with <c>qe_report_info</c> is
/// answered 49 (AESM_UNABLE_TO_GENERATE_QE_REPORT). docs/hardware.md gives the evidence.
/// </remarks>
public sealed unsafe class DcapQuotingBackend : IQuotingBackend, IDisposable
{
    private const int PublicKeyIdLength = 32;

    // sgx_ql_path_type_t (sgx_dcap_ql_wrapper.h).
    private const int QlQe3Path = 0;
    private const int QlPcePath = 1;
    private const int QlQplPath = 2;

    private static readonly AttestationKeyId[] s_keyIds = [AttestationKeyId.DefaultEcdsaP256];

    private readonly Lock _gate = new();
    private readonly string _libraryPath;
    private readonly DcapEnclaveLoadPolicy _loadPolicy;
    private readonly byte[] _keyId = AttestationKeyId.DefaultEcdsaP256.Bytes.ToArray();
    private readonly byte[] _learntPublicKey = new byte[QuoteSignatureData.PublicKeyLength];
    private IntPtr _library;
    private volatile BackendIdentity _identity = new("hardware", 0, 0, "");
    private byte[]? _publicKeyId;

    // libsgx_dcap_ql.so.1 (sgx_dcap_ql_wrapper.h).
    private readonly delegate* unmanaged<byte*, uint> _qeGetTargetInfo;
    private readonly delegate* unmanaged<uint*, uint> _qeGetQuoteSize;
    private readonly delegate* unmanaged<byte*, uint, byte*, uint> _qeGetQuote;
    private readonly delegate* unmanaged<int, uint> _qeSetEnclaveLoadPolicy;
    private readonly delegate* unmanaged<uint> _qeCleanupByPolicy;
    private readonly delegate* unmanaged<int, byte*, uint> _qlSetPath;

    // libsgx_qe3_logic (sgx_ql_core_wrapper.h), reached through the DCAP library's dependency scope; null when absent.
    private readonly delegate* unmanaged<byte*, byte*, byte, nuint*, byte*, uint> _qlInitQuote;
    private readonly delegate* unmanaged<byte*, uint*, uint> _qlGetQuoteSize;
    private readonly delegate* unmanaged<byte*, byte*, byte*, byte*, uint, uint> _qlGetQuote;

    /// <summary>
    /// Loads the DCAP quote library, checks its functions, and sets the enclave load policy and the optional QE3, PCE
    /// and QPL paths. Loads no enclave yet: that happens on the first <see cref="InitializeAttestationKey"/>.
    /// </summary>
    /// <exception cref="DcapLibraryException">The library cannot be loaded (the message carries the <c>dlerror</c>
    /// text), lacks a function, would run out-of-proc (<c>SGX_AESM_ADDR</c> is set), or refused a setting.</exception>
    public DcapQuotingBackend(DcapQuotingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrEmpty(options.LibraryPath);
        _libraryPath = options.LibraryPath;
        _loadPolicy = options.LoadPolicy;

        // The library reads SGX_AESM_ADDR once, when it is loaded (aesm-protocol.md §9.1): check before loading.
        EnsureInProcess(Environment.GetEnvironmentVariable("SGX_AESM_ADDR"), _libraryPath);
        _library = NativeLoader.Load(_libraryPath);
        try
        {
            _qeGetTargetInfo = (delegate* unmanaged<byte*, uint>)Require("sgx_qe_get_target_info");
            _qeGetQuoteSize = (delegate* unmanaged<uint*, uint>)Require("sgx_qe_get_quote_size");
            _qeGetQuote = (delegate* unmanaged<byte*, uint, byte*, uint>)Require("sgx_qe_get_quote");
            _qeSetEnclaveLoadPolicy = (delegate* unmanaged<int, uint>)Require("sgx_qe_set_enclave_load_policy");
            _qeCleanupByPolicy = (delegate* unmanaged<uint>)Require("sgx_qe_cleanup_by_policy");
            _qlSetPath = (delegate* unmanaged<int, byte*, uint>)Require("sgx_ql_set_path");

            if (options.UseCoreFunctions &&
                NativeLibrary.TryGetExport(_library, "sgx_ql_init_quote", out var init) &&
                NativeLibrary.TryGetExport(_library, "sgx_ql_get_quote_size", out var size) &&
                NativeLibrary.TryGetExport(_library, "sgx_ql_get_quote", out var quote))
            {
                _qlInitQuote = (delegate* unmanaged<byte*, byte*, byte, nuint*, byte*, uint>)init;
                _qlGetQuoteSize = (delegate* unmanaged<byte*, uint*, uint>)size;
                _qlGetQuote = (delegate* unmanaged<byte*, byte*, byte*, byte*, uint, uint>)quote;
            }

            Configure(_qeSetEnclaveLoadPolicy((int)options.LoadPolicy), "sgx_qe_set_enclave_load_policy", options.LoadPolicy.ToString());
            SetPath(QlQe3Path, options.QuotingEnclavePath, "SGX_QL_QE3_PATH");
            SetPath(QlPcePath, options.ProvisioningCertificationEnclavePath, "SGX_QL_PCE_PATH");
            SetPath(QlQplPath, options.QuoteProviderLibraryPath, "SGX_QL_QPL_PATH");
        }
        catch
        {
            NativeLibrary.Free(_library);
            _library = IntPtr.Zero;
            throw;
        }
    }

    /// <summary>
    /// Mode "hardware". The QE SVN and PCE SVN come from the header of the latest quote (dcap-quote.md §1.2): the
    /// QE target info does not carry them, so they are 0 until the first quote. The key id is the one returned by
    /// <c>sgx_ql_init_quote</c> or learnt from the latest quote; empty until either.
    /// </summary>
    public BackendIdentity Identity => _identity;

    /// <inheritdoc />
    public IReadOnlyList<AttestationKeyId> SupportedAttestationKeyIds => s_keyIds;

    /// <summary>
    /// True when the core functions (<c>sgx_ql_*</c>, as in aesmd) are used; false when the <c>sgx_qe_*</c> wrapper
    /// functions are (no <c>pub_key_id</c> from InitQuoteEx, no <c>qe_report_info</c>).
    /// </summary>
    public bool UsesCoreFunctions => _qlInitQuote != null;

    /// <summary>The library as configured.</summary>
    public string LibraryPath => _libraryPath;

    /// <summary>
    /// <c>sgx_ql_init_quote</c> (core) or <c>sgx_qe_get_target_info</c> (wrapper): loads QE3 and the PCE, creates or
    /// reloads the attestation key, has it certified, and returns QE3's target info. The key id is the library's
    /// (core), or the one learnt from the latest quote, or 32 zero bytes before the first quote (wrapper).
    /// </summary>
    public AesmError InitializeAttestationKey(Span<byte> targetInfo, Span<byte> publicKeyId)
    {
        if (targetInfo.Length < TargetInfo.Size || publicKeyId.Length < PublicKeyIdLength)
        {
            return AesmError.ParameterError;
        }

        lock (_gate)
        {
            if (_library == IntPtr.Zero)
            {
                return AesmError.ServiceUnavailable;
            }

            uint result;
            var pubKeyId = publicKeyId[..PublicKeyIdLength];
            fixed (byte* ti = targetInfo)
            fixed (byte* id = pubKeyId)
            {
                if (UsesCoreFunctions)
                {
                    // As Intel's ECDSA bundle: the key id's base, no refresh, a 32-byte buffer (ecdsa_quote_service_bundle.cpp).
                    nuint size = PublicKeyIdLength;
                    fixed (byte* keyId = _keyId)
                    {
                        result = _qlInitQuote(keyId, ti, 0, &size, id);
                    }

                    if (result == 0 && size != PublicKeyIdLength)
                    {
                        return AesmError.UnexpectedError;
                    }
                }
                else
                {
                    result = _qeGetTargetInfo(ti);
                }
            }

            if (result != 0)
            {
                return ErrorMapping.ToAesmError((Quote3Error)result);
            }

            if (UsesCoreFunctions)
            {
                _publicKeyId = pubKeyId.ToArray();
                _identity = _identity with { AttestationKeyId = Convert.ToHexStringLower(pubKeyId) };
            }
            else if (_publicKeyId is { } learnt)
            {
                learnt.CopyTo(pubKeyId);
            }
            else
            {
                pubKeyId.Clear();
            }

            return AesmError.Success;
        }
    }

    /// <summary><c>sgx_ql_get_quote_size</c> or <c>sgx_qe_get_quote_size</c>; 42 before the key is initialised.</summary>
    public AesmError GetQuoteSize(out uint quoteSize)
    {
        uint size = 0;
        uint result;
        lock (_gate)
        {
            if (_library == IntPtr.Zero)
            {
                quoteSize = 0;
                return AesmError.ServiceUnavailable;
            }

            if (UsesCoreFunctions)
            {
                fixed (byte* keyId = _keyId)
                {
                    result = _qlGetQuoteSize(keyId, &size);
                }
            }
            else
            {
                result = _qeGetQuoteSize(&size);
            }
        }

        quoteSize = result == 0 ? size : 0;
        return ErrorMapping.ToAesmError((Quote3Error)result);
    }

    /// <summary>
    /// <c>sgx_ql_get_quote</c> or <c>sgx_qe_get_quote</c> into <paramref name="quote"/>; the quote's length is read from
    /// its <c>signature_data_len</c>. A buffer smaller than a quote is the library's SGX_QL_ERROR_INVALID_PARAMETER, 3.
    /// With the wrapper functions a request with <paramref name="qeReportInfo"/> gets 49 after the quote is made (so
    /// that 42 and 47 still come first, in Intel's order, aesm-protocol.md §6.7).
    /// </summary>
    public AesmError GetQuote(ReadOnlySpan<byte> report, Span<byte> qeReportInfo, Span<byte> quote, out int quoteLength)
    {
        quoteLength = 0;
        if (report.Length != Report.Size || (!qeReportInfo.IsEmpty && qeReportInfo.Length != QeReportInfo.Size))
        {
            return AesmError.ParameterError;
        }

        uint result;
        lock (_gate)
        {
            if (_library == IntPtr.Zero)
            {
                return AesmError.ServiceUnavailable;
            }

            fixed (byte* appReport = report)
            fixed (byte* output = quote)
            {
                if (UsesCoreFunctions)
                {
                    fixed (byte* keyId = _keyId)
                    fixed (byte* info = qeReportInfo)
                    {
                        // An empty span pins to null: no qe_report_info, as Intel's bundle passes it through.
                        result = _qlGetQuote(appReport, keyId, info, output, (uint)quote.Length);
                    }
                }
                else
                {
                    result = _qeGetQuote(appReport, (uint)quote.Length, output);
                }
            }

            if (result != 0)
            {
                return ErrorMapping.ToAesmError((Quote3Error)result);
            }

            // Trim with signature_data_len (aesm-protocol.md §6.7); a length the library could not have written is its fault.
            if (!Quote.TryGetLength(quote, out var length) || length < QuoteOffsets.MinimumLength)
            {
                return AesmError.UnexpectedError;
            }

            Learn(quote[..length]);
            if (!UsesCoreFunctions && !qeReportInfo.IsEmpty)
            {
                return AesmError.UnableToGenerateQeReport;
            }

            quoteLength = length;
            return AesmError.Success;
        }
    }

    /// <summary>
    /// Unloads the enclaves (policy ephemeral, as aesmd does when its ECDSA service stops) and the library. Later calls
    /// answer 30 (AESM_SERVICE_UNAVAILABLE).
    /// </summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_library == IntPtr.Zero)
            {
                return;
            }

            _ = _qeCleanupByPolicy();
            if (_loadPolicy != DcapEnclaveLoadPolicy.Ephemeral)
            {
                _ = _qeSetEnclaveLoadPolicy((int)DcapEnclaveLoadPolicy.Ephemeral);
            }

            NativeLibrary.Free(_library);
            _library = IntPtr.Zero;
        }
    }

    /// <summary>
    /// With <c>SGX_AESM_ADDR</c> present (any value, aesm-protocol.md §9.1) the library forwards every call to the AESM
    /// socket — this daemon — and its configuration functions answer SGX_QL_UNSUPPORTED_MODE.
    /// </summary>
    internal static void EnsureInProcess(string? sgxAesmAddr, string libraryPath)
    {
        if (sgxAesmAddr is not null)
        {
            throw new DcapLibraryException(DcapLibraryError.OutOfProcessMode, libraryPath,
                "SGX_AESM_ADDR is set in the daemon's environment, so the library would forward every call to the AESM " +
                "socket, that is to this daemon; unset it for the daemon (it is meant for the workloads)");
        }
    }

    // The SVNs and the key id of the key that signed the latest quote. Hashing only when the key changed keeps the
    // hot path at one 64-byte comparison.
    private void Learn(ReadOnlySpan<byte> quote)
    {
        var qeSvn = BinaryPrimitives.ReadUInt16LittleEndian(quote[QuoteHeader.Offsets.QeSvn..]);
        var pceSvn = BinaryPrimitives.ReadUInt16LittleEndian(quote[QuoteHeader.Offsets.PceSvn..]);
        var publicKey = quote.Slice(QuoteOffsets.AttestationPublicKey, QuoteSignatureData.PublicKeyLength);
        var authLength = BinaryPrimitives.ReadUInt16LittleEndian(quote[QuoteOffsets.QeAuthDataSize..]);
        var identity = _identity;
        var keyIdHex = identity.AttestationKeyId;
        if (_publicKeyId is null || !publicKey.SequenceEqual(_learntPublicKey))
        {
            if (QuoteOffsets.QeAuthData + authLength > quote.Length)
            {
                return;
            }

            // pub_key_id = SHA256(attestation public key ‖ auth data) (aesm-protocol.md §5).
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            hash.AppendData(publicKey);
            hash.AppendData(quote.Slice(QuoteOffsets.QeAuthData, authLength));
            _publicKeyId = hash.GetHashAndReset();
            publicKey.CopyTo(_learntPublicKey);
            keyIdHex = Convert.ToHexStringLower(_publicKeyId);
        }

        if (identity.QeSvn != qeSvn || identity.PceSvn != pceSvn || !ReferenceEquals(keyIdHex, identity.AttestationKeyId))
        {
            _identity = identity with { QeSvn = qeSvn, PceSvn = pceSvn, AttestationKeyId = keyIdHex };
        }
    }

    private IntPtr Require(string name) =>
        NativeLibrary.TryGetExport(_library, name, out var address)
            ? address
            : throw new DcapLibraryException(DcapLibraryError.MissingFunction, _libraryPath, $"the function {name} is not exported");

    private void SetPath(int type, string? path, string typeName)
    {
        if (path is null)
        {
            return;
        }

        // NUL-terminated UTF-8, pinned for the call only: the library copies the path.
        var bytes = new byte[Encoding.UTF8.GetByteCount(path) + 1];
        Encoding.UTF8.GetBytes(path, bytes);
        fixed (byte* p = bytes)
        {
            Configure(_qlSetPath(type, p), "sgx_ql_set_path", $"{typeName}, {path}");
        }
    }

    private void Configure(uint result, string function, string argument)
    {
        if (result != 0)
        {
            var error = (Quote3Error)result;
            throw new DcapLibraryException(DcapLibraryError.ConfigurationFailed, _libraryPath,
                $"{function}({argument}) returned 0x{result:X4} ({error})", error);
        }
    }
}
