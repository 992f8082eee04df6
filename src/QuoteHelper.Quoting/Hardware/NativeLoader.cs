using System.Runtime.InteropServices;
using System.Text;

namespace QuoteHelper.Quoting.Hardware;

/// <summary>
/// Loads the DCAP library with <see cref="NativeLibrary"/>; on failure asks <c>dlopen</c> itself for the reason.
/// <see cref="NativeLibrary.TryLoad(string, out IntPtr)"/> says that a load failed but not why, and the reason (missing
/// file, missing dependency such as <c>libsgx_enclave_common.so.1</c>, wrong architecture) is what an operator needs.
/// </summary>
internal static unsafe class NativeLoader
{
    private const int RtldNow = 2;

    // libdl.so.2 exists on every glibc: the real one before 2.34, a compatibility stub after (the symbols moved to libc).
    private const string LibDl = "libdl.so.2";

    /// <summary>Loads the library, or throws <see cref="DcapLibraryException"/> with the <c>dlerror</c> text.</summary>
    public static IntPtr Load(string path)
    {
        if (NativeLibrary.TryLoad(path, out var handle))
        {
            return handle;
        }

        throw new DcapLibraryException(DcapLibraryError.LoadFailed, path, DescribeLoadFailure(path));
    }

    private static string DescribeLoadFailure(string path)
    {
        if (!NativeLibrary.TryLoad(LibDl, out var libdl))
        {
            return "dlopen failed (libdl.so.2 unavailable to read the reason)";
        }

        try
        {
            // Resolve everything first: a lazily bound P/Invoke would run dlsym between dlopen and dlerror, and that
            // clears the thread's error text.
            if (!NativeLibrary.TryGetExport(libdl, "dlopen", out var dlopen) ||
                !NativeLibrary.TryGetExport(libdl, "dlerror", out var dlerror) ||
                !NativeLibrary.TryGetExport(libdl, "dlclose", out var dlclose))
            {
                return "dlopen failed (dlerror unavailable to read the reason)";
            }

            var name = new byte[Encoding.UTF8.GetByteCount(path) + 1];
            Encoding.UTF8.GetBytes(path, name);
            IntPtr handle;
            IntPtr error;
            fixed (byte* p = name)
            {
                handle = ((delegate* unmanaged<byte*, int, IntPtr>)dlopen)(p, RtldNow);
                error = handle == IntPtr.Zero ? ((delegate* unmanaged<IntPtr>)dlerror)() : IntPtr.Zero;
            }

            if (handle != IntPtr.Zero)
            {
                // Loadable after all (a race with an installer): say so rather than invent a reason.
                _ = ((delegate* unmanaged<IntPtr, int>)dlclose)(handle);
                return "dlopen failed once and succeeded when retried; try again";
            }

            return error == IntPtr.Zero ? "dlopen failed without a reason" : Marshal.PtrToStringUTF8(error) ?? "dlopen failed";
        }
        finally
        {
            NativeLibrary.Free(libdl);
        }
    }
}
