using System.ComponentModel;
using System.Diagnostics;
using System.Runtime.InteropServices;
using QuoteHelper.Quoting.Hardware;
using QuoteHelper.Sgx.Errors;

namespace QuoteHelper.Quoting.Tests.Hardware;

/// <summary>The functions of FakeDcap/fake_dcap_ql.c, numbered as its control API numbers them.</summary>
public enum FakeDcapFunction
{
    QeGetTargetInfo = 0,
    QeGetQuoteSize = 1,
    QeGetQuote = 2,
    QeSetEnclaveLoadPolicy = 3,
    QeCleanupByPolicy = 4,
    QlSetPath = 5,
    QlInitQuote = 6,
    QlGetQuoteSize = 7,
    QlGetQuote = 8,
}

/// <summary>
/// One private copy of the fake DCAP library (FakeDcap/fake_dcap_ql.c), with its control functions. The C source is
/// compiled once per test run with <c>cc</c>; every instance copies the result to a new file, so that <c>dlopen</c>
/// gives it its own global state (a backend loading the same path shares that copy, by reference counting).
/// </summary>
public sealed unsafe class FakeDcap : IDisposable
{
    /// <summary>The fake's fixed QE SVN and PCE SVN (quote header).</summary>
    public const ushort QeSvn = 9, PceSvn = 14;

    private static readonly Lazy<string> s_built = new(Build, LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly TempDirectory _directory = new("qh-fakedcap-");
    private readonly IntPtr _handle;
    private readonly delegate* unmanaged<int, uint, void> _setResult;
    private readonly delegate* unmanaged<uint, void> _setDelay;
    private readonly delegate* unmanaged<int, uint> _calls;
    private readonly delegate* unmanaged<int> _maxInFlight;
    private readonly delegate* unmanaged<uint> _policy;
    private readonly delegate* unmanaged<int, IntPtr> _path;
    private readonly delegate* unmanaged<uint> _quoteSize;
    private readonly delegate* unmanaged<uint, void> _overrideSignatureDataLength;

    public FakeDcap()
    {
        LibraryPath = _directory.Combine("libfake_dcap_ql.so");
        File.Copy(s_built.Value, LibraryPath);
        _handle = NativeLibrary.Load(LibraryPath);
        _setResult = (delegate* unmanaged<int, uint, void>)NativeLibrary.GetExport(_handle, "fake_dcap_set_result");
        _setDelay = (delegate* unmanaged<uint, void>)NativeLibrary.GetExport(_handle, "fake_dcap_set_delay_ms");
        _calls = (delegate* unmanaged<int, uint>)NativeLibrary.GetExport(_handle, "fake_dcap_calls");
        _maxInFlight = (delegate* unmanaged<int>)NativeLibrary.GetExport(_handle, "fake_dcap_max_in_flight");
        _policy = (delegate* unmanaged<uint>)NativeLibrary.GetExport(_handle, "fake_dcap_policy");
        _path = (delegate* unmanaged<int, IntPtr>)NativeLibrary.GetExport(_handle, "fake_dcap_path");
        _quoteSize = (delegate* unmanaged<uint>)NativeLibrary.GetExport(_handle, "fake_dcap_quote_size");
        _overrideSignatureDataLength = (delegate* unmanaged<uint, void>)NativeLibrary.GetExport(_handle, "fake_dcap_override_signature_data_length");
    }

    /// <summary>Absolute path of this instance's copy.</summary>
    public string LibraryPath { get; }

    /// <summary>The handle (for calling the fake's exports directly).</summary>
    public IntPtr Handle => _handle;

    /// <summary>The size of every quote the fake makes.</summary>
    public uint QuoteSize => _quoteSize();

    /// <summary>The most calls that were ever in flight at once, over all functions.</summary>
    public int MaxInFlight => _maxInFlight();

    /// <summary>The last enclave load policy set, or uint.MaxValue.</summary>
    public uint Policy => _policy();

    /// <summary>Options that load this copy.</summary>
    public DcapQuotingOptions Options(bool core = true) => new() { LibraryPath = LibraryPath, UseCoreFunctions = core };

    /// <summary>A backend over this copy.</summary>
    public DcapQuotingBackend CreateBackend(bool core = true) => new(Options(core));

    /// <summary>Makes <paramref name="function"/> return <paramref name="result"/> without doing anything (0 restores it).</summary>
    public void SetResult(FakeDcapFunction function, Quote3Error result) => _setResult((int)function, (uint)result);

    /// <summary>Makes every call sleep this long first.</summary>
    public void SetDelay(TimeSpan delay) => _setDelay((uint)delay.TotalMilliseconds);

    /// <summary>How often <paramref name="function"/> was called.</summary>
    public int Calls(FakeDcapFunction function) => (int)_calls((int)function);

    /// <summary>Makes every later quote carry this <c>signature_data_len</c> (a broken library).</summary>
    public void OverrideSignatureDataLength(uint value) => _overrideSignatureDataLength(value);

    /// <summary>The path last set with sgx_ql_set_path for a type (0 QE3, 1 PCE, 2 QPL, 3 IDE).</summary>
    public string PathOf(int type) => Marshal.PtrToStringUTF8(_path(type)) ?? "";

    public void Dispose()
    {
        NativeLibrary.Free(_handle);
        _directory.Dispose();
    }

    private static string Build()
    {
        var source = Path.Combine(AppContext.BaseDirectory, "FakeDcap", "fake_dcap_ql.c");
        if (!File.Exists(source))
        {
            throw new FileNotFoundException("The fake DCAP library's source was not copied next to the test assembly", source);
        }

        var directory = Directory.CreateTempSubdirectory("qh-fakedcap-build-").FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Directory.Delete(directory, recursive: true);
        var output = Path.Combine(directory, "libfake_dcap_ql.so");
        var start = new ProcessStartInfo("cc") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in new[] { "-shared", "-fPIC", "-O1", "-o", output, source })
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("cc did not start");
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException(
                "The hardware-backend tests compile a fake DCAP library (tests/QuoteHelper.Quoting.Tests/FakeDcap/" +
                "fake_dcap_ql.c) with 'cc', which was not found on PATH. Install a C compiler (e.g. apt-get install gcc).", e);
        }

        using (process)
        {
            var errors = process.StandardError.ReadToEnd();
            process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"cc failed to build the fake DCAP library (exit {process.ExitCode}):\n{errors}");
            }
        }

        return output;
    }
}
