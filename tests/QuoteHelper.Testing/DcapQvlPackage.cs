using System.Diagnostics;

namespace QuoteHelper.Testing;

/// <summary>
/// Where the independent verifier (npm @phala/dcap-qvl, pinned, run through <c>dcap-qvl.js</c>) lives in this
/// repository, and its installation: <c>dotnet test</c> on a fresh clone (CI included) runs the install script itself,
/// once. Tests that need it fail (never skip) when it is still missing.
/// </summary>
public static class DcapQvlPackage
{
    /// <summary>The install script, relative to the repository root (for failure messages).</summary>
    public const string InstallScript = "tests/QuoteHelper.Collateral.Tests/dcap-qvl/install.sh";

    private static readonly Lazy<string?> s_directory = new(() =>
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "tests", "QuoteHelper.Collateral.Tests", "dcap-qvl");
            if (File.Exists(Path.Combine(candidate, "dcap-qvl.js")))
            {
                return candidate;
            }
        }

        return null;
    });

    private static readonly Lazy<bool> s_install = new(() =>
    {
        if (s_directory.Value is not { } directory || IsInstalledIn(directory))
        {
            return true;
        }

        try
        {
            using var install = Process.Start(new ProcessStartInfo("bash", [Path.Combine(directory, "install.sh")])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            })!;
            _ = install.StandardOutput.ReadToEndAsync();
            _ = install.StandardError.ReadToEndAsync();
            return install.WaitForExit(TimeSpan.FromMinutes(5)) && install.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    });

    /// <summary>The directory holding <c>dcap-qvl.js</c>, or null when none is found above the test binaries.</summary>
    public static string? Directory => s_directory.Value;

    /// <summary>
    /// The directory, with the package installed (running the install script once if needed); null when that failed
    /// (no node/npm, no network for npm).
    /// </summary>
    public static string? EnsureInstalled()
    {
        _ = s_install.Value;
        return s_directory.Value is { } directory && IsInstalledIn(directory) ? directory : null;
    }

    private static bool IsInstalledIn(string directory) =>
        System.IO.Directory.Exists(Path.Combine(directory, "node_modules", "@phala", "dcap-qvl"));
}
