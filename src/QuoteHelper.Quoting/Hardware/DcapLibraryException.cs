using QuoteHelper.Sgx.Errors;

namespace QuoteHelper.Quoting.Hardware;

/// <summary>
/// Intel's DCAP quote library could not be loaded or configured. <see cref="Reason"/> says which step failed,
/// <see cref="LibraryPath"/> which library, <see cref="Detail"/> what the system said (the <c>dlerror</c> text, or the
/// function and its <c>quote3_error_t</c>). Only this library creates it (house-style habit 5).
/// </summary>
#pragma warning disable CA1032 // Deliberately no public constructors: callers catch and switch on Reason, they do not fabricate.
public sealed class DcapLibraryException : Exception
#pragma warning restore CA1032
{
    internal DcapLibraryException(DcapLibraryError reason, string libraryPath, string detail, Quote3Error? result = null)
        : base(FormatMessage(reason, libraryPath, detail))
    {
        Reason = reason;
        LibraryPath = libraryPath;
        Detail = detail;
        Result = result;
    }

    /// <summary>The step that failed.</summary>
    public DcapLibraryError Reason { get; }

    /// <summary>The library path or soname as configured.</summary>
    public string LibraryPath { get; }

    /// <summary>The <c>dlerror</c> text, the missing symbol, or the failing call.</summary>
    public string Detail { get; }

    /// <summary>The library's result when a configuration call failed; otherwise null.</summary>
    public Quote3Error? Result { get; }

    private static string FormatMessage(DcapLibraryError reason, string libraryPath, string detail) => reason switch
    {
        DcapLibraryError.LoadFailed => $"Cannot load the DCAP quote library '{libraryPath}': {detail}",
        DcapLibraryError.MissingFunction => $"'{libraryPath}' is not a DCAP quote library: {detail}",
        DcapLibraryError.OutOfProcessMode =>
            $"Refusing to load '{libraryPath}': {detail}",
        DcapLibraryError.ConfigurationFailed => $"Configuring the DCAP quote library '{libraryPath}' failed: {detail}",
        _ => $"DCAP quote library '{libraryPath}': {detail}",
    };
}

/// <summary>Why the DCAP quote library could not be used.</summary>
public enum DcapLibraryError
{
    /// <summary><c>dlopen</c> failed: the file or one of its dependencies is missing or not loadable.</summary>
    LoadFailed = 1,

    /// <summary>The library loaded but lacks one of the <c>sgx_qe_*</c> functions.</summary>
    MissingFunction = 2,

    /// <summary>
    /// <c>SGX_AESM_ADDR</c> is set in the daemon's environment: the library would send every call to the AESM socket,
    /// that is to this daemon (aesm-protocol.md §9.1).
    /// </summary>
    OutOfProcessMode = 3,

    /// <summary><c>sgx_qe_set_enclave_load_policy</c> or <c>sgx_ql_set_path</c> returned an error.</summary>
    ConfigurationFailed = 4,
}
