using System.Diagnostics;

namespace QuoteHelper.Testing;

/// <summary>The outcome of one child process.</summary>
public sealed record ProcessResult(string CommandLine, int ExitCode, string StdOut, string StdErr)
{
    /// <inheritdoc/>
    public override string ToString() => $"{CommandLine}: exit {ExitCode}\n--- stdout\n{StdOut}\n--- stderr\n{StdErr}";
}

/// <summary>
/// Runs a child process to completion with a deadline (killed with its children when it passes), in the repository
/// root unless told otherwise; the child's environment can be extended.
/// </summary>
public static class ProcessRunner
{
    /// <summary>Runs <paramref name="file"/>; the default deadline is 60 s.</summary>
    public static ProcessResult Run(string file, IEnumerable<string> arguments, IDictionary<string, string>? environment = null,
        TimeSpan? timeout = null, string? workingDirectory = null)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? RepositoryRoot.Path,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        var deadline = timeout ?? TimeSpan.FromSeconds(60);
        var commandLine = $"{file} {string.Join(' ', info.ArgumentList)}";
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {commandLine}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(deadline))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            throw new TimeoutException($"{commandLine} did not finish within {deadline.TotalSeconds} s\n--- stdout\n{stdout.Result}\n--- stderr\n{stderr.Result}");
        }

        process.WaitForExit();
        return new ProcessResult(commandLine, process.ExitCode, stdout.Result, stderr.Result);
    }
}
